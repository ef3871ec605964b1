"""The `requests` path to the service's hosts (DICOMweb clients, hand-signed calls): answered in process by
the mock directly, without moto's lookup through every service, under every way of starting the mock and
after every reset; wherever moto's own settings say otherwise for this service (passthrough, whitelist,
recorder, a user's `responses` mock, the seeding route), moto's lookup still decides, as before. Other
services' `requests` calls are moto's, unchanged.

Tests that say "directly" refuse moto's lookup (`moto_lookup_refused`): a request that took it fails."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import boto3
import pytest
import requests
import responses
from dicomweb_helpers import DICOMWEB, datastore_root, signed_session
from moto import mock_aws
from moto.core.exceptions import ServiceNotWhitelisted
from moto.core.models import botocore_stubber, responses_mock
from moto.moto_api import recorder
from test_no_network import refuse_remote_connections

from medimaging_mock import mock_medical_imaging

REGION = "us-east-1"
TESTS = Path(__file__).parent
UNKNOWN = "0123456789abcdef0123456789abcdef"
PASSED_THROUGH = ["DNS lookup of 'dicom-medical-imaging.us-east-1.amazonaws.com'"]


@pytest.fixture(autouse=True)
def escapes(monkeypatch) -> list[str]:
    """Network attempts made while the test runs; each one is also refused."""
    attempts: list[str] = []
    refuse_remote_connections(attempts.append, monkeypatch.setattr)
    return attempts


@pytest.fixture
def moto_lookup_refused(monkeypatch) -> None:
    """moto's lookup fails the test for a request to the service's hosts; other services keep it."""
    lookup = botocore_stubber.process_request

    def refuse(request: Any) -> Any:
        if "medical-imaging." in str(urlsplit(request.url).hostname):
            raise AssertionError(f"went through moto's lookup: {request.url}")
        return lookup(request)

    monkeypatch.setattr(botocore_stubber, "process_request", refuse)


def new_datastore() -> str:
    client = boto3.client("medical-imaging", region_name=REGION)
    return client.create_datastore(datastoreName="ds")["datastoreId"]


def search(datastore_id: str) -> requests.Response:
    """QIDO-RS SearchForStudies, signed as DICOMweb clients sign it."""
    return signed_session().get(datastore_root(datastore_id) + "/studies")


def assert_served_with_its_datastore() -> None:
    response = search(new_datastore())
    assert (response.status_code, response.json()) == (200, [])


def assert_unknown(datastore_id: str) -> None:
    response = search(datastore_id)
    assert response.status_code == 404
    assert response.json() == {"message": f"Datastore {datastore_id} does not exist"}


# --- every activation form, directly ------------------------------------------------------------------


def test_the_decorator_serves_it_directly(moto_lookup_refused, escapes):
    mock_medical_imaging(assert_served_with_its_datastore)()

    assert escapes == []


def test_the_context_manager_serves_it_directly(moto_lookup_refused, escapes):
    with mock_medical_imaging():
        assert_served_with_its_datastore()

    assert escapes == []


def test_start_and_stop_serve_it_directly_every_time(moto_lookup_refused, escapes):
    mock = mock_medical_imaging()
    for _ in range(2):
        mock.start()
        try:
            assert_served_with_its_datastore()
        finally:
            mock.stop()

    assert escapes == []


def test_a_start_without_reset_serves_it_directly_with_the_state_kept(moto_lookup_refused):
    mock = mock_medical_imaging()
    mock.start()
    try:
        datastore_id = new_datastore()
    finally:
        mock.stop(remove_data=False)
    mock.start(reset=False)
    try:
        response = search(datastore_id)
    finally:
        mock.stop()

    assert (response.status_code, response.json()) == (200, [])


def test_a_first_start_without_reset_in_a_fresh_process_serves_it_directly():
    """No reset has put the registry in yet: importing the package did."""
    script = (
        f"import sys; sys.path.insert(0, {str(TESTS)!r})\n"
        "from moto.core.models import botocore_stubber\n"
        "from dicomweb_helpers import datastore_root, signed_session\n"
        "from medimaging_mock import mock_medical_imaging\n"
        "botocore_stubber.process_request = None  # moto's lookup would fail\n"
        "mock = mock_medical_imaging()\n"
        "mock.start(reset=False)\n"
        f"print(signed_session().get(datastore_root({UNKNOWN!r}) + '/studies').status_code)\n"
        "mock.stop()\n"
    )
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)

    assert (completed.returncode, completed.stdout) == (0, "404\n"), completed.stderr


def test_plain_mock_aws_serves_it_directly(moto_lookup_refused, escapes):
    with mock_aws():
        assert_served_with_its_datastore()

    assert escapes == []


def test_nested_mocks_serve_it_directly_inside_and_after_the_inner_one(moto_lookup_refused):
    with mock_aws():
        with mock_medical_imaging():
            datastore_id = new_datastore()
            inside = search(datastore_id)
        after_inner = search(datastore_id)

    assert (inside.status_code, after_inner.status_code) == (200, 200)


@pytest.mark.parametrize(
    ("method", "url", "status"),
    [
        ("GET", f"{DICOMWEB}/datastore/{UNKNOWN}/studies", 404),
        ("GET", f"https://medical-imaging.{REGION}.amazonaws.com/datastore", 200),
        ("POST", f"https://runtime-medical-imaging.{REGION}.amazonaws.com/datastore/{UNKNOWN}/x", 404),
        ("GET", f"https://dicom-medical-imaging.{REGION}.api.aws/datastore/{UNKNOWN}/studies", 404),
    ],
    ids=["dicom host", "control-plane host", "runtime host", "dual-stack host"],
)
def test_every_host_of_the_service_is_served_directly(moto_lookup_refused, method, url, status):
    with mock_medical_imaging():
        response = signed_session().request(method, url)

    assert response.status_code == status, response.text
    assert "application/json" in response.headers["Content-Type"]


# --- after moto's resets ------------------------------------------------------------------------------


def test_it_is_still_served_directly_after_the_moto_api_reset(moto_lookup_refused):
    with mock_medical_imaging():
        datastore_id = new_datastore()
        reset = requests.post("http://motoapi.amazonaws.com/moto-api/reset")
        assert reset.status_code == 200
        assert_unknown(datastore_id)
        assert_served_with_its_datastore()


def test_a_new_mock_aws_start_serves_it_directly_from_fresh_state(moto_lookup_refused):
    with mock_aws():
        datastore_id = new_datastore()
    with mock_aws():
        assert_unknown(datastore_id)
        assert_served_with_its_datastore()


# --- moto's settings for this service decide as before ---------------------------------------------------


@pytest.mark.parametrize(
    "passthrough",
    [{"services": ["medicalimaging"]}, {"urls": [r"https://dicom-medical-imaging\."]}],
    ids=["service", "url"],
)
def test_passthrough_sends_it_to_the_network_as_moto_does(escapes, passthrough):
    with (
        mock_medical_imaging(config={"core": {"passthrough": passthrough}}),
        pytest.raises(requests.ConnectionError),
    ):
        search(UNKNOWN)

    assert escapes == PASSED_THROUGH


def test_a_passthrough_url_of_another_host_leaves_it_served(escapes):
    with mock_medical_imaging(config={"core": {"passthrough": {"urls": [r"https://example\.com"]}}}):
        assert_unknown(UNKNOWN)

    assert escapes == []


def test_a_whitelist_without_the_service_refuses_it_as_moto_does():
    with (
        mock_medical_imaging(config={"core": {"service_whitelist": ["s3"]}}),
        pytest.raises(ServiceNotWhitelisted),
    ):
        search(UNKNOWN)


def test_a_whitelist_with_the_service_serves_it_directly(moto_lookup_refused):
    with mock_medical_imaging(config={"core": {"service_whitelist": ["medicalimaging"]}}):
        assert_unknown(UNKNOWN)


def test_a_users_responses_mock_of_the_host_still_comes_first():
    url = datastore_root(UNKNOWN) + "/studies"
    responses.add(responses.GET, url, json=["the user's"])
    try:
        with mock_medical_imaging():
            answered = requests.get(url).json()
    finally:
        responses.reset()

    assert answered == ["the user's"]


def test_a_callback_on_moto_s_responses_mock_for_the_host_still_comes_first():
    """moto's registry prefers a plain `responses` callback (as API Gateway registers) to its services'."""
    url = datastore_root(UNKNOWN) + "/studies"
    with mock_medical_imaging():
        responses_mock.add(responses.CallbackResponse("GET", url, lambda _: (200, {}, "the callback's")))
        answered = requests.get(url).text

    assert answered == "the callback's"


def test_moto_s_recorder_still_records_the_service_s_requests(tmp_path, monkeypatch):
    monkeypatch.setattr(recorder, "_location", str(tmp_path / "recording"))
    recorder.reset_recording()
    with mock_medical_imaging():
        recorder.start_recording()
        try:
            assert_unknown(UNKNOWN)
        finally:
            recorder.stop_recording()

    urls = [json.loads(line)["url"] for line in recorder.download_recording().splitlines()]
    # moto before 5.2 records a `requests` call twice, for every service (its callback entry and its stubber
    # each record it); 5.2 once
    assert urls and set(urls) == {datastore_root(UNKNOWN) + "/studies"}


def test_the_seeding_route_is_still_served_in_process(escapes):
    url = f"https://medical-imaging.{REGION}.amazonaws.com/medimaging-mock/create-image-set"
    with mock_medical_imaging():
        response = requests.post(url, data=b"{}")

    assert response.status_code == 400
    assert response.json()["code"] == "ValueError"
    assert escapes == []


# --- other services ---------------------------------------------------------------------------------------


@pytest.fixture
def mocked() -> Iterator[None]:
    with mock_medical_imaging():
        yield


def test_s3_through_requests_is_moto_s_as_before(mocked, escapes):
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket="a-bucket")
    s3.put_object(Bucket="a-bucket", Key="key", Body=b"object")
    presigned = s3.generate_presigned_url("get_object", Params={"Bucket": "a-bucket", "Key": "key"})

    found, missing = requests.get(presigned), requests.get(presigned.replace("/key?", "/other?"))

    assert (found.status_code, found.content) == (200, b"object")
    assert missing.status_code == 404 and b"<Code>NoSuchKey</Code>" in missing.content
    assert escapes == []


def test_a_host_no_service_serves_gets_moto_s_answer_as_before(mocked, escapes):
    response = requests.get(f"https://no-such-service.{REGION}.amazonaws.com/path")

    assert (response.status_code, response.text) == (400, "The method is not implemented")
    assert escapes == []


# --- what stays behind ------------------------------------------------------------------------------------


def test_the_service_s_answers_are_not_kept_after_the_client_lets_them_go(mocked):
    """`responses` keeps every call it answers until moto's next reset: a test reading many frames would
    hold every one of them."""
    datastore_id = new_datastore()
    response = search(datastore_id)
    assert (response.status_code, response.content) == (200, b"[]")
    answer = weakref.ref(response)

    del response
    gc.collect()

    assert answer() is None


def test_other_hosts_calls_are_still_kept_as_moto_keeps_them(mocked):
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket="a-bucket")
    presigned = s3.generate_presigned_url("list_objects_v2", Params={"Bucket": "a-bucket"})
    kept = len(responses_mock.calls)

    requests.get(presigned)
    search(new_datastore())

    assert [call.request.url for call in responses_mock.calls][kept:] == [presigned]


def test_an_answer_without_a_content_type_gets_moto_s_default_one(mocked):
    preflight = {"Origin": "http://viewer.example", "Access-Control-Request-Method": "GET"}

    response = requests.options(datastore_root(new_datastore()) + "/studies", headers=preflight)

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/plain"
    assert response.headers["Access-Control-Allow-Origin"] == "http://viewer.example"
