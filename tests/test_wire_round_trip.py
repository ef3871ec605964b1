"""Every operation of the model, both directions, against botocore's own serializer and parser.

Requests: botocore serializes a fully populated input, the wire layer routes and decodes it back.
Responses: the wire layer encodes a fully populated output, botocore parses it back.
"""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from botocore.awsrequest import HeadersDict, prepare_request_dict
from botocore.model import Shape
from botocore.parsers import create_parser
from botocore.response import StreamingBody
from botocore.serialize import create_serializer
from hypothesis import given, settings
from hypothesis import strategies as st
from model_features import needs_millisecond_timestamps

from medimaging_mock.domain.errors import MODELLED_ERRORS, OperationNotImplemented
from medimaging_mock.wire import endpoint, validation
from medimaging_mock.wire.decoding import decode_request
from medimaging_mock.wire.encoding import encode_error, encode_result
from medimaging_mock.wire.model import service_model
from medimaging_mock.wire.routing import Router

ENDPOINT_URL = "https://medical-imaging.us-east-1.amazonaws.com"
INSTANT = datetime(2024, 5, 17, 8, 30, 15, 123000, tzinfo=UTC)
ID_PATTERN = "[0-9a-z]{32}"
IMAGE_SET_ARN = (
    "arn:aws:medical-imaging:us-east-1:123456789012:"
    "datastore/0123456789abcdef0123456789abcdef/imageset/fedcba9876543210fedcba9876543210"
)
PATTERN_SAMPLES = {
    r"\d+": "42",
    (
        r"arn:aws((-us-gov)|(-iso)|(-iso-b)|(-cn))?:medical-imaging:[a-z0-9-]+:[0-9]{12}:"
        r"datastore/[0-9a-z]{32}(/imageset/[0-9a-z]{32})?"
    ): IMAGE_SET_ARN,
    r"[A-Za-z0-9._/#-]+": "ct/2024#1.scans",
    r"[A-Za-z0-9._-]+": "token-2024.05_17",
    r"(?!aws:)[a-zA-Z+-=._:/]+": "cost-center:team/a=b",
    (
        r"arn:aws[a-zA-Z-]{0,16}:kms:[a-z]{2}(-[a-z]{1,16}){1,3}-\d{1}:\d{12}:"
        r"((key/[a-fA-F0-9]{8}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{12})"
        r"|(alias/[a-zA-Z0-9:/_-]{1,256}))"
    ): "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    (
        r"arn:(aws[a-zA-Z-]*)?:lambda:[a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+-\d{1}:\d{12}:"
        r"function:[a-zA-Z0-9-_]+(:(\$LATEST|[a-zA-Z0-9-_]+))?"
    ): "arn:aws:lambda:us-east-1:123456789012:function:authorizer:$LATEST",
    r"[0-9a-z]+": "7f3e9a",
    r"arn:aws(-[^:]+)?:iam::[0-9]{12}:role/.+": "arn:aws:iam::123456789012:role/HealthImagingImport",
    r"s3://[a-z0-9][\.\-a-z0-9]{1,61}[a-z0-9](/.*)?": "s3://imaging-bucket.example/dicom/2024 05/",
    r"[\w -:`]+": "Import finished: 3 of 3 files",
    r"[0-9.]+": "1.2.840.113619.2.55.3.604688119",
    r"[a-zA-Z0-9!-~]+([a-zA-Z0-9!-~ ]*[a-zA-Z0-9!-~]+)*": "metadata/study 1.json",
    r"\p{ASCII}{0,8192}": "opaque+token/with=padding&more==",
}
HEADER_SAMPLES = {"contentType": "image/jphc", "contentEncoding": "gzip"}


