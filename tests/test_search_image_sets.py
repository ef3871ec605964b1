"""SearchImageSets through boto3: filters and their rules, sort and tie-break, summaries, what writes do to
the results, and cursors (reference §10, §15 "Search")."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from aws_helpers import metadata, new_datastore, wire_json
from botocore.config import Config
from botocore.exceptions import ClientError
from dicom_factory import make_dataset
from freezegun import freeze_time
from model_features import needs_millisecond_timestamps
from pydicom.uid import generate_uid

T0 = datetime(2026, 1, 2, 3, 4, 5, 123000, tzinfo=UTC)
SECOND = timedelta(seconds=1)
MILLISECOND = timedelta(milliseconds=1)
MICROSECOND = timedelta(microseconds=1)
NO_RETRIES = Config(retries={"total_max_attempts": 1})


# --- helpers --------------------------------------------------------------------------------------------


def seed(
    mi,
    ds: str,
    *,
    is_primary: bool = True,
    instances: int = 1,
    study_uid: str | None = None,
    series_uid: str | None = None,
    **elements,
) -> str:
    """One image set of `instances` instances of one series, with the given DICOM elements."""
    study_uid, series_uid = study_uid or generate_uid(), series_uid or generate_uid()
    datasets = [
        make_dataset(study_uid=study_uid, series_uid=series_uid, **elements) for _ in range(instances)
    ]
    return mi.create_image_set(ds, datasets, is_primary=is_primary)


def seed_series(mi, ds: str, series_uids: list[str], **elements) -> str:
    """One image set holding one instance of each of the given series."""
    study_uid = generate_uid()
    datasets = [make_dataset(study_uid=study_uid, series_uid=uid, **elements) for uid in series_uids]
    return mi.create_image_set(ds, datasets)


def equal(attribute: str, value: Any) -> dict:
    return {"operator": "EQUAL", "values": [{attribute: value}]}


def between(attribute: str, low: Any, high: Any) -> dict:
    return {"operator": "BETWEEN", "values": [{attribute: low}, {attribute: high}]}


def moment(date: str, time: str | None = None) -> dict:
    return {"DICOMStudyDate": date} if time is None else {"DICOMStudyDate": date, "DICOMStudyTime": time}


def criteria(*filters: dict, sort: tuple[str, str] | None = None) -> dict:
    found: dict[str, Any] = {}
    if filters:
        found["filters"] = list(filters)
    if sort is not None:
        found["sort"] = {"sortField": sort[0], "sortOrder": sort[1]}
    return found


def search(client, ds: str, *filters: dict, sort: tuple[str, str] | None = None, **kwargs) -> dict:
    return client.search_image_sets(datastoreId=ds, searchCriteria=criteria(*filters, sort=sort), **kwargs)


def found(client, ds: str, *filters: dict, sort: tuple[str, str] | None = None) -> list[str]:
    """The ids of one page of up to 50."""
    response = search(client, ds, *filters, sort=sort, maxResults=50)
    assert "nextToken" not in response
    return [summary["imageSetId"] for summary in response["imageSetsMetadataSummaries"]]


def summaries(client, ds: str, *filters: dict) -> dict[str, dict]:
    response = search(client, ds, *filters, maxResults=50)
    return {summary["imageSetId"]: summary for summary in response["imageSetsMetadataSummaries"]}


def paginated(client, ds: str, search_criteria: dict, page_size: int) -> list[str]:
    pages = client.get_paginator("search_image_sets").paginate(
        datastoreId=ds, searchCriteria=search_criteria, PaginationConfig={"PageSize": page_size}
    )
    return [s["imageSetId"] for page in pages for s in page["imageSetsMetadataSummaries"]]


def refusal(call: Callable[..., Any], *args, **kwargs) -> tuple[str, str]:
    """The error code and message of a call that must fail."""
    with pytest.raises(ClientError) as err:
        call(*args, **kwargs)
    return err.value.response["Error"]["Code"], err.value.response["Error"]["Message"]


def update(client, ds: str, image_set_id: str, version: str, blob: dict, **flags) -> dict:
    return client.update_image_set_metadata(
        datastoreId=ds,
        imageSetId=image_set_id,
        latestVersionId=version,
        updateImageSetMetadataUpdates={"DICOMUpdates": {"updatableAttributes": json.dumps(blob)}},
        **flags,
    )


def study_update(**dicom) -> dict:
    return {"SchemaVersion": 1.1, "Study": {"DICOM": dicom}}


def patient_update(**dicom) -> dict:
    return {"SchemaVersion": 1.1, "Patient": {"DICOM": dicom}}


def properties(client, ds: str, image_set_id: str) -> dict:
    return client.get_image_set(datastoreId=ds, imageSetId=image_set_id)


@pytest.fixture
def client(medical_imaging_client):
    return medical_imaging_client


@pytest.fixture
def mi(medical_imaging):
    return medical_imaging


@pytest.fixture
def ds(client) -> str:
    return new_datastore(client, "search")


@pytest.fixture
def timeline(mi, ds):
    """Five image sets created one second apart from T0 (oldest first), patient ids P0..P4."""
    with freeze_time(T0) as frozen:
        created = []
        for n in range(5):
            created.append(seed(mi, ds, PatientID=f"P{n}"))
            frozen.tick(SECOND)
    return created


# --- no criteria ----------------------------------------------------------------------------------------


def test_search_without_criteria_returns_every_image_set(mi, client, ds, timeline):
    response = client.search_image_sets(datastoreId=ds)

    assert sorted(s["imageSetId"] for s in response["imageSetsMetadataSummaries"]) == sorted(timeline)


def test_search_with_empty_criteria_returns_every_image_set(mi, client, ds, timeline):
    response = client.search_image_sets(datastoreId=ds, searchCriteria={})

    assert sorted(s["imageSetId"] for s in response["imageSetsMetadataSummaries"]) == sorted(timeline)


def test_search_of_an_empty_datastore_returns_no_summaries(client, ds):
    response = client.search_image_sets(datastoreId=ds)

    assert response["imageSetsMetadataSummaries"] == []
    assert "nextToken" not in response


def test_search_returns_only_the_image_sets_of_its_datastore(mi, client, ds):
    mine = seed(mi, ds, PatientID="P1")
    other = new_datastore(client, "other")
    seed(mi, other, PatientID="P1")

    assert found(client, ds) == [mine]
    assert found(client, ds, equal("DICOMPatientId", "P1")) == [mine]


# --- EQUAL on identifiers -------------------------------------------------------------------------------

IDENTIFIERS = [
    pytest.param("DICOMPatientId", "PatientID", id="DICOMPatientId"),
    pytest.param("DICOMAccessionNumber", "AccessionNumber", id="DICOMAccessionNumber"),
    pytest.param("DICOMStudyId", "StudyID", id="DICOMStudyId"),
]


@pytest.mark.parametrize(("attribute", "keyword"), IDENTIFIERS)
def test_equal_on_an_identifier_finds_the_image_sets_holding_that_value(mi, client, ds, attribute, keyword):
    first = seed(mi, ds, **{keyword: "ID-1"})
    second = seed(mi, ds, **{keyword: "ID-1"})
    seed(mi, ds, **{keyword: "ID-2"})
    seed(mi, ds)

    assert sorted(found(client, ds, equal(attribute, "ID-1"))) == sorted([first, second])


@pytest.mark.parametrize(("attribute", "keyword"), IDENTIFIERS)
@pytest.mark.parametrize("value", ["ID", "id-1", "ID-10", "ID-1 "], ids=["prefix", "case", "longer", "space"])
def test_equal_on_an_identifier_matches_the_whole_value_only(mi, client, ds, attribute, keyword, value):
    seed(mi, ds, **{keyword: "ID-1"})

    assert found(client, ds, equal(attribute, value)) == []


def test_equal_on_study_instance_uid_finds_the_image_sets_of_that_study(mi, client, ds):
    study_uid = generate_uid()
    first = seed(mi, ds, study_uid=study_uid)
    second = seed(mi, ds, study_uid=study_uid)
    seed(mi, ds)

    assert sorted(found(client, ds, equal("DICOMStudyInstanceUID", study_uid))) == sorted([first, second])


def test_equal_on_series_instance_uid_finds_the_image_set_holding_that_series(mi, client, ds):
    series = [generate_uid() for _ in range(3)]
    holder = seed_series(mi, ds, series[:2])
    seed_series(mi, ds, series[2:])

    assert found(client, ds, equal("DICOMSeriesInstanceUID", series[0])) == [holder]
    assert found(client, ds, equal("DICOMSeriesInstanceUID", series[1])) == [holder]
    assert found(client, ds, equal("DICOMSeriesInstanceUID", "1.2.3.4")) == []


@pytest.mark.parametrize("is_primary", [True, False])
def test_equal_on_is_primary_finds_the_image_sets_with_that_flag(mi, client, ds, is_primary):
    primaries = [seed(mi, ds, is_primary=True) for _ in range(2)]
    others = [seed(mi, ds, is_primary=False) for _ in range(3)]

    expected = primaries if is_primary else others
    assert sorted(found(client, ds, equal("isPrimary", is_primary))) == sorted(expected)


# --- createdAt and updatedAt ----------------------------------------------------------------------------


@needs_millisecond_timestamps
def test_equal_on_created_at_with_the_returned_datetime_finds_that_image_set(mi, client, ds, timeline):
    created = properties(client, ds, timeline[2])["createdAt"]

    assert created == T0 + 2 * SECOND
    assert found(client, ds, equal("createdAt", created)) == [timeline[2]]


def test_equal_on_created_at_is_exact_to_the_millisecond(mi, client, ds, timeline):
    created = properties(client, ds, timeline[2])["createdAt"]

    assert found(client, ds, equal("createdAt", created + MILLISECOND)) == []
    assert found(client, ds, equal("createdAt", created - MILLISECOND)) == []


@needs_millisecond_timestamps
def test_equal_on_created_at_from_a_summary_finds_that_image_set(mi, client, ds, timeline):
    summary = summaries(client, ds)[timeline[3]]

    assert found(client, ds, equal("createdAt", summary["createdAt"])) == [timeline[3]]


@needs_millisecond_timestamps
def test_equal_on_updated_at_with_the_returned_datetime_finds_that_image_set(mi, client, ds, timeline):
    with freeze_time(T0 + 60 * SECOND + 7 * MILLISECOND):
        update(client, ds, timeline[1], "1", study_update(StudyDescription="X"))
        updated = properties(client, ds, timeline[1])["updatedAt"]

    assert updated == T0 + 60 * SECOND + 7 * MILLISECOND
    assert found(client, ds, equal("updatedAt", updated)) == [timeline[1]]
    assert found(client, ds, equal("updatedAt", updated - MILLISECOND)) == []
    assert found(client, ds, equal("updatedAt", T0 + SECOND)) == []


@needs_millisecond_timestamps
def test_timestamps_are_kept_to_the_millisecond_and_that_millisecond_finds_them(mi, client, ds):
    with freeze_time(T0 + 456 * MICROSECOND):  # x.123456 seconds
        image_set_id = seed(mi, ds)

    created = properties(client, ds, image_set_id)["createdAt"]
    sent = wire_json(client, "get_image_set", datastoreId=ds, imageSetId=image_set_id)

    assert created == properties(client, ds, image_set_id)["updatedAt"] == T0  # x.123000
    assert sent["createdAt"] == sent["updatedAt"] == T0.timestamp()
    assert summaries(client, ds)[image_set_id]["createdAt"] == T0
    assert found(client, ds, equal("createdAt", created)) == [image_set_id]
    assert found(client, ds, equal("updatedAt", created)) == [image_set_id]


@needs_millisecond_timestamps
def test_between_created_at_includes_image_sets_exactly_at_either_bound(mi, client, ds, timeline):
    assert sorted(found(client, ds, between("createdAt", T0 + SECOND, T0 + 3 * SECOND))) == sorted(
        timeline[1:4]
    )


@needs_millisecond_timestamps
def test_between_created_at_a_millisecond_inside_the_bounds_excludes_them(mi, client, ds, timeline):
    low, high = T0 + SECOND + MILLISECOND, T0 + 3 * SECOND - MILLISECOND

    assert found(client, ds, between("createdAt", low, high)) == [timeline[2]]


def test_between_created_at_with_naive_datetimes_reads_them_as_utc(mi, client, ds, timeline):
    low, high = datetime(2021, 8, 4), datetime(2026, 1, 3)

    assert sorted(found(client, ds, between("createdAt", low, high))) == sorted(timeline)


def test_between_with_the_upper_bound_before_the_lower_finds_nothing(mi, client, ds, timeline):
    assert found(client, ds, between("createdAt", T0 + 3 * SECOND, T0 + SECOND)) == []


@needs_millisecond_timestamps
def test_between_updated_at_includes_image_sets_exactly_at_either_bound(mi, client, ds, timeline):
    with freeze_time(T0 + 60 * SECOND):
        update(client, ds, timeline[0], "1", study_update(StudyDescription="X"))
        properties(client, ds, timeline[0])  # completes the update

    assert sorted(found(client, ds, between("updatedAt", T0 + 3 * SECOND, T0 + 60 * SECOND))) == sorted(
        [timeline[3], timeline[4], timeline[0]]
    )
    assert found(client, ds, between("updatedAt", T0, T0 + 500 * MILLISECOND)) == []


# --- DICOMStudyDateAndTime ------------------------------------------------------------------------------


@pytest.fixture
def studies(mi, ds) -> dict[str, str]:
    """Image sets by their "date time" (time "-" when the dataset has no StudyTime)."""
    moments = [
        ("20260101", "235959.999999"),
        ("20260102", "000000"),
        ("20260102", "030405"),
        ("20260102", "030405.5"),
        ("20260102", None),
        ("20260102", "235959.999999"),
        ("20260103", "000000"),
        ("20260103", "120000"),
        ("20260104", "000000"),
        ("20260104", "000000.000001"),
    ]
    image_sets = {}
    for date, time in moments:
        elements = {"StudyDate": date} if time is None else {"StudyDate": date, "StudyTime": time}
        image_sets[f"{date} {time or '-'}"] = seed(mi, ds, **elements)
    image_sets["no date"] = seed(mi, ds)
    return image_sets


def named(studies: dict[str, str], *names: str) -> list[str]:
    return sorted(studies[name] for name in names)


def test_equal_on_study_date_alone_matches_the_whole_day(client, ds, studies):
    result = found(client, ds, equal("DICOMStudyDateAndTime", moment("20260102")))

    assert sorted(result) == named(
        studies,
        "20260102 000000",
        "20260102 030405",
        "20260102 030405.5",
        "20260102 -",
        "20260102 235959.999999",
    )


def test_equal_on_study_date_and_time_matches_that_moment_only(client, ds, studies):
    assert found(client, ds, equal("DICOMStudyDateAndTime", moment("20260102", "030405"))) == [
        studies["20260102 030405"]
    ]
    assert found(client, ds, equal("DICOMStudyDateAndTime", moment("20260102", "030405.500"))) == [
        studies["20260102 030405.5"]
    ]
    assert found(client, ds, equal("DICOMStudyDateAndTime", moment("20260102", "030406"))) == []


def test_equal_on_midnight_matches_a_study_without_a_time(client, ds, studies):
    result = found(client, ds, equal("DICOMStudyDateAndTime", moment("20260102", "000000.000")))

    assert sorted(result) == named(studies, "20260102 000000", "20260102 -")


def test_equal_on_study_date_matches_a_study_time_of_hours_and_minutes_only(mi, client, ds):
    """DICOM TM allows HH and HHMM: the study still happened on its StudyDate."""
    hhmm = seed(mi, ds, StudyDate="20260102", StudyTime="1015")
    hh = seed(mi, ds, StudyDate="20260102", StudyTime="10")

    assert sorted(found(client, ds, equal("DICOMStudyDateAndTime", moment("20260102")))) == sorted([hhmm, hh])


def test_between_study_dates_without_times_runs_from_start_of_day_to_start_of_day(client, ds, studies):
    result = found(client, ds, between("DICOMStudyDateAndTime", moment("20260102"), moment("20260104")))

    assert sorted(result) == named(
        studies,
        "20260102 000000",
        "20260102 030405",
        "20260102 030405.5",
        "20260102 -",
        "20260102 235959.999999",
        "20260103 000000",
        "20260103 120000",
        "20260104 000000",
    )


def test_between_study_date_and_times_includes_both_bounds(client, ds, studies):
    low, high = moment("20260102", "030405"), moment("20260103", "120000")

    result = found(client, ds, between("DICOMStudyDateAndTime", low, high))

    assert sorted(result) == named(
        studies,
        "20260102 030405",
        "20260102 030405.5",
        "20260102 235959.999999",
        "20260103 000000",
        "20260103 120000",
    )


def test_between_study_dates_mixing_a_time_and_no_time(client, ds, studies):
    low, high = moment("20260101", "235959.999999"), moment("20260102")

    result = found(client, ds, between("DICOMStudyDateAndTime", low, high))

    assert sorted(result) == named(studies, "20260101 235959.999999", "20260102 000000", "20260102 -")


def test_study_without_a_date_matches_no_study_date_filter(client, ds, studies):
    everything = between("DICOMStudyDateAndTime", moment("19000101"), moment("29991231", "235959.999999"))

    assert studies["no date"] not in found(client, ds, everything)
    assert len(found(client, ds, everything)) == len(studies) - 1


@pytest.mark.parametrize("date", ["2026-01-02", "20261302", "2026010", "20260230", "202601021", "abcdefgh"])
@pytest.mark.parametrize("operator", ["EQUAL", "BETWEEN"])
def test_study_date_that_is_not_a_yyyymmdd_date_is_refused(mi, client, ds, date, operator):
    seed(mi, ds, StudyDate="20260102")
    bad = equal("DICOMStudyDateAndTime", moment(date))
    if operator == "BETWEEN":
        bad = between("DICOMStudyDateAndTime", moment("20260101"), moment(date))

    code, message = refusal(search, client, ds, bad)

    assert code == "ValidationException"
    assert "DICOMStudyDate" in message


@pytest.mark.parametrize("time", ["3:04", "256000", "240000", "036000", "0304", "030405.", "03040"])
def test_study_time_that_is_not_hhmmss_is_refused(mi, client, ds, time):
    seed(mi, ds, StudyDate="20260102", StudyTime="030405")

    code, message = refusal(search, client, ds, equal("DICOMStudyDateAndTime", moment("20260102", time)))

    assert code == "ValidationException"
    assert "DICOMStudyTime" in message


@pytest.mark.parametrize(
    ("time", "at_or_before_030405"),
    [
        ("030405", True),
        ("030404.999999", True),
        ("030405.123", False),
        ("030405.1", False),
        ("030405.000001", False),
        ("235959", False),
    ],
)
def test_study_time_as_hhmmss_with_an_optional_fraction_is_accepted_and_read_to_the_microsecond(
    mi, client, ds, time, at_or_before_030405
):
    study_at_030405 = seed(mi, ds, StudyDate="20260102", StudyTime="030405")

    result = found(client, ds, between("DICOMStudyDateAndTime", moment("20260102", time), moment("20260103")))

    assert result == ([study_at_030405] if at_or_before_030405 else [])


# --- counts of values and combinations of filters -------------------------------------------------------


def test_equal_with_two_values_is_refused(mi, client, ds, timeline):
    bad = {"operator": "EQUAL", "values": [{"DICOMPatientId": "P1"}, {"DICOMPatientId": "P2"}]}

    code, _ = refusal(search, client, ds, bad)

    assert code == "ValidationException"


@pytest.mark.parametrize(
    "value",
    [{"createdAt": T0}, {"updatedAt": T0}, {"DICOMStudyDateAndTime": moment("20260102")}],
    ids=["createdAt", "updatedAt", "DICOMStudyDateAndTime"],
)
def test_between_with_one_value_is_refused(mi, client, ds, timeline, value):
    code, _ = refusal(search, client, ds, {"operator": "BETWEEN", "values": [value]})

    assert code == "ValidationException"


def test_between_whose_bounds_name_different_attributes_is_refused(mi, client, ds, timeline):
    bad = {"operator": "BETWEEN", "values": [{"createdAt": T0}, {"updatedAt": T0 + SECOND}]}

    code, _ = refusal(search, client, ds, bad)

    assert code == "ValidationException"


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param(between("DICOMPatientId", "P0", "P9"), id="BETWEEN-DICOMPatientId"),
        pytest.param(between("DICOMAccessionNumber", "A", "B"), id="BETWEEN-DICOMAccessionNumber"),
        pytest.param(between("DICOMStudyId", "A", "B"), id="BETWEEN-DICOMStudyId"),
        pytest.param(between("DICOMStudyInstanceUID", "1.1", "1.9"), id="BETWEEN-DICOMStudyInstanceUID"),
        pytest.param(between("DICOMSeriesInstanceUID", "1.1", "1.9"), id="BETWEEN-DICOMSeriesInstanceUID"),
        pytest.param(between("isPrimary", False, True), id="BETWEEN-isPrimary"),
    ],
)
def test_between_on_an_attribute_without_an_order_is_refused_saying_what_is_allowed(
    mi, client, ds, timeline, bad
):
    code, message = refusal(search, client, ds, bad)

    assert code == "ValidationException"
    assert "BETWEEN" in message
    assert all(name in message for name in ("createdAt", "updatedAt", "DICOMStudyDateAndTime"))


SERIES = "1.2.826.0.1.3680043.8.498.1"


@pytest.mark.parametrize(
    "pair",
    [
        pytest.param([equal("DICOMPatientId", "P1"), equal("DICOMAccessionNumber", "A")], id="two-EQUALs"),
        pytest.param([equal("DICOMPatientId", "P1"), equal("DICOMPatientId", "P2")], id="same-EQUAL-twice"),
        pytest.param(
            [between("createdAt", T0, T0 + SECOND), equal("DICOMSeriesInstanceUID", SERIES)],
            id="BETWEEN-createdAt-EQUAL-series",
        ),
        pytest.param(
            [equal("updatedAt", T0), equal("DICOMSeriesInstanceUID", SERIES)],
            id="EQUAL-updatedAt-EQUAL-series",
        ),
        pytest.param(
            [between("updatedAt", T0, T0 + SECOND), equal("DICOMPatientId", "P1")],
            id="BETWEEN-updatedAt-EQUAL-patient",
        ),
        pytest.param(
            [between("updatedAt", T0, T0 + SECOND), between("createdAt", T0, T0 + SECOND)],
            id="BETWEEN-updatedAt-BETWEEN-createdAt",
        ),
        pytest.param(
            [between("updatedAt", T0, T0 + SECOND), between("updatedAt", T0, T0 + SECOND)],
            id="BETWEEN-updatedAt-twice",
        ),
        pytest.param(
            [equal("DICOMSeriesInstanceUID", SERIES), equal("DICOMSeriesInstanceUID", SERIES)],
            id="EQUAL-series-twice",
        ),
        pytest.param(
            [equal("isPrimary", True), equal("DICOMSeriesInstanceUID", SERIES)],
            id="EQUAL-isPrimary-EQUAL-series",
        ),
    ],
)
def test_two_filters_other_than_the_allowed_pair_are_refused_saying_what_is_allowed(
    mi, client, ds, timeline, pair
):
    code, message = refusal(search, client, ds, *pair)

    assert code == "ValidationException"
    assert "updatedAt" in message
    assert "DICOMSeriesInstanceUID" in message


@pytest.fixture
def series_history(mi, client, ds) -> dict[str, Any]:
    """Image sets holding SERIES created at T0, T0+1s, T0+2s and T0+3s; one of another series at T0."""
    with freeze_time(T0) as frozen:
        holders = []
        for n in range(4):
            holders.append(seed_series(mi, ds, [SERIES, generate_uid()]))
            if n == 0:
                other = seed_series(mi, ds, [generate_uid()])
            frozen.tick(SECOND)
    return {"holders": holders, "other": other}


@needs_millisecond_timestamps
def test_between_updated_at_with_equal_series_finds_that_series_in_the_range(client, ds, series_history):
    pair = [between("updatedAt", T0 + SECOND, T0 + 3 * SECOND), equal("DICOMSeriesInstanceUID", SERIES)]

    result = found(client, ds, *pair, sort=("updatedAt", "ASC"))

    assert result == series_history["holders"][1:4]


@needs_millisecond_timestamps
@pytest.mark.parametrize("order", [[0, 1], [1, 0]], ids=["BETWEEN-first", "EQUAL-first"])
def test_the_allowed_pair_is_accepted_in_either_order(client, ds, series_history, order):
    pair = [between("updatedAt", T0, T0 + 3 * SECOND), equal("DICOMSeriesInstanceUID", SERIES)]

    result = found(client, ds, *[pair[n] for n in order])

    assert result == list(reversed(series_history["holders"]))


@needs_millisecond_timestamps
def test_the_allowed_pair_sorted_by_created_at(client, ds, series_history):
    pair = [between("updatedAt", T0, T0 + 2 * SECOND), equal("DICOMSeriesInstanceUID", SERIES)]
    holders = series_history["holders"]

    assert found(client, ds, *pair, sort=("createdAt", "DESC")) == [holders[2], holders[1], holders[0]]


@needs_millisecond_timestamps
def test_the_allowed_pair_sorted_by_study_date_falls_back_on_the_tie_break(client, ds, series_history):
    pair = [between("updatedAt", T0, T0 + 2 * SECOND), equal("DICOMSeriesInstanceUID", SERIES)]
    holders = series_history["holders"]

    assert found(client, ds, *pair, sort=("DICOMStudyDateAndTime", "ASC")) == sorted(holders[:3])


def raw_client():
    """A client that leaves the model's list-length checks to the server."""
    return boto3.client(
        "medical-imaging",
        region_name="us-east-1",
        config=Config(parameter_validation=False, retries={"total_max_attempts": 1}),
    )


