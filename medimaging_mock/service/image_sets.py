"""GetImageSet, GetImageSetMetadata, ListImageSetVersions, DeleteImageSet."""

from __future__ import annotations

import gzip
from typing import Any

from medimaging_mock.domain import json_text
from medimaging_mock.domain.backend import ImagingBackend
from medimaging_mock.domain.image_sets import Version
from medimaging_mock.service.per_version import PerVersion
from medimaging_mock.service.registry import operation


@operation("GetImageSet")
def get_image_set(
    backend: ImagingBackend, *, datastore_id: str, image_set_id: str, version_id: str | None = None
) -> dict[str, Any]:
    image_set = backend.datastores.get(datastore_id).image_sets.get(image_set_id)
    history = image_set.history
    version = image_set.version(version_id, history)
    return {
        **image_set.properties(history, version),
        "datastoreId": datastore_id,
        "imageSetWorkflowStatus": history.status_of(version).workflow_status,
        "imageSetArn": image_set.arn,
        "lastAccessedAt": image_set.last_accessed_at,
        "storageTier": image_set.storage_tier,
    }


@operation("GetImageSetMetadata")
def get_image_set_metadata(
    backend: ImagingBackend, *, datastore_id: str, image_set_id: str, version_id: str | None = None
) -> dict[str, Any]:
    image_set, version = backend.datastores.get(datastore_id).image_sets.readable(image_set_id, version_id)
    return {
        "imageSetMetadataBlob": _compressed_documents(
            version, image_set.datastore_id, image_set.image_set_id
        ),
        "contentType": "application/json",
        "contentEncoding": "gzip",
    }


def _compress(version: Version, datastore_id: str, image_set_id: str) -> bytes:
    text = json_text.dumps(version.document.to_json(datastore_id, image_set_id))
    return gzip.compress(text, compresslevel=6, mtime=0)


_compressed_documents = PerVersion(_compress)


@operation("ListImageSetVersions")
def list_image_set_versions(
    backend: ImagingBackend,
    *,
    datastore_id: str,
    image_set_id: str,
    next_token: str | None = None,
    max_results: int | None = None,
) -> dict[str, Any]:
    image_set = backend.datastores.get(datastore_id).image_sets.get(image_set_id)
    history, page, token = image_set.versions_page(max_results, next_token)
    items = [
        {
            **image_set.properties(history, version),
            "ImageSetWorkflowStatus": history.status_of(version).workflow_status,
        }
        for version in page
    ]
    return {"imageSetPropertiesList": items, "nextToken": token}


@operation("DeleteImageSet")
def delete_image_set(backend: ImagingBackend, *, datastore_id: str, image_set_id: str) -> dict[str, Any]:
    image_set, history = backend.datastores.get(datastore_id).image_sets.delete(image_set_id)
    status = history.latest_status
    return {
        "datastoreId": datastore_id,
        "imageSetId": image_set.image_set_id,
        "imageSetState": status.state,
        "imageSetWorkflowStatus": status.workflow_status,
    }
