"""DICOMweb QIDO-RS: SearchDICOMStudies, SearchDICOMSeries, SearchDICOMInstances, SearchDICOMStudyInstances,
SearchDICOMAllSeries, SearchDICOMAllInstances. `query`: the decoded query pairs in the order sent."""

from __future__ import annotations

from typing import Any

from medimaging_mock.domain.backend import ImagingBackend
from medimaging_mock.domain.dicomweb import qido
from medimaging_mock.domain.dicomweb.qido_index import QidoIndex
from medimaging_mock.service.registry import operation

Query = list[tuple[str, str]]


@operation("SearchDICOMStudies")
def search_dicom_studies(
    backend: ImagingBackend, *, datastore_id: str, query: Query, base_url: str
) -> dict[str, Any]:
    return {"datasets": qido.studies(_index(backend, datastore_id), query, _url(base_url, datastore_id))}


@operation("SearchDICOMSeries")
def search_dicom_series(
    backend: ImagingBackend, *, datastore_id: str, study_uid: str, query: Query, base_url: str
) -> dict[str, Any]:
    index, url = _index(backend, datastore_id), _url(base_url, datastore_id)
    return {"datasets": qido.study_series(index, study_uid, query, url)}


@operation("SearchDICOMInstances")
def search_dicom_instances(
    backend: ImagingBackend,
    *,
    datastore_id: str,
    study_uid: str,
    series_uid: str,
    query: Query,
    base_url: str,
) -> dict[str, Any]:
    index, url = _index(backend, datastore_id), _url(base_url, datastore_id)
    return {"datasets": qido.series_instances(index, study_uid, series_uid, query, url)}


@operation("SearchDICOMStudyInstances")
def search_dicom_study_instances(
    backend: ImagingBackend, *, datastore_id: str, study_uid: str, query: Query, base_url: str
) -> dict[str, Any]:
    index, url = _index(backend, datastore_id), _url(base_url, datastore_id)
    return {"datasets": qido.study_instances(index, study_uid, query, url)}


@operation("SearchDICOMAllSeries")
def search_dicom_all_series(
    backend: ImagingBackend, *, datastore_id: str, query: Query, base_url: str
) -> dict[str, Any]:
    return {"datasets": qido.all_series(_index(backend, datastore_id), query, _url(base_url, datastore_id))}


@operation("SearchDICOMAllInstances")
def search_dicom_all_instances(
    backend: ImagingBackend, *, datastore_id: str, query: Query, base_url: str
) -> dict[str, Any]:
    index, url = _index(backend, datastore_id), _url(base_url, datastore_id)
    return {"datasets": qido.all_instances(index, query, url)}


def _index(backend: ImagingBackend, datastore_id: str) -> QidoIndex:
    return backend.datastores.get(datastore_id).image_sets.qido


def _url(base_url: str, datastore_id: str) -> str:
    return f"{base_url}/datastore/{datastore_id}"
