"""An image set's History: successive histories share their lists, yet one a reader holds never changes,
and a change costs the same however many versions came before."""

from __future__ import annotations

from datetime import UTC, datetime

from medimaging_mock.domain.image_sets import History, Status, Version
from medimaging_mock.domain.metadata.document import Document

AT = datetime(2026, 1, 1, tzinfo=UTC)


def version(number: int) -> Version:
    return Version(number, Document({}, {"StudyInstanceUID": f"1.{number}"}, {}))


def status(workflow: str) -> Status:
    return Status("ACTIVE", workflow, AT)


def seen(history: History) -> list[tuple[int, str]]:
    """What a reader sees: every version with its status."""
    return [(v.number, history.status_of(v).workflow_status) for v in history.versions]


def test_a_history_a_reader_holds_never_changes_as_later_ones_grow() -> None:
    first = History.first(version(1), status("CREATED"))
    second = first.appended(version(2), status("UPDATING"))
    completed = second.with_status(second.latest, status("UPDATED"))
    third = completed.appended(version(3), status("UPDATING"))

    assert seen(first) == [(1, "CREATED")]
    assert seen(second) == [(1, "CREATED"), (2, "UPDATING")]
    assert seen(completed) == [(1, "CREATED"), (2, "UPDATED")]
    assert seen(third) == [(1, "CREATED"), (2, "UPDATED"), (3, "UPDATING")]
    assert (second.count, completed.count, third.count) == (2, 2, 3)


def test_extending_a_history_that_was_extended_already_branches_off() -> None:
    base = History.first(version(1), status("CREATED")).appended(version(2), status("UPDATED"))
    one = base.appended(version(3), status("UPDATED"))
    other = base.appended(Version(3, version(9).document), status("COPIED"))

    assert one.latest.document.study_instance_uid == "1.3"
    assert other.latest.document.study_instance_uid == "1.9"
    assert seen(one) == [(1, "CREATED"), (2, "UPDATED"), (3, "UPDATED")]
    assert seen(other) == [(1, "CREATED"), (2, "UPDATED"), (3, "COPIED")]
    assert seen(base) == [(1, "CREATED"), (2, "UPDATED")]


def test_an_earlier_versions_status_changes_in_the_new_history_only() -> None:
    base = History.first(version(1), status("CREATED")).appended(version(2), status("UPDATED"))
    changed = base.with_status(version(1), status("COPYING_WITH_READ_ONLY_ACCESS"))

    assert seen(changed) == [(1, "COPYING_WITH_READ_ONLY_ACCESS"), (2, "UPDATED")]
    assert seen(base) == [(1, "CREATED"), (2, "UPDATED")]
    assert seen(changed.appended(version(3), status("UPDATING")))[0] == (1, "COPYING_WITH_READ_ONLY_ACCESS")


def test_deletion_keeps_every_version() -> None:
    history = History.first(version(1), status("CREATED")).appended(version(2), status("UPDATED"))
    deleted = history.with_status(history.latest, Status("DELETED", "DELETED", AT)).deleted(AT)

    assert deleted.deleted_at == AT and history.deleted_at is None
    assert seen(deleted) == [(1, "CREATED"), (2, "DELETED")]