def test_more_than_two_filters_are_refused_by_the_server(mi, ds, timeline):
    filters = [equal("DICOMPatientId", f"P{n}") for n in range(3)]

    code, _ = refusal(raw_client().search_image_sets, datastoreId=ds, searchCriteria={"filters": filters})

    assert code == "ValidationException"


def test_three_values_in_a_filter_are_refused_by_the_server(mi, ds, timeline):
    values = [{"createdAt": T0}, {"createdAt": T0 + SECOND}, {"createdAt": T0 + 2 * SECOND}]
    filters = [{"operator": "BETWEEN", "values": values}]

    code, _ = refusal(raw_client().search_image_sets, datastoreId=ds, searchCriteria={"filters": filters})

    assert code == "ValidationException"


def test_a_filter_list_that_is_empty_is_refused_by_the_server(mi, ds, timeline):
    code, _ = refusal(raw_client().search_image_sets, datastoreId=ds, searchCriteria={"filters": []})

    assert code == "ValidationException"


# --- sort -----------------------------------------------------------------------------------------------


@pytest.fixture
def three_orders(mi, client, ds) -> list[str]:
    """a, b, c created in that order; b updated last; study dates c < a < b."""
    with freeze_time(T0) as frozen:
        a = seed(mi, ds, is_primary=True, StudyDate="20260105", StudyTime="120000")
        frozen.tick(SECOND)
        b = seed(mi, ds, is_primary=True, StudyDate="20260105", StudyTime="120000.5")
        frozen.tick(SECOND)
        c = seed(mi, ds, is_primary=True, StudyDate="20251231")
        frozen.tick(SECOND)
        update(client, ds, b, "1", study_update(StudyDescription="LATER"))
        properties(client, ds, b)
    return [a, b, c]


