"""Server-side constraint checks: the parts of the model that botocore leaves to the service.

botocore refuses missing members, too-short values and unknown members on the client; it sends lengths
above `max`, patterns, enums, ranges and list sizes unchecked. The service answers those with
ValidationException in the usual AWS wording, which this module reproduces.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from botocore.model import Shape

from medimaging_mock.domain.errors import ValidationException
from medimaging_mock.wire.patterns import model_patterns


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


def check(shape: Shape | None, params: dict[str, Any]) -> None:
    """Raise ValidationException listing every constraint `params` breaks."""
    if shape is None:
        return
    violations: list[str] = []
    _check_structure(shape, params, "", violations, sensitive=False)
    if violations:
        raise failure(violations)


@dataclass(frozen=True)
class _Rules:
    """A shape's own constraints, read from the model once."""

    sized: bool
    low: int | None
    high: int | None
    pattern: str | None
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
        if self.pattern is not None and not model_patterns()[self.pattern].fullmatch(value):
            broken.append(f"Member must satisfy regular expression pattern: {self.pattern}")
        if self.enum and value not in self.enum:
            broken.append(f"Member must satisfy enum value set: [{', '.join(self.enum)}]")
        if self.numeric:
            if self.low is not None and value < self.low:
                broken.append(f"Member must have value greater than or equal to {self.low}")
            if self.high is not None and value > self.high:
                broken.append(f"Member must have value less than or equal to {self.high}")
        return broken


@functools.cache
def _rules_of(shape: Shape) -> _Rules:
    meta, kind = shape.metadata, shape.type_name
    return _Rules(
        sized=kind in ("string", "blob", "list", "map"),
        low=meta.get("min"),
        high=meta.get("max"),
        pattern=meta.get("pattern") if kind == "string" else None,
        enum=tuple(shape.enum) if kind == "string" else (),
        numeric=kind in ("integer", "long"),
    )


def _rules(shape: Shape, value: Any) -> list[str]:
    """The scalar and size rules of `shape` that `value` breaks."""
    return _rules_of(shape).broken(value)


@functools.cache
def _constrained(shape: Shape) -> bool:
    """Whether a value of `shape` can break any rule: members that cannot are not walked at all."""
    rules = _rules_of(shape)
    if rules.low is not None or rules.high is not None or rules.pattern is not None or rules.enum:
        return True
    if shape.type_name == "structure":
        return bool(shape.required_members or shape.metadata.get("union")) or any(
            _constrained(member) for member in shape.members.values()
        )
    if shape.type_name == "list":
        return _constrained(shape.member)
    if shape.type_name == "map":
        return _constrained(shape.key) or _constrained(shape.value)
    return False


def _check(shape: Shape, value: Any, path: str, violations: list[str], sensitive: bool) -> None:
    """`sensitive`: this shape or one that contains it is sensitive, so values are never echoed."""
    sensitive = sensitive or bool(shape.metadata.get("sensitive"))
    broken = _rules(shape, value)
    if broken:
        violations.extend(describe(path, value, rule, sensitive) for rule in broken)
    if shape.type_name == "structure":
        _check_structure(shape, value, path, violations, sensitive)
    elif shape.type_name == "list":
        for index, item in enumerate(value, start=1):
            _check(shape.member, item, f"{path}.{index}.member", violations, sensitive)
    elif shape.type_name == "map":
        for key, item in value.items():
            key_rules = _rules(shape.key, key)
            if key_rules:
                rule = f"Map keys must satisfy constraint: [{', '.join(key_rules)}]"
                violations.append(describe(path, key, rule, sensitive))
            value_rules = _rules(shape.value, item)
            if value_rules:
                rule = f"Map value must satisfy constraint: [{', '.join(value_rules)}]"
                violations.append(describe(path, item, rule, sensitive))


def _check_structure(
    shape: Shape, value: dict[str, Any], path: str, violations: list[str], sensitive: bool
) -> None:
    prefix = f"{path}." if path else ""
    for name in shape.required_members:
        if value.get(name) is None:
            violations.append(describe(prefix + name, None, "Member must not be null"))
    if shape.metadata.get("union"):
        chosen = [name for name in shape.members if value.get(name) is not None]
        if len(chosen) != 1:
            rule = f"Member must have exactly one of [{', '.join(shape.members)}] set"
            violations.append(f"Value at '{path}' failed to satisfy constraint: {rule} (got {len(chosen)})")
    members = shape.members
    for name, item in value.items():
        member = members.get(name)
        if item is not None and member is not None and _constrained(member):
            _check(member, item, prefix + name, violations, sensitive)
