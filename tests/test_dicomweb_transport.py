"""The DICOMweb front over HTTP: which operation each request reaches and with what, authentication,
Accept negotiation, multipart both ways, STOW bodies, errors, CORS, and server mode.

Most tests put a recorder in place of the service's DICOMweb operations (`service`), so they check the
transport alone: the exact parameters each request becomes, and how a given result goes back on the wire.
`test_*_end_to_end` tests at the bottom run the real operations."""

from __future__ import annotations

import base64
import io
import json
import threading
import time
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from dicom_factory import gray_frames, make_dataset, part10_bytes
from dicomweb_helpers import (
    DICOMWEB,
    ELE,
    HTJ2K_LOSSLESS_RPCL,
    datastore_root,
    dicomweb_client_for,
    signed_session,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydicom import dcmread
from test_no_network import guarded_serve, refuse_remote_connections

from medimaging_mock.domain.errors import MODELLED_ERRORS
from medimaging_mock.service.calls import OPERATIONS
from medimaging_mock.wire.dicomweb import multipart
from medimaging_mock.wire.dicomweb.media_type import parse, parse_list

DS = "0123456789abcdef0123456789abcdef"
ST, SE, SOP = "1.2.3", "1.2.3.4", "1.2.3.4.5"
INSTANCE = f"/studies/{ST}/series/{SE}/instances/{SOP}"
UIDS = {"study_uid": ST, "series_uid": SE, "sop_uid": SOP}
SEARCHES = (
    "SearchDICOMStudies",
    "SearchDICOMSeries",
    "SearchDICOMInstances",
    "SearchDICOMStudyInstances",
    "SearchDICOMAllSeries",
    "SearchDICOMAllInstances",
)
DATASET = {"0020000D": {"vr": "UI", "Value": [ST]}}
PART10 = part10_bytes(make_dataset(gray_frames(1, 4, 4), study_uid=ST, series_uid=SE, sop_uid=SOP))
OHIF_AHI_ACCEPT = (
    "multipart/related; type=image/jphc; transfer-syntax=1.2.840.10008.1.2.4.202, "
    "multipart/related; type=image/jp2; transfer-syntax=1.2.840.10008.1.2.4.90, "
    "multipart/related; type=image/jpeg; transfer-syntax=1.2.840.10008.1.2.4.50, "
    "multipart/related; type=application/octet-stream; transfer-syntax=1.2.840.10008.1.2.1"
)


class Service:
    """Stands in for the DICOMweb operations: records each call, answers like the real ones would."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any, dict[str, Any]]] = []
        self.answers: dict[str, dict[str, Any]] = {}
        self.errors: dict[str, Exception] = {}

    def operation(self, name: str):
        def answer(backend: Any, **params: Any) -> dict[str, Any]:
            self.calls.append((name, backend, params))
            if name in self.errors:
                raise self.errors[name]
            return self.answers.get(name) or _default_answer(name, params)

        return answer

    @property
    def last(self) -> tuple[str, dict[str, Any]]:
        name, _, params = self.calls[-1]
        return name, params


def _default_answer(name: str, params: dict[str, Any]) -> dict[str, Any]:
    if name in (*SEARCHES, "GetDICOMInstanceMetadata", "GetDICOMSeriesMetadata"):
        return {"datasets": [DATASET]}
    syntax = next((each for each in params.get("transfer_syntaxes", ()) if each != "*"), HTJ2K_LOSSLESS_RPCL)
    if name == "GetDICOMInstance":
        return {"body": PART10, "transfer_syntax": syntax}
    if name == "GetDICOMInstanceFrames":
        return {
            "frames": [f"frame {number}".encode() for number in params["frames"]],
            "transfer_syntax": syntax,
        }
    if name == "GetDICOMBulkdata":
        return {"body": b"\x00bulk\r\n--data"}
    return {"stored": len(params["instances"]), "failed": 0, "dataset": {"00081190": DATASET["0020000D"]}}


ALL_OPERATIONS = (
    *SEARCHES,
    "GetDICOMInstance",
    "GetDICOMInstanceMetadata",
    "GetDICOMSeriesMetadata",
    "GetDICOMInstanceFrames",
    "GetDICOMBulkdata",
    "StoreDICOM",
    "StoreDICOMStudy",
)


@pytest.fixture
def service(monkeypatch) -> Service:
    recorder = Service()
    for name in ALL_OPERATIONS:
        monkeypatch.setitem(OPERATIONS, name, recorder.operation(name))
    return recorder


@pytest.fixture
def http(medical_imaging) -> requests.Session:
    """A SigV4-signed session inside a started mock."""
    return signed_session()


def url(path: str = "", base: str = DICOMWEB) -> str:
    return datastore_root(DS, base) + path


def error_of(response: requests.Response) -> tuple[int, str, str]:
    """(status, x-amzn-ErrorType, message), after checking the error body's format."""
    assert response.headers["Content-Type"] == "application/json"
    body = response.json()
    assert list(body) == ["message"]
    return response.status_code, response.headers["x-amzn-ErrorType"], body["message"]


def multipart_parts(response: requests.Response) -> tuple[Any, list[multipart.Part]]:
    content_type = parse(response.headers["Content-Type"])
    assert content_type.name == "multipart/related"
    return content_type, multipart.decode(content_type.params["boundary"], response.content)


# --- routing: each of the 13 operations, with exactly the contract's parameters ----------------------------

ROUTED = [
    (
        "GET",
        "/studies?PatientID=P%5E1&limit=5",
        "SearchDICOMStudies",
        {"query": [("PatientID", "P^1"), ("limit", "5")]},
    ),
    (
        "GET",
        f"/studies/{ST}/series?Modality=CT",
        "SearchDICOMSeries",
        {"study_uid": ST, "query": [("Modality", "CT")]},
    ),
    (
        "GET",
        f"/studies/{ST}/series/{SE}/instances?includefield=00080016&includefield=00080018",
        "SearchDICOMInstances",
        {
            "study_uid": ST,
            "series_uid": SE,
            "query": [("includefield", "00080016"), ("includefield", "00080018")],
        },
    ),
    (
        "GET",
        f"/studies/{ST}/instances?offset=2",
        "SearchDICOMStudyInstances",
        {"study_uid": ST, "query": [("offset", "2")]},
    ),
    ("GET", "/series?fuzzymatching=true", "SearchDICOMAllSeries", {"query": [("fuzzymatching", "true")]}),
    ("GET", "/instances", "SearchDICOMAllInstances", {"query": []}),
    ("GET", INSTANCE, "GetDICOMInstance", {**UIDS, "image_set_id": None, "transfer_syntaxes": (ELE,)}),
    (
        "GET",
        INSTANCE + "/metadata?imageSetId=abc",
        "GetDICOMInstanceMetadata",
        {**UIDS, "image_set_id": "abc"},
    ),
    (
        "GET",
        f"/studies/{ST}/series/{SE}/metadata",
        "GetDICOMSeriesMetadata",
        {"study_uid": ST, "series_uid": SE, "image_set_id": None},
    ),
    (
        "GET",
        INSTANCE + "/frames/3,1,2?imageSetId=abc",
        "GetDICOMInstanceFrames",
        {**UIDS, "frames": (3, 1, 2), "image_set_id": "abc", "transfer_syntaxes": (ELE,)},
    ),
    (
        "GET",
        INSTANCE + "/bulkdata/b026324c",
        "GetDICOMBulkdata",
        {**UIDS, "bulkdata_id": "b026324c", "image_set_id": None},
    ),
    ("POST", "/studies", "StoreDICOM", {"instances": [PART10]}),
    ("POST", f"/studies/{ST}", "StoreDICOMStudy", {"study_uid": ST, "instances": [PART10]}),
]
WITH_BASE_URL = {
    *SEARCHES,
    "GetDICOMInstanceMetadata",
    "GetDICOMSeriesMetadata",
    "StoreDICOM",
    "StoreDICOMStudy",
}


@pytest.mark.parametrize(("method", "path", "operation", "params"), ROUTED, ids=[row[2] for row in ROUTED])
def test_each_route_reaches_its_operation_with_the_contract_params(
    http, service, method, path, operation, params
):
    body = PART10 if method == "POST" else None
    headers = {"Content-Type": "application/dicom"} if method == "POST" else {}

    response = http.request(method, url(path), data=body, headers=headers)

    assert response.status_code == 200, response.text
    expected = {"datastore_id": DS, **params}
    if operation in WITH_BASE_URL:
        expected["base_url"] = DICOMWEB
    assert service.last == (operation, expected)


def test_percent_encoded_labels_arrive_decoded(http, service):
    http.get(url("/studies/1.2%2F3/series/a%20b/instances/%41/metadata"))

    _, params = service.last
    assert (params["study_uid"], params["series_uid"], params["sop_uid"]) == ("1.2/3", "a b", "A")


def test_query_values_are_decoded_and_image_set_id_is_left_out(http, service):
    http.get(url("/studies?imageSetId=x&PatientName=DOE%5EJ*&StudyDescription=a+b&empty="))

    assert service.last[1]["query"] == [("PatientName", "DOE^J*"), ("StudyDescription", "a b"), ("empty", "")]


def test_an_image_set_id_given_twice_is_refused(http, service):
    response = http.get(url(INSTANCE + "/metadata?imageSetId=a&imageSetId=b"))

    assert error_of(response)[:2] == (400, "ValidationException")
    assert service.calls == []


@pytest.mark.parametrize(
    ("path", "what"),
    [
        (f"/studies/{ST}", "study-level WADO-RS retrieve"),
        (f"/studies/{ST}/series/{SE}", "series-level WADO-RS retrieve"),
        (f"/studies/{ST}/metadata", "study-level metadata"),
        (f"/studies/{ST}/rendered", "rendered"),
        (INSTANCE + "/rendered", "rendered"),
        (INSTANCE + "/frames/1/rendered", "rendered"),
        (f"/studies/{ST}/series/{SE}/thumbnail", "thumbnail"),
        (INSTANCE + "/thumbnail", "thumbnail"),
    ],
)
def test_resources_the_service_does_not_offer_are_404_naming_them(http, service, path, what):
    status, code, message = error_of(http.get(url(path)))

    assert (status, code) == (404, "ResourceNotFoundException")
    assert what in message and "does not offer" in message
    assert service.calls == []


@pytest.mark.parametrize(
    "path",
    ["/datastore/x/workitems", f"/datastore/{DS}/studies/{ST}/series/{SE}/instances/{SOP}/frames", "/"],
)
def test_other_paths_on_the_dicomweb_host_are_404(http, service, path):
    status, code, _ = error_of(http.get(DICOMWEB + path))

    assert (status, code) == (404, "ResourceNotFoundException")


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [("DELETE", "/studies", "GET, POST"), ("PUT", f"/studies/{ST}", "POST"), ("POST", INSTANCE, "GET")],
)
def test_a_wrong_method_is_405_with_the_allowed_ones(http, service, method, path, allowed):
    response = http.request(method, url(path))

    assert error_of(response)[:2] == (405, "MethodNotAllowedException")
    assert response.headers["Allow"] == allowed
    assert service.calls == []


