"""Helpers and constants shared by the test modules: datastores, import-job settings, ClientError fields."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

ROLE = "arn:aws:iam::123456789012:role/ImportRole"
INPUT_BUCKET = "input-bucket"
OUTPUT_BUCKET = "output-bucket"


def error_code(err: pytest.ExceptionInfo[ClientError]) -> str:
    return err.value.response["Error"]["Code"]


def http_status(err: pytest.ExceptionInfo[ClientError]) -> int:
    return err.value.response["ResponseMetadata"]["HTTPStatusCode"]


def error_message(err: pytest.ExceptionInfo[ClientError]) -> str:
    return err.value.response["Error"]["Message"]


def new_datastore(client, name: str = "ds", **kwargs) -> str:
    """Create a datastore and read it once, so it is ACTIVE; its id."""
    datastore_id = client.create_datastore(datastoreName=name, **kwargs)["datastoreId"]
    client.get_datastore(datastoreId=datastore_id)  # CREATING -> ACTIVE
    return datastore_id
