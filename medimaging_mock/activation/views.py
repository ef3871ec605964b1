"""What `mi.backend()` gives: the state of one account and region as immutable snapshots, for assertions.

A view is taken when `mi.backend()` is called (each datastore at one moment, under its lock) and never
changes after: a later call through boto3 shows in the next `mi.backend()`, not in a view taken before it.
Nothing here can change the mock's state (the domain objects stay behind this module), so a test cannot
make the mock disagree with itself.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from medimaging_mock.domain.backend import ImagingBackend
    from medimaging_mock.domain.datastores import Datastore
    from medimaging_mock.domain.image_sets import History, ImageSet
    from medimaging_mock.domain.imports import ImportJob
    from medimaging_mock.domain.metadata.document import Document


@dataclass(frozen=True)
class ImportJobView:
    job_id: str
    status: str  # SUBMITTED, IN_PROGRESS, COMPLETED or FAILED
    message: str | None  # why it failed


@dataclass(frozen=True)
class ImageSetView:
    image_set_id: str
    datastore_id: str
    arn: str
    state: str  # ACTIVE, LOCKED or DELETED
    workflow_status: str  # CREATED, UPDATED, COPYING, ...
    version_count: int
    latest_version_id: str
    is_primary: bool
    frame_ids: tuple[str, ...]  # of the latest version, in document order (series, instance, frame)
    tags: Mapping[str, str]
    _document: Document = field(repr=False, compare=False)  # immutable: the snapshot stays true

    @property
    def metadata(self) -> dict[str, Any]:
        """The latest version's metadata document as GetImageSetMetadata returns it, decompressed: a new
        dict at every read, yours to change."""
        document = self._document.to_json(self.datastore_id, self.image_set_id)
        parsed: dict[str, Any] = json.loads(json.dumps(document))  # shares nothing with the mock
        return parsed


@dataclass(frozen=True)
class DatastoreView:
    datastore_id: str
    name: str | None
    status: str  # CREATING, ACTIVE or DELETING
    arn: str
    properties: Mapping[str, Any]  # what GetDatastore returns as datastoreProperties
    tags: Mapping[str, str]
    image_sets: Mapping[str, ImageSetView]  # by id, oldest first, deleted ones included
    import_jobs: Mapping[str, ImportJobView]  # by id, oldest first


@dataclass(frozen=True)
class BackendView:
    account_id: str
    region: str
    datastores: Mapping[str, DatastoreView]  # by id, oldest first


def snapshot(backend: ImagingBackend) -> BackendView:
    datastores = {d.datastore_id: _datastore(backend, d) for d in backend.datastores.all()}
    return BackendView(backend.account_id, backend.region, MappingProxyType(datastores))


def _datastore(backend: ImagingBackend, datastore: Datastore) -> DatastoreView:
    with datastore.lock:  # one moment of the datastore: a study-wide update changes its image sets together
        properties = {key: value for key, value in datastore.properties().items() if value is not None}
        histories = [(image_set, image_set.history) for image_set in datastore.image_sets.all()]
    image_sets = {image_set.image_set_id: _image_set(backend, image_set, h) for image_set, h in histories}
    jobs = {job.job_id: _import_job(job) for job in backend.imports.of(datastore.datastore_id)}
    return DatastoreView(
        datastore_id=datastore.datastore_id,
        name=datastore.name,
        status=properties["datastoreStatus"],
        arn=datastore.arn,
        properties=MappingProxyType(properties),
        tags=MappingProxyType(backend.tags.of(datastore.arn)),
        image_sets=MappingProxyType(image_sets),
        import_jobs=MappingProxyType(jobs),
    )


def _image_set(backend: ImagingBackend, image_set: ImageSet, history: History) -> ImageSetView:
    latest, status = history.latest, history.latest_status
    return ImageSetView(
        image_set_id=image_set.image_set_id,
        datastore_id=image_set.datastore_id,
        arn=image_set.arn,
        state=status.state,
        workflow_status=status.workflow_status,
        version_count=history.count,
        latest_version_id=latest.version_id,
        is_primary=image_set.is_primary,
        frame_ids=tuple(
            frame.frame_id for _, _, instance in latest.document.instances() for frame in instance.frames
        ),
        tags=MappingProxyType(backend.tags.of(image_set.arn)),
        _document=latest.document,
    )


def _import_job(job: ImportJob) -> ImportJobView:
    progress = job.progress  # replaced whole: read once
    return ImportJobView(job.job_id, progress.status, progress.message)
