"""Every operation of the model, fuzzed over the wire, in process and against moto's server: each request
gets a modelled answer (success, or one of the operation's modelled errors with the model's HTTP status),
never a 500 and never a hang.

Inputs come from each operation's input shape: values of the right type with wrong contents (control
characters, huge digits, any unicode, enum garbage, members left out), ids that name the seeded datastore and
image set, JSON documents in the blobs; then, on the raw HTTP path, bodies with values of the wrong type,
deep nesting and text that is not JSON. Beside the random requests, one sweep per operation puts every
hostile value (huge digits, a trailing newline, ...) in every place of a complete request.
"""

from __future__ import annotations

import copy
import json
import re
import reprlib
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import boto3
import botocore.session
import pytest
import requests
from aws_helpers import metadata, new_datastore
from botocore import xform_name
from botocore.auth import SigV4Auth
from botocore.awsrequest import create_request_object, prepare_request_dict
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError
from botocore.model import OperationModel, Shape
from botocore.serialize import create_serializer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from moto.server import ThreadedMotoServer

from medimaging_mock import MedicalImagingHandle, mock_medical_imaging
from medimaging_mock.samples import generated_study

MODEL = botocore.session.get_session().get_service_model("medical-imaging")
IN_PROCESS = "https://medical-imaging.us-east-1.amazonaws.com"
HANG_BOUND = 30.0  # seconds; every answer here takes milliseconds
EXAMPLES = 12  # per operation and mode: the whole module stays well under a minute on two cores
CONFIG = Config(
    parameter_validation=False,
    inject_host_prefix=False,
    retries={"total_max_attempts": 1},
    read_timeout=HANG_BOUND,
)
SERIALIZER = create_serializer("rest-json", include_validation=False)
CONTROL = "".join(map(chr, range(32))) + "\x7f\x85\u2028\u2029"
ODD_TEXT = ["", "9" * 5000, "1" + "0" * 4400, "-1", "a" * 3000, "aws:x", "NaN", "1e400", "null"]

JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from([10**400, -(10**400), 1.5, 1e308]),
    st.text(max_size=20),
    st.sampled_from(["\ud800", "9" * 5000, "", "\x00"]),
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
DEEP_JSON = st.integers(1, 5000).flatmap(
    lambda depth: st.sampled_from(["[" * depth + "]" * depth, '{"a":' * depth + "1" + "}" * depth])
)
NOT_JSON = st.sampled_from([b"{", b'{"a":', b"\xff\xfe", b"[1,]", b"NaN-", b'{"a": 1}}', b"\x00"])
ATTRIBUTES = ["PatientName", "PatientID", "StudyDescription", "StudyInstanceUID", "SeriesInstanceUID"]
ATTRIBUTES += ["SOPInstanceUID", "SeriesNumber", "InstanceNumber", "00100010", "00291010", "PixelData"]


def python_regex(java: str) -> re.Pattern[str]:
    return re.compile(java.replace(r"\p{ASCII}", r"[\x00-\x7f]"), re.ASCII)


def text_for(shape: Shape, known: dict[str, list[str]], well_formed: bool) -> st.SearchStrategy[str]:
    """Well formed: a known id, an enum value, or text of the pattern and length the model asks."""
    meta = shape.metadata
    if not well_formed:
        return st.one_of(
            st.text(max_size=40),
            st.text(alphabet=CONTROL + "a0:/.-", max_size=40),
            st.sampled_from(ODD_TEXT),
            text_for(shape, known, True),
        )
    if shape.name in known:
        return st.sampled_from(known[shape.name])
    if shape.enum:
        return st.sampled_from(shape.enum)
    low, high = meta.get("min", 0), meta.get("max", 64)
    if "pattern" in meta:
        texts = st.from_regex(python_regex(meta["pattern"]), fullmatch=True)
        return texts.filter(lambda text: low <= len(text) <= high)
    return st.text(min_size=low, max_size=min(high, 40))