def sample(shape: Shape, name: str, variant: int = 0, minimal: bool = False) -> Any:
    """A value `shape` accepts: `variant` picks union members and enum values; `minimal`: required only."""
    kind = shape.type_name
    if kind == "structure":
        names = list(shape.members)
        if shape.metadata.get("union"):
            names = [names[variant % len(names)]]
        elif minimal:
            names = shape.required_members
        return {member: sample(shape.members[member], member, variant, minimal) for member in names}
    if kind == "list":
        return [sample(shape.member, name, variant + index, minimal) for index in range(2)]
    if kind == "map":
        return {sample(shape.key, name): sample(shape.value, name)}
    if kind == "string":
        pattern = shape.metadata.get("pattern")
        if shape.enum:
            return shape.enum[variant % len(shape.enum)]
        if pattern == ID_PATTERN:
            return hashlib.md5(name.encode()).hexdigest()  # 32 lowercase hex, distinct per member
        if shape.name == "AwsAccountId":  # `\d+` with exactly 12 digits
            return "123456789012"
        if pattern:
            return PATTERN_SAMPLES[pattern]
        return HEADER_SAMPLES.get(name, f"{name} value")[: shape.metadata.get("max")]
    if kind == "blob":
        return b"\xffO\xffQ\x00\x80 " + name.encode()
    if kind in ("integer", "long"):
        return min(max(7, shape.metadata.get("min", 7)), shape.metadata.get("max", 7))
    if kind == "boolean":
        return True
    if kind == "timestamp":
        return INSTANT
    raise AssertionError(f"no sample for {shape.name} ({kind})")


def widest_union(shape: Shape | None) -> int:
    if shape is None:
        return 1
    if shape.type_name == "list":
        return widest_union(shape.member)
    if shape.type_name != "structure":
        return 1
    own = len(shape.members) if shape.metadata.get("union") else 1
    return max([own, *(widest_union(member) for member in shape.members.values())])


def holds_timestamp(value: Any) -> bool:
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        return any(holds_timestamp(item) for item in value)
    return isinstance(value, datetime)


MODEL = service_model()
OPERATIONS = MODEL.operation_names


def request_case(name: str, variant: int, minimal: bool, case_id: str) -> Any:
    """A case whose input holds a timestamp needs a botocore that sends its milliseconds."""
    params = sample(MODEL.operation_model(name).input_shape, name, variant, minimal)
    marks = needs_millisecond_timestamps if holds_timestamp(params) else ()
    return pytest.param(name, variant, minimal, id=case_id, marks=marks)


REQUEST_CASES = [
    *(
        request_case(name, variant, False, f"{name}-{variant}")
        for name in OPERATIONS
        for variant in range(widest_union(MODEL.operation_model(name).input_shape))
    ),
    *(request_case(name, 0, True, f"{name}-required-only") for name in OPERATIONS),
]
RESPONSE_CASES = [
    pytest.param(name, variant, id=f"{name}-{variant}")
    for name in OPERATIONS
    for variant in range(widest_union(MODEL.operation_model(name).output_shape))
]


def send(operation_name: str, params: dict[str, Any]) -> tuple[str, dict[str, str], dict[str, Any]]:
    """botocore's request for `params`, routed and decoded by the wire layer."""
    operation = MODEL.operation_model(operation_name)
    request = create_serializer("rest-json").serialize_to_request(params, operation)
    prepare_request_dict(request, endpoint_url=ENDPOINT_URL)
    url = urlsplit(request["url"])
    matched = Router(MODEL).match(request["method"], url.path)
    assert matched is not None, f"{request['method']} {url.path} is not routed"
    routed, labels = matched
    body = request["body"].encode() if isinstance(request["body"], str) else request["body"]
    query = parse_qs(url.query, keep_blank_values=True)
    return routed.name, labels, decode_request(routed, labels, query, request["headers"], body)


def parse(status: int, headers: dict[str, str], body: Any, shape: Shape | None) -> dict[str, Any]:
    return create_parser("rest-json").parse(
        {"status_code": status, "headers": HeadersDict(headers), "body": body}, shape
    )


@pytest.mark.parametrize(("operation_name", "variant", "minimal"), REQUEST_CASES)
def test_botocore_request_decodes_to_the_params_it_was_built_from(operation_name, variant, minimal):
    operation = MODEL.operation_model(operation_name)
    params = sample(operation.input_shape, operation_name, variant, minimal)

    routed, _, decoded = send(operation_name, params)

    # botocore sends `{}` for an unset structure payload (SearchImageSets.searchCriteria): on the wire that
    # is the empty structure.
    payload = operation.input_shape.serialization.get("payload")
    expected = {payload: {}, **params} if payload and payload not in params else params
    assert routed == operation_name
    assert decoded == expected
    validation.check(operation.input_shape, decoded)


@needs_millisecond_timestamps
def test_timestamp_in_a_body_decodes_to_a_utc_datetime():
    criteria = {"filters": [{"values": [{"createdAt": INSTANT}], "operator": "EQUAL"}]}

    _, _, decoded = send("SearchImageSets", {"datastoreId": "a" * 32, "searchCriteria": criteria})

    created = decoded["searchCriteria"]["filters"][0]["values"][0]["createdAt"]
    assert created == INSTANT
    assert created.utcoffset() == timedelta(0)


