"""Memory that metadata updates add, thanks to versions sharing their unchanged parts.

Seeds image sets of 20 instances each through the benchmarks' fast path (common.clone_image_sets), then
makes 10 one-attribute updates on each through boto3 (an instance-level attribute: the deepest path a
change can take), and measures with tracemalloc what the updates added against the footprint of the
seeded image sets. Goal: <= 10%. Two templates: the attributes of a real CT instance (pydicom's
CT_small.dcm, 235 elements), and a minimal generated instance (15 elements), the least favourable case.
Run: python benchmarks/bench_update_memory.py [--image-sets 2000] [--instances 20] [--updates 10]
"""

from __future__ import annotations

import argparse
import gc
import json
import time
import tracemalloc

import boto3
from common import REGION, Row, clone_image_sets, print_table
from pydicom import dcmread
from pydicom.data import get_testdata_file

from medimaging_mock import mock_medical_imaging
from medimaging_mock.samples import generated_study


def traced() -> int:
    gc.collect()
    return tracemalloc.get_traced_memory()[0]


def ct_template(instances: int) -> list:
    datasets = []
    for number in range(instances):
        ds = dcmread(get_testdata_file("CT_small.dcm"))
        ds.SOPInstanceUID = f"{ds.SOPInstanceUID}.{number}"
        datasets.append(ds)
    return datasets


def measure(label: str, template: list, image_sets: int, updates: int, goal: float | None) -> list[Row]:
    with mock_medical_imaging():
        client = boto3.client("medical-imaging", region_name=REGION)
        datastore_id = client.create_datastore(datastoreName="memory")["datastoreId"]
        client.list_datastores()  # completes the creation

        tracemalloc.start()
        empty = traced()
        seeded = clone_image_sets(datastore_id, template, image_sets)
        base = traced() - empty

        started = time.perf_counter()
        for round_number in range(updates):
            for image_set_id, series_uid, sops in seeded:
                sop = sops[round_number % len(sops)]
                instance = {sop: {"DICOM": {"ImageComments": f"round {round_number}"}}}
                change = {"SchemaVersion": "1.1", "Study": {"Series": {series_uid: {"Instances": instance}}}}
                client.update_image_set_metadata(
                    datastoreId=datastore_id,
                    imageSetId=image_set_id,
                    latestVersionId=str(round_number + 1),
                    updateImageSetMetadataUpdates={
                        "DICOMUpdates": {"updatableAttributes": json.dumps(change)}
                    },
                )
        elapsed = time.perf_counter() - started
        client.list_datastores()  # completes the last updates
        added = traced() - empty - base
        tracemalloc.stop()

    count = image_sets * updates
    return [
        Row(f"memory: image set of {len(template)} instances ({label})", base / image_sets, unit="B"),
        Row(f"memory: one-attribute update ({label})", added / count, unit="B"),
        Row(f"memory: all updates against the seeded image sets ({label})", added, base, goal, "B"),
        Row(f"time: one update with tracemalloc on ({label})", elapsed / count),
    ]


def rows(image_sets: int = 2000, instances: int = 20, updates: int = 10) -> list[Row]:
    return [
        *measure("CT_small.dcm's attributes", ct_template(instances), image_sets, updates, 0.10),
        # the least favourable case: a minimal instance is small, so any update is large beside it
        *measure(
            "a minimal instance", generated_study(instances_per_series=instances), image_sets, updates, None
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--image-sets", type=int, default=2000)
    parser.add_argument("--instances", type=int, default=20)
    parser.add_argument("--updates", type=int, default=10)
    args = parser.parse_args()
    title = f"{args.image_sets} image sets x {args.instances} instances, then {args.updates} updates each"
    print_table(title, rows(args.image_sets, args.instances, args.updates))


if __name__ == "__main__":
    main()
