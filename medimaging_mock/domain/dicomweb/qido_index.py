"""QIDO-RS's index of one datastore: the views of its studies (study_views.py), the three orders the
searches page through, and lookups from identifying values to the studies that hold them.

A write only marks its image set stale; the index catches up at the next search and rebuilds the views of
the studies those image sets belong to (and belonged to). A burst of writes between two searches costs one
rebuild per study, and writes nobody searches after cost nothing here.
"""

from __future__ import annotations

import itertools
import threading
from bisect import bisect_left, insort
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from medimaging_mock.domain.dicomweb.study_views import Holding, InstanceView, SeriesView, StudyView, texts

if TYPE_CHECKING:
    from medimaging_mock.domain.image_sets import ImageSet

# Attributes whose exact values lead straight to the studies holding them (StudyInstanceUID is the key).
LOOKUP_KEYWORDS = ("PatientID", "AccessionNumber", "StudyID", "SeriesInstanceUID", "SOPInstanceUID")
_SMALL_BATCH = 64  # up to this many changes (or 1/64 of the keys) are bisected in; more re-sort once


class OrderedKeys:
    """Sorted, unique keys, changed in batches."""

    def __init__(self) -> None:
        self.keys: list[tuple[Any, ...]] = []

    def apply(self, removed: list[tuple[Any, ...]], added: list[tuple[Any, ...]]) -> None:
        keys = self.keys
        if len(removed) + len(added) <= max(_SMALL_BATCH, len(keys) // 64):
            for key in removed:
                del keys[bisect_left(keys, key)]
            for key in added:
                insort(keys, key)
            return
        if removed:
            gone = set(removed)
            keys = [key for key in keys if key not in gone]
        keys.extend(added)
        keys.sort()  # mostly sorted already: timsort merges the runs
        self.keys = keys


class Postings:
    """Value -> the study UIDs holding it. Most values belong to one study: held as a plain string."""

    def __init__(self) -> None:
        self._by_value: dict[str, str | set[str]] = {}

    def get(self, value: str) -> set[str]:
        found = self._by_value.get(value)
        if found is None:
            return set()
        return {found} if isinstance(found, str) else set(found)

    def add(self, value: str, study_uid: str) -> None:
        found = self._by_value.get(value)
        if found is None:
            self._by_value[value] = study_uid
        elif isinstance(found, str):
            if found != study_uid:
                self._by_value[value] = {found, study_uid}
        else:
            found.add(study_uid)

    def remove(self, value: str, study_uid: str) -> None:
        found = self._by_value.get(value)
        if found == study_uid:
            del self._by_value[value]
        elif isinstance(found, set):
            found.discard(study_uid)
            if len(found) == 1:
                self._by_value[value] = found.pop()


def _lookup_values(view: StudyView) -> Iterator[tuple[str, str]]:
    for keyword in ("PatientID", "AccessionNumber", "StudyID"):
        for value in texts(view.value(keyword)):
            yield keyword, value
    for series in view.series.values():
        yield "SeriesInstanceUID", series.uid
        for sop_uid in series.instances:
            yield "SOPInstanceUID", sop_uid


class QidoIndex:
    """The studies of one datastore's primary, not deleted image sets, as QIDO-RS searches them. Read
    inside `reading()`, which brings it up to date first and keeps writers' catch-up out meanwhile."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stale: dict[str, tuple[ImageSet, int]] = {}  # with the number of its latest change
        self._changes = itertools.count()
        self._holdings: dict[str, Holding] = {}  # image set id -> what its study's view read of it
        self._holdings_by_study: dict[str, dict[str, Holding]] = {}
        self._studies: dict[str, StudyView] = {}
        self._lookups = {keyword: Postings() for keyword in LOOKUP_KEYWORDS}
        self.studies_by_update = OrderedKeys()  # StudyView.order_key
        self.all_series = OrderedKeys()  # SeriesView.order_key
        self.all_instances = OrderedKeys()  # InstanceView.order_key

    def changed(self, image_set: ImageSet) -> None:
        """An image set was created, changed or deleted: re-read at the next search."""
        with self._lock:
            self._stale[image_set.image_set_id] = (image_set, next(self._changes))

    @contextmanager
    def reading(self) -> Iterator[QidoIndex]:
        with self._lock:
            self._catch_up()
            yield self

    def study(self, study_uid: str) -> StudyView | None:
        return self._studies.get(study_uid)

    def series(self, study_uid: str, series_uid: str) -> SeriesView | None:
        study = self._studies.get(study_uid)
        return None if study is None else study.series.get(series_uid)

    def instance(self, study_uid: str, series_uid: str, sop_uid: str) -> InstanceView | None:
        series = self.series(study_uid, series_uid)
        return None if series is None else series.instances.get(sop_uid)

    def studies_holding(self, keyword: str, values: frozenset[str]) -> set[str]:
        """The UIDs of the studies holding any of `values` as `keyword` (StudyInstanceUID or a
        LOOKUP_KEYWORDS attribute)."""
        if keyword == "StudyInstanceUID":
            return {value for value in values if value in self._studies}
        postings = self._lookups[keyword]
        return set().union(*(postings.get(value) for value in values))

    def _catch_up(self) -> None:
        """Re-read every stale image set and rebuild the views of the studies they touch; callers hold the
        lock."""
        if not self._stale:
            return
        touched: set[str] = set()
        for image_set_id, (image_set, change) in self._stale.items():
            holding, before = Holding.of(image_set, change), self._holdings.get(image_set_id)
            if holding == before:  # a status change that moved nothing QIDO shows
                continue
            if before is not None:
                del self._holdings_by_study[before.study_uid][image_set_id]
                del self._holdings[image_set_id]
                touched.add(before.study_uid)
            if holding is not None:
                self._holdings[image_set_id] = holding
                self._holdings_by_study.setdefault(holding.study_uid, {})[image_set_id] = holding
                touched.add(holding.study_uid)
        self._stale.clear()
        removed: dict[str, list[tuple[Any, ...]]] = {"studies": [], "series": [], "instances": []}
        added: dict[str, list[tuple[Any, ...]]] = {"studies": [], "series": [], "instances": []}
        for study_uid in touched:
            old = self._studies.pop(study_uid, None)
            if old is not None:
                self._account(old, removed, self._unlook)
            holdings = self._holdings_by_study.get(study_uid)
            if holdings:
                new = self._studies[study_uid] = StudyView.of(study_uid, holdings.values())
                self._account(new, added, self._look)
            else:
                self._holdings_by_study.pop(study_uid, None)
        self.studies_by_update.apply(removed["studies"], added["studies"])
        self.all_series.apply(removed["series"], added["series"])
        self.all_instances.apply(removed["instances"], added["instances"])

    def _account(
        self, view: StudyView, keys: dict[str, list[tuple[Any, ...]]], post: Callable[[str, str, str], None]
    ) -> None:
        """Collect the view's order keys into `keys` and `post` its lookup values."""
        keys["studies"].append(view.order_key())
        for series in view.series.values():
            keys["series"].append(series.order_key())
            keys["instances"].extend(instance.order_key() for instance in series.instances.values())
        for keyword, value in _lookup_values(view):
            post(keyword, value, view.uid)

    def _look(self, keyword: str, value: str, study_uid: str) -> None:
        self._lookups[keyword].add(value, study_uid)

    def _unlook(self, keyword: str, value: str, study_uid: str) -> None:
        self._lookups[keyword].remove(value, study_uid)
