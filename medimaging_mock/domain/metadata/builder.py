"""From a DICOM dataset to its parts of an image set document, as an import builds them: elements split
into Patient / Study / Series / Instance levels, frames decoded once for their checksum and value range."""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from pydicom.dataset import Dataset

from medimaging_mock.domain.metadata.document import HTJ2K_LOSSLESS_RPCL, Document, Frame, Instance, Series
from medimaging_mock.domain.metadata.levels import PATIENT_TAGS, SERIES_TAGS, STUDY_TAGS
from medimaging_mock.domain.metadata.values import PIXEL_TAGS, encode_element, key_for

# Stored as sent (DICOM "Supported transfer syntaxes"); every other syntax is transcoded to HTJ2K lossless.
KEPT_AS_SENT = frozenset(
    {
        "1.2.840.10008.1.2.4.50",  # JPEG baseline
        "1.2.840.10008.1.2.4.91",  # JPEG 2000 (lossy)
        "1.2.840.10008.1.2.4.203",  # HTJ2K (lossy)
        *(f"1.2.840.10008.1.2.4.{n}" for n in ("100", "100.1", "101", "101.1")),  # MPEG2
        *(f"1.2.840.10008.1.2.4.{n}{s}" for n in range(102, 107) for s in ("", ".1")),  # H.264
        "1.2.840.10008.1.2.4.107",  # HEVC
        "1.2.840.10008.1.2.4.108",
    }
)
JPEG_2000_LOSSLESS = "1.2.840.10008.1.2.4.90"


class InvalidDataset(ValueError):
    """A dataset that cannot become part of an image set; the message names it and says why."""


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


def stored_syntax(transfer_syntax: str, lossless_storage_format: str) -> str:
    if transfer_syntax in KEPT_AS_SENT:
        return transfer_syntax
    return JPEG_2000_LOSSLESS if lossless_storage_format == "JPEG_2000_LOSSLESS" else HTJ2K_LOSSLESS_RPCL


def build_instance(
    dataset: Dataset, source: str, new_frame_id: Callable[[], str], lossless_storage_format: str = "HTJ2K"
) -> BuiltInstance:
    uids = {}
    for keyword in ("StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID"):
        value = str(dataset.get(keyword, "") or "")
        if not value:
            raise InvalidDataset(f"{source}: DICOM attribute {keyword} does not exist")
        uids[keyword] = value
    levels: dict[str, dict[str, Any]] = {"patient": {}, "study": {}, "series": {}, "instance": {}}
    vrs: dict[str, str] = {}
    file_meta = getattr(dataset, "file_meta", None) or Dataset()
    for container in (file_meta, dataset):
        for tag in list(container.keys()):  # tags, not elements: see values.encode_dataset
            if tag in PIXEL_TAGS or (tag.element == 0 and tag.group != 2):
                continue
            key = key_for(tag)
            levels[_level(tag)][key] = encode_element(container, tag)
            if key == f"{int(tag):08X}":  # private or unknown: the VR travels with the document
                vrs[key] = container[tag].VR
    transfer_syntax = str(file_meta.get("TransferSyntaxUID", "1.2.840.10008.1.2.1"))
    pixels = _decoded_frames(dataset, source) if "PixelData" in dataset else ()
    frames = tuple(_frame(new_frame_id(), frame) for frame in pixels)
    instance = Instance(
        levels["instance"], vrs, stored_syntax(transfer_syntax, lossless_storage_format), frames
    )
    return BuiltInstance(
        source,
        levels["patient"],
        levels["study"],
        levels["series"],
        uids["StudyInstanceUID"],
        uids["SeriesInstanceUID"],
        uids["SOPInstanceUID"],
        instance,
        pixels,
    )


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


def _level(tag: int) -> str:
    if tag in PATIENT_TAGS:
        return "patient"
    if tag in STUDY_TAGS:
        return "study"
    if tag in SERIES_TAGS:
        return "series"
    return "instance"


def _decoded_frames(dataset: Dataset, source: str) -> tuple[np.ndarray, ...]:
    try:
        array = dataset.pixel_array
    except Exception as error:  # pydicom raises many kinds for undecodable or unsupported pixel data
        raise InvalidDataset(f"{source}: pixel data cannot be decoded: {error}") from error
    count = int(dataset.get("NumberOfFrames", 1) or 1)
    return tuple(array) if count > 1 else (array,)


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
