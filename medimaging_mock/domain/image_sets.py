"""Image sets and their immutable versions, in one datastore: reads, delete, update, revert and copy.

Every change makes a new version. A version, once made, never changes: it is its number, its document and
whether it was forced. What does change, the status of each version (state, workflow status, message, time),
lives in the image set's `History`, a record that writers replace whole under the datastore's lock and that
readers take once, so a read never sees half of a change. The new document is decided when the call arrives;
the version stays LOCKED, in its in-flight status, until the work completes under the transitions in force
(the call that made it reports that status: see `Written`).
Every write to a LOCKED image set is a ConflictException.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, NamedTuple

from medimaging_mock.domain import arns, clock, cursors, messages, transitions
from medimaging_mock.domain.dicomweb.qido_index import QidoIndex
from medimaging_mock.domain.errors import ConflictException, ResourceNotFoundException, ValidationException
from medimaging_mock.domain.ids import new_id
from medimaging_mock.domain.metadata import copies, updates
from medimaging_mock.domain.metadata.document import Document
from medimaging_mock.domain.metadata.updates import Change, UpdateFailed
from medimaging_mock.domain.search import Query, SearchIndex
from medimaging_mock.domain.transitions import PendingWork

ACTIVE, LOCKED, DELETED = "ACTIVE", "LOCKED", "DELETED"
FREQUENT_ACCESS = "FREQUENT_ACCESS"
DEFAULT_PAGE_SIZE = 50
NOT_CONSISTENT_YET = "Requested ImageSet metadata is not consistent yet. Please retry after a few seconds."
STALE_VERSION = "Requested version(s) of ImageSet(s) is not the latest."
WRITING = frozenset({"UPDATING", "UPDATING_FOR_STUDY_CONSISTENCY", "COPYING"})
_MAX_VERSION_DIGITS = 18  # more digits than any image set has versions: not a version of it


@dataclass(frozen=True, slots=True, weakref_slot=True, eq=False)
class Version:
    number: int
    document: Document
    forced: bool = False

    @property
    def version_id(self) -> str:
        return str(self.number)


@dataclass(slots=True, eq=False)
class Status:
    """Where one version stands; replaced, never changed, when its work completes. Not a frozen dataclass,
    nor is History: every write makes both, and a frozen one costs five times as much to make; nothing
    assigns to their fields after they are made."""

    state: str
    workflow_status: str
    updated_at: datetime
    message: str | None = None


@dataclass(slots=True, eq=False)
class History:
    """An image set at one moment: every version with its status, oldest first.

    Successive histories share two append-only lists, and each reads only its own first `count` entries:
    a new version, or the latest version's new status, costs the same for the thousandth version as for
    the second (no copy of every version per change). Only the newest history of an image set is ever
    extended, under its datastore's lock; one a reader holds never changes."""

    _versions: list[Version]  # versions 1..count are this history's; later entries belong to later ones
    _earlier_statuses: list[Status]  # statuses of versions 1..count-1 are this history's
    count: int
    latest_status: Status
    deleted_at: datetime | None = None

    @staticmethod
    def first(version: Version, status: Status) -> History:
        return History([version], [], 1, status)

    @property
    def latest(self) -> Version:
        return self._versions[self.count - 1]

    @property
    def versions(self) -> tuple[Version, ...]:
        return tuple(self._versions[: self.count])

    def version(self, number: int) -> Version:
        """Version `number`, 1 to `count`."""
        return self._versions[number - 1]

    def status_of(self, version: Version) -> Status:
        if version.number == self.count:
            return self.latest_status
        return self._earlier_statuses[version.number - 1]

    def appended(self, version: Version, status: Status) -> History:
        versions, statuses = self._versions, self._earlier_statuses
        if len(versions) != self.count or len(statuses) != self.count - 1:  # extended already: branch off
            versions, statuses = versions[: self.count], statuses[: self.count - 1]
        versions.append(version)
        statuses.append(self.latest_status)
        return History(versions, statuses, self.count + 1, status, self.deleted_at)

    def with_status(self, version: Version, status: Status) -> History:
        if version.number == self.count:
            return History(self._versions, self._earlier_statuses, self.count, status, self.deleted_at)
        statuses = self._earlier_statuses[: self.count - 1]  # an earlier version's: rare, so copied
        statuses[version.number - 1] = status
        return History(self._versions, statuses, self.count, self.latest_status, self.deleted_at)

    def deleted(self, at: datetime) -> History:
        return History(self._versions, self._earlier_statuses, self.count, self.latest_status, at)


