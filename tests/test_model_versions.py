"""An older botocore brings an older model: what it lacks is simply absent, from answers and from requests.

The wire layer reads the loaded model, so a member the domain knows and the model does not is never sent and
never read, and the caller gets a normal answer rather than a 500. Tests here run on every supported botocore
(tox runs the declared minimum); the older model is made by removing members from the loaded one.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta

import boto3
from aws_helpers import new_datastore, wire_json
from botocore.awsrequest import HeadersDict
from botocore.loaders import Loader
from botocore.model import ServiceModel
from botocore.parsers import create_parser
from dicom_factory import make_dataset
from freezegun import freeze_time

from medimaging_mock import mock_medical_imaging
from medimaging_mock.wire import validation
from medimaging_mock.wire.decoding import decode_request
from medimaging_mock.wire.encoding import encode_result
from medimaging_mock.wire.model import SERVICE_NAME, service_model

CREATED = datetime(2026, 1, 2, 3, 4, 5, 123000, tzinfo=UTC)
SECOND = timedelta(seconds=1)


def model_without(shape_name: str, member: str) -> ServiceModel:
    """The loaded model as an older botocore ships it: `shape_name` without `member` (if it has it)."""
    document = copy.deepcopy(Loader().load_service_model(SERVICE_NAME, "service-2"))
    document["shapes"][shape_name]["members"].pop(member, None)
    return ServiceModel(document, SERVICE_NAME)


def test_a_member_the_model_lacks_is_left_out_of_the_answer():
    operation = model_without("DatastoreProperties", "losslessStorageFormat").operation_model("GetDatastore")
    properties = {
        "datastoreId": "a" * 32,
        "datastoreName": "ds",
        "datastoreStatus": "ACTIVE",
        "datastoreArn": f"arn:aws:medical-imaging:us-east-1:123456789012:datastore/{'a' * 32}",
        "losslessStorageFormat": "HTJ2K",
        "createdAt": CREATED,
    }

    response = encode_result(operation, {"datastoreProperties": properties})

    assert response.status == 200
    assert "losslessStorageFormat" not in json.loads(response.body)["datastoreProperties"]
    parsed = create_parser("rest-json").parse(
        {"status_code": response.status, "headers": HeadersDict(response.headers), "body": response.body},
        operation.output_shape,
    )
    assert parsed["datastoreProperties"]["datastoreStatus"] == "ACTIVE"


def test_a_member_the_model_lacks_is_not_read_from_a_request():
    older = model_without("StartDICOMImportJobRequest", "importConfiguration")
    operation = older.operation_model("StartDICOMImportJob")
    body = {
        "dataAccessRoleArn": "arn:aws:iam::123456789012:role/ImportRole",
        "clientToken": "token",
        "inputS3Uri": "s3://input-bucket/in/",
        "outputS3Uri": "s3://output-bucket/out/",
        "importConfiguration": {"anything": "at all"},
    }

    params = decode_request(operation, {"datastoreId": "a" * 32}, {}, {}, json.dumps(body).encode())

    assert "importConfiguration" not in params
    validation.check(operation.input_shape, params)


def test_every_member_answered_is_one_the_loaded_model_has():
    with mock_medical_imaging():
        client = boto3.client("medical-imaging", region_name="us-east-1")
        datastore_id = new_datastore(client)
        properties = wire_json(client, "get_datastore", datastoreId=datastore_id)["datastoreProperties"]
        summary = wire_json(client, "list_datastores")["datastoreSummaries"][0]

    model = service_model()
    assert set(properties) <= set(model.shape_for("DatastoreProperties").members)
    assert set(summary) <= set(model.shape_for("DatastoreSummary").members)


def test_whole_second_bounds_find_what_lies_between_them():
    """What a botocore that sends whole seconds can ask, on every botocore."""
    with mock_medical_imaging() as mi:
        client = boto3.client("medical-imaging", region_name="us-east-1")
        datastore_id = new_datastore(client)
        with freeze_time(CREATED):
            image_set_id = mi.create_image_set(datastore_id, [make_dataset()])
        low = CREATED.replace(microsecond=0)

        def search(high: datetime) -> list[str]:
            values = [{"createdAt": low}, {"createdAt": high}]
            criteria = {"filters": [{"operator": "BETWEEN", "values": values}]}
            response = client.search_image_sets(datastoreId=datastore_id, searchCriteria=criteria)
            return [summary["imageSetId"] for summary in response["imageSetsMetadataSummaries"]]

        assert search(low + SECOND) == [image_set_id]
        assert search(low) == []
