"""Instructions and cache misses that the mock adds to one boto3 call, counted by valgrind's cachegrind:
counts that do not move with the load of a shared machine, where the timed benchmarks' ratios move by
several hundredths from run to run. For choosing between two versions of the code; the goals are the
timed benchmarks'. Needs valgrind (about four minutes an operation).

Each count is the difference between a run of `--calls` calls and a run of none, so setting up costs
nothing; the floor is bench_call_overhead's (common.canned_client), its calls under common.floor_guard.
Hash seed fixed and OpenBLAS on one thread, so that two runs of the same code count the same.

Run: python benchmarks/instructions.py [GetDatastore|UpdateImageSetMetadata|SearchImageSets] [--calls 200]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from pathlib import Path
from typing import Any

EVENTS = ("Ir", "I1mr", "D1mr", "D1mw")  # instructions; first-level instruction and data misses
CACHES = ("--I1=32768,8,64", "--D1=49152,12,64", "--LL=2097152,16,64")
SEARCH = {"filters": [{"operator": "EQUAL", "values": [{"DICOMPatientId": "PAT-7"}]}]}


def calls(operation: str, client_kind: str, count: int) -> None:
    """The child: `count` calls of `operation` after the set-up, through the mock or its floor."""
    import boto3
    from botocore import xform_name
    from common import REGION, canned_client, clone_image_sets, floor_guard

    from medimaging_mock import mock_medical_imaging
    from medimaging_mock.samples import generated_study

    with mock_medical_imaging() as mi:
        client = boto3.client("medical-imaging", region_name=REGION)
        datastore_id = client.create_datastore(datastoreName="counted")["datastoreId"]
        client.list_datastores()  # completes the creation
        params: dict[str, Any] = {"datastoreId": datastore_id}
        if operation == "SearchImageSets":
            study = generated_study(instances_per_series=1, size=16, patient_id="PAT")
            clone_image_sets(datastore_id, study, 200)
            params["searchCriteria"] = SEARCH
        if operation == "UpdateImageSetMetadata":
            change = {"SchemaVersion": "1.1", "Study": {"DICOM": {"StudyDescription": "changed"}}}
            params["imageSetId"] = mi.create_image_set(datastore_id, generated_study(instances_per_series=1))
            params["latestVersionId"] = "1"
            params["updateImageSetMetadataUpdates"] = {
                "DICOMUpdates": {"updatableAttributes": json.dumps(change)}
            }
        on = client if client_kind == "mock" else canned_client(operation, **params)
        method = getattr(on, xform_name(operation))
        first_version = 1 if client_kind == "mock" else 2  # the floor's set-up made version 2 already
        with floor_guard() if client_kind == "floor" else nullcontext():  # the floor runs none of the mock
            for number in range(count + 10):  # ten calls warm up in both runs
                if operation == "UpdateImageSetMetadata":
                    params["latestVersionId"] = str(first_version + number)
                method(**params)


def counted(operation: str, client_kind: str, count: int, folder: Path) -> dict[str, int]:
    out = folder / f"{client_kind}.{count}"
    environment = {**os.environ, "PYTHONHASHSEED": "0", "OPENBLAS_NUM_THREADS": "1"}
    command = ["valgrind", "--tool=cachegrind", "--cache-sim=yes", *CACHES, f"--cachegrind-out-file={out}"]
    command += [sys.executable, __file__, operation, "--child", client_kind, "--calls", str(count)]
    subprocess.run(command, env=environment, check=True, capture_output=True)
    lines = out.read_text().splitlines()
    names = next(line for line in lines if line.startswith("events:")).split()[1:]
    totals = next(line for line in lines if line.startswith("summary:")).split()[1:]
    return {name: int(value) for name, value in zip(names, totals, strict=True)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("operation", nargs="?", default="GetDatastore")
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--child", choices=["mock", "floor"])
    args = parser.parse_args()
    if args.child:
        calls(args.operation, args.child, args.calls)
        return
    with tempfile.TemporaryDirectory() as folder, ThreadPoolExecutor(2) as pool:
        runs = [(kind, count) for kind in ("mock", "floor") for count in (0, args.calls)]
        results = pool.map(lambda run: counted(args.operation, *run, Path(folder)), runs)
        totals = dict(zip(runs, results, strict=True))
    print(f"{args.operation}, per call through boto3 (cachegrind, {args.calls} calls)")
    print(f"  {'':6s} " + " ".join(f"{event:>10s}" for event in EVENTS))
    per_call = {
        kind: {
            event: (totals[kind, args.calls][event] - totals[kind, 0][event]) / args.calls for event in EVENTS
        }
        for kind in ("mock", "floor")
    }
    for kind, counts in per_call.items():
        print(f"  {kind:6s} " + " ".join(f"{counts[event]:10.0f}" for event in EVENTS))
    added = {event: per_call["mock"][event] - per_call["floor"][event] for event in EVENTS}
    print(f"  {'added':6s} " + " ".join(f"{added[event]:10.0f}" for event in EVENTS))
    print(f"  instructions, mock / floor: {per_call['mock']['Ir'] / per_call['floor']['Ir']:.3f}")


if __name__ == "__main__":
    main()
