"""Image sets and their immutable versions, in one datastore.

Every change makes a new version; a version keeps its own workflow status, message and overrides.
Asynchronous work (delete, and later copy and update) leaves the image set LOCKED until it completes
under the transitions in force; every write to a LOCKED image set is a ConflictException.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from medimaging_mock.domain import arns, clock, cursors
from medimaging_mock.domain.errors import ConflictException, ResourceNotFoundException
from medimaging_mock.domain.ids import new_id
from medimaging_mock.domain.metadata.document import Document
from medimaging_mock.domain.transitions import PendingWork

ACTIVE, LOCKED, DELETED = "ACTIVE", "LOCKED", "DELETED"
FREQUENT_ACCESS = "FREQUENT_ACCESS"
DEFAULT_PAGE_SIZE = 50
NOT_CONSISTENT_YET = "Requested ImageSet metadata is not consistent yet. Please retry after a few seconds."


@dataclass(eq=False)
class Version:
    number: int
    document: Document
    state: str
    workflow_status: str
    updated_at: datetime
    message: str | None = None
    forced: bool = False
    compressed_document: bytes | None = field(default=None, repr=False)  # cache of GetImageSetMetadata

    @property
    def version_id(self) -> str:
        return str(self.number)


@dataclass(eq=False)
class ImageSet:
    image_set_id: str
    datastore_id: str
    arn: str
    created_at: datetime
    is_primary: bool
    versions: list[Version] = field(default_factory=list)
    deleted_at: datetime | None = None
    last_accessed_at: datetime | None = None
    storage_tier: str = FREQUENT_ACCESS

    @property
    def latest(self) -> Version:
        return self.versions[-1]

    @property
    def state(self) -> str:
        return self.latest.state

    def version(self, version_id: str | None) -> Version:
        if version_id is None:
            return self.latest
        number = int(version_id)
        if not 1 <= number <= len(self.versions):
            raise ResourceNotFoundException(
                f"Version {version_id} of ImageSet {self.image_set_id} does not exist"
            )
        return self.versions[number - 1]

    def properties(self, version: Version) -> dict[str, Any]:
        """The members GetImageSet and ListImageSetVersions share."""
        return {
            "imageSetId": self.image_set_id,
            "versionId": version.version_id,
            "imageSetState": version.state,
            "createdAt": self.created_at,
            "updatedAt": version.updated_at,
            "deletedAt": self.deleted_at,
            "message": version.message,
            "overrides": {"forced": True} if version.forced else None,
            "isPrimary": self.is_primary,
        }


class ImageSets:
    """The image sets of one datastore; `lock` guards every change to them."""

    def __init__(self, region: str, account_id: str, datastore_id: str, pending: PendingWork):
        self._region = region
        self._account_id = account_id
        self._datastore_id = datastore_id
        self._pending = pending
        self.lock = threading.RLock()
        self._by_id: dict[str, ImageSet] = {}

    def create(self, document: Document, is_primary: bool, workflow_status: str = "CREATED") -> ImageSet:
        image_set_id = new_id()
        now = clock.now()
        image_set = ImageSet(
            image_set_id=image_set_id,
            datastore_id=self._datastore_id,
            arn=arns.image_set_arn(self._region, self._account_id, self._datastore_id, image_set_id),
            created_at=now,
            is_primary=is_primary,
            versions=[Version(1, document, ACTIVE, workflow_status, now)],
        )
        with self.lock:
            self._by_id[image_set_id] = image_set
        return image_set

    def get(self, image_set_id: str) -> ImageSet:
        image_set = self._by_id.get(image_set_id)
        if image_set is None:
            raise ResourceNotFoundException(
                f"ImageSet {image_set_id} does not exist in datastore {self._datastore_id}"
            )
        return image_set

    def readable(self, image_set_id: str, version_id: str | None) -> tuple[ImageSet, Version]:
        """The version whose metadata may be read now: not deleted, and not still being written."""
        image_set = self.get(image_set_id)
        if image_set.state == DELETED:
            raise ResourceNotFoundException(f"ImageSet {image_set_id} is deleted")
        version = image_set.version(version_id)
        if version is image_set.latest and version.state == LOCKED and version.workflow_status != "DELETING":
            raise ConflictException(NOT_CONSISTENT_YET)
        image_set.last_accessed_at = clock.now()
        return image_set, version

    def holds_any(self) -> bool:
        return any(image_set.state != DELETED for image_set in self._by_id.values())

    def writable(self, image_set_id: str) -> ImageSet:
        """The image set, once it may be changed: it exists, is not deleted and not LOCKED."""
        image_set = self.get(image_set_id)
        if image_set.state == DELETED:
            raise ResourceNotFoundException(f"ImageSet {image_set_id} is deleted")
        if image_set.state == LOCKED:
            raise ConflictException(
                f"ImageSet {image_set_id} is LOCKED ({image_set.latest.workflow_status}); "
                "retry once the operation in progress completes"
            )
        return image_set

    def versions_page(
        self, image_set_id: str, limit: int | None, token: str | None
    ) -> tuple[list[tuple[ImageSet, Version]], str | None]:
        """Newest first."""
        image_set = self.get(image_set_id)
        newest_first = list(reversed(image_set.versions))
        query = {"operation": "ListImageSetVersions", "imageSetId": image_set_id}
        page, next_token = cursors.page(newest_first, _newest_first, query, limit or DEFAULT_PAGE_SIZE, token)
        return [(image_set, version) for version in page], next_token

    def delete(self, image_set_id: str) -> ImageSet:
        with self.lock:
            image_set = self.writable(image_set_id)
            version = image_set.latest
            version.state, version.workflow_status = LOCKED, "DELETING"
            version.updated_at = clock.now()

        def complete() -> None:
            with self.lock:
                now = clock.now()
                version.state, version.workflow_status, version.updated_at = DELETED, "DELETED", now
                image_set.deleted_at = now

        self._pending.schedule(complete)
        return image_set


def _newest_first(version: Version) -> cursors.Position:
    return (-version.number,)
