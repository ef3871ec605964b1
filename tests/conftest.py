"""Shared by every test module: a fake AWS environment, so nothing real is ever used, plus the common
datastore and S3 bucket fixtures."""

from __future__ import annotations

import os

import boto3
import pytest
from aws_helpers import INPUT_BUCKET, OUTPUT_BUCKET, new_datastore
from hypothesis import settings

# Under CI the property tests replay one fixed set of examples, so whether a change lands never depends on
# which random examples came up; local runs keep exploring new ones.
settings.register_profile("ci", derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") else "default")


@pytest.fixture(autouse=True)
def aws_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """moto's documented pattern: a default region and fake credentials; no account or endpoint overrides."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SECURITY_TOKEN", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    for variable in (
        "MOTO_ACCOUNT_ID",
        "AWS_PROFILE",
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_MEDICAL_IMAGING",
    ):
        monkeypatch.delenv(variable, raising=False)


@pytest.fixture
def datastore_id(medical_imaging_client) -> str:
    """An ACTIVE datastore named "ds"."""
    return new_datastore(medical_imaging_client)


@pytest.fixture
def s3(medical_imaging_client):
    """An S3 client with the import job's input and output buckets created."""
    client = boto3.client("s3", region_name="us-east-1")
    client.create_bucket(Bucket=INPUT_BUCKET)
    client.create_bucket(Bucket=OUTPUT_BUCKET)
    return client
