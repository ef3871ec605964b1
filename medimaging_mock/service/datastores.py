"""CreateDatastore, GetDatastore, ListDatastores, DeleteDatastore."""

from __future__ import annotations

from typing import Any

from medimaging_mock.domain.backend import ImagingBackend
from medimaging_mock.service.registry import operation


@operation("CreateDatastore")
def create_datastore(
    backend: ImagingBackend,
    *,
    client_token: str,
    datastore_name: str | None = None,
    tags: dict[str, str] | None = None,
    kms_key_arn: str | None = None,
    lambda_authorizer_arn: str | None = None,
    lossless_storage_format: str | None = None,
) -> dict[str, Any]:
    datastore = backend.create_datastore(
        client_token, datastore_name, tags, kms_key_arn, lambda_authorizer_arn, lossless_storage_format
    )
    return {"datastoreId": datastore.datastore_id, "datastoreStatus": datastore.status}


@operation("GetDatastore")
def get_datastore(backend: ImagingBackend, *, datastore_id: str) -> dict[str, Any]:
    return {"datastoreProperties": backend.datastores.get(datastore_id).properties()}


@operation("ListDatastores")
def list_datastores(
    backend: ImagingBackend,
    *,
    datastore_status: str | None = None,
    next_token: str | None = None,
    max_results: int | None = None,
) -> dict[str, Any]:
    datastores, token = backend.datastores.list(datastore_status, max_results, next_token)
    return {"datastoreSummaries": [d.summary() for d in datastores], "nextToken": token}


@operation("DeleteDatastore")
def delete_datastore(backend: ImagingBackend, *, datastore_id: str) -> dict[str, Any]:
    datastore = backend.delete_datastore(datastore_id)
    return {"datastoreId": datastore.datastore_id, "datastoreStatus": datastore.status}
