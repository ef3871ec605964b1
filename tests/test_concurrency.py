"""Thread safety: the optimistic latestVersionId check, reads racing writes, and every registry.

Each race test makes the interpreter switch threads about every microsecond (`switching_often`), repeats its
race many times, and starts the racers together at a barrier, so a missing lock shows within seconds.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import pytest
from aws_helpers import new_datastore
from botocore.config import Config
from botocore.exceptions import ClientError
from dicom_factory import make_dataset

from medimaging_mock import ServiceError
from medimaging_mock.samples import generated_study

NO_RETRIES = Config(retries={"total_max_attempts": 1})
ROUNDS = 20


@pytest.fixture
def switching_often() -> Iterator[None]:
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(before)


def new_client():
    return boto3.client("medical-imaging", region_name="us-east-1", config=NO_RETRIES)


def together(*racers: Callable[[], Any]) -> list[Any]:
    """Run the racers at once, each in its own thread; their results (or the exception each raised)."""
    barrier = threading.Barrier(len(racers))

    def run(racer: Callable[[], Any]) -> Any:
        barrier.wait()
        try:
            return racer()
        except Exception as error:  # returned, so the test can say which racer failed how
            return error

    with ThreadPoolExecutor(max_workers=len(racers)) as pool:
        return list(pool.map(run, racers))


def outcome(call: Callable[[], Any]) -> str:
    try:
        call()
    except ClientError as error:
        return error.response["Error"]["Code"]
    return "OK"


def study_change(text: str) -> dict[str, Any]:
    change = {"SchemaVersion": "1.1", "Study": {"DICOM": {"StudyDescription": text}}}
    return {"DICOMUpdates": {"updatableAttributes": json.dumps(change)}}


def test_concurrent_updates_from_one_version_let_exactly_one_through(
    medical_imaging, medical_imaging_client, switching_often
):
    datastore_id = new_datastore(medical_imaging_client, "race")
    image_set_id = medical_imaging.create_image_set(datastore_id, [make_dataset()], is_primary=False)
    clients = [new_client() for _ in range(6)]
    for round_number in range(ROUNDS):
        latest = str(round_number + 1)

        def update(client, writer: int, latest: str = latest) -> str:
            return outcome(
                lambda: client.update_image_set_metadata(
                    datastoreId=datastore_id,
                    imageSetId=image_set_id,
                    latestVersionId=latest,
                    updateImageSetMetadataUpdates=study_change(f"round {latest} writer {writer}"),
                )
            )

        outcomes = together(*(lambda c=c, n=n: update(c, n) for n, c in enumerate(clients)))

        assert outcomes.count("OK") == 1, outcomes
        assert set(outcomes) - {"OK"} <= {"ConflictException", "ResourceNotFoundException"}
    listed = medical_imaging_client.list_image_set_versions(datastoreId=datastore_id, imageSetId=image_set_id)
    numbers = [v["versionId"] for v in listed["imageSetPropertiesList"]]
    assert numbers == [str(n) for n in range(ROUNDS + 1, 0, -1)]


def test_concurrent_copies_into_one_destination_version_let_exactly_one_through(
    medical_imaging, medical_imaging_client, switching_often
):
    datastore_id = new_datastore(medical_imaging_client, "copies")
    destination = medical_imaging.create_image_set(
        datastore_id, [make_dataset(study_uid="1.2.3", series_uid="1.2.3.4")], is_primary=False
    )
    clients = [new_client() for _ in range(6)]
    for round_number in range(ROUNDS):
        sources = [
            medical_imaging.create_image_set(
                datastore_id, [make_dataset(study_uid="1.2.3", series_uid="1.2.3.4")], is_primary=False
            )
            for _ in clients
        ]
        information = {
            "sourceImageSet": {"latestVersionId": "1"},
            "destinationImageSet": {"imageSetId": destination, "latestVersionId": str(round_number + 1)},
        }

        def copy(client, source: str, information=information) -> str:
            return outcome(
                lambda: client.copy_image_set(
                    datastoreId=datastore_id,
                    sourceImageSetId=source,
                    copyImageSetInformation=information,
                    force=True,
                )
            )

        outcomes = together(*(lambda c=c, s=s: copy(c, s) for c, s in zip(clients, sources, strict=True)))

        assert outcomes.count("OK") == 1, outcomes
    listed = medical_imaging_client.list_image_set_versions(datastoreId=datastore_id, imageSetId=destination)
    numbers = [v["versionId"] for v in listed["imageSetPropertiesList"]]
    assert numbers == [str(n) for n in range(ROUNDS + 1, 0, -1)]


def slowly(datasets: list[Any]) -> Iterator[Any]:
    """A seeding source that takes a while: the time another request has to slip in."""
    for dataset in datasets:
        time.sleep(0.005)
        yield dataset


def test_a_datastore_is_never_deleted_with_an_image_set_created_in_it_meanwhile(
    medical_imaging, medical_imaging_client, switching_often
):
    client = new_client()
    for round_number in range(ROUNDS):
        datastore_id = new_datastore(medical_imaging_client, f"crowd-{round_number}")
        seeded, deleted = together(
            lambda datastore_id=datastore_id: medical_imaging.create_image_set(
                datastore_id, slowly([make_dataset()])
            ),
            lambda datastore_id=datastore_id: outcome(
                lambda: client.delete_datastore(datastoreId=datastore_id)
            ),
        )

        if deleted == "OK":  # then the seeding came second and was refused
            assert isinstance(seeded, ServiceError), seeded
            assert seeded.code in ("ConflictException", "ResourceNotFoundException")
        else:  # the image set came first and keeps the datastore
            assert deleted == "ConflictException", deleted
            assert isinstance(seeded, str), seeded


def test_tags_listed_while_others_are_added_are_a_whole_state(
    medical_imaging, medical_imaging_client, switching_often
):
    datastore_id = new_datastore(medical_imaging_client, "tags")
    arn = medical_imaging_client.get_datastore(datastoreId=datastore_id)["datastoreProperties"][
        "datastoreArn"
    ]
    writer, reader = new_client(), new_client()

    def write() -> None:
        for number in range(600):
            writer.tag_resource(resourceArn=arn, tags={f"key-{number}": "v"})
            if number >= 45:
                writer.untag_resource(resourceArn=arn, tagKeys=[f"key-{number - 45}"])

    def read() -> list[dict[str, str]]:
        return [reader.list_tags_for_resource(resourceArn=arn)["tags"] for _ in range(1200)]

    written, seen = together(write, read)

    assert written is None, written
    assert not isinstance(seen, Exception), seen
    for tags in seen[1:]:  # each listing is some moment between writes: a run of consecutive keys
        numbers = sorted(int(key.removeprefix("key-")) for key in tags) or [0]
        assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))


def test_reads_racing_updates_see_each_version_in_one_consistent_status(
    medical_imaging, medical_imaging_client, switching_often
):
    datastore_id = new_datastore(medical_imaging_client, "reads")
    image_set_id = medical_imaging.create_image_set(datastore_id, generated_study(), is_primary=False)
    writer, reader = new_client(), new_client()
    allowed = {("LOCKED", "UPDATING"), ("ACTIVE", "UPDATED"), ("ACTIVE", "CREATED")}

    def write() -> None:
        for version in range(1, 31):
            writer.update_image_set_metadata(
                datastoreId=datastore_id,
                imageSetId=image_set_id,
                latestVersionId=str(version),
                updateImageSetMetadataUpdates=study_change(f"v{version + 1}"),
            )
            writer.get_datastore(datastoreId=datastore_id)  # settles the update

    def read() -> list[tuple[str, str]]:
        seen = []
        for _ in range(60):
            got = reader.get_image_set(datastoreId=datastore_id, imageSetId=image_set_id)
            seen.append((got["imageSetState"], got["imageSetWorkflowStatus"]))
            listed = reader.list_image_set_versions(datastoreId=datastore_id, imageSetId=image_set_id)
            items = listed["imageSetPropertiesList"]
            seen += [(item["imageSetState"], item["ImageSetWorkflowStatus"]) for item in items]
            assert [int(item["versionId"]) for item in items] == list(range(len(items), 0, -1))
            found = reader.search_image_sets(datastoreId=datastore_id)["imageSetsMetadataSummaries"]
            assert [item["imageSetId"] for item in found] == [image_set_id]
        return seen

    written, seen = together(write, read)

    assert written is None, written
    assert not isinstance(seen, Exception), seen
    assert set(seen) <= allowed


def test_concurrent_creations_are_all_kept(medical_imaging, medical_imaging_client):
    datastore_id = new_datastore(medical_imaging_client, "many")

    def seed(_: int) -> str:
        return medical_imaging.create_image_set(datastore_id, generated_study(), is_primary=False)

    with ThreadPoolExecutor(max_workers=8) as pool:
        created = set(pool.map(seed, range(32)))

    pages = medical_imaging_client.get_paginator("search_image_sets").paginate(datastoreId=datastore_id)
    found = [item["imageSetId"] for page in pages for item in page["imageSetsMetadataSummaries"]]
    assert len(created) == 32
    assert sorted(found) == sorted(created)


def test_no_race_answers_a_server_error(medical_imaging, medical_imaging_client, switching_often):
    """Every racer above answers modelled errors only; this one mixes every kind of write with reads."""
    datastore_id = new_datastore(medical_imaging_client, "mixed")
    image_set_id = medical_imaging.create_image_set(datastore_id, [make_dataset()], is_primary=False)
    clients = [new_client() for _ in range(4)]

    def churn(client) -> list[str]:
        codes = []
        for number in range(15):
            latest = client.get_image_set(datastoreId=datastore_id, imageSetId=image_set_id)["versionId"]
            codes.append(
                outcome(
                    lambda latest=latest, number=number: client.update_image_set_metadata(
                        datastoreId=datastore_id,
                        imageSetId=image_set_id,
                        latestVersionId=latest,
                        updateImageSetMetadataUpdates=study_change(f"n{number}"),
                    )
                )
            )
            codes.append(outcome(lambda: client.search_image_sets(datastoreId=datastore_id)))
            codes.append(outcome(lambda: client.list_datastores()))
        return codes

    results = together(*(lambda c=c: churn(c) for c in clients))

    codes = {code for result in results for code in result}
    assert codes <= {"OK", "ConflictException", "ResourceNotFoundException"}, results
