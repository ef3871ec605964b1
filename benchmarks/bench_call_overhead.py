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
from collections.abc import Callable

import boto3
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

    def row(name: str, goal: float, mock: Callable[[], object], floor: Callable[[], object]) -> Row:
        return mock_and_floor(name, mock, floor, goal, rounds, calls)

    datastore_ids = [client.create_datastore(datastoreName=f"bench-{n}")["datastoreId"] for n in range(10)]
    datastore_id = datastore_ids[0]
    client.list_datastores()  # completes the creations
    table = []

    floor = canned_client("GetDatastore", datastoreId=datastore_id)
    table.append(
        row(
            "GetDatastore",
            GET_DATASTORE_GOAL,
            lambda: client.get_datastore(datastoreId=datastore_id),
            lambda: floor.get_datastore(datastoreId=datastore_id),
        )
    )
    floor = canned_client("ListDatastores")
    table.append(row("ListDatastores (10)", GOAL, client.list_datastores, floor.list_datastores))

    small = mi.create_image_set(datastore_id, generated_study(instances_per_series=1))
    large = mi.create_image_set(datastore_id, generated_study(instances_per_series=500, size=16))
    for label, image_set_id in (("1 instance", small), ("500 instances", large)):
        ids = {"datastoreId": datastore_id, "imageSetId": image_set_id}
        floor = canned_client("GetImageSet", **ids)
        table.append(
            row(
                f"GetImageSet ({label})",
                GOAL,
                lambda ids=ids: client.get_image_set(**ids),
                lambda ids=ids, floor=floor: floor.get_image_set(**ids),
            )
        )
        floor = canned_client("GetImageSetMetadata", **ids)
        table.append(
            row(
                f"GetImageSetMetadata ({label})",
                GOAL,
                lambda ids=ids: client.get_image_set_metadata(**ids)["imageSetMetadataBlob"].read(),
                lambda ids=ids, floor=floor: floor.get_image_set_metadata(**ids)[
                    "imageSetMetadataBlob"
                ].read(),
            )
        )
        frame = {"imageFrameId": frame_id(client, datastore_id, image_set_id)}
        client.get_image_frame(**ids, imageFrameInformation=frame)  # encoded once, then cached
        floor = canned_client("GetImageFrame", **ids, imageFrameInformation=frame)
        table.append(
            row(
                f"GetImageFrame, cached ({label})",
                GOAL,
                lambda ids=ids, frame=frame: client.get_image_frame(**ids, imageFrameInformation=frame)[
                    "imageFrameBlob"
                ].read(),
                lambda ids=ids, frame=frame, floor=floor: floor.get_image_frame(
                    **ids, imageFrameInformation=frame
                )["imageFrameBlob"].read(),
            )
        )
        floor = canned_client("ListImageSetVersions", **ids)
        table.append(
            row(
                f"ListImageSetVersions ({label})",
                GOAL,
                lambda ids=ids: client.list_image_set_versions(**ids),
                lambda ids=ids, floor=floor: floor.list_image_set_versions(**ids),
            )
        )

    ids = {"datastoreId": datastore_id, "imageSetId": small}
    change = {"SchemaVersion": "1.1", "Study": {"DICOM": {"StudyDescription": "changed"}}}
    updates = {"DICOMUpdates": {"updatableAttributes": json.dumps(change)}}
    latest = [int(client.get_image_set(**ids)["versionId"])]

    def update() -> None:
        client.update_image_set_metadata(
            **ids, latestVersionId=str(latest[0]), updateImageSetMetadataUpdates=updates
        )
        latest[0] += 1

    floor = canned_client(
        "UpdateImageSetMetadata", **ids, latestVersionId=str(latest[0]), updateImageSetMetadataUpdates=updates
    )
    latest[0] += 1
    table.append(
        row(
            "UpdateImageSetMetadata (one attribute)",
            GOAL,
            update,
            lambda: floor.update_image_set_metadata(
                **ids, latestVersionId="1", updateImageSetMetadataUpdates=updates
            ),
        )
    )

    searched = client.create_datastore(datastoreName="search")["datastoreId"]
    client.list_datastores()
    clone_image_sets(
        mi.backend(), searched, generated_study(instances_per_series=1, size=16, patient_id="PAT"), image_sets
    )
    criteria = {"filters": [{"operator": "EQUAL", "values": [{"DICOMPatientId": f"PAT-{image_sets // 2}"}]}]}
    floor = canned_client("SearchImageSets", datastoreId=searched, searchCriteria=criteria)
    table.append(
        row(
            f"SearchImageSets (EQUAL, one match in {image_sets})",
            GOAL,
            lambda: client.search_image_sets(datastoreId=searched, searchCriteria=criteria),
            lambda: floor.search_image_sets(datastoreId=searched, searchCriteria=criteria),
        )
    )
    floor = canned_client("SearchImageSets", datastoreId=searched, maxResults=50)
    table.append(
        row(
            f"SearchImageSets (a page of 50 of {image_sets})",
            GOAL,
            lambda: client.search_image_sets(datastoreId=searched, maxResults=50),
            lambda: floor.search_image_sets(datastoreId=searched, maxResults=50),
        )
    )
    return table


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
