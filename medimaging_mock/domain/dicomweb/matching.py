"""A QIDO-RS query string as the mock reads it (PS3.18 §8.3.4, PS3.4 C.2.2.2): the filters its matching
keys make, the attributes `includefield` adds, and the page `limit` / `offset` ask for.

What each value means, by the attribute's VR:
- empty, or only `*`: universal matching (every result; the attribute is returned);
- UI, and ModalitiesInStudy: one value or a list separated by commas (or backslashes): any of them,
  exactly;
- DA / TM: a value or a range `A-B`, `-B`, `A-` (inclusive; a TM bound covers the period it names, so
  `-10` ends at 10:59:59.999999 and `StudyTime=1030` is 10:30:00 to 10:30:59.999999);
- any value with `*` (any run of characters, also none) or `?` (one character): wildcard matching;
- otherwise single value matching: exact and case-sensitive, but PN is case-insensitive and IS / DS compare
  as numbers.
Multi-valued attributes match when any of their values does. With `fuzzymatching=true`, PatientName and
ReferringPhysicianName match when any word of the query (words split at `^`, `=`, `,` and spaces; quotes
around the value are dropped) begins, case-insensitively, any word of the name.

Keys: a keyword or 8 hex digits. A DICOM attribute that the resource does not match on is ignored; a key that
is no DICOM attribute (nor limit, offset, fuzzymatching, includefield) is a ValidationException.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from medimaging_mock.domain.dicomweb.qido_resources import INSTANCE, Resource
from medimaging_mock.domain.dicomweb.study_views import texts
from medimaging_mock.domain.errors import ValidationException

DEFAULT_LIMIT = MAX_LIMIT = 1000
MAX_OFFSET = 1_000_000  # the current Developer Guide page (an older one caps results at 10,000)
MAX_INCLUDEFIELDS = 50
FUZZY_KEYWORDS = frozenset({"PatientName", "ReferringPhysicianName"})
RESERVED = ("limit", "offset", "fuzzymatching", "includefield")
_HEX_TAG = re.compile(r"[0-9A-Fa-f]{8}")
_DATE = re.compile(r"[0-9]{8}")
_TIME = re.compile(r"([0-9]{2})([0-9]{2})?([0-9]{2})?(?:\.([0-9]{1,6}))?")
_WORD_BREAKS = re.compile(r"[\s^=,]+")
_LIST_SEPARATORS = re.compile(r"[,\\]")
LIST_KEYWORDS = frozenset({"ModalitiesInStudy"})  # besides UIDs, the key whose value may list several
_SHOWN = 64  # characters of a client's text repeated in a message


@dataclass(frozen=True)
class Filter:
    keyword: str
    accepts: Callable[[Any], bool]  # on the attribute's value in a view (study_views.ABSENT when none)
    exact: frozenset[str] | None = None  # the only values it accepts, when it names them


@dataclass(frozen=True)
class Fields:
    """What includefield asks for, as document keys (keywords; 8 hex digits for private tags)."""

    everything: bool = False
    keys: tuple[str, ...] = ()
    paths: tuple[tuple[str, ...], ...] = ()  # sequence paths: 00080096.00080100
    creators: tuple[tuple[str, str], ...] = ()  # (private creator key, the creator the client names)


@dataclass(frozen=True)
class SearchRequest:
    filters: tuple[Filter, ...]
    match_keywords: tuple[str, ...]  # returned in every result, like the default attributes
    fields: Fields
    limit: int
    offset: int


def parse(query: Iterable[tuple[str, str]], resource: Resource) -> SearchRequest:
    pairs = list(query)
    limit = _count(pairs, "limit", 1, MAX_LIMIT, DEFAULT_LIMIT)
    offset = _count(pairs, "offset", 0, MAX_OFFSET, 0)
    fuzzy = _fuzzy(pairs)
    includes = [value for key, value in pairs if key == "includefield"]
    if len(includes) > MAX_INCLUDEFIELDS:
        raise ValidationException(
            f"A search takes up to {MAX_INCLUDEFIELDS} includefield parameters, not {len(includes)}"
        )
    filters: list[Filter] = []
    creators: dict[str, str] = {}
    for key, value in pairs:
        if key in RESERVED:
            continue
        tags = _tags_of(key)
        if len(tags) > 1:  # a sequence path (00400275.00401001): valid, but no resource matches on one
            continue
        keyword = _keyword(tags[0])
        if resource.level == INSTANCE and _is_private_creator(tags[0]):
            creators[f"{tags[0]:08X}"] = value.strip()
        elif keyword in resource.matching_keys:
            filters.append(_filter(keyword, _vr(tags[0]), value, fuzzy and keyword in FUZZY_KEYWORDS))
    return SearchRequest(
        tuple(filters),
        tuple(dict.fromkeys(f.keyword for f in filters)),
        _fields(includes, creators),
        limit,
        offset,
    )


def _count(pairs: list[tuple[str, str]], name: str, low: int, high: int, default: int) -> int:
    values = [value for key, value in pairs if key == name]
    if not values:
        return default
    if len(values) > 1:
        raise ValidationException(f"{name} may be given once, not {len(values)} times")
    text = values[0]
    if not (text.isascii() and text.isdigit() and len(text) <= len(str(high)) and low <= int(text) <= high):
        raise ValidationException(f"{name} must be an integer from {low} to {high}, not {_shown(text)}")
    return int(text)


def _fuzzy(pairs: list[tuple[str, str]]) -> bool:
    values = {value.lower() for key, value in pairs if key == "fuzzymatching"}
    wrong = values - {"true", "false"}
    if wrong:
        raise ValidationException(f"fuzzymatching must be true or false, not {_shown(min(wrong))}")
    if len(values) > 1:
        raise ValidationException("fuzzymatching may be true or false, not both")
    return values == {"true"}


def _tags_of(key: str) -> list[int]:
    """The tag a query key names, or the tags of a sequence path."""
    tags = [_tag(part) for part in key.split(".")]
    if None in tags:
        raise ValidationException(
            f"{_shown(key)} is not a DICOM attribute keyword or tag (8 hex digits), nor one of "
            f"{', '.join(RESERVED)}"
        )
    return [tag for tag in tags if tag is not None]


def _tag(key: str) -> int | None:
    from pydicom.datadict import tag_for_keyword

    if _HEX_TAG.fullmatch(key):
        return int(key, 16)
    return tag_for_keyword(key)


def _keyword(tag: int) -> str:
    from pydicom.datadict import keyword_for_tag

    return keyword_for_tag(tag)


def _vr(tag: int) -> str:
    from pydicom.datadict import dictionary_VR

    return dictionary_VR(tag)


def _is_private_creator(tag: int) -> bool:
    from pydicom.tag import Tag

    return bool(Tag(tag).is_private_creator)


def _document_key(tag: int) -> str:
    from pydicom.tag import Tag

    from medimaging_mock.domain.metadata.values import key_for

    return key_for(Tag(tag))


def _fields(includes: list[str], creators: dict[str, str]) -> Fields:
    """Unknown, invalid and absent attributes are left out silently, as the service does."""
    everything, keys, paths = False, [], []
    for include in includes:
        for name in (part.strip() for part in include.split(",")):
            if name.lower() == "all":
                everything = True
                continue
            tags = [_tag(part) for part in name.split(".")]
            if not name or None in tags:
                continue
            document_keys = tuple(_document_key(int(tag or 0)) for tag in tags)
            if len(document_keys) == 1:
                keys.append(document_keys[0])
            else:
                paths.append(document_keys)
    return Fields(
        everything, tuple(dict.fromkeys(keys)), tuple(dict.fromkeys(paths)), tuple(creators.items())
    )


def _filter(keyword: str, vr: str, value: str, fuzzy: bool) -> Filter:
    if fuzzy:
        return _fuzzy_filter(keyword, value)
    value = value.strip()
    if not value.strip("*"):
        return Filter(keyword, _universal)
    if vr == "UI" or keyword in LIST_KEYWORDS:
        listed = frozenset(item.strip() for item in _LIST_SEPARATORS.split(value) if item.strip())
        return Filter(keyword, lambda held: not listed.isdisjoint(texts(held)), listed)
    if vr in ("DA", "TM") and "-" in value:
        low, high = _range(keyword, vr, value)
        bound = _date_within if vr == "DA" else _time_within
        return Filter(keyword, lambda held: any(bound(text, low, high) for text in texts(held)))
    if "*" in value or "?" in value:
        return _wildcard_filter(keyword, vr, value)
    if vr in ("DA", "TM"):
        low, high = _range(keyword, vr, f"{value}-{value}")
        bound = _date_within if vr == "DA" else _time_within
        return Filter(keyword, lambda held: any(bound(text, low, high) for text in texts(held)))
    if vr == "PN":
        name = _name(value)
        return Filter(keyword, lambda held: any(name in _names(text) for text in texts(held)))
    if vr in ("IS", "DS"):
        number = _number(value)
        if number is not None:
            return Filter(keyword, lambda held: any(_number(text) == number for text in texts(held)))
    return Filter(keyword, lambda held: value in texts(held), frozenset({value}))


def _universal(held: Any) -> bool:
    return True


def _wildcard_filter(keyword: str, vr: str, value: str) -> Filter:
    if vr == "PN":
        pattern = _glob(_name(value))
        return Filter(
            keyword, lambda held: any(pattern.match(name) for text in texts(held) for name in _names(text))
        )
    pattern = _glob(value)
    return Filter(keyword, lambda held: any(pattern.match(text) for text in texts(held)))


def _fuzzy_filter(keyword: str, value: str) -> Filter:
    words = _words(value.strip().strip('"'))
    if not words:
        return Filter(keyword, _universal)
    patterns = [_glob(word + "*") for word in words]
    return Filter(
        keyword,
        lambda held: any(
            pattern.match(word) for text in texts(held) for word in _words(text) for pattern in patterns
        ),
    )


def _words(text: str) -> list[str]:
    return [word for word in _WORD_BREAKS.split(text.casefold()) if word]


def _name(text: str) -> str:
    """A person name compared without case and without trailing empty components."""
    return text.casefold().rstrip("^ ")


def _names(text: str) -> list[str]:
    """Each component group of a stored name (alphabetic, ideographic, phonetic)."""
    return [_name(group) for group in text.split("=")]


def _glob(pattern: str) -> re.Pattern[str]:
    """`*` and `?` as a regular expression that runs in linear time for any pattern: every segment between
    stars is taken at its first fit, atomically (no backtracking into it), and the last one at the end."""
    segments = pattern.split("*")

    def literal(segment: str) -> str:
        return "".join("." if char == "?" else re.escape(char) for char in segment)

    if len(segments) == 1:
        return re.compile(literal(pattern) + r"\Z", re.DOTALL)
    middle = "".join(f"(?>.*?{literal(segment)})" for segment in segments[1:-1])
    return re.compile(f"{literal(segments[0])}{middle}.*{literal(segments[-1])}\\Z", re.DOTALL)


def _number(text: str) -> float | None:
    """An IS / DS value as a number; None for text that is none (DS allows no `_`, `nan` or `inf`)."""
    try:
        number = float(text)
    except ValueError:
        return None
    return number if "_" not in text and math.isfinite(number) else None


def _range(keyword: str, vr: str, value: str) -> tuple[str, str]:
    """The inclusive (low, high) of a DA or TM range, each as comparable text."""
    low, _, high = value.partition("-")
    low, high = low.strip(), high.strip()
    if vr == "DA":
        parsed = [_date(keyword, low, "00000000"), _date(keyword, high, "99999999")]
    else:
        parsed = [_time(keyword, low, upper=False), _time(keyword, high, upper=True)]
    if not (low or high):
        raise ValidationException(f"{keyword}: a range needs a lower or an upper bound, not {_shown(value)}")
    return parsed[0], parsed[1]


def _date(keyword: str, text: str, open_end: str) -> str:
    if not text:
        return open_end
    if _DATE.fullmatch(text) and _valid_date(text):
        return text
    raise ValidationException(
        f"{keyword} takes a date as YYYYMMDD, or a range of them (A-B, -B, A-), not {_shown(text)}"
    )


def _valid_date(text: str) -> bool:
    try:
        date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return False
    return True


def _time(keyword: str, text: str, upper: bool) -> str:
    if not text:
        return "235959.999999" if upper else "000000.000000"
    found = _TIME.fullmatch(text)
    if found is None or not _valid_time(found):
        raise ValidationException(
            f"{keyword} takes a time as HH[MM[SS[.FFFFFF]]], or a range of them (A-B, -B, A-), "
            f"not {_shown(text)}"
        )
    return _moment(found, upper)


def _valid_time(found: re.Match[str]) -> bool:
    hours, minutes, seconds, _ = found.groups()
    return int(hours) < 24 and int(minutes or 0) < 60 and int(seconds or 0) < 60


def _moment(found: re.Match[str], upper: bool) -> str:
    """HHMMSS.FFFFFF; the parts a time leaves out are the start of its period, or the end when `upper`."""
    hours, minutes, seconds, fraction = found.groups()
    fill, digit = ("59", "9") if upper else ("00", "0")
    return f"{hours}{minutes or fill}{seconds or fill}.{(fraction or '').ljust(6, digit)}"


def _date_within(text: str, low: str, high: str) -> bool:
    return _DATE.fullmatch(text) is not None and low <= text <= high


def _time_within(text: str, low: str, high: str) -> bool:
    found = _TIME.fullmatch(text.replace(":", ""))
    return found is not None and low <= _moment(found, upper=False) <= high


def _shown(text: str) -> str:
    return repr(text if len(text) <= _SHOWN else text[:_SHOWN] + "...")