def test_dicomweb_paths_on_the_api_hosts_are_left_to_rest_json(http, service):
    """As on AWS, those hosts serve no DICOMweb: rest-json answers (its GetDatastore route takes the path)."""
    for host in (
        "https://runtime-medical-imaging.us-east-1.amazonaws.com",
        "https://medical-imaging.us-east-1.amazonaws.com",
    ):
        assert error_of(http.get(url("/studies", host)))[:2] == (400, "ValidationException")
        assert error_of(http.post(url("/studies", host)))[:2] == (404, "UnknownOperationException")
    assert service.calls == []


def test_rest_json_paths_are_not_served_on_the_dicomweb_host(http, medical_imaging_client, datastore_id):
    response = http.get(f"{DICOMWEB}/datastore/{datastore_id}")

    assert error_of(response)[:2] == (404, "ResourceNotFoundException")


def test_an_operation_the_service_lacks_is_a_clean_501(http, monkeypatch):
    monkeypatch.delitem(OPERATIONS, "SearchDICOMStudies", raising=False)

    status, code, message = error_of(http.get(url("/studies")))

    assert (status, code) == (501, "NotImplemented")
    assert "SearchDICOMStudies" in message


@pytest.mark.parametrize(
    ("error", "status"),
    [
        ("ValidationException", 400),
        ("AccessDeniedException", 403),
        ("ResourceNotFoundException", 404),
        ("NotAcceptableException", 406),
        ("ConflictException", 409),
        ("ThrottlingException", 429),
    ],
)
def test_service_errors_keep_their_status_code_and_message(http, service, error, status):
    service.errors["GetDICOMInstanceMetadata"] = MODELLED_ERRORS[error]("what was wrong")

    assert error_of(http.get(url(INSTANCE + "/metadata"))) == (status, error, "what was wrong")


