"""Server mode: moto's server in this process, with medical-imaging registered, reached over HTTP."""

from __future__ import annotations

import io
import json
import sys
from urllib.parse import quote

import boto3
import openjpeg
import pytest
import requests
from aws_helpers import INPUT_BUCKET, OUTPUT_BUCKET, ROLE, free_port, metadata, new_datastore, server_process
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from dicom_factory import gray_frames, make_dataset, part10_bytes
from moto.server import ThreadedMotoServer

from medimaging_mock import mock_medical_imaging  # registers the service, as `python -m ... serve` does

IN_PROCESS = "https://medical-imaging.us-east-1.amazonaws.com"
DATASTORE_ID = "0123456789abcdef0123456789abcdef"
DATASTORE_ARN = f"arn:aws:medical-imaging:us-east-1:123456789012:datastore/{DATASTORE_ID}"
CONTROL_CHARACTERS = {"LF": "\n", "CR": "\r", "TAB": "\t", "NUL": "\x00", "DEL": "\x7f", "ESC": "\x1b"}


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


@pytest.fixture
def served_with_jph_frames(monkeypatch):
    """`python -m medimaging_mock serve --frame-container jph` in its own process, on a free port."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "medimaging_mock",
        "serve",
        "--port",
        str(port),
        "--frame-container",
        "jph",
    ]
    with server_process(command, port) as url:
        yield url


def test_the_serve_command_imports_from_its_own_s3_and_can_return_jph_frames(served_with_jph_frames):
    config = Config(inject_host_prefix=False, retries={"total_max_attempts": 1})
    client = boto3.client("medical-imaging", "us-east-1", endpoint_url=served_with_jph_frames, config=config)
    s3 = boto3.client("s3", "us-east-1", endpoint_url=served_with_jph_frames)
    s3.create_bucket(Bucket=INPUT_BUCKET)
    s3.create_bucket(Bucket=OUTPUT_BUCKET)
    pixels = gray_frames(1, 16, 24)
    s3.put_object(Bucket=INPUT_BUCKET, Key="in/1.dcm", Body=part10_bytes(make_dataset(pixels)))
    datastore_id = new_datastore(client, "served")
    client.start_dicom_import_job(
        datastoreId=datastore_id,
        dataAccessRoleArn=ROLE,
        inputS3Uri=f"s3://{INPUT_BUCKET}/in/",
        outputS3Uri=f"s3://{OUTPUT_BUCKET}/out/",
    )
    (summary,) = client.search_image_sets(datastoreId=datastore_id)["imageSetsMetadataSummaries"]
    document = metadata(client, datastore_id, summary["imageSetId"])
    (series,) = document["Study"]["Series"].values()
    ((frame,),) = [instance["ImageFrames"] for instance in series["Instances"].values()]

    body = client.get_image_frame(
        datastoreId=datastore_id,
        imageSetId=summary["imageSetId"],
        imageFrameInformation={"imageFrameId": frame["ID"]},
    )["imageFrameBlob"].read()

    assert body[:12] == b"\0\0\0\x0cjP  \r\n\x87\n"
    assert openjpeg.decode(io.BytesIO(body), 2).tobytes() == pixels.tobytes()


def answer(base: str, method: str, path: str) -> tuple[int, str | None, str | None]:
    """Status, x-amzn-ErrorType and message of a signed request, as any SDK would send it."""
    request = AWSRequest(method=method, url=base + path, data=b"{}" if method == "POST" else b"")
    SigV4Auth(Credentials("testing", "testing"), "medical-imaging", "us-east-1").add_auth(request)
    prepared = request.prepare()
    response = requests.request(
        method, prepared.url, headers=dict(prepared.headers), data=prepared.body, timeout=10
    )
    code = response.headers.get("x-amzn-ErrorType")
    return response.status_code, code, response.json()["message"] if code else None


def in_process_and_served(server_url: str, method: str, path: str) -> tuple[tuple, tuple]:
    with mock_medical_imaging():
        in_process = answer(IN_PROCESS, method, path)
    return in_process, answer(server_url, method, path)


def encoded(text: str) -> str:
    return quote(text, safe="")


IDS_IN_PATHS = {
    "datastoreId": lambda c: ("GET", f"/datastore/{encoded(DATASTORE_ID + c)}"),
    "imageSetId": lambda c: (
        "POST",
        f"/datastore/{DATASTORE_ID}/imageSet/{encoded(DATASTORE_ID + c)}/getImageSet",
    ),
    "resourceArn": lambda c: ("GET", f"/tags/{encoded(DATASTORE_ARN + c)}"),
}


@pytest.mark.parametrize("character", CONTROL_CHARACTERS.values(), ids=CONTROL_CHARACTERS.keys())
@pytest.mark.parametrize("member", IDS_IN_PATHS)
def test_an_id_ending_in_a_control_character_is_refused_over_http_as_in_process(
    server_url, member, character
):
    method, path = IDS_IN_PATHS[member](character)

    in_process, served = in_process_and_served(server_url, method, path)

    assert served == in_process
    status, code, message = served
    assert (status, code) == (400, "ValidationException")
    assert f"at '{member}' failed to satisfy constraint" in message


@pytest.mark.parametrize("character", CONTROL_CHARACTERS.values(), ids=CONTROL_CHARACTERS.keys())
@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/no/such/operation{}"), ("POST", f"/datastore/{DATASTORE_ID}{{}}/nothing"), ("PUT", "/{}")],
    ids=["unknown", "unknown-under-a-known-prefix", "root"],
)
def test_a_path_naming_no_operation_is_unknown_over_http_as_in_process(server_url, method, path, character):
    path = path.format(encoded(character))

    in_process, served = in_process_and_served(server_url, method, path)

    assert served == in_process
    assert served == (
        404,
        "UnknownOperationException",
        f"No medical-imaging operation matches {method} {path}",
    )


@pytest.mark.parametrize("character", CONTROL_CHARACTERS.values(), ids=CONTROL_CHARACTERS.keys())
def test_boto3_over_http_gets_validation_exception_for_a_datastore_id_with_a_control_character(
    client, character
):
    with pytest.raises(client.exceptions.ValidationException) as refused:
        client.get_datastore(datastoreId=DATASTORE_ID + character)

    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


@pytest.mark.parametrize("origin_form", [True, False], ids=["path", "absolute-url"])
def test_a_server_handing_over_the_decoded_url_still_has_an_id_read_as_sent(origin_form):
    """moto's server before 5.2 hands the handler werkzeug's percent-decoded URL (an id's `%2F` becomes a
    `/` of the path); the request target in the WSGI environ is what the client sent."""
    from werkzeug.test import EnvironBuilder
    from werkzeug.wrappers import Request

    from medimaging_mock.interception.dispatch import moto_handler

    path = f"/datastore/{DATASTORE_ID}/imageSet/a%2Fb/getImageSet"
    environ = EnvironBuilder(method="POST", base_url="http://localhost:5000", path=path).get_environ()
    # as werkzeug's server sets it: the request target, a path or (absolute form) a whole URL
    environ["RAW_URI"] = path if origin_form else f"http://localhost:5000{path}"
    request = Request(environ)
    assert request.url.endswith("/imageSet/a/b/getImageSet")  # what moto before 5.2 hands over

    with mock_medical_imaging():
        status, headers, body = moto_handler(request, request.url, dict(request.headers))

    assert (status, headers["x-amzn-ErrorType"]) == (400, "ValidationException")
    assert "at 'imageSetId' failed to satisfy constraint" in json.loads(body)["message"]