def test_default_sort_is_updated_at_newest_first(client, ds, three_orders):
    a, b, c = three_orders

    assert found(client, ds) == [b, c, a]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        (("updatedAt", "DESC"), "bca"),
        (("updatedAt", "ASC"), "acb"),
        (("createdAt", "ASC"), "abc"),
        (("createdAt", "DESC"), "cba"),
        (("DICOMStudyDateAndTime", "ASC"), "cab"),
        (("DICOMStudyDateAndTime", "DESC"), "bac"),
    ],
)
def test_sort_field_and_order(client, ds, three_orders, sort, expected):
    by_name = dict(zip("abc", three_orders, strict=True))

    assert found(client, ds, sort=sort) == [by_name[name] for name in expected]


def test_sort_applies_to_filtered_results(mi, client, ds, three_orders):
    seed(mi, ds, is_primary=False)
    a, b, c = three_orders

    assert found(client, ds, equal("isPrimary", True), sort=("createdAt", "ASC")) == [a, b, c]


def test_a_study_without_a_date_sorts_first_ascending_and_last_descending(mi, client, ds, three_orders):
    a, b, c = three_orders
    undated = seed(mi, ds)

    assert found(client, ds, sort=("DICOMStudyDateAndTime", "ASC")) == [undated, c, a, b]
    assert found(client, ds, sort=("DICOMStudyDateAndTime", "DESC")) == [b, a, c, undated]


