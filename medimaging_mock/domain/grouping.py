"""Which instances belong together, and into which existing image set they go (Developer Guide,
"Understanding image sets"): instances whose Patient, Study and Series grouping elements agree form one
group; a group joins a primary image set whose elements agree with it for any of its series. "Agree"
compares DICOM values (metadata.equality), not their text. Every path that stores instances into existing
image sets decides with this rule.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

from medimaging_mock.domain.metadata.builder import BuiltInstance
from medimaging_mock.domain.metadata.document import Document
from medimaging_mock.domain.metadata.equality import comparable

ELEMENTS = {
    "patient": ("PatientID",),
    "study": ("StudyInstanceUID", "StudyDate", "AccessionNumber", "StudyID"),
    "series": ("SeriesInstanceUID", "SeriesNumber"),
}
Key = tuple[Hashable, ...]


def key_of(item: BuiltInstance) -> Key:
    """The grouping elements' values of one incoming instance, in the form every spelling shares."""
    return _key(item.patient, item.study, item.series)


def joins(document: Document, key: Key) -> bool:
    """Whether instances with this key join the image set holding `document`: it matches any of its series."""
    return any(_key(document.patient, document.study, s.dicom) == key for s in document.series.values())


def _key(patient: Mapping[str, Any], study: Mapping[str, Any], series: Mapping[str, Any]) -> Key:
    blocks = {"patient": patient, "study": study, "series": series}
    return tuple(
        comparable(name, blocks[level].get(name)) for level, names in ELEMENTS.items() for name in names
    )
