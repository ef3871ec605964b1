"""From a DICOM dataset to its parts of an image set document, as an import builds them: elements split
into Patient / Study / Series / Instance levels, frames decoded once for their checksum and value range."""

from __future__ import annotations

import functools
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from medimaging_mock.domain.metadata.document import Document, Frame, Instance, Series
from medimaging_mock.domain.metadata.levels import level_of
from medimaging_mock.domain.metadata.values import PIXEL_TAGS, encode_converted, key_for
from medimaging_mock.domain.pixels import UndecodablePixels, decode, stored_syntax

if TYPE_CHECKING:
    import numpy as np
    from pydicom.dataelem import RawDataElement
    from pydicom.dataset import Dataset
    from pydicom.tag import BaseTag


class InvalidDataset(ValueError):
    """A dataset that cannot become part of an image set; the message names it and says why."""

    def __init__(self, source: str, reason: str):
        super().__init__(f"{source}: {reason}")
        self.reason = reason


UID_KEYWORDS = ("StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID")
# Elements encoded once, by what their encoding depends on (_remembered): level, key, value, VR, and whether
# the VR travels with the document (private and unknown elements). Files repeat most of their elements byte
# for byte, within a series and from one test's import of a file to the next; the answers of a pure
# function, kept for at most ENCODED_ENTRIES elements (all forgotten at once when full).
_encoded: dict[tuple[Any, ...], tuple[str, str, Any, str, bool]] = {}
ENCODED_ENTRIES = 4096
# VRs whose document value is str() of the value pydicom reads (values.encode_converted)
TEXT_VRS = frozenset(
    {"AE", "AS", "CS", "DA", "DT", "LO", "LT", "PN", "SH", "ST", "TM", "UC", "UI", "UR", "UT"}
)
UID_VRS = frozenset({"UI"})  # the text VR pydicom reads as a str for sure (see _uid)
SHARED_VALUE_LIMIT = 1024  # bytes: longer values are seldom shared, and would swell `_encoded`


@dataclass(frozen=True)
class BuiltInstance:
    source: str
    patient: dict[str, Any]
    study: dict[str, Any]
    series: dict[str, Any]
    study_uid: str
    series_uid: str
    sop_uid: str
    instance: Instance
    pixels: tuple[np.ndarray, ...]  # decoded frames, in frame order
    originals: tuple[bytes, ...] | None  # the frames as sent, when they are stored as sent
    vrs: dict[str, str]  # the VR of every element, by document key

    def text_value(self, keyword: str) -> str | None:
        """str() of pydicom's value of a one-value text element, or None: read it from the dataset."""
        blocks = (self.patient, self.study, self.series, self.instance.dicom)
        return _text_value(blocks, self.vrs, keyword, TEXT_VRS)


def build_instance(
    dataset: Dataset,
    source: str,
    new_frame_id: Callable[[], str],
    lossless_storage_format: str = "HTJ2K",
) -> BuiltInstance:
    """Everything wrong with the file's content is an InvalidDataset saying what: a customer error. Any other
    exception out of here is a defect of the mock."""
    from pydicom.dataset import Dataset

    # reads every element (or its twin in another file), so no later read fails inside pydicom
    levels, private_vrs, vrs = _levels(dataset, source)
    uids = {keyword: _uid(dataset, keyword, source, levels.values(), vrs) for keyword in UID_KEYWORDS}
    transfer_syntax = _uid(getattr(dataset, "file_meta", None) or Dataset(), "TransferSyntaxUID", source)
    pixels: list[np.ndarray] = []
    originals = None
    if "PixelData" in dataset:
        try:
            pixels, originals = decode(dataset, transfer_syntax)
        except UndecodablePixels as error:
            raise InvalidDataset(source, str(error)) from error
    stored = stored_syntax(transfer_syntax, dataset, pixels[0] if pixels else None, lossless_storage_format)
    frames = tuple(_frame(new_frame_id(), frame) for frame in pixels)
    instance = Instance(levels["instance"], private_vrs, stored, frames)
    return BuiltInstance(
        source,
        levels["patient"],
        levels["study"],
        levels["series"],
        uids["StudyInstanceUID"],
        uids["SeriesInstanceUID"],
        uids["SOPInstanceUID"],
        instance,
        tuple(pixels),
        tuple(originals) if originals and stored == transfer_syntax else None,
        vrs,
    )


