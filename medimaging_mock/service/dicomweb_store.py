"""DICOMweb STOW-RS: StoreDICOM and StoreDICOMStudy."""

from __future__ import annotations

from typing import Any

from medimaging_mock.domain.backend import ImagingBackend
from medimaging_mock.domain.dicomweb import store
from medimaging_mock.service.registry import operation


@operation("StoreDICOM")
def store_dicom(
    backend: ImagingBackend, *, datastore_id: str, instances: list[bytes], base_url: str
) -> dict[str, Any]:
    datastore = backend.datastores.get(datastore_id)
    return _answer(store.store(datastore, instances), base_url, datastore_id)


@operation("StoreDICOMStudy")
def store_dicom_study(
    backend: ImagingBackend, *, datastore_id: str, study_uid: str, instances: list[bytes], base_url: str
) -> dict[str, Any]:
    datastore = backend.datastores.get(datastore_id)
    return _answer(store.store(datastore, instances, study_uid), base_url, datastore_id)


def _answer(outcome: store.StoreOutcome, base_url: str, datastore_id: str) -> dict[str, Any]:
    """The counts the front picks its status from (200 all stored, 202 some, 409 none), and the response."""
    return {
        "stored": outcome.stored,
        "failed": outcome.failed,
        "dataset": outcome.response(base_url, datastore_id),
    }
