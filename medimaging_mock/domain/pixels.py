"""Frames in and out: decoding every supported transfer syntax once at import (for the metadata's
checksum and value range), and encoding a stored frame the first time a client asks for it.

Native, deflated and RLE pixel data go through pydicom; encapsulated JPEG, JPEG-LS, JPEG 2000, HTJ2K and
JPEG XL frames through imagecodecs, which bundles every codec needed, so no other plugin has to be installed.
Whatever the file says wrongly about its pixels is an UndecodablePixels naming the fault: a customer error.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    from pydicom.dataset import Dataset

HTJ2K_LOSSLESS_RPCL = "1.2.840.10008.1.2.4.202"
JPEG_2000_LOSSLESS = "1.2.840.10008.1.2.4.90"
EXPLICIT_VR_LITTLE_ENDIAN = "1.2.840.10008.1.2.1"

_THROUGH_PYDICOM = {
    "1.2.840.10008.1.2",  # implicit VR little endian
    EXPLICIT_VR_LITTLE_ENDIAN,
    "1.2.840.10008.1.2.1.99",  # deflated explicit VR little endian
    "1.2.840.10008.1.2.2",  # explicit VR big endian
    "1.2.840.10008.1.2.5",  # RLE lossless
}
_CODECS = {
    **dict.fromkeys(("50", "51", "57", "70"), "jpeg"),
    **dict.fromkeys(("80", "81"), "jpegls"),
    # OpenJPEG for HTJ2K too: it refuses truncated codestreams that OpenJPH would decode silently.
    **dict.fromkeys(("90", "91", "92", "93", "201", "202", "203"), "jpeg2k"),
    **dict.fromkeys(("110", "111", "112"), "jpegxl"),
}

# Stored as sent (Developer Guide, "Supported transfer syntaxes"; JPEG XL .112 because the model gives it a
# content type of its own); every other syntax is transcoded.
KEPT_AS_SENT = frozenset(f"1.2.840.10008.1.2.4.{n}" for n in ("50", "91", "112", "203"))
CONTENT_TYPES = {
    EXPLICIT_VR_LITTLE_ENDIAN: "application/octet-stream",
    "1.2.840.10008.1.2.4.50": "image/jpeg",
    "1.2.840.10008.1.2.4.91": "image/j2c",
    JPEG_2000_LOSSLESS: "image/j2c",
    HTJ2K_LOSSLESS_RPCL: "image/jph",
    "1.2.840.10008.1.2.4.203": "image/jphc",
    "1.2.840.10008.1.2.4.112": "image/jxl",
}


class UndecodablePixels(ValueError):
    """Pixel data this mock cannot decode; the message says why."""


def decode(dataset: Dataset, transfer_syntax: str) -> tuple[list[np.ndarray], list[bytes] | None]:
    """Every frame as an array (rows, columns[, samples]), and the original bytes of encapsulated frames."""
    try:
        data = dataset.PixelData
    except Exception as error:  # an element pydicom cannot read at all (a VR it does not know, ...)
        raise UndecodablePixels(f"DICOM attribute PixelData cannot be read: {error}") from error
    if not data:
        raise UndecodablePixels("DICOM attribute PixelData is empty")
    frame_count = _frame_count(dataset)
    if transfer_syntax in _THROUGH_PYDICOM:
        try:
            array = dataset.pixel_array
        except Exception as error:  # pydicom raises many kinds for malformed pixel data
            raise UndecodablePixels(f"pixel data cannot be decoded: {error}") from error
        array = _native(array)
        return (list(array) if frame_count > 1 else [array]), None
    codec = (
        _CODECS.get(transfer_syntax.removeprefix("1.2.840.10008.1.2.4."))
        if transfer_syntax.startswith("1.2.840.10008.1.2.4.")
        else None
    )
    if codec is None:
        raise UndecodablePixels(f"transfer syntax {transfer_syntax} is not supported")
    import imagecodecs
    from pydicom.encaps import generate_frames

    decoder = getattr(imagecodecs, f"{codec}_decode")
    try:
        _validate_description(dataset, transfer_syntax)
        originals = list(generate_frames(data, number_of_frames=frame_count))
        frames = [_native(_as_stored(decoder(frame), dataset)) for frame in originals]
    except Exception as error:  # pydicom and each imagecodecs codec raise errors of their own
        raise UndecodablePixels(f"pixel data cannot be decoded ({codec}): {error}") from error
    if len(frames) != frame_count:
        raise UndecodablePixels(
            f"DICOM attribute NumberOfFrames is {frame_count} but the pixel data holds {len(frames)} frames"
        )
    for frame in frames:
        _check_shape(frame, dataset)
    return frames, originals


def _frame_count(dataset: Dataset) -> int:
    """NumberOfFrames (IS; 1 when absent), once it is one whole number."""
    value = dataset.get("NumberOfFrames")
    if value is None or value == "":
        return 1
    try:
        count = int(value) if isinstance(value, int) else int(str(value).strip())
    except ValueError:
        count = -1
    if count < 0:
        raise UndecodablePixels(f"DICOM attribute NumberOfFrames is {value!r}, not a whole number")
    return count or 1  # pydicom's reading of 0: one frame


def _validate_description(dataset: Dataset, transfer_syntax: str) -> None:
    """pydicom's checks of the pixel description (Rows, Columns, BitsAllocated, BitsStored, SamplesPerPixel,
    PixelRepresentation, PhotometricInterpretation, PlanarConfiguration), as it makes them for native data.
    A syntax this pydicom does not know (JPEG XL in pydicom 3.0) is checked as another encapsulated one."""
    from pydicom.dataset import Dataset
    from pydicom.pixels.decoders.base import DecodeRunner
    from pydicom.uid import JPEG2000, UID

    syntax = UID(transfer_syntax)
    runner = DecodeRunner(syntax if syntax.is_transfer_syntax else JPEG2000)
    runner.set_source(Dataset(dataset))  # its elements without the file meta, whose syntax may differ
    runner.validate()


def _check_shape(frame: np.ndarray, dataset: Dataset) -> None:
    """A decoded frame must have the size and samples the dataset describes (pydicom checks native data)."""
    described = (dataset.get("Rows"), dataset.get("Columns"), dataset.get("SamplesPerPixel", 1))
    decoded = (*frame.shape[:2], frame.shape[2] if frame.ndim == 3 else 1)
    if frame.ndim not in (2, 3) or frame.size == 0 or decoded != described:
        raise UndecodablePixels(
            "pixel data does not match its description: Rows, Columns and SamplesPerPixel are "
            f"{described}, the decoded frame has {decoded}"
        )


def _native(array: np.ndarray) -> np.ndarray:
    """Native byte order (big-endian input decodes to big-endian arrays, which encoders misread)."""
    return array if array.dtype.isnative else array.astype(array.dtype.newbyteorder("="))


def _as_stored(array: np.ndarray, dataset: Dataset) -> np.ndarray:
    """Codecs hand back unsigned samples: signed data is reinterpreted and sign-extended as stored."""
    if int(dataset.get("PixelRepresentation", 0)) != 1 or array.dtype.kind != "u":
        return array
    signed = array.view(f"i{array.dtype.itemsize}")
    shift = array.dtype.itemsize * 8 - int(dataset.get("BitsStored", array.dtype.itemsize * 8))
    return (signed << shift) >> shift if shift else signed


def stored_syntax(
    transfer_syntax: str, dataset: Dataset, frame: np.ndarray | None, lossless_storage_format: str
) -> str:
    """What the service stores: some syntaxes as sent, binary segmentations and 32-bit data natively
    (OpenJPEG cannot read 32-bit codestreams), everything else transcoded to the datastore's format."""
    if transfer_syntax in KEPT_AS_SENT:
        return transfer_syntax
    if frame is not None and (int(dataset.BitsAllocated) == 1 or frame.dtype.itemsize > 2):
        return EXPLICIT_VR_LITTLE_ENDIAN
    return JPEG_2000_LOSSLESS if lossless_storage_format == "JPEG_2000_LOSSLESS" else HTJ2K_LOSSLESS_RPCL


def encode(frame: np.ndarray, stored_transfer_syntax: str) -> bytes:
    """The frame as the stored transfer syntax holds it: a raw codestream (no JP2/JPH boxes)."""
    if stored_transfer_syntax == EXPLICIT_VR_LITTLE_ENDIAN:
        import numpy as np

        return np.ascontiguousarray(frame, dtype=frame.dtype.newbyteorder("<")).tobytes()
    import imagecodecs

    if stored_transfer_syntax == JPEG_2000_LOSSLESS:
        return bytes(imagecodecs.jpeg2k_encode(frame, level=0, codecformat="J2K", planar=False))
    return bytes(
        imagecodecs.htj2k_encode(
            frame, planar=False, tlm=True, tilepart=imagecodecs.HTJ2K.TILEPART.RESOLUTIONS
        )
    )


def content_type(stored_transfer_syntax: str) -> str:
    return CONTENT_TYPES.get(stored_transfer_syntax, "application/octet-stream")
