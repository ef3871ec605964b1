"""The Part 10 files of a STOW-RS body (reference §4.7): one bare `application/dicom` file, as AWS's own
example sends, or the parts of `multipart/related` with or without `type=`. A part of another media type
refuses the whole request (415): nothing is stored from a body the client did not mean as instances only.
"""

from __future__ import annotations

from medimaging_mock.domain.errors import ValidationException
from medimaging_mock.wire.dicomweb import multipart
from medimaging_mock.wire.dicomweb.accept import DICOM, MULTIPART
from medimaging_mock.wire.dicomweb.media_type import parse
from medimaging_mock.wire.dicomweb.refusal import Refusal

OFFERED = f"{DICOM}, or {MULTIPART} of {DICOM} parts"


def instances(content_type: str | None, body: bytes) -> list[bytes]:
    media = parse(content_type or "")
    if media.name == DICOM:
        files = [body]
    elif media.name == MULTIPART:
        root_type = media.params.get("type", DICOM).lower()
        if root_type != DICOM:
            raise _unsupported(f"{MULTIPART}; type={root_type}")
        boundary = media.params.get("boundary")
        if not boundary:
            raise ValidationException(f"Content-Type {content_type} names no boundary")
        files = [_instance(part, number) for number, part in enumerate(multipart.decode(boundary, body), 1)]
    else:
        raise _unsupported(content_type or "no Content-Type")
    if not files:
        raise ValidationException("The request body holds no DICOM instance")
    if not all(files):
        raise ValidationException("The request body holds an empty DICOM instance")
    return files


def _instance(part: multipart.Part, number: int) -> bytes:
    """A part without Content-Type is taken for what the body's `type` announces."""
    part_type = parse(part.headers.get("content-type", DICOM)).name
    if part_type != DICOM:
        raise _unsupported(f"{part_type} (part {number})")
    return part.content


def _unsupported(what: str) -> Refusal:
    return Refusal(415, "UnsupportedMediaTypeException", f"STOW-RS stores {OFFERED}, not {what}")
