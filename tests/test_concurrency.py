"""Thread safety: the optimistic latestVersionId check and every registry hold under concurrent calls."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from medimaging_mock.samples import generated_study

NO_RETRIES = Config(retries={"total_max_attempts": 1})


def test_concurrent_updates_from_one_version_let_exactly_one_through(medical_imaging, medical_imaging_client):
    datastore_id = medical_imaging_client.create_datastore(datastoreName="race")["datastoreId"]
    image_set_id = medical_imaging.create_image_set(datastore_id, generated_study(), is_primary=False)
    clients = [boto3.client("medical-imaging", region_name="us-east-1", config=NO_RETRIES) for _ in range(8)]

    def update(number: int) -> str:
        change = {"SchemaVersion": "1.1", "Study": {"DICOM": {"StudyDescription": f"writer {number}"}}}
        try:
            clients[number].update_image_set_metadata(
                datastoreId=datastore_id,
                imageSetId=image_set_id,
                latestVersionId="1",
                updateImageSetMetadataUpdates={"DICOMUpdates": {"updatableAttributes": json.dumps(change)}},
            )
        except ClientError as error:
            return error.response["Error"]["Code"]
        return "OK"

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(update, range(8)))

    assert outcomes.count("OK") == 1
    assert set(outcomes) - {"OK"} <= {"ConflictException", "ResourceNotFoundException"}
    versions = medical_imaging_client.list_image_set_versions(
        datastoreId=datastore_id, imageSetId=image_set_id
    )
    assert [v["versionId"] for v in versions["imageSetPropertiesList"]] == ["2", "1"]


def test_concurrent_creations_are_all_kept(medical_imaging, medical_imaging_client):
    datastore_id = medical_imaging_client.create_datastore(datastoreName="crowd")["datastoreId"]
    medical_imaging_client.list_datastores()  # completes the creation

    def seed(_: int) -> str:
        return medical_imaging.create_image_set(datastore_id, generated_study(), is_primary=False)

    with ThreadPoolExecutor(max_workers=8) as pool:
        created = set(pool.map(seed, range(32)))

    pages = medical_imaging_client.get_paginator("search_image_sets").paginate(datastoreId=datastore_id)
    found = [item["imageSetId"] for page in pages for item in page["imageSetsMetadataSummaries"]]
    assert len(created) == 32
    assert sorted(found) == sorted(created)
