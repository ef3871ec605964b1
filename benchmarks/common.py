"""What every benchmark shares: interleaved rounds, medians, and the canned-response floor."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Mapping

import boto3
from botocore.awsrequest import AWSResponse
from moto.core.botocore_stubber import MockRawResponse

from medimaging_mock.interception.dispatch import serve

REGION = "us-east-1"


def per_call(function: Callable[[], object], calls: int) -> float:
    started = time.perf_counter()
    for _ in range(calls):
        function()
    return (time.perf_counter() - started) / calls


def medians(contenders: Mapping[str, Callable[[], object]], rounds: int, calls: int) -> dict[str, float]:
    """Median seconds per call; rounds are interleaved so drift on a shared machine hits all alike."""
    for function in contenders.values():
        per_call(function, max(1, calls // 10))  # warm-up
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, function in contenders.items():
            samples[name].append(per_call(function, calls))
    return {name: statistics.median(values) for name, values in samples.items()}


def canned_client(operation: str, method: str, path: str, body: bytes = b"") -> object:
    """A medical-imaging client whose `operation` is answered by a before-send handler with the bytes the
    mock answers now: the least any before-send mock can cost (botocore still serialises, signs, parses)."""
    url = f"https://medical-imaging.{REGION}.amazonaws.com{path}"
    answer = serve(method, url, {}, body)
    client = boto3.client("medical-imaging", region_name=REGION)
    client.meta.events.register_first(
        f"before-send.medical-imaging.{operation}",
        lambda request, **_: AWSResponse(request.url, 200, answer.headers, MockRawResponse(answer.body)),
    )
    return client


def report(title: str, results: Mapping[str, float]) -> None:
    print(title)
    for name, value in results.items():
        print(f"  {name:28s} {value * 1e6:10.1f} us")
