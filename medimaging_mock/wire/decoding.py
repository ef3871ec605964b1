"""Request -> params: URI labels, query strings, headers and JSON bodies decoded by the input shape.

Every value is converted to its modelled type (blobs base64-decoded, timestamps to aware datetimes);
a value of the wrong type is the client's mistake and answers ValidationException.
"""

from __future__ import annotations

import binascii
import functools
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from botocore.model import ListShape, MapShape, OperationModel, Shape, StructureShape
from botocore.utils import parse_timestamp

from medimaging_mock.domain import json_text
from medimaging_mock.domain.errors import ValidationException
from medimaging_mock.wire.http import Headers, header_text
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


Reader = Callable[[Any], Any]  # a JSON value of one shape in, its modelled value out

# A query or header member's reader: its values as sent (a query's list of texts, a header's text or
# bytes) in, the member's value out.
TextReader = Callable[[Any], Any]


@dataclass(frozen=True)
class InputPlan:
    """Where each input member travels, and how its value is read, worked out from the model once per
    operation."""

    labels: tuple[tuple[str, str, Shape], ...]  # (member, wire name, shape)
    queries: tuple[tuple[str, str, TextReader], ...]  # (member, wire name, reader of its values)
    headers: tuple[tuple[str, str, TextReader], ...]  # wire names in lower case
    payload: tuple[str, str, Reader | None] | None  # (member, type, reader of its JSON: None for bytes)
    body_members: tuple[tuple[str, Reader], ...]  # (member, reader of its JSON value)

    @property
    def label_members(self) -> frozenset[str]:
        return frozenset(name for name, _, _ in self.labels)


@functools.cache
def input_plan(operation: OperationModel) -> InputPlan | None:
    shape = operation.input_shape
    if shape is None:
        return None
    labels, queries, headers, body_members = [], [], [], []
    payload_name = shape.serialization.get("payload")
    payload = None
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        wire_name = member.serialization.get("name", name)
        if location == "uri":
            labels.append((name, wire_name, member))
        elif location == "querystring":
            queries.append((name, wire_name, _query_reader(member, name)))
        elif location == "header":
            headers.append((name, wire_name.lower(), _header_reader(member, name)))
        elif name == payload_name:
            kind = member.type_name
            payload = (name, kind, None if kind in ("blob", "string") else _reader(member, False))
        else:
            body_members.append((name, _reader(member, False)))
    return InputPlan(tuple(labels), tuple(queries), tuple(headers), payload, tuple(body_members))


def _header_reader(shape: Shape, name: str) -> TextReader:
    if shape.type_name == "string":
        return header_text
    return lambda value: _from_text(shape, header_text(value), name)


def _query_reader(shape: Shape, name: str) -> TextReader:
    """A query member's values arrive as a list: a list member takes every one, any other the first."""
    if isinstance(shape, ListShape):
        item = shape.member
        if item.type_name == "string":
            return list
        return lambda values: [_from_text(item, text, name) for text in values]
    if shape.type_name == "string":
        return operator.itemgetter(0)
    return lambda values: _from_text(shape, values[0], name)


def decode_request(
    operation: OperationModel,
    labels: Mapping[str, str],
    query: Mapping[str, list[str]],
    headers: Headers,
    body: bytes,
) -> dict[str, Any]:
    plan = input_plan(operation)
    if plan is None:
        return {}
    return {**decode_labels(plan, labels), **decode_rest(plan, query, headers, body)}


def decode_labels(plan: InputPlan, labels: Mapping[str, str]) -> dict[str, Any]:
    """The members in the URI path."""
    return {
        name: _from_text(member, unquote(labels[wire_name]), name)
        for name, wire_name, member in plan.labels
        if wire_name in labels
    }


def decode_rest(
    plan: InputPlan, query: Mapping[str, list[str]], headers: Headers, body: bytes
) -> dict[str, Any]:
    """Every member but the URI path's: query, headers, payload and JSON body."""
    params: dict[str, Any] = {}
    for name, wire_name, read in plan.queries:
        values = query.get(wire_name)
        if values is not None:
            params[name] = read(values)
    for name, wire_name, read in plan.headers:
        value = headers.get(wire_name)
        if value is not None:
            params[name] = read(value)
    if plan.payload is not None:
        name, kind, read_json = plan.payload
        if read_json is None:
            if body:
                params[name] = body if kind == "blob" else body.decode("utf-8")
        else:
            document = _json_body(body)
            if document is not None:
                params[name] = _from_json(read_json, document, name)
    if plan.body_members:
        document = _json_body(body)
        if document is None:
            document = {}
        if not isinstance(document, dict):
            raise ValidationException("The request body must be a JSON object")
        for name, read_json in plan.body_members:
            value = document.get(name)
            if value is not None:
                params[name] = _from_json(read_json, value, name)
    return params


