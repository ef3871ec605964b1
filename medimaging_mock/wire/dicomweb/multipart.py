"""`multipart/related` bodies (RFC 2046 §5.1, RFC 2387), as DICOMweb sends them both ways: frames, instances
and bulkdata out, STOW-RS instances in.

Decoding is as lenient as the clients in the field need: a preamble (dicomweb-client starts with a CRLF)
before the first delimiter, a close delimiter with or without a CRLF and an epilogue after it.
"""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Sequence
from typing import NamedTuple

from medimaging_mock.domain.errors import ValidationException

CRLF = b"\r\n"
# Each answer's boundary: 128 random bits once per process, then a count, so that no two answers of a process
# share one. Content holds it only by a chance of 2**-128 per place (as with urllib3's uuid4 boundaries), so
# it is not searched for: a search reads every byte of every frame again.
_BOUNDARY_PREFIX = secrets.token_hex(16)
_answers = itertools.count()


class Part(NamedTuple):
    headers: dict[str, str]  # lower-case names
    content: bytes


def encode(parts: Sequence[tuple[str, bytes]]) -> tuple[str, bytes]:
    """(boundary, body) for parts given as (Content-Type, content), in order."""
    boundary = f"{_BOUNDARY_PREFIX}{next(_answers):x}"
    pieces: list[bytes] = []
    for content_type, content in parts:
        pieces += (f"--{boundary}\r\nContent-Type: {content_type}\r\n\r\n".encode("latin-1"), content, CRLF)
    pieces.append(f"--{boundary}--\r\n".encode())
    return boundary, b"".join(pieces)  # the contents copied once


def decode(boundary: str, body: bytes) -> list[Part]:
    """The parts of `body`. ValidationException when it is no multipart body with this boundary."""
    if not (1 <= len(boundary) <= 200 and boundary.isascii()):
        raise ValidationException(
            "The multipart/related Content-Type needs a boundary of 1 to 200 ASCII characters"
        )
    delimiter = b"--" + boundary.encode("ascii")
    if body.startswith(delimiter):
        position = len(delimiter)
    else:
        start = body.find(CRLF + delimiter)
        if start < 0:
            raise ValidationException(f"The body has no multipart boundary {boundary!r}")
        position = start + 2 + len(delimiter)
    parts: list[Part] = []
    while not body.startswith(b"--", position):  # `--` after a delimiter closes the body
        line_end = body.find(CRLF, position)
        if line_end < 0 or body[position:line_end].strip(b" \t"):  # transport padding only, then CRLF
            raise ValidationException("A multipart delimiter is not followed by a line break")
        end = body.find(CRLF + delimiter, line_end)
        if end < 0:
            raise ValidationException("The multipart body ends without its close delimiter")
        parts.append(_part(body[line_end + 2 : end], len(parts) + 1))
        position = end + 2 + len(delimiter)
    return parts


def _part(raw: bytes, number: int) -> Part:
    if raw.startswith(CRLF):  # no headers at all
        return Part({}, raw[2:])
    header_end = raw.find(CRLF + CRLF)
    if header_end < 0:
        raise ValidationException(f"Part {number} of the multipart body has no blank line after its headers")
    headers = {}
    for line in raw[:header_end].decode("latin-1").split("\r\n"):
        name, colon, value = line.partition(":")
        if not colon or not name.strip():
            raise ValidationException(f"Part {number} of the multipart body has a malformed header {line!r}")
        headers[name.strip().lower()] = value.strip()
    return Part(headers, raw[header_end + 4 :])
