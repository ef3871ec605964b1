"""GetDatastore through boto3 under the mock, against, in the same run (the floor is in
bench_call_overhead.py):

* moto    - moto's own rest-json service, `appsync.get_graphql_api`;
* stubber - botocore's Stubber, which skips HTTP altogether.

Goal: mock <= 0.5x moto.
Run: python benchmarks/bench_get_datastore.py [--rounds 15] [--calls 200]
"""

from __future__ import annotations

import argparse

import boto3
from botocore.stub import Stubber
from common import REGION, Row, medians, print_table

from medimaging_mock import mock_medical_imaging


def rows(rounds: int = 15, calls: int = 200) -> list[Row]:
    with mock_medical_imaging():
        mocked = boto3.client("medical-imaging", region_name=REGION)
        datastore_id = mocked.create_datastore(datastoreName="bench")["datastoreId"]
        properties = mocked.get_datastore(datastoreId=datastore_id)["datastoreProperties"]

        appsync = boto3.client("appsync", region_name=REGION)
        api_id = appsync.create_graphql_api(name="bench", authenticationType="API_KEY")["graphqlApi"]["apiId"]

        stubbed = boto3.client("medical-imaging", region_name=REGION)
        stubber = Stubber(stubbed)
        stubber.activate()

        def stubbed_call() -> None:
            stubber.add_response(
                "get_datastore", {"datastoreProperties": properties}, {"datastoreId": datastore_id}
            )
            stubbed.get_datastore(datastoreId=datastore_id)

        results = medians(
            {
                "mock": lambda: mocked.get_datastore(datastoreId=datastore_id),
                "moto": lambda: appsync.get_graphql_api(apiId=api_id),
                "stubber": stubbed_call,
            },
            rounds,
            calls,
        )
    return [
        Row("GetDatastore, against moto's own AppSync GetGraphqlApi", results["mock"], results["moto"], 0.5),
        Row("GetDatastore, against botocore's Stubber", results["mock"], results["stubber"]),
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    print_table(f"Median of {args.rounds} rounds x {args.calls} calls", rows(args.rounds, args.calls))


if __name__ == "__main__":
    main()
