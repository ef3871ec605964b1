"""StartDICOMImportJob, GetDICOMImportJob, ListDICOMImportJobs."""

from __future__ import annotations

from typing import Any

from medimaging_mock.domain.backend import ImagingBackend
from medimaging_mock.service.registry import operation


@operation("StartDICOMImportJob")
def start_dicom_import_job(
    backend: ImagingBackend,
    *,
    datastore_id: str,
    data_access_role_arn: str,
    client_token: str,
    input_s3_uri: str,
    output_s3_uri: str,
    job_name: str | None = None,
    input_owner_account_id: str | None = None,
    import_configuration: dict[str, Any] | None = None,
) -> dict[str, Any]:
    job = backend.imports.start(
        client_token,
        datastore_id,
        job_name,
        data_access_role_arn,
        input_s3_uri,
        output_s3_uri,
        import_configuration,
        input_owner_account_id,
    )
    return {
        "datastoreId": job.datastore_id,
        "jobId": job.job_id,
        "jobStatus": job.status,
        "submittedAt": job.submitted_at,
    }


@operation("GetDICOMImportJob")
def get_dicom_import_job(backend: ImagingBackend, *, datastore_id: str, job_id: str) -> dict[str, Any]:
    return {"jobProperties": backend.imports.get(datastore_id, job_id).properties()}


@operation("ListDICOMImportJobs")
def list_dicom_import_jobs(
    backend: ImagingBackend,
    *,
    datastore_id: str,
    job_status: str | None = None,
    next_token: str | None = None,
    max_results: int | None = None,
) -> dict[str, Any]:
    jobs, token = backend.imports.list(datastore_id, job_status, max_results, next_token)
    return {"jobSummaries": [job.summary() for job in jobs], "nextToken": token}
