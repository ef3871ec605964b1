"""SearchImageSets."""

from __future__ import annotations

from typing import Any

from medimaging_mock.domain.backend import ImagingBackend
from medimaging_mock.domain.image_sets import ImageSet
from medimaging_mock.domain.metadata.document import Document
from medimaging_mock.service.per_version import PerVersion
from medimaging_mock.service.registry import operation


@operation("SearchImageSets")
def search_image_sets(
    backend: ImagingBackend,
    *,
    datastore_id: str,
    search_criteria: dict[str, Any] | None = None,
    max_results: int | None = None,
    next_token: str | None = None,
) -> dict[str, Any]:
    image_sets = backend.datastores.active(datastore_id).image_sets
    found, token = image_sets.search(search_criteria, max_results, next_token)
    return {
        "imageSetsMetadataSummaries": [_summary(image_set) for image_set in found],
        "sort": (search_criteria or {}).get("sort"),
        "nextToken": token,
    }


def _summary(image_set: ImageSet) -> dict[str, Any]:
    history = image_set.history
    return {
        "imageSetId": image_set.image_set_id,
        "version": history.latest.number,
        "createdAt": image_set.created_at,
        "updatedAt": history.latest_status.updated_at,
        "lastAccessedAt": image_set.last_accessed_at,
        "storageTier": image_set.storage_tier,
        "isPrimary": image_set.is_primary,
        "DICOMTags": _tags(history.latest),
    }


def _dicom_tags(document: Document) -> dict[str, Any]:
    """The summary's tags; the Series ones describe the image set's first series. Absent tags are left out."""
    patient, study = document.patient, document.study
    series_uid, series = next(iter(document.series.items()))
    tags = {
        "DICOMPatientId": _text(patient.get("PatientID")),
        "DICOMPatientName": _text(patient.get("PatientName")),
        "DICOMPatientBirthDate": _text(patient.get("PatientBirthDate")),
        "DICOMPatientSex": _text(patient.get("PatientSex")),
        "DICOMStudyInstanceUID": _text(study.get("StudyInstanceUID")),
        "DICOMStudyId": _text(study.get("StudyID")),
        "DICOMStudyDescription": _text(study.get("StudyDescription")),
        "DICOMAccessionNumber": _text(study.get("AccessionNumber")),
        "DICOMNumberOfStudyRelatedSeries": len(document.series),
        "DICOMNumberOfStudyRelatedInstances": sum(len(s.instances) for s in document.series.values()),
        "DICOMSeriesInstanceUID": series_uid,
        "DICOMSeriesModality": _text(series.dicom.get("Modality")),
        "DICOMSeriesBodyPart": _text(series.dicom.get("BodyPartExamined")),
        "DICOMSeriesNumber": _integer(series.dicom.get("SeriesNumber")),
        "DICOMStudyDate": _text(study.get("StudyDate")),
        "DICOMStudyTime": _text(study.get("StudyTime")),
    }
    return {name: value for name, value in tags.items() if value is not None}


_tags = PerVersion(lambda version: _dicom_tags(version.document))


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _integer(value: Any) -> int | None:
    """SeriesNumber is an IS string in the document ("1 ") and an integer in the summary."""
    try:
        return int(str(value).strip())
    except ValueError:
        return None
