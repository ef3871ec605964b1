"""Persistent mappings for document blocks: a changed block is its predecessor plus one changed key.

A version that changes one attribute of one instance then costs a few small nodes instead of copies of
the instance's attributes, its series' instance table and the series table. Chains longer than MAX_DEPTH
are flattened into a plain dict, so reads stay fast and the copying is amortised over many changes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

MAX_DEPTH = 16
_REMOVED = object()


class Overlay(Mapping[str, Any]):
    __slots__ = ("_base", "_depth", "_key", "_length", "_value")

    def __init__(self, base: Mapping[str, Any], key: str, value: Any):
        if isinstance(base, Overlay) and base._depth >= MAX_DEPTH:
            base = dict(base)
        had = key in base
        self._base = base
        self._key = key
        self._value = value
        self._depth = base._depth + 1 if isinstance(base, Overlay) else 1
        self._length = (
            len(base) + (0 if had else 1) if value is not _REMOVED else len(base) - (1 if had else 0)
        )

    def __getitem__(self, key: str) -> Any:
        node: Mapping[str, Any] = self
        while isinstance(node, Overlay):
            if node._key == key:
                if node._value is _REMOVED:
                    raise KeyError(key)
                return node._value
            node = node._base
        return node[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._flat())

    def __len__(self) -> int:
        return self._length

    def _flat(self) -> dict[str, Any]:
        chain = []
        node: Mapping[str, Any] = self
        while isinstance(node, Overlay):
            chain.append(node)
            node = node._base
        flat = dict(node)
        for overlay in reversed(chain):
            if overlay._value is _REMOVED:
                flat.pop(overlay._key, None)
            else:
                flat[overlay._key] = overlay._value
        return flat


def with_items(block: Mapping[str, Any], changes: Mapping[str, Any]) -> Mapping[str, Any]:
    """`block` with `changes` set; `block` itself when there are none, so versions share it."""
    for key, value in changes.items():
        block = Overlay(block, key, value)
    return block


def without_items(block: Mapping[str, Any], keys: Any) -> Mapping[str, Any]:
    for key in keys:
        block = Overlay(block, key, _REMOVED)
    return block


def plain(block: Mapping[str, Any]) -> dict[str, Any]:
    """A dict for serialisation (json only writes dicts)."""
    return block._flat() if isinstance(block, Overlay) else dict(block)