def test_blob_in_a_body_decodes_to_the_bytes_botocore_base64_encoded():
    updates = {"DICOMUpdates": {"updatableAttributes": b'{"SchemaVersion": "1.1"}'}}
    params = {"datastoreId": "a" * 32, "imageSetId": "b" * 32, "latestVersionId": "1"}

    _, _, decoded = send("UpdateImageSetMetadata", {**params, "updateImageSetMetadataUpdates": updates})

    assert decoded["updateImageSetMetadataUpdates"] == updates


def test_arn_label_percent_encoded_by_botocore_decodes_to_the_whole_arn():
    _, labels, decoded = send("UntagResource", {"resourceArn": IMAGE_SET_ARN, "tagKeys": ["a", "b:c/d"]})

    assert labels["resourceArn"] == IMAGE_SET_ARN.replace(":", "%3A").replace("/", "%2F")
    assert decoded == {"resourceArn": IMAGE_SET_ARN, "tagKeys": ["a", "b:c/d"]}


@pytest.mark.parametrize(("operation_name", "variant"), RESPONSE_CASES)
def test_encoded_result_parses_back_to_the_result(operation_name, variant):
    operation = MODEL.operation_model(operation_name)
    result = sample(operation.output_shape, operation_name, variant)

    response = encode_result(operation, result)
    body = response.body
    if operation.has_streaming_output:
        body = StreamingBody(io.BytesIO(response.body), len(response.body))
    parsed = parse(response.status, response.headers, body, operation.output_shape)

    assert parsed.pop("ResponseMetadata")["HTTPStatusCode"] == operation.http["responseCode"]
    if operation.has_streaming_output:
        payload = operation.output_shape.serialization["payload"]
        parsed[payload] = parsed[payload].read()
    assert parsed == result


@pytest.mark.parametrize(
    ("operation_name", "content_encoding"),
    [("GetImageFrame", None), ("GetImageSetMetadata", "gzip")],  # GetImageFrame models no encoding
)
def test_streaming_payload_is_the_raw_body_with_its_headers(operation_name, content_encoding):
    operation = MODEL.operation_model(operation_name)
    result = sample(operation.output_shape, operation_name)
    payload = operation.output_shape.serialization["payload"]

    response = encode_result(operation, result)

    assert response.body == b"\xffO\xffQ\x00\x80 " + payload.encode()
    assert response.headers["Content-Type"] == "image/jphc"
    assert response.headers.get("Content-Encoding") == content_encoding


def test_timestamps_are_encoded_as_epoch_seconds_with_milliseconds():
    operation = MODEL.operation_model("StartDICOMImportJob")
    result = sample(operation.output_shape, "StartDICOMImportJob")

    response = encode_result(operation, result)

    assert b'"submittedAt":1715934615.123' in response.body


def test_every_modelled_error_has_an_exception_class():
    assert set(MODELLED_ERRORS) == {shape.name for shape in MODEL.error_shapes}


@pytest.mark.parametrize("error_shape", MODEL.error_shapes, ids=lambda shape: shape.name)
def test_modelled_error_parses_to_its_code_message_and_status(error_shape):
    response = encode_error(MODELLED_ERRORS[error_shape.name]("msg"))
    parsed = parse(
        response.status, response.headers, response.body, MODEL.operation_model("ListDatastores").output_shape
    )

    assert response.status == error_shape.metadata["error"]["httpStatusCode"]
    assert response.headers["x-amzn-ErrorType"] == error_shape.name
    assert parsed["Error"]["Code"] == error_shape.name
    assert parsed["Error"]["Message"] == "msg"
    assert parsed["ResponseMetadata"]["HTTPStatusCode"] == response.status


def test_operation_not_implemented_is_501_with_its_code():
    response = encode_error(OperationNotImplemented("GetImageFrame is not implemented yet"))
    parsed = parse(
        response.status, response.headers, response.body, MODEL.operation_model("GetImageFrame").output_shape
    )

    assert response.status == 501
    assert parsed["Error"] == {"Code": "NotImplemented", "Message": "GetImageFrame is not implemented yet"}


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab=&%+;2F x\u00e9", max_size=24))
def test_query_strings_read_as_urllib_reads_them(text):
    """The endpoint splits the usual query itself; every query means what urllib's parse_qs makes of it."""
    assert endpoint._query(text) == parse_qs(text, keep_blank_values=True)
