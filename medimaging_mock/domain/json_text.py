"""JSON from clients, parsed with bounds: invalid text or nesting deeper than any HealthImaging document
needs is the client's mistake (ValidationException), never a RecursionError inside the mock."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from medimaging_mock.domain.errors import ValidationException

_OPENERS = (b"{", b"[")
MAX_DEPTH = 64  # metadata documents nest about 8 levels, sequences a few more each


def parse(text: bytes | str, what: str) -> Any:
    """`what` names the text in messages, e.g. "The request body" or "updatableAttributes"."""
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
    # each level opens a bracket, so only text with more brackets than levels allowed is walked
    if text.count("{") + text.count("[") > MAX_DEPTH and _deeper_than(value, MAX_DEPTH):
        raise ValidationException(f"{what} is nested deeper than {MAX_DEPTH} levels")
    return value


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
