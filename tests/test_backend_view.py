"""`mi.backend()`: one account and region as read-only snapshots that hold what the API answers."""

from __future__ import annotations

import dataclasses
import json

import boto3
import pytest
from aws_helpers import INPUT_BUCKET, OUTPUT_BUCKET, ROLE, metadata, new_datastore
from dicom_factory import gray_frames, make_dataset, part10_bytes

from medimaging_mock import MockStoppedError, mock_medical_imaging
from medimaging_mock.activation.views import BackendView, DatastoreView, ImageSetView, ImportJobView


def frame_ids(document: dict) -> list[str]:
    return [
        frame["ID"]
        for series in document["Study"]["Series"].values()
        for instance in series["Instances"].values()
        for frame in instance.get("ImageFrames", [])
    ]


def update(client, datastore_id: str, image_set_id: str, latest: str, description: str) -> None:
    change = {"SchemaVersion": "1.1", "Study": {"DICOM": {"StudyDescription": description}}}
    client.update_image_set_metadata(
        datastoreId=datastore_id,
        imageSetId=image_set_id,
        latestVersionId=latest,
        updateImageSetMetadataUpdates={"DICOMUpdates": {"updatableAttributes": json.dumps(change)}},
    )


def start_import(client, s3, datastore_id: str, output_bucket: str = OUTPUT_BUCKET) -> str:
    s3.put_object(
        Bucket=INPUT_BUCKET, Key="in/one.dcm", Body=part10_bytes(make_dataset(gray_frames(1, 4, 4)))
    )
    return client.start_dicom_import_job(
        datastoreId=datastore_id,
        dataAccessRoleArn=ROLE,
        inputS3Uri=f"s3://{INPUT_BUCKET}/in/",
        outputS3Uri=f"s3://{output_bucket}/out/",
    )["jobId"]


# --- every field, equal to the API's answer --------------------------------------------------------------


def test_a_datastore_view_holds_what_the_api_answers(medical_imaging, medical_imaging_client):
    client = medical_imaging_client
    datastore_id = new_datastore(client, "research", tags={"team": "imaging"})
    answered = client.get_datastore(datastoreId=datastore_id)["datastoreProperties"]

    view = medical_imaging.backend()

    assert isinstance(view, BackendView)
    assert (view.account_id, view.region) == ("123456789012", "us-east-1")
    datastore = view.datastores[datastore_id]
    assert isinstance(datastore, DatastoreView)
    assert datastore.datastore_id == datastore_id
    assert datastore.name == "research"
    assert datastore.status == "ACTIVE"
    assert datastore.arn == answered["datastoreArn"]
    assert datastore.properties == answered
    assert datastore.tags == {"team": "imaging"}
    assert datastore.image_sets == {}
    assert datastore.import_jobs == {}


def test_an_image_set_view_holds_what_the_api_answers(medical_imaging, medical_imaging_client, datastore_id):
    client = medical_imaging_client
    image_set_id = medical_imaging.create_image_set(datastore_id, [make_dataset(gray_frames(2, 4, 4))])
    update(client, datastore_id, image_set_id, "1", "CHEST")
    answered = client.get_image_set(datastoreId=datastore_id, imageSetId=image_set_id)
    client.tag_resource(resourceArn=answered["imageSetArn"], tags={"stage": "review"})
    document = metadata(client, datastore_id, image_set_id)

    image_set = medical_imaging.backend().datastores[datastore_id].image_sets[image_set_id]

    assert isinstance(image_set, ImageSetView)
    assert image_set.image_set_id == image_set_id
    assert image_set.datastore_id == datastore_id
    assert image_set.arn == answered["imageSetArn"]
    assert (image_set.state, image_set.workflow_status) == ("ACTIVE", "UPDATED")
    assert (image_set.version_count, image_set.latest_version_id) == (2, answered["versionId"])
    assert image_set.is_primary is True
    assert image_set.tags == {"stage": "review"}
    assert image_set.metadata == document
    assert image_set.metadata["Study"]["DICOM"]["StudyDescription"] == "CHEST"
    assert list(image_set.frame_ids) == frame_ids(document)
    assert len(image_set.frame_ids) == 2


