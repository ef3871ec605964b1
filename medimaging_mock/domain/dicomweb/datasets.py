"""An instance of an image set as pydicom sees it, and its DICOM JSON (PS3.18 Annex F).

The document keeps values in HealthImaging's metadata encoding (metadata/values.py); this module reads them
back. An element's VR comes from pydicom's dictionary; a private or unknown element takes the VR its
instance's DICOMVRs names, else the one pydicom's private dictionary gives for its private creator, else
one that fits its JSON value. Ambiguous VRs ("US or SS", ...) are settled as pydicom settles them when it
writes a file. An element whose stored value its VR cannot hold (only a forced update writes one) is left
out, so every view is DICOM that pydicom writes and clients parse.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from medimaging_mock.domain.metadata.values import BINARY_VRS, NUMBER_STRING_VRS, NUMERIC_VRS, PIXEL_TAGS

if TYPE_CHECKING:
    from pydicom.dataelem import DataElement
    from pydicom.dataset import Dataset

    from medimaging_mock.domain.metadata.document import Document

# Binary values of at least this many bytes leave the metadata as BulkDataURIs (reference §3: "binary values
# ... that exceed 1MB"; any binary element, private or not, at any depth).
BULKDATA_SIZE = 1024 * 1024
# pydicom's threshold counts base64 characters: a value goes out when its length exceeds threshold // 4 * 3.
_JSON_THRESHOLD = (BULKDATA_SIZE // 3) * 4  # // 4 * 3 == BULKDATA_SIZE - 1
_HEX_TAG = re.compile(r"[0-9A-Fa-f]{8}")
_FILE_META_GROUP = 0x0002
_PRIVATE_CREATORS = range(0x0010, 0x0100)  # (gggg,0010)-(gggg,00FF) in an odd group


# What pydicom raises when the element that settles an ambiguous VR is absent (AttributeError) or holds no
# usable value (an empty LUTDescriptor, text where a number belongs).
_UNDECIDED = (AttributeError, TypeError, IndexError, ValueError)


class _Unfit(ValueError):
    """A stored value that its element's VR cannot hold."""


def instance_dataset(document: Document, series_uid: str, sop_uid: str) -> Dataset:
    """The instance with its patient, study and series elements, file meta included; the file meta's
    TransferSyntaxUID is the stored one (reference §3). KeyError when the document lacks the instance."""
    from pydicom.uid import UID

    series = document.series[series_uid]
    instance = series.instances[sop_uid]
    blocks = (document.patient, document.study, series.dicom, instance.dicom)
    dataset = dataset_of(blocks, instance.dicom_vrs)
    dataset.file_meta.TransferSyntaxUID = UID(instance.stored_transfer_syntax_uid)
    return dataset


def dataset_of(blocks: Iterable[Mapping[str, Any]], vrs: Mapping[str, str]) -> Dataset:
    """One dataset from document blocks (group 0002 into its file meta); `vrs`: DICOMVRs by document key."""
    from pydicom.dataset import Dataset, FileMetaDataset

    dataset = Dataset()
    dataset.file_meta = FileMetaDataset()
    for block in blocks:
        _add_block(dataset, block, vrs, dataset.file_meta)
    for target in (dataset.file_meta, dataset):
        _settle_ambiguous(target, [])
    return dataset


def dicom_json(dataset: Dataset, bulkdata_uri: Callable[[str], str]) -> dict[str, Any]:
    """The dataset's DICOM JSON, file meta (but its group length) first; `bulkdata_uri(bulkdata_id)`
    names where a large binary value can be fetched."""

    def handler(element: DataElement) -> str:
        return bulkdata_uri(bulkdata_id(element.value))

    meta = dataset.file_meta.to_json_dict(_JSON_THRESHOLD, handler, suppress_invalid_tags=True)
    meta.pop("00020000", None)  # FileMetaInformationGroupLength: a property of a file, not of the instance
    elements = dataset.to_json_dict(_JSON_THRESHOLD, handler, suppress_invalid_tags=True)
    return dict(sorted(meta.items())) | dict(sorted(elements.items()))  # in tag order, as a file holds them


