"""TagResource, UntagResource, ListTagsForResource through boto3."""

from __future__ import annotations

import pytest
from aws_helpers import error_code, error_message
from botocore.exceptions import ClientError
from moto.moto_api._internal import mock_random

UNKNOWN_ID = "0123456789abcdef0123456789abcdef"
IMAGE_SET_ID = "fedcba9876543210fedcba9876543210"


def arn_of(datastore_id: str, region: str = "us-east-1", account: str = "123456789012") -> str:
    return f"arn:aws:medical-imaging:{region}:{account}:datastore/{datastore_id}"


@pytest.fixture
def datastore_arn(medical_imaging_client) -> str:
    return arn_of(medical_imaging_client.create_datastore(datastoreName="ds")["datastoreId"])


def tags_of(client, arn: str) -> dict[str, str]:
    return client.list_tags_for_resource(resourceArn=arn)["tags"]


def test_a_new_datastore_has_no_tags(medical_imaging_client, datastore_arn):
    assert tags_of(medical_imaging_client, datastore_arn) == {}


def test_tag_resource_adds_tags_listed_on_the_datastore(medical_imaging_client, datastore_arn):
    response = medical_imaging_client.tag_resource(resourceArn=datastore_arn, tags={"team": "radiology"})

    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert tags_of(medical_imaging_client, datastore_arn) == {"team": "radiology"}


def test_tagging_again_merges_and_overwrites_values(medical_imaging_client, datastore_arn):
    medical_imaging_client.tag_resource(resourceArn=datastore_arn, tags={"team": "radiology", "env": "dev"})

    medical_imaging_client.tag_resource(resourceArn=datastore_arn, tags={"env": "prod", "cost": "42"})

    assert tags_of(medical_imaging_client, datastore_arn) == {
        "team": "radiology",
        "env": "prod",
        "cost": "42",
    }


def test_empty_tag_value_is_allowed(medical_imaging_client, datastore_arn):
    medical_imaging_client.tag_resource(resourceArn=datastore_arn, tags={"flag": ""})

    assert tags_of(medical_imaging_client, datastore_arn) == {"flag": ""}


def test_untag_resource_removes_one_key(medical_imaging_client, datastore_arn):
    medical_imaging_client.tag_resource(resourceArn=datastore_arn, tags={"a": "1", "b": "2"})

    medical_imaging_client.untag_resource(resourceArn=datastore_arn, tagKeys=["a"])

    assert tags_of(medical_imaging_client, datastore_arn) == {"b": "2"}


def test_untag_resource_removes_several_keys(medical_imaging_client, datastore_arn):
    medical_imaging_client.tag_resource(
        resourceArn=datastore_arn, tags={"a": "1", "b": "2", "c": "3", "d": "4"}
    )

    medical_imaging_client.untag_resource(resourceArn=datastore_arn, tagKeys=["a", "c", "d"])

    assert tags_of(medical_imaging_client, datastore_arn) == {"b": "2"}


def test_untagging_a_key_that_is_not_there_changes_nothing(medical_imaging_client, datastore_arn):
    medical_imaging_client.tag_resource(resourceArn=datastore_arn, tags={"a": "1"})

    medical_imaging_client.untag_resource(resourceArn=datastore_arn, tagKeys=["missing"])

    assert tags_of(medical_imaging_client, datastore_arn) == {"a": "1"}


def test_tags_belong_to_their_own_datastore(medical_imaging_client):
    first = arn_of(medical_imaging_client.create_datastore(datastoreName="one")["datastoreId"])
    second = arn_of(medical_imaging_client.create_datastore(datastoreName="two")["datastoreId"])

    medical_imaging_client.tag_resource(resourceArn=first, tags={"which": "first"})

    assert tags_of(medical_imaging_client, first) == {"which": "first"}
    assert tags_of(medical_imaging_client, second) == {}


# --- limits ---------------------------------------------------------------------------------------------


def test_fifty_tags_are_allowed(medical_imaging_client, datastore_arn):
    fifty = {f"key{n}": str(n) for n in range(50)}

    medical_imaging_client.tag_resource(resourceArn=datastore_arn, tags=fifty)

    assert tags_of(medical_imaging_client, datastore_arn) == fifty


def test_the_fifty_first_tag_is_a_validation_error(medical_imaging_client, datastore_arn):
    fifty = {f"key{n}": str(n) for n in range(50)}
    medical_imaging_client.tag_resource(resourceArn=datastore_arn, tags=fifty)

    with pytest.raises(ClientError) as err:
        medical_imaging_client.tag_resource(resourceArn=datastore_arn, tags={"one-too-many": "x"})

    assert error_code(err) == "ValidationException"
    assert tags_of(medical_imaging_client, datastore_arn) == fifty


def test_replacing_a_value_at_fifty_tags_is_allowed(medical_imaging_client, datastore_arn):
    fifty = {f"key{n}": str(n) for n in range(50)}
    medical_imaging_client.tag_resource(resourceArn=datastore_arn, tags=fifty)

    medical_imaging_client.tag_resource(resourceArn=datastore_arn, tags={"key0": "changed"})

    assert tags_of(medical_imaging_client, datastore_arn)["key0"] == "changed"


def test_fifty_one_tags_in_one_call_is_a_validation_error(medical_imaging_client, datastore_arn):
    with pytest.raises(ClientError) as err:
        medical_imaging_client.tag_resource(
            resourceArn=datastore_arn, tags={f"key{n}": str(n) for n in range(51)}
        )

    assert error_code(err) == "ValidationException"
    assert tags_of(medical_imaging_client, datastore_arn) == {}


