"""Server-side constraint checks: the parts of the model that botocore leaves to the service.

botocore refuses missing members, too-short values and unknown members on the client; it sends lengths
above `max`, patterns, enums, ranges and list sizes unchecked. The service answers those with
ValidationException in the usual AWS wording, which this module reproduces.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.model import ListShape, MapShape, Shape, StringShape, StructureShape

from medimaging_mock.domain.errors import ValidationException
from medimaging_mock.wire.patterns import JavaPattern, model_patterns


def describe(path: str, value: Any, rule: str, sensitive: bool = False) -> str:
    """One violation in the service's words (values of sensitive shapes are not echoed)."""
    if value is None:
        return f"Value null at '{path}' failed to satisfy constraint: {rule}"
    if sensitive:
        return f"Value at '{path}' failed to satisfy constraint: {rule}"
    text = value if isinstance(value, str) else repr(value)
    if len(text) > 100:
        text = text[:100] + "..."
    return f"Value '{text}' at '{path}' failed to satisfy constraint: {rule}"


def failure(violations: list[str]) -> ValidationException:
    count = len(violations)
    noun = "error" if count == 1 else "errors"
    return ValidationException(f"{count} validation {noun} detected: " + "; ".join(violations))


def check(shape: Shape | None, params: dict[str, Any], members: frozenset[str] | None = None) -> None:
    """Raise ValidationException listing every constraint `params` breaks (see `compiled`)."""
    compiled(shape, members)(params)


ParamsCheck = Callable[[dict[str, Any]], None]


@functools.cache
def compiled(shape: Shape | None, members: frozenset[str] | None = None) -> ParamsCheck:
    """The check of params of input structure `shape`, raising ValidationException with every constraint
    they break. `params` are as decoding.py makes them: a member sent as null is absent, never None.
    `members`: only these members are checked (the endpoint checks URI labels once per path)."""
    checker = (
        None if shape is None else _checker(shape) if members is None else _members_checker(shape, members)
    )
    if checker is None:
        return _nothing_to_check

    def check_params(params: dict[str, Any]) -> None:
        violations: list[str] = []
        checker(params, (), violations, False)
        if violations:
            raise failure(violations)

    return check_params


def _nothing_to_check(params: dict[str, Any]) -> None:
    pass


# The steps from the input to a value, as a chain: () at the input, (parent path, step) below it; a step
# is a member name, or the 1-based index of a list item. Spelled out only for a message, never for a
# valid value.
Path = tuple[Any, ...]


def _spelled(path: Path) -> str:
    """`searchCriteria.filters.1.member.operator`, as the service names a value."""
    steps = []
    while path:
        path, step = path
        steps.append(f"{step}.member" if isinstance(step, int) else step)
    return ".".join(reversed(steps))


# A compiled check: (value, path, violations, sensitive) -> None, appending what `value` breaks.
Checker = Callable[[Any, Path, list[str], bool], None]


@dataclass(frozen=True)
class _Rules:
    """A shape's own constraints, read from the model once, and how a value breaks them."""

    sized: bool
    low: int | None
    high: int | None
    pattern: str | None
    matcher: JavaPattern | None  # the compiled `pattern`
    enum: tuple[str, ...]  # in the model's order, as the message lists them
    numeric: bool

    def broken(self, value: Any) -> list[str]:
        """The rules `value` breaks."""
        broken = []
        if self.sized:
            size = len(value)
            if self.low is not None and size < self.low:
                broken.append(f"Member must have length greater than or equal to {self.low}")
            if self.high is not None and size > self.high:
                broken.append(f"Member must have length less than or equal to {self.high}")
        if self.matcher is not None and not self.matcher.fullmatch(value):
            broken.append(f"Member must satisfy regular expression pattern: {self.pattern}")
        if self.enum and value not in self.enum:
            broken.append(f"Member must satisfy enum value set: [{', '.join(self.enum)}]")
        if self.numeric:
            if self.low is not None and value < self.low:
                broken.append(f"Member must have value greater than or equal to {self.low}")
            if self.high is not None and value > self.high:
                broken.append(f"Member must have value less than or equal to {self.high}")
        return broken


_NO_RULES: list[str] = []


@functools.cache
def _rules_of(shape: Shape) -> _Rules | None:
    """None: the shape has no rule of its own."""
    meta, kind = shape.metadata, shape.type_name
    pattern = meta.get("pattern") if kind == "string" else None
    enum = tuple(shape.enum) if isinstance(shape, StringShape) else ()
    if meta.get("min") is None and meta.get("max") is None and pattern is None and not enum:
        return None
    return _Rules(
        sized=kind in ("string", "blob", "list", "map"),
        low=meta.get("min"),
        high=meta.get("max"),
        pattern=pattern,
        matcher=None if pattern is None else model_patterns()[pattern],
        enum=enum,
        numeric=kind in ("integer", "long"),
    )


