"""Identifiers shaped like the service's (32 lowercase hex characters), from moto's seedable random."""

from __future__ import annotations

from moto.moto_api._internal import mock_random


def new_id() -> str:
    """Seed with `mock_random.seed(n)` (or POST /moto-api/seed?a=n) for repeatable ids. One draw of 128 bits,
    not moto's get_random_hex (a draw per character, 20 µs an id)."""
    return f"{mock_random.getrandbits(128):032x}"
