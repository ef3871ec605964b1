"""From a DICOM dataset to its parts of an image set document, as an import builds them: elements split
into Patient / Study / Series / Instance levels, frames decoded once for their checksum and value range."""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from pydicom.dataset import Dataset

from medimaging_mock.domain.metadata.document import Document, Frame, Instance, Series
from medimaging_mock.domain.metadata.levels import level_of
from medimaging_mock.domain.metadata.values import PIXEL_TAGS, encode_element, key_for
from medimaging_mock.domain.pixels import UndecodablePixels, decode, stored_syntax


class InvalidDataset(ValueError):
    """A dataset that cannot become part of an image set; the message names it and says why."""

    def __init__(self, source: str, reason: str):
        super().__init__(f"{source}: {reason}")
        self.reason = reason


UID_KEYWORDS = ("StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID")


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


def build_instance(
    dataset: Dataset, source: str, new_frame_id: Callable[[], str], lossless_storage_format: str = "HTJ2K"
) -> BuiltInstance:
    """Everything wrong with the file's content is an InvalidDataset saying what: a customer error. Any other
    exception out of here is a defect of the mock."""
    levels, vrs = _levels(dataset, source)  # reads every element, so no later read fails inside pydicom
    uids = {keyword: _uid(dataset, keyword, source) for keyword in UID_KEYWORDS}
    transfer_syntax = _uid(getattr(dataset, "file_meta", None) or Dataset(), "TransferSyntaxUID", source)
    pixels, originals = [], None
    if "PixelData" in dataset:
        try:
            pixels, originals = decode(dataset, transfer_syntax)
        except UndecodablePixels as error:
            raise InvalidDataset(source, str(error)) from error
    stored = stored_syntax(transfer_syntax, dataset, pixels[0] if pixels else None, lossless_storage_format)
    frames = tuple(_frame(new_frame_id(), frame) for frame in pixels)
    instance = Instance(levels["instance"], vrs, stored, frames)
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
    )


def _levels(dataset: Dataset, source: str) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """The document blocks by level, and the VRs of private and unknown elements."""
    levels: dict[str, dict[str, Any]] = {"patient": {}, "study": {}, "series": {}, "instance": {}}
    vrs: dict[str, str] = {}
    file_meta = getattr(dataset, "file_meta", None) or Dataset()
    for container in (file_meta, dataset):
        for tag in list(container.keys()):  # tags, not elements: see values.encode_dataset
            if tag in PIXEL_TAGS or (tag.element == 0 and tag.group != 2):
                continue
            key = key_for(tag)
            try:
                levels[level_of(tag)][key] = encode_element(container, tag)
            except Exception as error:  # a truncated or malformed element fails in many ways inside pydicom
                reason = f"DICOM attribute {key} {tag} cannot be read: {error}"
                raise InvalidDataset(source, reason) from error
            if key == f"{int(tag):08X}":  # private or unknown: the VR travels with the document
                vrs[key] = container[tag].VR
    return levels, vrs


def _uid(dataset: Dataset, keyword: str, source: str) -> str:
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
    little_endian = np.ascontiguousarray(pixels, dtype=pixels.dtype.newbyteorder("<"))
    return Frame(
        frame_id=frame_id,
        width=int(pixels.shape[1]),
        height=int(pixels.shape[0]),
        checksum=zlib.crc32(little_endian.tobytes()),
        min_value=little_endian.min().item(),
        max_value=little_endian.max().item(),
        size_in_bytes=int(little_endian.nbytes),
    )
