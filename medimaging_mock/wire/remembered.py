"""Bounded memory for pure functions of one short text: a test names the same few paths, ids and URLs in
call after call, so their routes, pattern matches and splits are worked out once."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

Result = TypeVar("Result")


def remembered(
    function: Callable[[str], Result], *, longest: int, entries: int = 1024
) -> Callable[[str], Result]:
    """`function`, its answers kept for the last `entries` texts (functools' thread-safe LRU). Texts longer
    than `longest` are worked out every time, so no client can make the mock hold large texts."""
    cached = functools.lru_cache(maxsize=entries)(function)

    def call(text: str) -> Result:
        return cached(text) if len(text) <= longest else function(text)

    return call
