"""How the mock is switched on and controlled: decorator, context manager, start/stop, fixtures, nesting,
moto interplay, accounts and regions, the handle (backend, transitions, faults), and interception."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time
import unittest

import boto3
import pytest
import requests
from aws_helpers import error_code, http_status
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.exceptions import ClientError
from freezegun import freeze_time
from moto import mock_aws
from moto.core.models import botocore_stubber

from medimaging_mock import MedicalImagingHandle, mock_medical_imaging
from medimaging_mock.interception import botocore_hook
from medimaging_mock.service.calls import OPERATIONS

NO_RETRIES = Config(retries={"total_max_attempts": 1})


def new_client(region: str = "us-east-1", **kwargs):
    return boto3.client("medical-imaging", region_name=region, **kwargs)


def listed_ids(client, **kwargs) -> list[str]:
    return [d["datastoreId"] for d in client.list_datastores(**kwargs)["datastoreSummaries"]]


def status_of(client, datastore_id: str) -> str:
    return client.get_datastore(datastoreId=datastore_id)["datastoreProperties"]["datastoreStatus"]


# --- the three activation forms -------------------------------------------------------------------------


@mock_medical_imaging
def test_decorator_on_a_function_serves_medical_imaging():
    client = new_client()
    assert listed_ids(client) == []

    datastore_id = client.create_datastore(datastoreName="decorated")["datastoreId"]

    assert status_of(client, datastore_id) == "ACTIVE"


def test_decorator_on_a_function_starts_each_call_with_fresh_state():
    @mock_medical_imaging
    def list_then_create(name: str) -> list[str]:
        client = new_client()
        seen = listed_ids(client)
        client.create_datastore(datastoreName=name)
        return seen

    assert list_then_create("first") == []
    assert list_then_create("second") == []


@mock_medical_imaging
class TestDecoratedTestCaseWithSetUp(unittest.TestCase):
    def setUp(self):
        self.client = new_client()
        self.datastore_id = self.client.create_datastore(datastoreName="from-set-up")["datastoreId"]

    def test_sees_the_datastore_created_in_set_up(self):
        assert listed_ids(self.client) == [self.datastore_id]
        self.client.create_datastore(datastoreName="extra")

    def test_state_is_fresh_for_each_test(self):
        assert listed_ids(self.client) == [self.datastore_id]
        self.client.create_datastore(datastoreName="extra")


@mock_medical_imaging
class TestDecoratedTestCaseWithoutSetUp(unittest.TestCase):
    def test_first(self):
        client = new_client()
        assert listed_ids(client) == []
        client.create_datastore(datastoreName="first")

    def test_second(self):
        client = new_client()
        assert listed_ids(client) == []
        client.create_datastore(datastoreName="second")


@mock_medical_imaging
class TestDecoratedPlainClass:
    def test_first(self):
        client = new_client()
        assert listed_ids(client) == []
        client.create_datastore(datastoreName="first")

    def test_second(self):
        client = new_client()
        assert listed_ids(client) == []
        client.create_datastore(datastoreName="second")


def test_decorated_test_case_gives_each_test_fresh_state_whatever_the_order():
    """The classes above only show it when one worker runs both of their tests; this runs them in turn."""
    seen: list[list[str]] = []

    @mock_medical_imaging
    class Case(unittest.TestCase):
        def setUp(self):
            self.client = new_client()
            self.datastore_id = self.client.create_datastore(datastoreName="from-set-up")["datastoreId"]

        def test_a(self):
            seen.append([i for i in listed_ids(self.client) if i != self.datastore_id])
            self.client.create_datastore(datastoreName="left-behind")

        def test_b(self):
            self.test_a()

    result = unittest.TextTestRunner(stream=io.StringIO()).run(
        unittest.defaultTestLoader.loadTestsFromTestCase(Case)
    )

    assert result.wasSuccessful(), result.errors + result.failures
    assert seen == [[], []]


def test_decorated_plain_class_gives_each_test_method_fresh_state():
    @mock_medical_imaging
    class Plain:
        def test_a(self) -> list[str]:
            client = new_client()
            seen = listed_ids(client)
            client.create_datastore(datastoreName="left-behind")
            return seen

        def test_b(self) -> list[str]:
            return self.test_a()

    plain = Plain()

    assert [plain.test_a(), plain.test_b(), plain.test_a()] == [[], [], []]


def test_context_manager_yields_the_handle_that_controls_this_mock():
    with mock_medical_imaging() as mi:
        assert isinstance(mi, MedicalImagingHandle)
        assert mi.transitions == "immediate"
        client = new_client(config=NO_RETRIES)
        mi.transitions = "manual"
        datastore_id = client.create_datastore(datastoreName="ds")["datastoreId"]
        assert status_of(client, datastore_id) == "CREATING"

        mi.advance()

        assert status_of(client, datastore_id) == "ACTIVE"
        assert mi.backend().datastores[datastore_id].status == "ACTIVE"
        mi.faults.add("GetDatastore", "ThrottlingException")
        with pytest.raises(ClientError) as err:
            status_of(client, datastore_id)
        assert error_code(err) == "ThrottlingException"
        mi.faults.add("GetDatastore", "ThrottlingException")
        mi.faults.clear()
        assert status_of(client, datastore_id) == "ACTIVE"


def test_start_returns_the_handle_and_stop_ends_the_mock():
    m = mock_medical_imaging()
    mi = m.start()
    try:
        assert isinstance(mi, MedicalImagingHandle)
        assert botocore_stubber.enabled
        datastore_id = new_client().create_datastore(datastoreName="ds")["datastoreId"]
        assert mi.backend().datastores[datastore_id].name == "ds"
    finally:
        m.stop()
    assert not botocore_stubber.enabled


def test_medical_imaging_fixture_is_the_handle_inside_a_started_mock(medical_imaging):
    assert isinstance(medical_imaging, MedicalImagingHandle)
    assert botocore_stubber.enabled
    assert medical_imaging.transitions == "immediate"


def test_medical_imaging_client_fixture_shares_the_mock_with_the_handle(
    medical_imaging, medical_imaging_client
):
    assert medical_imaging_client.meta.region_name == "us-east-1"

    datastore_id = medical_imaging_client.create_datastore(datastoreName="ds")["datastoreId"]

    assert medical_imaging.backend().datastores[datastore_id].name == "ds"


# --- fresh state and nesting ----------------------------------------------------------------------------


def test_state_is_fresh_at_each_outermost_start():
    with mock_medical_imaging():
        client = new_client()
        client.create_datastore(datastoreName="first-block")
        assert len(listed_ids(client)) == 1

    with mock_medical_imaging():
        assert listed_ids(new_client()) == []


def test_start_stop_form_starts_with_fresh_state():
    with mock_medical_imaging():
        new_client().create_datastore(datastoreName="earlier")

    m = mock_medical_imaging()
    m.start()
    try:
        assert listed_ids(new_client()) == []
    finally:
        m.stop()


def test_inner_start_and_stop_keep_the_outer_state():
    with mock_medical_imaging():
        client = new_client()
        outer = client.create_datastore(datastoreName="outer")["datastoreId"]

        inner_mock = mock_medical_imaging()
        inner_mock.start()
        assert listed_ids(new_client()) == [outer]
        inner = client.create_datastore(datastoreName="inner")["datastoreId"]
        inner_mock.stop()

        assert sorted(listed_ids(client)) == sorted([outer, inner])


def test_mock_medical_imaging_nested_in_mock_aws_keeps_the_outer_datastores():
    with mock_aws():
        client = new_client()
        outer = client.create_datastore(datastoreName="outer")["datastoreId"]
        with mock_medical_imaging():
            assert listed_ids(new_client()) == [outer]
        assert listed_ids(client) == [outer]


def test_nested_start_keeps_transitions_and_faults():
    with mock_medical_imaging() as mi:
        mi.transitions = "manual"
        mi.faults.add("ListDatastores", "ThrottlingException")
        with mock_medical_imaging() as inner:
            assert inner.transitions == "manual"
            with pytest.raises(ClientError) as err:
                new_client(config=NO_RETRIES).list_datastores()
            assert error_code(err) == "ThrottlingException"


# --- moto interplay -------------------------------------------------------------------------------------


@mock_aws
def test_plain_mock_aws_serves_medical_imaging():
    client = new_client()

    datastore_id = client.create_datastore(datastoreName="via-moto")["datastoreId"]

    properties = client.get_datastore(datastoreId=datastore_id)["datastoreProperties"]
    assert properties["datastoreName"] == "via-moto"
    assert properties["datastoreStatus"] == "ACTIVE"


def test_plain_mock_aws_state_is_fresh_at_each_start():
    with mock_aws():
        new_client().create_datastore(datastoreName="first")
    with mock_aws():
        assert listed_ids(new_client()) == []


def test_plain_mock_aws_after_a_manual_mock_completes_work_immediately():
    with mock_medical_imaging() as mi:
        mi.transitions = "manual"

    with mock_aws():
        client = new_client()
        datastore_id = client.create_datastore(datastoreName="ds")["datastoreId"]
        assert status_of(client, datastore_id) == "ACTIVE"


def test_plain_mock_aws_does_not_inherit_faults_of_an_earlier_mock():
    with mock_medical_imaging() as mi:
        mi.faults.add("ListDatastores", "ThrottlingException")

    with mock_aws():
        assert listed_ids(new_client(config=NO_RETRIES)) == []


def test_moto_s3_works_inside_mock_medical_imaging(medical_imaging):
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="dicom-input")

    s3.put_object(Bucket="dicom-input", Key="study/1.dcm", Body=b"DICM")

    assert s3.get_object(Bucket="dicom-input", Key="study/1.dcm")["Body"].read() == b"DICM"


# --- accounts and regions -------------------------------------------------------------------------------


def test_regions_are_isolated(medical_imaging):
    east = new_client("us-east-1")
    west = new_client("eu-west-1")

    east_id = east.create_datastore(datastoreName="east")["datastoreId"]

    assert listed_ids(west) == []
    assert listed_ids(east) == [east_id]
    with pytest.raises(ClientError) as err:
        west.get_datastore(datastoreId=east_id)
    assert error_code(err) == "ResourceNotFoundException"


def test_an_arbitrary_region_name_works(medical_imaging):
    client = new_client("ap-south-2")

    datastore_id = client.create_datastore(datastoreName="far-away")["datastoreId"]

    properties = client.get_datastore(datastoreId=datastore_id)["datastoreProperties"]
    assert (
        properties["datastoreArn"]
        == f"arn:aws:medical-imaging:ap-south-2:123456789012:datastore/{datastore_id}"
    )
    assert medical_imaging.backend("ap-south-2").datastores[datastore_id].name == "far-away"


def test_moto_account_id_sets_the_account_and_isolates_the_state(medical_imaging, monkeypatch):
    client = new_client()
    default_id = client.create_datastore(datastoreName="default-account")["datastoreId"]

    monkeypatch.setenv("MOTO_ACCOUNT_ID", "111122223333")
    other_id = client.create_datastore(datastoreName="other-account")["datastoreId"]

    arn = client.get_datastore(datastoreId=other_id)["datastoreProperties"]["datastoreArn"]
    assert arn == f"arn:aws:medical-imaging:us-east-1:111122223333:datastore/{other_id}"
    assert listed_ids(client) == [other_id]
    assert medical_imaging.backend().datastores[other_id].name == "other-account"

    monkeypatch.delenv("MOTO_ACCOUNT_ID")
    assert listed_ids(client) == [default_id]


def test_backend_gives_the_state_of_a_region_and_account(medical_imaging):
    east_id = new_client("us-east-1").create_datastore(datastoreName="east")["datastoreId"]
    west_id = new_client("eu-west-1").create_datastore(datastoreName="west")["datastoreId"]

    assert medical_imaging.backend().datastores[east_id].status == "ACTIVE"
    assert medical_imaging.backend("eu-west-1", "123456789012").datastores[west_id].name == "west"
    assert list(medical_imaging.backend("eu-west-1").datastores) == [west_id]
    assert medical_imaging.backend("us-east-1", "111122223333").datastores == {}


# --- transitions ----------------------------------------------------------------------------------------


def test_manual_transitions_keep_a_datastore_creating_until_advance(medical_imaging, medical_imaging_client):
    medical_imaging.transitions = "manual"
    datastore_id = medical_imaging_client.create_datastore(datastoreName="ds")["datastoreId"]

    assert status_of(medical_imaging_client, datastore_id) == "CREATING"
    assert status_of(medical_imaging_client, datastore_id) == "CREATING"

    medical_imaging.advance()

    assert status_of(medical_imaging_client, datastore_id) == "ACTIVE"


def test_manual_transitions_keep_a_datastore_deleting_until_advance(medical_imaging, medical_imaging_client):
    datastore_id = medical_imaging_client.create_datastore(datastoreName="ds")["datastoreId"]
    medical_imaging.transitions = "manual"

    assert medical_imaging_client.delete_datastore(datastoreId=datastore_id)["datastoreStatus"] == "DELETING"
    assert status_of(medical_imaging_client, datastore_id) == "DELETING"
    assert listed_ids(medical_imaging_client, datastoreStatus="DELETING") == [datastore_id]

    medical_imaging.advance()

    assert listed_ids(medical_imaging_client) == []


def test_advance_completes_work_in_every_region(medical_imaging):
    medical_imaging.transitions = "manual"
    east = new_client("us-east-1")
    west = new_client("eu-west-1")
    east_id = east.create_datastore(datastoreName="east")["datastoreId"]
    west_id = west.create_datastore(datastoreName="west")["datastoreId"]

    medical_imaging.advance()

    assert status_of(east, east_id) == "ACTIVE"
    assert status_of(west, west_id) == "ACTIVE"


def test_seconds_transitions_follow_the_frozen_clock_on_create(medical_imaging, medical_imaging_client):
    medical_imaging.transitions = 30
    with freeze_time("2024-01-01 00:00:00") as frozen:
        datastore_id = medical_imaging_client.create_datastore(datastoreName="ds")["datastoreId"]
        assert status_of(medical_imaging_client, datastore_id) == "CREATING"

        frozen.tick(29)
        assert status_of(medical_imaging_client, datastore_id) == "CREATING"

        frozen.tick(1)
        assert status_of(medical_imaging_client, datastore_id) == "ACTIVE"


def test_seconds_transitions_follow_the_frozen_clock_on_delete(medical_imaging, medical_imaging_client):
    medical_imaging.transitions = 30
    with freeze_time("2024-01-01 00:00:00") as frozen:
        datastore_id = medical_imaging_client.create_datastore(datastoreName="ds")["datastoreId"]
        frozen.move_to("2024-01-01 00:00:30")
        assert status_of(medical_imaging_client, datastore_id) == "ACTIVE"

        medical_imaging_client.delete_datastore(datastoreId=datastore_id)
        frozen.move_to("2024-01-01 00:00:59")
        assert status_of(medical_imaging_client, datastore_id) == "DELETING"

        frozen.move_to("2024-01-01 00:01:00")
        with pytest.raises(ClientError) as err:
            medical_imaging_client.get_datastore(datastoreId=datastore_id)
        assert error_code(err) == "ResourceNotFoundException"


def test_transitions_and_faults_are_reset_at_the_next_outermost_start():
    with mock_medical_imaging() as mi:
        mi.transitions = "manual"
        mi.faults.add("GetDatastore", "ThrottlingException", times=5)

    with mock_medical_imaging() as mi:
        assert mi.transitions == "immediate"
        client = new_client(config=NO_RETRIES)
        datastore_id = client.create_datastore(datastoreName="ds")["datastoreId"]
        assert status_of(client, datastore_id) == "ACTIVE"


@pytest.mark.parametrize("value", ["fast", "Manual", -1, True, None, "30"])
def test_invalid_transitions_value_raises_value_error(medical_imaging, value):
    with pytest.raises(ValueError):
        medical_imaging.transitions = value

    assert medical_imaging.transitions == "immediate"


# --- faults ---------------------------------------------------------------------------------------------


def test_throttling_fault_fails_the_next_calls_then_succeeds(medical_imaging, medical_imaging_client):
    datastore_id = medical_imaging_client.create_datastore(datastoreName="ds")["datastoreId"]
    client = new_client(config=NO_RETRIES)
    medical_imaging.faults.add("GetDatastore", "ThrottlingException", times=2)

    for _ in range(2):
        with pytest.raises(ClientError) as err:
            client.get_datastore(datastoreId=datastore_id)
        assert error_code(err) == "ThrottlingException"
        assert http_status(err) == 429

    assert status_of(client, datastore_id) == "ACTIVE"


def test_a_fault_touches_only_its_operation(medical_imaging):
    client = new_client(config=NO_RETRIES)
    datastore_id = client.create_datastore(datastoreName="ds")["datastoreId"]
    medical_imaging.faults.add("GetDatastore", "AccessDeniedException")

    assert listed_ids(client) == [datastore_id]
    with pytest.raises(ClientError) as err:
        client.get_datastore(datastoreId=datastore_id)
    assert error_code(err) == "AccessDeniedException"
    assert http_status(err) == 403


def test_service_quota_fault_on_create_datastore_answers_402(medical_imaging):
    client = new_client(config=NO_RETRIES)
    medical_imaging.faults.add("CreateDatastore", "ServiceQuotaExceededException")

    with pytest.raises(ClientError) as err:
        client.create_datastore(datastoreName="ds")

    assert error_code(err) == "ServiceQuotaExceededException"
    assert http_status(err) == 402
    assert listed_ids(client) == []


def test_latency_fault_delays_without_failing(medical_imaging, medical_imaging_client):
    medical_imaging.faults.add("ListDatastores", latency=0.05)

    started = time.perf_counter()
    response = medical_imaging_client.list_datastores()
    elapsed = time.perf_counter() - started

    assert response["datastoreSummaries"] == []
    assert elapsed >= 0.05


def test_fault_for_an_unknown_operation_raises_value_error(medical_imaging):
    with pytest.raises(ValueError):
        medical_imaging.faults.add("GetWidget", "ThrottlingException")


@pytest.mark.parametrize(
    ("operation", "error"),
    [
        ("GetDatastore", "ConflictException"),
        ("ListDatastores", "ResourceNotFoundException"),
        ("CreateDatastore", "NoSuchThingException"),
    ],
)
def test_fault_with_an_error_the_operation_does_not_model_raises_value_error(
    medical_imaging, operation, error
):
    with pytest.raises(ValueError):
        medical_imaging.faults.add(operation, error)


def test_clearing_faults_removes_them(medical_imaging):
    client = new_client(config=NO_RETRIES)
    medical_imaging.faults.add("ListDatastores", "ThrottlingException", times=3)

    medical_imaging.faults.clear()

    assert listed_ids(client) == []


# --- interception: nothing reaches the network ----------------------------------------------------------


def test_custom_endpoint_url_is_served_by_the_mock(medical_imaging, medical_imaging_client):
    datastore_id = medical_imaging_client.create_datastore(datastoreName="ds")["datastoreId"]
    nowhere = new_client(endpoint_url="http://127.0.0.1:9", config=NO_RETRIES)

    assert listed_ids(nowhere) == [datastore_id]
    assert status_of(nowhere, datastore_id) == "ACTIVE"


def test_fips_endpoint_is_served_by_the_mock(medical_imaging, medical_imaging_client):
    datastore_id = medical_imaging_client.create_datastore(datastoreName="ds")["datastoreId"]
    fips = new_client(config=Config(use_fips_endpoint=True, retries={"total_max_attempts": 1}))

    assert fips.meta.endpoint_url == "https://medical-imaging-fips.us-east-1.amazonaws.com"
    assert status_of(fips, datastore_id) == "ACTIVE"


def test_china_region_is_served_by_the_mock(medical_imaging):
    client = new_client("cn-north-1", config=NO_RETRIES)

    datastore_id = client.create_datastore(datastoreName="ds")["datastoreId"]

    arn = client.get_datastore(datastoreId=datastore_id)["datastoreProperties"]["datastoreArn"]
    assert arn == f"arn:aws-cn:medical-imaging:cn-north-1:123456789012:datastore/{datastore_id}"


def prepared_list_datastores():
    return AWSRequest(method="GET", url="https://medical-imaging.us-east-1.amazonaws.com/datastore").prepare()


def test_botocore_hook_does_nothing_outside_any_mock():
    assert not botocore_stubber.enabled

    assert botocore_hook.before_send(request=prepared_list_datastores()) is None


def test_botocore_hook_answers_inside_the_mock_from_the_mock_state(medical_imaging, medical_imaging_client):
    datastore_id = medical_imaging_client.create_datastore(datastoreName="ds")["datastoreId"]

    response = botocore_hook.before_send(request=prepared_list_datastores())

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    summaries = json.loads(response.content)["datastoreSummaries"]
    assert [(d["datastoreId"], d["datastoreName"]) for d in summaries] == [(datastore_id, "ds")]


def test_requests_path_is_served_inside_the_mock(medical_imaging, medical_imaging_client):
    datastore_id = medical_imaging_client.create_datastore(datastoreName="ds")["datastoreId"]

    response = requests.get("https://medical-imaging.us-east-1.amazonaws.com/datastore")

    assert response.status_code == 200
    assert [d["datastoreId"] for d in response.json()["datastoreSummaries"]] == [datastore_id]


# --- operations not implemented yet ---------------------------------------------------------------------


def test_an_operation_the_mock_does_not_serve_answers_501_naming_it(medical_imaging, monkeypatch):
    monkeypatch.delitem(OPERATIONS, "ListDatastores")
    client = new_client(config=NO_RETRIES)

    with pytest.raises(ClientError) as err:
        client.list_datastores()

    assert "ListDatastores" in err.value.response["Error"]["Message"]
    assert http_status(err) == 501
    assert error_code(err) == "NotImplemented"


REGISTRATION_PROBE = """
import boto3
from botocore.config import Config
from moto import backend_index, mock_aws

