"""Frames in and out: decoding every supported transfer syntax once at import (for the metadata's
checksum and value range), and encoding a stored frame the first time a client asks for it.

Native, deflated and RLE pixel data go through pydicom; encapsulated JPEG, JPEG-LS, JPEG 2000 and HTJ2K
frames through imagecodecs, which bundles every codec needed, so no other plugin has to be installed.
"""

from __future__ import annotations

import numpy as np
from pydicom.dataset import Dataset
from pydicom.encaps import generate_frames

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
}

# Stored as sent (Developer Guide, "Supported transfer syntaxes"); every other syntax is transcoded.
KEPT_AS_SENT = frozenset(f"1.2.840.10008.1.2.4.{n}" for n in ("50", "91", "203"))
CONTENT_TYPES = {
    EXPLICIT_VR_LITTLE_ENDIAN: "application/octet-stream",
    "1.2.840.10008.1.2.4.50": "image/jpeg",
    "1.2.840.10008.1.2.4.91": "image/j2c",
    JPEG_2000_LOSSLESS: "image/j2c",
    HTJ2K_LOSSLESS_RPCL: "image/jph",
    "1.2.840.10008.1.2.4.203": "image/jphc",
}


class UndecodablePixels(ValueError):
    """Pixel data this mock cannot decode; the message says why."""


def decode(dataset: Dataset, transfer_syntax: str) -> tuple[list[np.ndarray], list[bytes] | None]:
    """Every frame as an array (rows, columns[, samples]), and the original bytes of encapsulated frames."""
    frame_count = int(dataset.get("NumberOfFrames", 1) or 1)
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

    decoder = getattr(imagecodecs, f"{codec}_decode")
    try:
        originals = list(generate_frames(dataset.PixelData, number_of_frames=frame_count))
        frames = [_native(_as_stored(decoder(data), dataset)) for data in originals]
    except Exception as error:  # pydicom and each imagecodecs codec raise errors of their own
        raise UndecodablePixels(f"pixel data cannot be decoded ({codec}): {error}") from error
    return frames, originals


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
    if int(dataset.get("BitsAllocated", 0) or 0) == 1 or (frame is not None and frame.dtype.itemsize > 2):
        return EXPLICIT_VR_LITTLE_ENDIAN
    return JPEG_2000_LOSSLESS if lossless_storage_format == "JPEG_2000_LOSSLESS" else HTJ2K_LOSSLESS_RPCL


def encode(frame: np.ndarray, stored_transfer_syntax: str) -> bytes:
    """The frame as the stored transfer syntax holds it: a raw codestream (no JP2/JPH boxes)."""
    if stored_transfer_syntax == EXPLICIT_VR_LITTLE_ENDIAN:
        return np.ascontiguousarray(frame, dtype=frame.dtype.newbyteorder("<")).tobytes()
    import imagecodecs

    if stored_transfer_syntax == JPEG_2000_LOSSLESS:
        return imagecodecs.jpeg2k_encode(frame, level=0, codecformat="J2K", planar=False)
    return imagecodecs.htj2k_encode(
        frame, planar=False, tlm=True, tilepart=imagecodecs.HTJ2K.TILEPART.RESOLUTIONS
    )


def content_type(stored_transfer_syntax: str) -> str:
    return CONTENT_TYPES.get(stored_transfer_syntax, "application/octet-stream")
