"""The two values that cross the wire layer's boundary, independent of botocore, requests or werkzeug.
Named tuples: one of each is made per call, and they cost a tenth of a frozen dataclass to make."""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple


class HttpRequest(NamedTuple):
    method: str
    path: str  # still percent-encoded, as sent
    query: str  # the raw query string, without '?'
    headers: Mapping[str, str]  # lower-case names
    body: bytes = b""


class HttpResponse(NamedTuple):
    status: int
    headers: dict[str, str]
    body: bytes