def registered():
    return any(name == "medicalimaging" for name, _ in backend_index.backend_url_patterns)

before = registered()
import medimaging_mock
after = registered()
config = Config(retries={"total_max_attempts": 1}, connect_timeout=1, read_timeout=1)
with mock_aws():  # plain moto; a custom endpoint, so that a call the mock misses fails fast, offline
    client = boto3.client(
        "medical-imaging", region_name="us-east-1", endpoint_url="http://127.0.0.1:9", config=config
    )
    client.create_datastore(datastoreName="probe")
    names = [d["datastoreName"] for d in client.list_datastores()["datastoreSummaries"]]
print(before, after, names)
"""


def test_the_package_registers_itself_with_moto_on_import():
    """In a fresh interpreter (no pytest plugin): importing the package is what plugs it into moto."""
    probe = subprocess.run(
        [sys.executable, "-c", REGISTRATION_PROBE], capture_output=True, text=True, timeout=120
    )

    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.split() == ["False", "True", "['probe']"]


def test_settings_made_in_a_mock_nested_in_mock_aws_do_not_outlive_it():
    with mock_aws(), mock_medical_imaging() as mi:
        mi.transitions = "manual"
        mi.faults.add("GetDatastore", "ThrottlingException")

    try:
        with mock_aws():
            client = new_client(config=NO_RETRIES)
            datastore_id = client.create_datastore(datastoreName="ds")["datastoreId"]
            assert status_of(client, datastore_id) == "ACTIVE"
    finally:
        with mock_medical_imaging():  # an outermost start resets the settings for the tests that follow
            pass


@mock_medical_imaging
class TestDecoratedTestCaseKeepsSettingsMadeInSetUp(unittest.TestCase):
    def setUp(self):
        self.client = new_client()
        MedicalImagingHandle().transitions = "manual"

    def tearDown(self):
        MedicalImagingHandle().transitions = "immediate"

    def test_transitions_set_in_set_up_apply_to_the_test(self):
        datastore_id = self.client.create_datastore(datastoreName="ds")["datastoreId"]

        assert status_of(self.client, datastore_id) == "CREATING"
