"""DICOM import jobs of 1 and of 500 single-frame 512x512 16-bit instances from moto's S3, each against its
floor, in one run, rounds interleaved. Then GetImageFrame: the first call (encodes HTJ2K) and a cached call.

* job   - StartDICOMImportJob, then GetDICOMImportJob until COMPLETED, through boto3 under
          transitions="immediate" (the job runs at the second call). Each round imports into a new datastore
          and the previous round's is deleted first, so every round starts from the same state.
* floor - the work no import can skip, done without any of the mock's code: list the input prefix in moto's
          S3 backend and read each object as the job does, pydicom's dcmread, `dataset.pixel_array` (how
          pixels.py decodes Explicit VR Little Endian), zlib.crc32 of the little-endian pixels. The floor's
          rounds count calls of the job (ImportJobs._run) and of the builder (build_instance): zero.
* the 1-file job with the elements the process remembers encoding forgotten first (builder._encoded): each
  round imports the same file, as a test suite imports its fixtures again and again; this row is the cost
  of a file the process has never seen.
* the two client calls alone (the job's work skipped), against the 1-file floor: the share of the 1-file
  job that is botocore and the wire layer; and the 500-file floor keeping every file's pixels until the
  round ends, as an import keeps its frames: what holding 250 MB of new memory costs (page faults).

Goals (issue 10): 1-file job <= 3x its floor, 500-file job <= 1.5x.
`--slowdown-ms 5` makes every job that much slower, to check that the ratios move.
Run: python benchmarks/bench_import.py [--rounds-1 41] [--rounds-500 7] [--slowdown-ms 0]
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import statistics
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import numpy as np
import pydicom
from common import REGION, Row, medians, print_table
from moto.core import DEFAULT_ACCOUNT_ID
from moto.s3.models import s3_backends

from medimaging_mock import mock_medical_imaging
from medimaging_mock.domain import imports
from medimaging_mock.domain.metadata import builder
from medimaging_mock.samples import generated_study

ROLE = "arn:aws:iam::123456789012:role/ImportRole"
INPUT, OUTPUT = "bench-input", "bench-output"
GOALS = {1: 3.0, 500: 1.5}


def floor(prefix: str, kept: list[Any] | None = None) -> None:
    """The floor; with `kept`, it also keeps every file's pixels there, as an import keeps its frames."""
    s3 = s3_backends[DEFAULT_ACCOUNT_ID]["aws"]
    listed = s3.list_objects(s3.get_bucket(INPUT), prefix, delimiter=None, marker=None, max_keys=None)[0]
    for key in listed:
        dataset = pydicom.dcmread(io.BytesIO(s3.get_object(INPUT, key.name).value))
        pixels = dataset.pixel_array
        zlib.crc32(np.ascontiguousarray(pixels, dtype=pixels.dtype.newbyteorder("<")))
        if kept is not None:
            kept.append(pixels)


@contextmanager
def replaced_run(run: Callable[..., None]) -> Iterator[None]:
    original = imports.ImportJobs._run
    imports.ImportJobs._run = run  # type: ignore[method-assign]
    try:
        yield
    finally:
        imports.ImportJobs._run = original  # type: ignore[method-assign]


