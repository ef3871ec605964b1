"""CreateDatastore, GetDatastore, ListDatastores, DeleteDatastore through boto3."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from aws_helpers import error_code, http_status, new_datastore, wire_json
from botocore.exceptions import ClientError
from freezegun import freeze_time

ARN_PREFIX = "arn:aws:medical-imaging:us-east-1:123456789012:datastore/"
KMS_KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
LAMBDA_ARN = "arn:aws:lambda:us-east-1:123456789012:function:authorizer"
UNKNOWN_ID = "0123456789abcdef0123456789abcdef"


def listed_ids(client, **kwargs) -> list[str]:
    return [d["datastoreId"] for d in client.list_datastores(**kwargs)["datastoreSummaries"]]


# --- CreateDatastore / GetDatastore ---------------------------------------------------------------------


def test_create_datastore_answers_creating_and_get_then_shows_active(medical_imaging_client):
    created = medical_imaging_client.create_datastore(datastoreName="ds")

    assert created["datastoreStatus"] == "CREATING"
    assert len(created["datastoreId"]) == 32
    properties = medical_imaging_client.get_datastore(datastoreId=created["datastoreId"])[
        "datastoreProperties"
    ]
    assert properties["datastoreStatus"] == "ACTIVE"


def test_get_datastore_returns_every_field(medical_imaging_client):
    with freeze_time("2024-05-01 12:00:00"):
        datastore_id = medical_imaging_client.create_datastore(
            datastoreName="my.store/1", kmsKeyArn=KMS_KEY_ARN, lambdaAuthorizerArn=LAMBDA_ARN
        )["datastoreId"]
        properties = medical_imaging_client.get_datastore(datastoreId=datastore_id)["datastoreProperties"]

    moment = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
    assert properties == {
        "datastoreId": datastore_id,
        "datastoreName": "my.store/1",
        "datastoreStatus": "ACTIVE",
        "datastoreArn": ARN_PREFIX + datastore_id,
        "createdAt": moment,
        "updatedAt": moment,
        "kmsKeyArn": KMS_KEY_ARN,
        "lambdaAuthorizerArn": LAMBDA_ARN,
        "losslessStorageFormat": "HTJ2K",
    }


def test_becoming_active_sets_updated_at_to_when_it_happened(medical_imaging, medical_imaging_client):
    medical_imaging.transitions = 30
    with freeze_time("2024-05-01 12:00:00") as frozen:
        datastore_id = medical_imaging_client.create_datastore(datastoreName="ds")["datastoreId"]
        creating = medical_imaging_client.get_datastore(datastoreId=datastore_id)["datastoreProperties"]
        frozen.tick(45)
        active = medical_imaging_client.get_datastore(datastoreId=datastore_id)["datastoreProperties"]
        [summary] = medical_imaging_client.list_datastores()["datastoreSummaries"]

    created = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
    assert (creating["datastoreStatus"], creating["updatedAt"]) == ("CREATING", created)
    assert (active["datastoreStatus"], active["createdAt"]) == ("ACTIVE", created)
    assert active["updatedAt"] == created + timedelta(seconds=30)  # when the delay ended, not when read
    assert summary["updatedAt"] == active["updatedAt"]


def test_under_manual_transitions_advance_sets_updated_at_to_its_own_time(
    medical_imaging, medical_imaging_client
):
    medical_imaging.transitions = "manual"
    with freeze_time("2024-05-01 12:00:00") as frozen:
        datastore_id = medical_imaging_client.create_datastore(datastoreName="ds")["datastoreId"]
        frozen.tick(5)
        medical_imaging.advance()
        frozen.tick(5)
        active = medical_imaging_client.get_datastore(datastoreId=datastore_id)["datastoreProperties"]

    assert active["datastoreStatus"] == "ACTIVE"
    assert active["updatedAt"] == datetime(2024, 5, 1, 12, 0, 5, tzinfo=UTC)


def test_deleting_sets_updated_at_to_the_time_of_the_delete(medical_imaging, medical_imaging_client):
    with freeze_time("2024-05-01 12:00:00") as frozen:
        datastore_id = new_datastore(medical_imaging_client)
        medical_imaging.transitions = "manual"
        frozen.tick(60)
        medical_imaging_client.delete_datastore(datastoreId=datastore_id)
        frozen.tick(5)
        deleting = medical_imaging_client.get_datastore(datastoreId=datastore_id)["datastoreProperties"]
        [summary] = medical_imaging_client.list_datastores(datastoreStatus="DELETING")["datastoreSummaries"]

    assert deleting["datastoreStatus"] == "DELETING"
    assert deleting["createdAt"] == datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
    assert deleting["updatedAt"] == summary["updatedAt"] == datetime(2024, 5, 1, 12, 1, 0, tzinfo=UTC)


def test_datastore_timestamps_are_kept_to_the_millisecond(medical_imaging_client):
    with freeze_time("2024-05-01 12:00:00.123456"):
        datastore_id = medical_imaging_client.create_datastore(datastoreName="ds")["datastoreId"]
        properties = medical_imaging_client.get_datastore(datastoreId=datastore_id)["datastoreProperties"]
        sent = wire_json(medical_imaging_client, "get_datastore", datastoreId=datastore_id)

    moment = datetime(2024, 5, 1, 12, 0, 0, 123000, tzinfo=UTC)
    assert properties["createdAt"] == properties["updatedAt"] == moment
    assert sent["datastoreProperties"]["createdAt"] == moment.timestamp()


def test_kms_key_and_lambda_authorizer_are_absent_when_not_given(medical_imaging_client):
    datastore_id = medical_imaging_client.create_datastore(datastoreName="plain")["datastoreId"]

    properties = medical_imaging_client.get_datastore(datastoreId=datastore_id)["datastoreProperties"]

    assert "kmsKeyArn" not in properties
    assert "lambdaAuthorizerArn" not in properties


def test_lossless_storage_format_defaults_to_htj2k(medical_imaging_client):
    datastore_id = medical_imaging_client.create_datastore(datastoreName="ds")["datastoreId"]

    properties = medical_imaging_client.get_datastore(datastoreId=datastore_id)["datastoreProperties"]

    assert properties["losslessStorageFormat"] == "HTJ2K"


def test_lossless_storage_format_jpeg_2000_when_asked(medical_imaging_client):
    datastore_id = medical_imaging_client.create_datastore(
        datastoreName="ds", losslessStorageFormat="JPEG_2000_LOSSLESS"
    )["datastoreId"]

    properties = medical_imaging_client.get_datastore(datastoreId=datastore_id)["datastoreProperties"]

    assert properties["losslessStorageFormat"] == "JPEG_2000_LOSSLESS"


def test_unknown_lossless_storage_format_is_a_validation_error(medical_imaging_client):
    with pytest.raises(ClientError) as err:
        medical_imaging_client.create_datastore(datastoreName="ds", losslessStorageFormat="PNG")

    assert error_code(err) == "ValidationException"
    assert medical_imaging_client.list_datastores()["datastoreSummaries"] == []


def test_same_client_token_and_parameters_return_the_same_datastore(medical_imaging_client):
    first = medical_imaging_client.create_datastore(datastoreName="ds", clientToken="token-1")
    second = medical_imaging_client.create_datastore(datastoreName="ds", clientToken="token-1")

    assert second["datastoreId"] == first["datastoreId"]
    assert listed_ids(medical_imaging_client) == [first["datastoreId"]]


def test_same_client_token_with_other_parameters_is_a_conflict(medical_imaging_client):
    first = medical_imaging_client.create_datastore(datastoreName="ds", clientToken="token-1")

    with pytest.raises(ClientError) as err:
        medical_imaging_client.create_datastore(datastoreName="other", clientToken="token-1")

    assert error_code(err) == "ConflictException"
    assert http_status(err) == 409
    assert listed_ids(medical_imaging_client) == [first["datastoreId"]]


def test_different_client_tokens_create_different_datastores(medical_imaging_client):
    first = medical_imaging_client.create_datastore(datastoreName="ds", clientToken="token-1")
    second = medical_imaging_client.create_datastore(datastoreName="ds", clientToken="token-2")

    assert first["datastoreId"] != second["datastoreId"]
    assert sorted(listed_ids(medical_imaging_client)) == sorted([first["datastoreId"], second["datastoreId"]])


def test_tags_given_at_creation_are_listed_on_the_datastore_arn(medical_imaging_client):
    datastore_id = medical_imaging_client.create_datastore(
        datastoreName="ds", tags={"team": "radiology", "env": "test"}
    )["datastoreId"]

    tags = medical_imaging_client.list_tags_for_resource(resourceArn=ARN_PREFIX + datastore_id)["tags"]

    assert tags == {"team": "radiology", "env": "test"}


# --- GetDatastore errors --------------------------------------------------------------------------------


def test_get_datastore_with_invalid_id_is_a_validation_error(medical_imaging_client):
    with pytest.raises(ClientError) as err:
        medical_imaging_client.get_datastore(datastoreId="ABC")

    assert error_code(err) == "ValidationException"
    assert http_status(err) == 400


def test_get_unknown_datastore_is_not_found_with_status_404(medical_imaging_client):
    with pytest.raises(ClientError) as err:
        medical_imaging_client.get_datastore(datastoreId=UNKNOWN_ID)

    assert error_code(err) == "ResourceNotFoundException"
    assert http_status(err) == 404
    assert isinstance(err.value, medical_imaging_client.exceptions.ResourceNotFoundException)


# --- ListDatastores -------------------------------------------------------------------------------------


def test_list_datastores_is_empty_at_first(medical_imaging_client):
    response = medical_imaging_client.list_datastores()

    assert response["datastoreSummaries"] == []
    assert "nextToken" not in response


def test_list_datastores_summary_fields(medical_imaging_client):
    with freeze_time("2024-05-01 12:00:00"):
        datastore_id = medical_imaging_client.create_datastore(datastoreName="ds", kmsKeyArn=KMS_KEY_ARN)[
            "datastoreId"
        ]
        summaries = medical_imaging_client.list_datastores()["datastoreSummaries"]

    moment = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
    assert summaries == [
        {
            "datastoreId": datastore_id,
            "datastoreName": "ds",
            "datastoreStatus": "ACTIVE",
            "datastoreArn": ARN_PREFIX + datastore_id,
            "createdAt": moment,
            "updatedAt": moment,
        }
    ]


def test_list_datastores_filters_by_status(medical_imaging, medical_imaging_client):
    active = medical_imaging_client.create_datastore(datastoreName="active")["datastoreId"]
    medical_imaging_client.get_datastore(datastoreId=active)
    medical_imaging.transitions = "manual"
    creating = medical_imaging_client.create_datastore(datastoreName="creating")["datastoreId"]

    assert listed_ids(medical_imaging_client, datastoreStatus="ACTIVE") == [active]
    assert listed_ids(medical_imaging_client, datastoreStatus="CREATING") == [creating]
    assert listed_ids(medical_imaging_client, datastoreStatus="DELETING") == []
    assert sorted(listed_ids(medical_imaging_client)) == sorted([active, creating])


def test_list_datastores_with_unknown_status_is_a_validation_error(medical_imaging_client):
    with pytest.raises(ClientError) as err:
        medical_imaging_client.list_datastores(datastoreStatus="FOO")

    assert error_code(err) == "ValidationException"


def test_paginator_returns_every_datastore_exactly_once_in_a_stable_order(medical_imaging_client):
    created = [
        medical_imaging_client.create_datastore(datastoreName=f"ds-{n}")["datastoreId"] for n in range(7)
    ]
    unpaged = listed_ids(medical_imaging_client, maxResults=50)

    paginator = medical_imaging_client.get_paginator("list_datastores")
    pages = list(paginator.paginate(PaginationConfig={"PageSize": 3}))

    assert [len(page["datastoreSummaries"]) for page in pages] == [3, 3, 1]
    paged = [d["datastoreId"] for page in pages for d in page["datastoreSummaries"]]
    assert paged == unpaged
    assert sorted(paged) == sorted(created)
    assert "nextToken" not in pages[-1]


def test_paging_lists_datastores_oldest_first_every_time(medical_imaging_client):
    with freeze_time("2024-05-01 12:00:00") as frozen:
        created = []
        for n in range(5):
            created.append(medical_imaging_client.create_datastore(datastoreName=f"ds-{n}")["datastoreId"])
            frozen.tick(1)
    paginator = medical_imaging_client.get_paginator("list_datastores")

    def ids() -> list[str]:
        pages = paginator.paginate(PaginationConfig={"PageSize": 2})
        return [d["datastoreId"] for page in pages for d in page["datastoreSummaries"]]

    assert ids() == created
    assert ids() == created


def test_max_results_limits_the_page_and_returns_a_next_token(medical_imaging_client):
    for n in range(3):
        medical_imaging_client.create_datastore(datastoreName=f"ds-{n}")

    first = medical_imaging_client.list_datastores(maxResults=2)
    second = medical_imaging_client.list_datastores(maxResults=2, nextToken=first["nextToken"])

    assert len(first["datastoreSummaries"]) == 2
    assert len(second["datastoreSummaries"]) == 1
    assert "nextToken" not in second


def test_next_token_reused_with_another_status_filter_is_a_validation_error(medical_imaging_client):
    for n in range(3):
        medical_imaging_client.create_datastore(datastoreName=f"ds-{n}")
    token = medical_imaging_client.list_datastores(maxResults=1)["nextToken"]

    with pytest.raises(ClientError) as err:
        medical_imaging_client.list_datastores(maxResults=1, nextToken=token, datastoreStatus="ACTIVE")

    assert error_code(err) == "ValidationException"


def test_tampered_next_token_is_a_validation_error(medical_imaging_client):
    for n in range(3):
        medical_imaging_client.create_datastore(datastoreName=f"ds-{n}")
    token = medical_imaging_client.list_datastores(maxResults=1)["nextToken"]
    middle = len(token) // 2
    flipped = "B" if token[middle] == "A" else "A"
    tampered = token[:middle] + flipped + token[middle + 1 :]

    with pytest.raises(ClientError) as err:
        medical_imaging_client.list_datastores(maxResults=1, nextToken=tampered)

    assert error_code(err) == "ValidationException"


def test_made_up_next_token_is_a_validation_error(medical_imaging_client):
    medical_imaging_client.create_datastore(datastoreName="ds")

    with pytest.raises(ClientError) as err:
        medical_imaging_client.list_datastores(nextToken="not-a-token")

    assert error_code(err) == "ValidationException"


def test_max_results_51_is_a_validation_error(medical_imaging_client):
    with pytest.raises(ClientError) as err:
        medical_imaging_client.list_datastores(maxResults=51)

    assert error_code(err) == "ValidationException"
    assert http_status(err) == 400


def test_max_results_50_is_accepted(medical_imaging_client):
    medical_imaging_client.create_datastore(datastoreName="ds")

    assert len(medical_imaging_client.list_datastores(maxResults=50)["datastoreSummaries"]) == 1


# --- DeleteDatastore ------------------------------------------------------------------------------------


def test_delete_datastore_answers_deleting_and_the_datastore_is_gone(medical_imaging_client):
    datastore_id = medical_imaging_client.create_datastore(datastoreName="ds")["datastoreId"]

    deleted = medical_imaging_client.delete_datastore(datastoreId=datastore_id)

    assert deleted["datastoreId"] == datastore_id
    assert deleted["datastoreStatus"] == "DELETING"
    with pytest.raises(ClientError) as err:
        medical_imaging_client.get_datastore(datastoreId=datastore_id)
    assert error_code(err) == "ResourceNotFoundException"
    assert listed_ids(medical_imaging_client) == []


def test_delete_removes_only_that_datastore(medical_imaging_client):
    keep = medical_imaging_client.create_datastore(datastoreName="keep")["datastoreId"]
    drop = medical_imaging_client.create_datastore(datastoreName="drop")["datastoreId"]

    medical_imaging_client.delete_datastore(datastoreId=drop)

    assert listed_ids(medical_imaging_client) == [keep]


def test_deleting_an_unknown_datastore_is_not_found(medical_imaging_client):
    with pytest.raises(ClientError) as err:
        medical_imaging_client.delete_datastore(datastoreId=UNKNOWN_ID)

    assert error_code(err) == "ResourceNotFoundException"
    assert http_status(err) == 404


def test_deleting_a_datastore_twice_is_not_found(medical_imaging_client):
    datastore_id = medical_imaging_client.create_datastore(datastoreName="ds")["datastoreId"]
    medical_imaging_client.delete_datastore(datastoreId=datastore_id)

    with pytest.raises(ClientError) as err:
        medical_imaging_client.delete_datastore(datastoreId=datastore_id)

    assert error_code(err) == "ResourceNotFoundException"


def test_deleting_a_datastore_that_is_still_creating_is_a_conflict(medical_imaging, medical_imaging_client):
    medical_imaging.transitions = "manual"
    datastore_id = medical_imaging_client.create_datastore(datastoreName="ds")["datastoreId"]

    with pytest.raises(ClientError) as err:
        medical_imaging_client.delete_datastore(datastoreId=datastore_id)

    assert error_code(err) == "ConflictException"
    assert http_status(err) == 409
    status = medical_imaging_client.get_datastore(datastoreId=datastore_id)["datastoreProperties"]
    assert status["datastoreStatus"] == "CREATING"


def test_deleting_a_datastore_that_is_already_deleting_is_a_conflict(medical_imaging, medical_imaging_client):
    datastore_id = new_datastore(medical_imaging_client)
    medical_imaging.transitions = "manual"
    medical_imaging_client.delete_datastore(datastoreId=datastore_id)

    with pytest.raises(ClientError) as err:
        medical_imaging_client.delete_datastore(datastoreId=datastore_id)

    assert error_code(err) == "ConflictException"


def test_delete_with_invalid_id_is_a_validation_error(medical_imaging_client):
    with pytest.raises(ClientError) as err:
        medical_imaging_client.delete_datastore(datastoreId="not-a-datastore-id")

    assert error_code(err) == "ValidationException"
