"""Media types with parameters, as `Accept` and `Content-Type` carry them (RFC 9110 §5.6, §8.3, §12.5.1):
`multipart/related; type="application/dicom"; transfer-syntax=1.2.840.10008.1.2.1`, in lists separated by
commas. Parameter values may be quoted or not; commas and semicolons inside quotes are part of the value.
"""

from __future__ import annotations

from typing import NamedTuple


class MediaType(NamedTuple):
    name: str  # `type/subtype`, lower case (`*/*` and `type/*` in Accept)
    params: dict[str, str]  # parameter names lower case, values unquoted as sent


def parse_list(header: str) -> list[MediaType]:
    """Every media range of a comma-separated header, in order; empty elements are skipped."""
    return [parse(element) for element in _split(header, ",") if element.strip()]


def parse(text: str) -> MediaType:
    """One media type. A parameter without `=` is kept with an empty value; nothing here raises, so what a
    malformed header means is decided by whoever reads it."""
    name, *parameters = _split(text, ";")
    params = {}
    for parameter in parameters:
        key, _, value = parameter.partition("=")
        if key.strip():
            params[key.strip().lower()] = _unquoted(value.strip())
    return MediaType(name.strip().lower(), params)


def _split(text: str, separator: str) -> list[str]:
    """`text` split at `separator` outside double quotes (a backslash escapes the next character there)."""
    parts, start, quoted, escaped = [], 0, False, False
    for index, character in enumerate(text):
        if escaped:
            escaped = False
        elif quoted and character == "\\":
            escaped = True
        elif character == '"':
            quoted = not quoted
        elif character == separator and not quoted:
            parts.append(text[start:index])
            start = index + 1
    parts.append(text[start:])
    return parts


def _unquoted(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        inner, text, escaped = value[1:-1], [], False
        for character in inner:
            if escaped or character != "\\":
                text.append(character)
                escaped = False
            else:
                escaped = True
        return "".join(text)
    return value
