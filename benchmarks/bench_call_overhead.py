"""What the mock adds to a boto3 call, operation by operation: each call through boto3 under the mock against
the honest floor (common.canned_client: the same client, the mock's handlers removed, answered with the
mock's own bytes by a before-send handler; floor_guard proves no floor round ran the mock).

Goals (issue 10): GetDatastore <= 1.10x, every other operation <= 1.25x.
Run: python benchmarks/bench_call_overhead.py [--rounds 15] [--calls 100] [--image-sets 10000]
"""

from __future__ import annotations

import argparse
import gzip
import json
from typing import Any

import boto3
from botocore import xform_name
from common import REGION, Row, canned_client, clone_image_sets, mock_and_floor, print_table

from medimaging_mock import MedicalImagingHandle, mock_medical_imaging
from medimaging_mock.samples import generated_study

GET_DATASTORE_GOAL = 1.10
GOAL = 1.25


def frame_id(client, datastore_id: str, image_set_id: str) -> str:
    blob = client.get_image_set_metadata(datastoreId=datastore_id, imageSetId=image_set_id)
    document = json.loads(gzip.decompress(blob["imageSetMetadataBlob"].read()))
    series = next(iter(document["Study"]["Series"].values()))
    return next(iter(series["Instances"].values()))["ImageFrames"][0]["ID"]


def rows(rounds: int = 15, calls: int = 100, image_sets: int = 10_000) -> list[Row]:
    with mock_medical_imaging() as mi:
        return measured(mi, rounds, calls, image_sets)


def measured(mi: MedicalImagingHandle, rounds: int, calls: int, image_sets: int) -> list[Row]:
    client = boto3.client("medical-imaging", region_name=REGION)

    def row(name: str, goal: float, operation: str, stream: str | None = None, **params: Any) -> Row:
        """The same call, with the same parameters, to the mock and to its floor; `stream`: the streaming
        member read to its end, as a client reads it."""
        floor = canned_client(operation, **params)
        method = xform_name(operation)

        def call(on: Any) -> object:
            response = getattr(on, method)(**params)
            return response[stream].read() if stream else response

        return mock_and_floor(name, lambda: call(client), lambda: call(floor), goal, rounds, calls)

    datastore_ids = [client.create_datastore(datastoreName=f"bench-{n}")["datastoreId"] for n in range(10)]
    datastore_id = datastore_ids[0]
    client.list_datastores()  # completes the creations
    table = [
        row("GetDatastore", GET_DATASTORE_GOAL, "GetDatastore", datastoreId=datastore_id),
        row("ListDatastores (10)", GOAL, "ListDatastores"),
    ]

    small = mi.create_image_set(datastore_id, generated_study(instances_per_series=1))
    large = mi.create_image_set(datastore_id, generated_study(instances_per_series=500, size=16))
    for label, image_set_id in (("1 instance", small), ("500 instances", large)):
        ids = {"datastoreId": datastore_id, "imageSetId": image_set_id}
        frame = {"imageFrameId": frame_id(client, datastore_id, image_set_id)}
        client.get_image_frame(**ids, imageFrameInformation=frame)  # encoded once, then cached
        table += [
            row(f"GetImageSet ({label})", GOAL, "GetImageSet", **ids),
            row(f"GetImageSetMetadata ({label})", GOAL, "GetImageSetMetadata", "imageSetMetadataBlob", **ids),
            row(
                f"GetImageFrame, cached ({label})",
                GOAL,
                "GetImageFrame",
                "imageFrameBlob",
                **ids,
                imageFrameInformation=frame,
            ),
            row(f"ListImageSetVersions ({label})", GOAL, "ListImageSetVersions", **ids),
        ]

    ids = {"datastoreId": datastore_id, "imageSetId": small}
    change = {"SchemaVersion": "1.1", "Study": {"DICOM": {"StudyDescription": "changed"}}}
    updates = {"DICOMUpdates": {"updatableAttributes": json.dumps(change)}}
    latest = [int(client.get_image_set(**ids)["versionId"])]

    def update() -> None:  # each call names the version the one before made
        client.update_image_set_metadata(
            **ids, latestVersionId=str(latest[0]), updateImageSetMetadataUpdates=updates
        )
        latest[0] += 1

    floor = canned_client(
        "UpdateImageSetMetadata", **ids, latestVersionId=str(latest[0]), updateImageSetMetadataUpdates=updates
    )
    latest[0] += 1
    floor_latest = [1]

    def floor_update() -> None:  # the same requests: botocore costs more for a value it has not seen
        floor.update_image_set_metadata(
            **ids, latestVersionId=str(floor_latest[0]), updateImageSetMetadataUpdates=updates
        )
        floor_latest[0] += 1

    table.append(
        mock_and_floor(
            "UpdateImageSetMetadata (one attribute)",
            update,
            floor_update,
            GOAL,
            rounds,
            calls,
        )
    )

    searched = client.create_datastore(datastoreName="search")["datastoreId"]
    client.list_datastores()
    clone_image_sets(searched, generated_study(instances_per_series=1, size=16, patient_id="PAT"), image_sets)
    criteria = {"filters": [{"operator": "EQUAL", "values": [{"DICOMPatientId": f"PAT-{image_sets // 2}"}]}]}
    return [
        *table,
        row(
            f"SearchImageSets (EQUAL, one match in {image_sets})",
            GOAL,
            "SearchImageSets",
            datastoreId=searched,
            searchCriteria=criteria,
        ),
        row(
            f"SearchImageSets (a page of 50 of {image_sets})",
            GOAL,
            "SearchImageSets",
            datastoreId=searched,
            maxResults=50,
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--image-sets", type=int, default=10_000)
    args = parser.parse_args()
    table = rows(args.rounds, args.calls, args.image_sets)
    print_table(f"Per call through boto3, median of {args.rounds} rounds x {args.calls} calls", table)


if __name__ == "__main__":
    main()