def bulkdata_id(value: bytes) -> str:
    """The id of a bulk value: the MD5 of its bytes, 32 hex digits like the service's `bulkdataUriHash`.
    It names the value, so a URI from before an update that changed the value no longer resolves."""
    return hashlib.md5(value, usedforsecurity=False).hexdigest()


def bulk_values(dataset: Dataset) -> Iterator[bytes]:
    """Every value dicom_json gives as a BulkDataURI, nested ones included."""
    yield from _bulk_values(dataset.file_meta)
    yield from _bulk_values(dataset)


def _bulk_values(dataset: Dataset) -> Iterator[bytes]:
    for element in dataset:
        if element.VR == "SQ":
            for item in element.value:
                yield from _bulk_values(item)
        elif element.VR in BINARY_VRS and element.value and len(element.value) >= BULKDATA_SIZE:
            yield element.value


def _add_block(
    target: Dataset, block: Mapping[str, Any], vrs: Mapping[str, str], meta: Dataset | None
) -> None:
    for key, value in block.items():
        tag = _tag(key)
        if tag is None or tag in PIXEL_TAGS or tag & 0xFFFF == 0:  # group lengths belong to files
            continue
        try:
            element = _element(tag, key, value, vrs, block)
        except _Unfit:
            continue
        (meta if meta is not None and tag >> 16 == _FILE_META_GROUP else target).add(element)


def _tag(key: str) -> int | None:
    """The tag a document key names: 8 hex digits for private and unknown tags, else a keyword."""
    from pydicom.datadict import tag_for_keyword

    return int(key, 16) if _HEX_TAG.fullmatch(key) else tag_for_keyword(key)


def _element(tag: int, key: str, value: Any, vrs: Mapping[str, str], block: Mapping[str, Any]) -> DataElement:
    from pydicom.config import IGNORE
    from pydicom.dataelem import DataElement

    vr = _vr(tag, key, value, vrs, block)
    converted = _value(vr, value, vrs)
    try:  # IGNORE: values as files hold them (a lower-case CS, a short DA) are shown as they are, not judged
        return DataElement(tag, vr, converted, validation_mode=IGNORE)
    except (TypeError, ValueError, OverflowError) as error:  # what pydicom's own conversion refuses
        raise _Unfit(str(error)) from error


def _vr(tag: int, key: str, value: Any, vrs: Mapping[str, str], block: Mapping[str, Any]) -> str:
    from pydicom.datadict import dictionary_VR, private_dictionary_VR

    named = vrs.get(key)
    if _known_vr(named):
        return str(named)
    try:
        return dictionary_VR(tag)
    except KeyError:
        pass
    group, element = tag >> 16, tag & 0xFFFF
    if group % 2:
        if element in _PRIVATE_CREATORS:
            return "LO"
        creator = block.get(f"{group:04X}00{element >> 8:02X}")
        if isinstance(creator, str):
            try:
                vr = private_dictionary_VR(tag, creator)
            except KeyError:
                pass
            else:
                if _known_vr(vr) or " or " in vr:
                    return vr
    return _vr_of(value)


def _known_vr(vr: object) -> bool:
    from pydicom.valuerep import VR

    return isinstance(vr, str) and vr in VR.__members__


def _vr_of(value: Any) -> str:
    """A VR that holds a JSON value whose VR nothing names: sequences, numbers, else unlimited text."""
    first = value[0] if isinstance(value, list) and value else value
    if isinstance(first, Mapping):
        return "SQ"
    if isinstance(first, float):
        return "FD"
    if isinstance(first, int) and not isinstance(first, bool):
        return "SL" if -(2**31) <= first < 2**31 else "SV"
    return "UC" if isinstance(first, str) else "UN"


def _value(vr: str, value: Any, vrs: Mapping[str, str]) -> Any:
    """pydicom's value for the document's `value` of an element with `vr`; _Unfit when it cannot be."""
    from pydicom.sequence import Sequence

    if vr == "SQ":
        items = value if isinstance(value, list) else [] if value is None else None
        if items is None or not all(isinstance(item, Mapping) for item in items):
            raise _Unfit(vr)
        return Sequence([_item(item, vrs) for item in items])
    if value is None:
        return None
    if vr in BINARY_VRS or (" or " in vr and isinstance(value, str)):
        return _binary(value)
    values = value if isinstance(value, list) else [value]
    converted = [_one(vr, single) for single in values]
    return converted if isinstance(value, list) else converted[0]


