"""JSON text in and out. From clients, parsed with bounds: invalid text or nesting deeper than any
HealthImaging document needs is the client's mistake (ValidationException), never a RecursionError inside
the mock. To clients, written by orjson: a page of search results is mostly JSON writing, which orjson does
in a tenth of the standard library's time."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

import orjson

from medimaging_mock.domain.errors import ValidationException

# datetimes and dataclasses are refused, not written in orjson's own form: a value no converter prepared
# is the mock's defect, and the standard library names it
_STRICT = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS

_OPENERS = (b"{", b"[")
MAX_DEPTH = 64  # metadata documents nest about 8 levels, sequences a few more each


def parse(text: bytes | str, what: str) -> Any:
    """`what` names the text in messages, e.g. "The request body" or "updatableAttributes". orjson reads
    the usual text; what it refuses (other encodings, integers beyond 64 bits, lone surrogates, invalid
    text) the standard library reads as it always did, and words the refusal."""
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        value = _read(text, what)
    # each level opens a bracket, so only text with more brackets than levels allowed is walked
    if _brackets(text) > MAX_DEPTH and _deeper_than(value, MAX_DEPTH):
        raise ValidationException(f"{what} is nested deeper than {MAX_DEPTH} levels")
    return value


def _read(text: bytes | str, what: str) -> Any:
    try:
        if isinstance(text, bytes):  # as json.loads reads bytes; UTF-8 is known by its first two bytes
            utf8 = text[:1] in _OPENERS and text[1:2] != b"\x00"
            encoding = "utf-8" if utf8 else json.detect_encoding(text)
            text = text.decode(encoding, "surrogatepass")
        value = _DECODER.decode(text)
    except RecursionError:
        raise ValidationException(f"{what} is nested deeper than {MAX_DEPTH} levels") from None
    except (UnicodeDecodeError, ValueError) as error:
        raise ValidationException(f"{what} is not valid JSON: {error}") from None
    return value


def _brackets(text: bytes | str) -> int:
    if isinstance(text, bytes):
        return text.count(b"{") + text.count(b"[")
    return text.count("{") + text.count("[")


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


_DECODER = json.JSONDecoder(parse_constant=_refuse_constant)  # made once: json.loads makes one a call


def _deeper_than(value: Any, limit: int) -> bool:
    """Iterative, so the check itself cannot hit the recursion limit."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children: Iterable[Any]
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def dumps(value: Any, default: Callable[[Any], Any] | None = None) -> bytes:
    """Compact UTF-8 JSON; `default` gives the JSON form of a value JSON has no type for (datetimes
    included), or raises TypeError. What orjson does not write (integers beyond 64 bits, keys that are
    not text, text that is not Unicode: a lone surrogate a client sent) the standard library writes, in
    ASCII."""
    try:
        return orjson.dumps(value, default, option=_STRICT)
    except orjson.JSONEncodeError:
        return json.dumps(value, default=default, separators=(",", ":")).encode("ascii")
