"""Bounded memory for pure functions of short texts: a test names the same few paths, ids and URLs in call
after call, so their routes, pattern matches and splits are worked out once."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

Result = TypeVar("Result")


def remembered(
    function: Callable[..., Result], *, longest: int, entries: int = 1024
) -> Callable[..., Result]:
    """`function` of text arguments, its answers kept for the last `entries` arguments (functools'
    thread-safe LRU). Arguments longer than `longest` in all are worked out every time, so no client can
    make the mock hold large texts."""
    cached = functools.lru_cache(maxsize=entries)(function)

    def call(*texts: str) -> Result:
        return cached(*texts) if sum(map(len, texts)) <= longest else function(*texts)

    return call
