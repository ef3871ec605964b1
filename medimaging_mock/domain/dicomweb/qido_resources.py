"""The six QIDO-RS resources: the level each searches, the keys it matches on (as the HealthImaging
Developer Guide publishes them) and the attributes it returns by default (PS3.18 §10.6.3.3)."""

from __future__ import annotations

from dataclasses import dataclass

STUDY, SERIES, INSTANCE = "study", "series", "instance"

# SearchDICOMStudies (dicomweb-search-studies)
STUDY_KEYS = (
    "StudyDate",
    "StudyTime",
    "AccessionNumber",
    "ModalitiesInStudy",
    "ReferringPhysicianName",
    "StudyDescription",
    "PatientName",
    "PatientID",
    "PatientBirthDate",
    "PatientBirthTime",
    "StudyInstanceUID",
    "StudyID",
)
# SearchDICOMAllSeries adds these to the study keys (dicomweb-search-all-series)
SERIES_KEYS = (
    "Modality",
    "SeriesInstanceUID",
    "SeriesNumber",
    "PerformedProcedureStepStartDate",
    "PerformedProcedureStepStartTime",
)
# SearchDICOMInstances (dicomweb-search-instances): SOP Class and Instance UID, and the import warning codes
INSTANCE_KEYS = ("SOPClassUID", "SOPInstanceUID", "WarningReason")

# PS3.18 Table 10.6.3-3/-4/-5; the study and series UIDs in every lower-level result too (clients read
# them there: the DIMSE proxy's C-MOVE, dicomweb-client's callers). Empty when the image set has no value.
STUDY_RETURNED = (
    "StudyDate",
    "StudyTime",
    "AccessionNumber",
    "InstanceAvailability",
    "ModalitiesInStudy",
    "ReferringPhysicianName",
    "RetrieveURL",
    "PatientName",
    "PatientID",
    "PatientBirthDate",
    "PatientSex",
    "StudyInstanceUID",
    "StudyID",
    "NumberOfStudyRelatedSeries",
    "NumberOfStudyRelatedInstances",
)
SERIES_RETURNED = (
    "Modality",
    "SeriesDescription",
    "RetrieveURL",
    "SeriesInstanceUID",
    "SeriesNumber",
    "NumberOfSeriesRelatedInstances",
    "PerformedProcedureStepStartDate",
    "PerformedProcedureStepStartTime",
    "StudyInstanceUID",
)
INSTANCE_RETURNED = (
    "SOPClassUID",
    "SOPInstanceUID",
    "InstanceAvailability",
    "RetrieveURL",
    "InstanceNumber",
    "StudyInstanceUID",
    "SeriesInstanceUID",
)
# The tables' "if present" attributes: returned only when the image set holds them.
STUDY_IF_PRESENT = ("TimezoneOffsetFromUTC",)
SERIES_IF_PRESENT = ("TimezoneOffsetFromUTC", "RequestAttributesSequence")
INSTANCE_IF_PRESENT = ("TimezoneOffsetFromUTC", "Rows", "Columns", "BitsAllocated", "NumberOfFrames")


@dataclass(frozen=True)
class Resource:
    operation: str
    level: str  # STUDY, SERIES or INSTANCE: what one result describes
    matching_keys: frozenset[str]
    returned: tuple[str, ...]
    returned_if_present: tuple[str, ...]


def _resource(operation: str, level: str, keys: tuple[str, ...], levels: tuple[str, ...]) -> Resource:
    """`levels`: whose default attributes a result carries (an all-series result: the study's too)."""
    returned = {STUDY: STUDY_RETURNED, SERIES: SERIES_RETURNED, INSTANCE: INSTANCE_RETURNED}
    if_present = {STUDY: STUDY_IF_PRESENT, SERIES: SERIES_IF_PRESENT, INSTANCE: INSTANCE_IF_PRESENT}
    return Resource(
        operation,
        level,
        frozenset(keys),
        tuple(dict.fromkeys(keyword for each in levels for keyword in returned[each])),
        tuple(dict.fromkeys(keyword for each in levels for keyword in if_present[each])),
    )


STUDIES = _resource("SearchDICOMStudies", STUDY, STUDY_KEYS, (STUDY,))
STUDY_SERIES = _resource("SearchDICOMSeries", SERIES, ("Modality", "SeriesInstanceUID"), (SERIES,))
SERIES_INSTANCES = _resource("SearchDICOMInstances", INSTANCE, INSTANCE_KEYS, (INSTANCE,))
# The study-instances table is not published: the keys below the study level of the all-instances list.
STUDY_INSTANCES = _resource(
    "SearchDICOMStudyInstances", INSTANCE, SERIES_KEYS + INSTANCE_KEYS, (SERIES, INSTANCE)
)
ALL_SERIES = _resource("SearchDICOMAllSeries", SERIES, STUDY_KEYS + SERIES_KEYS, (STUDY, SERIES))
ALL_INSTANCES = _resource(
    "SearchDICOMAllInstances", INSTANCE, STUDY_KEYS + SERIES_KEYS + INSTANCE_KEYS, (STUDY, SERIES, INSTANCE)
)
