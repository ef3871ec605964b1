"""DICOM element values as HealthImaging writes them in metadata JSON.

Empty -> null; elements the dictionary allows to repeat -> arrays; US/SS/UL/... -> numbers; IS/DS -> the
strings as stored, padding included; PN and other text -> pydicom's (stripped) strings; binary VRs ->
base64; sequences -> arrays of objects. Keys are pydicom's keywords, or 8 hex digits for private and
unknown tags.
"""

from __future__ import annotations

import base64
import functools
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydicom.dataelem import DataElement, RawDataElement
    from pydicom.dataset import Dataset
    from pydicom.tag import BaseTag

NUMERIC_VRS = frozenset({"US", "SS", "UL", "SL", "FL", "FD", "SV", "UV"})
BINARY_VRS = frozenset({"OB", "OW", "OD", "OF", "OL", "OV", "UN"})
NUMBER_STRING_VRS = frozenset({"IS", "DS"})
NUMBER_VRS = NUMERIC_VRS | NUMBER_STRING_VRS
# Pixel data lives in frames; trailing padding is not metadata.
PIXEL_TAGS = frozenset({0x7FE00010, 0x7FE00008, 0x7FE00009, 0xFFFCFFFC})


def key_for(tag: BaseTag) -> str:
    """The document key of a tag: its keyword, or 8 upper-case hex digits for private and unknown tags."""
    from pydicom.datadict import keyword_for_tag

    return (not tag.is_private and keyword_for_tag(tag)) or f"{int(tag):08X}"


@functools.lru_cache(maxsize=4096)
def repeats(tag: BaseTag) -> bool:
    """Whether the dictionary lets the element hold several values (then it is always an array): a
    dictionary lookup, the same for every file."""
    from pydicom.datadict import dictionary_VM

    try:
        return dictionary_VM(tag) != "1"
    except KeyError:
        return False


def encode_dataset(dataset: Dataset) -> dict[str, Any]:
    # Iterate tags, not elements: iterating a Dataset converts its raw elements, losing IS/DS padding.
    return {
        key_for(tag): encode_element(dataset, tag) for tag in list(dataset.keys()) if tag not in PIXEL_TAGS
    }


def encode_element(dataset: Dataset, tag: BaseTag) -> Any:
    raw = dataset.get_item(tag)  # before dataset[tag], which replaces the raw element with a converted one
    return encode_converted(dataset[tag], raw)


def encode_converted(element: DataElement, raw: RawDataElement | DataElement) -> Any:
    """The value of `element`, converted by pydicom from `raw`, the element as the dataset held it."""
    vr = element.VR
    if vr == "SQ":
        return [encode_dataset(item) for item in element.value] if element.value else None
    if vr in BINARY_VRS:
        return base64.b64encode(element.value).decode("ascii") if element.value else None
    values = _stored_number_strings(raw) if vr in NUMBER_STRING_VRS else _values(element)
    if not values:
        return None
    if vr == "AT":
        values = [f"{int(v):08X}" for v in values]
    elif vr not in NUMBER_VRS:
        values = [str(v) for v in values]
    if len(values) == 1 and not repeats(element.tag):
        return values[0]
    return values


def _values(element: DataElement) -> list[Any]:
    value = element.value
    if value is None or value == "":
        return []
    if element.VM > 1 or isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def _stored_number_strings(raw: RawDataElement | DataElement) -> list[str]:
    """IS/DS as written in the file: split on backslashes, DICOM's even-length padding kept."""
    from pydicom.dataelem import RawDataElement

    if isinstance(raw, RawDataElement):
        text = raw.value.decode("ascii", errors="replace") if raw.value else ""
        return text.split("\\") if text.strip(" \x00") else []
    return [str(value) for value in _values(raw)]
