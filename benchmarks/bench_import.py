"""A DICOM import job of 500 single-frame 512x512 16-bit instances from moto's S3, against the floor
measured in the same run: reading the same objects from moto's S3 and parsing them with pydicom.
Goal: import <= 3x the floor. Then GetImageFrame: the first call (encodes HTJ2K) against a cached call.
Run: python benchmarks/bench_import.py [--instances 500] [--rounds 3]
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import statistics
import time

import boto3
import pydicom
from common import REGION, medians, report

from medimaging_mock import mock_medical_imaging
from medimaging_mock.samples import generated_study

ROLE = "arn:aws:iam::123456789012:role/ImportRole"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--instances", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    with mock_medical_imaging():
        s3 = boto3.client("s3", region_name=REGION)
        client = boto3.client("medical-imaging", region_name=REGION)
        s3.create_bucket(Bucket="bench-input")
        s3.create_bucket(Bucket="bench-output")
        for number, dataset in enumerate(generated_study(instances_per_series=args.instances, size=512)):
            buffer = io.BytesIO()
            dataset.save_as(buffer, enforce_file_format=True)
            s3.put_object(Bucket="bench-input", Key=f"study/{number:04d}.dcm", Body=buffer.getvalue())

        def floor() -> None:
            pages = s3.get_paginator("list_objects_v2").paginate(Bucket="bench-input", Prefix="study/")
            for item in (item for page in pages for item in page["Contents"]):
                body = s3.get_object(Bucket="bench-input", Key=item["Key"])["Body"].read()
                pydicom.dcmread(io.BytesIO(body))

        def import_job() -> str:
            datastore_id = client.create_datastore(datastoreName="bench")["datastoreId"]
            client.list_datastores()  # completes the creation
            job = client.start_dicom_import_job(
                datastoreId=datastore_id,
                dataAccessRoleArn=ROLE,
                inputS3Uri="s3://bench-input/study/",
                outputS3Uri="s3://bench-output/",
            )
            status = client.get_dicom_import_job(datastoreId=datastore_id, jobId=job["jobId"])
            assert status["jobProperties"]["jobStatus"] == "COMPLETED", status
            return datastore_id

        floors, imports = [], []
        for _ in range(args.rounds):  # interleaved
            started = time.perf_counter()
            floor()
            floors.append(time.perf_counter() - started)
            started = time.perf_counter()
            datastore_id = import_job()
            imports.append(time.perf_counter() - started)

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

    floor_median, import_median = statistics.median(floors), statistics.median(imports)
    print(f"Import of {args.instances} single-frame 512x512 16-bit instances, median of {args.rounds} runs")
    for name, seconds in (
        ("floor (list + get + pydicom parse)", floor_median),
        ("import job", import_median),
    ):
        print(f"  {name:34s} {seconds:6.2f} s  ({args.instances / seconds:6.0f} instances/s)")
    print(f"  import / floor = {import_median / floor_median:.2f}  (goal <= 3)")
    report(
        "GetImageFrame, 512x512 16-bit, per call",
        {
            "first call (HTJ2K encode), median of 20 frames": statistics.median(first_calls),
            "cached call, median": cached,
        },
    )


if __name__ == "__main__":
    main()
