"""How asynchronous work completes: at the next call ("immediate"), on `advance()` ("manual"),
or once the clock has passed a delay in seconds (freezegun's tick() included).

Work is completed lazily: every call settles what is due before it runs, so no thread or timer exists.
"""

from __future__ import annotations

import numbers
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from medimaging_mock.domain import clock

IMMEDIATE: Literal["immediate"] = "immediate"
MANUAL: Literal["manual"] = "manual"
Mode = Literal["immediate", "manual"] | float  # float: seconds of clock time (an int is accepted too)


def checked_mode(mode: Mode) -> Mode:
    """Checked when set, so that a bad mode never fails a later call: a delay is a number of seconds >= 0
    that the clock can add (datetime and timedelta both end in the year 9999)."""
    if isinstance(mode, str) and mode in (IMMEDIATE, MANUAL):
        return mode
    if isinstance(mode, numbers.Real) and not isinstance(mode, bool) and mode >= 0:  # NaN is not >= 0
        try:
            seconds = float(mode)
            clock.now() + timedelta(seconds=seconds)
        except OverflowError:  # inf, and finite delays past the year 9999
            raise ValueError(
                f"transitions of {mode!r} seconds would end after the year 9999; "
                "use 'manual' for work that waits for advance()"
            ) from None
        return seconds
    raise ValueError(f"transitions must be 'immediate', 'manual' or a number of seconds >= 0, not {mode!r}")


class TransitionPolicy:
    """Process-wide, like the mock itself; back to "immediate" at every outermost start."""

    def __init__(self) -> None:
        self.mode: Mode = IMMEDIATE

    def reset(self) -> None:
        self.mode = IMMEDIATE


policy = TransitionPolicy()


def completes_at_once() -> bool:
    """Under "immediate" transitions, work may complete within the call that starts it, once the call has
    taken what it reports: nobody can tell that from completing at the next call, as every call and every
    view settles what is due before it looks."""
    return policy.mode == IMMEDIATE


@dataclass(eq=False)
class _Work:
    due: datetime | None  # None: only advance() completes it
    complete: Callable[[datetime], None]  # takes the moment it completed


class PendingWork:
    """In-flight work of one regional backend, completed in the order it was scheduled."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._work: list[_Work] = []

    def schedule(self, complete: Callable[[datetime], None], *, at_next_call: bool = False) -> None:
        """`complete` runs once the work is due, with the time it became due (for advance(): the time of
        the call), so timestamps say when the work finished, not when somebody next looked. With
        `at_next_call`, it is due at the next call whatever the transitions (a job that starts at once)."""
        mode = IMMEDIATE if at_next_call else policy.mode
        due: datetime | None
        if mode == MANUAL:
            due = None
        elif mode == IMMEDIATE:
            due = clock.now()
        else:
            try:
                due = clock.now() + timedelta(seconds=float(mode))
            except OverflowError:  # a clock moved near the year 9999: a delay past it never comes
                due = None
        with self._lock:
            self._work.append(_Work(due, complete))

    def settle(self, *, everything: bool = False) -> None:
        """Complete the work that is due (all of it with `everything`).

        The work is taken out under the lock and completed outside it: completions take the locks of what
        they change, which callers hold while they schedule, so holding both here could deadlock."""
        if not self._work:  # the usual case, without the lock: a list is read whole
            return
        with self._lock:
            if not self._work:
                return
            now = clock.now()
            ready: list[_Work] = []
            waiting: list[_Work] = []
            for work in self._work:
                is_due = everything or (work.due is not None and work.due <= now)
                (ready if is_due else waiting).append(work)
            self._work = waiting
        for work in ready:
            work.complete(now if work.due is None else min(work.due, now))