@pytest.fixture
def ties(mi, ds) -> list[str]:
    """Six image sets with the same createdAt, updatedAt and study date and time."""
    with freeze_time(T0):
        return [seed(mi, ds, StudyDate="20260102", StudyTime="030405") for _ in range(6)]


@pytest.mark.parametrize("field", ["updatedAt", "createdAt", "DICOMStudyDateAndTime"])
@pytest.mark.parametrize("order", ["ASC", "DESC"])
def test_ties_come_in_a_fixed_order_by_image_set_id(client, ds, ties, field, order):
    expected = sorted(ties, reverse=order == "DESC")

    assert found(client, ds, sort=(field, order)) == expected
    assert found(client, ds, sort=(field, order)) == expected


@pytest.mark.parametrize("page_size", [1, 2, 4])
@pytest.mark.parametrize("sort", [None, ("createdAt", "ASC"), ("DICOMStudyDateAndTime", "DESC")])
def test_ties_keep_their_order_across_pages(client, ds, ties, sort, page_size):
    search_criteria = criteria(sort=sort)

    assert paginated(client, ds, search_criteria, page_size) == paginated(client, ds, search_criteria, 50)
    assert sorted(paginated(client, ds, search_criteria, page_size)) == sorted(ties)


def test_ties_between_tied_and_untied_image_sets(mi, client, ds, ties):
    with freeze_time(T0 - SECOND):
        older = seed(mi, ds)
    with freeze_time(T0 + SECOND):
        newer = seed(mi, ds)

    assert paginated(client, ds, {}, 1) == [newer, *sorted(ties, reverse=True), older]


