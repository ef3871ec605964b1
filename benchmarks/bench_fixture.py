"""What the `medical_imaging_client` fixture costs per test: a fresh client made the fixture's way
(activation.clients.new_client) against `boto3.client("medical-imaging")`, which after moto's reset of boto3's
default session builds a whole new session. Each sample starts the mock (as every test does), times the
client's creation alone, and stops it; rounds alternate between the two.

Goal (issue 10): the fixture's client <= 10 ms.
Run: python benchmarks/bench_fixture.py [--rounds 51]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import boto3
from common import REGION, Row, print_table

from medimaging_mock import mock_medical_imaging
from medimaging_mock.activation.clients import new_client

GOAL = 0.010


def creation_seconds(create: Callable[[], object]) -> float:
    with mock_medical_imaging():
        started = time.perf_counter()
        create()
        return time.perf_counter() - started


def measure(rounds: int) -> dict[str, float]:
    """Median seconds per client of each way, interleaved."""
    ways = {
        "fixture (new_client)": lambda: new_client("medical-imaging", REGION),
        "boto3.client after reset": lambda: boto3.client("medical-imaging", region_name=REGION),
    }
    for create in ways.values():  # warm-up: imports, the fixture's one-time loader and handler template
        creation_seconds(create)
    samples: dict[str, list[float]] = {name: [] for name in ways}
    for _ in range(rounds):
        for name, create in ways.items():
            samples[name].append(creation_seconds(create))
    return {name: statistics.median(values) for name, values in samples.items()}


def rows(rounds: int = 51) -> list[Row]:
    results = measure(rounds)
    fixture, plain = results["fixture (new_client)"], results["boto3.client after reset"]
    return [
        Row("medical_imaging_client: a fresh client, vs the goal of 10 ms", fixture, GOAL, 1.0),
        Row("  vs boto3.client after moto's reset (the fixture before)", fixture, plain),
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=51)
    args = parser.parse_args()
    print_table(f"A medical-imaging client per test, median of {args.rounds} rounds", rows(args.rounds))


if __name__ == "__main__":
    main()
