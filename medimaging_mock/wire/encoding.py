"""Result -> HTTP response, driven by the output shape; errors -> `x-amzn-ErrorType` + {"message"}.

Each operation's output is compiled once into a plan (where each member goes, and a converter per shape
that visits only what needs converting: timestamps, blobs, and structures, which drop null members and
members the shape does not model), so a call does no walk of the model.
"""

from __future__ import annotations

import base64
import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from json.encoder import c_make_encoder, encode_basestring_ascii  # type: ignore[attr-defined]
from typing import Any

from botocore.model import ListShape, MapShape, OperationModel, Shape, StructureShape

from medimaging_mock.domain.errors import ServiceError
from medimaging_mock.wire.http import HttpResponse
from medimaging_mock.wire.model import error_statuses

JSON = "application/json"
_NOT_IMPLEMENTED = 501


def _not_json(value: Any) -> Any:
    raise TypeError(f"{type(value).__name__} is not JSON")


# json's own C encoder, made once (json.dumps makes one per call); compact, non-ASCII escaped as json.dumps
_C_ENCODER = c_make_encoder(None, _not_json, encode_basestring_ascii, None, ":", ",", False, False, True)


def _json(value: Any) -> bytes:
    return "".join(_C_ENCODER(value, 0)).encode("ascii")


Converter = Callable[[Any], Any]


@dataclass(frozen=True)
class _OutputPlan:
    status: int
    headers: dict[str, str]  # member -> header name
    status_member: str | None
    payload: str | None
    payload_converter: Converter | None  # None: the payload is sent as it is (blob or string)
    body: Converter  # the structure of the body members


def encode_result(operation: OperationModel, result: dict[str, Any]) -> HttpResponse:
    plan = _plan(operation)
    if plan is None:
        return HttpResponse(operation.http.get("responseCode", 200), {"Content-Type": JSON}, b"{}")
    status, headers, body = plan.status, {}, None
    for name, header in plan.headers.items():
        if result.get(name) is not None:
            headers[header] = _header_text(result[name])
    if plan.status_member and result.get(plan.status_member) is not None:
        status = int(result[plan.status_member])
    if plan.payload and result.get(plan.payload) is not None:
        payload = result[plan.payload]
        body = _json(plan.payload_converter(payload)) if plan.payload_converter else payload
        headers.setdefault("Content-Type", "application/octet-stream")
    else:
        body = _json(plan.body(result))
        headers.setdefault("Content-Type", JSON)
    return HttpResponse(status, headers, body.encode("utf-8") if isinstance(body, str) else body)


def encode_error(error: ServiceError) -> HttpResponse:
    status = error_statuses().get(error.code, _NOT_IMPLEMENTED)
    return error_response(status, error.code, error.message)


def error_response(status: int, code: str, message: str) -> HttpResponse:
    headers = {"Content-Type": JSON, "x-amzn-ErrorType": code}
    return HttpResponse(status, headers, _json({"message": message}))


@functools.cache
def _plan(operation: OperationModel) -> _OutputPlan | None:
    shape = operation.output_shape
    if shape is None:
        return None
    headers, status_member, body_members = {}, None, {}
    payload = shape.serialization.get("payload")
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        if location == "header":
            headers[name] = member.serialization.get("name", name)
        elif location == "statusCode":
            status_member = name
        elif name != payload:
            body_members[name] = member
    payload_converter = None
    if payload is not None and shape.members[payload].type_name not in ("blob", "string"):
        payload_converter = _converter(shape.members[payload])
    return _OutputPlan(
        operation.http.get("responseCode", 200),
        headers,
        status_member,
        payload,
        payload_converter,
        _structure(body_members),
    )


def _identity(value: Any) -> Any:
    return value


def _blob(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")


_SCALAR_CONVERTERS: dict[str, Converter] = {"timestamp": datetime.timestamp, "blob": _blob}


@functools.cache
def _converter(shape: Shape) -> Converter:
    if isinstance(shape, StructureShape):
        return _structure(shape.members)
    if isinstance(shape, ListShape | MapShape):
        inner = _converter(shape.member if isinstance(shape, ListShape) else shape.value)
        if inner is _identity:
            return _identity
        if isinstance(shape, ListShape):
            return lambda value: [inner(item) for item in value]
        return lambda value: {key: inner(item) for key, item in value.items()}
    return _SCALAR_CONVERTERS.get(shape.type_name, _identity)


def _structure(members: dict[str, Shape]) -> Converter:
    """Null members and members the shape does not model are not sent; the rest converted as needed."""
    plain = frozenset(name for name, member in members.items() if _converter(member) is _identity)
    converted = {name: _converter(member) for name, member in members.items() if name not in plain}
    if not converted:  # e.g. a search summary's DICOMTags: only members to keep or drop

        def keep(value: dict[str, Any]) -> dict[str, Any]:
            return {name: item for name, item in value.items() if item is not None and name in plain}

        return keep
    modelled = plain | converted.keys()

    def convert(value: dict[str, Any]) -> dict[str, Any]:
        return {
            name: item if name in plain else converted[name](item)
            for name, item in value.items()
            if item is not None and name in modelled
        }

    return convert


def _header_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.strftime("%a, %d %b %Y %H:%M:%S GMT")
    return str(value)
