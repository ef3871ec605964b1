"""Helpers and constants shared by the test modules: datastores, import-job settings, image set reads and
ClientError fields."""

from __future__ import annotations

import contextlib
import gzip
import json
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from botocore.exceptions import ClientError

ROLE = "arn:aws:iam::123456789012:role/ImportRole"
INPUT_BUCKET = "input-bucket"
OUTPUT_BUCKET = "output-bucket"
STALE = "Requested version(s) of ImageSet(s) is not the latest."
NOT_CONSISTENT_YET = "Requested ImageSet metadata is not consistent yet. Please retry after a few seconds."


def error_code(err: pytest.ExceptionInfo[ClientError]) -> str:
    return err.value.response["Error"]["Code"]


def http_status(err: pytest.ExceptionInfo[ClientError]) -> int:
    return err.value.response["ResponseMetadata"]["HTTPStatusCode"]


def error_message(err: pytest.ExceptionInfo[ClientError]) -> str:
    return err.value.response["Error"]["Message"]


def refusal(call: Callable[..., Any], *args, **kwargs) -> tuple[str, str]:
    """The error code and message of a call that must fail."""
    with pytest.raises(ClientError) as err:
        call(*args, **kwargs)
    return error_code(err), error_message(err)


def new_datastore(client, name: str = "ds", **kwargs) -> str:
    """Create a datastore and read it once, so it is ACTIVE; its id."""
    datastore_id = client.create_datastore(datastoreName=name, **kwargs)["datastoreId"]
    client.get_datastore(datastoreId=datastore_id)  # CREATING -> ACTIVE
    return datastore_id


def metadata(client, datastore_id: str, image_set_id: str, version: str | None = None) -> dict:
    """The metadata document as GetImageSetMetadata returns it (gzip-compressed JSON), of the latest version
    unless one is named."""
    extra = {} if version is None else {"versionId": version}
    response = client.get_image_set_metadata(datastoreId=datastore_id, imageSetId=image_set_id, **extra)
    return json.loads(gzip.decompress(response["imageSetMetadataBlob"].read()))


def image_set(client, datastore_id: str, image_set_id: str, version: str | None = None) -> dict:
    extra = {} if version is None else {"versionId": version}
    return client.get_image_set(datastoreId=datastore_id, imageSetId=image_set_id, **extra)


def status(client, datastore_id: str, image_set_id: str, version: str | None = None) -> tuple[str, str, str]:
    """(versionId, imageSetState, imageSetWorkflowStatus)."""
    properties = image_set(client, datastore_id, image_set_id, version)
    return properties["versionId"], properties["imageSetState"], properties["imageSetWorkflowStatus"]


def versions(client, datastore_id: str, image_set_id: str) -> list[dict]:
    return client.list_image_set_versions(datastoreId=datastore_id, imageSetId=image_set_id)[
        "imageSetPropertiesList"
    ]


def layout(document: dict) -> dict[str, list[str]]:
    """Series UID -> its SOP instance UIDs."""
    return {uid: list(s["Instances"]) for uid, s in document["Study"]["Series"].items()}


def wire_json(client, method: str, **kwargs) -> Any:
    """The JSON body of one response exactly as the mock sent it. botocore's parser drops null values and
    every member the operation's output shape lacks, so what a parsed response lacks proves nothing about
    what was sent; this body does."""
    bodies: list[bytes] = []

    def keep(response_dict: dict, **_: Any) -> None:
        bodies.append(response_dict["body"])

    event = "before-parse.medical-imaging"
    client.meta.events.register(event, keep)
    try:
        getattr(client, method)(**kwargs)
    finally:
        client.meta.events.unregister(event, keep)
    return json.loads(bodies[-1])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def server_process(argv: list[str], port: int, stderr: Any = subprocess.DEVNULL) -> Iterator[str]:
    """A server started as its own process, once it answers on `port`: its URL; stopped afterwards."""
    server = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=stderr)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                requests.get(f"{url}/moto-api/", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.05)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)