@contextmanager
def floor_guard() -> Iterator[None]:
    """Fails if the job or the builder runs while it is active: wrap the floor's rounds in it."""
    calls = []
    originals = imports.ImportJobs._run, builder.build_instance, imports.build_instance

    def counted(function: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            calls.append(function)
            return function(*args, **kwargs)

        return call

    imports.ImportJobs._run, builder.build_instance, imports.build_instance = map(counted, originals)
    try:
        yield
    finally:
        imports.ImportJobs._run, builder.build_instance, imports.build_instance = originals
    assert not calls, f"the floor ran the mock's import code {len(calls)} times"


def slowed(seconds: float) -> Callable[..., None]:
    """The job, `seconds` slower: the deliberate slowdown that the ratios must show."""
    run = imports.ImportJobs._run

    def slow_run(self: imports.ImportJobs, *args: Any) -> None:
        time.sleep(seconds)
        run(self, *args)

    return slow_run


def skipped(self: imports.ImportJobs, job: imports.ImportJob, when: Any) -> None:
    """The job's work left out: what remains of a job is its two client calls."""
    job.progress = imports.Progress(imports.COMPLETED, when)


def rows(rounds_1: int = 41, rounds_500: int = 7, slowdown_ms: float = 0) -> list[Row]:
    rounds = {1: rounds_1, 500: rounds_500}
    run = slowed(slowdown_ms / 1000) if slowdown_ms else imports.ImportJobs._run
    with mock_medical_imaging() as mi, replaced_run(run):
        mi.transitions = "immediate"
        s3 = boto3.client("s3", region_name=REGION)
        client = boto3.client("medical-imaging", region_name=REGION)
        s3.create_bucket(Bucket=INPUT)
        s3.create_bucket(Bucket=OUTPUT)
        for size in rounds:
            for number, dataset in enumerate(generated_study(instances_per_series=size, size=512)):
                buffer = io.BytesIO()
                dataset.save_as(buffer, enforce_file_format=True)
                s3.put_object(Bucket=INPUT, Key=f"{size}/{number:04d}.dcm", Body=buffer.getvalue())
        datastores: dict[int | str, str] = {}

        def job(size: int, name: int | str, unseen: bool = False) -> float:
            """`unseen`: as if the process had never encoded the file's elements (builder._encoded)."""
            if name in datastores:  # the previous round's: deleted, so that every round starts alike
                previous = datastores[name]
                for found in client.search_image_sets(datastoreId=previous)["imageSetsMetadataSummaries"]:
                    client.delete_image_set(datastoreId=previous, imageSetId=found["imageSetId"])
                client.delete_datastore(datastoreId=previous)
            datastore_id = datastores[name] = client.create_datastore(datastoreName="bench")["datastoreId"]
            client.list_datastores()  # completes the creation
            if unseen:
                builder._encoded.clear()
            started = time.perf_counter()
            job_id = client.start_dicom_import_job(
                datastoreId=datastore_id,
                dataAccessRoleArn=ROLE,
                inputS3Uri=f"s3://{INPUT}/{size}/",
                outputS3Uri=f"s3://{OUTPUT}/",
            )["jobId"]
            status = client.get_dicom_import_job(datastoreId=datastore_id, jobId=job_id)["jobProperties"]
            seconds = time.perf_counter() - started
            assert status["jobStatus"] == "COMPLETED", status
            return seconds

        def floor_seconds(size: int, kept: list[Any] | None = None) -> float:
            with floor_guard():
                started = time.perf_counter()
                floor(f"{size}/", kept)
                return time.perf_counter() - started

        names = ("1", "1 unseen", "1 floor", "calls", "500", "500 floor", "500 kept")
        samples: dict[str, list[float]] = {name: [] for name in names}
        for number in range(max(rounds.values()) + 1):  # round 0 warms up and is not counted
            measured = {}
            if number <= rounds[1]:
                measured["1"], measured["1 floor"] = job(1, 1), floor_seconds(1)
                measured["1 unseen"] = job(1, "unseen", unseen=True)
                with replaced_run(skipped):
                    measured["calls"] = job(1, "calls")
            if number <= rounds[500]:
                measured["500"], measured["500 floor"] = job(500, 500), floor_seconds(500)
                measured["500 kept"] = floor_seconds(500, [])
            for name, seconds in measured.items():
                if number:
                    samples[name].append(seconds)
        median = {name: statistics.median(values) for name, values in samples.items()}

        datastore_id = datastores[500]
        image_set_id = client.search_image_sets(datastoreId=datastore_id)["imageSetsMetadataSummaries"][0][
            "imageSetId"
        ]
        metadata = client.get_image_set_metadata(datastoreId=datastore_id, imageSetId=image_set_id)
        document = json.loads(gzip.decompress(metadata["imageSetMetadataBlob"].read()))
        frame_ids = [
            instance["ImageFrames"][0]["ID"]
            for series in document["Study"]["Series"].values()
            for instance in series["Instances"].values()
        ]

        def frame(frame_id: str) -> bytes:
            information = {"imageFrameId": frame_id}
            response = client.get_image_frame(
                datastoreId=datastore_id, imageSetId=image_set_id, imageFrameInformation=information
            )
            return response["imageFrameBlob"].read()

        first_calls = []
        for frame_id in frame_ids[:20]:
            started = time.perf_counter()
            frame(frame_id)
            first_calls.append(time.perf_counter() - started)
        cached = medians({"cached": lambda: frame(frame_ids[0])}, 11, 20)["cached"]

    slower = f", every job {slowdown_ms:g} ms slower" if slowdown_ms else ""
    return [
        Row(f"import job, 1 file, vs its floor{slower}", median["1"], median["1 floor"], GOALS[1]),
        Row("  a file whose elements the process never encoded", median["1 unseen"], median["1 floor"]),
        Row("  its two client calls alone (the job's work skipped)", median["calls"], median["1 floor"]),
        Row(f"import job, 500 files, vs its floor{slower}", median["500"], median["500 floor"], GOALS[500]),
        Row("  its floor keeping each file's pixels, as a job must", median["500 kept"], median["500 floor"]),
        Row("GetImageFrame 512x512, first call (HTJ2K encode), median of 20", statistics.median(first_calls)),
        Row("GetImageFrame 512x512, cached call", cached),
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds-1", type=int, default=41)
    parser.add_argument("--rounds-500", type=int, default=7)
    parser.add_argument("--slowdown-ms", type=float, default=0)
    args = parser.parse_args()
    title = (
        f"Import jobs of single-frame 512x512 16-bit instances against their floors, interleaved "
        f"(medians of {args.rounds_1} and {args.rounds_500} rounds)"
    )
    print_table(title, rows(args.rounds_1, args.rounds_500, args.slowdown_ms))


if __name__ == "__main__":
    main()
