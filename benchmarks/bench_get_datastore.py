"""GetDatastore through boto3 under the mock, against, in the same run:

* floor  - the same kind of client with a before-send handler that returns a canned response: the least
           any before-send mock can cost (botocore still serialises, signs and parses);
* moto   - moto's own rest-json service, `appsync.get_graphql_api`;
* stubber - botocore's Stubber, which skips HTTP altogether.

Prints the median cost per call and the ratios. Goals: mock <= 1.25x floor and <= 0.5x moto.
Run: python benchmarks/bench_get_datastore.py [--rounds 15] [--calls 200]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import boto3
from botocore.awsrequest import AWSResponse
from botocore.stub import Stubber
from moto.core.botocore_stubber import MockRawResponse

from medimaging_mock import mock_medical_imaging

REGION = "us-east-1"


def per_call(function: Callable[[], object], calls: int) -> float:
    started = time.perf_counter()
    for _ in range(calls):
        function()
    return (time.perf_counter() - started) / calls


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()

    with mock_medical_imaging():
        mocked = boto3.client("medical-imaging", region_name=REGION)
        datastore_id = mocked.create_datastore(datastoreName="bench")["datastoreId"]
        canned = mocked.get_datastore(datastoreId=datastore_id)

        # The floor: identical client, answered by a before-send handler with the mock's own bytes.
        from medimaging_mock.interception.dispatch import serve

        body = serve(
            "GET", f"https://medical-imaging.{REGION}.amazonaws.com/datastore/{datastore_id}", {}, b""
        ).body
        headers = {"Content-Type": "application/json"}
        floor = boto3.client("medical-imaging", region_name=REGION)
        floor.meta.events.register_first(
            "before-send.medical-imaging.GetDatastore",
            lambda request, **_: AWSResponse(request.url, 200, headers, MockRawResponse(body)),
        )

        appsync = boto3.client("appsync", region_name=REGION)
        api_id = appsync.create_graphql_api(name="bench", authenticationType="API_KEY")["graphqlApi"]["apiId"]

        stubbed = boto3.client("medical-imaging", region_name=REGION)
        stubber = Stubber(stubbed)
        stubber.activate()
        stub_response = {"datastoreProperties": canned["datastoreProperties"]}

        def stubbed_call() -> None:
            stubber.add_response("get_datastore", stub_response, {"datastoreId": datastore_id})
            stubbed.get_datastore(datastoreId=datastore_id)

        contenders: dict[str, Callable[[], object]] = {
            "mock": lambda: mocked.get_datastore(datastoreId=datastore_id),
            "floor": lambda: floor.get_datastore(datastoreId=datastore_id),
            "moto": lambda: appsync.get_graphql_api(apiId=api_id),
            "stubber": stubbed_call,
        }
        samples: dict[str, list[float]] = {name: [] for name in contenders}
        for function in contenders.values():  # warm-up
            per_call(function, 20)
        for _ in range(args.rounds):  # interleaved, so drift on a shared machine hits all alike
            for name, function in contenders.items():
                samples[name].append(per_call(function, args.calls))

    medians = {name: statistics.median(values) for name, values in samples.items()}
    print(f"GetDatastore, median of {args.rounds} rounds x {args.calls} calls (microseconds per call)")
    for name, value in medians.items():
        print(f"  {name:8s} {value * 1e6:8.1f} us")
    print(f"  mock / floor   = {medians['mock'] / medians['floor']:.2f}  (goal <= 1.25)")
    print(f"  mock / moto    = {medians['mock'] / medians['moto']:.2f}  (goal <= 0.50)")
    print(f"  mock / stubber = {medians['mock'] / medians['stubber']:.2f}")


if __name__ == "__main__":
    main()
