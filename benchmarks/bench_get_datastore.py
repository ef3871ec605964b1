"""GetDatastore through boto3 under the mock, against, in the same run:

* floor   - the same kind of client without the mock's handlers, answered with the mock's bytes by a
            before-send handler (common.canned_client; floor_guard checks the mock never ran);
* moto    - moto's own rest-json service, `appsync.get_graphql_api`;
* stubber - botocore's Stubber, which skips HTTP altogether.

Goals: mock <= 1.10x floor and <= 0.5x moto.
Run: python benchmarks/bench_get_datastore.py [--rounds 15] [--calls 200]
"""

from __future__ import annotations

import argparse

import boto3
from botocore.stub import Stubber
from common import REGION, canned_client, floor_guard, medians, report

from medimaging_mock import mock_medical_imaging


def guarded(call):
    def floor() -> object:
        with floor_guard():
            return call()

    return floor


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()

    with mock_medical_imaging():
        mocked = boto3.client("medical-imaging", region_name=REGION)
        datastore_id = mocked.create_datastore(datastoreName="bench")["datastoreId"]
        properties = mocked.get_datastore(datastoreId=datastore_id)["datastoreProperties"]
        floor = canned_client("GetDatastore", datastoreId=datastore_id)

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
                "floor": guarded(lambda: floor.get_datastore(datastoreId=datastore_id)),
                "moto": lambda: appsync.get_graphql_api(apiId=api_id),
                "stubber": stubbed_call,
            },
            args.rounds,
            args.calls,
        )

    report(f"GetDatastore, median of {args.rounds} rounds x {args.calls} calls, per call", results)
    print(f"  mock / floor   = {results['mock'] / results['floor']:.2f}  (goal <= 1.10)")
    print(f"  mock / moto    = {results['mock'] / results['moto']:.2f}  (goal <= 0.50)")
    print(f"  mock / stubber = {results['mock'] / results['stubber']:.2f}")


if __name__ == "__main__":
    main()