def documents(known: dict[str, list[str]]) -> st.SearchStrategy[Any]:
    """Update and copy documents, aimed at the seeded image set's series and instances."""
    dicom = st.dictionaries(st.sampled_from(ATTRIBUTES) | st.text(max_size=8), JSON_VALUES, max_size=3)
    level = st.fixed_dictionaries({}, optional={"DICOM": dicom})
    instances = st.dictionaries(st.sampled_from(known["instance"]) | st.text(max_size=8), level, max_size=2)
    series_level = st.fixed_dictionaries({}, optional={"DICOM": dicom, "Instances": instances | JSON_VALUES})
    series = st.dictionaries(st.sampled_from(known["series"]) | st.text(max_size=8), series_level, max_size=2)
    study = st.fixed_dictionaries({}, optional={"DICOM": dicom, "Series": series | JSON_VALUES})
    return st.fixed_dictionaries(
        {"SchemaVersion": st.sampled_from(["1.1", "2", 1])},
        optional={"Study": study | JSON_VALUES, "Patient": level},
    ).map(lambda document: json.dumps(document).encode())


def blobs(known: dict[str, list[str]]) -> st.SearchStrategy[bytes]:
    return st.one_of(
        documents(known),
        JSON_VALUES.map(lambda value: json.dumps(value).encode()),
        DEEP_JSON.map(str.encode),
        NOT_JSON,
        st.binary(max_size=32),
    )


def is_label(shape: Shape) -> bool:
    return shape.serialization.get("location") == "uri"


def labels(operation: OperationModel) -> set[str]:
    return {name for name, member in operation.input_shape.members.items() if is_label(member)}


def values(
    shape: Shape, known: dict[str, list[str]], well_formed: bool, complete: bool = False
) -> st.SearchStrategy[Any]:
    """Values of the shape's type. Well formed: what the model asks (required members present, one member
    of a union, sizes and ranges kept); otherwise any contents, and any member but a URI label (a client
    cannot build the path without it) may be missing. Complete: well formed, with every member present."""
    kind, meta = shape.type_name, shape.metadata
    if kind == "structure":
        members = {name: values(m, known, well_formed, complete) for name, m in shape.members.items()}
        if well_formed and meta.get("union"):
            return st.one_of([st.fixed_dictionaries({name: value}) for name, value in members.items()])
        fixed = {name for name, member in shape.members.items() if is_label(member) or complete}
        fixed |= set(shape.required_members) if well_formed else set()
        return st.fixed_dictionaries({name: members.pop(name) for name in fixed}, optional=members)
    low, high = (min(meta.get("min", 0), 3), min(meta.get("max", 3), 3)) if well_formed else (0, 3)
    if kind == "list":
        return st.lists(values(shape.member, known, well_formed, complete), min_size=low, max_size=high)
    if kind == "map":
        items = values(shape.value, known, well_formed, complete)
        return st.dictionaries(text_for(shape.key, known, well_formed), items, min_size=low, max_size=high)
    if kind == "string":
        return text_for(shape, known, well_formed)
    if kind in ("integer", "long"):
        if well_formed:
            return st.integers(meta.get("min", 0), meta.get("max", 100))
        return st.integers(-5, 60) | st.integers(-(2**70), 2**70)
    if kind == "boolean":
        return st.booleans()
    if kind == "timestamp":
        if well_formed:
            return st.datetimes(datetime(1990, 1, 1), datetime(2100, 1, 1), timezones=st.just(UTC))
        return st.datetimes(timezones=st.just(UTC))
    if kind == "blob":
        return documents(known) if well_formed else blobs(known)
    raise AssertionError(f"no strategy for {kind} ({shape.name})")


def places(value: Any, shape: Shape) -> Iterator[tuple[Any, Any, Shape]]:
    """Every (container, key, shape) inside a value of `shape`."""
    if shape.type_name == "structure":
        items = [(name, item, shape.members[name]) for name, item in value.items()]
    elif shape.type_name == "list":
        items = [(index, item, shape.member) for index, item in enumerate(value)]
    elif shape.type_name == "map":
        items = [(key, item, shape.value) for key, item in value.items()]
    else:
        return
    for key, item, member in items:
        yield value, key, member
        yield from places(item, member)


def request_params(shape: Shape, known: dict[str, list[str]], data: st.DataObject) -> dict[str, Any]:
    """A well-formed request, the same with one value changed or removed, or anything of the right types."""
    params = data.draw(values(shape, known, well_formed=True), label="well-formed params")
    how = data.draw(st.sampled_from(["well formed", "one value changed", "anything"]), label="request")
    if how == "anything":
        return data.draw(values(shape, known, well_formed=False), label="params")
    spots = list(places(params, shape))
    if how == "one value changed" and spots:
        container, key, member = data.draw(st.sampled_from(spots), label="changed")
        if not is_label(member) and data.draw(st.booleans(), label="removed"):
            del container[key]
        else:
            container[key] = data.draw(values(member, known, well_formed=False), label="changed to")
    return params


