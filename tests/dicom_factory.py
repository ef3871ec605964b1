"""Small DICOM generators for tests: Part 10 datasets built with pydicom, and the inverse of a metadata
document (keyword-keyed JSON back to a dataset) for comparing with real HealthImaging documents."""

from __future__ import annotations

import base64
import io
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import imagecodecs
import numpy as np
import pydicom
from pydicom.data import get_testdata_file
from pydicom.datadict import dictionary_VR, tag_for_keyword
from pydicom.dataelem import RawDataElement
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.encaps import encapsulate
from pydicom.filewriter import dcmwrite
from pydicom.sequence import Sequence
from pydicom.tag import Tag
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

SECONDARY_CAPTURE = "1.2.840.10008.5.1.4.1.1.7"
CT_IMAGE = "1.2.840.10008.5.1.4.1.1.2"
NUMBER_STRING_VRS = {"IS", "DS"}
BINARY_VRS = {"OB", "OW", "OD", "OF", "OL", "OV", "UN"}
HTJ2K_LOSSLESS = "1.2.840.10008.1.2.4.201"
HTJ2K_LOSSLESS_RPCL = "1.2.840.10008.1.2.4.202"
HTJ2K = "1.2.840.10008.1.2.4.203"


def sample_file(name: str) -> str:
    """The path of one of pydicom's sample files, which the test extra installs."""
    path = get_testdata_file(name, download=False)
    assert path is not None, f"pydicom sample {name} is not installed"
    return path


def make_dataset(
    pixels: np.ndarray | None = None,
    *,
    photometric: str = "MONOCHROME2",
    bits_stored: int | None = None,
    study_uid: str | None = None,
    series_uid: str | None = None,
    sop_uid: str | None = None,
    sop_class_uid: str = SECONDARY_CAPTURE,
    **elements: Any,
) -> Dataset:
    """A dataset with file meta, the three UIDs, optional pixels and any further elements by keyword."""
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta.MediaStorageSOPClassUID = sop_class_uid
    ds.SOPClassUID = sop_class_uid
    ds.StudyInstanceUID = study_uid or generate_uid()
    ds.SeriesInstanceUID = series_uid or generate_uid()
    ds.SOPInstanceUID = sop_uid or generate_uid()
    for keyword, value in elements.items():
        setattr(ds, keyword, value)
    if pixels is not None:
        stored = bits_stored if bits_stored is not None else pixels.dtype.itemsize * 8
        ds.set_pixel_data(pixels, photometric, stored, generate_instance_uid=False)
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    return ds


def part10_bytes(ds: Dataset) -> bytes:
    """The dataset as a DICOM Part 10 file (preamble, DICM, file meta)."""
    buffer = io.BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()


def part10_bytes_of_any_syntax(ds: Dataset) -> bytes:
    """Like part10_bytes, for transfer syntaxes this pydicom may not know (JPEG XL in pydicom 3.0): explicit
    VR little endian, encapsulated pixel data of undefined length, as the standard writes them."""
    ds["PixelData"].is_undefined_length = True
    ds.preamble = bytes(128)
    buffer = io.BytesIO()
    dcmwrite(buffer, ds, implicit_vr=False, little_endian=True, force_encoding=True)
    return buffer.getvalue()


def with_raw_value(ds: Dataset, keyword: str, value: bytes) -> Dataset:
    """The dataset with `keyword` holding exactly `value`, unchecked: how a file with a malformed value
    reads (pydicom refuses to build most such values itself)."""
    tag = tag_for_keyword(keyword)
    assert tag is not None, keyword
    ds[tag] = RawDataElement(Tag(tag), dictionary_VR(tag), len(value), value, 0, False, True)
    return ds


def write_part10(ds: Dataset, path: Path) -> Path:
    path.write_bytes(part10_bytes(ds))
    return path


def reread(ds: Dataset) -> Dataset:
    """The dataset as another program would see it after writing it to a file."""
    return pydicom.dcmread(io.BytesIO(part10_bytes(ds)))


def gray_frames(frames: int, rows: int, columns: int, dtype: str = "uint16", seed: int = 0) -> np.ndarray:
    """Random grayscale pixels, shaped (rows, columns) for one frame or (frames, rows, columns)."""
    info = np.iinfo(dtype)
    rng = np.random.default_rng(seed)
    shape = (rows, columns) if frames == 1 else (frames, rows, columns)
    return rng.integers(info.min, info.max, size=shape, endpoint=True, dtype=dtype)


def frame_checksum(frame: np.ndarray) -> int:
    """CRC32 of the frame's pixels as little-endian bytes, computed here independently of the mock."""
    little_endian = np.ascontiguousarray(frame, dtype=frame.dtype.newbyteorder("<"))
    return zlib.crc32(little_endian.tobytes())


def frames_of(ds: Dataset) -> list[np.ndarray]:
    """The decoded frames of a dataset, in frame order."""
    array = ds.pixel_array
    return list(array) if int(ds.get("NumberOfFrames", 1) or 1) > 1 else [array]


def htj2k_codestream(frame: np.ndarray) -> bytes:
    """One frame as a raw HTJ2K codestream (reversible, RPCL, TLM markers), as imagecodecs writes it."""
    return imagecodecs.htj2k_encode(
        frame, planar=False, tlm=True, tilepart=imagecodecs.HTJ2K.TILEPART.RESOLUTIONS
    )


def encapsulated(ds: Dataset, frames: list[bytes], transfer_syntax: str) -> Dataset:
    """The dataset with its pixel data replaced by `frames`, already encoded in `transfer_syntax`, one
    fragment per frame with a basic offset table; the other pixel elements (Rows, Columns, ...) stay."""
    ds.PixelData = encapsulate(frames)
    ds["PixelData"].VR = "OB"
    ds.file_meta.TransferSyntaxUID = transfer_syntax
    if len(frames) > 1:
        ds.NumberOfFrames = len(frames)
    return ds


# --- metadata document -> dataset ------------------------------------------------------------------------


def dataset_from_document(*blocks: Mapping[str, Any]) -> Dataset:
    """A dataset holding every element of the given keyword-keyed DICOM blocks (group 0002 goes to the
    file meta). IS/DS strings lose their trailing padding here: the Part 10 writer pads them back to even
    length."""
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    for block in blocks:
        for keyword, value in block.items():
            tag = tag_for_keyword(keyword)
            if tag is None:
                raise KeyError(f"{keyword} is not a DICOM keyword")
            target = ds.file_meta if tag >> 16 == 0x0002 else ds
            vr = dictionary_VR(tag)
            target.add_new(tag, vr, _element_value(vr, value))
    return ds


def _element_value(vr: str, value: Any) -> Any:
    if vr == "SQ":
        return Sequence([dataset_from_document(item) for item in value or []])
    if value is None:
        return None
    if vr in BINARY_VRS:
        return base64.b64decode(value)
    values = value if isinstance(value, list) else [value]
    if vr in NUMBER_STRING_VRS:
        values = [v.rstrip(" ") for v in values]
    return values if isinstance(value, list) else values[0]
