"""Datastores: creation with client-token idempotency, reads, listing and deletion."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from medimaging_mock.domain import arns, clock, cursors
from medimaging_mock.domain.errors import ConflictException, ResourceNotFoundException
from medimaging_mock.domain.frames import FrameStore
from medimaging_mock.domain.ids import new_id
from medimaging_mock.domain.image_sets import ImageSets
from medimaging_mock.domain.transitions import PendingWork

CREATING, ACTIVE, DELETING = "CREATING", "ACTIVE", "DELETING"
DEFAULT_STORAGE_FORMAT = "HTJ2K"
DEFAULT_PAGE_SIZE = 50


@dataclass(frozen=True)
class Lifecycle:
    """Where a datastore stands; replaced whole, so a reader never sees a status with another's time."""

    status: str
    updated_at: datetime


@dataclass(eq=False)
class Datastore:
    datastore_id: str
    arn: str
    name: str | None
    lifecycle: Lifecycle
    created_at: datetime
    kms_key_arn: str | None
    lambda_authorizer_arn: str | None
    lossless_storage_format: str
    image_sets: ImageSets
    frames: FrameStore = field(default_factory=FrameStore, repr=False)

    @property
    def lock(self) -> threading.RLock:
        """One lock per datastore: its status and its image sets change under it."""
        return self.image_sets.lock

    @property
    def status(self) -> str:
        return self.lifecycle.status

    def require_active(self) -> None:
        """Writes into the datastore need it ACTIVE: check under its lock, and keep the lock for the write."""
        if self.status != ACTIVE:
            raise ConflictException(f"Datastore {self.datastore_id} is {self.status}, not ACTIVE")

    def summary(self) -> dict[str, Any]:
        lifecycle = self.lifecycle
        return {
            "datastoreId": self.datastore_id,
            "datastoreName": self.name,
            "datastoreStatus": lifecycle.status,
            "datastoreArn": self.arn,
            "createdAt": self.created_at,
            "updatedAt": lifecycle.updated_at,
        }

    def properties(self) -> dict[str, Any]:
        return {
            **self.summary(),
            "kmsKeyArn": self.kms_key_arn,
            "lambdaAuthorizerArn": self.lambda_authorizer_arn,
            "losslessStorageFormat": self.lossless_storage_format,
        }


@dataclass(frozen=True)
class _Request:
    """What a client token promises: the same parameters again return the same datastore."""

    name: str | None
    tags: tuple[tuple[str, str], ...]
    kms_key_arn: str | None
    lambda_authorizer_arn: str | None
    lossless_storage_format: str | None


class Datastores:
    """The datastores of one account and region."""

    def __init__(self, region: str, account_id: str, pending: PendingWork):
        self._region = region
        self._account_id = account_id
        self._pending = pending
        self._lock = threading.RLock()
        self._by_id: dict[str, Datastore] = {}
        self._by_token: dict[str, tuple[_Request, str]] = {}

    def create(
        self,
        client_token: str,
        name: str | None,
        tags: dict[str, str] | None,
        kms_key_arn: str | None,
        lambda_authorizer_arn: str | None,
        lossless_storage_format: str | None,
    ) -> tuple[Datastore, bool]:
        """The datastore, and whether this call created it (False: the client token's earlier answer)."""
        request = _Request(
            name,
            tuple(sorted((tags or {}).items())),
            kms_key_arn,
            lambda_authorizer_arn,
            lossless_storage_format,
        )
        with self._lock:
            if client_token in self._by_token:
                earlier, datastore_id = self._by_token[client_token]
                if earlier != request:
                    raise ConflictException(
                        f"clientToken '{client_token}' was already used with different parameters"
                    )
                if datastore_id in self._by_id:
                    return self._by_id[datastore_id], False
            datastore_id = new_id()
            created = clock.now()
            datastore = Datastore(
                datastore_id=datastore_id,
                arn=arns.datastore_arn(self._region, self._account_id, datastore_id),
                name=name,
                lifecycle=Lifecycle(CREATING, created),
                created_at=created,
                kms_key_arn=kms_key_arn,
                lambda_authorizer_arn=lambda_authorizer_arn,
                lossless_storage_format=lossless_storage_format or DEFAULT_STORAGE_FORMAT,
                image_sets=ImageSets(self._region, self._account_id, datastore_id, self._pending),
            )
            self._by_id[datastore_id] = datastore
            self._by_token[client_token] = (request, datastore_id)
        self._pending.schedule(lambda when: self._change_status(datastore, ACTIVE, when))
        return datastore, True

    def _change_status(self, datastore: Datastore, status: str, when: datetime) -> None:
        with datastore.lock:
            datastore.lifecycle = Lifecycle(status, when)

    def get(self, datastore_id: str) -> Datastore:
        datastore = self._by_id.get(datastore_id)
        if datastore is None:
            raise ResourceNotFoundException(f"Datastore {datastore_id} does not exist")
        return datastore

    def list(
        self, status: str | None, limit: int | None, token: str | None
    ) -> tuple[list[Datastore], str | None]:
        """Oldest first, so new datastores never shift the pages already read."""
        with self._lock:
            chosen = [d for d in self._by_id.values() if status is None or d.status == status]
        chosen.sort(key=_position)
        query = {"operation": "ListDatastores", "datastoreStatus": status}
        return cursors.page(chosen, _position, query, limit or DEFAULT_PAGE_SIZE, token)

    def all(self) -> tuple[Datastore, ...]:
        """Every datastore, oldest first (DELETING ones until they go)."""
        with self._lock:
            return tuple(self._by_id.values())

    def active(self, datastore_id: str) -> Datastore:
        """The datastore, while it is ACTIVE: hold its lock across this check and the write it allows."""
        datastore = self.get(datastore_id)
        datastore.require_active()
        return datastore

    def delete(self, datastore_id: str, on_removed: Callable[[Datastore], None]) -> Datastore:
        with self._lock:
            datastore = self.get(datastore_id)
            with datastore.lock:
                if datastore.status != ACTIVE:
                    raise ConflictException(
                        f"Datastore {datastore_id} is {datastore.status}; "
                        "only an ACTIVE datastore can be deleted"
                    )
                if datastore.image_sets.holds_any():
                    raise ConflictException(
                        f"Datastore {datastore_id} still holds image sets; delete them before the datastore"
                    )
                self._change_status(datastore, DELETING, clock.now())

        def remove(_: datetime) -> None:
            with self._lock:
                self._by_id.pop(datastore_id, None)
            on_removed(datastore)

        self._pending.schedule(remove)
        return datastore


def _position(datastore: Datastore) -> cursors.Position:
    return (datastore.created_at.timestamp(), datastore.datastore_id)