def test_sort_is_echoed_when_given(client, ds, three_orders):
    response = search(client, ds, sort=("createdAt", "ASC"))

    assert response["sort"] == {"sortField": "createdAt", "sortOrder": "ASC"}


def test_sort_is_echoed_with_a_filter(client, ds, three_orders):
    response = search(client, ds, equal("isPrimary", True), sort=("DICOMStudyDateAndTime", "DESC"))

    assert response["sort"] == {"sortField": "DICOMStudyDateAndTime", "sortOrder": "DESC"}


def test_sort_is_absent_when_not_given(client, ds, three_orders):
    assert "sort" not in client.search_image_sets(datastoreId=ds)
    assert "sort" not in search(client, ds, equal("isPrimary", True))


# --- summaries ------------------------------------------------------------------------------------------

FULL_TAGS = {
    "PatientID": "PAT-7",
    "PatientName": "DOE^JANE",
    "PatientBirthDate": "19700101",
    "PatientSex": "F",
    "StudyID": "S7",
    "StudyDescription": "CHEST CT",
    "AccessionNumber": "ACC-9",
    "StudyDate": "20260102",
    "StudyTime": "030405",
    "Modality": "CT",
    "BodyPartExamined": "CHEST",
    "SeriesNumber": 3,
}


def test_summary_holds_every_member_at_its_modelled_type(mi, client, ds):
    study_uid, series_uid = generate_uid(), generate_uid()
    with freeze_time(T0) as frozen:
        image_set_id = seed(mi, ds, instances=2, study_uid=study_uid, series_uid=series_uid, **FULL_TAGS)
        frozen.tick(90 * SECOND)
        metadata(client, ds, image_set_id)

    [summary] = search(client, ds)["imageSetsMetadataSummaries"]

    assert summary == {
        "imageSetId": image_set_id,
        "version": 1,
        "createdAt": T0,
        "updatedAt": T0,
        "lastAccessedAt": T0 + 90 * SECOND,
        "storageTier": "FREQUENT_ACCESS",
        "isPrimary": True,
        "DICOMTags": {
            "DICOMPatientId": "PAT-7",
            "DICOMPatientName": "DOE^JANE",
            "DICOMPatientBirthDate": "19700101",
            "DICOMPatientSex": "F",
            "DICOMStudyInstanceUID": study_uid,
            "DICOMStudyId": "S7",
            "DICOMStudyDescription": "CHEST CT",
            "DICOMAccessionNumber": "ACC-9",
            "DICOMNumberOfStudyRelatedSeries": 1,
            "DICOMNumberOfStudyRelatedInstances": 2,
            "DICOMSeriesInstanceUID": series_uid,
            "DICOMSeriesModality": "CT",
            "DICOMSeriesBodyPart": "CHEST",
            "DICOMSeriesNumber": 3,
            "DICOMStudyDate": "20260102",
            "DICOMStudyTime": "030405",
        },
    }


def test_summary_numbers_are_ints_and_the_rest_strings(mi, client, ds):
    seed(mi, ds, instances=3, **FULL_TAGS)

    [summary] = search(client, ds)["imageSetsMetadataSummaries"]

    numbers = {"DICOMSeriesNumber", "DICOMNumberOfStudyRelatedSeries", "DICOMNumberOfStudyRelatedInstances"}
    tags = summary["DICOMTags"]
    assert isinstance(summary["version"], int)
    assert all(type(tags[name]) is int for name in numbers)
    assert all(isinstance(value, str) for name, value in tags.items() if name not in numbers)
    assert len(tags) == 16


def test_summary_leaves_absent_tags_out(mi, client, ds):
    study_uid, series_uid = generate_uid(), generate_uid()
    seed(mi, ds, study_uid=study_uid, series_uid=series_uid)

    # botocore's parser drops null members, so "left out" (not sent as null) shows only on the wire
    [sent] = wire_json(client, "search_image_sets", datastoreId=ds)["imageSetsMetadataSummaries"]

    assert sent["DICOMTags"] == {
        "DICOMStudyInstanceUID": study_uid,
        "DICOMNumberOfStudyRelatedSeries": 1,
        "DICOMNumberOfStudyRelatedInstances": 1,
        "DICOMSeriesInstanceUID": series_uid,
    }


def test_summary_counts_the_series_and_instances_of_the_image_set(mi, client, ds):
    study_uid = generate_uid()
    series = [generate_uid(), generate_uid()]
    datasets = [make_dataset(study_uid=study_uid, series_uid=series[n % 2]) for n in range(5)]
    mi.create_image_set(ds, datasets)

    [summary] = search(client, ds)["imageSetsMetadataSummaries"]

    assert summary["DICOMTags"]["DICOMNumberOfStudyRelatedSeries"] == 2
    assert summary["DICOMTags"]["DICOMNumberOfStudyRelatedInstances"] == 5


