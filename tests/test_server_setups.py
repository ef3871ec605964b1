"""The server setups moto users have: the `medimaging-mock` console script (the drop-in for `moto_server`),
moto's `ThreadedMotoServer`, moto's TEST_SERVER_MODE; the data plane against a local server (the `runtime-`
host prefix); seeding a running server's state with `medimaging_mock.server.create_image_set`."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import sysconfig
from importlib.metadata import version
from pathlib import Path

import boto3
import openjpeg
import pytest
import requests
from aws_helpers import free_port, metadata, new_datastore, server_process
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest, AWSResponse
from botocore.config import Config
from botocore.credentials import Credentials
from dicom_factory import gray_frames, make_dataset, part10_bytes, write_part10
from moto.core.botocore_stubber import MockRawResponse
from moto.server import ThreadedMotoServer
from pydicom.uid import generate_uid

from medimaging_mock import ServiceError, mock_medical_imaging
from medimaging_mock.server import create_image_set

TESTS = Path(__file__).resolve().parent
SCRIPT = str(Path(sysconfig.get_path("scripts")) / "medimaging-mock")
PYTHON_M = [sys.executable, "-m", "medimaging_mock"]
FRAME = {"imageFrameId": "0" * 32}
NO_RETRIES = Config(retries={"total_max_attempts": 1})


def run(*argv: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, timeout=60, env={**os.environ, **env})


# The console script


def test_version_is_the_installed_package_version():
    done = run(SCRIPT, "--version")

    assert (done.returncode, done.stdout) == (0, f"medimaging-mock {version('medimaging_mock')}\n")


@pytest.mark.parametrize("value", ["99999", "65536", "-1", "5000x", ""])
@pytest.mark.parametrize("command", [[SCRIPT], PYTHON_M], ids=["console-script", "python-m"])
def test_a_port_outside_0_to_65535_is_a_usage_error(command, value):
    done = run(*command, "serve", "-p", value)

    assert done.returncode == 2
    assert f"argument -p/--port: {value!r} is not a port: a whole number from 0 to 65535" in done.stderr


def test_an_unusable_moto_port_is_a_usage_error_too():
    done = run(SCRIPT, "serve", MOTO_PORT="99999")

    assert done.returncode == 2
    assert "argument -p/--port: '99999' is not a port" in done.stderr


@pytest.fixture(scope="module")
def served():
    """`medimaging-mock serve -H 127.0.0.1 -p <port>`: moto_server's flags, moto_server's server."""
    port = free_port()
    with server_process([SCRIPT, "serve", "-H", "127.0.0.1", "-p", str(port)], port) as url:
        yield url


@pytest.fixture
def served_url(served):
    requests.post(f"{served}/moto-api/reset", timeout=10)
    return served


def test_serve_is_a_drop_in_for_moto_server_with_this_service_added(served_url):
    s3 = boto3.client("s3", "us-east-1", endpoint_url=served_url)
    client = boto3.client("medical-imaging", "us-east-1", endpoint_url=served_url)

    s3.create_bucket(Bucket="moto-as-ever")
    datastore_id = new_datastore(client, "served")

    assert [bucket["Name"] for bucket in s3.list_buckets()["Buckets"]] == ["moto-as-ever"]
    assert [s["datastoreId"] for s in client.list_datastores()["datastoreSummaries"]] == [datastore_id]


def test_serve_binds_moto_port_when_no_port_is_given(monkeypatch):
    port = free_port()
    monkeypatch.setenv("MOTO_PORT", str(port))
    with server_process([SCRIPT, "serve"], port) as url:
        client = boto3.client("medical-imaging", "us-east-1", endpoint_url=url, config=NO_RETRIES)
        assert client.list_datastores()["datastoreSummaries"] == []


# The data plane against a local server: no client configuration needed


@pytest.fixture(scope="module")
def threaded():
    """moto's ThreadedMotoServer in this process; `import medimaging_mock` is all it takes."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    yield server.get_host_and_port()[1]
    server.stop()


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_get_image_frame_reaches_a_threaded_moto_server_with_a_default_client(threaded, host):
    url = f"http://{host}:{threaded}"
    requests.post(f"{url}/moto-api/reset", timeout=10)
    client = boto3.client("medical-imaging", "us-east-1", endpoint_url=url, config=NO_RETRIES)
    datastore_id = new_datastore(client)
    pixels = gray_frames(1, 16, 24)
    image_set_id = create_image_set(url, datastore_id, [make_dataset(pixels)])

    body = client.get_image_frame(
        datastoreId=datastore_id,
        imageSetId=image_set_id,
        imageFrameInformation={"imageFrameId": only_frame_id(metadata(client, datastore_id, image_set_id))},
    )["imageFrameBlob"].read()

    assert openjpeg.decode(io.BytesIO(body)).tobytes() == pixels.tobytes()


