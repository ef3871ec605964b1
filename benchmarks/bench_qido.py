"""QIDO-RS at scale, over HTTP as clients call it (a SigV4-signed requests session, served in process):
each search in a datastore of 20,000 studies against the same search in one of 100 (goal: <= 2x), the
rounds interleaved.

* SearchDICOMStudies, PatientID exact match: the index goes straight to the study that holds it.
* SearchDICOMStudies, the newest 50 (limit=50): a walk of the last-update order that stops at the page.
* SearchDICOMAllSeries, the first 50 (limit=50): the same over the SeriesNumber order.
* SearchDICOMAllInstances, SOPInstanceUID exact match.
And, without a goal: the first search after seeding (the index catches up with every new image set) and the
index's memory per study.

Studies are seeded through the benchmarks' fast path (common.clone_image_sets: one real build of a
one-instance study, cloned with new UIDs and a PatientID of its own), then made primary, since QIDO sees
primary image sets only.
Run: python benchmarks/bench_qido.py [--studies 20000] [--rounds 15] [--calls 20]
"""

from __future__ import annotations

import argparse
import gc
import time
import tracemalloc
from collections.abc import Callable

import boto3
from common import DICOMWEB, REGION, Row, clone_image_sets, medians, print_table, signed_session

from medimaging_mock import mock_medical_imaging
from medimaging_mock.samples import generated_study

SMALL = 100
GOAL = 2.0


def seeded_datastore(client, count: int) -> tuple[str, list[tuple[str, str, list[str]]]]:
    """A datastore of `count` primary one-instance studies; their (image set, series UID, SOP UIDs)."""
    datastore_id = client.create_datastore(datastoreName=f"qido-{count}")["datastoreId"]
    client.list_datastores()  # completes the creation
    template = generated_study(instances_per_series=1, size=16, patient_id="PAT")
    return datastore_id, clone_image_sets(datastore_id, template, count, is_primary=True)


def rows(studies: int = 20_000, rounds: int = 15, calls: int = 20) -> list[Row]:
    with mock_medical_imaging():
        client = boto3.client("medical-imaging", region_name=REGION)
        session = signed_session()

        def searching(
            datastore_id: str, path: str, params: dict[str, str], expected: int
        ) -> Callable[[], None]:
            url = f"{DICOMWEB}/datastore/{datastore_id}{path}"

            def search() -> None:
                response = session.get(url, params=params, headers={"Accept": "application/dicom+json"})
                assert response.status_code == 200, response.text
                assert len(response.json()) == expected

            return search

        large, large_created = seeded_datastore(client, studies)
        small, small_created = seeded_datastore(client, SMALL)
        gc.collect()
        tracemalloc.start()
        started = time.perf_counter()
        searching(large, "/studies", {"limit": "1"}, 1)()  # the index catches up with every study
        catch_up = time.perf_counter() - started
        index_bytes = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        searching(small, "/studies", {"limit": "1"}, 1)()

        def pair(path: str, large_params: dict[str, str], small_params: dict[str, str], expected: int) -> Row:
            found = medians(
                {
                    "large": searching(large, path, large_params, expected),
                    "small": searching(small, path, small_params, expected),
                },
                rounds,
                calls,
            )
            return Row(
                f"{path}?{'&'.join(large_params)}: {studies} studies, against {SMALL}",
                found["large"],
                found["small"],
                GOAL,
            )

        middle, last = large_created[studies // 2], small_created[SMALL // 2]
        table = [
            pair("/studies", {"PatientID": f"PAT-{studies // 2}"}, {"PatientID": f"PAT-{SMALL // 2}"}, 1),
            pair("/studies", {"limit": "50"}, {"limit": "50"}, 50),
            pair("/series", {"limit": "50"}, {"limit": "50"}, 50),
            pair("/instances", {"SOPInstanceUID": middle[2][0]}, {"SOPInstanceUID": last[2][0]}, 1),
        ]
    return [
        *table,
        Row(f"first search after seeding {studies} studies (index catch-up)", catch_up),
        Row("memory: QIDO index per study (views, orders, lookups)", index_bytes / studies, unit="B"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--studies", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--calls", type=int, default=20)
    args = parser.parse_args()
    table = rows(args.studies, args.rounds, args.calls)
    print_table(f"QIDO-RS over HTTP, median of {args.rounds} rounds x {args.calls} calls", table)


if __name__ == "__main__":
    main()
