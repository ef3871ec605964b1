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
from common import REGION, clone_image_sets

from medimaging_mock import mock_medical_imaging
from medimaging_mock.samples import generated_study


def median_seconds(call, rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def seeded_datastore(mi, client, count: int, template) -> tuple[str, int]:
    datastore_id = client.create_datastore(datastoreName=f"search-{count}")["datastoreId"]
    client.list_datastores()  # completes the creation
    gc.collect()
    before = tracemalloc.get_traced_memory()[0]
    clone_image_sets(mi.backend(), datastore_id, template, count)
    gc.collect()
    return datastore_id, tracemalloc.get_traced_memory()[0] - before


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--image-sets", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=21)
    args = parser.parse_args()
    template = generated_study(instances_per_series=1, size=16, patient_id="PAT")

    with mock_medical_imaging() as mi:
        client = boto3.client("medical-imaging", region_name=REGION)
        tracemalloc.start()
        started = time.perf_counter()
        large, large_bytes = seeded_datastore(mi, client, args.image_sets, template)
        seeding = time.perf_counter() - started
        tracemalloc.stop()
        small, _ = seeded_datastore(mi, client, 100, template)

        def by_patient(datastore_id: str, patient_id: str):
            criteria = {"filters": [{"operator": "EQUAL", "values": [{"DICOMPatientId": patient_id}]}]}
            found = client.search_image_sets(datastoreId=datastore_id, searchCriteria=criteria)
            assert len(found["imageSetsMetadataSummaries"]) == 1
            return found

        equal_large = median_seconds(lambda: by_patient(large, f"PAT-{args.image_sets // 2}"), args.rounds)
        equal_small = median_seconds(lambda: by_patient(small, "PAT-50"), args.rounds)

        criteria = {"sort": {"sortField": "updatedAt", "sortOrder": "DESC"}}
        tokens, pages, started = [None], 0, time.perf_counter()
        while True:
            extra = {"nextToken": tokens[-1]} if tokens[-1] else {}
            page = client.search_image_sets(
                datastoreId=large, searchCriteria=criteria, maxResults=50, **extra
            )
            pages += 1
            if "nextToken" not in page:
                break
            tokens.append(page["nextToken"])
        walk = time.perf_counter() - started

        def page_at(token):
            extra = {"nextToken": token} if token else {}
            return client.search_image_sets(
                datastoreId=large, searchCriteria=criteria, maxResults=50, **extra
            )

        first = median_seconds(lambda: page_at(None), args.rounds)
        last = median_seconds(lambda: page_at(tokens[-1]), args.rounds)

    print(f"SearchImageSets, medians of {args.rounds} calls")
    print(f"  EQUAL DICOMPatientId, {args.image_sets} image sets: {equal_large * 1e3:7.2f} ms")
    print(f"  EQUAL DICOMPatientId, 100 image sets:    {equal_small * 1e3:7.2f} ms")
    print(f"  ratio large / small = {equal_large / equal_small:.2f}  (goal <= 2)")
    print(f"  full pagination: {pages} pages of 50 in {walk:.1f} s ({walk / pages * 1e3:.2f} ms per page)")
    print(f"  first page {first * 1e3:.2f} ms, last page {last * 1e3:.2f} ms")
    print(f"  ratio last / first = {last / first:.2f}  (goal <= 1.5)")
    print(
        f"  memory per image set: {large_bytes / args.image_sets / 1024:.1f} KiB (seeded in {seeding:.1f} s)"
    )


if __name__ == "__main__":
    main()