def only_frame_id(document: dict) -> str:
    (series,) = document["Study"]["Series"].values()
    ((frame,),) = [instance["ImageFrames"] for instance in series["Instances"].values()]
    return frame["ID"]


def sent_url(client, operation: str, **params) -> str:
    """The URL the client sends `operation` to; a canned answer stands in for the server."""
    urls: list[str] = []

    def capture(request, **_):
        urls.append(request.url)
        return AWSResponse(request.url, 200, {}, MockRawResponse(b"{}"))

    client.meta.events.register("before-send", capture)
    getattr(client, operation)(**params)
    return urls[-1]


FRAME_PATH = f"/datastore/{'0' * 32}/imageSet/{'0' * 32}/getImageFrame"


@pytest.mark.parametrize(
    ("endpoint", "expected"),
    [
        ("http://127.0.0.1:5000", "http://127.0.0.1:5000"),
        ("http://localhost:5000", "http://localhost:5000"),
        ("http://[::1]:5000", "http://[::1]:5000"),
        ("http://LocalHost:5000", "http://LocalHost:5000"),
        ("http://localhost.:5000", "http://localhost.:5000"),
        ("http://moto:5000", "http://runtime-moto:5000"),
        ("http://localhost.example.com:5000", "http://runtime-localhost.example.com:5000"),
        ("http://1a.example.com:5000", "http://runtime-1a.example.com:5000"),
        (None, "https://runtime-medical-imaging.us-east-1.amazonaws.com"),
    ],
    ids=[
        "ipv4",
        "localhost",
        "ipv6",
        "upper-case",
        "trailing-dot",
        "a-host-name",
        "localhost-lookalike",
        "digit-first-name",
        "aws",
    ],
)
def test_the_runtime_host_prefix_applies_to_every_host_but_localhost_and_ip_literals(endpoint, expected):
    client = boto3.client("medical-imaging", "us-east-1", endpoint_url=endpoint)

    url = sent_url(
        client, "get_image_frame", datastoreId="0" * 32, imageSetId="0" * 32, imageFrameInformation=FRAME
    )

    assert url == expected + FRAME_PATH


def test_inject_host_prefix_false_still_sends_to_the_endpoint_as_given():
    client = boto3.client(
        "medical-imaging",
        "us-east-1",
        endpoint_url="http://moto:5000",
        config=Config(inject_host_prefix=False),
    )

    url = sent_url(
        client, "get_image_frame", datastoreId="0" * 32, imageSetId="0" * 32, imageFrameInformation=FRAME
    )

    assert url == "http://moto:5000" + FRAME_PATH


def test_other_services_keep_their_host_prefix_on_local_hosts():
    client = boto3.client("servicediscovery", "us-east-1", endpoint_url="http://127.0.0.1:5000")

    url = sent_url(client, "discover_instances", NamespaceName="ns", ServiceName="svc")

    assert url == "http://data-127.0.0.1:5000/"


# moto's TEST_SERVER_MODE, in a pytest run of its own (moto reads the setting when it is imported)

