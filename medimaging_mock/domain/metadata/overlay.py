"""Persistent mappings for document blocks: a changed block is its predecessor plus one changed key.

A version that changes one attribute of one instance then costs a few small nodes instead of copies of
the instance's attributes, its series' instance table and the series table. Chains longer than MAX_DEPTH
are flattened into a plain dict, so reads stay fast and the copying is amortised over many changes; a node
that sets the key its base node set replaces that node, so changing one attribute again and again keeps
the chain short.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

MAX_DEPTH = 16
_REMOVED = object()
_ABSENT = object()


class Overlay(Mapping[str, Any]):
    __slots__ = ("_base", "_depth", "_key", "_length", "_value")
    _base: Mapping[str, Any]
    _key: str
    _value: Any
    _depth: int
    _length: int

    def __init__(self, base: Mapping[str, Any], key: str, value: Any):
        if type(base) is Overlay:
            if base._key == key and base._value is not _REMOVED:  # shadowed: its key keeps its place
                base = base._base
            if type(base) is Overlay and base._depth >= MAX_DEPTH:
                base = base._flat()
        had = key in base
        self._base = base
        self._key = key
        self._value = value
        self._depth = base._depth + 1 if type(base) is Overlay else 1
        self._length = (
            len(base) + (0 if had else 1) if value is not _REMOVED else len(base) - (1 if had else 0)
        )

    def get(self, key: str, default: Any = None) -> Any:
        """Walks the chain without raising KeyError (Mapping.get would catch one for every absent key)."""
        node: Mapping[str, Any] = self
        while type(node) is Overlay:
            if node._key == key:
                return default if node._value is _REMOVED else node._value
            node = node._base
        return node.get(key, default)

    def __getitem__(self, key: str) -> Any:
        value = self.get(key, _ABSENT)
        if value is _ABSENT:
            raise KeyError(key)
        return value

    def __contains__(self, key: object) -> bool:
        return self.get(key, _ABSENT) is not _ABSENT  # type: ignore[arg-type]

    def __iter__(self) -> Iterator[str]:
        return iter(self._flat())

    def __len__(self) -> int:
        return self._length

    def items(self) -> Any:  # one walk of the chain, not a walk per key
        return self._flat().items()

    def values(self) -> Any:
        return self._flat().values()

    def _flat(self) -> dict[str, Any]:
        chain = []
        node: Mapping[str, Any] = self
        while type(node) is Overlay:
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
    return block._flat() if type(block) is Overlay else dict(block)