def test_injected_faults_apply_to_dicomweb_operations(http, service):
    """The service entry is the same as rest-json's, so `mi.faults` reach DICOMweb operations."""
    from medimaging_mock.service.faults import faults

    faults.add("SearchDICOMStudies", "ThrottlingException", 1, None)  # once; the mock clears the rest

    assert error_of(http.get(url("/studies")))[:2] == (429, "ThrottlingException")
    assert http.get(url("/studies")).status_code == 200


# --- authentication ---------------------------------------------------------------------------------------


def jwt(**claims: Any) -> str:
    def encoded(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{encoded({'alg': 'RS256'})}.{encoded(claims)}.c2lnbmF0dXJl"


def test_a_request_without_authorization_is_403_missing_authentication_token(medical_imaging, service):
    response = requests.get(url("/studies"))

    assert error_of(response) == (403, "MissingAuthenticationTokenException", "Missing Authentication Token")
    assert service.calls == []


def test_a_signature_for_another_service_is_refused(medical_imaging, service):
    response = signed_session(service="s3").get(url("/studies"))

    assert error_of(response) == (
        403,
        "InvalidSignatureException",
        "Credential should be scoped to correct service: 'medical-imaging'. ",
    )


def test_a_signature_for_another_region_than_the_hosts_is_refused(medical_imaging, service):
    response = signed_session(region="eu-west-1").get(url("/studies"))

    assert error_of(response) == (
        403,
        "InvalidSignatureException",
        "Credential should be scoped to a valid region. ",
    )


@pytest.mark.parametrize(
    "authorization",
    [
        "Basic dXNlcjpwYXNz",
        "AWS4-HMAC-SHA256 SignedHeaders=host",
        "AWS4-HMAC-SHA256 Credential=x, SignedHeaders=host, Signature=00",
    ],
)
def test_a_malformed_signature_is_refused(medical_imaging, service, authorization):
    response = requests.get(url("/studies"), headers={"Authorization": authorization})

    assert error_of(response)[:2] == (403, "IncompleteSignatureException")
    assert service.calls == []


def test_a_bearer_token_with_valid_times_is_accepted(medical_imaging, service):
    now = int(time.time())
    token = jwt(sub="viewer", iat=now - 60, nbf=now - 60, exp=now + 3600)

    response = requests.get(url("/studies"), headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 200
    assert service.last[0] == "SearchDICOMStudies"


@pytest.mark.parametrize(
    "claims",
    [
        {"exp": -3600},  # expired
        {"exp": 3600, "nbf": 600},  # not valid yet
        {"exp": 3600, "iat": -13 * 3600},  # issued more than 12 hours ago
        {"exp": 3600, "iat": 600},  # issued in the future
        {"iat": -60},  # no expiry
        {"exp": "tomorrow"},
    ],
)
def test_a_bearer_token_failing_the_claim_checks_is_refused(medical_imaging, service, claims):
    now = int(time.time())
    timed = {name: now + value if isinstance(value, int) else value for name, value in claims.items()}

    response = requests.get(url("/studies"), headers={"Authorization": f"Bearer {jwt(**timed)}"})

    assert error_of(response) == (403, "AccessDeniedException", "Invalid or Expired Token")
    assert service.calls == []


@pytest.mark.parametrize("token", ["garbage", "a.b.c", "", "x.e30.y"])
def test_a_bearer_token_that_is_no_jwt_is_refused(medical_imaging, service, token):
    response = requests.get(url("/studies"), headers={"Authorization": f"Bearer {token}"})

    assert error_of(response)[:2] == (403, "AccessDeniedException")


def test_any_payload_hash_declaration_is_accepted(http, service):
    for declared in ("STREAMING-AWS4-HMAC-SHA256-PAYLOAD", "UNSIGNED-PAYLOAD", "0" * 64):
        headers = {"Content-Type": "application/dicom", "x-amz-content-sha256": declared}
        assert http.post(url("/studies"), data=PART10, headers=headers).status_code == 200


# --- accounts and regions ----------------------------------------------------------------------------------


def test_the_host_names_the_region_and_the_signature_scope_must_agree(medical_imaging, service):
    signed_session(region="eu-west-1").get(
        url("/studies", "https://dicom-medical-imaging.eu-west-1.amazonaws.com")
    )

    backend = service.calls[-1][1]
    assert (backend.account_id, backend.region) == ("123456789012", "eu-west-1")


def test_the_account_is_found_as_for_the_boto3_api(medical_imaging, service, monkeypatch):
    http = signed_session()
    http.get(url("/studies"), headers={"x-moto-account-id": "111122223333"})
    monkeypatch.setenv("MOTO_ACCOUNT_ID", "444455556666")
    http.get(url("/studies"))

    assert [call[1].account_id for call in service.calls] == ["111122223333", "444455556666"]


def test_dicomweb_and_boto3_see_the_same_datastores_per_region(http, medical_imaging_client, datastore_id):
    """The real operations: the us-east-1 datastore is there on the us-east-1 host, unknown on eu-west-1."""
    here = http.get(datastore_root(datastore_id) + "/studies")
    elsewhere = signed_session(region="eu-west-1").get(
        datastore_root(datastore_id, "https://dicom-medical-imaging.eu-west-1.amazonaws.com") + "/studies"
    )

    assert here.status_code == 200, here.text
    assert error_of(elsewhere)[:2] == (404, "ResourceNotFoundException")


# --- Accept -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "syntaxes", "media_type"),
    [
        (None, [ELE], "application/octet-stream"),
        ("*/*", [ELE], "application/octet-stream"),
        (
            OHIF_AHI_ACCEPT,
            [HTJ2K_LOSSLESS_RPCL, "1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.4.50", ELE],
            "image/jphc",
        ),
        ('multipart/related; type="application/octet-stream"; transfer-syntax=*', ["*"], "image/jphc"),
        (
            f'multipart/related; type="application/octet-stream"; transfer-syntax={ELE}',
            [ELE],
            "application/octet-stream",
        ),
        (
            f"multipart/related; type=application/octet-stream; transfer-syntax={ELE}",
            [ELE],
            "application/octet-stream",
        ),
        (
            f"multipart/related; type=image/jphc; transfer-syntax={HTJ2K_LOSSLESS_RPCL};q=0.5, "
            f"multipart/related; type=application/octet-stream; transfer-syntax={ELE}",
            [ELE, HTJ2K_LOSSLESS_RPCL],
            "application/octet-stream",
        ),
        (
            "multipart/related; type=image/jp2",
            ["1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.4.91"],
            "image/jp2",
        ),
    ],
)
def test_frames_accept_forms(http, service, accept, syntaxes, media_type):
    headers = {"Accept": accept} if accept else {}

    response = http.get(url(INSTANCE + "/frames/2,1"), headers=headers)

    assert response.status_code == 200, response.text
    assert list(service.last[1]["transfer_syntaxes"]) == syntaxes
    syntax = syntaxes[0] if syntaxes != ["*"] else HTJ2K_LOSSLESS_RPCL
    content_type, parts = multipart_parts(response)
    assert content_type.params["type"] == media_type
    assert content_type.params["transfer-syntax"] == syntax
    assert [part.content for part in parts] == [b"frame 2", b"frame 1"]
    assert {part.headers["content-type"] for part in parts} == {f"{media_type}; transfer-syntax={syntax}"}


def test_the_frames_content_type_is_what_the_field_capture_shows(http, service):
    response = http.get(url(INSTANCE + "/frames/1"), headers={"Accept": OHIF_AHI_ACCEPT})

    assert response.headers["Content-Type"].startswith(
        f'multipart/related; type="image/jphc"; transfer-syntax={HTJ2K_LOSSLESS_RPCL}; boundary='
    )


@pytest.mark.parametrize(
    "accept", ["application/dicom+json", "image/jphc", "multipart/related; type=application/dicom", "*/*;q=0"]
)
def test_frames_in_a_form_not_served_are_406(http, service, accept):
    response = http.get(url(INSTANCE + "/frames/1"), headers={"Accept": accept})

    assert error_of(response)[:2] == (406, "NotAcceptableException")
    assert service.calls == []


def test_the_service_choosing_a_syntax_picks_the_matching_media_type(http, service):
    service.answers["GetDICOMInstanceFrames"] = {
        "frames": [b"f"],
        "transfer_syntax": "1.2.840.10008.1.2.4.50",
    }

    content_type, parts = multipart_parts(
        http.get(url(INSTANCE + "/frames/1"), headers={"Accept": OHIF_AHI_ACCEPT})
    )

    assert content_type.params["type"] == "image/jpeg"
    assert parts[0].headers["content-type"] == "image/jpeg; transfer-syntax=1.2.840.10008.1.2.4.50"


@pytest.mark.parametrize(
    ("accept", "syntaxes", "is_multipart"),
    [
        (None, [ELE], False),
        (f"application/dicom; transfer-syntax={ELE}", [ELE], False),
        (f"application/dicom; transfer-syntax={HTJ2K_LOSSLESS_RPCL}", [HTJ2K_LOSSLESS_RPCL], False),
        ("application/dicom; transfer-syntax=*", ["*"], False),
        ('multipart/related; type="application/dicom"', [ELE], True),
        (
            f'multipart/related; type="application/dicom"; transfer-syntax={HTJ2K_LOSSLESS_RPCL}',
            [HTJ2K_LOSSLESS_RPCL],
            True,
        ),
        ("*/*", [ELE], False),
    ],
)
def test_instance_accept_forms(http, service, accept, syntaxes, is_multipart):
    response = http.get(url(INSTANCE), headers={"Accept": accept} if accept else {})

    assert response.status_code == 200
    assert list(service.last[1]["transfer_syntaxes"]) == syntaxes
    syntax = syntaxes[0] if syntaxes != ["*"] else HTJ2K_LOSSLESS_RPCL
    if is_multipart:
        content_type, parts = multipart_parts(response)
        assert content_type.params["type"] == "application/dicom"
        assert [part.content for part in parts] == [PART10]
        assert parts[0].headers["content-type"] == f"application/dicom; transfer-syntax={syntax}"
    else:
        assert response.headers["Content-Type"] == f"application/dicom; transfer-syntax={syntax}"
        assert dcmread(io.BytesIO(response.content)).SOPInstanceUID == SOP


def test_an_instance_as_json_is_406(http, service):
    response = http.get(url(INSTANCE), headers={"Accept": "application/dicom+json"})

    assert error_of(response)[:2] == (406, "NotAcceptableException")


@pytest.mark.parametrize(
    ("accept", "is_multipart"),
    [
        (None, False),
        ("application/octet-stream", False),
        ('multipart/related; type="application/octet-stream"', True),
    ],
)
def test_bulkdata_single_part_or_multipart(http, service, accept, is_multipart):
    response = http.get(url(INSTANCE + "/bulkdata/abc"), headers={"Accept": accept} if accept else {})

    if is_multipart:
        _, parts = multipart_parts(response)
        assert [part.content for part in parts] == [b"\x00bulk\r\n--data"]
    else:
        assert response.headers["Content-Type"] == "application/octet-stream"
        assert response.content == b"\x00bulk\r\n--data"


@pytest.mark.parametrize(
    "accept",
    [
        None,
        "",
        "application/dicom+json",
        "application/dicom+json, application/json",
        "application/json",
        "*/*",
        'application/dicom+json, multipart/related; type="application/octet-stream"; transfer-syntax=*',
    ],
)
@pytest.mark.parametrize("path", ["/studies", f"/studies/{ST}/series/{SE}/metadata", INSTANCE + "/metadata"])
def test_json_resources_accept_forms(http, service, accept, path):
    response = http.get(url(path), headers={"Accept": accept} if accept is not None else {})

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/dicom+json"
    assert response.json() == [DATASET]


@pytest.mark.parametrize("accept", ["application/dicom+xml", "application/dicom", "application/json;q=0"])
def test_json_resources_in_another_form_are_406(http, service, accept):
    assert error_of(http.get(url("/studies"), headers={"Accept": accept}))[:2] == (
        406,
        "NotAcceptableException",
    )
    assert service.calls == []


@pytest.mark.parametrize("frames", ["0", "1,1", "a", "1,,2", "-1", "1.5", "2,", "1234567890", " 1"])
def test_bad_frame_lists_are_400(http, service, frames):
    assert error_of(http.get(url(INSTANCE + f"/frames/{frames}")))[:2] == (400, "ValidationException")
    assert service.calls == []


def test_media_range_parsing():
    ranges = parse_list(
        'multipart/related; type="application/octet-stream"; transfer-syntax=*, '
        'Multipart/Related;TYPE=image/jphc ; q=0.5, application/x;name="a,b;c\\"d", , */*'
    )

    assert ranges == [
        ("multipart/related", {"type": "application/octet-stream", "transfer-syntax": "*"}),
        ("multipart/related", {"type": "image/jphc", "q": "0.5"}),
        ("application/x", {"name": 'a,b;c"d'}),
        ("*/*", {}),
    ]


# --- multipart ----------------------------------------------------------------------------------------------


TWO_PARTS = (
    b"--b\r\nContent-Type: application/dicom\r\n\r\none\r\n--b\r\ncontent-type:application/dicom\r\n\r\ntwo"
)


@pytest.mark.parametrize(
    "body",
    [
        TWO_PARTS + b"\r\n--b--\r\n",
        b"\r\n" + TWO_PARTS + b"\r\n--b--",
        b"preamble\r\n" + TWO_PARTS.replace(b"--b\r\n", b"--b \r\n", 1) + b"\r\n--b--\r\nepilogue",
    ],
    ids=["plain", "dicomweb-client", "preamble-padding-epilogue"],
)
def test_multipart_decoding_forms(body):
    parts = multipart.decode("b", body)

    assert [part.content for part in parts] == [b"one", b"two"]
    assert [part.headers for part in parts] == [{"content-type": "application/dicom"}] * 2


@pytest.mark.parametrize(
    "body",
    [
        b"no boundary here",
        b"--b\r\n\r\nunterminated",
        b"--bX\r\n\r\nx\r\n--b--",
        b"--b\r\nbroken header\r\n\r\nx\r\n--b--",
    ],
)
def test_malformed_multipart_is_a_validation_error(body):
    from medimaging_mock.domain.errors import ValidationException

    with pytest.raises(ValidationException):
        multipart.decode("b", body)


@pytest.mark.parametrize("boundary", ["", "é", "x" * 201])
def test_a_boundary_that_cannot_delimit_is_a_validation_error(boundary):
    from medimaging_mock.domain.errors import ValidationException

    with pytest.raises(ValidationException):
        multipart.decode(boundary, b"--x\r\n\r\none\r\n--x--")


@given(
    st.lists(
        st.tuples(st.sampled_from(["application/dicom", "image/jphc"]), st.binary(max_size=64)), max_size=5
    )
)
def test_multipart_encoding_round_trips(parts):
    boundary, body = multipart.encode(parts)

    decoded = multipart.decode(boundary, body)

    assert [(part.headers["content-type"], part.content) for part in decoded] == parts


def test_frames_are_decoded_by_dicomweb_clients_own_parser(medical_imaging, service):
    client = dicomweb_client_for(DS)

    frames = client.retrieve_instance_frames(ST, SE, SOP, frame_numbers=[3, 1])

    assert frames == [b"frame 3", b"frame 1"]
    # its default: `type="application/octet-stream"; transfer-syntax=*`
    assert list(service.last[1]["transfer_syntaxes"]) == ["*"]


def test_dicomweb_client_retrieves_an_instance_without_a_warning(medical_imaging, service):
    client = dicomweb_client_for(DS)

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        instance = client.retrieve_instance(ST, SE, SOP)

    assert instance.SOPInstanceUID == SOP


def test_dicomweb_client_retrieves_bulkdata(medical_imaging, service):
    client = dicomweb_client_for(DS)

    assert client.retrieve_bulkdata(url(INSTANCE + "/bulkdata/abc")) == [b"\x00bulk\r\n--data"]


def test_dicomweb_client_searches_and_reads_metadata(medical_imaging, service):
    client = dicomweb_client_for(DS)

    assert client.search_for_studies(search_filters={"PatientID": "P1"}, get_remaining=False) == [DATASET]
    assert service.last == (
        "SearchDICOMStudies",
        {"datastore_id": DS, "query": [("PatientID", "P1")], "base_url": DICOMWEB},
    )
    assert client.retrieve_series_metadata(ST, SE) == [DATASET]


# --- STOW bodies -------------------------------------------------------------------------------------------


def _multipart_body(*instances: bytes, boundary: str = "b0", part_type: str = "application/dicom") -> bytes:
    return (
        b"".join(
            b"--"
            + boundary.encode()
            + b"\r\nContent-Type: "
            + part_type.encode()
            + b"\r\n\r\n"
            + each
            + b"\r\n"
            for each in instances
        )
        + b"--"
        + boundary.encode()
        + b"--\r\n"
    )


@pytest.mark.parametrize(
    "content_type",
    [
        "multipart/related; boundary=b0",  # the AHS DIMSE proxy: no type=
        'multipart/related; type="application/dicom"; boundary="b0"',
        "multipart/related; type=application/dicom; boundary=b0",
    ],
)
def test_stow_multipart_forms(http, service, content_type):
    response = http.post(
        url("/studies"), data=_multipart_body(PART10, b"DICM2"), headers={"Content-Type": content_type}
    )

    assert response.status_code == 200
    assert service.last[1]["instances"] == [PART10, b"DICM2"]


def test_stow_through_dicomweb_client(medical_imaging, service):
    """Its body starts with a CRLF and ends without one; it reads only an application/dicom+json answer."""
    answer = dicomweb_client_for(DS).store_instances([dcmread(io.BytesIO(PART10))])

    name, params = service.last
    assert name == "StoreDICOM" and len(params["instances"]) == 1
    assert dcmread(io.BytesIO(params["instances"][0])).SOPInstanceUID == SOP
    assert answer.RetrieveURL == ST


@pytest.mark.parametrize(("stored", "failed", "status"), [(2, 0, 200), (1, 1, 202), (0, 2, 409)])
def test_stow_status_follows_what_was_stored(http, service, stored, failed, status):
    dataset = {"00081198": {"vr": "SQ", "Value": []}}
    service.answers["StoreDICOM"] = {"stored": stored, "failed": failed, "dataset": dataset}

    response = http.post(
        url("/studies"),
        data=_multipart_body(PART10, PART10),
        headers={"Content-Type": "multipart/related; boundary=b0"},
    )

    assert response.status_code == status
    assert response.headers["Content-Type"] == "application/dicom+json"
    assert response.json() == dataset


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        (None, PART10),
        ("application/json", b"{}"),
        ("application/dicom+json", b"[]"),
        ('multipart/related; type="application/dicom+json"; boundary=b0', _multipart_body(b"[]")),
        ("multipart/related; boundary=b0", _multipart_body(PART10, b"jpeg", part_type="image/jpeg")),
    ],
)
def test_stow_of_unsupported_media_is_415(http, service, content_type, body):
    headers = {"Content-Type": content_type} if content_type else {}
    response = http.post(url("/studies"), data=body, headers=headers)
    if content_type is None:
        assert "Content-Type" not in response.request.headers

    assert error_of(response)[:2] == (415, "UnsupportedMediaTypeException")
    assert service.calls == []


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("multipart/related", _multipart_body(PART10)),
        ("multipart/related; boundary=other", _multipart_body(PART10)),
        ("multipart/related; boundary=b0", b"--b0\r\nContent-Type: application/dicom\r\n\r\nno close"),
        ("multipart/related; boundary=b0", b"--b0--\r\n"),
        ("application/dicom", b""),
    ],
    ids=["no-boundary", "wrong-boundary", "unterminated", "no-parts", "empty"],
)
def test_stow_of_an_unreadable_body_is_400(http, service, content_type, body):
    response = http.post(url("/studies"), data=body, headers={"Content-Type": content_type})

    assert error_of(response)[:2] == (400, "ValidationException")
    assert service.calls == []