def test_summary_of_an_image_set_never_read_has_no_last_accessed_at(mi, client, ds):
    seed(mi, ds)

    [summary] = search(client, ds)["imageSetsMetadataSummaries"]
    [sent] = wire_json(client, "search_image_sets", datastoreId=ds)["imageSetsMetadataSummaries"]

    assert "lastAccessedAt" not in summary
    assert "lastAccessedAt" not in sent  # not even as null


def test_summary_of_a_non_primary_image_set_says_so(mi, client, ds):
    image_set_id = seed(mi, ds, is_primary=False)

    assert summaries(client, ds)[image_set_id]["isPrimary"] is False


def test_summary_version_is_an_int_the_client_can_pass_back_as_a_version_id(mi, client, ds):
    image_set_id = seed(mi, ds, **FULL_TAGS)
    update(client, ds, image_set_id, "1", study_update(StudyDescription="X"))

    summary = summaries(client, ds)[image_set_id]

    assert summary["version"] == 2
    assert properties(client, ds, image_set_id)["versionId"] == str(summary["version"])


# --- deleted image sets ---------------------------------------------------------------------------------


def test_deleted_image_set_does_not_appear(mi, client, ds, timeline):
    client.delete_image_set(datastoreId=ds, imageSetId=timeline[2])

    assert sorted(found(client, ds)) == sorted(timeline[:2] + timeline[3:])
    assert found(client, ds, equal("DICOMPatientId", "P2")) == []
    assert found(client, ds, equal("createdAt", T0 + 2 * SECOND)) == []
    assert timeline[2] not in found(client, ds, sort=("DICOMStudyDateAndTime", "ASC"))


def test_deleted_image_set_does_not_appear_in_a_series_search(mi, client, ds):
    series_uid = generate_uid()
    kept, dropped = seed_series(mi, ds, [series_uid]), seed_series(mi, ds, [series_uid])

    client.delete_image_set(datastoreId=ds, imageSetId=dropped)

    assert found(client, ds, equal("DICOMSeriesInstanceUID", series_uid)) == [kept]


def test_image_set_still_deleting_appears_until_the_delete_completes(mi, client, ds, timeline):
    mi.transitions = "manual"
    client.delete_image_set(datastoreId=ds, imageSetId=timeline[2])

    assert timeline[2] in found(client, ds)
    assert found(client, ds, equal("DICOMPatientId", "P2")) == [timeline[2]]

    mi.advance()

    assert timeline[2] not in found(client, ds)
    assert found(client, ds, equal("DICOMPatientId", "P2")) == []


# --- updates, reverts and copies ------------------------------------------------------------------------

STUDY_CHANGES = [
    pytest.param("StudyID", "S-OLD", "S-NEW", "DICOMStudyId", True, id="StudyID"),
    pytest.param("AccessionNumber", "A-OLD", "A-NEW", "DICOMAccessionNumber", False, id="AccessionNumber"),
]


@pytest.mark.parametrize(("keyword", "old", "new", "attribute", "force"), STUDY_CHANGES)
def test_after_a_study_change_search_finds_the_new_value_not_the_old(
    mi, client, ds, keyword, old, new, attribute, force
):
    image_set_id = seed(mi, ds, is_primary=False, **{keyword: old})
    other = seed(mi, ds, is_primary=False, **{keyword: old})

    update(client, ds, image_set_id, "1", study_update(**{keyword: new}), force=force)

    assert found(client, ds, equal(attribute, new)) == [image_set_id]
    assert found(client, ds, equal(attribute, old)) == [other]
    summary = summaries(client, ds, equal(attribute, new))[image_set_id]
    assert summary["version"] == 2
    assert summary["DICOMTags"][attribute] == new


def test_after_a_study_description_change_the_summary_shows_it(mi, client, ds):
    image_set_id = seed(mi, ds, StudyDescription="OLD")

    update(client, ds, image_set_id, "1", study_update(StudyDescription="NEW"))

    summary = summaries(client, ds)[image_set_id]
    assert summary["DICOMTags"]["DICOMStudyDescription"] == "NEW"
    assert summary["version"] == 2


def test_after_a_study_date_change_search_finds_the_new_date_not_the_old(mi, client, ds):
    image_set_id = seed(mi, ds, StudyDate="20260102", StudyTime="030405")

    update(client, ds, image_set_id, "1", study_update(StudyDate="20250607", StudyTime="101010"))

    assert found(client, ds, equal("DICOMStudyDateAndTime", moment("20250607", "101010"))) == [image_set_id]
    assert found(client, ds, equal("DICOMStudyDateAndTime", moment("20260102"))) == []


def test_after_a_patient_id_change_search_finds_the_new_id_not_the_old(mi, client, ds):
    image_set_id = seed(mi, ds, is_primary=False, PatientID="OLD")

    update(client, ds, image_set_id, "1", patient_update(PatientID="NEW"))

    assert found(client, ds, equal("DICOMPatientId", "NEW")) == [image_set_id]
    assert found(client, ds, equal("DICOMPatientId", "OLD")) == []


def test_after_a_series_uid_change_search_finds_the_new_series_not_the_old(mi, client, ds):
    old_series, new_series = generate_uid(), generate_uid()
    image_set_id = seed(mi, ds, is_primary=False, series_uid=old_series)
    blob = {
        "SchemaVersion": 1.1,
        "Study": {"Series": {old_series: {"DICOM": {"SeriesInstanceUID": new_series}}}},
    }

    update(client, ds, image_set_id, "1", blob, force=True)

    assert found(client, ds, equal("DICOMSeriesInstanceUID", new_series)) == [image_set_id]
    assert found(client, ds, equal("DICOMSeriesInstanceUID", old_series)) == []


def test_an_updated_image_set_comes_first_under_the_default_sort(mi, client, ds, timeline):
    with freeze_time(T0 + 60 * SECOND):
        update(client, ds, timeline[0], "1", study_update(StudyDescription="X"))

    assert found(client, ds) == [timeline[0], *reversed(timeline[1:])]
    assert found(client, ds, sort=("createdAt", "DESC")) == list(reversed(timeline))


def test_an_update_in_flight_is_found_by_its_new_value(mi, client, ds):
    image_set_id = seed(mi, ds, AccessionNumber="OLD")
    mi.transitions = "manual"

    update(client, ds, image_set_id, "1", study_update(AccessionNumber="NEW"))

    assert found(client, ds, equal("DICOMAccessionNumber", "NEW")) == [image_set_id]
    mi.advance()
    assert found(client, ds, equal("DICOMAccessionNumber", "NEW")) == [image_set_id]
    assert found(client, ds, equal("DICOMAccessionNumber", "OLD")) == []


def test_after_a_revert_search_finds_the_old_value_again(mi, client, ds):
    image_set_id = seed(mi, ds, AccessionNumber="OLD")
    update(client, ds, image_set_id, "1", study_update(AccessionNumber="NEW"))

    client.update_image_set_metadata(
        datastoreId=ds,
        imageSetId=image_set_id,
        latestVersionId="2",
        updateImageSetMetadataUpdates={"revertToVersionId": "1"},
    )

    assert found(client, ds, equal("DICOMAccessionNumber", "OLD")) == [image_set_id]
    assert found(client, ds, equal("DICOMAccessionNumber", "NEW")) == []
    assert summaries(client, ds)[image_set_id]["version"] == 3


