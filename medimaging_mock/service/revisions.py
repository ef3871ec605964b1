"""UpdateImageSetMetadata and CopyImageSet: the operations that make new versions."""

from __future__ import annotations

from typing import Any

from medimaging_mock.domain.backend import ImagingBackend
from medimaging_mock.domain.errors import ValidationException
from medimaging_mock.domain.image_sets import Written
from medimaging_mock.domain.metadata import updates
from medimaging_mock.service.registry import operation


@operation("UpdateImageSetMetadata")
def update_image_set_metadata(
    backend: ImagingBackend,
    *,
    datastore_id: str,
    image_set_id: str,
    latest_version_id: str,
    update_image_set_metadata_updates: dict[str, Any],
    force: bool = False,
    include_study_image_sets: bool = False,
) -> dict[str, Any]:
    image_sets = backend.datastores.get(datastore_id).image_sets
    revert_to = update_image_set_metadata_updates.get("revertToVersionId")
    if revert_to is not None:
        if include_study_image_sets:
            raise ValidationException("includeStudyImageSets cannot be combined with revertToVersionId")
        written = image_sets.revert(image_set_id, latest_version_id, revert_to, force)
    else:
        dicom_updates = update_image_set_metadata_updates["DICOMUpdates"]
        removable = dicom_updates.get("removableAttributes")
        updatable = dicom_updates.get("updatableAttributes")
        if not (removable or updatable):
            raise ValidationException("DICOMUpdates needs updatableAttributes, removableAttributes or both")
        removals = (
            None
            if removable is None
            else updates.parse(removable, "removableAttributes", removal=True, force=force)
        )
        changes = (
            None
            if updatable is None
            else updates.parse(updatable, "updatableAttributes", removal=False, force=force)
        )
        written = image_sets.update(
            image_set_id, latest_version_id, removals, changes, force, include_study_image_sets
        )
    return {
        "datastoreId": datastore_id,
        **_latest(written),
        "message": written.history.latest_status.message,
    }


@operation("CopyImageSet")
def copy_image_set(
    backend: ImagingBackend,
    *,
    datastore_id: str,
    source_image_set_id: str,
    copy_image_set_information: dict[str, Any],
    force: bool = False,
    promote_to_primary: bool = False,
) -> dict[str, Any]:
    image_sets = backend.datastores.get(datastore_id).image_sets
    source_information = copy_image_set_information["sourceImageSet"]
    destination = copy_image_set_information.get("destinationImageSet")
    source, target = image_sets.copy(
        source_image_set_id,
        source_information["latestVersionId"],
        source_information.get("DICOMCopies", {}).get("copiableAttributes"),
        None if destination is None else (destination["imageSetId"], destination["latestVersionId"]),
        force,
        promote_to_primary,
    )
    return {
        "datastoreId": datastore_id,
        "sourceImageSetProperties": {**_latest(source), "imageSetArn": source.image_set.arn},
        "destinationImageSetProperties": {**_latest(target), "imageSetArn": target.image_set.arn},
    }


def _latest(written: Written) -> dict[str, Any]:
    """The members both operations report of an image set's latest version, as the call left it."""
    image_set, history = written
    status = history.latest_status
    return {
        "imageSetId": image_set.image_set_id,
        "latestVersionId": history.latest.version_id,
        "imageSetState": status.state,
        "imageSetWorkflowStatus": status.workflow_status,
        "createdAt": image_set.created_at,
        "updatedAt": status.updated_at,
    }
