"""When two values of an element are the same DICOM value, whatever their text: documents keep IS and DS as
written (`"1 "` from a padded Part 10 file, `"1"` from a pydicom Dataset), and a value from a request may
carry padding a file would not.

Two document values of one element are the same when their `comparable` forms are equal. The form follows the
element's VR (PS3.5 §6.2): IS and DS compare as numbers; text drops the padding that is not significant for
its VR (leading and trailing spaces for codes, names and numbers, trailing ones for long text, trailing NULs
for UIDs); PN also drops empty trailing components; empty, absent and null are one value; a single value
equals a list of that one value. Elements of unknown VR compare as they are.
"""

from __future__ import annotations

import json
from collections.abc import Hashable
from decimal import Decimal, InvalidOperation
from typing import Any

_STRIPPED_BOTH_ENDS = frozenset({"AE", "AS", "CS", "DA", "DT", "LO", "SH", "TM"})
_STRIPPED_AT_THE_END = frozenset({"LT", "ST", "UC", "UR", "UT"})


def comparable(keyword: str, value: Any) -> Hashable:
    """The form of `value` (as a document holds it for the element `keyword`) that equals every other
    spelling of the same DICOM value and no other value."""
    values = value if isinstance(value, list) else [value]
    vr = _vr(keyword)
    forms = (_one(vr, item) for item in values if item is not None)
    return tuple(form for form in forms if form != "")


def _vr(keyword: str) -> str | None:
    from pydicom.datadict import dictionary_VR, tag_for_keyword

    tag = tag_for_keyword(keyword)
    if tag is None:
        return None
    return dictionary_VR(tag).split(" or ")[0]  # "US or SS": both numbers


def _one(vr: str | None, value: Any) -> Hashable:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value  # 1 == 1.0, as numbers
    if not isinstance(value, str):
        return json.dumps(value, sort_keys=True)  # sequence items and the like: as they are
    if vr in ("IS", "DS"):
        return _number(value.strip(" "))
    if vr in _STRIPPED_BOTH_ENDS:
        return value.strip(" ")
    if vr in _STRIPPED_AT_THE_END:
        return value.rstrip(" ")
    if vr == "UI":
        return value.rstrip("\0 ")
    if vr == "PN":
        groups = [group.rstrip("^ ") for group in value.rstrip(" ").split("=")]
        return "=".join(groups).rstrip("=")
    return value


def _number(text: str) -> Hashable:
    try:
        number = Decimal(text)
    except InvalidOperation:
        return text  # not a number: compared as written, padding aside
    return number if number.is_finite() else text
