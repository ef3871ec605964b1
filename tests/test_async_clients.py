"""aiobotocore and aioboto3 `medical-imaging` clients are served in process like boto3 clients, under
`mock_medical_imaging()` and under plain `moto.mock_aws`: every kind of operation, streaming bodies read with
`await body.read()`, modelled errors raised as the client's own exceptions, async paginators, no network.

Each test drives its coroutine with `asyncio.run`, so no asyncio plugin is needed."""

from __future__ import annotations

import asyncio
import gzip
import importlib
import json
import os
import subprocess
import sys
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import aiobotocore.session
import boto3
import numpy as np
import openjpeg
import pytest
from aws_helpers import INPUT_BUCKET, OUTPUT_BUCKET, ROLE
from dicom_factory import gray_frames, make_dataset, part10_bytes
from moto import mock_aws
from test_no_network import refuse_remote_connections

from medimaging_mock import mock_medical_imaging

REGION = "us-east-1"
UNKNOWN_ID = "0123456789abcdef0123456789abcdef"


@pytest.fixture(params=["aiobotocore", "aioboto3"])
def open_client(request) -> Callable[[], Any]:
    """Opens an async client (`async with open_client() as client:`) of one library. aioboto3 is optional:
    each release pins an aiobotocore whose botocore is older than the model the mock serves, so it is
    installed beside a newer aiobotocore without its dependencies (`pip install --no-deps aioboto3`)."""
    if request.param == "aioboto3":  # CI installs it as the README says; there a missing one fails
        aioboto3 = (
            importlib.import_module("aioboto3") if os.environ.get("CI") else pytest.importorskip("aioboto3")
        )
        return lambda: aioboto3.Session().client("medical-imaging", region_name=REGION)
    return lambda: aiobotocore.session.get_session().create_client("medical-imaging", REGION)


@pytest.fixture(params=["mock_medical_imaging", "mock_aws"])
def activation(request) -> Iterator[None]:
    with mock_medical_imaging() if request.param == "mock_medical_imaging" else mock_aws():
        yield


def run(open_client: Callable[[], Any], scenario: Callable[[Any], Awaitable[Any]]) -> Any:
    """`scenario(client)` on a new event loop, with a client opened inside it."""

    async def main() -> Any:
        async with open_client() as client:
            return await scenario(client)

    return asyncio.run(main())


async def active_datastore(client, name: str = "ds") -> str:
    datastore_id = (await client.create_datastore(datastoreName=name))["datastoreId"]
    await client.get_datastore(datastoreId=datastore_id)  # CREATING -> ACTIVE
    return datastore_id


def put_instance(pixels: np.ndarray) -> None:
    """One instance in the import job's input bucket (through moto's S3, with a boto3 client)."""
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket=INPUT_BUCKET)
    s3.create_bucket(Bucket=OUTPUT_BUCKET)
    dataset = make_dataset(pixels, PatientID="P-ASYNC", StudyDescription="before")
    s3.put_object(Bucket=INPUT_BUCKET, Key="in/1.dcm", Body=part10_bytes(dataset))


async def a_workflow(client) -> dict[str, Any]:
    """Control plane, an import job, search, both blobs, an update, versions, tags and deletes."""
    created = await client.create_datastore(datastoreName="research", tags={"team": "a"})
    datastore_id = created["datastoreId"]
    active = (await client.get_datastore(datastoreId=datastore_id))["datastoreProperties"]
    arn = active["datastoreArn"]
    await client.tag_resource(resourceArn=arn, tags={"stage": "test"})
    await client.untag_resource(resourceArn=arn, tagKeys=["team"])
    tags = (await client.list_tags_for_resource(resourceArn=arn))["tags"]

    job_id = (
        await client.start_dicom_import_job(
            datastoreId=datastore_id,
            dataAccessRoleArn=ROLE,
            inputS3Uri=f"s3://{INPUT_BUCKET}/in/",
            outputS3Uri=f"s3://{OUTPUT_BUCKET}/out/",
        )
    )["jobId"]
    job = (await client.get_dicom_import_job(datastoreId=datastore_id, jobId=job_id))["jobProperties"]
    jobs = (await client.list_dicom_import_jobs(datastoreId=datastore_id))["jobSummaries"]

    found = (await client.search_image_sets(datastoreId=datastore_id))["imageSetsMetadataSummaries"]
    ids = {"datastoreId": datastore_id, "imageSetId": found[0]["imageSetId"]}
    blob = await (await client.get_image_set_metadata(**ids))["imageSetMetadataBlob"].read()
    document = json.loads(gzip.decompress(blob))
    series = next(iter(document["Study"]["Series"].values()))
    frame_id = next(iter(series["Instances"].values()))["ImageFrames"][0]["ID"]
    frame = await client.get_image_frame(**ids, imageFrameInformation={"imageFrameId": frame_id})
    frame_bytes = await frame["imageFrameBlob"].read()

    updates = {"SchemaVersion": 1.1, "Study": {"DICOM": {"StudyDescription": "after"}}}
    updated = await client.update_image_set_metadata(
        **ids,
        latestVersionId="1",
        updateImageSetMetadataUpdates={"DICOMUpdates": {"updatableAttributes": json.dumps(updates)}},
    )
    versions = (await client.list_image_set_versions(**ids))["imageSetPropertiesList"]
    latest = await client.get_image_set(**ids)
    deleted = await client.delete_image_set(**ids)
    return {
        "created": created["datastoreStatus"],
        "active": active["datastoreStatus"],
        "tags": tags,
        "job": job["jobStatus"],
        "jobs": [summary["jobId"] for summary in jobs] == [job_id],
        "patient": document["Patient"]["DICOM"]["PatientID"],
        "frame": (frame["contentType"], openjpeg.decode(frame_bytes)),
        "updated": updated["imageSetWorkflowStatus"],
        "versions": sorted(version["versionId"] for version in versions),
        "latest": (latest["versionId"], latest["imageSetState"]),
        "deleted": deleted["imageSetState"],
    }