def test_a_forced_multi_valued_study_id_keeps_the_image_set_searchable(mi, client, ds):
    image_set_id = seed(mi, ds, is_primary=False, StudyID="S1", PatientID="P1")

    update(client, ds, image_set_id, "1", study_update(StudyID=["A", "B"]), force=True)

    assert properties(client, ds, image_set_id)["imageSetState"] == "ACTIVE"
    assert found(client, ds, equal("DICOMPatientId", "P1")) == [image_set_id]
    assert found(client, ds, equal("DICOMStudyId", "S1")) == []


def test_a_copy_appears_as_a_new_non_primary_image_set(mi, client, ds):
    with freeze_time(T0) as frozen:
        source = seed(mi, ds, PatientID="P1")
        frozen.tick(SECOND)
        response = client.copy_image_set(
            datastoreId=ds,
            sourceImageSetId=source,
            copyImageSetInformation={"sourceImageSet": {"latestVersionId": "1"}},
        )
        properties(client, ds, response["destinationImageSetProperties"]["imageSetId"])
    copied = response["destinationImageSetProperties"]["imageSetId"]

    assert found(client, ds, equal("DICOMPatientId", "P1")) == [copied, source]
    assert found(client, ds, equal("isPrimary", False)) == [copied]
    summary = summaries(client, ds)[copied]
    assert (summary["isPrimary"], summary["version"]) == (False, 1)
    assert summary["DICOMTags"]["DICOMPatientId"] == "P1"


# --- cursors --------------------------------------------------------------------------------------------


@pytest.fixture
def twelve(mi, ds) -> list[str]:
    """Twelve image sets created one second apart, newest first (the default order)."""
    with freeze_time(T0) as frozen:
        created = []
        for n in range(12):
            created.append(seed(mi, ds, PatientID="P", StudyDate=f"202601{n + 1:02d}", is_primary=n % 3 != 0))
            frozen.tick(SECOND)
    return list(reversed(created))


def test_next_token_is_given_while_more_remain_and_absent_on_the_last_page(client, ds, twelve):
    first = client.search_image_sets(datastoreId=ds, maxResults=5)
    second = client.search_image_sets(datastoreId=ds, maxResults=5, nextToken=first["nextToken"])
    third = client.search_image_sets(datastoreId=ds, maxResults=5, nextToken=second["nextToken"])

    pages = [[s["imageSetId"] for s in page["imageSetsMetadataSummaries"]] for page in (first, second, third)]
    assert pages == [twelve[:5], twelve[5:10], twelve[10:]]
    assert "nextToken" not in third


def test_a_page_that_ends_exactly_at_the_last_item_has_no_next_token(client, ds, twelve):
    first = client.search_image_sets(datastoreId=ds, maxResults=6)
    second = client.search_image_sets(datastoreId=ds, maxResults=6, nextToken=first["nextToken"])

    assert len(second["imageSetsMetadataSummaries"]) == 6
    assert "nextToken" not in second


def test_without_max_results_a_page_holds_up_to_50(mi, client, ds):
    with freeze_time(T0) as frozen:
        for _ in range(51):
            seed(mi, ds)
            frozen.tick(MILLISECOND)

    first = client.search_image_sets(datastoreId=ds)
    second = client.search_image_sets(datastoreId=ds, nextToken=first["nextToken"])

    assert len(first["imageSetsMetadataSummaries"]) == 50
    assert len(second["imageSetsMetadataSummaries"]) == 1
    assert "nextToken" not in second


QUERIES = [
    pytest.param({}, id="everything"),
    pytest.param(criteria(sort=("createdAt", "ASC")), id="createdAt-ASC"),
    pytest.param(criteria(sort=("DICOMStudyDateAndTime", "DESC")), id="study-DESC"),
    pytest.param(criteria(equal("isPrimary", True)), id="isPrimary"),
    pytest.param(criteria(equal("DICOMPatientId", "P"), sort=("updatedAt", "ASC")), id="patient-ASC"),
    pytest.param(criteria(between("createdAt", T0 + 2 * SECOND, T0 + 9 * SECOND)), id="createdAt-BETWEEN"),
    pytest.param(
        criteria(
            between("DICOMStudyDateAndTime", moment("20260103"), moment("20260110")),
            sort=("createdAt", "ASC"),
        ),
        id="study-BETWEEN",
    ),
]


@pytest.mark.parametrize("page_size", [1, 2, 3, 7, 50])
@pytest.mark.parametrize("search_criteria", QUERIES)
def test_paginator_returns_every_image_set_once_in_order(client, ds, twelve, search_criteria, page_size):
    whole = client.search_image_sets(datastoreId=ds, searchCriteria=search_criteria, maxResults=50)
    expected = [s["imageSetId"] for s in whole["imageSetsMetadataSummaries"]]

    result = paginated(client, ds, search_criteria, page_size)

    assert result == expected
    assert len(set(result)) == len(result)


def test_paginator_over_twelve_returns_them_newest_first(client, ds, twelve):
    assert paginated(client, ds, {}, 5) == twelve


def first_token(client, ds: str, search_criteria: dict) -> str:
    response = client.search_image_sets(datastoreId=ds, searchCriteria=search_criteria, maxResults=2)
    return response["nextToken"]


@pytest.mark.parametrize(
    "other",
    [
        pytest.param(criteria(equal("isPrimary", True)), id="another-filter"),
        pytest.param(criteria(equal("DICOMPatientId", "Q")), id="another-value"),
        pytest.param(criteria(sort=("createdAt", "ASC")), id="another-sort-field"),
        pytest.param(criteria(sort=("updatedAt", "ASC")), id="another-sort-order"),
    ],
)
def test_a_token_from_another_query_is_refused(client, ds, twelve, other):
    token = first_token(client, ds, criteria(equal("DICOMPatientId", "P")))

    code, _ = refusal(client.search_image_sets, datastoreId=ds, searchCriteria=other, nextToken=token)

    assert code == "ValidationException"


def test_a_token_is_accepted_with_another_page_size(client, ds, twelve):
    token = first_token(client, ds, {})

    response = client.search_image_sets(datastoreId=ds, nextToken=token, maxResults=3)

    assert [s["imageSetId"] for s in response["imageSetsMetadataSummaries"]] == twelve[2:5]


def test_a_token_from_another_datastore_is_refused(mi, client, ds, twelve):
    other = new_datastore(client, "other")
    for _ in range(3):
        seed(mi, other)
    token = first_token(client, other, {})

    code, _ = refusal(client.search_image_sets, datastoreId=ds, searchCriteria={}, nextToken=token)

    assert code == "ValidationException"