SERVER_MODE_TESTS = """
import io

import boto3
import openjpeg
from aws_helpers import metadata, new_datastore
from dicom_factory import gray_frames, make_dataset
from moto import mock_aws, settings

from medimaging_mock import mock_medical_imaging
from medimaging_mock.server import create_image_set


def test_moto_runs_in_server_mode():
    assert settings.TEST_SERVER_MODE


def test_the_mock_resets_the_server_at_start_and_serves_both_planes_from_it():
    endpoint = settings.test_server_mode_endpoint()
    boto3.client("medical-imaging", "us-east-1", endpoint_url=endpoint).create_datastore(datastoreName="old")

    with mock_medical_imaging():
        client = boto3.client("medical-imaging", region_name="us-east-1")  # moto points it at the server
        assert client.list_datastores()["datastoreSummaries"] == []
        datastore_id = new_datastore(client)
        pixels = gray_frames(1, 8, 8)
        image_set_id = create_image_set(endpoint, datastore_id, [make_dataset(pixels)])
        (series,) = metadata(client, datastore_id, image_set_id)["Study"]["Series"].values()
        ((frame,),) = [instance["ImageFrames"] for instance in series["Instances"].values()]
        body = client.get_image_frame(
            datastoreId=datastore_id,
            imageSetId=image_set_id,
            imageFrameInformation={"imageFrameId": frame["ID"]},
        )["imageFrameBlob"].read()

    assert openjpeg.decode(io.BytesIO(body)).tobytes() == pixels.tobytes()


@mock_aws
def test_plain_mock_aws_reaches_the_server_too():
    client = boto3.client("medical-imaging", region_name="us-east-1")
    assert client.list_datastores()["datastoreSummaries"] == []
"""


def test_test_server_mode_resets_and_serves_a_running_server(tmp_path, served_url):
    (tmp_path / "test_in_server_mode.py").write_text(SERVER_MODE_TESTS)
    port = served_url.rpartition(":")[2]

    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_in_server_mode.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={
            **os.environ,
            "PYTHONPATH": str(TESTS),
            "TEST_SERVER_MODE": "true",
            "TEST_SERVER_MODE_ENDPOINT": f"http://localhost:{port}",
        },
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 passed" in done.stdout
    client = boto3.client("medical-imaging", "us-east-1", endpoint_url=served_url)
    assert client.list_datastores()["datastoreSummaries"] == []  # and reset again when the mock stopped


# Seeding a running server


def without_ids(document: dict) -> dict:
    """The document with the ids the service draws at random (datastore, image set, frames) left out."""
    text = json.dumps(document)
    for name in ("DatastoreID", "ImageSetID"):
        text = text.replace(document[name], name)
    document = json.loads(text)
    for series in document["Study"]["Series"].values():
        for instance in series["Instances"].values():
            for frame in instance.get("ImageFrames", []):
                frame.pop("ID")
    return document


def test_seeding_a_served_datastore_builds_what_mi_create_image_set_builds(served_url, tmp_path):
    """One image set of two series, from a Dataset, Part 10 bytes and a path. A Dataset travels as the file
    pydicom writes for it, so its IS and DS values here have even lengths: a file pads the others."""
    study = generate_uid()
    first = make_dataset(gray_frames(10, 8, 8), study_uid=study, PatientID="p-1", SeriesNumber=10)
    second = make_dataset(gray_frames(1, 8, 8), study_uid=study, PatientID="p-1", SeriesNumber=2)
    third = make_dataset(gray_frames(1, 8, 8), study_uid=study, PatientID="p-1", SeriesNumber=2)
    third.SeriesInstanceUID = second.SeriesInstanceUID
    datasets = [first, part10_bytes(second), write_part10(third, tmp_path / "third.dcm")]
    with mock_medical_imaging() as mi:
        local = boto3.client("medical-imaging", "us-east-1")
        local_datastore = new_datastore(local)
        expected = metadata(local, local_datastore, mi.create_image_set(local_datastore, datasets))
    client = boto3.client("medical-imaging", "us-east-1", endpoint_url=served_url)
    datastore_id = new_datastore(client)

    image_set_id = create_image_set(served_url, datastore_id, datasets)

    summaries = client.search_image_sets(datastoreId=datastore_id)["imageSetsMetadataSummaries"]
    assert [summary["imageSetId"] for summary in summaries] == [image_set_id]
    assert len(expected["Study"]["Series"]) == 2
    assert without_ids(metadata(client, datastore_id, image_set_id)) == without_ids(expected)


