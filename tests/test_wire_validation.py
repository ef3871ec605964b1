"""Server-side checks of the rest-json endpoint: what it refuses, in which words, and what it passes on."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from medimaging_mock.wire.endpoint import RestJsonEndpoint
from medimaging_mock.wire.http import HttpRequest, HttpResponse

DATASTORE_ID = "0123456789abcdef0123456789abcdef"
IMAGE_SET_ID = "fedcba9876543210fedcba9876543210"
DATASTORE_ARN = f"arn:aws:medical-imaging:us-east-1:123456789012:datastore/{DATASTORE_ID}"
IMAGE_SET_ARN = f"{DATASTORE_ARN}/imageset/{IMAGE_SET_ID}"
IMAGE_SET_PATH = f"/datastore/{DATASTORE_ID}/imageSet/{IMAGE_SET_ID}"
STATUSES = "[CREATING, CREATE_FAILED, ACTIVE, DELETING, DELETED]"


class Recorder:
    """A service layer that records every call and answers `result`."""

    def __init__(self, result: dict[str, Any] | None = None):
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.result = result or {}

    def __call__(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        self.calls.append((operation, params))
        return self.result


def handle(method: str, path: str, query: str = "", body: Any = b"", call: Any = None) -> HttpResponse:
    if not isinstance(body, bytes):
        body = json.dumps(body).encode()
    return RestJsonEndpoint().handle(HttpRequest(method, path, query, {}, body), call or Recorder())


def refusal(response: HttpResponse, status: int = 400, code: str = "ValidationException") -> str:
    """The message of an error response, after checking its status and error type."""
    assert response.status == status
    assert response.headers["x-amzn-ErrorType"] == code
    return json.loads(response.body)["message"]


def passed_on(method: str, path: str, query: str = "", body: Any = b"") -> tuple[str, dict[str, Any]]:
    """The one call the endpoint made to the service layer for an accepted request."""
    recorder = Recorder()
    response = handle(method, path, query, body, recorder)
    assert response.status == 200, response.body
    assert len(recorder.calls) == 1
    return recorder.calls[0]


def test_max_results_above_50_is_refused_naming_the_field():
    recorder = Recorder()
    message = refusal(handle("GET", "/datastore", "maxResults=51", call=recorder))

    assert message == (
        "1 validation error detected: Value '51' at 'maxResults' failed to satisfy constraint: "
        "Member must have value less than or equal to 50"
    )
    assert recorder.calls == []


def test_max_results_of_0_is_refused_naming_the_field():
    message = refusal(handle("GET", "/datastore", "maxResults=0"))

    assert message == (
        "1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: "
        "Member must have value greater than or equal to 1"
    )


@pytest.mark.parametrize(
    ("query", "text"),
    [("ten", "ten"), ("2.5", "2.5"), ("1_0", "1_0"), ("%D9%A5", "\u0665")],
    ids=["word", "fraction", "underscore", "arabic-indic-digit"],
)
def test_max_results_that_is_not_a_decimal_integer_is_refused_naming_the_type(query, text):
    recorder = Recorder()
    message = refusal(handle("GET", "/datastore", f"maxResults={query}", call=recorder))

    assert message == (
        f"1 validation error detected: Value '{text}' at 'maxResults' failed to satisfy constraint: "
        "Member must be of type integer"
    )
    assert recorder.calls == []


def test_unknown_datastore_status_is_refused_naming_the_enum_set():
    message = refusal(handle("GET", "/datastore", "datastoreStatus=FOO"))

    assert message == (
        "1 validation error detected: Value 'FOO' at 'datastoreStatus' failed to satisfy constraint: "
        f"Member must satisfy enum value set: {STATUSES}"
    )


@pytest.mark.parametrize(
    "datastore_id",
    ["ABC", "", DATASTORE_ID + "a", DATASTORE_ID.upper()],
    ids=["short", "empty", "33", "upper"],
)
def test_malformed_datastore_id_is_refused_by_get_datastore_with_the_full_pattern(datastore_id):
    recorder = Recorder()
    message = refusal(handle("GET", f"/datastore/{datastore_id}", call=recorder))

    assert message == (
        f"1 validation error detected: Value '{datastore_id}' at 'datastoreId' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [0-9a-z]{32}"
    )
    assert recorder.calls == []


def test_version_id_pattern_accepts_ascii_digits_only():
    recorder = Recorder()
    response = handle("POST", f"{IMAGE_SET_PATH}/getImageSet", "version=%D9%A1", call=recorder)

    assert refusal(response) == (
        "1 validation error detected: Value '\u0661' at 'versionId' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: \\d+"
    )
    assert recorder.calls == []


def test_datastore_name_of_257_characters_is_refused_with_a_length_error():
    name = "a" * 257
    message = refusal(handle("POST", "/datastore", body={"clientToken": "token-1", "datastoreName": name}))

    assert message == (
        f"1 validation error detected: Value '{'a' * 100}...' at 'datastoreName' "
        "failed to satisfy constraint: Member must have length less than or equal to 256"
    )


def test_datastore_name_of_256_characters_is_passed_on():
    name = "a" * 256

    operation, params = passed_on(
        "POST", "/datastore", body={"clientToken": "token-1", "datastoreName": name}
    )

    assert (operation, params) == ("CreateDatastore", {"client_token": "token-1", "datastore_name": name})


def test_tag_key_starting_with_aws_prefix_is_refused_on_tag_resource():
    recorder = Recorder()
    response = handle("POST", f"/tags/{DATASTORE_ARN}", body={"tags": {"aws:owner": "x"}}, call=recorder)

    assert refusal(response) == (
        "1 validation error detected: Value 'aws:owner' at 'tags' failed to satisfy constraint: "
        "Map keys must satisfy constraint: [Member must satisfy regular expression pattern: "
        "(?!aws:)[a-zA-Z+-=._:/]+]"
    )
    assert recorder.calls == []


def test_tag_value_longer_than_256_is_refused_as_a_map_value():
    message = refusal(handle("POST", f"/tags/{DATASTORE_ARN}", body={"tags": {"team": "v" * 257}}))

    assert message.startswith("1 validation error detected: Value '" + "v" * 100 + "...' at 'tags'")
    assert message.endswith(
        "Map value must satisfy constraint: [Member must have length less than or equal to 256]"
    )


def test_untag_resource_repeated_tag_keys_decode_to_a_list_of_two():
    operation, params = passed_on("DELETE", f"/tags/{DATASTORE_ARN}", "tagKeys=a&tagKeys=b")

    assert operation == "UntagResource"
    assert params == {"resource_arn": DATASTORE_ARN, "tag_keys": ["a", "b"]}


def test_untag_resource_with_an_aws_prefixed_key_names_its_list_position():
    message = refusal(handle("DELETE", f"/tags/{DATASTORE_ARN}", "tagKeys=a&tagKeys=aws%3Aowner"))

    assert message == (
        "1 validation error detected: Value 'aws:owner' at 'tagKeys.2.member' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: (?!aws:)[a-zA-Z+-=._:/]+"
    )


@pytest.mark.parametrize("arn", [DATASTORE_ARN, IMAGE_SET_ARN], ids=["datastore", "imageset"])
@pytest.mark.parametrize("encoded", [True, False], ids=["one-encoded-segment", "decoded-with-slashes"])
def test_tag_arn_in_the_path_decodes_to_the_full_arn(arn, encoded):
    segment = arn.replace(":", "%3A").replace("/", "%2F") if encoded else arn

    operation, params = passed_on("GET", f"/tags/{segment}")

    assert operation == "ListTagsForResource"
    assert params == {"resource_arn": arn}


@pytest.mark.parametrize(("text", "value"), [("true", True), ("false", False)])
def test_query_boolean_force_decodes_to_a_bool(text, value):
    body = {"sourceImageSet": {"latestVersionId": "1"}}

    operation, params = passed_on("POST", f"{IMAGE_SET_PATH}/copyImageSet", f"force={text}", body)

    assert operation == "CopyImageSet"
    assert params["force"] is value


def test_query_boolean_force_yes_is_refused_naming_the_type():
    body = {"sourceImageSet": {"latestVersionId": "1"}}
    message = refusal(handle("POST", f"{IMAGE_SET_PATH}/copyImageSet", "force=yes", body))

    assert message == (
        "1 validation error detected: Value 'yes' at 'force' failed to satisfy constraint: "
        "Member must be of type boolean"
    )


def test_body_that_is_not_json_is_refused():
    recorder = Recorder()
    message = refusal(handle("POST", "/datastore", body=b'{"clientToken": "t",', call=recorder))

    assert message.startswith("The request body is not valid JSON: ")
    assert recorder.calls == []


@pytest.mark.parametrize("body", [["clientToken"], [], 0, ""], ids=["array", "empty-array", "zero", "string"])
def test_body_that_is_not_a_json_object_is_refused(body):
    message = refusal(handle("POST", "/datastore", body=body))

    assert message == "The request body must be a JSON object"


@pytest.mark.parametrize("nesting", ["[", '{"a":'], ids=["arrays", "objects"])
def test_body_nested_beyond_any_document_is_refused_not_a_recursion_error(nesting):
    recorder = Recorder()
    body = (nesting * 100_000).encode()
    message = refusal(handle("POST", f"{IMAGE_SET_PATH}/copyImageSet", body=body, call=recorder))

    assert message.startswith("The request body is nested deeper than ")
    assert recorder.calls == []


def test_body_that_is_not_utf8_is_refused_as_not_json():
    message = refusal(handle("POST", "/datastore", body=b'{"clientToken": "\xff"}'))

    assert message.startswith("The request body is not valid JSON: ")


def test_tag_key_with_aws_but_no_colon_is_passed_on():
    operation, params = passed_on("POST", f"/tags/{DATASTORE_ARN}", body={"tags": {"awsx": "x"}})

    assert (operation, params["tags"]) == ("TagResource", {"awsx": "x"})


@pytest.mark.parametrize("terminator", ["\n", "\r", "\u2028"], ids=["LF", "CR", "LINE-SEPARATOR"])
def test_role_arn_ending_in_a_line_terminator_is_refused_as_java_reads_the_dot(terminator):
    role = f"arn:aws:iam::123456789012:role/ImportRole{terminator}"
    body = {
        "clientToken": "t",
        "dataAccessRoleArn": role,
        "inputS3Uri": "s3://input-bucket/in/",
        "outputS3Uri": "s3://output-bucket/out/",
    }
    message = refusal(handle("POST", f"/startDICOMImportJob/datastore/{DATASTORE_ID}", body=body))

    assert message == (
        f"1 validation error detected: Value '{role}' at 'dataAccessRoleArn' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: arn:aws(-[^:]+)?:iam::[0-9]{12}:role/.+"
    )


@pytest.mark.parametrize(
    ("body", "shown", "path", "kind"),
    [
        ({"clientToken": "t", "datastoreName": 5}, "5", "datastoreName", "string"),
        ({"clientToken": "t", "datastoreName": True}, "True", "datastoreName", "string"),
        ({"clientToken": "t", "tags": ["a"]}, "['a']", "tags", "map"),
        ({"clientToken": "t", "tags": {"team": 1}}, "1", "tags.team", "string"),
    ],
    ids=["number-for-string", "bool-for-string", "list-for-map", "number-in-map"],
)
def test_json_value_of_the_wrong_type_is_refused_naming_the_field_and_type(body, shown, path, kind):
    message = refusal(handle("POST", "/datastore", body=body))

    assert message == (
        f"1 validation error detected: Value '{shown}' at '{path}' failed to satisfy constraint: "
        f"Member must be of type {kind}"
    )


def test_boolean_for_an_integer_in_a_payload_is_refused():
    body = {"filters": [{"values": [{"isPrimary": 1}], "operator": "EQUAL"}]}
    message = refusal(handle("POST", f"/datastore/{DATASTORE_ID}/searchImageSets", body=body))

    assert "at 'searchCriteria.filters.1.member.values.1.member.isPrimary'" in message
    assert message.endswith("Member must be of type boolean")


def test_invalid_base64_in_updatable_attributes_is_refused_naming_the_field():
    body = {"DICOMUpdates": {"updatableAttributes": "not base64!"}}
    recorder = Recorder()
    response = handle("POST", f"{IMAGE_SET_PATH}/updateImageSetMetadata", "latestVersion=1", body, recorder)

    message = refusal(response)
    assert message.startswith("1 validation error detected: ")
    assert "at 'updateImageSetMetadataUpdates.DICOMUpdates.updatableAttributes'" in message
    assert message.endswith("Member must be of type base64-encoded blob")
    assert recorder.calls == []


def test_invalid_base64_in_sensitive_updatable_attributes_is_not_echoed():
    body = {"DICOMUpdates": {"updatableAttributes": "PatientName=Doe^Jane"}}
    response = handle("POST", f"{IMAGE_SET_PATH}/updateImageSetMetadata", "latestVersion=1", body)

    message = refusal(response)
    assert "Doe^Jane" not in message
    assert message == (
        "1 validation error detected: "
        "Value at 'updateImageSetMetadataUpdates.DICOMUpdates.updatableAttributes' "
        "failed to satisfy constraint: Member must be of type base64-encoded blob"
    )


def test_valid_base64_updatable_attributes_are_passed_on_as_bytes():
    body = {"DICOMUpdates": {"updatableAttributes": "eyJhIjogMX0="}}

    _, params = passed_on("POST", f"{IMAGE_SET_PATH}/updateImageSetMetadata", "latestVersion=1", body)

    # Only the top-level keyword names are snake_case; nested members keep their model names.
    assert params["update_image_set_metadata_updates"] == {
        "DICOMUpdates": {"updatableAttributes": b'{"a": 1}'}
    }


def test_two_violations_are_reported_together():
    message = refusal(handle("GET", "/datastore", "maxResults=51&datastoreStatus=FOO"))

    assert message == (
        "2 validation errors detected: "
        "Value 'FOO' at 'datastoreStatus' failed to satisfy constraint: "
        f"Member must satisfy enum value set: {STATUSES}; "
        "Value '51' at 'maxResults' failed to satisfy constraint: "
        "Member must have value less than or equal to 50"
    )


def test_missing_required_query_member_is_refused_as_null():
    body = {"revertToVersionId": "1"}
    message = refusal(handle("POST", f"{IMAGE_SET_PATH}/updateImageSetMetadata", body=body))

    assert message == (
        "1 validation error detected: Value null at 'latestVersionId' failed to satisfy constraint: "
        "Member must not be null"
    )


def test_union_with_two_members_set_is_refused():
    body = {"revertToVersionId": "1", "DICOMUpdates": {"updatableAttributes": "eyJhIjogMX0="}}
    message = refusal(handle("POST", f"{IMAGE_SET_PATH}/updateImageSetMetadata", "latestVersion=2", body))

    assert message == (
        "1 validation error detected: Value at 'updateImageSetMetadataUpdates' failed to satisfy constraint: "
        "Member must have exactly one of [DICOMUpdates, revertToVersionId] set (got 2)"
    )


def search_filter(patient_id: str) -> dict[str, Any]:
    return {"values": [{"DICOMPatientId": patient_id}], "operator": "EQUAL"}


def test_search_with_three_filters_is_refused_with_a_list_size_error():
    recorder = Recorder()
    body = {"filters": [search_filter("P1"), search_filter("P2"), search_filter("P3")]}
    response = handle("POST", f"/datastore/{DATASTORE_ID}/searchImageSets", body=body, call=recorder)

    message = refusal(response)
    assert message.startswith("1 validation error detected: ")
    assert "at 'searchCriteria.filters' failed to satisfy constraint: " in message
    assert message.endswith("Member must have length less than or equal to 2")
    assert recorder.calls == []


def test_search_criteria_are_sensitive_so_a_too_long_filter_list_does_not_echo_patient_ids():
    body = {"filters": [search_filter("PAT-0001"), search_filter("PAT-0002"), search_filter("PAT-0003")]}
    message = refusal(handle("POST", f"/datastore/{DATASTORE_ID}/searchImageSets", body=body))

    assert "PAT-000" not in message
    assert message == (
        "1 validation error detected: Value at 'searchCriteria.filters' failed to satisfy constraint: "
        "Member must have length less than or equal to 2"
    )


def test_too_long_patient_id_is_refused_without_echoing_it():
    patient_id = "P" * 513
    body = {"filters": [search_filter(patient_id)]}
    message = refusal(handle("POST", f"/datastore/{DATASTORE_ID}/searchImageSets", body=body))

    assert "PPPP" not in message
    assert message == (
        "1 validation error detected: Value at "
        "'searchCriteria.filters.1.member.values.1.member.DICOMPatientId' failed to satisfy constraint: "
        "Member must have length less than or equal to 512"
    )


def test_unknown_path_is_404_unknown_operation():
    recorder = Recorder()
    message = refusal(handle("GET", "/no/such/operation", call=recorder), 404, "UnknownOperationException")

    assert message == "No medical-imaging operation matches GET /no/such/operation"
    assert recorder.calls == []


def test_path_known_only_for_another_method_is_404_unknown_operation():
    message = refusal(handle("PUT", "/datastore"), 404, "UnknownOperationException")

    assert message == "No medical-imaging operation matches PUT /datastore"


def test_service_layer_crash_is_500_internal_server_exception_without_a_traceback():
    def crash(operation: str, params: dict[str, Any]) -> dict[str, Any]:
        raise RuntimeError("backend exploded")

    message = refusal(handle("GET", "/datastore", call=crash), 500, "InternalServerException")

    assert message == "medimaging_mock internal error: RuntimeError('backend exploded')"
    assert "Traceback" not in message


def test_accepted_request_reaches_the_service_with_snake_case_typed_params():
    operation, params = passed_on("GET", "/datastore", "maxResults=50&datastoreStatus=ACTIVE&nextToken=a%2Bb")

    assert operation == "ListDatastores"
    assert params == {"max_results": 50, "datastore_status": "ACTIVE", "next_token": "a+b"}


# What a request line determines is remembered between calls of one endpoint; what else a call sends is not.

UPDATE_PATH = f"/datastore/{DATASTORE_ID}/imageSet/{IMAGE_SET_ID}/updateImageSetMetadata"


def update_body(text: bytes) -> dict[str, Any]:
    return {"DICOMUpdates": {"updatableAttributes": base64.b64encode(text).decode()}}


def test_one_path_called_again_passes_on_each_call_its_own_query_and_body():
    endpoint, recorder = RestJsonEndpoint(), Recorder()
    for version, text in (("1", b'{"a": 1}'), ("2", b'{"b": 2}')):
        body = json.dumps(update_body(text)).encode()
        request = HttpRequest("POST", UPDATE_PATH, f"latestVersion={version}", {}, body)
        assert endpoint.handle(request, recorder).status == 200

    (_, first), (_, second) = recorder.calls
    assert (first["latest_version_id"], second["latest_version_id"]) == ("1", "2")
    assert first["update_image_set_metadata_updates"]["DICOMUpdates"]["updatableAttributes"] == b'{"a": 1}'
    assert second["update_image_set_metadata_updates"]["DICOMUpdates"]["updatableAttributes"] == b'{"b": 2}'
    assert first["datastore_id"] == second["datastore_id"] == DATASTORE_ID


def test_a_path_with_a_bad_label_is_refused_on_every_call_and_named_with_the_others():
    endpoint, recorder = RestJsonEndpoint(), Recorder()
    path = f"/datastore/NOT-AN-ID/imageSet/{IMAGE_SET_ID}/updateImageSetMetadata"
    body = json.dumps(update_body(b"{}")).encode()

    answers = [
        endpoint.handle(HttpRequest("POST", path, query, {}, body), recorder)
        for query in ("latestVersion=1", "latestVersion=x1")
    ]

    assert "1 validation error detected: Value 'NOT-AN-ID' at 'datastoreId'" in refusal(answers[0])
    message = refusal(answers[1])
    assert message.startswith("2 validation errors detected: Value 'NOT-AN-ID' at 'datastoreId'")
    assert "Value 'x1' at 'latestVersionId'" in message
    assert recorder.calls == []


def test_a_good_path_after_a_bad_body_is_still_served():
    endpoint, recorder = RestJsonEndpoint(), Recorder()
    request = HttpRequest("POST", UPDATE_PATH, "latestVersion=1", {}, b'{"updateImageSetMetadataUpdates": 1}')
    refusal(endpoint.handle(request, recorder))

    good = json.dumps(update_body(b"{}")).encode()
    assert endpoint.handle(request._replace(body=good), recorder).status == 200
    assert len(recorder.calls) == 1
