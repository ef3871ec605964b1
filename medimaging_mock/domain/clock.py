"""The one clock every timestamp comes from; freezegun's freeze_time and tick() control it."""

from __future__ import annotations

from datetime import datetime, timezone


def now() -> datetime:
    return datetime.now(timezone.utc)
