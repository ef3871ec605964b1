"""Injected faults: the next calls of an operation fail with a modelled error and/or wait first."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from medimaging_mock.domain.errors import MODELLED_ERRORS


@dataclass
class _Fault:
    operation: str
    error: str | None
    remaining: int
    latency: float | None


class Faults:
    """Process-wide, like the mock; cleared at every outermost start."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[_Fault] = []

    def add(self, operation: str, error: str | None, times: int, latency: float | None) -> None:
        with self._lock:
            self._faults.append(_Fault(operation, error, times, latency))

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def apply(self, operation: str) -> None:
        """Spend one use of the oldest fault for `operation`: wait its latency, raise its error."""
        if not self._faults:  # the usual case, without the lock: a list is read whole
            return
        with self._lock:
            fault = next((f for f in self._faults if f.operation == operation), None)
            if fault is None:
                return
            fault.remaining -= 1
            if fault.remaining <= 0:
                self._faults.remove(fault)
        if fault.latency:
            time.sleep(fault.latency)
        if fault.error:
            raise MODELLED_ERRORS[fault.error](f"Injected fault: {fault.error} for {operation}")


faults = Faults()