def _item(item: Mapping[str, Any], vrs: Mapping[str, str]) -> Dataset:
    from pydicom.dataset import Dataset

    dataset = Dataset()
    _add_block(dataset, item, vrs, None)
    return dataset


def _binary(value: Any) -> bytes:
    if not isinstance(value, str):
        raise _Unfit("a binary value is base64 text")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as error:  # ValueError: not ASCII
        raise _Unfit(str(error)) from error


def _one(vr: str, value: Any) -> Any:
    from pydicom.charset import default_encoding
    from pydicom.config import IGNORE, RAISE
    from pydicom.valuerep import DEFAULT_CHARSET_VR, DS, IS, validate_value

    if isinstance(value, (bool, list, Mapping)) or value is None:
        raise _Unfit(f"{value!r} is not one {vr} value")
    try:
        if vr == "AT":
            if not (isinstance(value, str) and _HEX_TAG.fullmatch(value)):
                raise _Unfit(f"{value!r} is not a tag")
            return int(value, 16)
        if vr in NUMBER_STRING_VRS:
            text_number = (
                IS(value, validation_mode=IGNORE) if vr == "IS" else DS(value, validation_mode=IGNORE)
            )
            if isinstance(text_number, float) and not math.isfinite(text_number):
                raise _Unfit(f"{value!r} is not a finite number")  # no JSON number holds it
            return text_number
        if vr in NUMERIC_VRS or " or " in vr:  # ambiguous VRs that hold numbers: "US or SS", "US or OW"
            if vr in ("FL", "FD"):
                real = float(value)
                if not math.isfinite(real):
                    raise _Unfit(f"{value!r} is not a finite number")
                return real
            number = int(value)
            validate_value(vr if vr in NUMERIC_VRS else "SL", number, RAISE)  # in range, so it packs
            return number
    except (TypeError, ValueError, OverflowError) as error:
        raise _Unfit(str(error)) from error
    text = value if isinstance(value, str) else str(value)
    if vr in DEFAULT_CHARSET_VR:  # written in the default repertoire whatever SpecificCharacterSet says
        try:
            text.encode(default_encoding)
        except UnicodeEncodeError as error:
            raise _Unfit(str(error)) from error
    return text


def _settle_ambiguous(dataset: Dataset, ancestors: list[Dataset]) -> None:
    """Concrete VRs for "US or SS", "OB or OW", ... as pydicom decides them from the dataset and the
    datasets it is nested in (PixelRepresentation, BitsAllocated, LUTDescriptor); by the value when they
    do not say or say a VR the value does not fit. A value no candidate holds leaves the dataset."""
    from pydicom.filewriter import correct_ambiguous_vr_element

    lineage = [dataset, *ancestors]  # nearest first, as pydicom looks
    for element in list(dataset):
        if element.VR == "SQ":
            for item in element.value:
                _settle_ambiguous(item, lineage)
        elif " or " in element.VR:
            ambiguous = element.VR
            with contextlib.suppress(*_UNDECIDED):
                correct_ambiguous_vr_element(element, dataset, True, lineage)
            if isinstance(element.value, bytes):
                element.VR = "OB" if ambiguous == "OB or OW" and element.VR == "OB" else "OW"
                continue
            if not _fits(element.VR, element.value):
                element.VR = "SS" if any(number < 0 for number in _numbers(element.value)) else "US"
            if not _fits(element.VR, element.value):
                del dataset[element.tag]


def _fits(vr: str, value: Any) -> bool:
    from pydicom.config import RAISE
    from pydicom.valuerep import validate_value

    if vr not in NUMERIC_VRS:
        return False
    try:
        for number in _numbers(value):
            validate_value(vr, number, RAISE)
    except ValueError:
        return False
    return True


def _numbers(value: Any) -> list[int]:
    if value is None:
        return []
    return list(value) if isinstance(value, Iterable) else [value]