def test_a_copy_is_a_non_primary_image_set_of_its_own(medical_imaging, medical_imaging_client, datastore_id):
    source_id = medical_imaging.create_image_set(datastore_id, [make_dataset(gray_frames(1, 4, 4))])
    copied = medical_imaging_client.copy_image_set(
        datastoreId=datastore_id,
        sourceImageSetId=source_id,
        copyImageSetInformation={"sourceImageSet": {"latestVersionId": "1"}},
    )["destinationImageSetProperties"]["imageSetId"]

    image_sets = medical_imaging.backend().datastores[datastore_id].image_sets

    assert list(image_sets) == [source_id, copied]  # oldest first
    copy = image_sets[copied]
    assert (copy.is_primary, copy.workflow_status, copy.version_count) == (False, "COPIED", 1)
    assert copy.frame_ids == image_sets[source_id].frame_ids
    assert copy.metadata == metadata(medical_imaging_client, datastore_id, copied)


def test_import_jobs_show_their_status_and_why_they_failed(
    medical_imaging, medical_imaging_client, datastore_id, s3
):
    completed = start_import(medical_imaging_client, s3, datastore_id)
    failed = start_import(medical_imaging_client, s3, datastore_id, output_bucket="no-such-bucket")
    answered = medical_imaging_client.get_dicom_import_job(datastoreId=datastore_id, jobId=failed)

    jobs = medical_imaging.backend().datastores[datastore_id].import_jobs

    assert list(jobs) == [completed, failed]
    assert jobs[completed] == ImportJobView(completed, "COMPLETED", None)
    assert (jobs[failed].status, jobs[failed].message) == ("FAILED", answered["jobProperties"]["message"])
    assert "no-such-bucket" in jobs[failed].message


def test_in_flight_states_show_as_the_api_answers_them(medical_imaging, medical_imaging_client, datastore_id):
    image_set_id = medical_imaging.create_image_set(datastore_id, [make_dataset(gray_frames(1, 4, 4))])
    medical_imaging.transitions = "manual"
    update(medical_imaging_client, datastore_id, image_set_id, "1", "CHEST")
    creating = medical_imaging_client.create_datastore(datastoreName="new")["datastoreId"]

    view = medical_imaging.backend()

    image_set = view.datastores[datastore_id].image_sets[image_set_id]
    assert (image_set.state, image_set.workflow_status) == ("LOCKED", "UPDATING")
    assert image_set.latest_version_id == "2"
    assert view.datastores[creating].status == "CREATING"


def test_a_deleted_image_set_stays_as_deleted_and_a_deleted_datastore_goes(
    medical_imaging, medical_imaging_client, datastore_id
):
    image_set_id = medical_imaging.create_image_set(datastore_id, [make_dataset(gray_frames(1, 4, 4))])
    medical_imaging_client.delete_image_set(datastoreId=datastore_id, imageSetId=image_set_id)
    empty = new_datastore(medical_imaging_client, "empty")
    medical_imaging.transitions = "manual"
    medical_imaging_client.delete_datastore(datastoreId=empty)

    during = medical_imaging.backend()
    medical_imaging.advance()
    after = medical_imaging.backend()

    assert during.datastores[datastore_id].image_sets[image_set_id].state == "DELETED"
    assert during.datastores[empty].status == "DELETING"
    assert list(after.datastores) == [datastore_id]


# --- snapshots ---------------------------------------------------------------------------------------------


def test_a_view_is_a_snapshot_and_a_new_call_shows_later_changes(
    medical_imaging, medical_imaging_client, datastore_id
):
    client = medical_imaging_client
    image_set_id = medical_imaging.create_image_set(datastore_id, [make_dataset(gray_frames(1, 4, 4))])
    before = medical_imaging.backend()
    arn = before.datastores[datastore_id].arn

    update(client, datastore_id, image_set_id, "1", "LATER")
    client.tag_resource(resourceArn=arn, tags={"added": "later"})
    second = new_datastore(client, "second")
    after = medical_imaging.backend()

    old, new = before.datastores[datastore_id], after.datastores[datastore_id]
    assert list(before.datastores) == [datastore_id]
    assert old.tags == {}
    assert old.image_sets[image_set_id].version_count == 1
    assert "StudyDescription" not in old.image_sets[image_set_id].metadata["Study"]["DICOM"]
    assert list(after.datastores) == [datastore_id, second]
    assert new.tags == {"added": "later"}
    assert new.image_sets[image_set_id].version_count == 2
    assert new.image_sets[image_set_id].metadata["Study"]["DICOM"]["StudyDescription"] == "LATER"