def _levels(
    dataset: Dataset, source: str
) -> tuple[dict[str, dict[str, Any]], dict[str, str], dict[str, str]]:
    """The document blocks by level, the VRs of private and unknown elements, and the VRs of all elements.

    An element already in `_encoded` is taken from there instead of being converted by pydicom and encoded
    again."""
    from pydicom.dataelem import RawDataElement
    from pydicom.dataset import Dataset

    levels: dict[str, dict[str, Any]] = {"patient": {}, "study": {}, "series": {}, "instance": {}}
    private_vrs: dict[str, str] = {}
    vrs: dict[str, str] = {}
    file_meta = getattr(dataset, "file_meta", None) or Dataset()
    for container in (file_meta, dataset):
        # the text encoding pydicom's Dataset.__getitem__ converts with (this container has no parent)
        charset = repr(container.original_character_set or container.get("SpecificCharacterSet"))
        for tag, element in list(container.items()):  # raw elements as read: see values.encode_dataset
            if tag in PIXEL_TAGS or (tag & 0xFFFF == 0 and tag >> 16 != 2):  # group lengths but file meta's
                continue
            remembered = _remembered(element, charset) if isinstance(element, RawDataElement) else None
            known = _encoded.get(remembered) if remembered else None
            if known:
                level, key, value, vr, private = known
            else:
                level, key = _placement(tag)
                try:
                    converted = container[tag]  # converts once; a deferred element (value None) is read
                    value = encode_converted(converted, converted if element.value is None else element)
                except Exception as error:  # a truncated or malformed element fails in many ways in pydicom
                    reason = f"DICOM attribute {key} {tag} cannot be read: {error}"
                    raise InvalidDataset(source, reason) from error
                vr, private = converted.VR, key == f"{int(tag):08X}"
                if remembered is not None:
                    if len(_encoded) >= ENCODED_ENTRIES:
                        _encoded.clear()
                    _encoded[remembered] = level, key, value, vr, private
            levels[level][key] = list(value) if isinstance(value, list) else value  # lists never shared
            vrs[key] = vr
            if private:  # private or unknown: the VR travels with the document
                private_vrs[key] = vr
    return levels, private_vrs, vrs


@functools.lru_cache(maxsize=4096)
def _placement(tag: BaseTag) -> tuple[str, str]:
    """The level and key of a tag: dictionary lookups, the same for every file."""
    return level_of(tag), key_for(tag)


def _remembered(raw: RawDataElement, charset: str) -> tuple[Any, ...] | None:
    """All the encoding of a raw element depends on, when the file states its VR (not UN, which pydicom may
    replace from a dictionary, nor SQ) and its value is small; None for any other element."""
    if raw.VR in (None, "SQ", "UN") or raw.value is None or len(raw.value) > SHARED_VALUE_LIMIT:
        return None
    return int(raw.tag), raw.VR, raw.value, raw.is_little_endian, charset


def _text_value(
    blocks: Iterable[Mapping[str, Any]], vrs: Mapping[str, str], keyword: str, text_vrs: frozenset[str]
) -> str | None:
    """str() of the value pydicom reads for an element, from the document `blocks` and the elements' `vrs`
    (so the element is not converted again), when it is one value of one of `text_vrs`; None when it is
    not: then read it from the dataset."""
    if vrs.get(keyword) not in text_vrs:
        return None
    value = next((block[keyword] for block in blocks if keyword in block), None)
    return value if isinstance(value, str) else None


def _uid(
    dataset: Dataset,
    keyword: str,
    source: str,
    blocks: Iterable[Mapping[str, Any]] = (),
    vrs: Mapping[str, str] | None = None,
) -> str:
    found = _text_value(blocks, vrs or {}, keyword, UID_VRS)
    if found is not None:
        return found
    value = dataset.get(keyword)
    if value is None or value == "":
        raise InvalidDataset(source, f"DICOM attribute {keyword} does not exist")
    if not isinstance(value, str):
        raise InvalidDataset(source, f"DICOM attribute {keyword} must hold one UID, not {value!r}")
    return str(value)


def assemble(built: Sequence[BuiltInstance]) -> Document:
    """One document from instances of one study; the first instance of each level supplies its block."""
    series: dict[str, dict[str, Instance]] = {}
    series_blocks: dict[str, dict[str, Any]] = {}
    for item in built:
        series_blocks.setdefault(item.series_uid, item.series)
        series.setdefault(item.series_uid, {})[item.sop_uid] = item.instance
    return Document(
        patient=built[0].patient,
        study=built[0].study,
        series={uid: Series(series_blocks[uid], instances) for uid, instances in series.items()},
    )


def _frame(frame_id: str, pixels: np.ndarray) -> Frame:
    import numpy as np

    little_endian = np.ascontiguousarray(pixels, dtype=pixels.dtype.newbyteorder("<"))
    return Frame(
        frame_id=frame_id,
        width=int(pixels.shape[1]),
        height=int(pixels.shape[0]),
        checksum=zlib.crc32(little_endian.data),  # the array's own buffer: no copy of the frame
        min_value=little_endian.min().item(),
        max_value=little_endian.max().item(),
        size_in_bytes=int(little_endian.nbytes),
    )
