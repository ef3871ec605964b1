"""DICOM import jobs: every object under an S3 prefix read, parsed and grouped as the service groups
instances, image sets created or versioned, and the job's outputs written back to S3.

Each file is built by `build_checked` and each group placed by placement.py: DICOMweb STOW does the same.

S3 is moto's backend of the job's account, called in process (object_store), never AWS.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from medimaging_mock.domain import clock, cursors, ingestion, messages, placement
from medimaging_mock.domain.datastores import Datastore, Datastores
from medimaging_mock.domain.errors import ConflictException, ResourceNotFoundException
from medimaging_mock.domain.grouping import Key
from medimaging_mock.domain.ids import new_id
from medimaging_mock.domain.metadata.builder import BuiltInstance, InvalidDataset, build_instance
from medimaging_mock.domain.object_store import BucketUnavailable, ObjectStore, ObjectUnavailable, split
from medimaging_mock.domain.transitions import PendingWork

if TYPE_CHECKING:
    from pydicom.dataset import Dataset

SUBMITTED, IN_PROGRESS, COMPLETED, FAILED = "SUBMITTED", "IN_PROGRESS", "COMPLETED", "FAILED"
DEFAULT_PAGE_SIZE = 50
# Developer Guide, "DICOM element constraints": longer values fail the file.
LENGTH_LIMITS = {
    "PatientName": 256,
    "PatientID": 256,
    "StudyInstanceUID": 256,
    "SeriesInstanceUID": 256,
    "SOPInstanceUID": 256,
    "AccessionNumber": 256,
    "PatientBirthDate": 18,
    "PatientSex": 16,
    "StudyDate": 18,
    "StudyTime": 28,
}


@dataclass(frozen=True)
class Progress:
    """Where a job stands: status, and once it ended, when and (on failure) why."""

    status: str
    ended_at: datetime | None = None
    message: str | None = None


@dataclass(eq=False)
class ImportJob:
    job_id: str
    job_name: str | None
    datastore_id: str
    data_access_role_arn: str
    input_s3_uri: str
    output_s3_uri: str  # the job's folder: <given>/<datastoreId>-DicomImport-<jobId>/
    import_configuration: dict[str, Any] | None
    submitted_at: datetime
    progress: Progress = field(default_factory=lambda: Progress(SUBMITTED))  # replaced whole, never changed
    request: tuple[Any, ...] = field(default=(), repr=False)  # what its client token promises

    @property
    def status(self) -> str:
        return self.progress.status

    def summary(self) -> dict[str, Any]:
        progress = self.progress
        return {
            "jobId": self.job_id,
            "jobName": self.job_name,
            "jobStatus": progress.status,
            "datastoreId": self.datastore_id,
            "dataAccessRoleArn": self.data_access_role_arn,
            "endedAt": progress.ended_at,
            "submittedAt": self.submitted_at,
            "message": progress.message,
        }

    def properties(self) -> dict[str, Any]:
        return {
            **self.summary(),
            "inputS3Uri": self.input_s3_uri,
            "outputS3Uri": self.output_s3_uri,
            "importConfiguration": self.import_configuration,
        }


def build_checked(dataset: Dataset, source: str, lossless_storage_format: str) -> BuiltInstance:
    """The dataset built as an import builds it, within the service's length constraints; InvalidDataset
    when it cannot be imported."""
    built = build_instance(dataset, source, new_id, lossless_storage_format)
    for keyword, limit in LENGTH_LIMITS.items():
        value = built.text_value(keyword)
        if value is None:  # read safely: build_instance read every element (or its twin)
            value = str(dataset.get(keyword, "") or "")
        if len(value) > limit:
            raise InvalidDataset(source, f"DICOM attribute {keyword} is longer than {limit} characters")
    return built


class ImportJobs:
    """The import jobs of one account and region."""

    def __init__(self, account_id: str, region: str, datastores: Datastores, pending: PendingWork):
        self._account_id = account_id
        self._region = region
        self._datastores = datastores
        self._pending = pending
        self._lock = threading.Lock()
        self._by_id: dict[str, ImportJob] = {}
        self._by_token: dict[str, str] = {}

    def start(
        self,
        client_token: str,
        datastore_id: str,
        job_name: str | None,
        data_access_role_arn: str,
        input_s3_uri: str,
        output_s3_uri: str,
        import_configuration: dict[str, Any] | None,
        input_owner_account_id: str | None,
    ) -> ImportJob:
        self._datastores.active(datastore_id)
        configuration = json.dumps(import_configuration, sort_keys=True)
        request = (
            datastore_id,
            job_name,
            data_access_role_arn,
            input_s3_uri,
            output_s3_uri,
            configuration,
            input_owner_account_id,
        )
        with self._lock:
            if client_token in self._by_token:
                earlier = self._by_id[self._by_token[client_token]]
                if earlier.request != request:
                    raise ConflictException(
                        f"clientToken '{client_token}' was already used with different parameters"
                    )
                return earlier
            job_id = new_id()
            output_bucket, output_prefix = split(output_s3_uri)
            input_bucket, input_prefix = split(input_s3_uri)
            job = ImportJob(
                job_id=job_id,
                job_name=job_name,
                datastore_id=datastore_id,
                data_access_role_arn=data_access_role_arn,
                input_s3_uri=f"s3://{input_bucket}/{input_prefix}",
                output_s3_uri=f"s3://{output_bucket}/{output_prefix}{datastore_id}-DicomImport-{job_id}/",
                import_configuration=import_configuration,
                submitted_at=clock.now(),
                request=request,
            )
            self._by_id[job_id] = job
            self._by_token[client_token] = job_id
        self._pending.schedule(lambda when: self._begin(job), at_next_call=True)
        self._pending.schedule(lambda when: self._run(job, when))
        return job

    def get(self, datastore_id: str, job_id: str) -> ImportJob:
        job = self._by_id.get(job_id)
        if job is None or job.datastore_id != datastore_id:
            raise ResourceNotFoundException(f"Import job {job_id} does not exist in datastore {datastore_id}")
        return job

    def list(
        self, datastore_id: str, status: str | None, limit: int | None, token: str | None
    ) -> tuple[list[ImportJob], str | None]:
        """Newest first."""
        self._datastores.get(datastore_id)
        with self._lock:
            chosen = [
                job
                for job in self._by_id.values()
                if job.datastore_id == datastore_id and (status is None or job.status == status)
            ]
        chosen.sort(key=_newest_first)
        query = {"operation": "ListDICOMImportJobs", "datastoreId": datastore_id, "jobStatus": status}
        return cursors.page(chosen, _newest_first, query, limit or DEFAULT_PAGE_SIZE, token)

    def of(self, datastore_id: str) -> tuple[ImportJob, ...]:
        """Every job of the datastore, oldest first."""
        with self._lock:
            return tuple(job for job in self._by_id.values() if job.datastore_id == datastore_id)

    @staticmethod
    def _begin(job: ImportJob) -> None:
        job.progress = Progress(IN_PROGRESS)

    def _run(self, job: ImportJob, when: datetime) -> None:
        try:
            datastore = self._datastores.get(job.datastore_id)
            _Import(job, datastore, ObjectStore(self._account_id, self._region)).run()
        except (BucketUnavailable, ConflictException, ResourceNotFoundException) as error:
            job.progress = Progress(FAILED, when, messages.fitted(getattr(error, "message", str(error))))
        except Exception as error:  # a defect of the mock: the job fails as a service job would, never hangs
            job.progress = Progress(
                FAILED, when, messages.fitted(f"medimaging_mock internal error: {error!r}")
            )
        else:
            job.progress = Progress(COMPLETED, when)


class _Import:
    """One run of a job: read, build, place, report."""

    def __init__(self, job: ImportJob, datastore: Datastore, store: ObjectStore):
        self.job = job
        self.datastore = datastore
        self.store = store
        self.failures: list[dict[str, Any]] = []
        self.successes: list[dict[str, Any]] = []
        self.summaries: list[dict[str, Any]] = []

    def run(self) -> None:
        output_bucket, folder = split(self.job.output_s3_uri)
        self.store.check(output_bucket, "Output")
        input_bucket, prefix = split(self.job.input_s3_uri)
        keys = list(self.store.keys(input_bucket, prefix))
        built = [item for item in (self._build(input_bucket, key) for key in keys) if item is not None]
        with self.datastore.lock:  # from the check to the last image set: a deletion waits, or is refused
            self.datastore.require_active()
            for key, group in placement.groups(built).items():
                self._place(key, group)
        self._report(output_bucket, folder, len(keys))

    def _build(self, bucket: str, key: str) -> BuiltInstance | None:
        try:
            dataset, _ = ingestion.load(self.store.read(bucket, key), 0)
            return build_checked(dataset, key, self.datastore.lossless_storage_format)
        except InvalidDataset as error:
            self._fail(key, "ValidationException", error.reason)
        except ObjectUnavailable as error:  # gone since it was listed: the customer's doing, not the mock's
            self._fail(key, "ValidationException", str(error))
        except Exception as error:  # a defect of the mock: reported as the service reports its own errors
            self._fail(
                key, "InternalServerException", f"medimaging_mock could not import the file: {error!r}"
            )
        return None

    def _fail(self, key: str, kind: str, message: str) -> None:
        self.failures.append({"inputFile": key, "exception": {"exceptionType": kind, "message": message}})

    def _place(self, key: Key, files: list[BuiltInstance]) -> None:
        """One group into its image set; every file counts as imported, a SOP instance read twice too, as a
        re-import would."""
        placed = placement.place(self.datastore, key, files)
        image_set = placed.image_set
        self.summaries.append(
            {
                "imageSetId": image_set.image_set_id,
                "imageSetVersion": placed.version.number,
                "isPrimary": image_set.is_primary,
                "numberOfMatchedSOPInstances": placed.instances,
            }
        )
        response = {"imageSetId": image_set.image_set_id, "isPrimary": image_set.is_primary}
        self.successes.extend({"inputFile": item.source, "importResponse": response} for item in files)

    def _report(self, bucket: str, folder: str, scanned: int) -> None:
        base = f"s3://{bucket}/{folder}"
        server_errors = sum(
            f["exception"]["exceptionType"] == "InternalServerException" for f in self.failures
        )
        manifest = {
            "jobSummary": {
                "jobId": self.job.job_id,
                "datastoreId": self.job.datastore_id,
                "inputS3Uri": self.job.input_s3_uri,
                "outputS3Uri": base,
                "successOutputS3Uri": f"{base}SUCCESS/",
                "failureOutputS3Uri": f"{base}FAILURE/",
                "warningsOutputS3Uri": f"{base}WARNING/",
                "numberOfScannedFiles": scanned,
                "numberOfImportedFiles": len(self.successes),
                "numberOfFilesWithCustomerError": len(self.failures) - server_errors,
                "numberOfFilesWithServerError": server_errors,
                "numberOfGeneratedImageSets": len({s["imageSetId"] for s in self.summaries}),
                "imageSetsSummary": self.summaries,
            }
        }
        self.store.write(bucket, f"{folder}SUCCESS/success.ndjson", _ndjson(self.successes))
        self.store.write(bucket, f"{folder}FAILURE/failure.ndjson", _ndjson(self.failures))
        self.store.write(bucket, f"{folder}WARNING/warning.ndjson", b"")  # the mock finds nothing to warn of
        self.store.write(bucket, f"{folder}job-output-manifest.json", json.dumps(manifest).encode("utf-8"))


def _ndjson(lines: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(line) + "\n" for line in lines).encode("utf-8")


def _newest_first(job: ImportJob) -> cursors.Position:
    return (-job.submitted_at.timestamp(), job.job_id)