def _json_body(body: bytes) -> Any:
    """Bounded in depth, so that `_from_json` and the checks, which recurse along it, cannot overflow."""
    return json_text.parse(body, "The request body") if body and not body.isspace() else None


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
            return parse_timestamp(text).astimezone(UTC)
    except (ValueError, KeyError, OverflowError):
        raise _type_error(path, text, kind, bool(shape.metadata.get("sensitive"))) from None
    return text


def _from_json(read: Reader, value: Any, name: str) -> Any:
    """The JSON value of input member `name`, converted to its modelled type by its reader."""
    try:
        return read(value)
    except _Mismatch as mismatch:
        path = ".".join([name, *reversed(mismatch.steps)])
        raise _type_error(path, mismatch.value, mismatch.expected, mismatch.sensitive) from None


class _Mismatch(Exception):
    """A JSON value of the wrong type, `steps` below the value the outermost reader was given (innermost
    first): the path is only spelled out for a mismatch, never on the way of a good request."""

    def __init__(self, value: Any, expected: str, sensitive: bool) -> None:
        self.value, self.expected, self.sensitive = value, expected, sensitive
        self.steps: list[str] = []


@functools.cache
def _reader(shape: Shape, sensitive: bool) -> Reader:
    """The conversion of a JSON value of `shape`, compiled once from the model. `sensitive`: this shape or
    one that contains it is sensitive, so its values are never echoed. A mismatch below a structure, list
    or map gains its step there, on its way out; a good value pays for no path."""
    sensitive = sensitive or bool(shape.metadata.get("sensitive"))
    kind = shape.type_name
    types = _JSON_TYPES.get(kind, (object,))
    refuse_bool = kind != "boolean" and int in types  # JSON's true is no number

    if isinstance(shape, StructureShape):
        members = {name: _reader(member, sensitive) for name, member in shape.members.items()}

        def read_structure(value: Any) -> dict[str, Any]:
            if not isinstance(value, dict):
                raise _Mismatch(value, kind, sensitive)
            result, name = {}, ""
            try:
                for name, item in value.items():
                    read = members.get(name)
                    if read is not None and item is not None:
                        result[name] = read(item)
            except _Mismatch as mismatch:
                mismatch.steps.append(name)
                raise
            return result

        return read_structure
    if isinstance(shape, ListShape):
        read_item = _reader(shape.member, sensitive)

        def read_list(value: Any) -> list[Any]:
            if not isinstance(value, list):
                raise _Mismatch(value, kind, sensitive)
            result = []
            try:
                for item in value:
                    result.append(read_item(item))
            except _Mismatch as mismatch:
                mismatch.steps.append(f"{len(result) + 1}.member")
                raise
            return result

        return read_list
    if isinstance(shape, MapShape):
        read_value = _reader(shape.value, sensitive)

        def read_map(value: Any) -> dict[str, Any]:
            if not isinstance(value, dict):
                raise _Mismatch(value, kind, sensitive)
            result, key = {}, ""
            try:
                for key, item in value.items():
                    result[key] = read_value(item)
            except _Mismatch as mismatch:
                mismatch.steps.append(key)
                raise
            return result

        return read_map
    if kind == "blob":

        def read_blob(value: Any) -> bytes:
            if not isinstance(value, str):
                raise _Mismatch(value, kind, sensitive)
            try:
                return binascii.a2b_base64(value, strict_mode=True)  # b64decode(validate=True), direct
            except (binascii.Error, ValueError):
                raise _Mismatch(value, "base64-encoded blob", sensitive) from None

        return read_blob
    if kind == "timestamp":

        def read_timestamp(value: Any) -> datetime:
            if not isinstance(value, int | float | str) or isinstance(value, bool):
                raise _Mismatch(value, kind, sensitive)
            try:
                return _timestamp(value)
            except (ValueError, OverflowError, OSError):
                raise _Mismatch(value, "timestamp", sensitive) from None

        return read_timestamp

    def read_plain(value: Any) -> Any:
        if not isinstance(value, types) or (refuse_bool and isinstance(value, bool)):
            raise _Mismatch(value, kind, sensitive)
        return value

    return read_plain


def _timestamp(value: float | str) -> datetime:
    if isinstance(value, str):
        return parse_timestamp(value).astimezone(UTC)
    return datetime.fromtimestamp(value, UTC)