# --- nothing a client sends makes a 500 --------------------------------------------------------------------

HEADER_TEXT = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=60).map(str.strip)
SEGMENTS = st.sampled_from(
    ["studies", "series", "instances", "metadata", "frames", "bulkdata", "1.2", "1,2", "%2F", ""]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "HEAD", "PATCH"]),
    segments=st.lists(SEGMENTS, max_size=8),
    query=HEADER_TEXT,
    accept=HEADER_TEXT | st.sampled_from([OHIF_AHI_ACCEPT, "multipart/related; type=", 'a/b; q="x']),
    content_type=HEADER_TEXT
    | st.sampled_from(["multipart/related; boundary=", 'multipart/related; boundary=""']),
    body=st.binary(max_size=80),
)
def test_no_request_makes_a_500(http, service, method, segments, query, accept, content_type, body):
    path = url("/" + "/".join(segments)) + "?" + query.replace("#", "")
    response = http.request(method, path, headers={"Accept": accept, "Content-Type": content_type}, data=body)

    assert response.status_code < 500, response.text


# --- server mode and CORS ----------------------------------------------------------------------------------


@pytest.fixture
def server_url() -> Iterator[str]:
    """`medimaging_mock.server.application()` (what `serve` runs) on a free port in this process."""
    from werkzeug.serving import make_server

    from medimaging_mock.server import application, request_handler

    server = make_server("127.0.0.1", 0, application(), threaded=True, request_handler=request_handler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()


PREFLIGHT = {
    "Origin": "http://viewer.example",
    "Access-Control-Request-Method": "GET",
    "Access-Control-Request-Headers": "authorization,x-amz-date,x-amz-security-token",
}


def test_server_mode_answers_a_cors_preflight_without_authentication(server_url, service):
    response = requests.options(
        url("/studies/1/series/2/instances/3/frames/1", server_url), headers=PREFLIGHT
    )

    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "http://viewer.example"
    assert response.headers["Access-Control-Allow-Methods"] == "GET, POST, OPTIONS"
    assert response.headers["Access-Control-Allow-Headers"] == PREFLIGHT["Access-Control-Request-Headers"]
    assert response.headers["Access-Control-Max-Age"] == "172800"
    assert service.calls == []


def test_server_mode_answers_and_refuses_with_cors_headers(server_url, service):
    origin = {"Origin": "http://viewer.example"}
    answered = signed_session().get(url("/studies", server_url), headers=origin)
    refused = requests.get(url("/studies", server_url), headers=origin)

    for response in (answered, refused):
        assert response.headers["Access-Control-Allow-Origin"] == "http://viewer.example"
        assert "x-amzn-ErrorType" in response.headers["Access-Control-Expose-Headers"]
    assert answered.json() == [DATASET]
    assert error_of(refused)[:2] == (403, "MissingAuthenticationTokenException")


def test_server_mode_takes_the_region_from_the_signature(server_url, service):
    response = signed_session(region="ap-southeast-2").get(url(INSTANCE + "/frames/1", server_url))

    assert response.status_code == 200
    name, backend, params = service.calls[-1]
    assert (name, backend.region) == ("GetDICOMInstanceFrames", "ap-southeast-2")
    assert params["frames"] == (1,)


def test_server_mode_hands_a_bearer_token_request_to_the_service(server_url, service):
    now = int(time.time())
    token = jwt(iat=now, exp=now + 600)

    response = requests.get(url("/series", server_url), headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 200
    assert service.last == ("SearchDICOMAllSeries", {"datastore_id": DS, "query": [], "base_url": server_url})


def test_server_mode_serves_rest_json_beside_dicomweb(server_url):
    import boto3

    client = boto3.client("medical-imaging", "us-east-1", endpoint_url=server_url)

    datastore_id = client.create_datastore(datastoreName="beside")["datastoreId"]

    assert client.get_datastore(datastoreId=datastore_id)["datastoreProperties"]["datastoreName"] == "beside"


def test_moto_threaded_server_serves_signed_dicomweb_requests(service):
    """medimaging_mock imported only: moto's own server routes signed requests by their scope."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        response = signed_session().get(
            url("/studies", f"http://{host}:{port}"), headers={"Origin": "http://o"}
        )
    finally:
        server.stop()

    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "http://o"
    assert service.last[0] == "SearchDICOMStudies"


def test_serve_answers_preflights_and_dicomweb_requests(tmp_path):
    """The `serve` command itself, in its own process with remote connections refused."""
    log = tmp_path / "serve.log"
    with guarded_serve(log) as server:
        preflight = requests.options(url("/studies", server), headers=PREFLIGHT)
        unsigned = requests.get(url("/studies", server))
        signed = signed_session().get(url("/studies", server))

    assert preflight.status_code == 200 and preflight.headers["Access-Control-Max-Age"] == "172800"
    assert error_of(unsigned)[:2] == (403, "MissingAuthenticationTokenException")
    assert error_of(signed)[:2] == (404, "ResourceNotFoundException")  # the service's: no such datastore
    assert "ESCAPE" not in log.read_text()


def test_in_process_dicomweb_requests_stay_in_process(http, service, monkeypatch):
    attempts: list[str] = []
    refuse_remote_connections(attempts.append, monkeypatch.setattr)

    responses = [
        http.get(url("/studies")),
        http.get(url(INSTANCE + "/frames/1"), headers={"Accept": OHIF_AHI_ACCEPT}),
        http.post(url("/studies"), data=PART10, headers={"Content-Type": "application/dicom"}),
    ]

    assert [response.status_code for response in responses] == [200, 200, 200]
    assert attempts == []


# --- end to end: the real operations behind the front ------------------------------------------------------


def a_study() -> list[Any]:
    """One series of two 8x8 CT instances, the first carrying a private binary element large enough to
    leave the metadata as bulk data."""
    from pydicom.uid import ExplicitVRLittleEndian

    from medimaging_mock.samples import generated_study

    study = generated_study(series=1, instances_per_series=2, size=8)
    block = study[0].private_block(0x0009, "MEDIMAGING MOCK TEST", create=True)
    block.add_new(0x01, "OB", bytes(range(256)) * 4400)
    study[0].file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    return study


@pytest.fixture
def seeded(medical_imaging, datastore_id) -> tuple[str, list[Any]]:
    """A datastore with one primary image set of `a_study()`."""
    study = a_study()
    medical_imaging.create_image_set(datastore_id, study)
    return datastore_id, study


def test_every_operation_end_to_end_through_dicomweb_client(seeded):
    datastore_id, study = seeded
    every_operation_through(dicomweb_client_for(datastore_id), study)


def test_every_operation_end_to_end_in_server_mode(server_url):
    """`serve` (its application, on a port): a datastore made through boto3, an image set seeded through the
    server's own route, then every DICOMweb operation through dicomweb-client at the server's address."""
    import boto3

    from medimaging_mock.server import create_image_set

    client = boto3.client("medical-imaging", "us-east-1", endpoint_url=server_url)
    datastore_id = client.create_datastore(datastoreName="served")["datastoreId"]
    client.get_datastore(datastoreId=datastore_id)  # CREATING -> ACTIVE
    study = a_study()
    create_image_set(server_url, datastore_id, study)

    every_operation_through(dicomweb_client_for(datastore_id, base=server_url), study)

    found = client.search_image_sets(datastoreId=datastore_id)["imageSetsMetadataSummaries"]
    assert len(found) == 3  # the seeded image set and the two STOW made


def every_operation_through(client: Any, study: list[Any]) -> None:
    first = study[0]
    st_uid, se_uid, sop_uid = first.StudyInstanceUID, first.SeriesInstanceUID, first.SOPInstanceUID

    assert [found["0020000D"]["Value"] for found in client.search_for_studies()] == [[st_uid]]
    assert len(client.search_for_series(st_uid)) == len(client.search_for_series()) == 1
    assert len(client.search_for_instances(st_uid, se_uid)) == len(client.search_for_instances(st_uid)) == 2
    assert len(client.search_for_instances()) == 2
    series = client.retrieve_series_metadata(st_uid, se_uid)
    assert sorted(item["00080018"]["Value"][0] for item in series) == sorted(
        ds.SOPInstanceUID for ds in study
    )
    metadata = client.retrieve_instance_metadata(st_uid, se_uid, sop_uid)  # the one object of the list
    bulkdata_uri = metadata["00091001"]["BulkDataURI"]
    assert client.retrieve_bulkdata(bulkdata_uri) == [bytes(range(256)) * 4400]
    assert client.retrieve_instance(st_uid, se_uid, sop_uid).SOPInstanceUID == sop_uid
    assert client.retrieve_instance_frames(
        st_uid, se_uid, sop_uid, [1], media_types=(("application/octet-stream", ELE),)
    ) == [first.PixelData]

    new = make_dataset(gray_frames(1, 4, 4), study_uid=st_uid)
    stored = client.store_instances([new], study_instance_uid=st_uid)
    other = make_dataset(gray_frames(1, 4, 4))
    client.store_instances([other])

    assert stored.ReferencedSOPSequence[0].ReferencedSOPInstanceUID == new.SOPInstanceUID
    assert len(client.search_for_studies()) == 2


def test_stow_of_instances_that_cannot_be_stored_is_409_end_to_end(http, datastore_id):
    body = _multipart_body(b"not DICOM")

    response = http.post(
        datastore_root(datastore_id) + "/studies",
        data=body,
        headers={"Content-Type": "multipart/related; boundary=b0"},
    )

    assert response.status_code == 409
    assert response.headers["Content-Type"] == "application/dicom+json"
    assert "00081198" in response.json()


def test_a_frame_in_an_unservable_syntax_is_406_end_to_end(http, seeded):
    datastore_id, study = seeded
    first = study[0]
    path = (
        f"/studies/{first.StudyInstanceUID}/series/{first.SeriesInstanceUID}/instances/{first.SOPInstanceUID}"
    )
    accept = "multipart/related; type=image/jpeg; transfer-syntax=1.2.840.10008.1.2.4.50"

    response = http.get(datastore_root(datastore_id) + path + "/frames/1", headers={"Accept": accept})

    assert error_of(response)[:2] == (406, "NotAcceptableException")
