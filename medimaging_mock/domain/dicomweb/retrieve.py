"""WADO-RS answers for one instance (reference §4.1-4.5): the transfer syntax it is served in, its Part 10
file, its frames, its metadata and its bulkdata.

An instance is served in Explicit VR Little Endian (its stored frames decoded), in its stored transfer
syntax (the stored frames as they are: an HTJ2K codestream without JPH boxes, or the frames as sent), or
"*" for the stored syntax; anything else is NotAcceptableException. Pixels that leave decoded, or as a
codestream the mock encoded from decoded pixels, are described as decoded: interleaved samples, and RGB
where the original colour space was YBR (decoders hand back RGB). Frames kept as sent keep the original
description.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from medimaging_mock.domain import pixels
from medimaging_mock.domain.dicomweb.datasets import bulk_values, bulkdata_id, dicom_json
from medimaging_mock.domain.errors import NotAcceptableException, ResourceNotFoundException

if TYPE_CHECKING:
    from pydicom.dataset import Dataset

    from medimaging_mock.domain.dicomweb.lookup import Held
    from medimaging_mock.domain.frames import FrameStore, StoredFrame

ELE = pixels.EXPLICIT_VR_LITTLE_ENDIAN
AS_STORED = "*"
PIXEL_DATA = 0x7FE00010


def served_syntax(held: Held, accepted: Sequence[str]) -> str:
    """The first of the client's transfer syntaxes (most preferred first) this instance can be served in."""
    stored = held.instance.stored_transfer_syntax_uid
    for syntax in accepted or [ELE]:
        if syntax == AS_STORED:
            return stored
        if syntax in (ELE, stored):
            return syntax
    raise NotAcceptableException(
        f"Instance {held.sop_uid} is stored as {stored}; it can be served as {ELE} (Explicit VR Little "
        f"Endian), as {stored} or as * (the stored transfer syntax), not as {', '.join(accepted)}"
    )


def part10(held: Held, store: FrameStore, syntax: str) -> bytes:
    """The instance as a DICOM Part 10 file in `syntax` (a served_syntax)."""
    from pydicom.filewriter import dcmwrite
    from pydicom.uid import UID

    dataset = held.dataset()
    meta = dataset.file_meta
    meta.TransferSyntaxUID = UID(syntax)
    meta.MediaStorageSOPInstanceUID = UID(dataset.get("SOPInstanceUID") or held.sop_uid)
    if dataset.get("SOPClassUID"):
        meta.MediaStorageSOPClassUID = dataset.SOPClassUID
    if held.instance.frames:
        _add_pixel_data(dataset, held, store, syntax)
    # pydicom completes the file meta of a well-formed instance; one without a SOP class (a forced update
    # can remove it) is written with the file meta it has.
    complete = "MediaStorageSOPClassUID" in meta
    dataset.preamble = bytes(128)
    buffer = io.BytesIO()
    dcmwrite(buffer, dataset, implicit_vr=False, little_endian=True, enforce_file_format=complete)
    return buffer.getvalue()


def frames(held: Held, store: FrameStore, numbers: Sequence[int], syntax: str) -> list[bytes]:
    """Frames `numbers` (1-based) in that order, in `syntax`: native little-endian pixels for Explicit VR
    Little Endian (single-bit pixels packed, as a file holds them), else the stored frames."""
    held_frames = held.instance.frames
    count = len(held_frames)
    frame_ids = []
    for number in numbers:
        if not 1 <= number <= count:
            raise ResourceNotFoundException(
                f"Frame {number} does not exist in instance {held.sop_uid}, which has "
                f"{count} frame{'' if count == 1 else 's'}"
            )
        frame_ids.append(held_frames[number - 1].frame_id)
    if syntax != ELE:
        return [_stored_bytes(store, frame_id) for frame_id in frame_ids]
    single_bit = _single_bit(held)
    return [
        _packed(_stored_frame(store, frame_id).pixels) if single_bit else _native(store, frame_id)
        for frame_id in frame_ids
    ]