def test_a_view_taken_inside_the_mock_stays_readable_after_stop():
    with mock_medical_imaging() as mi:
        datastore_id = new_datastore(boto3.client("medical-imaging", region_name="us-east-1"))
        view = mi.backend()

    assert view.datastores[datastore_id].status == "ACTIVE"
    with pytest.raises(MockStoppedError):
        mi.backend()


# --- read-only ---------------------------------------------------------------------------------------------


def test_no_field_of_a_view_can_be_set(medical_imaging, medical_imaging_client, datastore_id, s3):
    image_set_id = medical_imaging.create_image_set(datastore_id, [make_dataset(gray_frames(1, 4, 4))])
    start_import(medical_imaging_client, s3, datastore_id)
    view = medical_imaging.backend()
    datastore = view.datastores[datastore_id]
    image_set = datastore.image_sets[image_set_id]
    (job,) = datastore.import_jobs.values()

    for item in (view, datastore, image_set, job):
        for name in [f.name for f in dataclasses.fields(item)]:
            with pytest.raises(dataclasses.FrozenInstanceError):
                setattr(item, name, None)
    for mapping in (view.datastores, datastore.properties, datastore.tags, datastore.image_sets):
        with pytest.raises(TypeError):
            mapping["x"] = None
    with pytest.raises(TypeError):
        datastore.import_jobs[job.job_id] = job


def test_views_offer_their_fields_and_no_method(medical_imaging):
    public = {
        view: sorted(name for name in dir(view) if not name.startswith("_"))
        for view in (BackendView, DatastoreView, ImageSetView, ImportJobView)
    }

    assert public == {BackendView: [], DatastoreView: [], ImageSetView: ["metadata"], ImportJobView: []}


def test_changing_the_metadata_read_from_a_view_changes_nothing_else(
    medical_imaging, medical_imaging_client, datastore_id
):
    image_set_id = medical_imaging.create_image_set(datastore_id, [make_dataset(gray_frames(1, 4, 4))])
    image_set = medical_imaging.backend().datastores[datastore_id].image_sets[image_set_id]

    document = image_set.metadata
    document["Patient"]["DICOM"]["PatientName"] = "CHANGED^BY^TEST"
    document["Study"]["Series"].clear()

    assert image_set.metadata != document
    assert image_set.metadata == metadata(medical_imaging_client, datastore_id, image_set_id)
    assert medical_imaging.backend().datastores[datastore_id].image_sets[image_set_id] == image_set


# --- accounts and regions ----------------------------------------------------------------------------------


def test_each_account_and_region_has_a_view_of_its_own(medical_imaging, monkeypatch):
    east = new_datastore(boto3.client("medical-imaging", region_name="us-east-1"), "east")
    west = new_datastore(boto3.client("medical-imaging", region_name="eu-west-1"), "west")
    monkeypatch.setenv("MOTO_ACCOUNT_ID", "111122223333")
    other = new_datastore(boto3.client("medical-imaging", region_name="us-east-1"), "other")

    assert list(medical_imaging.backend().datastores) == [other]  # MOTO_ACCOUNT_ID, as for the clients
    monkeypatch.delenv("MOTO_ACCOUNT_ID")
    assert list(medical_imaging.backend().datastores) == [east]
    assert list(medical_imaging.backend("eu-west-1").datastores) == [west]
    view = medical_imaging.backend("us-east-1", "111122223333")
    assert (view.account_id, view.region, list(view.datastores)) == ("111122223333", "us-east-1", [other])
    assert medical_imaging.backend("eu-west-1", "111122223333").datastores == {}
