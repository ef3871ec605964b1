"""The model's `pattern` constraints, matched as the service's Java regexes match them, in time linear in the
input: Java's engine and Python's `re` backtrack, and some model patterns take minutes on a few dozen
characters. RE2 does not backtrack; what follows translates the model's Java syntax into RE2's, or fails
loudly for a pattern it cannot translate exactly.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable
from typing import Any

import re2
from re2 import _re2 as _re2_engine

from medimaging_mock.wire.model import service_model
from medimaging_mock.wire.remembered import remembered

_RE2_MAX_REPEAT = 1000  # RE2 refuses counted repetitions above this
_JAVA_DOT = r"[^\n\r\x{85}\x{2028}\x{2029}]"  # Java's `.` (no DOTALL): anything but a line terminator
_JAVA_CLASSES = {r"\p{ASCII}": r"\x00-\x7f"}  # as the body of an RE2 class
# Java constructs RE2 accepts with another meaning (Java's \s has \x0b; its `$` and \b differ too).
_READ_DIFFERENTLY = {r"\s", r"\S", r"\v", r"\b", r"\B", r"\Q", "$"}
_TOKEN = re.compile(
    r"\\p\{\w+\}|\\x\{\w+\}|\\.|\[\^?\]?(?:\\.|[^\]\\])*\]|\(\?[:!=]|\{\d+(?:,\d*)?\}|.", re.DOTALL
)
_REPEAT = re.compile(r"\{(\d+)(,?)(\d*)\}")
_OPENERS = ("(", "(?:", "(?!", "(?=")
# RE2 itself, without the wrapper's Python-level match objects (6 us a match, against 1 us): only "does it
# match" is asked. google-re2 is pinned below 2 for this.
_BOTH, _START = _re2_engine.RE2.Anchor.ANCHOR_BOTH, _re2_engine.RE2.Anchor.ANCHOR_START
_NO_MATCH = (-1, -1)
# Lone surrogates (JSON allows "\ud800") cannot reach RE2 as UTF-8; U+FFFD stands in, one for one.
_LONE_SURROGATES = dict.fromkeys(range(0xD800, 0xE000), "\ufffd")


class JavaPattern:
    """A model `pattern`, matched as the service's Java regex matches it, in time linear in the input.

    A leading negative lookahead `(?!X)R` (RE2 has none) is two linear matches: R matches the whole
    value and X does not match at its start.
    """

    def __init__(self, source: str):
        tokens = _TOKEN.findall(source)
        self._excluded = None
        if tokens[:1] == ["(?!"]:
            depths = list(itertools.accumulate((token in _OPENERS) - (token == ")") for token in tokens))
            end = depths.index(0)
            if any(token == "|" and depth == 0 for token, depth in zip(tokens, depths, strict=True)):
                raise ValueError(f"{source!r}: the lookahead would govern the first alternative only")
            self._excluded = _re2(tokens[1:end])
            tokens = tokens[end + 1 :]
        lengths = _repeated_single_character(tokens)
        self._whole = _re2([*tokens[:1], "*"] if lengths else tokens)
        self.fullmatch: Callable[[str], bool]
        if lengths and self._excluded is None:
            self.fullmatch = self._one_class_repeated(*lengths)
        else:
            self._lengths = lengths
            self.fullmatch = remembered(self._fullmatch, longest=256)

    def _one_class_repeated(self, low: int, high: float) -> Callable[[str], bool]:
        """One character class, repeated (most model patterns: ids, versions, names): RE2 says once which
        ASCII characters it accepts, and an ASCII text is then a length and a set test."""
        whole = self._whole
        accepted = frozenset(c for c in map(chr, range(128)) if _matches(whole, _BOTH, c.encode()))

        def fullmatch(text: str) -> bool:
            if not low <= len(text) <= high:
                return False
            if text.isascii():
                return accepted.issuperset(text)
            return _matches(whole, _BOTH, text.translate(_LONE_SURROGATES).encode())

        return fullmatch

    def _fullmatch(self, text: str) -> bool:
        if self._lengths and not self._lengths[0] <= len(text) <= self._lengths[1]:
            return False
        encoded = (text if text.isascii() else text.translate(_LONE_SURROGATES)).encode()
        if self._excluded is not None and _matches(self._excluded, _START, encoded):
            return False
        return _matches(self._whole, _BOTH, encoded)


def _matches(compiled: Any, anchor: Any, encoded: bytes) -> bool:
    return bool(compiled.Match(anchor, encoded, 0, len(encoded))[0] != _NO_MATCH)


def _repeated_single_character(tokens: list[str]) -> tuple[int, float] | None:
    r"""`X{m,n}`, `X+`, `X*` or `X?` where X matches one character (the model's `\d+`, `[0-9a-z]{32}`,
    `\p{ASCII}{0,8192}`): the bounds on the length, so the pattern becomes `X*` plus a length check. The
    same language, without the thousands of states RE2 would build for a large count."""
    if len(tokens) != 2 or tokens[0] in "()|*+?{}^" or tokens[0].startswith("(?"):
        return None
    quantifier = tokens[1]
    if quantifier in _QUANTIFIERS:
        return _QUANTIFIERS[quantifier]
    repeat = _REPEAT.fullmatch(quantifier)
    if repeat is None:
        return None
    low = int(repeat[1])
    return low, (float(repeat[3]) if repeat[3] else float("inf")) if repeat[2] else low


_QUANTIFIERS = {"*": (0, float("inf")), "+": (1, float("inf")), "?": (0, 1.0)}


def _re2(tokens: list[str]) -> Any:
    """Java tokens -> a compiled RE2 pattern of the same language; raises if there is none."""
    out: list[str] = []
    opened: list[int] = []  # where each open group starts in `out`
    atom = 0  # where the last atom starts in `out`
    for token in tokens:
        if token in _READ_DIFFERENTLY:
            raise ValueError(f"{''.join(tokens)!r}: Java and RE2 read {token!r} differently")
        repeat = _REPEAT.fullmatch(token)
        if repeat and max(int(repeat[1]), int(repeat[3] or 0)) > _RE2_MAX_REPEAT:
            out[atom:] = [_repeated("".join(out[atom:]), int(repeat[1]), repeat[2], repeat[3])]
            continue
        atom = opened.pop() if token == ")" else len(out)
        if token in _OPENERS:
            opened.append(atom)
        out.append(_atom(token))
    options = re2.Options()
    options.never_capture = True  # only "does it match" is asked
    options.log_errors = False  # a pattern RE2 refuses raises; it need not also log
    compiled = _re2_engine.RE2("".join(out).encode(), options)
    if not compiled.ok():
        raise re2.error(compiled.error())
    return compiled


def _atom(token: str) -> str:
    """One Java token in RE2's syntax."""
    if token == ".":
        return _JAVA_DOT
    if token in _JAVA_CLASSES:
        return f"[{_JAVA_CLASSES[token]}]"
    if token.startswith("["):
        parts = re.findall(r"\\p\{\w+\}|\\.|.", token, re.DOTALL)
        if "[" in parts[1:] or "&&" in "".join(parts):
            raise ValueError(f"{token!r}: Java reads a nested class or && in it; RE2 would not")
        return "".join(_JAVA_CLASSES.get(part, part) for part in parts)
    return token


def _repeated(atom: str, low: int, comma: str, high: str) -> str:
    """`atom{low,high}` as runs of repetitions RE2 accepts, with the same language."""
    group = f"(?:{atom})"

    def runs(count: int, optional: str) -> str:
        sizes = [_RE2_MAX_REPEAT] * (count // _RE2_MAX_REPEAT) + [count % _RE2_MAX_REPEAT]
        return "".join(f"{group}{{{optional}{size}}}" for size in sizes if size)

    if not comma:
        return runs(low, "")
    if not high:
        return runs(low, "") + f"{group}*"
    return runs(low, "") + runs(int(high) - low, "0,")


@functools.cache
def model_patterns() -> dict[str, JavaPattern]:
    """Every `pattern` of the model, compiled together when the endpoint is built: one RE2 cannot match
    in linear time fails loudly then, not on the first call that reaches it."""
    model = service_model()
    sources = {model.shape_for(name).metadata.get("pattern") for name in model.shape_names}
    return {source: JavaPattern(source) for source in sources if source is not None}