def test_a_workflow_through_every_kind_of_operation(open_client, activation):
    pixels = gray_frames(1, 8, 8)
    put_instance(pixels)

    result = run(open_client, a_workflow)

    decoded = result.pop("frame")
    assert decoded[0] == "image/jph"
    assert np.array_equal(decoded[1], pixels)
    assert result == {
        "created": "CREATING",
        "active": "ACTIVE",
        "tags": {"stage": "test"},
        "job": "COMPLETED",
        "jobs": True,
        "patient": "P-ASYNC",
        "updated": "UPDATING",
        "versions": ["1", "2"],
        "latest": ("2", "ACTIVE"),
        "deleted": "LOCKED",
    }


def test_modelled_errors_are_raised_as_the_clients_own_exceptions(open_client, activation):
    async def scenario(client) -> list[tuple[str, str, int]]:
        raised = []
        for call in (
            client.get_datastore(datastoreId=UNKNOWN_ID),
            client.create_datastore(datastoreName="not a valid name!"),
        ):
            with pytest.raises(client.exceptions.ClientError) as err:
                await call
            error = err.value.response["Error"]
            status = err.value.response["ResponseMetadata"]["HTTPStatusCode"]
            raised.append((type(err.value).__name__, error["Code"], status))
        with pytest.raises(client.exceptions.ResourceNotFoundException):
            await client.get_image_set(datastoreId=UNKNOWN_ID, imageSetId=UNKNOWN_ID)
        return raised

    assert run(open_client, scenario) == [
        ("ResourceNotFoundException", "ResourceNotFoundException", 404),
        ("ValidationException", "ValidationException", 400),
    ]


def test_paginators_page_asynchronously_with_the_services_tokens(open_client):
    async def scenario(client) -> tuple[list[int], list[int], set[str]]:
        for name in "abcde":
            await client.create_datastore(datastoreName=name)
        pages = client.get_paginator("list_datastores").paginate(PaginationConfig={"PageSize": 2})
        listed = [len(page["datastoreSummaries"]) async for page in pages]
        search = client.get_paginator("search_image_sets").paginate(
            datastoreId=datastore_id, PaginationConfig={"PageSize": 2}
        )
        found = [page["imageSetsMetadataSummaries"] async for page in search]
        return (
            listed,
            [len(page) for page in found],
            {entry["imageSetId"] for page in found for entry in page},
        )

    with mock_medical_imaging() as mi:
        datastore_id = boto3.client("medical-imaging", REGION).create_datastore(datastoreName="s")[
            "datastoreId"
        ]
        seeded = {mi.create_image_set(datastore_id, [make_dataset(gray_frames(1, 4, 4))]) for _ in range(3)}

        listed, searched, found = run(open_client, scenario)

    assert (listed, searched, found) == ([2, 2, 2], [2, 1], seeded)


def test_a_streaming_body_reads_in_parts_as_an_async_stream(open_client):
    async def scenario(client) -> tuple[bytes, list[bytes], list[bytes]]:
        ids = {"datastoreId": datastore_id, "imageSetId": image_set_id}
        whole = await (await client.get_image_set_metadata(**ids))["imageSetMetadataBlob"].read()
        body = (await client.get_image_set_metadata(**ids))["imageSetMetadataBlob"]
        first, rest = await body.read(10), await body.read()
        stream = (await client.get_image_set_metadata(**ids))["imageSetMetadataBlob"]
        async with stream:  # what `async with` yields differs between aiobotocore versions; the body does not
            chunks = [chunk async for chunk in stream.iter_chunks(64)]
        return whole, [first, rest], chunks

    with mock_medical_imaging() as mi:
        datastore_id = boto3.client("medical-imaging", REGION).create_datastore(datastoreName="s")[
            "datastoreId"
        ]
        image_set_id = mi.create_image_set(datastore_id, [make_dataset(gray_frames(1, 4, 4))])
        expected = boto3.client("medical-imaging", REGION).get_image_set_metadata(
            datastoreId=datastore_id, imageSetId=image_set_id
        )["imageSetMetadataBlob"]

        whole, parts, chunks = run(open_client, scenario)

    assert whole == expected.read()
    assert len(parts[0]) == 10
    assert {len(chunk) for chunk in chunks[:-1]} == {64}
    assert b"".join(parts) == whole == b"".join(chunks)


def test_a_client_opened_before_the_mock_starts_is_served_by_it(open_client):
    async def main() -> list[str]:
        async with open_client() as client:
            with mock_medical_imaging():
                datastore_id = await active_datastore(client)
                summaries = (await client.list_datastores())["datastoreSummaries"]
        return [datastore_id, *(summary["datastoreId"] for summary in summaries)]

    datastore_id, *listed = asyncio.run(main())

    assert listed == [datastore_id]


def test_nothing_reaches_the_network(open_client, activation, monkeypatch):
    attempts: list[str] = []
    refuse_remote_connections(attempts.append, monkeypatch.setattr)
    put_instance(gray_frames(1, 8, 8))

    result = run(open_client, a_workflow)

    assert result["job"] == "COMPLETED"
    assert attempts == []


def test_importing_the_package_leaves_aiobotocore_unloaded():
    script = "import sys, medimaging_mock, medimaging_mock.pytest_plugin; print('aiobotocore' in sys.modules)"
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)

    assert completed.stdout.strip() == "False", completed.stderr
