"""The one clock every timestamp comes from; freezegun's freeze_time and tick() control it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

# Every sub-millisecond part, made once: CPython's datetime.replace() and timedelta() each cost over a
# microsecond a call, a subtraction of a timedelta made already a tenth of that, and writes take the time
# several times a call.
_BELOW_A_MILLISECOND = tuple(timedelta(microseconds=micros) for micros in range(1000))


def now() -> datetime:
    """Milliseconds, as the service keeps them, so a timestamp read back can be searched for exactly."""
    moment = datetime.now(UTC)
    return moment - _BELOW_A_MILLISECOND[moment.microsecond % 1000]
