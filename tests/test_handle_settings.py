"""The handle checks what it is given when it is given it: a bad fault or transitions setting is a ValueError
at once, never a failure of some later call; seeding says what is wrong with its input, and raises the
service's own error (`medimaging_mock.ServiceError`) for a datastore that cannot take an image set."""

from __future__ import annotations

import math
import threading
from datetime import timedelta

import boto3
import pytest
from botocore.config import Config
from dicom_factory import gray_frames, make_dataset

import medimaging_mock
from medimaging_mock import ServiceError

UNKNOWN_ID = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def client(medical_imaging_client):
    """The same mock, without retries, so a first failure shows."""
    return boto3.client(
        "medical-imaging", region_name="us-east-1", config=Config(retries={"total_max_attempts": 1})
    )


# --- mi.faults.add -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "latency",
    [-1, -0.001, math.nan, math.inf, True, "0.5", 10**400, threading.TIMEOUT_MAX * 2],
    ids=["negative", "slightly-negative", "nan", "inf", "bool", "str", "huge-int", "beyond-timeout-max"],
)
def test_a_latency_that_is_not_a_wait_is_refused_when_added(medical_imaging, client, latency):
    with pytest.raises(ValueError, match="latency"):
        medical_imaging.faults.add("ListDatastores", latency=latency)

    assert client.list_datastores()["datastoreSummaries"] == []


@pytest.mark.parametrize("times", [0, -1, True, 1.5, "2", None], ids=str)
def test_times_that_is_not_a_whole_number_of_at_least_one_is_refused_when_added(
    medical_imaging, client, times
):
    with pytest.raises(ValueError, match="times"):
        medical_imaging.faults.add("ListDatastores", "ThrottlingException", times=times)

    assert client.list_datastores()["datastoreSummaries"] == []


@pytest.mark.parametrize("latency", [0, 0.0, 0.01], ids=str)
def test_a_zero_or_small_latency_delays_and_then_answers(medical_imaging, client, latency):
    medical_imaging.faults.add("ListDatastores", latency=latency, times=2)

    assert [client.list_datastores()["datastoreSummaries"] for _ in range(3)] == [[], [], []]


def test_a_fault_applies_to_a_dicomweb_operation_as_to_any_other(medical_imaging, client, datastore_id):
    from dicomweb_helpers import datastore_root, signed_session

    medical_imaging.faults.add("SearchDICOMStudies", "ThrottlingException")
    session = signed_session()

    throttled = session.get(f"{datastore_root(datastore_id)}/studies")
    answered = session.get(f"{datastore_root(datastore_id)}/studies")

    assert (throttled.status_code, throttled.headers["x-amzn-ErrorType"]) == (429, "ThrottlingException")
    assert (answered.status_code, answered.json()) == (200, [])


def test_a_dicomweb_fault_names_only_errors_dicomweb_answers(medical_imaging):
    with pytest.raises(ValueError, match="does not model 'ServiceQuotaExceededException'"):
        medical_imaging.faults.add("GetDICOMInstance", "ServiceQuotaExceededException")
    with pytest.raises(ValueError, match="'GetDICOMStudy' is not a medical-imaging operation"):
        medical_imaging.faults.add("GetDICOMStudy", latency=0.1)


def test_times_counts_the_failing_calls(medical_imaging, client):
    medical_imaging.faults.add("ListDatastores", "AccessDeniedException", times=2)

    outcomes = []
    for _ in range(3):
        try:
            client.list_datastores()
            outcomes.append("ok")
        except client.exceptions.AccessDeniedException:
            outcomes.append("denied")

    assert outcomes == ["denied", "denied", "ok"]


def datastore_status(client, datastore_id: str) -> str:
    return client.get_datastore(datastoreId=datastore_id)["datastoreProperties"]["datastoreStatus"]


# --- mi.transitions ----------------------------------------------------------------------------------------

PAST_THE_YEAR_9999 = timedelta(days=9000 * 366).total_seconds()  # within timedelta's range, not datetime's


@pytest.mark.parametrize(
    "mode",
    [
        math.inf,
        math.nan,
        -1,
        True,
        "30",
        "Immediate",
        None,
        10**400,
        1e20,
        timedelta.max.total_seconds() + 1,
        PAST_THE_YEAR_9999,
    ],
    ids=[
        "inf",
        "nan",
        "negative",
        "bool",
        "number-as-str",
        "wrong-case",
        "none",
        "huge-int",
        "beyond-timedelta",
        "just-beyond-timedelta-max",
        "past-the-year-9999",
    ],
)
def test_a_transitions_setting_that_cannot_be_a_delay_is_refused_when_set(medical_imaging, client, mode):
    with pytest.raises(ValueError, match="transitions"):
        medical_imaging.transitions = mode

    assert medical_imaging.transitions == "immediate"
    datastore_id = client.create_datastore(datastoreName="after")["datastoreId"]
    assert datastore_status(client, datastore_id) == "ACTIVE"


def test_a_long_delay_holds_work_in_flight_without_failing(medical_imaging, client):
    medical_imaging.transitions = timedelta(days=365 * 1000).total_seconds()

    datastore_id = client.create_datastore(datastoreName="waiting")["datastoreId"]

    assert datastore_status(client, datastore_id) == "CREATING"
    medical_imaging.advance()
    assert datastore_status(client, datastore_id) == "ACTIVE"


# --- mi.create_image_set -----------------------------------------------------------------------------------


def test_service_error_is_exported_from_the_package():
    assert "ServiceError" in medimaging_mock.__all__
    assert medimaging_mock.ServiceError is ServiceError


def test_a_path_that_does_not_exist_is_refused_saying_so(medical_imaging, datastore_id, tmp_path):
    missing = tmp_path / "nowhere" / "ct.dcm"

    with pytest.raises(ValueError, match="No such file or directory") as err:
        medical_imaging.create_image_set(datastore_id, [missing])

    assert str(missing) in str(err.value)
    assert "not a DICOM" not in str(err.value)


def test_a_directory_is_refused_saying_so(medical_imaging, datastore_id, tmp_path):
    with pytest.raises(ValueError, match=r"[Ii]s a directory"):
        medical_imaging.create_image_set(datastore_id, [tmp_path])


def seed(medical_imaging, datastore_id: str) -> str:
    return medical_imaging.create_image_set(datastore_id, [make_dataset(gray_frames(1, 2, 2))])


def test_seeding_a_datastore_still_creating_raises_the_services_conflict(medical_imaging, client):
    medical_imaging.transitions = "manual"
    datastore_id = client.create_datastore(datastoreName="creating")["datastoreId"]

    with pytest.raises(ServiceError) as err:
        seed(medical_imaging, datastore_id)

    assert err.value.code == "ConflictException"
    assert datastore_id in err.value.message


def test_seeding_a_datastore_being_deleted_raises_the_services_conflict(
    medical_imaging, client, datastore_id
):
    medical_imaging.transitions = "manual"
    client.delete_datastore(datastoreId=datastore_id)

    with pytest.raises(ServiceError) as err:
        seed(medical_imaging, datastore_id)

    assert err.value.code == "ConflictException"


def test_seeding_an_unknown_datastore_raises_the_services_not_found(medical_imaging):
    with pytest.raises(ServiceError) as err:
        seed(medical_imaging, UNKNOWN_ID)

    assert err.value.code == "ResourceNotFoundException"
    assert UNKNOWN_ID in err.value.message