@dataclass(eq=False)
class ImageSet:
    image_set_id: str
    datastore_id: str
    arn: str
    created_at: datetime
    is_primary: bool
    history: History  # replaced whole under the datastore's lock; read it once per answer
    last_accessed_at: datetime | None = None
    storage_tier: str = FREQUENT_ACCESS

    @property
    def latest(self) -> Version:
        return self.history.latest

    @property
    def state(self) -> str:
        return self.history.latest_status.state

    def version(self, version_id: str | None, history: History | None = None) -> Version:
        """The version a client names (the latest when it names none), from `history` or the current one."""
        history = history or self.history
        if version_id is None:
            return history.latest
        number = _version_number(version_id)
        if number is None or not 1 <= number <= history.count:
            raise ResourceNotFoundException(
                f"Version {_shortened(version_id)} of ImageSet {self.image_set_id} does not exist"
            )
        return history.version(number)

    def versions_page(
        self, limit: int | None, token: str | None
    ) -> tuple[History, list[Version], str | None]:
        """Newest first, from one moment of the history."""
        history = self.history
        query = {"operation": "ListImageSetVersions", "imageSetId": self.image_set_id}
        page, next_token = cursors.page(
            history.versions[::-1], _newest_first, query, limit or DEFAULT_PAGE_SIZE, token
        )
        return history, page, next_token

    def properties(self, history: History, version: Version) -> dict[str, Any]:
        """The members GetImageSet and ListImageSetVersions share."""
        status = history.status_of(version)
        return {
            "imageSetId": self.image_set_id,
            "versionId": version.version_id,
            "imageSetState": status.state,
            "createdAt": self.created_at,
            "updatedAt": status.updated_at,
            "deletedAt": history.deleted_at,
            "message": status.message,
            "overrides": {"forced": True} if version.forced else None,
            "isPrimary": self.is_primary,
        }


class Written(NamedTuple):
    """An image set as the call that wrote it left it, work in flight: what that call reports, even when
    the work has completed by the time the call returns ("immediate" transitions)."""

    image_set: ImageSet
    history: History


def _version_number(version_id: str) -> int | None:
    """Version ids are decimal numbers as the service writes them: "7", never "07" or a thousand digits."""
    if not (version_id.isascii() and version_id.isdigit()) or len(version_id) > _MAX_VERSION_DIGITS:
        return None
    number = int(version_id)
    return number if str(number) == version_id else None


def _shortened(text: str) -> str:
    return text if len(text) <= 40 else text[:40] + "..."


