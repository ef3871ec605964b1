"""GetImageSet, GetImageSetMetadata, ListImageSetVersions, DeleteImageSet and tags on image sets, through
boto3, on image sets seeded with `mi.create_image_set`."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from aws_helpers import error_code, http_status, metadata, new_datastore, wire_json
from botocore.exceptions import ClientError
from dicom_factory import gray_frames, make_dataset, part10_bytes
from freezegun import freeze_time

ACCOUNT = "123456789012"
UNKNOWN_ID = "0123456789abcdef0123456789abcdef"
FROZEN = "2026-01-02T03:04:05Z"
MOMENT = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def body(response: dict) -> dict:
    return {key: value for key, value in response.items() if key != "ResponseMetadata"}


def instance() -> bytes:
    return part10_bytes(make_dataset(gray_frames(1, 4, 4)))


@pytest.fixture
def image_set_id(medical_imaging, datastore_id) -> str:
    return medical_imaging.create_image_set(datastore_id, [instance()])


def image_set_arn(datastore_id: str, image_set_id: str, region: str = "us-east-1") -> str:
    return f"arn:aws:medical-imaging:{region}:{ACCOUNT}:datastore/{datastore_id}/imageset/{image_set_id}"


def get_state(client, datastore_id: str, image_set_id: str) -> tuple[str, str]:
    properties = client.get_image_set(datastoreId=datastore_id, imageSetId=image_set_id)
    return properties["imageSetState"], properties["imageSetWorkflowStatus"]


# --- GetImageSet ---------------------------------------------------------------------------------------


def test_get_image_set_returns_every_field(medical_imaging, medical_imaging_client, datastore_id):
    with freeze_time(FROZEN):
        image_set_id = medical_imaging.create_image_set(datastore_id, [instance()])
        response = medical_imaging_client.get_image_set(datastoreId=datastore_id, imageSetId=image_set_id)

    assert body(response) == {
        "datastoreId": datastore_id,
        "imageSetId": image_set_id,
        "versionId": "1",
        "imageSetState": "ACTIVE",
        "imageSetWorkflowStatus": "CREATED",
        "createdAt": MOMENT,
        "updatedAt": MOMENT,
        "imageSetArn": image_set_arn(datastore_id, image_set_id),
        "isPrimary": True,
        "storageTier": "FREQUENT_ACCESS",
    }


def test_seeded_image_set_id_is_32_lowercase_hex(image_set_id):
    assert len(image_set_id) == 32
    assert set(image_set_id) <= set("0123456789abcdef")


def test_image_set_arn_uses_lowercase_imageset(medical_imaging_client, datastore_id, image_set_id):
    arn = medical_imaging_client.get_image_set(datastoreId=datastore_id, imageSetId=image_set_id)[
        "imageSetArn"
    ]

    assert (
        arn
        == f"arn:aws:medical-imaging:us-east-1:123456789012:datastore/{datastore_id}/imageset/{image_set_id}"
    )


def test_image_set_seeded_as_not_primary_says_so(medical_imaging, medical_imaging_client, datastore_id):
    image_set_id = medical_imaging.create_image_set(datastore_id, [instance()], is_primary=False)

    response = medical_imaging_client.get_image_set(datastoreId=datastore_id, imageSetId=image_set_id)

    assert response["isPrimary"] is False


def test_each_seed_makes_a_new_image_set(medical_imaging, datastore_id):
    first = medical_imaging.create_image_set(datastore_id, [instance()])
    second = medical_imaging.create_image_set(datastore_id, [instance()])

    assert first != second


def test_version_1_can_be_asked_for_by_id(medical_imaging_client, datastore_id, image_set_id):
    response = medical_imaging_client.get_image_set(
        datastoreId=datastore_id, imageSetId=image_set_id, versionId="1"
    )

    assert response["versionId"] == "1"
    assert response["imageSetState"] == "ACTIVE"


@pytest.mark.parametrize("version_id", ["2", "0", "10"])
def test_a_version_that_does_not_exist_is_not_found(
    medical_imaging_client, datastore_id, image_set_id, version_id
):
    with pytest.raises(ClientError) as err:
        medical_imaging_client.get_image_set(
            datastoreId=datastore_id, imageSetId=image_set_id, versionId=version_id
        )

    assert error_code(err) == "ResourceNotFoundException"
    assert http_status(err) == 404


def test_a_version_id_that_is_not_a_number_is_a_validation_error(
    medical_imaging_client, datastore_id, image_set_id
):
    with pytest.raises(ClientError) as err:
        medical_imaging_client.get_image_set(
            datastoreId=datastore_id, imageSetId=image_set_id, versionId="v1"
        )

    assert error_code(err) == "ValidationException"


def test_an_unknown_image_set_is_not_found_with_status_404(medical_imaging_client, datastore_id):
    with pytest.raises(ClientError) as err:
        medical_imaging_client.get_image_set(datastoreId=datastore_id, imageSetId=UNKNOWN_ID)

    assert error_code(err) == "ResourceNotFoundException"
    assert http_status(err) == 404
    assert isinstance(err.value, medical_imaging_client.exceptions.ResourceNotFoundException)


def test_an_image_set_asked_for_in_another_datastore_is_not_found(
    medical_imaging_client, datastore_id, image_set_id
):
    other = new_datastore(medical_imaging_client, "other")

    with pytest.raises(ClientError) as err:
        medical_imaging_client.get_image_set(datastoreId=other, imageSetId=image_set_id)

    assert error_code(err) == "ResourceNotFoundException"


def test_an_image_set_in_an_unknown_datastore_is_not_found(medical_imaging_client, image_set_id):
    with pytest.raises(ClientError) as err:
        medical_imaging_client.get_image_set(datastoreId=UNKNOWN_ID, imageSetId=image_set_id)

    assert error_code(err) == "ResourceNotFoundException"


@pytest.mark.parametrize(
    "bad_id", ["ABC", "0123456789ABCDEF0123456789ABCDEF", "0123456789abcdef0123456789abcdef0"]
)
def test_an_invalid_image_set_id_is_a_validation_error(medical_imaging_client, datastore_id, bad_id):
    with pytest.raises(ClientError) as err:
        medical_imaging_client.get_image_set(datastoreId=datastore_id, imageSetId=bad_id)

    assert error_code(err) == "ValidationException"
    assert http_status(err) == 400


def test_an_invalid_datastore_id_is_a_validation_error(medical_imaging_client, image_set_id):
    with pytest.raises(ClientError) as err:
        medical_imaging_client.get_image_set(datastoreId="not-a-datastore", imageSetId=image_set_id)

    assert error_code(err) == "ValidationException"


def test_last_accessed_at_is_set_by_reading_the_metadata(
    medical_imaging, medical_imaging_client, datastore_id
):
    with freeze_time(FROZEN) as frozen:
        image_set_id = medical_imaging.create_image_set(datastore_id, [instance()])
        before = medical_imaging_client.get_image_set(datastoreId=datastore_id, imageSetId=image_set_id)
        frozen.tick(3600)
        metadata(medical_imaging_client, datastore_id, image_set_id)
        after = medical_imaging_client.get_image_set(datastoreId=datastore_id, imageSetId=image_set_id)

    assert "lastAccessedAt" not in before
    assert after["lastAccessedAt"] == MOMENT + timedelta(hours=1)
    assert after["createdAt"] == MOMENT
    assert after["updatedAt"] == MOMENT


def test_image_set_seeded_in_another_region_is_served_there(medical_imaging):
    client = boto3.client("medical-imaging", region_name="eu-west-1")
    datastore_id = new_datastore(client, "eu")

    image_set_id = medical_imaging.create_image_set(datastore_id, [instance()], region="eu-west-1")

    arn = client.get_image_set(datastoreId=datastore_id, imageSetId=image_set_id)["imageSetArn"]
    assert arn == image_set_arn(datastore_id, image_set_id, region="eu-west-1")
    with pytest.raises(ClientError) as err:
        boto3.client("medical-imaging", region_name="us-east-1").get_image_set(
            datastoreId=datastore_id, imageSetId=image_set_id
        )
    assert error_code(err) == "ResourceNotFoundException"


# --- GetImageSetMetadata -------------------------------------------------------------------------------


def test_metadata_is_gzip_json_with_both_content_headers(medical_imaging_client, datastore_id, image_set_id):
    response = medical_imaging_client.get_image_set_metadata(
        datastoreId=datastore_id, imageSetId=image_set_id
    )

    assert response["contentType"] == "application/json"
    assert response["contentEncoding"] == "gzip"
    headers = response["ResponseMetadata"]["HTTPHeaders"]
    assert headers["content-type"] == "application/json"
    assert headers["content-encoding"] == "gzip"
    document = json.loads(gzip.decompress(response["imageSetMetadataBlob"].read()))
    assert document["ImageSetID"] == image_set_id


def test_metadata_of_version_1_can_be_asked_for_by_id(medical_imaging_client, datastore_id, image_set_id):
    document = metadata(medical_imaging_client, datastore_id, image_set_id, version="1")

    assert document["DatastoreID"] == datastore_id
    assert document["ImageSetID"] == image_set_id


def test_metadata_of_a_version_that_does_not_exist_is_not_found(
    medical_imaging_client, datastore_id, image_set_id
):
    with pytest.raises(ClientError) as err:
        metadata(medical_imaging_client, datastore_id, image_set_id, version="2")

    assert error_code(err) == "ResourceNotFoundException"


def test_metadata_of_an_unknown_image_set_is_not_found(medical_imaging_client, datastore_id):
    with pytest.raises(ClientError) as err:
        metadata(medical_imaging_client, datastore_id, UNKNOWN_ID)

    assert error_code(err) == "ResourceNotFoundException"
    assert http_status(err) == 404


def test_metadata_read_twice_is_the_same_document(medical_imaging_client, datastore_id, image_set_id):
    first = metadata(medical_imaging_client, datastore_id, image_set_id)
    second = metadata(medical_imaging_client, datastore_id, image_set_id, version="1")

    assert first == second


# --- ListImageSetVersions ------------------------------------------------------------------------------


def test_a_new_image_set_lists_one_version(medical_imaging, medical_imaging_client, datastore_id):
    with freeze_time(FROZEN):
        image_set_id = medical_imaging.create_image_set(datastore_id, [instance()])
        response = medical_imaging_client.list_image_set_versions(
            datastoreId=datastore_id, imageSetId=image_set_id
        )

    [item] = response["imageSetPropertiesList"]
    assert item["imageSetId"] == image_set_id
    assert item["versionId"] == "1"
    assert item["imageSetState"] == "ACTIVE"
    assert item["createdAt"] == MOMENT
    assert item["isPrimary"] is True
    assert "nextToken" not in response


def test_version_items_spell_the_workflow_status_with_a_capital_i(
    medical_imaging_client, datastore_id, image_set_id
):
    [item] = medical_imaging_client.list_image_set_versions(
        datastoreId=datastore_id, imageSetId=image_set_id
    )["imageSetPropertiesList"]
    # botocore's parser keeps only the model's spelling, so only the wire shows the other one is not sent
    [sent] = wire_json(
        medical_imaging_client, "list_image_set_versions", datastoreId=datastore_id, imageSetId=image_set_id
    )["imageSetPropertiesList"]

    assert item["ImageSetWorkflowStatus"] == "CREATED"
    assert sent["ImageSetWorkflowStatus"] == "CREATED"
    assert "imageSetWorkflowStatus" not in sent


def test_version_items_carry_no_arn_storage_tier_or_last_access(
    medical_imaging_client, datastore_id, image_set_id
):
    metadata(medical_imaging_client, datastore_id, image_set_id)  # sets lastAccessedAt on the image set

    # None of these is in the item's shape, so botocore's parser would drop them: read the wire.
    [sent] = wire_json(
        medical_imaging_client, "list_image_set_versions", datastoreId=datastore_id, imageSetId=image_set_id
    )["imageSetPropertiesList"]

    assert sent["imageSetId"] == image_set_id
    assert not {"imageSetArn", "storageTier", "lastAccessedAt", "datastoreId"} & set(sent)


def test_version_items_of_a_non_primary_image_set_say_so(
    medical_imaging, medical_imaging_client, datastore_id
):
    image_set_id = medical_imaging.create_image_set(datastore_id, [instance()], is_primary=False)

    [item] = medical_imaging_client.list_image_set_versions(
        datastoreId=datastore_id, imageSetId=image_set_id
    )["imageSetPropertiesList"]

    assert item["isPrimary"] is False


def test_paginator_returns_the_one_version(medical_imaging_client, datastore_id, image_set_id):
    paginator = medical_imaging_client.get_paginator("list_image_set_versions")

    pages = list(
        paginator.paginate(
            datastoreId=datastore_id, imageSetId=image_set_id, PaginationConfig={"PageSize": 1}
        )
    )

    assert [[item["versionId"] for item in page["imageSetPropertiesList"]] for page in pages] == [["1"]]
    assert "nextToken" not in pages[-1]


def test_max_results_1_gives_one_item_and_no_next_token(medical_imaging_client, datastore_id, image_set_id):
    response = medical_imaging_client.list_image_set_versions(
        datastoreId=datastore_id, imageSetId=image_set_id, maxResults=1
    )

    assert len(response["imageSetPropertiesList"]) == 1
    assert "nextToken" not in response


def test_max_results_51_is_a_validation_error(medical_imaging_client, datastore_id, image_set_id):
    with pytest.raises(ClientError) as err:
        medical_imaging_client.list_image_set_versions(
            datastoreId=datastore_id, imageSetId=image_set_id, maxResults=51
        )

    assert error_code(err) == "ValidationException"


def test_a_made_up_next_token_is_a_validation_error(medical_imaging_client, datastore_id, image_set_id):
    with pytest.raises(ClientError) as err:
        medical_imaging_client.list_image_set_versions(
            datastoreId=datastore_id, imageSetId=image_set_id, nextToken="not-a-token"
        )

    assert error_code(err) == "ValidationException"


def test_a_next_token_from_list_datastores_is_a_validation_error(
    medical_imaging_client, datastore_id, image_set_id
):
    new_datastore(medical_imaging_client, "second")
    token = medical_imaging_client.list_datastores(maxResults=1)["nextToken"]

    with pytest.raises(ClientError) as err:
        medical_imaging_client.list_image_set_versions(
            datastoreId=datastore_id, imageSetId=image_set_id, nextToken=token
        )

    assert error_code(err) == "ValidationException"


def test_a_tampered_next_token_is_a_validation_error(medical_imaging_client, datastore_id, image_set_id):
    new_datastore(medical_imaging_client, "second")
    token = medical_imaging_client.list_datastores(maxResults=1)["nextToken"]
    middle = len(token) // 2
    tampered = token[:middle] + ("B" if token[middle] == "A" else "A") + token[middle + 1 :]

    with pytest.raises(ClientError) as err:
        medical_imaging_client.list_image_set_versions(
            datastoreId=datastore_id, imageSetId=image_set_id, nextToken=tampered
        )

    assert error_code(err) == "ValidationException"


def test_versions_of_an_unknown_image_set_are_not_found(medical_imaging_client, datastore_id):
    with pytest.raises(ClientError) as err:
        medical_imaging_client.list_image_set_versions(datastoreId=datastore_id, imageSetId=UNKNOWN_ID)

    assert error_code(err) == "ResourceNotFoundException"


# --- DeleteImageSet ------------------------------------------------------------------------------------


def test_delete_answers_locked_and_deleting(medical_imaging_client, datastore_id, image_set_id):
    response = medical_imaging_client.delete_image_set(datastoreId=datastore_id, imageSetId=image_set_id)

    assert body(response) == {
        "datastoreId": datastore_id,
        "imageSetId": image_set_id,
        "imageSetState": "LOCKED",
        "imageSetWorkflowStatus": "DELETING",
    }


def test_after_delete_the_image_set_is_deleted_with_deleted_at(
    medical_imaging, medical_imaging_client, datastore_id
):
    with freeze_time(FROZEN):
        image_set_id = medical_imaging.create_image_set(datastore_id, [instance()])
        medical_imaging_client.delete_image_set(datastoreId=datastore_id, imageSetId=image_set_id)
        response = medical_imaging_client.get_image_set(datastoreId=datastore_id, imageSetId=image_set_id)

    assert response["imageSetState"] == "DELETED"
    assert response["imageSetWorkflowStatus"] == "DELETED"
    assert response["deletedAt"] == MOMENT
    assert response["createdAt"] == MOMENT


def test_metadata_of_a_deleted_image_set_is_not_found(medical_imaging_client, datastore_id, image_set_id):
    medical_imaging_client.delete_image_set(datastoreId=datastore_id, imageSetId=image_set_id)

    with pytest.raises(ClientError) as err:
        metadata(medical_imaging_client, datastore_id, image_set_id)

    assert error_code(err) == "ResourceNotFoundException"
    assert http_status(err) == 404


def test_deleting_a_deleted_image_set_is_not_found(medical_imaging_client, datastore_id, image_set_id):
    medical_imaging_client.delete_image_set(datastoreId=datastore_id, imageSetId=image_set_id)

    with pytest.raises(ClientError) as err:
        medical_imaging_client.delete_image_set(datastoreId=datastore_id, imageSetId=image_set_id)

    assert error_code(err) == "ResourceNotFoundException"


def test_deleting_an_unknown_image_set_is_not_found(medical_imaging_client, datastore_id):
    with pytest.raises(ClientError) as err:
        medical_imaging_client.delete_image_set(datastoreId=datastore_id, imageSetId=UNKNOWN_ID)

    assert error_code(err) == "ResourceNotFoundException"
    assert http_status(err) == 404


def test_deleting_with_an_invalid_image_set_id_is_a_validation_error(medical_imaging_client, datastore_id):
    with pytest.raises(ClientError) as err:
        medical_imaging_client.delete_image_set(datastoreId=datastore_id, imageSetId="XYZ")

    assert error_code(err) == "ValidationException"


def test_deleting_one_image_set_leaves_the_others(medical_imaging, medical_imaging_client, datastore_id):
    keep = medical_imaging.create_image_set(datastore_id, [instance()])
    drop = medical_imaging.create_image_set(datastore_id, [instance()])

    medical_imaging_client.delete_image_set(datastoreId=datastore_id, imageSetId=drop)

    assert get_state(medical_imaging_client, datastore_id, keep) == ("ACTIVE", "CREATED")
    assert metadata(medical_imaging_client, datastore_id, keep)["ImageSetID"] == keep


def test_under_manual_transitions_delete_stays_in_flight_until_advance(
    medical_imaging, medical_imaging_client, datastore_id, image_set_id
):
    medical_imaging.transitions = "manual"
    medical_imaging_client.delete_image_set(datastoreId=datastore_id, imageSetId=image_set_id)

    assert get_state(medical_imaging_client, datastore_id, image_set_id) == ("LOCKED", "DELETING")
    assert "deletedAt" not in medical_imaging_client.get_image_set(
        datastoreId=datastore_id, imageSetId=image_set_id
    )

    medical_imaging.advance()

    assert get_state(medical_imaging_client, datastore_id, image_set_id) == ("DELETED", "DELETED")


def test_deleting_again_while_deleting_is_a_conflict(
    medical_imaging, medical_imaging_client, datastore_id, image_set_id
):
    medical_imaging.transitions = "manual"
    medical_imaging_client.delete_image_set(datastoreId=datastore_id, imageSetId=image_set_id)

    with pytest.raises(ClientError) as err:
        medical_imaging_client.delete_image_set(datastoreId=datastore_id, imageSetId=image_set_id)

    assert error_code(err) == "ConflictException"
    assert http_status(err) == 409


def test_metadata_can_still_be_read_while_deleting(
    medical_imaging, medical_imaging_client, datastore_id, image_set_id
):
    medical_imaging.transitions = "manual"
    medical_imaging_client.delete_image_set(datastoreId=datastore_id, imageSetId=image_set_id)

    assert metadata(medical_imaging_client, datastore_id, image_set_id)["ImageSetID"] == image_set_id


def test_with_a_delay_delete_completes_once_the_clock_passes_it(
    medical_imaging, medical_imaging_client, datastore_id
):
    with freeze_time(FROZEN) as frozen:
        image_set_id = medical_imaging.create_image_set(datastore_id, [instance()])
        medical_imaging.transitions = 10
        medical_imaging_client.delete_image_set(datastoreId=datastore_id, imageSetId=image_set_id)
        frozen.tick(9)
        during = get_state(medical_imaging_client, datastore_id, image_set_id)
        frozen.tick(1)
        after = medical_imaging_client.get_image_set(datastoreId=datastore_id, imageSetId=image_set_id)

    assert during == ("LOCKED", "DELETING")
    assert (after["imageSetState"], after["imageSetWorkflowStatus"]) == ("DELETED", "DELETED")
    assert after["deletedAt"] == MOMENT + timedelta(seconds=10)


def test_deleted_at_is_when_the_delay_ended_not_when_it_was_next_observed(
    medical_imaging, medical_imaging_client, datastore_id
):
    with freeze_time(FROZEN) as frozen:
        image_set_id = medical_imaging.create_image_set(datastore_id, [instance()])
        medical_imaging.transitions = 10
        medical_imaging_client.delete_image_set(datastoreId=datastore_id, imageSetId=image_set_id)
        frozen.tick(60)
        after = medical_imaging_client.get_image_set(datastoreId=datastore_id, imageSetId=image_set_id)

    assert after["imageSetState"] == "DELETED"
    assert after["deletedAt"] == MOMENT + timedelta(seconds=10)


def test_a_datastore_whose_image_sets_are_all_deleted_can_be_deleted(
    medical_imaging, medical_imaging_client, datastore_id
):
    for image_set_id in [medical_imaging.create_image_set(datastore_id, [instance()]) for _ in range(2)]:
        medical_imaging_client.delete_image_set(datastoreId=datastore_id, imageSetId=image_set_id)

    response = medical_imaging_client.delete_datastore(datastoreId=datastore_id)

    assert response["datastoreStatus"] == "DELETING"


def test_a_datastore_with_a_live_image_set_cannot_be_deleted(
    medical_imaging_client, datastore_id, image_set_id
):
    with pytest.raises(ClientError) as err:
        medical_imaging_client.delete_datastore(datastoreId=datastore_id)

    assert error_code(err) == "ConflictException"
    status = medical_imaging_client.get_datastore(datastoreId=datastore_id)["datastoreProperties"]
    assert status["datastoreStatus"] == "ACTIVE"


def test_a_datastore_with_an_image_set_still_deleting_cannot_be_deleted(
    medical_imaging, medical_imaging_client, datastore_id, image_set_id
):
    medical_imaging.transitions = "manual"
    medical_imaging_client.delete_image_set(datastoreId=datastore_id, imageSetId=image_set_id)

    with pytest.raises(ClientError) as err:
        medical_imaging_client.delete_datastore(datastoreId=datastore_id)

    assert error_code(err) == "ConflictException"


# --- tags on image sets --------------------------------------------------------------------------------


def test_image_set_arn_can_be_tagged_listed_and_untagged(medical_imaging_client, datastore_id, image_set_id):
    arn = image_set_arn(datastore_id, image_set_id)

    medical_imaging_client.tag_resource(resourceArn=arn, tags={"team": "radiology", "env": "test"})
    tagged = medical_imaging_client.list_tags_for_resource(resourceArn=arn)["tags"]
    medical_imaging_client.untag_resource(resourceArn=arn, tagKeys=["env"])
    untagged = medical_imaging_client.list_tags_for_resource(resourceArn=arn)["tags"]

    assert tagged == {"team": "radiology", "env": "test"}
    assert untagged == {"team": "radiology"}


def test_a_new_image_set_has_no_tags_even_in_a_tagged_datastore(medical_imaging, medical_imaging_client):
    datastore_id = new_datastore(medical_imaging_client, "tagged", tags={"team": "radiology"})
    image_set_id = medical_imaging.create_image_set(datastore_id, [instance()])

    tags = medical_imaging_client.list_tags_for_resource(
        resourceArn=image_set_arn(datastore_id, image_set_id)
    )

    assert tags["tags"] == {}


def test_image_set_tags_are_separate_from_datastore_tags(medical_imaging_client, datastore_id, image_set_id):
    datastore_arn = f"arn:aws:medical-imaging:us-east-1:{ACCOUNT}:datastore/{datastore_id}"

    medical_imaging_client.tag_resource(
        resourceArn=image_set_arn(datastore_id, image_set_id), tags={"a": "1"}
    )

    assert medical_imaging_client.list_tags_for_resource(resourceArn=datastore_arn)["tags"] == {}


@pytest.mark.parametrize("operation", ["list", "tag", "untag"])
def test_the_arn_of_a_deleted_image_set_is_not_found(
    medical_imaging_client, datastore_id, image_set_id, operation
):
    arn = image_set_arn(datastore_id, image_set_id)
    medical_imaging_client.tag_resource(resourceArn=arn, tags={"a": "1"})
    medical_imaging_client.delete_image_set(datastoreId=datastore_id, imageSetId=image_set_id)
    calls = {
        "list": lambda: medical_imaging_client.list_tags_for_resource(resourceArn=arn),
        "tag": lambda: medical_imaging_client.tag_resource(resourceArn=arn, tags={"b": "2"}),
        "untag": lambda: medical_imaging_client.untag_resource(resourceArn=arn, tagKeys=["a"]),
    }

    with pytest.raises(ClientError) as err:
        calls[operation]()

    assert error_code(err) == "ResourceNotFoundException"


# --- one clock -----------------------------------------------------------------------------------------


def test_every_timestamp_of_a_new_image_set_comes_from_the_frozen_clock(
    medical_imaging, medical_imaging_client, datastore_id
):
    with freeze_time(FROZEN):
        image_set_id = medical_imaging.create_image_set(datastore_id, [instance()])
        properties = medical_imaging_client.get_image_set(datastoreId=datastore_id, imageSetId=image_set_id)
        versions = medical_imaging_client.list_image_set_versions(
            datastoreId=datastore_id, imageSetId=image_set_id
        )

    [item] = versions["imageSetPropertiesList"]
    assert properties["createdAt"] == properties["updatedAt"] == MOMENT
    assert item["createdAt"] == MOMENT
    assert item["updatedAt"] == MOMENT
