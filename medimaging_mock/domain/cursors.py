"""Opaque page tokens: a position in a sort order plus a digest of the query, sealed with a MAC
(keyed BLAKE2b).

A cursor names the last item returned, not an offset, so items that keep their place in the order are
returned exactly once even while others come and go. A token from another query or a tampered token is
refused with ValidationException. Tokens are valid within the process that issued them.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from medimaging_mock.domain.errors import ValidationException

T = TypeVar("T")
Position = tuple[Any, ...]

_SECRET = secrets.token_bytes(32)
_MAC_BYTES = 16
# made once: json.dumps with any option makes a new encoder every call
_CANONICAL = json.JSONEncoder(sort_keys=True, default=str, separators=(",", ":"))
_COMPACT = json.JSONEncoder(separators=(",", ":"))


def _digest(query: Mapping[str, Any]) -> str:
    return hashlib.sha256(_CANONICAL.encode(query).encode("utf-8")).hexdigest()[:24]


def _mac(payload: bytes) -> bytes:
    """Keyed BLAKE2b is a MAC in one hash, where HMAC-SHA256 sets up two."""
    return hashlib.blake2b(payload, key=_SECRET, digest_size=_MAC_BYTES).digest()


def encode(position: Position, query: Mapping[str, Any]) -> str:
    payload = _COMPACT.encode([list(position), _digest(query)]).encode("utf-8")
    return base64.urlsafe_b64encode(payload + _mac(payload)).decode("ascii")


def decode(token: str, query: Mapping[str, Any]) -> Position:
    try:
        raw = base64.urlsafe_b64decode(token.encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise ValidationException("Invalid nextToken: it is not a token this service issued") from None
    payload, mac = raw[:-_MAC_BYTES], raw[-_MAC_BYTES:]
    expected = _mac(payload)
    canonical = base64.urlsafe_b64encode(raw).decode("ascii") == token  # base64 ignores some altered bits
    if len(raw) <= _MAC_BYTES or not canonical or not hmac.compare_digest(mac, expected):
        raise ValidationException("Invalid nextToken: it is not a token this service issued")
    position, digest = json.loads(payload)
    if digest != _digest(query):
        raise ValidationException(
            "Invalid nextToken: it belongs to a different query; repeat the query that returned it"
        )
    return tuple(position)


def page(
    ordered: Sequence[T],
    position_of: Callable[[T], Position],
    query: Mapping[str, Any],
    limit: int,
    token: str | None,
) -> tuple[list[T], str | None]:
    """One page of `ordered` (ascending by `position_of`) after the token's position."""
    start = 0
    if token is not None:
        after = decode(token, query)
        start = bisect_right(ordered, after, key=position_of) if ordered else 0
    items = list(ordered[start : start + limit])
    more = start + limit < len(ordered)
    return items, encode(position_of(items[-1]), query) if more and items else None