class ImageSets:
    """The image sets of one datastore; `lock` (the datastore's lock) guards every change to them."""

    def __init__(self, region: str, account_id: str, datastore_id: str, pending: PendingWork):
        self._region = region
        self._account_id = account_id
        self._datastore_id = datastore_id
        self._pending = pending
        self.lock = threading.RLock()
        self._by_id: dict[str, ImageSet] = {}
        self.index = SearchIndex(datastore_id)  # SearchImageSets; both kept current by _changed
        self.qido = QidoIndex()  # DICOMweb QIDO-RS

    def create(
        self,
        document: Document,
        is_primary: bool,
        workflow_status: str = "CREATED",
        state: str = ACTIVE,
        forced: bool = False,
    ) -> ImageSet:
        image_set_id = new_id()
        now = clock.now()
        image_set = ImageSet(
            image_set_id=image_set_id,
            datastore_id=self._datastore_id,
            arn=arns.image_set_arn(self._region, self._account_id, self._datastore_id, image_set_id),
            created_at=now,
            is_primary=is_primary,
            history=History.first(Version(1, document, forced), Status(state, workflow_status, now)),
        )
        with self.lock:
            self._by_id[image_set_id] = image_set
            self._changed(image_set)
        return image_set

    def get(self, image_set_id: str) -> ImageSet:
        image_set = self._by_id.get(image_set_id)
        if image_set is None:
            raise ResourceNotFoundException(
                f"ImageSet {image_set_id} does not exist in datastore {self._datastore_id}"
            )
        return image_set

    def readable(
        self, image_set_id: str, version_id: str | None, consistent: bool = True
    ) -> tuple[ImageSet, Version]:
        """The version that may be read now: not deleted, and (when `consistent`) not still being written."""
        image_set = self.get(image_set_id)
        history = image_set.history
        if history.latest_status.state == DELETED:
            raise ResourceNotFoundException(f"ImageSet {image_set_id} is deleted")
        version = image_set.version(version_id, history)
        status = history.status_of(version)
        writing = status.state == LOCKED and status.workflow_status in WRITING
        if consistent and version is history.latest and writing:
            raise ConflictException(NOT_CONSISTENT_YET)
        image_set.last_accessed_at = clock.now()
        return image_set, version

    def search(
        self, criteria: dict[str, Any] | None, limit: int | None, token: str | None
    ) -> tuple[list[ImageSet], str | None]:
        query = Query.parse(criteria)
        identity = {
            "operation": "SearchImageSets",
            "datastoreId": self._datastore_id,
            "criteria": criteria or {},
        }
        found, next_token = self.index.search(query, limit, token, identity)
        return [self._by_id[image_set_id] for image_set_id in found], next_token

    def all(self) -> tuple[ImageSet, ...]:
        """Every image set, oldest first, deleted ones included (GetImageSet still answers for them)."""
        with self.lock:
            return tuple(self._by_id.values())

    def primary_for_series(self, series_uid: str) -> ImageSet | None:
        holders = (self._by_id[i] for i in self.index.holding_series(series_uid))
        return next((s for s in holders if s.is_primary and s.state != DELETED), None)

    def add_imported(self, image_set: ImageSet, document: Document) -> Version:
        """A new version made by an import into an existing primary image set."""
        with self.lock:
            version = Version(image_set.history.count + 1, document)
            image_set.history = image_set.history.appended(version, Status(ACTIVE, "IMPORTED", clock.now()))
            self._changed(image_set)
            return version

    def holds_any(self) -> bool:
        with self.lock:
            return any(image_set.state != DELETED for image_set in self._by_id.values())

    def writable(self, image_set_id: str) -> ImageSet:
        """The image set, once it may be changed: it exists, is not deleted and not LOCKED."""
        image_set = self.get(image_set_id)
        status = image_set.history.latest_status
        if status.state == DELETED:
            raise ResourceNotFoundException(f"ImageSet {image_set_id} is deleted")
        if status.state == LOCKED:
            raise ConflictException(
                f"ImageSet {image_set_id} is LOCKED ({status.workflow_status}); "
                "retry once the operation in progress completes"
            )
        return image_set

    def current(self, image_set_id: str, latest_version_id: str) -> ImageSet:
        """A writable image set whose latest version the caller names (the optimistic-concurrency check).
        Callers hold `lock` from this check until their new version is appended."""
        image_set = self.writable(image_set_id)
        if latest_version_id != str(image_set.history.count):  # the latest version's id
            raise ResourceNotFoundException(STALE_VERSION)
        return image_set

    def update(
        self,
        image_set_id: str,
        latest_version_id: str,
        removals: Change | None,
        changes: Change | None,
        force: bool,
        include_study: bool,
    ) -> Written:
        """Removals first, then updates; with `include_study`, every primary image set of the same study
        takes the Study-level part in the same step."""
        with self.lock:
            image_set = self.current(image_set_id, latest_version_id)
            plans = [(image_set, "UPDATING", removals, changes)]
            if include_study:
                study_removals = removals and removals.study_level_only()
                study_changes = changes and changes.study_level_only()
                plans += [
                    (sibling, "UPDATING_FOR_STUDY_CONSISTENCY", study_removals, study_changes)
                    for sibling in self._study_siblings(image_set)
                ]
            for target, _, target_removals, target_changes in plans:
                if target.is_primary:
                    updates.check_primary(target_removals, target_changes)
            outcomes, failure = [], None
            for target, in_flight, target_removals, target_changes in plans:
                current = document = target.latest.document
                try:
                    if target_removals is not None:
                        document = updates.apply_removals(document, target_removals)
                    if target_changes is not None:
                        document = updates.apply_updates(document, target_changes)
                except UpdateFailed as error:
                    failure = failure or str(error)
                outcomes.append((target, in_flight, current, document))
            now = clock.now()
            steps = [  # one step for the whole study: if any image set cannot take it, none does
                _new_version(target, current, in_flight, force, "UPDATE_FAILED", failure, now)
                if failure
                else _new_version(target, document, in_flight, force, "UPDATED", None, now)
                for target, in_flight, current, document in outcomes
            ]
            return self._write(steps, now)[0]

    def revert(
        self, image_set_id: str, latest_version_id: str, target_version_id: str, force: bool
    ) -> Written:
        with self.lock:
            image_set = self.current(image_set_id, latest_version_id)
            latest = image_set.latest
            number = _version_number(target_version_id)
            if number is None or not 1 <= number < latest.number:
                raise ValidationException(
                    f"revertToVersionId {_shortened(target_version_id)} must name a version older than the "
                    f"latest ({latest.version_id})"
                )
            document, now = image_set.version(target_version_id).document, clock.now()
            return self._write(
                [_new_version(image_set, document, "UPDATING", force, "UPDATED", None, now)], now
            )[0]

    def copy(
        self,
        source_id: str,
        source_version_id: str,
        copiable_attributes: str | None,
        destination: tuple[str, str] | None,
        force: bool,
        promote_to_primary: bool,
    ) -> tuple[Written, Written]:
        with self.lock:
            source = self.current(source_id, source_version_id)
            selected = copies.select(source.latest.document, copiable_attributes)
            now = clock.now()
            if destination is None:
                target = self.create(selected, promote_to_primary, "COPYING", LOCKED, forced=force)
                first = target.latest

                def copied_whole(history: History, when: datetime) -> History:
                    return history.with_status(first, Status(ACTIVE, "COPIED", when))

                copied = _Step(target, target.history, copied_whole)
            else:
                destination_id, destination_version_id = destination
                if destination_id == source_id:
                    raise ValidationException("The source and destination image sets must differ")
                if promote_to_primary:
                    raise ValidationException(
                        "promoteToPrimary copies into a new primary image set; give no destinationImageSet"
                    )
                target = self.current(destination_id, destination_version_id)
                current = target.latest.document
                copies.check_unique(current, selected)
                if force or copies.consistent(current, selected):
                    document, status, message = copies.merge(current, selected), "COPIED", None
                else:
                    document, status, message = current, "COPY_FAILED", copies.SERIES_MISMATCH
                copied = _new_version(target, document, "COPYING", force, status, message, now)
            history = source.history
            read_only, before = history.latest, history.latest_status
            reading = history.with_status(
                read_only, replace(before, state=LOCKED, workflow_status="COPYING_WITH_READ_ONLY_ACCESS")
            )

            def readable_again(history: History, when: datetime) -> History:
                return history.with_status(read_only, before)

            source_written, target_written = self._write(
                [_Step(source, reading, readable_again), copied], now
            )
            return source_written, target_written

    def delete(self, image_set_id: str) -> Written:
        """No new version: the latest one goes LOCKED / DELETING, then DELETED with deletedAt."""
        with self.lock:
            image_set = self.writable(image_set_id)
            history, now = image_set.history, clock.now()
            version = history.latest
            deleting = history.with_status(version, Status(LOCKED, "DELETING", now))

            def deleted(history: History, when: datetime) -> History:
                return history.with_status(version, Status(DELETED, "DELETED", when)).deleted(when)

            return self._write([_Step(image_set, deleting, deleted)], now)[0]

    def _study_siblings(self, image_set: ImageSet) -> list[ImageSet]:
        study = image_set.latest.document.study_instance_uid
        siblings = [
            other
            for other in self._by_id.values()
            if other is not image_set
            and other.is_primary
            and other.state != DELETED
            and other.latest.document.study_instance_uid == study
        ]
        locked = [other.image_set_id for other in siblings if other.state == LOCKED]
        if locked:
            raise ConflictException(
                f"ImageSets {locked} of the same study are LOCKED; retry once they are ACTIVE"
            )
        return siblings

    def _write(self, steps: list[_Step], now: datetime) -> list[Written]:
        """Make a call's changes, at `now`: each image set takes its in-flight history, which the call
        reports, and completes (all in one step) when the transitions complete the work. Under "immediate"
        transitions that is at once, and the in-flight histories are never stored: nobody could see them,
        as every call and every view settles what is due before it looks."""
        if transitions.completes_at_once():
            for image_set, in_flight, completed in steps:
                image_set.history = completed(in_flight, now)
                self._changed(image_set)
        else:
            for image_set, in_flight, _ in steps:
                image_set.history = in_flight
                self._changed(image_set)

            def complete(when: datetime) -> None:
                with self.lock:
                    for image_set, _, completed in steps:  # the history now: an import may have added to it
                        image_set.history = completed(image_set.history, when)
                        self._changed(image_set)

            self._pending.schedule(complete)
        return [Written(image_set, in_flight) for image_set, in_flight, _ in steps]

    def _changed(self, image_set: ImageSet) -> None:
        """Every write calls this once it has replaced the image set's history: the indexes re-read it at
        their next search (a deleted one leaves them)."""
        if image_set.history.deleted_at is None:
            self.index.put(image_set)
        else:
            self.index.remove(image_set.image_set_id)
        self.qido.changed(image_set)  # a deleted one leaves at the next search


class _Step(NamedTuple):
    """One image set's part in a write: its history while the work is in flight, and how a history of it
    completes the work at a given moment."""

    image_set: ImageSet
    in_flight: History
    completed: Callable[[History, datetime], History]


def _new_version(
    image_set: ImageSet,
    document: Document,
    in_flight: str,
    forced: bool,
    outcome: str,
    message: str | None,
    now: datetime,
) -> _Step:
    """A new latest version: LOCKED in workflow status `in_flight`, then ACTIVE in `outcome`."""
    version = Version(image_set.history.count + 1, document, forced)
    during = image_set.history.appended(version, Status(LOCKED, in_flight, now))

    def completed(history: History, when: datetime) -> History:
        return history.with_status(version, Status(ACTIVE, outcome, when, messages.fitted(message)))

    return _Step(image_set, during, completed)


def _newest_first(version: Version) -> cursors.Position:
    return (-version.number,)
