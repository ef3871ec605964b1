"""Values derived from one version of an image set (its served document, its frame ids, its search tags),
computed once: a version never changes, so the value never goes stale, and it goes when its version does."""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from medimaging_mock.domain.image_sets import Version

T = TypeVar("T")


class PerVersion(Generic[T]):
    def __init__(self, derive: Callable[..., T]):
        """`derive(version, *context)`: the context (e.g. the ids of the version's image set) is the same
        for every call with that version."""
        self._derive = derive
        self._values: weakref.WeakKeyDictionary[Version, T] = weakref.WeakKeyDictionary()

    def __call__(self, version: Version, *context: Any) -> T:
        value = self._values.get(version)
        if value is None:  # two threads may both derive it once: the same value, harmlessly twice
            value = self._values[version] = self._derive(version, *context)
        return value
