"""Result -> HTTP response, driven by the output shape; errors -> `x-amzn-ErrorType` + {"message"}."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any

from botocore.model import OperationModel, Shape

from medimaging_mock.domain.errors import ServiceError
from medimaging_mock.wire.http import HttpResponse
from medimaging_mock.wire.model import error_statuses

JSON = "application/json"
_NOT_IMPLEMENTED = 501


def encode_result(operation: OperationModel, result: dict[str, Any]) -> HttpResponse:
    shape = operation.output_shape
    status = operation.http.get("responseCode", 200)
    if shape is None:
        return HttpResponse(status, {"Content-Type": JSON}, b"{}")
    headers: dict[str, str] = {}
    body_members: dict[str, Any] = {}
    payload = shape.serialization.get("payload")
    body: bytes | None = None
    for name, value in result.items():
        member = shape.members.get(name)
        if member is None or value is None:
            continue
        location = member.serialization.get("location")
        if location == "header":
            headers[member.serialization.get("name", name)] = _header_text(value)
        elif location == "statusCode":
            status = int(value)
        elif name == payload:
            body = value if member.type_name in ("blob", "string") else _json_bytes(_to_json(member, value))
        else:
            body_members[name] = value
    if body is None:
        body = _json_bytes(_to_json(shape, body_members))
        headers.setdefault("Content-Type", JSON)
    else:
        headers.setdefault("Content-Type", "application/octet-stream")
    if isinstance(body, str):
        body = body.encode("utf-8")
    return HttpResponse(status, headers, body)


def encode_error(error: ServiceError) -> HttpResponse:
    status = error_statuses().get(error.code, _NOT_IMPLEMENTED)
    return error_response(status, error.code, error.message)


def error_response(status: int, code: str, message: str) -> HttpResponse:
    headers = {"Content-Type": JSON, "x-amzn-ErrorType": code}
    return HttpResponse(status, headers, _json_bytes({"message": message}))


def _json_bytes(document: Any) -> bytes:
    return json.dumps(document, separators=(",", ":")).encode("utf-8")


def _header_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.strftime("%a, %d %b %Y %H:%M:%S GMT")
    return str(value)


def _to_json(shape: Shape, value: Any) -> Any:
    kind = shape.type_name
    if kind == "structure":
        members = shape.members  # as at the top level, what the shape does not model is not sent
        return {
            name: _to_json(members[name], item)
            for name, item in value.items()
            if item is not None and name in members
        }
    if kind == "list":
        return [_to_json(shape.member, item) for item in value]
    if kind == "map":
        return {key: _to_json(shape.value, item) for key, item in value.items()}
    if kind == "timestamp":
        return value.timestamp()
    if kind == "blob":
        return base64.b64encode(value).decode("ascii")
    return value
