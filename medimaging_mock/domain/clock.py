"""The one clock every timestamp comes from; freezegun's freeze_time and tick() control it."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    """Milliseconds, as the service keeps them, so a timestamp read back can be searched for exactly."""
    moment = datetime.now(UTC)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)