def raw_body(body: bytes, shape: Shape, data: st.DataObject) -> bytes:
    """The serialized body, or one a client library would never send."""
    how = data.draw(st.sampled_from(["as sent", "member of the wrong type", "another body"]), label="body")
    if how == "as sent":
        return body
    if how == "member of the wrong type":
        document = json.loads(body) if body else {}
        names = [*shape.members, "unknown"]
        document[data.draw(st.sampled_from(names), label="member")] = data.draw(JSON_VALUES | DEEP_JSON)
        return json.dumps(document).encode()
    other = data.draw(JSON_VALUES.map(json.dumps) | DEEP_JSON | NOT_JSON, label="raw body")
    return other if isinstance(other, bytes) else other.encode()


def modelled(operation: OperationModel) -> dict[str, int]:
    """The operation's modelled errors and their statuses, less the one a defect of the mock answers."""
    return {
        shape.name: shape.metadata["error"]["httpStatusCode"]
        for shape in operation.error_shapes
        if shape.name != "InternalServerException"
    }


def assert_modelled(
    operation: OperationModel, status: int, code: str | None, text: Any, routed: bool = True
) -> None:
    """`routed`: the path still names the operation (not so when the HTTP client dropped a `.` segment)."""
    if status == operation.http.get("responseCode", 200) and code is None:
        return
    if not routed and (status, code) == (404, "UnknownOperationException"):
        return
    assert code in modelled(operation), (status, code, text)
    assert status == modelled(operation)[code], (status, code, text)


def through_client(client: Any, operation: OperationModel, params: dict[str, Any]) -> None:
    try:
        response = getattr(client, xform_name(operation.name))(**params)
    except ClientError as error:
        answer = error.response
        status, message = answer["ResponseMetadata"]["HTTPStatusCode"], answer["Error"].get("Message")
        assert_modelled(operation, status, answer["Error"]["Code"], (message, reprlib.repr(params)))
    else:
        assert_modelled(operation, response["ResponseMetadata"]["HTTPStatusCode"], None, response)


def through_raw_http(
    base: str, operation: OperationModel, params: dict[str, Any], data: st.DataObject
) -> None:
    request = SERIALIZER.serialize_to_request(params, operation)
    request.pop("host_prefix", None)  # as `inject_host_prefix=False`: the server has one host
    prepare_request_dict(request, endpoint_url=base)
    aws_request = create_request_object(request)
    aws_request.data = raw_body(aws_request.body or b"", operation.input_shape, data)
    SigV4Auth(Credentials("testing", "testing"), "medical-imaging", "us-east-1").add_auth(aws_request)
    prepared = aws_request.prepare()
    response = requests.request(
        prepared.method, prepared.url, headers=dict(prepared.headers), data=prepared.body, timeout=HANG_BOUND
    )
    # `requests` removes `.` and `..` segments from a path, as browsers do; botocore sends them as they are
    routed = not {".", ".."} & {value for name, value in params.items() if name in labels(operation)}
    code = response.headers.get("x-amzn-ErrorType")
    assert_modelled(operation, response.status_code, code, response.text, routed)


def known_ids(mi: MedicalImagingHandle, client: Any) -> dict[str, list[str]]:
    """Seed one ACTIVE datastore with one image set: the ids (and UIDs) the fuzzer may name."""
    datastore_id = new_datastore(client)
    image_set_id = mi.create_image_set(datastore_id, generated_study(instances_per_series=2, size=8))
    document = metadata(client, datastore_id, image_set_id)
    arn = client.get_datastore(datastoreId=datastore_id)["datastoreProperties"]["datastoreArn"]
    (series_uid, series), *_ = document["Study"]["Series"].items()
    instances = series["Instances"]
    return {
        "DatastoreId": [datastore_id],
        "ImageSetId": [image_set_id],
        "Arn": [arn, f"{arn}/imageset/{image_set_id}"],
        "ImageSetExternalVersionId": ["1", "2"],
        "AwsAccountId": ["123456789012"],
        "ImageFrameId": [frame["ID"] for instance in instances.values() for frame in instance["ImageFrames"]],
        "series": [series_uid],
        "instance": list(instances),
    }


