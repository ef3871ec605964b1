"""Server mode: moto's server in this process, with medical-imaging registered, reached over HTTP."""

from __future__ import annotations

import boto3
import pytest
import requests
from botocore.config import Config
from moto.server import ThreadedMotoServer

import medimaging_mock  # noqa: F401  (registers the service, as `python -m medimaging_mock serve` does)


@pytest.fixture(scope="module")
def server_url():
    server = ThreadedMotoServer(port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def client(server_url, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    requests.post(f"{server_url}/moto-api/reset", timeout=10)
    return boto3.client(
        "medical-imaging",
        region_name="us-east-1",
        endpoint_url=server_url,
        config=Config(inject_host_prefix=False, retries={"total_max_attempts": 1}),
    )


def test_datastores_are_served_over_http(client):
    datastore_id = client.create_datastore(datastoreName="served")["datastoreId"]
    properties = client.get_datastore(datastoreId=datastore_id)["datastoreProperties"]
    assert properties["datastoreName"] == "served"
    assert properties["datastoreStatus"] == "ACTIVE"
    assert [s["datastoreId"] for s in client.list_datastores()["datastoreSummaries"]] == [datastore_id]


def test_tag_arn_with_slashes_is_routed_over_http(client):
    datastore_id = client.create_datastore(datastoreName="tagged")["datastoreId"]
    arn = client.get_datastore(datastoreId=datastore_id)["datastoreProperties"]["datastoreArn"]
    client.tag_resource(resourceArn=arn, tags={"team": "imaging"})
    assert client.list_tags_for_resource(resourceArn=arn)["tags"] == {"team": "imaging"}


def test_errors_keep_their_modelled_status_over_http(client):
    with pytest.raises(client.exceptions.ResourceNotFoundException) as error:
        client.get_datastore(datastoreId="0" * 32)
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_moto_api_reset_clears_the_service(client, server_url):
    client.create_datastore(datastoreName="doomed")
    requests.post(f"{server_url}/moto-api/reset", timeout=10)
    assert client.list_datastores()["datastoreSummaries"] == []