def test_aws_prefixed_tag_key_is_a_validation_error(medical_imaging_client, datastore_arn):
    with pytest.raises(ClientError) as err:
        medical_imaging_client.tag_resource(resourceArn=datastore_arn, tags={"aws:owner": "me"})

    assert error_code(err) == "ValidationException"
    assert tags_of(medical_imaging_client, datastore_arn) == {}


def test_empty_tag_map_is_a_validation_error(medical_imaging_client, datastore_arn):
    """botocore sends `{"tags": {}}`: present, so past the wire's null check, and refused for its size."""
    with pytest.raises(ClientError) as err:
        medical_imaging_client.tag_resource(resourceArn=datastore_arn, tags={})

    assert error_code(err) == "ValidationException"
    assert error_message(err) == (
        "1 validation error detected: Value '{}' at 'tags' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1"
    )


def test_an_empty_tag_key_list_arrives_as_no_tag_keys_and_is_refused_as_missing(
    medical_imaging_client, datastore_arn
):
    """tagKeys travels as repeated `?tagKeys=` parameters, so an empty list is no parameter at all: the
    service sees the required member missing (the model allows an empty list, min 0, but cannot carry it)."""
    medical_imaging_client.tag_resource(resourceArn=datastore_arn, tags={"a": "1"})

    with pytest.raises(ClientError) as err:
        medical_imaging_client.untag_resource(resourceArn=datastore_arn, tagKeys=[])

    assert error_code(err) == "ValidationException"
    assert error_message(err) == (
        "1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: "
        "Member must not be null"
    )
    assert tags_of(medical_imaging_client, datastore_arn) == {"a": "1"}


# --- which resource -------------------------------------------------------------------------------------


def test_tag_operations_on_an_unknown_datastore_are_not_found(medical_imaging_client):
    arn = arn_of(UNKNOWN_ID)

    for call in (
        lambda: medical_imaging_client.list_tags_for_resource(resourceArn=arn),
        lambda: medical_imaging_client.tag_resource(resourceArn=arn, tags={"a": "1"}),
        lambda: medical_imaging_client.untag_resource(resourceArn=arn, tagKeys=["a"]),
    ):
        with pytest.raises(ClientError) as err:
            call()
        assert error_code(err) == "ResourceNotFoundException"
        assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_image_set_arn_of_a_missing_image_set_is_not_found(medical_imaging_client, datastore_arn):
    arn = f"{datastore_arn}/imageset/{IMAGE_SET_ID}"

    with pytest.raises(ClientError) as err:
        medical_imaging_client.tag_resource(resourceArn=arn, tags={"a": "1"})

    assert error_code(err) == "ResourceNotFoundException"


def test_listing_tags_of_a_missing_image_set_is_not_found(medical_imaging_client, datastore_arn):
    with pytest.raises(ClientError) as err:
        medical_imaging_client.list_tags_for_resource(resourceArn=f"{datastore_arn}/imageset/{IMAGE_SET_ID}")

    assert error_code(err) == "ResourceNotFoundException"


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:s3:::bucket",
        "not-an-arn",
        "arn:aws:medical-imaging:us-east-1:123456789012:datastore/SHORT",
        "arn:aws:medical-imaging:us-east-1:123456789012:datastore/0123456789abcdef0123456789abcdef/imageSet/"
        "fedcba9876543210fedcba9876543210",
    ],
)
def test_malformed_arn_is_a_validation_error(medical_imaging_client, arn):
    with pytest.raises(ClientError) as err:
        medical_imaging_client.list_tags_for_resource(resourceArn=arn)

    assert error_code(err) == "ValidationException"
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_tagging_with_a_malformed_arn_is_a_validation_error(medical_imaging_client):
    with pytest.raises(ClientError) as err:
        medical_imaging_client.tag_resource(resourceArn="arn:aws:s3:::bucket", tags={"a": "1"})

    assert error_code(err) == "ValidationException"


def test_arn_of_another_region_is_not_found(medical_imaging_client, datastore_arn):
    elsewhere = datastore_arn.replace(":us-east-1:", ":eu-west-1:")

    with pytest.raises(ClientError) as err:
        medical_imaging_client.list_tags_for_resource(resourceArn=elsewhere)

    assert error_code(err) == "ResourceNotFoundException"


def test_arn_of_another_account_is_not_found(medical_imaging_client, datastore_arn):
    elsewhere = datastore_arn.replace(":123456789012:", ":210987654321:")

    with pytest.raises(ClientError) as err:
        medical_imaging_client.tag_resource(resourceArn=elsewhere, tags={"a": "1"})

    assert error_code(err) == "ResourceNotFoundException"
    assert tags_of(medical_imaging_client, datastore_arn) == {}


# --- deletion -------------------------------------------------------------------------------------------


def test_tags_of_a_deleted_datastore_are_not_found(medical_imaging_client, datastore_arn):
    medical_imaging_client.tag_resource(resourceArn=datastore_arn, tags={"a": "1"})

    medical_imaging_client.delete_datastore(datastoreId=datastore_arn.rsplit("/", 1)[1])

    with pytest.raises(ClientError) as err:
        medical_imaging_client.list_tags_for_resource(resourceArn=datastore_arn)
    assert error_code(err) == "ResourceNotFoundException"


def test_a_new_datastore_never_inherits_tags_of_a_deleted_one(medical_imaging_client):
    mock_random.seed(20240501)
    old = medical_imaging_client.create_datastore(datastoreName="old", tags={"secret": "yes"})["datastoreId"]
    medical_imaging_client.delete_datastore(datastoreId=old)

    mock_random.seed(20240501)  # the same seed gives the same id, so the new datastore has the old ARN
    new = medical_imaging_client.create_datastore(datastoreName="new")["datastoreId"]

    assert new == old
    assert tags_of(medical_imaging_client, arn_of(new)) == {}