def metadata(held: Held, base_url: str, datastore_id: str, image_set_named: bool) -> dict[str, Any]:
    """The instance's DICOM JSON. BulkDataURIs are absolute URLs on the request's host; when the request
    named the image set, so do they (without it a non-primary image set's bulkdata is not found)."""
    path = "/".join(
        quote(label, safe="")
        for label in ("studies", held.study_uid, "series", held.series_uid, "instances", held.sop_uid)
    )
    root = f"{base_url}/datastore/{quote(datastore_id, safe='')}/{path}/bulkdata/"
    query = f"?imageSetId={held.image_set.image_set_id}" if image_set_named else ""
    return dicom_json(held.dataset(), lambda bulk_id: f"{root}{bulk_id}{query}")


def bulkdata(held: Held, wanted: str) -> bytes:
    """The bulk value a BulkDataURI of the instance's metadata names."""
    for value in bulk_values(held.dataset()):
        if bulkdata_id(value) == wanted:
            return value
    shown = wanted if len(wanted) <= 64 else wanted[:64] + "..."
    raise ResourceNotFoundException(f"Bulkdata {shown} does not exist in instance {held.sop_uid}")


def _add_pixel_data(dataset: Dataset, held: Held, store: FrameStore, syntax: str) -> None:
    from pydicom.encaps import encapsulate

    frame_ids = [frame.frame_id for frame in held.instance.frames]
    if syntax == ELE:
        stored = [_stored_frame(store, frame_id) for frame_id in frame_ids]
        if _single_bit(held):  # a file packs single-bit pixels across frame boundaries
            import numpy as np

            data = _packed(np.concatenate([frame.pixels.ravel() for frame in stored]))
        else:
            data = b"".join(_native(store, frame_id) for frame_id in frame_ids)
        dataset.add_new(PIXEL_DATA, "OW" if stored[0].pixels.dtype.itemsize > 1 else "OB", data)
    else:
        data = encapsulate([_stored_bytes(store, frame_id) for frame_id in frame_ids])
        dataset.add_new(PIXEL_DATA, "OB", data)
        dataset[PIXEL_DATA].is_undefined_length = True
    kept_as_sent = syntax != ELE and syntax in pixels.KEPT_AS_SENT
    if not kept_as_sent:
        _describe_decoded(dataset)


def _describe_decoded(dataset: Dataset) -> None:
    """Decoded pixels are interleaved, and colour decodes to RGB (pydicom's and the codecs' conversion)."""
    if int(dataset.get("SamplesPerPixel") or 1) > 1:
        dataset.PlanarConfiguration = 0
        if str(dataset.get("PhotometricInterpretation", "")).startswith("YBR"):
            dataset.PhotometricInterpretation = "RGB"


def _single_bit(held: Held) -> bool:
    return held.instance.dicom.get("BitsAllocated") == 1


def _native(store: FrameStore, frame_id: str) -> bytes:
    """The frame's native little-endian pixels (stored that way already, or its decoded pixels)."""
    frame = _stored_frame(store, frame_id)
    if frame.stored_transfer_syntax == ELE:
        return _stored_bytes(store, frame_id)
    return pixels.encode(frame.pixels, ELE)


def _stored_bytes(store: FrameStore, frame_id: str) -> bytes:
    """The frame in its stored syntax, as GetImageFrame encodes and caches it, without JPH boxes."""
    try:
        return store.codestream(frame_id)
    except KeyError:
        raise ResourceNotFoundException(f"Image frame {frame_id} is not stored") from None


def _stored_frame(store: FrameStore, frame_id: str) -> StoredFrame:
    try:
        return store.stored(frame_id)
    except KeyError:
        raise ResourceNotFoundException(f"Image frame {frame_id} is not stored") from None


def _packed(frame: Any) -> bytes:
    from pydicom.pixels.utils import pack_bits

    return pack_bits(frame)
