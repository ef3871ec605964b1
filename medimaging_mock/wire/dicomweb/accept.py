"""Accept negotiation (PS3.18 §8.7; reference §4.1, §4.4, §6): what each kind of DICOMweb resource can be
answered with, read from the client's media ranges in order of preference (`q`, then order sent).

Binary resources come out as `Acceptable`: the client's `Choice`s by preference, and their transfer
syntaxes. The syntaxes go to the service, which answers with the first one it can serve for the instance;
`choice_for` then tells how to package it. A range that names no transfer syntax asks for Explicit VR Little
Endian, the service's default.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

from medimaging_mock.domain.errors import NotAcceptableException
from medimaging_mock.wire.dicomweb.media_type import MediaType, parse_list
from medimaging_mock.wire.remembered import remembered

ELE = "1.2.840.10008.1.2.1"
ANY_SYNTAX = "*"  # "as stored"
DICOM = "application/dicom"
DICOM_JSON = "application/dicom+json"
OCTET_STREAM = "application/octet-stream"
MULTIPART = "multipart/related"

# Frame media types (PS3.18 Table 8.7.3-5) and the transfer syntaxes each can carry, most usual first.
FRAME_SYNTAXES: dict[str, tuple[str, ...]] = {
    OCTET_STREAM: (ELE,),
    "image/jphc": ("1.2.840.10008.1.2.4.202", "1.2.840.10008.1.2.4.201", "1.2.840.10008.1.2.4.203"),
    "image/jp2": ("1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.4.91"),
    "image/jpeg": (
        "1.2.840.10008.1.2.4.50",
        "1.2.840.10008.1.2.4.51",
        "1.2.840.10008.1.2.4.57",
        "1.2.840.10008.1.2.4.70",
    ),
    "image/jls": ("1.2.840.10008.1.2.4.80", "1.2.840.10008.1.2.4.81"),
    "image/jxl": ("1.2.840.10008.1.2.4.110", "1.2.840.10008.1.2.4.111", "1.2.840.10008.1.2.4.112"),
    "image/dicom-rle": ("1.2.840.10008.1.2.5",),
}
_FRAME_MEDIA_TYPE = {syntax: media for media, syntaxes in FRAME_SYNTAXES.items() for syntax in syntaxes}
_JSON_TYPES = frozenset((DICOM_JSON, "application/json", "application/*", "*/*"))


class Choice(NamedTuple):
    multipart: bool
    transfer_syntax: str  # a UID, or ANY_SYNTAX


def frame_media_type(transfer_syntax: str) -> str:
    """The media type of a frame in `transfer_syntax`; uncompressed and unlisted syntaxes are bytes."""
    return _FRAME_MEDIA_TYPE.get(transfer_syntax, OCTET_STREAM)


def check_json(accept: str | None, resource: str) -> None:
    """A DICOM JSON resource: served unless every range the client sent excludes it."""
    ranges = _preferred(accept)
    if ranges is not None and not any(media.name in _JSON_TYPES for media in ranges):
        raise _not_acceptable(accept, resource, DICOM_JSON)


def _instance_choices(accept: str | None) -> list[Choice]:
    """A Part 10 instance: `application/dicom` single part, or in `multipart/related; type=application/dicom`
    (dicomweb-client's retrieve_instance)."""
    ranges = _preferred(accept)
    if ranges is None:
        return [Choice(False, ELE)]
    choices = []
    for media in ranges:
        if media.name in (DICOM, "application/*", "*/*"):
            choices.append(Choice(False, media.params.get("transfer-syntax", ELE)))
        elif media.name in (MULTIPART, "multipart/*") and media.params.get("type", DICOM).lower() == DICOM:
            choices.append(Choice(True, media.params.get("transfer-syntax", ELE)))
    return _some(choices, accept, "a DICOM instance", f"{DICOM} or {MULTIPART}; type={DICOM}")


def _frame_choices(accept: str | None) -> list[Choice]:
    """Frames: always multipart; a range's `type` without a `transfer-syntax` asks for any syntax that type
    carries."""
    ranges = _preferred(accept)
    if ranges is None:
        return [Choice(True, ELE)]
    choices = []
    for media in ranges:
        if media.name == "*/*":
            choices.append(Choice(True, ELE))
        elif media.name in (MULTIPART, "multipart/*"):
            part_type = media.params.get("type", OCTET_STREAM).lower()
            syntax = media.params.get("transfer-syntax")
            if part_type in ("*/*", "*"):
                choices.append(Choice(True, syntax or ANY_SYNTAX))
            elif part_type in FRAME_SYNTAXES:
                choices.extend(
                    Choice(True, each) for each in ([syntax] if syntax else FRAME_SYNTAXES[part_type])
                )
    offered = f"{MULTIPART}; type=<{' | '.join(FRAME_SYNTAXES)}>; transfer-syntax=<UID or *>"
    return _some(choices, accept, "frames", offered)


def _bulkdata_choices(accept: str | None) -> list[Choice]:
    """Bulk data: `application/octet-stream` single part (OHIF), or in `multipart/related` (dicomweb-client's
    retrieve_bulkdata)."""
    ranges = _preferred(accept)
    if ranges is None:
        return [Choice(False, ANY_SYNTAX)]
    choices = []
    for media in ranges:
        if media.name in (OCTET_STREAM, "application/*", "*/*"):
            choices.append(Choice(False, ANY_SYNTAX))
        elif media.name in (MULTIPART, "multipart/*") and media.params.get("type", OCTET_STREAM).lower() in (
            OCTET_STREAM,
            "*/*",
        ):
            choices.append(Choice(True, ANY_SYNTAX))
    return _some(choices, accept, "bulk data", f"{OCTET_STREAM} or {MULTIPART}; type={OCTET_STREAM}")


class Acceptable(NamedTuple):
    """What a client's Accept allows for one kind of resource."""

    choices: tuple[Choice, ...]  # by preference
    transfer_syntaxes: tuple[str, ...]  # to ask the service for, most preferred first, each once


def _per_accept(read: Callable[[str | None], list[Choice]]) -> Callable[[str | None], Acceptable]:
    """`read`, worked out once per distinct Accept text (a client sends the same one call after call); a
    refusal is raised anew every time."""

    def acceptable(text: str) -> Acceptable:
        choices = tuple(read(text or None))
        return Acceptable(choices, tuple(dict.fromkeys(choice.transfer_syntax for choice in choices)))

    remembered_acceptable = remembered(acceptable, longest=1024)

    def acceptable_for(accept: str | None) -> Acceptable:
        return remembered_acceptable(accept or "")

    acceptable_for.__doc__ = read.__doc__
    return acceptable_for


for_instance = _per_accept(_instance_choices)
for_frames = _per_accept(_frame_choices)
for_bulkdata = _per_accept(_bulkdata_choices)


def choice_for(choices: Sequence[Choice], transfer_syntax: str) -> Choice:
    """The client's preferred packaging of content the service answered in `transfer_syntax`."""
    for choice in choices:
        if choice.transfer_syntax in (transfer_syntax, ANY_SYNTAX):
            return choice
    return choices[0]


def _preferred(accept: str | None) -> tuple[MediaType, ...] | None:
    """The ranges by preference, those with `q=0` left out; None when the client states no preference
    (no Accept, or an empty one). A client sends the same Accept call after call: read once, shared."""
    return _ranges_by_preference(accept or "")


def _read_preference(accept: str) -> tuple[MediaType, ...] | None:
    ranges = parse_list(accept)
    if not ranges:
        return None
    weighted = [(_quality(media), index, media) for index, media in enumerate(ranges)]
    by_preference = sorted(weighted, key=lambda item: (-item[0], item[1]))
    return tuple(media for quality, _, media in by_preference if quality > 0)


_ranges_by_preference = remembered(_read_preference, longest=1024)


def _quality(media: MediaType) -> float:
    try:
        quality = float(media.params.get("q", "1"))
    except ValueError:
        return 1.0
    return quality if 0 <= quality <= 1 else 1.0


def _not_acceptable(accept: str | None, resource: str, offered: str) -> NotAcceptableException:
    return NotAcceptableException(f"Accept: {accept} allows no form of {resource} served here ({offered})")


def _some(choices: list[Choice], accept: str | None, resource: str, offered: str) -> list[Choice]:
    if not choices:
        raise _not_acceptable(accept, resource, offered)
    return choices
