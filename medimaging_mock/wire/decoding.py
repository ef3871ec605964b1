"""Request -> params: URI labels, query strings, headers and JSON bodies decoded by the input shape.

Every value is converted to its modelled type (blobs base64-decoded, timestamps to aware datetimes);
a value of the wrong type is the client's mistake and answers ValidationException.
"""

from __future__ import annotations

import base64
import binascii
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from urllib.parse import unquote

from botocore.model import OperationModel, Shape
from botocore.utils import parse_timestamp

from medimaging_mock.domain import json_text
from medimaging_mock.domain.errors import ValidationException
from medimaging_mock.wire.validation import describe, failure

_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "structure": (dict,),
    "map": (dict,),
    "list": (list,),
    "string": (str,),
    "boolean": (bool,),
    "integer": (int,),
    "long": (int,),
    "float": (int, float),
    "double": (int, float),
    "blob": (str,),
    "timestamp": (int, float, str),
}


@dataclass(frozen=True)
class _InputPlan:
    """Where each input member travels, read from the model once per operation."""

    labels: tuple[tuple[str, str, Shape], ...]  # (member, wire name, shape)
    queries: tuple[tuple[str, str, Shape], ...]
    headers: tuple[tuple[str, str, Shape], ...]  # wire names in lower case
    payload: tuple[str, Shape] | None
    body_members: tuple[tuple[str, Shape], ...]


@functools.cache
def _plan(operation: OperationModel) -> _InputPlan | None:
    shape = operation.input_shape
    if shape is None:
        return None
    located: dict[str, list[tuple[str, str, Shape]]] = {"uri": [], "querystring": [], "header": []}
    payload_name = shape.serialization.get("payload")
    payload, body_members = None, []
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        wire_name = member.serialization.get("name", name)
        if location in located:
            located[location].append((name, wire_name.lower() if location == "header" else wire_name, member))
        elif name == payload_name:
            payload = (name, member)
        else:
            body_members.append((name, member))
    return _InputPlan(
        tuple(located["uri"]),
        tuple(located["querystring"]),
        tuple(located["header"]),
        payload,
        tuple(body_members),
    )


def decode_request(
    operation: OperationModel,
    labels: Mapping[str, str],
    query: Mapping[str, list[str]],
    headers: Mapping[str, str],
    body: bytes,
) -> dict[str, Any]:
    """`headers` are keyed in lower case."""
    plan = _plan(operation)
    if plan is None:
        return {}
    params: dict[str, Any] = {}
    for name, wire_name, member in plan.labels:
        if wire_name in labels:
            params[name] = _from_text(member, unquote(labels[wire_name]), name)
    for name, wire_name, member in plan.queries:
        if wire_name in query:
            if member.type_name == "list":
                params[name] = [_from_text(member.member, text, name) for text in query[wire_name]]
            else:
                params[name] = _from_text(member, query[wire_name][0], name)
    for name, wire_name, member in plan.headers:
        if wire_name in headers:
            params[name] = _from_text(member, headers[wire_name], name)
    if plan.payload is not None:
        name, member = plan.payload
        if member.type_name in ("blob", "string"):
            if body:
                params[name] = body if member.type_name == "blob" else body.decode("utf-8")
        else:
            document = _json_body(body)
            if document is not None:
                params[name] = _from_json(member, document, name)
    if plan.body_members:
        document = _json_body(body)
        if document is None:
            document = {}
        if not isinstance(document, dict):
            raise ValidationException("The request body must be a JSON object")
        for name, member in plan.body_members:
            if document.get(name) is not None:
                params[name] = _from_json(member, document[name], name)
    return params


def _json_body(body: bytes) -> Any:
    """Bounded in depth, so that `_from_json` and the checks, which recurse along it, cannot overflow."""
    return json_text.parse(body, "The request body") if body.strip() else None


_INTEGER = re.compile(r"[+-]?[0-9]+", re.ASCII)


def _type_error(path: str, value: Any, expected: str, sensitive: bool) -> ValidationException:
    return failure([describe(path, value, f"Member must be of type {expected}", sensitive)])


def _from_text(shape: Shape, text: str, path: str) -> Any:
    """A URI label, query value or header, typed by its shape."""
    kind = shape.type_name
    try:
        if kind in ("integer", "long"):
            if not _INTEGER.fullmatch(text):
                raise ValueError(text)
            return int(text)
        if kind in ("float", "double"):
            return float(text)
        if kind == "boolean":
            return {"true": True, "false": False}[text.lower()]
        if kind == "timestamp":
            return parse_timestamp(text).astimezone(timezone.utc)
    except (ValueError, KeyError, OverflowError):
        raise _type_error(path, text, kind, bool(shape.metadata.get("sensitive"))) from None
    return text


def _from_json(shape: Shape, value: Any, path: str, sensitive: bool = False) -> Any:
    """`sensitive`: this shape or one that contains it is sensitive, so values are never echoed."""
    kind = shape.type_name
    sensitive = sensitive or bool(shape.metadata.get("sensitive"))
    if not isinstance(value, _JSON_TYPES.get(kind, (object,))) or (
        isinstance(value, bool) and kind != "boolean"
    ):
        raise _type_error(path, value, kind, sensitive)
    if kind == "structure":
        return {
            name: _from_json(shape.members[name], item, f"{path}.{name}", sensitive)
            for name, item in value.items()
            if name in shape.members and item is not None
        }
    if kind == "list":
        return [
            _from_json(shape.member, item, f"{path}.{index}.member", sensitive)
            for index, item in enumerate(value, 1)
        ]
    if kind == "map":
        return {key: _from_json(shape.value, item, f"{path}.{key}", sensitive) for key, item in value.items()}
    if kind == "blob":
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise _type_error(path, value, "base64-encoded blob", sensitive) from None
    if kind == "timestamp":
        return _timestamp(value, path, sensitive)
    return value


def _timestamp(value: float | str, path: str, sensitive: bool) -> datetime:
    try:
        if isinstance(value, str):
            return parse_timestamp(value).astimezone(timezone.utc)
        return datetime.fromtimestamp(value, timezone.utc)
    except (ValueError, OverflowError, OSError):
        raise _type_error(path, value, "timestamp", sensitive) from None
