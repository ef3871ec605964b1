"""Identifiers shaped like the service's (32 lowercase hex characters), from moto's seedable random."""

from __future__ import annotations

from moto.moto_api._internal import mock_random


def new_id() -> str:
    """Seed with `mock_random.seed(n)` (or POST /moto-api/seed?a=n) for repeatable ids."""
    return mock_random.get_random_hex(32)
