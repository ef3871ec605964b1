"""The two values that cross the wire layer's boundary, independent of botocore, requests or werkzeug.
Named tuples: one of each is made per call, and they cost a tenth of a frozen dataclass to make."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple, Protocol


class Headers(Protocol):
    """A request's headers as the client library hands them over (botocore's HTTPHeaders, requests' or
    werkzeug's mappings, or a dict keyed in lower case): read by lower-case name, values text or bytes."""

    def get(self, name: str, /) -> str | bytes | None: ...

    def items(self) -> Iterable[tuple[str, str | bytes]]: ...


def header_text(value: str | bytes) -> str:
    """HTTP header bytes are Latin-1, so any bytes decode (no header a client sends can fail the mock)."""
    return value.decode("latin-1") if isinstance(value, bytes) else value


class HttpRequest(NamedTuple):
    method: str
    path: str  # still percent-encoded, as sent
    query: str  # the raw query string, without '?'
    headers: Headers
    body: bytes = b""


class HttpResponse(NamedTuple):
    status: int
    headers: dict[str, str]
    body: bytes