def test_a_token_from_another_operation_is_refused(mi, client, ds, twelve):
    for name in ("a", "b"):
        new_datastore(client, name)
    token = client.list_datastores(maxResults=1)["nextToken"]

    code, _ = refusal(client.search_image_sets, datastoreId=ds, nextToken=token)

    assert code == "ValidationException"


ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def tampered(token: str, position: int) -> str:
    replacement = ALPHABET[(ALPHABET.index(token[position]) + 1) % len(ALPHABET)]
    return token[:position] + replacement + token[position + 1 :]


def tokens_of_every_length(mi, client, ds: str) -> list[str]:
    """Tokens whose cursors hold createdAt keys of three lengths (x.5, x.25, x.125 seconds), so that the
    tokens' byte lengths leave every remainder modulo 3 (some base64 tokens then end in padding)."""
    start = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    for offset in (0.5, 1.25, 2.125, 3.0):
        with freeze_time(start + timedelta(seconds=offset)):
            seed(mi, ds)
    search_criteria = criteria(sort=("createdAt", "ASC"))
    found_tokens = []
    token = None
    for _ in range(3):
        extra = {} if token is None else {"nextToken": token}
        token = client.search_image_sets(
            datastoreId=ds, searchCriteria=search_criteria, maxResults=1, **extra
        )["nextToken"]
        found_tokens.append(token)
    return found_tokens


def test_a_token_with_any_one_character_changed_is_refused(mi, client, ds):
    search_criteria = criteria(sort=("createdAt", "ASC"))
    accepted = []
    for token in tokens_of_every_length(mi, client, ds):
        for position, character in enumerate(token):
            if character == "=":
                continue
            changed = tampered(token, position)
            try:
                client.search_image_sets(datastoreId=ds, searchCriteria=search_criteria, nextToken=changed)
            except ClientError as err:
                assert err.response["Error"]["Code"] == "ValidationException"
            else:
                accepted.append(f"{token} -> {changed}")

    assert accepted == []


def test_a_token_with_its_first_character_changed_is_refused(client, ds, twelve):
    token = first_token(client, ds, {})
    changed = tampered(token, 0)

    code, _ = refusal(client.search_image_sets, datastoreId=ds, searchCriteria={}, nextToken=changed)

    assert code == "ValidationException"


@pytest.mark.parametrize("token", ["not-a-token", "AAAA", "=", "x" * 40])
def test_a_token_that_was_never_issued_is_refused(client, ds, twelve, token):
    code, _ = refusal(client.search_image_sets, datastoreId=ds, nextToken=token)

    assert code == "ValidationException"


def test_max_results_above_50_is_refused(client, ds, twelve):
    code, _ = refusal(client.search_image_sets, datastoreId=ds, maxResults=51)

    assert code == "ValidationException"


def test_max_results_of_50_is_accepted(client, ds, twelve):
    response = client.search_image_sets(datastoreId=ds, maxResults=50)

    assert len(response["imageSetsMetadataSummaries"]) == 12


def test_search_of_a_datastore_still_creating_is_a_conflict(mi, client):
    mi.transitions = "manual"
    datastore_id = client.create_datastore(datastoreName="creating")["datastoreId"]

    code, _ = refusal(client.search_image_sets, datastoreId=datastore_id)

    assert code == "ConflictException"


def test_search_of_a_datastore_being_deleted_is_a_conflict(mi, client, ds):
    mi.transitions = "manual"
    client.delete_datastore(datastoreId=ds)

    code, _ = refusal(client.search_image_sets, datastoreId=ds)

    assert code == "ConflictException"


def test_search_of_a_datastore_that_does_not_exist_is_not_found(client):
    code, _ = refusal(client.search_image_sets, datastoreId="0123456789abcdef0123456789abcdef")

    assert code == "ResourceNotFoundException"


STABILITY = [
    # (sort, time that sorts before the cursor, time that sorts after every item)
    pytest.param(None, T0 + 60 * SECOND, T0 - 60 * SECOND, id="updatedAt-DESC"),
    pytest.param(("createdAt", "ASC"), T0 - 60 * SECOND, T0 + 60 * SECOND, id="createdAt-ASC"),
    pytest.param(("updatedAt", "ASC"), T0 - 60 * SECOND, T0 + 60 * SECOND, id="updatedAt-ASC"),
    pytest.param(("createdAt", "DESC"), T0 + 60 * SECOND, T0 - 60 * SECOND, id="createdAt-DESC"),
]


@pytest.mark.parametrize(("sort", "sorts_before", "sorts_after"), STABILITY)
def test_items_that_keep_their_place_come_once_while_others_come_and_go(
    mi, client, ds, sort, sorts_before, sorts_after
):
    with freeze_time(T0) as frozen:
        created = []
        for _ in range(8):
            created.append(seed(mi, ds))
            frozen.tick(SECOND)
    order = created if sort is not None and sort[1] == "ASC" else list(reversed(created))
    search_criteria = criteria(sort=sort)
    first = client.search_image_sets(datastoreId=ds, searchCriteria=search_criteria, maxResults=3)

    with freeze_time(sorts_before):
        seed(mi, ds)
    with freeze_time(sorts_after):
        late = seed(mi, ds)
    client.delete_image_set(datastoreId=ds, imageSetId=order[5])
    rest = []
    token = first["nextToken"]
    while token:
        page = client.search_image_sets(
            datastoreId=ds, searchCriteria=search_criteria, maxResults=2, nextToken=token
        )
        rest += [s["imageSetId"] for s in page["imageSetsMetadataSummaries"]]
        token = page.get("nextToken")

    assert [s["imageSetId"] for s in first["imageSetsMetadataSummaries"]] == order[:3]
    assert rest == [*order[3:5], *order[6:], late]


def test_deleting_the_last_item_returned_does_not_lose_the_place(mi, client, ds, twelve):
    first = client.search_image_sets(datastoreId=ds, maxResults=4)
    client.delete_image_set(datastoreId=ds, imageSetId=twelve[3])

    second = client.search_image_sets(datastoreId=ds, maxResults=4, nextToken=first["nextToken"])

    assert [s["imageSetId"] for s in second["imageSetsMetadataSummaries"]] == twelve[4:8]


def test_a_token_over_a_filter_survives_new_image_sets_between_pages(mi, client, ds, twelve):
    search_criteria = criteria(equal("DICOMPatientId", "P"), sort=("DICOMStudyDateAndTime", "ASC"))
    first = client.search_image_sets(datastoreId=ds, searchCriteria=search_criteria, maxResults=4)
    earlier = seed(mi, ds, PatientID="P", StudyDate="20251231")
    later = seed(mi, ds, PatientID="P", StudyDate="20270101")

    rest = paginated_from(client, ds, search_criteria, first["nextToken"])

    oldest_study_first = list(reversed(twelve))
    assert [s["imageSetId"] for s in first["imageSetsMetadataSummaries"]] == oldest_study_first[:4]
    assert rest == [*oldest_study_first[4:], later]
    assert earlier not in rest


def paginated_from(client, ds: str, search_criteria: dict, token: str, page_size: int = 3) -> list[str]:
    ids = []
    while token:
        page = client.search_image_sets(
            datastoreId=ds, searchCriteria=search_criteria, maxResults=page_size, nextToken=token
        )
        ids += [s["imageSetId"] for s in page["imageSetsMetadataSummaries"]]
        token = page.get("nextToken")
    return ids
