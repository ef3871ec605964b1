"""SearchImageSets at scale, through boto3 under the mock.

* An EQUAL DICOMPatientId search in a datastore of 100,000 image sets against the same search in one of
  100 (goal: <= 2x): the hash index makes its cost independent of the datastore's size.
* Full pagination, maxResults 50, sorted by updatedAt DESC: the last page against the first (goal: <= 1.5x):
  a cursor resumes by bisection in the ordered index, so page N costs what page 1 costs.
* Memory per image set (tracemalloc over the seeding, indexes included).

Image sets are seeded through the benchmarks' fast path (common.clone_image_sets): one real build of a
one-instance study, cloned with new UIDs and a PatientID of its own.
Run: python benchmarks/bench_search.py [--image-sets 100000] [--rounds 21]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
import tracemalloc

import boto3
from common import REGION, Row, clone_image_sets, print_table

from medimaging_mock import mock_medical_imaging
from medimaging_mock.samples import generated_study


def median_seconds(call, rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def seeded_datastore(client, count: int, template) -> tuple[str, int]:
    datastore_id = client.create_datastore(datastoreName=f"search-{count}")["datastoreId"]
    client.list_datastores()  # completes the creation
    gc.collect()
    before = tracemalloc.get_traced_memory()[0]
    clone_image_sets(datastore_id, template, count)
    gc.collect()
    return datastore_id, tracemalloc.get_traced_memory()[0] - before


def rows(image_sets: int = 100_000, rounds: int = 21) -> list[Row]:
    template = generated_study(instances_per_series=1, size=16, patient_id="PAT")

    with mock_medical_imaging():
        client = boto3.client("medical-imaging", region_name=REGION)
        tracemalloc.start()
        large, large_bytes = seeded_datastore(client, image_sets, template)
        tracemalloc.stop()
        small, _ = seeded_datastore(client, 100, template)

        def by_patient(datastore_id: str, patient_id: str):
            criteria = {"filters": [{"operator": "EQUAL", "values": [{"DICOMPatientId": patient_id}]}]}
            found = client.search_image_sets(datastoreId=datastore_id, searchCriteria=criteria)
            assert len(found["imageSetsMetadataSummaries"]) == 1
            return found

        equal_large = median_seconds(lambda: by_patient(large, f"PAT-{image_sets // 2}"), rounds)
        equal_small = median_seconds(lambda: by_patient(small, "PAT-50"), rounds)

        criteria = {"sort": {"sortField": "updatedAt", "sortOrder": "DESC"}}
        tokens = [None]
        while True:
            extra = {"nextToken": tokens[-1]} if tokens[-1] else {}
            page = client.search_image_sets(
                datastoreId=large, searchCriteria=criteria, maxResults=50, **extra
            )
            if "nextToken" not in page:
                break
            tokens.append(page["nextToken"])

        def page_at(token):
            extra = {"nextToken": token} if token else {}
            return client.search_image_sets(
                datastoreId=large, searchCriteria=criteria, maxResults=50, **extra
            )

        first = median_seconds(lambda: page_at(None), rounds)
        last = median_seconds(lambda: page_at(tokens[-1]), rounds)

    return [
        Row(
            f"search: EQUAL PatientID in {image_sets} image sets, against in 100",
            equal_large,
            equal_small,
            2.0,
        ),
        Row(f"search: last page of 50 of {image_sets}, against the first", last, first, 1.5),
        Row(
            "memory: image set in the search benchmark (indexes included)", large_bytes / image_sets, unit="B"
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--image-sets", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=21)
    args = parser.parse_args()
    print_table(f"SearchImageSets, medians of {args.rounds} calls", rows(args.image_sets, args.rounds))


if __name__ == "__main__":
    main()
