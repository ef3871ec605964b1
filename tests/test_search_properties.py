"""SearchImageSets against a brute-force scan: random datastores, random queries, random page sizes.

The oracle below is written from the behaviour (reference §10 and the issue), not from the mock's code:
filter the live image sets, sort by (key, imageSetId) in the query's direction, and expect the pages to
concatenate to exactly that list. A study without a StudyDate sorts first ascending and last descending; a
study without a StudyTime is at the start of its day."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
from dicom_factory import make_dataset
from freezegun import freeze_time
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from model_features import needs_millisecond_timestamps
from pydicom.uid import generate_uid

from medimaging_mock import mock_medical_imaging

T0 = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
PATIENTS = ["A", "B", "C"]
DATES = ["20260101", "20260102", "20260103"]
TIMES = ["000000", "030405", "030405.5", "120000", "235959.999999"]
SERIES_POOL = ["1.2.826.0.1.3680043.8.498.11", "1.2.826.0.1.3680043.8.498.12", "1.2.826.0.1.3680043.8.498.13"]
TICKS_MS = [0, 1, 1000]  # 0: the same timestamp as the image set before (ties)
SORT_FIELDS = ["updatedAt", "createdAt", "DICOMStudyDateAndTime"]
SORTS = [None, *((field, order) for field in SORT_FIELDS for order in ("ASC", "DESC"))]  # None: the default

SETTINGS = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


# --- what is drawn --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    patient: str
    date: str | None
    time: str | None
    is_primary: bool
    series: tuple[str, ...]
    tick_ms: int
    touch_tick_ms: int | None  # None: never updated; else an update that many ms after the previous write
    deleted: bool


specs = st.builds(
    Spec,
    patient=st.sampled_from(PATIENTS),
    date=st.none() | st.sampled_from(DATES),
    time=st.none() | st.sampled_from(TIMES),
    is_primary=st.booleans(),
    series=st.lists(st.sampled_from(SERIES_POOL), min_size=1, max_size=2, unique=True).map(tuple),
    tick_ms=st.sampled_from(TICKS_MS),
    touch_tick_ms=st.none() | st.sampled_from(TICKS_MS),
    deleted=st.booleans(),
)

# A timestamp bound: (index of an image set, "createdAt" | "updatedAt", offset in ms), resolved once the
# image sets exist, so bounds fall exactly on, or a millisecond beside, real timestamps.
stamps = st.tuples(
    st.integers(0, 7), st.sampled_from(["createdAt", "updatedAt"]), st.sampled_from([-1, 0, 0, 1])
)
study_moments = st.tuples(
    st.sampled_from(["20251231", *DATES, "20260104"]), st.none() | st.sampled_from(TIMES)
)


@st.composite
def queries(draw) -> dict[str, Any]:
    kind = draw(
        st.sampled_from(
            [
                "none",
                "DICOMPatientId",
                "isPrimary",
                "DICOMSeriesInstanceUID",
                "DICOMStudyDateAndTime",
                "BETWEEN DICOMStudyDateAndTime",
                "createdAt",
                "updatedAt",
                "BETWEEN createdAt",
                "BETWEEN updatedAt",
                "pair",
            ]
        )
    )
    values = {
        "DICOMPatientId": st.sampled_from([*PATIENTS, "Z"]),
        "isPrimary": st.booleans(),
        "DICOMSeriesInstanceUID": st.sampled_from([*SERIES_POOL, "1.2.3"]),
        "DICOMStudyDateAndTime": study_moments,
        "createdAt": stamps,
        "updatedAt": stamps,
    }
    filters: list[tuple[str, str, list[Any]]] = []  # (operator, attribute, symbolic values)
    if kind == "pair":
        pair = [
            ("BETWEEN", "updatedAt", [draw(stamps), draw(stamps)]),
            ("EQUAL", "DICOMSeriesInstanceUID", [draw(values["DICOMSeriesInstanceUID"])]),
        ]
        filters = pair if draw(st.booleans()) else pair[::-1]
    elif kind.startswith("BETWEEN "):
        attribute = kind.split()[1]
        filters = [("BETWEEN", attribute, [draw(values[attribute]), draw(values[attribute])])]
    elif kind != "none":
        filters = [("EQUAL", kind, [draw(values[kind])])]
    sort = draw(st.sampled_from(SORTS))
    return {
        "filters": filters,
        "sort": sort,
        "page_size": draw(st.integers(1, 5)),
        "empty": draw(st.booleans()),
    }


# --- the oracle -----------------------------------------------------------------------------------------


@dataclass
class Live:
    """What the oracle knows of one image set that was not deleted."""

    image_set_id: str
    spec: Spec
    created_at: datetime
    updated_at: datetime


def study_moment(date: str | None, time: str | None) -> datetime | None:
    if date is None:
        return None
    day = datetime.strptime(date, "%Y%m%d")
    if time is None:
        return day
    whole, _, fraction = time.partition(".")
    return day + timedelta(
        hours=int(whole[:2]),
        minutes=int(whole[2:4]),
        seconds=int(whole[4:6]),
        microseconds=int(fraction.ljust(6, "0")),
    )


def resolve(stamp: tuple[int, str, int], every: list[Live]) -> datetime:
    """A bound on or beside a timestamp of one of the image sets (deleted ones included)."""
    index, which, offset_ms = stamp
    chosen = every[index % len(every)]
    moment = chosen.created_at if which == "createdAt" else chosen.updated_at
    return moment + timedelta(milliseconds=offset_ms)


def matches(live: Live, operator: str, attribute: str, values: list[Any]) -> bool:
    spec = live.spec
    if attribute == "DICOMPatientId":
        return spec.patient == values[0]
    if attribute == "isPrimary":
        return spec.is_primary == values[0]
    if attribute == "DICOMSeriesInstanceUID":
        return values[0] in spec.series
    if attribute in ("createdAt", "updatedAt"):
        moment = live.created_at if attribute == "createdAt" else live.updated_at
        return values[0] <= moment <= values[-1]
    study = study_moment(spec.date, spec.time)
    if study is None:
        return False
    if operator == "EQUAL":
        date, time = values[0]
        if time is None:
            return spec.date == date
        return study == study_moment(date, time)
    low, high = (study_moment(date, time) for date, time in values)
    return low <= study <= high


def sort_key(live: Live, field: str) -> tuple:
    if field == "createdAt":
        return (live.created_at,)
    if field == "updatedAt":
        return (live.updated_at,)
    study = study_moment(live.spec.date, live.spec.time)
    return (0,) if study is None else (1, study)


def expected_ids(
    lives: list[Live], filters: list[tuple[str, str, list[Any]]], sort: tuple[str, str]
) -> list[str]:
    chosen = [live for live in lives if all(matches(live, *f) for f in filters)]
    field, order = sort
    chosen.sort(key=lambda live: (sort_key(live, field), live.image_set_id), reverse=order == "DESC")
    return [live.image_set_id for live in chosen]


# --- driving the mock -----------------------------------------------------------------------------------


def wire_value(attribute: str, value: Any) -> Any:
    if attribute == "DICOMStudyDateAndTime":
        date, time = value
        return {"DICOMStudyDate": date} if time is None else {"DICOMStudyDate": date, "DICOMStudyTime": time}
    return value


def seed(mi, client, ds: str, frozen, all_specs: list[Spec]) -> list[str]:
    """Create, touch and delete as the specs say, moving the frozen clock forward between writes."""
    ids = []
    for spec in all_specs:
        frozen.tick(timedelta(milliseconds=spec.tick_ms))
        elements: dict[str, Any] = {"PatientID": spec.patient}
        if spec.date is not None:
            elements["StudyDate"] = spec.date
        if spec.time is not None:
            elements["StudyTime"] = spec.time
        study_uid = generate_uid()
        datasets = [make_dataset(study_uid=study_uid, series_uid=uid, **elements) for uid in spec.series]
        ids.append(mi.create_image_set(ds, datasets, is_primary=spec.is_primary))
    for image_set_id, spec in zip(ids, all_specs, strict=True):
        if spec.touch_tick_ms is not None:
            frozen.tick(timedelta(milliseconds=spec.touch_tick_ms))
            blob = json.dumps({"SchemaVersion": 1.1, "Study": {"DICOM": {"StudyDescription": "TOUCHED"}}})
            client.update_image_set_metadata(
                datastoreId=ds,
                imageSetId=image_set_id,
                latestVersionId="1",
                updateImageSetMetadataUpdates={"DICOMUpdates": {"updatableAttributes": blob}},
            )
            client.get_image_set(datastoreId=ds, imageSetId=image_set_id)  # completes the update now
    for image_set_id, spec in zip(ids, all_specs, strict=True):
        if spec.deleted:
            frozen.tick(timedelta(milliseconds=1))
            client.delete_image_set(datastoreId=ds, imageSetId=image_set_id)
    return ids


def observed(client, ds: str, ids: list[str], all_specs: list[Spec]) -> tuple[list[Live], list[Live]]:
    """(live image sets, every image set) with the timestamps GetImageSet reports."""
    every = []
    for image_set_id, spec in zip(ids, all_specs, strict=True):
        properties = client.get_image_set(datastoreId=ds, imageSetId=image_set_id)
        live = Live(image_set_id, spec, properties["createdAt"], properties["updatedAt"])
        every.append((live, properties["imageSetState"]))
    assert {state for _, state in every} <= {"ACTIVE", "DELETED"}
    return [live for live, state in every if state == "ACTIVE"], [live for live, _ in every]


def all_pages(client, ds: str, search_criteria: dict | None, page_size: int, limit: int) -> list[str]:
    extra = {} if search_criteria is None else {"searchCriteria": search_criteria}
    ids: list[str] = []
    token = None
    for _ in range(limit):
        if token is not None:
            extra["nextToken"] = token
        page = client.search_image_sets(datastoreId=ds, maxResults=page_size, **extra)
        summaries = page["imageSetsMetadataSummaries"]
        assert len(summaries) <= page_size
        ids += [summary["imageSetId"] for summary in summaries]
        token = page.get("nextToken")
        if token is None:
            return ids
        assert summaries, "a page with a nextToken must hold items"
    raise AssertionError(f"still a nextToken after {limit} pages")


def criteria_of(query: dict[str, Any], every: list[Live]) -> tuple[list, dict | None]:
    """(filters with resolved values, the searchCriteria to send: None to send none)."""
    filters = []
    for operator, attribute, values in query["filters"]:
        if attribute in ("createdAt", "updatedAt"):
            values = [resolve(stamp, every) for stamp in values]
        filters.append((operator, attribute, values))
    search_criteria: dict[str, Any] = {}
    if filters:
        search_criteria["filters"] = [
            {"operator": op, "values": [{attribute: wire_value(attribute, v)} for v in values]}
            for op, attribute, values in filters
        ]
    if query["sort"] is not None:
        search_criteria["sort"] = {"sortField": query["sort"][0], "sortOrder": query["sort"][1]}
    return filters, search_criteria if search_criteria or query["empty"] else None


@needs_millisecond_timestamps
@SETTINGS
@given(
    all_specs=st.lists(specs, min_size=1, max_size=8), all_queries=st.lists(queries(), min_size=1, max_size=8)
)
def test_search_pages_concatenate_to_a_brute_force_scan(all_specs, all_queries):
    with mock_medical_imaging() as mi, freeze_time(T0) as frozen:
        client = boto3.client("medical-imaging", region_name="us-east-1")
        ds = client.create_datastore(datastoreName="property")["datastoreId"]
        client.get_datastore(datastoreId=ds)
        ids = seed(mi, client, ds, frozen, all_specs)
        lives, every = observed(client, ds, ids, all_specs)

        for query in all_queries:
            filters, sent = criteria_of(query, every)
            result = all_pages(client, ds, sent, query["page_size"], limit=len(ids) + 2)
            expected = expected_ids(lives, filters, query["sort"] or ("updatedAt", "DESC"))
            assert result == expected, f"searchCriteria={sent} maxResults={query['page_size']}"


# --- cursors while image sets come and go ---------------------------------------------------------------

between_pages = st.lists(
    st.one_of(
        st.tuples(st.just("create"), st.integers(-5000, 5000)),  # createdAt relative to the start, in ms
        st.tuples(st.just("delete"), st.integers(0, 20)),  # index into the image sets still live
    ),
    max_size=3,
)


@SETTINGS
@given(
    count=st.integers(2, 8),
    sort=st.tuples(st.sampled_from(["updatedAt", "createdAt"]), st.sampled_from(["ASC", "DESC"])),
    page_size=st.integers(1, 3),
    writes=st.lists(between_pages, min_size=1, max_size=8),
)
def test_image_sets_that_stay_put_come_exactly_once_across_pages(count, sort, page_size, writes):
    search_criteria = {"sort": {"sortField": sort[0], "sortOrder": sort[1]}}
    with mock_medical_imaging() as mi, freeze_time(T0) as frozen:
        client = boto3.client("medical-imaging", region_name="us-east-1")
        ds = client.create_datastore(datastoreName="property")["datastoreId"]
        client.get_datastore(datastoreId=ds)
        original = []
        for _ in range(count):
            frozen.tick(timedelta(milliseconds=1000))
            original.append(mi.create_image_set(ds, [make_dataset()]))
        live, deleted, returned = list(original), set(), []
        token, pages = None, 0
        while True:
            extra = {} if token is None else {"nextToken": token}
            page = client.search_image_sets(
                datastoreId=ds, searchCriteria=search_criteria, maxResults=page_size, **extra
            )
            returned += [summary["imageSetId"] for summary in page["imageSetsMetadataSummaries"]]
            token, pages = page.get("nextToken"), pages + 1
            if token is None or pages > 60:
                break
            # Writes stop after the listed rounds, so the pagination has a finite end to reach.
            for action, argument in writes[pages - 1] if pages <= len(writes) else []:
                if action == "create":
                    with freeze_time(T0 + timedelta(milliseconds=argument)):
                        live.append(mi.create_image_set(ds, [make_dataset()]))
                elif live:
                    victim = live.pop(argument % len(live))
                    client.delete_image_set(datastoreId=ds, imageSetId=victim)
                    deleted.add(victim)

    assert token is None
    stayed = [image_set_id for image_set_id in original if image_set_id not in deleted]
    assert all(returned.count(image_set_id) == 1 for image_set_id in stayed)
    assert len(returned) == len(set(returned))
    position = {image_set_id: n for n, image_set_id in enumerate(returned)}
    in_creation_order = sorted(stayed, key=position.__getitem__)
    assert in_creation_order == (stayed if sort[1] == "ASC" else stayed[::-1])
