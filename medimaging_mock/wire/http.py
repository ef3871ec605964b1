"""The two values that cross the wire layer's boundary, independent of botocore, requests or werkzeug."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class HttpRequest:
    method: str
    path: str  # still percent-encoded, as sent
    query: str  # the raw query string, without '?'
    headers: Mapping[str, str]
    body: bytes = b""


@dataclass
class HttpResponse:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