@contextmanager
def seeded(base: str, client: Any) -> Iterator[dict[str, list[str]]]:
    """In process: a started mock. Against the server: its state reset, and no mock in this process, so
    that the client's calls reach the server (the server shares this process's backends)."""
    if base == IN_PROCESS:
        with mock_medical_imaging() as mi:
            yield known_ids(mi, client)
    else:
        requests.post(f"{base}/moto-api/reset", timeout=HANG_BOUND)
        yield known_ids(MedicalImagingHandle(), client)


REMOVED = object()


def hostile(shape: Shape, value: Any) -> list[Any]:
    """Values of the right type that a service must refuse or survive, for the place `value` holds."""
    kind = shape.type_name
    if kind == "string":
        return ["", "\n", value + "\n", value + "\x00", "9" * 5000, "1" + "0" * 4400, "a" * 3000]
    if kind in ("integer", "long"):
        return [-1, 0, 2**63, 10**400]
    if kind == "blob":
        return [b"", b"null", b'"x"', b"[" * 5000 + b"]" * 5000, b"\xff"]
    if kind == "timestamp":
        return [datetime(1, 1, 1, tzinfo=UTC), datetime(9999, 12, 31, tzinfo=UTC)]
    if kind in ("list", "map", "structure"):
        return [type(value)()]
    return []


def variants(params: dict[str, Any], shape: Shape) -> Iterator[dict[str, Any]]:
    """`params` with one place removed or holding a hostile value, for every place and value."""
    for index, (container, key, member) in enumerate(places(params, shape)):
        replacements = ([] if is_label(member) else [REMOVED]) + hostile(member, container[key])
        for replacement in replacements:
            changed = copy.deepcopy(params)
            place, key, _ = list(places(changed, shape))[index]
            if replacement is REMOVED:
                del place[key]
            else:
                place[key] = replacement
            yield changed


def run(operation_name: str, base: str, examples: int, send: Any) -> None:
    """`send(operation, known ids, client, data)` once per example, against the seeded state."""
    operation = MODEL.operation_model(operation_name)
    client = boto3.client("medical-imaging", region_name="us-east-1", endpoint_url=base, config=CONFIG)
    with seeded(base, client) as known:

        @settings(
            max_examples=examples,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        )
        @given(data=st.data())
        def example(data: st.DataObject) -> None:
            started = time.perf_counter()
            send(operation, known, client, data)
            assert time.perf_counter() - started < HANG_BOUND

        example()


def one_request(operation: OperationModel, known: Any, client: Any, data: st.DataObject) -> None:
    params = request_params(operation.input_shape, known, data)
    if data.draw(st.booleans(), label="raw HTTP"):
        through_raw_http(client.meta.endpoint_url, operation, params, data)
    else:
        through_client(client, operation, params)


def every_place_every_hostile_value(operation: OperationModel, known: Any, client: Any, data: Any) -> None:
    params = data.draw(values(operation.input_shape, known, well_formed=True, complete=True), label="params")
    for changed in [params, *variants(params, operation.input_shape)]:
        through_client(client, operation, changed)


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    server = ThreadedMotoServer(port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.mark.parametrize("operation_name", MODEL.operation_names)
def test_every_request_in_process_gets_a_modelled_answer(operation_name):
    run(operation_name, IN_PROCESS, EXAMPLES, one_request)


@pytest.mark.parametrize("operation_name", MODEL.operation_names)
def test_every_request_to_the_server_gets_a_modelled_answer(operation_name, server_url):
    run(operation_name, server_url, EXAMPLES, one_request)


@pytest.mark.parametrize("operation_name", MODEL.operation_names)
def test_every_hostile_value_in_every_place_gets_a_modelled_answer_in_process(operation_name):
    run(operation_name, IN_PROCESS, 1, every_place_every_hostile_value)


@pytest.mark.parametrize("operation_name", MODEL.operation_names)
def test_every_hostile_value_in_every_place_gets_a_modelled_answer_from_the_server(
    operation_name, server_url
):
    run(operation_name, server_url, 1, every_place_every_hostile_value)
