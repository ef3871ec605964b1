"""The JPH file format (ISO/IEC 15444-15 Annex D): an HTJ2K codestream inside the boxes of a JPEG 2000 file.

Some HealthImaging clients read frames with a JP2 file reader (OpenJPEG's `j2k_format=2`), which refuses a
bare codestream; the box setting of GetImageFrame serves them. Every header field comes from the
codestream's own SIZ marker, so the boxes can never disagree with the pixels.
"""

from __future__ import annotations

import struct

_SOC_SIZ = b"\xff\x4f\xff\x51"
_SIGNATURE = b"\r\n\x87\n"
_BRAND = b"jph "
_COMPRESSION_JPEG2000 = 7
_SRGB, _GREYSCALE = 16, 17
_VARYING_DEPTHS = 255


def _box(box_type: bytes, content: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(content), box_type) + content


def boxed(codestream: bytes) -> bytes:
    """`codestream` in the boxes of a JPH file: signature, file type, header and codestream."""
    if not codestream.startswith(_SOC_SIZ):
        raise ValueError("not a JPEG 2000 codestream: it must open with the SOC and SIZ markers")
    # After the SIZ marker: Lsiz, Rsiz, Xsiz, Ysiz, XOsiz, YOsiz, four tile fields, Csiz; Ssiz per component.
    _, _, x_size, y_size, x_offset, y_offset, *_, components = struct.unpack_from(
        ">HHIIIIIIIIH", codestream, 4
    )
    depths = bytes(codestream[42 + 3 * component] for component in range(components))  # sign | depth - 1
    same_depth = len(set(depths)) == 1
    size = struct.pack(">IIH", y_size - y_offset, x_size - x_offset, components)
    depth = depths[:1] if same_depth else bytes([_VARYING_DEPTHS])
    image_header = _box(b"ihdr", size + depth + bytes([_COMPRESSION_JPEG2000, 0, 0]))
    depth_per_component = b"" if same_depth else _box(b"bpcc", depths)
    enumerated_colour = _box(b"colr", struct.pack(">BBBI", 1, 0, 0, _SRGB if components == 3 else _GREYSCALE))
    return b"".join(
        (
            _box(b"jP  ", _SIGNATURE),
            _box(b"ftyp", _BRAND + struct.pack(">I", 0) + _BRAND),
            _box(b"jp2h", image_header + depth_per_component + enumerated_colour),
            _box(b"jp2c", codestream),
        )
    )
