"""Result -> HTTP response, driven by the output shape; errors -> `x-amzn-ErrorType` + {"message"}.

Each operation's output is compiled once into a plan: where each member goes, and a converter per shape
that visits only structures, which drop null members and members the shape does not model (a structure
that has neither is sent as it is, uncopied). Timestamps and blobs, wherever they are, are written by
the JSON writer's default hook, so no call walks the model or a result for them.
"""

from __future__ import annotations

import base64
import functools
import operator
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from itertools import compress
from typing import Any

from botocore.model import ListShape, MapShape, OperationModel, Shape, StructureShape

from medimaging_mock.domain.errors import ServiceError
from medimaging_mock.domain.json_text import dumps
from medimaging_mock.wire.http import HttpResponse
from medimaging_mock.wire.model import error_statuses

JSON = "application/json"
_NOT_IMPLEMENTED = 501


Converter = Callable[[Any], Any]


@dataclass(frozen=True)
class _OutputPlan:
    status: int
    headers: dict[str, str]  # member -> header name
    status_member: str | None
    payload: str | None
    payload_converter: Converter | None  # None: the payload is sent as it is (blob or string)
    body: Converter  # the structure of the body members
    body_only: bool  # every output member is in the JSON body (most operations)


def encode_result(operation: OperationModel, result: dict[str, Any]) -> HttpResponse:
    plan = _plan(operation)
    if plan is None:
        return HttpResponse(operation.http.get("responseCode", 200), {"Content-Type": JSON}, b"{}")
    if plan.body_only:
        return HttpResponse(plan.status, {"Content-Type": JSON}, _json(plan.body(result)))
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
        payload_converter = _converter(shape.members[payload]) or _identity
    return _OutputPlan(
        operation.http.get("responseCode", 200),
        headers,
        status_member,
        payload,
        payload_converter,
        _structure(body_members),
        not (headers or status_member or payload),
    )


def _identity(value: Any) -> Any:
    return value


def _json_value(value: Any) -> Any:
    """The modelled types JSON has no form of its own for: a timestamp is epoch seconds (the protocol's
    default, and the only timestamp format this model uses), a blob is base64."""
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"{type(value).__name__} is not JSON")


def _json(value: Any) -> bytes:
    return dumps(value, _json_value)


@functools.cache
def _converter(shape: Shape) -> Converter | None:
    """None: every value of `shape` is sent as it is."""
    if isinstance(shape, StructureShape):
        return _structure(shape.members)
    if isinstance(shape, ListShape | MapShape):
        inner = _converter(shape.member if isinstance(shape, ListShape) else shape.value)
        if inner is None:
            return None
        if isinstance(shape, ListShape):
            return lambda value: [inner(item) for item in value]
        return lambda value: {key: inner(item) for key, item in value.items()}
    return None


def _structure(members: dict[str, Shape]) -> Converter:
    """Null members and members the shape does not model are not sent; structures inside are converted.
    A value with nothing to drop is sent as it is: the checks and the usual drop of nulls run in C."""
    modelled = frozenset(members)
    nested = tuple((name, inner) for name, member in members.items() if (inner := _converter(member)))

    def convert(value: dict[str, Any]) -> dict[str, Any]:
        sent = value
        if None in value.values():
            sent = dict(compress(value.items(), map(_is_not_none, value.values())))
        if not sent.keys() <= modelled:
            sent = {name: item for name, item in sent.items() if name in modelled}
        for name, inner in nested:
            item = sent.get(name)
            if item is not None:
                if sent is value:
                    sent = dict(value)  # the caller's value is never changed
                sent[name] = inner(item)
        return sent

    return convert


_is_not_none = functools.partial(operator.is_not, None)


def _header_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.strftime("%a, %d %b %Y %H:%M:%S GMT")
    return str(value)
