"""The DICOMweb resources under `/datastore/{datastoreId}`: which operation a method and path name, with
their percent-decoded labels, and the resources DICOMweb defines that HealthImaging does not offer.

Paths are matched segment by segment, so an encoded `/` (`%2F`) inside a UID stays inside its label.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import NamedTuple
from urllib.parse import unquote

from medimaging_mock.domain.errors import ResourceNotFoundException, ValidationException
from medimaging_mock.wire.dicomweb.refusal import Refusal
from medimaging_mock.wire.remembered import remembered

_INSTANCE = ("studies", "{study_uid}", "series", "{series_uid}", "instances", "{sop_uid}")

# (method, path below the datastore, operation); a `{name}` segment is a label.
ROUTES: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("GET", ("studies",), "SearchDICOMStudies"),
    ("POST", ("studies",), "StoreDICOM"),
    ("POST", ("studies", "{study_uid}"), "StoreDICOMStudy"),
    ("GET", ("studies", "{study_uid}", "series"), "SearchDICOMSeries"),
    ("GET", ("studies", "{study_uid}", "instances"), "SearchDICOMStudyInstances"),
    ("GET", ("studies", "{study_uid}", "series", "{series_uid}", "instances"), "SearchDICOMInstances"),
    ("GET", ("studies", "{study_uid}", "series", "{series_uid}", "metadata"), "GetDICOMSeriesMetadata"),
    ("GET", ("series",), "SearchDICOMAllSeries"),
    ("GET", ("instances",), "SearchDICOMAllInstances"),
    ("GET", _INSTANCE, "GetDICOMInstance"),
    ("GET", (*_INSTANCE, "metadata"), "GetDICOMInstanceMetadata"),
    ("GET", (*_INSTANCE, "frames", "{frames}"), "GetDICOMInstanceFrames"),
    ("GET", (*_INSTANCE, "bulkdata", "{bulkdata_id}"), "GetDICOMBulkdata"),
)

OPERATIONS = frozenset(operation for _, _, operation in ROUTES)
# What a DICOMweb operation can answer besides its result (reference §2.6, §4, §7.2): the errors a fault
# injected into one may raise.
ERRORS = (
    "ValidationException",
    "AccessDeniedException",
    "ResourceNotFoundException",
    "ConflictException",
    "ThrottlingException",
    "InternalServerException",
)

# Resources of PS3.18 that HealthImaging does not offer (reference §1), by what a client would call them.
NOT_OFFERED: tuple[tuple[tuple[str, ...], str], ...] = (
    (("studies", "{study_uid}"), "study-level WADO-RS retrieve"),
    (("studies", "{study_uid}", "metadata"), "study-level metadata"),
    (("studies", "{study_uid}", "series", "{series_uid}"), "series-level WADO-RS retrieve"),
    (("studies", "{study_uid}", "rendered"), "rendered resources"),
    (("studies", "{study_uid}", "thumbnail"), "thumbnail resources"),
    (("studies", "{study_uid}", "series", "{series_uid}", "rendered"), "rendered resources"),
    (("studies", "{study_uid}", "series", "{series_uid}", "thumbnail"), "thumbnail resources"),
    ((*_INSTANCE, "rendered"), "rendered resources"),
    ((*_INSTANCE, "thumbnail"), "thumbnail resources"),
    ((*_INSTANCE, "frames", "{frames}", "rendered"), "rendered resources"),
    ((*_INSTANCE, "frames", "{frames}", "thumbnail"), "thumbnail resources"),
)

_DATASTORE_PATH = re.compile(
    r"/datastore/(?P<datastore>[^/]+)/(?P<rest>(?:studies|series|instances)(?:/[\s\S]*)?)"
)
_FRAME_NUMBER = re.compile(r"[0-9]{1,9}")


class Route(NamedTuple):
    operation: str
    labels: Mapping[str, str]  # percent-decoded: datastore_id and the path's labels (shared: read-only)


def is_dicomweb_path(path: str) -> bool:
    """A DICOMweb resource path (offered or not): what a server-mode host serves with the DICOMweb front."""
    return _DATASTORE_PATH.fullmatch(path) is not None


def match(method: str, path: str) -> Route:
    """The operation `method path` names. ResourceNotFoundException for a path that is no offered resource
    (naming what is not offered), a 405 Refusal for an offered path with another method. A viewer asks for
    the same paths again and again: each is worked out once (its labels are shared: read-only)."""
    return _remembered_match(f"{method} {path}")


def _match(request_line: str) -> Route:
    method, _, path = request_line.partition(" ")  # methods have no space
    found = _DATASTORE_PATH.fullmatch(path)
    if found is None:
        raise ResourceNotFoundException(f"No DICOMweb resource at {path}")
    segments = found["rest"].split("/")
    allowed = []
    for route_method, pattern, operation in ROUTES:
        labels = _labels(pattern, segments)
        if labels is None:
            continue
        if route_method == method:
            return Route(operation, MappingProxyType({"datastore_id": unquote(found["datastore"]), **labels}))
        allowed.append(route_method)
    for pattern, what in NOT_OFFERED:
        if method == "GET" and _labels(pattern, segments) is not None:
            raise ResourceNotFoundException(f"AWS HealthImaging does not offer {what} ({path})")
    if allowed:
        message = f"{path} does not allow {method}; it allows {', '.join(allowed)}"
        raise Refusal(405, "MethodNotAllowedException", message, {"Allow": ", ".join(allowed)})
    raise ResourceNotFoundException(f"No DICOMweb resource at {path}")


_remembered_match = remembered(_match, longest=1024)


def _labels(pattern: tuple[str, ...], segments: list[str]) -> dict[str, str] | None:
    if len(pattern) != len(segments):
        return None
    labels = {}
    for part, segment in zip(pattern, segments, strict=True):
        if part.startswith("{"):
            if not segment:
                return None
            labels[part[1:-1]] = unquote(segment)
        elif part != segment:
            return None
    return labels


def _frame_numbers(frame_list: str) -> tuple[int, ...]:
    """`{frameList}`: comma-separated, 1-based, non-duplicate frame numbers, in the order asked."""
    numbers = tuple(int(text) if _FRAME_NUMBER.fullmatch(text) else 0 for text in frame_list.split(","))
    if 0 in numbers:
        raise ValidationException(
            f"The frame list {frame_list!r} must be comma-separated frame numbers from 1 (e.g. 1,2,3)"
        )
    if len(set(numbers)) != len(numbers):
        twice = next(number for number in numbers if numbers.count(number) > 1)
        raise ValidationException(f"The frame list {frame_list!r} names frame {twice} twice")
    return numbers


frame_numbers = remembered(_frame_numbers, longest=1024)