@functools.cache
def _accepts(shape: Shape) -> Callable[[Any], bool] | None:
    """The one test a valid value of `shape` passes (`_Rules.broken` says why another fails), made of
    only the rules the shape has; None when it has none a value can break."""
    rules = _rules_of(shape)
    if rules is None:
        return None
    tests: list[Callable[[Any], bool]] = []
    if (rules.sized or rules.numeric) and (rules.low is not None or rules.high is not None):
        low = -math.inf if rules.low is None else rules.low
        high = math.inf if rules.high is None else rules.high
        tests.append((lambda v: low <= len(v) <= high) if rules.sized else (lambda v: low <= v <= high))
    if rules.matcher is not None:
        tests.append(rules.matcher.fullmatch)
    if rules.enum:
        tests.append(frozenset(rules.enum).__contains__)
    return functools.reduce(_both, tests) if tests else None


def _both(first: Callable[[Any], bool], second: Callable[[Any], bool]) -> Callable[[Any], bool]:
    return lambda value: first(value) and second(value)


def _broken(shape: Shape, value: Any) -> list[str]:
    rules = _rules_of(shape)
    return _NO_RULES if rules is None else rules.broken(value)


@functools.cache
def _checker(shape: Shape) -> Checker | None:
    """The check of `shape`, compiled once from the model; None when no value of it can break a rule, so
    that such members are not walked at all."""
    rules, accepts = _rules_of(shape), _accepts(shape)
    inner: Checker | None = None
    if isinstance(shape, StructureShape):
        inner = _structure_checker(shape)
    elif isinstance(shape, ListShape):
        inner = _list_checker(shape)
    elif isinstance(shape, MapShape):
        inner = _map_checker(shape)
    own_sensitivity = bool(shape.metadata.get("sensitive"))
    if accepts is None and (inner is None or not own_sensitivity):
        return inner  # nothing of its own to check: its contents, if any

    def check_value(value: Any, path: Path, violations: list[str], sensitive: bool) -> None:
        """`sensitive`: this shape or one that contains it is sensitive, so values are never echoed."""
        sensitive = sensitive or own_sensitivity
        if rules is not None and accepts is not None and not accepts(value):
            where = _spelled(path)
            violations.extend(describe(where, value, rule, sensitive) for rule in rules.broken(value))
        if inner is not None:
            inner(value, path, violations, sensitive)

    return check_value


def _leaf_test(shape: Shape) -> Callable[[Any], bool] | None:
    """For a member with rules of its own and nothing inside to walk: the one test a valid value passes,
    made inline by the structure that holds it."""
    if isinstance(shape, StructureShape | ListShape | MapShape):
        return None
    return _accepts(shape)


def _members_checker(shape: Shape, only: frozenset[str]) -> Checker | None:
    """The check of input structure `shape` limited to the members `only` (see `check`)."""
    return _structure_checker(shape, only) if isinstance(shape, StructureShape) else None


def _structure_checker(shape: StructureShape, only: frozenset[str] | None = None) -> Checker | None:
    shapes = {name: member for name, member in shape.members.items() if only is None or name in only}
    required = tuple(name for name in shape.required_members if name in shapes)
    required_members = frozenset(required)
    union = tuple(shapes) if shape.metadata.get("union") else ()
    union_members = frozenset(union)
    # per member: the one test a valid value passes inline (None: walk it), and its full check
    checks = {
        name: (_leaf_test(member), checker)
        for name, member in shapes.items()
        if (checker := _checker(member))
    }
    if not (required or union or checks):
        return None

    def check_structure(value: dict[str, Any], path: Path, violations: list[str], sensitive: bool) -> None:
        if required and not required_members.issubset(value):
            for name in required:
                if name not in value:
                    violations.append(describe(_spelled((path, name)), None, "Member must not be null"))
        if union:
            chosen = len(union_members.intersection(value))
            if chosen != 1:
                rule = f"Member must have exactly one of [{', '.join(union)}] set (got {chosen})"
                violations.append(f"Value at '{_spelled(path)}' failed to satisfy constraint: {rule}")
        for name, item in value.items():
            entry = checks.get(name)
            if entry is not None:
                test, full_check = entry
                if test is None or not test(item):  # a failed test is described by the full check
                    full_check(item, (path, name), violations, sensitive)

    return check_structure


def _list_checker(shape: ListShape) -> Checker | None:
    item_check = _checker(shape.member)
    if item_check is None:
        return None

    def check_list(value: list[Any], path: Path, violations: list[str], sensitive: bool) -> None:
        for index, item in enumerate(value, start=1):
            item_check(item, (path, index), violations, sensitive)

    return check_list


def _map_checker(shape: MapShape) -> Checker | None:
    """Keys and values are held to their own rules (a value's members are not walked, as the service)."""
    if _rules_of(shape.key) is None and _rules_of(shape.value) is None:
        return None

    def check_map(value: dict[str, Any], path: Path, violations: list[str], sensitive: bool) -> None:
        for key, item in value.items():
            key_rules = _broken(shape.key, key)
            if key_rules:
                rule = f"Map keys must satisfy constraint: [{', '.join(key_rules)}]"
                violations.append(describe(_spelled(path), key, rule, sensitive))
            value_rules = _broken(shape.value, item)
            if value_rules:
                rule = f"Map value must satisfy constraint: [{', '.join(value_rules)}]"
                violations.append(describe(_spelled(path), item, rule, sensitive))

    return check_map