def test_a_seeded_image_set_is_primary_unless_told_otherwise(served_url):
    client = boto3.client("medical-imaging", "us-east-1", endpoint_url=served_url)
    datastore_id = new_datastore(client)

    primary = create_image_set(served_url, datastore_id, [make_dataset()])
    secondary = create_image_set(served_url, datastore_id, [make_dataset()], is_primary=False)

    assert client.get_image_set(datastoreId=datastore_id, imageSetId=primary)["isPrimary"] is True
    assert client.get_image_set(datastoreId=datastore_id, imageSetId=secondary)["isPrimary"] is False


def test_seeding_goes_to_the_region_and_account_named(served_url):
    datastore_id = new_datastore(in_account(served_url, "eu-west-1", "111122223333"))

    image_set_id = create_image_set(
        served_url, datastore_id, [make_dataset()], region="eu-west-1", account_id="111122223333"
    )

    client = in_account(served_url, "eu-west-1", "111122223333")
    assert (
        client.get_image_set(datastoreId=datastore_id, imageSetId=image_set_id)["imageSetState"] == "ACTIVE"
    )
    with pytest.raises(ServiceError) as refused:
        create_image_set(served_url, datastore_id, [make_dataset()], region="eu-west-1")
    assert refused.value.code == "ResourceNotFoundException"  # the default account has no such datastore


def in_account(url: str, region: str, account_id: str):
    """A client of `account_id` on a moto server: moto's x-moto-account-id header."""
    client = boto3.client("medical-imaging", region, endpoint_url=url)
    client.meta.events.register(
        "before-sign.medical-imaging",
        lambda request, **_: request.headers.add_header("x-moto-account-id", account_id),
    )
    return client


def test_seeding_refuses_what_mi_create_image_set_refuses(served_url, tmp_path):
    client = boto3.client("medical-imaging", "us-east-1", endpoint_url=served_url)
    datastore_id = new_datastore(client)
    missing = tmp_path / "missing.dcm"

    with pytest.raises(ServiceError) as unknown:
        create_image_set(served_url, "0" * 32, [make_dataset()])
    with pytest.raises(ValueError, match=r"^bytes #1: not a DICOM Part 10 file"):
        create_image_set(served_url, datastore_id, [make_dataset(), b"not dicom"])
    with pytest.raises(ValueError, match=f"^{re.escape(str(missing))}: the file cannot be read"):
        create_image_set(served_url, datastore_id, [missing])
    with pytest.raises(ValueError, match="they belong to 2 studies"):
        create_image_set(served_url, datastore_id, [make_dataset(), make_dataset()])

    assert (unknown.value.code, unknown.value.message) == (
        "ResourceNotFoundException",
        f"Datastore {'0' * 32} does not exist",
    )
    assert client.search_image_sets(datastoreId=datastore_id)["imageSetsMetadataSummaries"] == []


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"[]",
        b'{"datastoreId": 1, "isPrimary": true, "instances": []}',
        b'{"instances": ["!"]}',
        b"[" * 100_000,
    ],
    ids=["empty", "a-list", "wrong-type", "not-base64", "deep"],
)
def test_a_malformed_seeding_request_is_refused_not_failed(served_url, body):
    request = AWSRequest(method="POST", url=f"{served_url}/medimaging-mock/create-image-set", data=body)
    SigV4Auth(Credentials("testing", "testing"), "medical-imaging", "us-east-1").add_auth(request)
    prepared = request.prepare()

    response = requests.post(prepared.url, headers=dict(prepared.headers), data=prepared.body, timeout=10)

    assert response.status_code == 400
    assert response.json()["code"] == "ValueError"


def test_seeding_a_server_without_this_service_says_so():
    """Plain `moto_server` cannot import medimaging_mock: it does not serve the service at all."""
    port = free_port()
    with (
        server_process(
            [str(Path(sysconfig.get_path("scripts")) / "moto_server"), "-p", str(port)], port
        ) as url,
        pytest.raises(RuntimeError, match="is not a server with medimaging_mock imported"),
    ):
        create_image_set(url, "0" * 32, [make_dataset()])
