"""DICOMweb WADO-RS: GetDICOMInstance, GetDICOMInstanceMetadata, GetDICOMSeriesMetadata,
GetDICOMInstanceFrames, GetDICOMBulkdata (reference §4.1-4.5).

An instance's DICOM JSON is derived once per version it is read from (a series' metadata converts every
instance with pydicom); a version never changes, so an update, which makes a new version, shows at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from medimaging_mock.domain.backend import ImagingBackend
from medimaging_mock.domain.dicomweb import lookup, retrieve
from medimaging_mock.domain.dicomweb.lookup import Held
from medimaging_mock.domain.image_sets import Version
from medimaging_mock.service.per_version import PerVersion
from medimaging_mock.service.registry import operation

# (series UID, SOP instance UID, base URL, image set named) -> DICOM JSON, filled as instances are read
JsonByInstance = dict[tuple[str, str, str, bool], dict[str, Any]]


def _new_json_cache(version: Version) -> JsonByInstance:
    return {}


_instance_json = PerVersion(_new_json_cache)


@operation("GetDICOMInstance")
def get_dicom_instance(
    backend: ImagingBackend,
    *,
    datastore_id: str,
    study_uid: str,
    series_uid: str,
    sop_uid: str,
    transfer_syntaxes: Sequence[str],
    image_set_id: str | None = None,
) -> dict[str, Any]:
    datastore = backend.datastores.get(datastore_id)
    held = lookup.instance(datastore, study_uid, series_uid, sop_uid, image_set_id)
    syntax = retrieve.served_syntax(held, transfer_syntaxes)
    return {"body": retrieve.part10(held, datastore.frames, syntax), "transfer_syntax": syntax}


@operation("GetDICOMInstanceMetadata")
def get_dicom_instance_metadata(
    backend: ImagingBackend,
    *,
    datastore_id: str,
    study_uid: str,
    series_uid: str,
    sop_uid: str,
    base_url: str,
    image_set_id: str | None = None,
) -> dict[str, Any]:
    datastore = backend.datastores.get(datastore_id)
    held = lookup.instance(datastore, study_uid, series_uid, sop_uid, image_set_id)
    return {"datasets": [_metadata(held, base_url, datastore_id, image_set_id is not None)]}


@operation("GetDICOMSeriesMetadata")
def get_dicom_series_metadata(
    backend: ImagingBackend,
    *,
    datastore_id: str,
    study_uid: str,
    series_uid: str,
    base_url: str,
    image_set_id: str | None = None,
) -> dict[str, Any]:
    datastore = backend.datastores.get(datastore_id)
    named = image_set_id is not None
    return {
        "datasets": [
            _metadata(held, base_url, datastore_id, named)
            for held in lookup.series_instances(datastore, study_uid, series_uid, image_set_id)
        ]
    }


@operation("GetDICOMInstanceFrames")
def get_dicom_instance_frames(
    backend: ImagingBackend,
    *,
    datastore_id: str,
    study_uid: str,
    series_uid: str,
    sop_uid: str,
    frames: Sequence[int],
    transfer_syntaxes: Sequence[str],
    image_set_id: str | None = None,
) -> dict[str, Any]:
    datastore = backend.datastores.get(datastore_id)
    held = lookup.instance(datastore, study_uid, series_uid, sop_uid, image_set_id)
    syntax = retrieve.served_syntax(held, transfer_syntaxes)
    return {"frames": retrieve.frames(held, datastore.frames, frames, syntax), "transfer_syntax": syntax}


@operation("GetDICOMBulkdata")
def get_dicom_bulkdata(
    backend: ImagingBackend,
    *,
    datastore_id: str,
    study_uid: str,
    series_uid: str,
    sop_uid: str,
    bulkdata_id: str,
    image_set_id: str | None = None,
) -> dict[str, Any]:
    datastore = backend.datastores.get(datastore_id)
    held = lookup.instance(datastore, study_uid, series_uid, sop_uid, image_set_id)
    return {"body": retrieve.bulkdata(held, bulkdata_id)}


def _metadata(held: Held, base_url: str, datastore_id: str, image_set_named: bool) -> dict[str, Any]:
    """The instance's DICOM JSON, shared by every call that reads the same version: treat it as read-only."""
    by_instance = _instance_json(held.version)
    key = (held.series_uid, held.sop_uid, base_url, image_set_named)
    found = by_instance.get(key)
    if found is None:
        found = by_instance[key] = retrieve.metadata(held, base_url, datastore_id, image_set_named)
    return found
