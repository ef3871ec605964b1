"""SearchImageSets: criteria checked as the service checks them, per-datastore indexes kept current by
every write, and cursors, so that page N costs what page 1 costs.

Every filter becomes either a lookup in a hash index (EQUAL on an identifier or isPrimary) or a range of an
ordered index (createdAt, updatedAt, DICOMStudyDateAndTime; EQUAL on those is a one-point range). Results
come in the order of one ordered index, read from the cursor's position onward.
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import TYPE_CHECKING, Any, NamedTuple

from medimaging_mock.domain import cursors
from medimaging_mock.domain.errors import ValidationException

if TYPE_CHECKING:
    from medimaging_mock.domain.image_sets import ImageSet
    from medimaging_mock.domain.metadata.document import Document

HASHED: tuple[str, ...] = ("DICOMPatientId", "DICOMAccessionNumber", "DICOMStudyId", "DICOMStudyInstanceUID")
HASHED += ("DICOMSeriesInstanceUID", "isPrimary")
ORDERED = ("updatedAt", "createdAt", "DICOMStudyDateAndTime")
DEFAULT_SORT = ("updatedAt", "DESC")
DEFAULT_PAGE_SIZE = 50
_NOTHING: frozenset[str] = frozenset()
SMALL_CANDIDATE_SET = 2048  # below this, sorting the candidates beats walking an ordered index
ALLOWED = (
    "SearchImageSets accepts one filter (EQUAL on any attribute, or BETWEEN on createdAt, updatedAt or "
    "DICOMStudyDateAndTime), or two: BETWEEN on updatedAt with EQUAL on DICOMSeriesInstanceUID"
)
_DATE = re.compile(r"\d{8}")
_QUERY_TIME = re.compile(r"([01]\d|2[0-3])([0-5]\d)([0-5]\d)(?:\.(\d{1,6}))?")
_STORED_TIME = re.compile(
    r"([01]\d|2[0-3])(?:([0-5]\d)(?:([0-5]\d)(?:\.(\d{1,6}))?)?)?"
)  # DICOM TM: HH[MM[SS[.F]]]


class Filter(NamedTuple):  # a named tuple: made per search, and a tenth of a frozen dataclass to make
    attribute: str
    low: Any  # EQUAL on a hashed attribute: the value; otherwise the inclusive range [low, high]
    high: Any
    between: bool = False


class Query(NamedTuple):
    filters: tuple[Filter, ...]
    sort_field: str
    descending: bool

    @classmethod
    def parse(cls, criteria: dict[str, Any] | None) -> Query:
        criteria = criteria or {}
        raw_filters = enumerate(criteria.get("filters", []), 1)
        filters = tuple(_parse_filter(raw, f"searchCriteria.filters.{n}") for n, raw in raw_filters)
        if len(filters) == 2 and not _the_allowed_pair(filters):
            raise ValidationException(ALLOWED)
        sort = criteria.get("sort") or {"sortField": DEFAULT_SORT[0], "sortOrder": DEFAULT_SORT[1]}
        return cls(filters, sort["sortField"], sort["sortOrder"] == "DESC")


def _the_allowed_pair(filters: tuple[Filter, ...]) -> bool:
    """BETWEEN on updatedAt with EQUAL on DICOMSeriesInstanceUID (the service's documented pair)."""
    by_attribute = {f.attribute: f for f in filters}
    return set(by_attribute) == {"updatedAt", "DICOMSeriesInstanceUID"} and by_attribute["updatedAt"].between


def _parse_filter(raw: dict[str, Any], path: str) -> Filter:
    operator, values = raw["operator"], raw["values"]
    attributes = {attribute for value in values for attribute in value}
    if len(attributes) != 1:
        raise ValidationException(f"{path}.values must all name the same attribute, not {sorted(attributes)}")
    attribute = attributes.pop()
    decoded = [_value(attribute, value[attribute], path) for value in values]
    if operator == "EQUAL":
        if len(values) != 1:
            raise ValidationException(f"{path}: EQUAL takes exactly one value, not {len(values)}")
        if attribute in HASHED:
            return Filter(attribute, decoded[0], decoded[0])
        low, high = decoded[0]
        return Filter(attribute, low, high)
    if attribute not in ORDERED:
        raise ValidationException(
            f"{path}: BETWEEN works on {', '.join(ORDERED)}, not {attribute}. {ALLOWED}"
        )
    if len(values) != 2:
        raise ValidationException(
            f"{path}: BETWEEN takes two values (lower and upper bound), not {len(values)}"
        )
    return Filter(attribute, decoded[0][0], decoded[1][0], between=True)


def _value(attribute: str, value: Any, path: str) -> Any:
    """Hashed attributes: the value. Ordered ones: the (low, high) range an EQUAL on it means."""
    if attribute in ("createdAt", "updatedAt"):
        return (value.timestamp(), value.timestamp())
    if attribute == "DICOMStudyDateAndTime":
        date, time = value.get("DICOMStudyDate", ""), value.get("DICOMStudyTime")
        if not _DATE.fullmatch(date) or not _valid_date(date):
            raise ValidationException(f"{path}: DICOMStudyDate must be a date as yyyyMMdd, not {date!r}")
        if time is None:
            return (date + "000000.000000", date + "235959.999999")
        key = study_moment(date, time) if _QUERY_TIME.fullmatch(time) else None
        if key is None:
            raise ValidationException(
                f"{path}: DICOMStudyTime must be HHmmss with an optional fraction, not {time!r}"
            )
        return (key, key)
    return value


def _valid_date(date: str) -> bool:
    try:
        datetime.strptime(date, "%Y%m%d")
    except ValueError:
        return False
    return True


def study_moment(date: str | None, time: str | None) -> str | None:
    """A sortable key for StudyDate + StudyTime: yyyyMMddHHmmss.ffffff (start of day without a time)."""
    if not isinstance(date, str) or not _DATE.fullmatch(date):
        return None
    found = _STORED_TIME.fullmatch(time if isinstance(time, str) else "00")
    if found is None:
        return None
    hours, minutes, seconds, fraction = found.groups()
    return f"{date}{hours}{minutes or '00'}{seconds or '00'}.{(fraction or '').ljust(6, '0')}"


@dataclass(frozen=True)
class Entry:
    """What the indexes hold of one image set, and the document it was read from."""

    image_set_id: str
    document: Document
    hashed: dict[str, tuple[Any, ...]]
    ordered: dict[str, float | str]

    @classmethod
    def of(cls, image_set: ImageSet, before: Entry | None) -> Entry:
        """A status change (an update completing) keeps the document: its keys are not read again, and
        `before` itself comes back when nothing moved."""
        history = image_set.history
        document = history.latest.document
        updated = history.latest_status.updated_at.timestamp()
        if before is not None and before.document is document:
            if before.ordered["updatedAt"] == updated:
                return before
            return cls(
                image_set.image_set_id, document, before.hashed, {**before.ordered, "updatedAt": updated}
            )
        study, patient = document.study, document.patient
        hashed = {
            "DICOMPatientId": _keys(patient.get("PatientID")),
            "DICOMAccessionNumber": _keys(study.get("AccessionNumber")),
            "DICOMStudyId": _keys(study.get("StudyID")),
            "DICOMStudyInstanceUID": _keys(study.get("StudyInstanceUID")),
            "DICOMSeriesInstanceUID": tuple(document.series),
            "isPrimary": (image_set.is_primary,),
        }
        # no study date: first in ASC, last in DESC
        moment = study_moment(study.get("StudyDate"), study.get("StudyTime")) or ""
        return cls(
            image_set.image_set_id,
            document,
            hashed,
            {
                "updatedAt": updated,
                "createdAt": image_set.created_at.timestamp(),
                "DICOMStudyDateAndTime": moment,
            },
        )


def _keys(value: Any) -> tuple[str, ...]:
    """The strings an EQUAL finds an attribute by; each value of one that `force` made multi-valued."""
    if isinstance(value, str):  # the usual case, without a walk
        return (value,)
    values = value if isinstance(value, list) else [value]
    return tuple(item for item in values if isinstance(item, str))


class SearchIndex:
    """The indexes of one datastore's live (not deleted) image sets.

    A write only marks its image set stale; the indexes catch up at the next read. An update and its
    completion, or a burst of writes between two searches, re-key an image set once, and writes nobody
    searches after cost nothing here."""

    def __init__(self, datastore_id: str):
        self._datastore_id = datastore_id
        self._lock = threading.Lock()
        self._stale: dict[str, ImageSet] = {}
        self._entries: dict[str, Entry] = {}
        self._hashed: dict[str, dict[Any, set[str]]] = {attribute: {} for attribute in HASHED}
        self._ordered: dict[str, list[tuple[Any, str]]] = {field: [] for field in ORDERED}

    def put(self, image_set: ImageSet) -> None:
        with self._lock:
            self._stale[image_set.image_set_id] = image_set

    def holding_series(self, series_uid: str) -> set[str]:
        with self._lock:
            self._catch_up()
            return set(self._hashed["DICOMSeriesInstanceUID"].get(series_uid, ()))

    def remove(self, image_set_id: str) -> None:
        with self._lock:
            self._stale.pop(image_set_id, None)
            self._drop(image_set_id)

    def _catch_up(self) -> None:
        """Re-key every stale image set from its history now; callers hold the lock."""
        if self._stale:
            for image_set in self._stale.values():
                self._refresh(image_set)
            self._stale.clear()

    def _refresh(self, image_set: ImageSet) -> None:
        """Only the keys that changed move (a completed update changes updatedAt alone)."""
        image_set_id = image_set.image_set_id
        old = self._entries.get(image_set_id)
        entry = Entry.of(image_set, old)
        if entry is old:
            return
        self._entries[image_set_id] = entry
        for attribute, values in entry.hashed.items():
            before = old.hashed[attribute] if old else ()
            if values != before:
                self._unhash(attribute, before, image_set_id)
                for value in values:
                    self._hashed[attribute].setdefault(value, set()).add(image_set_id)
        for field, key in entry.ordered.items():
            if old is None or old.ordered[field] != key:
                ordered = self._ordered[field]
                if old is not None:
                    del ordered[bisect_left(ordered, (old.ordered[field], image_set_id))]
                insort(ordered, (key, image_set_id))

    def _drop(self, image_set_id: str) -> None:
        entry = self._entries.pop(image_set_id, None)
        if entry is None:
            return
        for attribute, values in entry.hashed.items():
            self._unhash(attribute, values, image_set_id)
        for field, key in entry.ordered.items():
            ordered = self._ordered[field]
            del ordered[bisect_left(ordered, (key, image_set_id))]

    def _unhash(self, attribute: str, values: tuple[Any, ...], image_set_id: str) -> None:
        for value in values:
            holders = self._hashed[attribute][value]
            holders.discard(image_set_id)
            if not holders:
                del self._hashed[attribute][value]

    def search(
        self, query: Query, limit: int | None, token: str | None, identity: dict[str, Any]
    ) -> tuple[list[str], str | None]:
        """Image set ids of one page, and the token of the next page (None on the last)."""
        limit = limit or DEFAULT_PAGE_SIZE
        after = cursors.decode(token, identity) if token else None
        field = query.sort_field
        with self._lock:
            self._catch_up()
            ordered = self._ordered[field]
            bounds = None  # the (low, high) keys a filter puts on the sort field itself
            candidates: AbstractSet[str] | None = None
            for f in query.filters:
                if f.attribute == field:
                    bounds = (f.low, f.high)
                    continue
                if f.attribute in HASHED:
                    found = self._hashed[f.attribute].get(f.low, _NOTHING)
                else:
                    found = {i for _, i in _range(self._ordered[f.attribute], (f.low, f.high))}
                candidates = found if candidates is None else candidates & found
            if candidates is not None and len(candidates) <= SMALL_CANDIDATE_SET:
                keyed = ((self._entries[i].ordered[field], i) for i in candidates)
                window = sorted(pair for pair in keyed if bounds is None or bounds[0] <= pair[0] <= bounds[1])
                rows = _from_cursor(window, 0, len(window), after, query.descending)
            else:
                low, high = (0, len(ordered)) if bounds is None else _range_indexes(ordered, bounds)
                walk = _from_cursor(ordered, low, high, after, query.descending)
                rows = (pair for pair in walk if candidates is None or pair[1] in candidates)
            page = list(islice(rows, limit + 1))
        more = len(page) > limit
        page = page[:limit]
        next_token = cursors.encode(page[-1], identity) if more else None
        return [image_set_id for _, image_set_id in page], next_token


def _key(pair: tuple[Any, str]) -> Any:
    return pair[0]


def _range_indexes(ordered: list[tuple[Any, str]], bounds: tuple[Any, Any]) -> tuple[int, int]:
    return bisect_left(ordered, bounds[0], key=_key), bisect_right(ordered, bounds[1], key=_key)


def _range(ordered: list[tuple[Any, str]], bounds: tuple[Any, Any]) -> list[tuple[Any, str]]:
    low, high = _range_indexes(ordered, bounds)
    return ordered[low:high]


def _from_cursor(
    ordered: list[tuple[Any, str]], low: int, high: int, after: tuple[Any, ...] | None, descending: bool
) -> Iterator[tuple[Any, str]]:
    """The pairs of ordered[low:high] in the query's direction, after the cursor's position."""
    if descending:
        end = high if after is None else min(high, bisect_left(ordered, tuple(after), lo=low, hi=high))
        for index in range(end - 1, low - 1, -1):
            yield ordered[index]
    else:
        start = low if after is None else max(low, bisect_right(ordered, tuple(after), lo=low, hi=high))
        for index in range(start, high):
            yield ordered[index]
