"""The JPH file format (ISO/IEC 15444-15 Annex D): an HTJ2K codestream inside the boxes of a JPEG 2000 file.

Some HealthImaging clients read frames with a JP2 file reader (OpenJPEG's `j2k_format=2`), which refuses a
bare codestream; the box setting of GetImageFrame serves them. Every header field comes from the
codestream's own SIZ marker, so the boxes can never disagree with the pixels.
"""

from __future__ import annotations

import struct

_SIGNATURE = b"\r\n\x87\n"
_BRAND = b"jph "
_COMPRESSION_JPEG2000 = 7
_SRGB, _GREYSCALE = 16, 17


def _box(box_type: bytes, content: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(content), box_type) + content


def boxed(codestream: bytes) -> bytes:
    """`codestream` in the boxes of a JPH file: signature, file type, header and codestream.
    Every component has the depth of the first: the mock encodes each frame from one array."""
    # After SOC and the SIZ marker: Lsiz, Rsiz, Xsiz, Ysiz, XOsiz, YOsiz, four tile fields, Csiz, then
    # per component Ssiz (sign bit | depth - 1, the encoding ihdr uses too), XRsiz, YRsiz.
    _, _, x_size, y_size, x_offset, y_offset, *_, components = struct.unpack_from(
        ">HHIIIIIIIIH", codestream, 4
    )
    depth = codestream[42]
    image_header = struct.pack(
        ">IIHBBBB", y_size - y_offset, x_size - x_offset, components, depth, _COMPRESSION_JPEG2000, 0, 0
    )
    enumerated_colour = struct.pack(">BBBI", 1, 0, 0, _SRGB if components == 3 else _GREYSCALE)
    return b"".join(
        (
            _box(b"jP  ", _SIGNATURE),
            _box(b"ftyp", _BRAND + struct.pack(">I", 0) + _BRAND),
            _box(b"jp2h", _box(b"ihdr", image_header) + _box(b"colr", enumerated_colour)),
            _box(b"jp2c", codestream),
        )
    )
