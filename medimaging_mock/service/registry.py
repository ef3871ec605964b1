"""The operations the service layer serves, by their model names."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Operation = Callable[..., dict[str, Any]]
OPERATIONS: dict[str, Operation] = {}


def operation(name: str) -> Callable[[Operation], Operation]:
    def register(function: Operation) -> Operation:
        OPERATIONS[name] = function
        return function

    return register
