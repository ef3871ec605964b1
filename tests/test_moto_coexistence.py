"""No surprise to moto users: importing medimaging_mock (the pytest plugin does it in every session) changes
nothing moto does for other services, `moto.core.patch_client` serves each request once, for this service
too, the handle refuses to act once its mock is stopped, and a client moto cannot see is moto's documented
case, as for any other service."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import aiobotocore.session
import boto3
import pytest
from dicom_factory import gray_frames, make_dataset
from moto import mock_aws
from moto.core import patch_client

from medimaging_mock import mock_medical_imaging
from medimaging_mock.activation.handle import MockStoppedError

REGION = "us-east-1"
TESTS = Path(__file__).parent
UNKNOWN_ID = "0123456789abcdef0123456789abcdef"


@pytest.fixture(params=["created inside the mock", "created before, patched", "created before, not patched"])
def client_of(request) -> Iterator[Callable[[str], Any]]:
    """Inside a started `mock_aws`: gives a boto3 client of a service, made as the param says."""
    early: dict[str, Any] = {}
    if request.param != "created inside the mock":
        early = {
            service: boto3.client(service, region_name=REGION) for service in ("s3", "sqs", "medical-imaging")
        }
    with mock_aws():

        def client(service: str) -> Any:
            if request.param == "created inside the mock":
                return boto3.client(service, region_name=REGION)
            if request.param == "created before, patched":
                patch_client(early[service])
            return early[service]

        yield client


def test_one_put_object_makes_one_version_of_the_object(client_of):
    s3 = client_of("s3")
    s3.create_bucket(Bucket="versioned")
    s3.put_bucket_versioning(Bucket="versioned", VersioningConfiguration={"Status": "Enabled"})

    s3.put_object(Bucket="versioned", Key="key", Body=b"once")

    assert len(s3.list_object_versions(Bucket="versioned")["Versions"]) == 1


def test_one_send_message_makes_one_message(client_of):
    sqs = client_of("sqs")
    queue_url = sqs.create_queue(QueueName="queue")["QueueUrl"]

    sqs.send_message(QueueUrl=queue_url, MessageBody="once")

    attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["ApproximateNumberOfMessages"])
    assert attributes["Attributes"]["ApproximateNumberOfMessages"] == "1"


def test_one_create_datastore_makes_one_datastore(client_of):
    """No clientToken: a request served twice would make two."""
    client = client_of("medical-imaging")

    client.create_datastore(datastoreName="once")

    assert len(client.list_datastores()["datastoreSummaries"]) == 1


def test_a_patched_async_client_creates_one_datastore():
    async def main() -> int:
        async with aiobotocore.session.get_session().create_client("medical-imaging", REGION) as client:
            with mock_medical_imaging():
                patch_client(client)
                await client.create_datastore(datastoreName="once")
                return len((await client.list_datastores())["datastoreSummaries"])

    assert asyncio.run(main()) == 1


def test_a_client_made_in_one_mock_is_served_by_the_next_from_its_fresh_state():
    with mock_medical_imaging():
        client = boto3.client("medical-imaging", region_name=REGION)
        client.create_datastore(datastoreName="first")
    with mock_medical_imaging():
        client.create_datastore(datastoreName="second")

        names = [summary["datastoreName"] for summary in client.list_datastores()["datastoreSummaries"]]

    assert names == ["second"]


def run_fresh(script: str) -> Any:
    completed = subprocess.run(
        [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(TESTS)!r})\n{script}"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


def test_importing_the_package_keeps_every_handler_botocore_and_moto_registered():
    """moto's before-send entry stays the very object moto registered (what patch_client looks for); the
    package only adds entries of its own, for medical-imaging events."""
    result = run_fresh(
        "import json, botocore.handlers, moto.core.models\n"
        "before = list(botocore.handlers.BUILTIN_HANDLERS)\n"
        "import medimaging_mock\n"
        "after = botocore.handlers.BUILTIN_HANDLERS\n"
        "print(json.dumps({\n"
        "    'kept': after[: len(before)] == before,\n"
        "    'moto': ('before-send', moto.core.models.botocore_stubber) in after,\n"
        "    'added': sorted({entry[0].partition('.')[2] for entry in after[len(before) :]}),\n"
        "}))\n"
    )

    assert result == {"kept": True, "moto": True, "added": ["medical-imaging"]}


def test_a_client_made_before_moto_was_imported_is_moto_s_documented_case():
    """Such a client carries no handler of moto's or the mock's: under an active mock its call goes where
    botocore sends it (here: refused and recorded), as for every moto service; `patch_client` makes the
    mock answer it, once."""
    result = run_fresh(
        "import json, os\n"
        "os.environ.update(AWS_ACCESS_KEY_ID='real', AWS_SECRET_ACCESS_KEY='real')\n"
        "import boto3\n"
        "from botocore.config import Config\n"
        "once = Config(retries={'total_max_attempts': 1})\n"
        "early = boto3.client('medical-imaging', 'us-east-1', config=once)\n"
        "from test_no_network import refuse_remote_connections\n"
        "attempts = []\n"
        "refuse_remote_connections(attempts.append)\n"
        "from moto.core import patch_client\n"
        "from medimaging_mock import mock_medical_imaging\n"
        "with mock_medical_imaging():\n"
        "    try:\n"
        "        early.list_datastores()\n"
        "        unpatched = 'answered'\n"
        "    except Exception as error:\n"
        "        unpatched = type(error).__name__\n"
        "    patch_client(early)\n"
        "    early.create_datastore(datastoreName='once')\n"
        "    datastores = len(early.list_datastores()['datastoreSummaries'])\n"
        "print(json.dumps({'unpatched': unpatched, 'attempts': attempts, 'patched': datastores}))\n"
    )

    assert result == {
        "unpatched": "EndpointConnectionError",
        "attempts": ["DNS lookup of 'medical-imaging.us-east-1.amazonaws.com'"],
        "patched": 1,
    }


# --- the handle after stop ------------------------------------------------------------------------------

USES: dict[str, Callable[[Any], Any]] = {
    "advance": lambda mi: mi.advance(),
    "backend": lambda mi: mi.backend(),
    "create_image_set": lambda mi: mi.create_image_set(UNKNOWN_ID, [make_dataset(gray_frames(1, 4, 4))]),
    "read transitions": lambda mi: mi.transitions,
    "set transitions": lambda mi: setattr(mi, "transitions", "manual"),
    "read frame_container": lambda mi: mi.frame_container,
    "set frame_container": lambda mi: setattr(mi, "frame_container", "jph"),
    "faults.add": lambda mi: mi.faults.add("GetDatastore", "ThrottlingException"),
    "faults.clear": lambda mi: mi.faults.clear(),
}


@pytest.mark.parametrize("use", USES.values(), ids=USES.keys())
def test_the_handle_refuses_every_use_once_its_mock_is_stopped(use):
    with mock_medical_imaging() as mi:
        pass

    with pytest.raises(MockStoppedError, match=r"mock is stopped; use the handle while it runs") as err:
        use(mi)

    assert isinstance(err.value, RuntimeError)


def test_the_handle_stays_usable_while_an_enclosing_start_is_active():
    outer = mock_medical_imaging()
    mi = outer.start()
    try:
        with mock_medical_imaging():
            mi.transitions = "manual"
        client = boto3.client("medical-imaging", region_name=REGION)
        datastore_id = client.create_datastore(datastoreName="d")["datastoreId"]
        in_flight = client.get_datastore(datastoreId=datastore_id)["datastoreProperties"]["datastoreStatus"]
        mi.advance()
        done = client.get_datastore(datastoreId=datastore_id)["datastoreProperties"]["datastoreStatus"]
    finally:
        outer.stop()

    assert (in_flight, done) == ("CREATING", "ACTIVE")
    with pytest.raises(MockStoppedError):
        mi.advance()


def test_a_stopped_handle_works_again_once_a_mock_starts():
    m = mock_medical_imaging()
    mi = m.start()
    m.stop()
    with pytest.raises(MockStoppedError):
        mi.backend()

    with mock_medical_imaging():
        assert mi.transitions == "immediate"
