"""UpdateImageSetMetadata through boto3: the DICOMUpdates documents and their rules (force, generated
attributes, levels, primary image sets), asynchronous failures, versions and states, revert, and
includeStudyImageSets (reference §5, §6, §9)."""

from __future__ import annotations

import contextlib
import copy
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from aws_helpers import (
    NOT_CONSISTENT_YET,
    STALE,
    image_set,
    layout,
    metadata,
    new_datastore,
    refusal,
    status,
    versions,
)
from botocore.exceptions import ClientError
from freezegun import freeze_time

from medimaging_mock.samples import generated_study

NEW_UID = "1.2.826.0.1.3680043.8.498.1234567890"
UPDATE_TIME = datetime(2030, 3, 4, 5, 6, 7, 890000, tzinfo=UTC)


# --- helpers --------------------------------------------------------------------------------------------


def update(client, ds, is_id, version, updatable=None, removable=None, **flags) -> dict:
    """One DICOMUpdates call; dict blobs are sent as JSON, str / bytes as they are."""
    dicom_updates = {}
    for member, blob in (("updatableAttributes", updatable), ("removableAttributes", removable)):
        if blob is not None:
            dicom_updates[member] = blob if isinstance(blob, (str, bytes)) else json.dumps(blob)
    return client.update_image_set_metadata(
        datastoreId=ds,
        imageSetId=is_id,
        latestVersionId=version,
        updateImageSetMetadataUpdates={"DICOMUpdates": dicom_updates},
        **flags,
    )


def revert(client, ds, is_id, version, to, **flags) -> dict:
    return client.update_image_set_metadata(
        datastoreId=ds,
        imageSetId=is_id,
        latestVersionId=version,
        updateImageSetMetadataUpdates={"revertToVersionId": to},
        **flags,
    )


def patient(**dicom) -> dict:
    return {"SchemaVersion": 1.1, "Patient": {"DICOM": dicom}}


def study(**dicom) -> dict:
    return {"SchemaVersion": 1.1, "Study": {"DICOM": dicom}}


def series(uid: str, **dicom) -> dict:
    return {"SchemaVersion": 1.1, "Study": {"Series": {uid: {"DICOM": dicom}}}}


def instance(series_uid: str, sop: str, vrs: dict | None = None, **dicom) -> dict:
    entry: dict[str, Any] = {"DICOM": dicom}
    if vrs is not None:
        entry["DICOMVRs"] = vrs
    return {"SchemaVersion": 1.1, "Study": {"Series": {series_uid: {"Instances": {sop: entry}}}}}


def first(document: dict) -> tuple[str, str]:
    """(series UID, SOP instance UID) of the first instance."""
    series_uid, sops = next(iter(layout(document).items()))
    return series_uid, sops[0]


def instance_dicom(document: dict, series_uid: str, sop: str) -> dict:
    return document["Study"]["Series"][series_uid]["Instances"][sop]["DICOM"]


def with_private_element(datasets):
    for ds in datasets:
        block = ds.private_block(0x0009, "GEMS_IDEN_01", create=True)
        block.add_new(0x01, "LO", "GE_GENESIS")
        block.add_new(0x0A, "LO", "GE_0A")
    return datasets


# --- fixtures -------------------------------------------------------------------------------------------


@pytest.fixture
def ds(medical_imaging_client) -> str:
    return new_datastore(medical_imaging_client, "revisions")


@pytest.fixture
def client(medical_imaging_client):
    return medical_imaging_client


@pytest.fixture
def is_id(medical_imaging, ds) -> str:
    """A non-primary image set: two series of two instances, each with private elements 00091001 and
    0009100A."""
    datasets = with_private_element(generated_study(series=2, instances_per_series=2, size=8))
    return medical_imaging.create_image_set(ds, datasets, is_primary=False)


@pytest.fixture
def primary_id(medical_imaging, ds) -> str:
    return medical_imaging.create_image_set(ds, generated_study(series=1, size=8), is_primary=True)


@pytest.fixture
def v1(client, ds, is_id) -> dict:
    return metadata(client, ds, is_id)


# --- inserting and updating at every level --------------------------------------------------------------


def test_update_inserts_and_changes_patient_attributes(client, ds, is_id):
    update(client, ds, is_id, "1", patient(PatientName="MX^MX", PatientBirthDate="19700101"))

    assert metadata(client, ds, is_id)["Patient"]["DICOM"] == {
        "PatientName": "MX^MX",
        "PatientID": "DEMO-0001",
        "PatientBirthDate": "19700101",
    }


def test_update_inserts_and_changes_study_attributes(client, ds, is_id, v1):
    update(client, ds, is_id, "1", study(StudyDescription="CT CHEST", PatientAge="042Y"))

    assert metadata(client, ds, is_id)["Study"]["DICOM"] == {
        **v1["Study"]["DICOM"],
        "StudyDescription": "CT CHEST",
        "PatientAge": "042Y",
    }


def test_update_inserts_and_changes_series_attributes(client, ds, is_id, v1):
    series_uid, _ = first(v1)

    update(client, ds, is_id, "1", series(series_uid, SeriesNumber="7", SeriesDescription="AXIAL"))

    after = metadata(client, ds, is_id)["Study"]["Series"]
    assert after[series_uid]["DICOM"] == {
        **v1["Study"]["Series"][series_uid]["DICOM"],
        "SeriesNumber": "7",
        "SeriesDescription": "AXIAL",
    }
    other = next(uid for uid in after if uid != series_uid)
    assert after[other] == v1["Study"]["Series"][other]


def test_update_inserts_and_changes_instance_attributes(client, ds, is_id, v1):
    series_uid, sop = first(v1)

    update(client, ds, is_id, "1", instance(series_uid, sop, InstanceNumber="9", ImageComments="re-read"))

    after = metadata(client, ds, is_id)
    assert instance_dicom(after, series_uid, sop) == {
        **instance_dicom(v1, series_uid, sop),
        "InstanceNumber": "9",
        "ImageComments": "re-read",
    }
    frames = after["Study"]["Series"][series_uid]["Instances"][sop]["ImageFrames"]
    assert frames == v1["Study"]["Series"][series_uid]["Instances"][sop]["ImageFrames"]


def test_update_changes_every_level_in_one_blob(client, ds, is_id, v1):
    series_uid, sop = first(v1)
    blob = {
        "SchemaVersion": "1.1",
        "Patient": {"DICOM": {"PatientName": "A^B"}},
        "Study": {
            "DICOM": {"StudyDescription": "ALL"},
            "Series": {
                series_uid: {
                    "DICOM": {"SeriesDescription": "S"},
                    "Instances": {sop: {"DICOM": {"ImageComments": "I"}}},
                }
            },
        },
    }

    update(client, ds, is_id, "1", blob)

    after = metadata(client, ds, is_id)
    assert after["Patient"]["DICOM"]["PatientName"] == "A^B"
    assert after["Study"]["DICOM"]["StudyDescription"] == "ALL"
    assert after["Study"]["Series"][series_uid]["DICOM"]["SeriesDescription"] == "S"
    assert instance_dicom(after, series_uid, sop)["ImageComments"] == "I"


@pytest.mark.parametrize("schema_version", [1.1, "1.1"])
def test_schema_version_1_1_is_accepted_as_a_number_or_a_string(client, ds, is_id, schema_version):
    blob = {"SchemaVersion": schema_version, "Study": {"DICOM": {"StudyDescription": "X"}}}

    update(client, ds, is_id, "1", blob)

    assert status(client, ds, is_id) == ("2", "ACTIVE", "UPDATED")


@pytest.mark.parametrize("member", ["updatable", "removable"])
@pytest.mark.parametrize(
    "blob",
    [
        pytest.param({"Study": {"DICOM": {"StudyDescription": "CHEST"}}}, id="missing"),
        pytest.param({"SchemaVersion": "1.0", "Study": {"DICOM": {"StudyDescription": "CHEST"}}}, id="1.0"),
        pytest.param({"SchemaVersion": 2, "Study": {"DICOM": {"StudyDescription": "CHEST"}}}, id="2"),
    ],
)
def test_schema_version_other_than_1_1_is_a_validation_exception(client, ds, is_id, member, blob):
    code, message = refusal(update, client, ds, is_id, "1", **{member: blob})

    assert code == "ValidationException"
    assert "SchemaVersion" in message
    assert status(client, ds, is_id) == ("1", "ACTIVE", "CREATED")


# --- malformed documents --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("member", "name"), [("updatable", "updatableAttributes"), ("removable", "removableAttributes")]
)
@pytest.mark.parametrize("text", ['{"SchemaVersion": 1.1, "Study": ', "not json", b"\xff\xfe\x00"])
def test_malformed_json_is_a_validation_exception_naming_the_member(client, ds, is_id, member, name, text):
    code, message = refusal(update, client, ds, is_id, "1", **{member: text})

    assert code == "ValidationException"
    assert name in message
    assert "JSON" in message


@pytest.mark.parametrize(
    ("blob", "path"),
    [
        pytest.param([{"SchemaVersion": 1.1}], "updatableAttributes", id="root"),
        pytest.param({"SchemaVersion": 1.1, "Patient": ["PatientName"]}, "Patient", id="Patient"),
        pytest.param({"SchemaVersion": 1.1, "Study": {"DICOM": [1, 2]}}, "Study.DICOM", id="Study.DICOM"),
        pytest.param({"SchemaVersion": 1.1, "Study": {"Series": ["1.2.3"]}}, "Study.Series", id="Series"),
        pytest.param(
            {"SchemaVersion": 1.1, "Study": {"Series": {"1.2.3": {"Instances": ["4.5"]}}}},
            "Instances",
            id="Instances",
        ),
        pytest.param(
            {"SchemaVersion": 1.1, "Study": {"Series": {"1.2.3": {"Instances": {"4.5": "x"}}}}},
            "Instances.4.5",
            id="instance",
        ),
    ],
)
def test_a_list_or_scalar_where_an_object_is_expected_is_a_validation_exception(
    client, ds, is_id, blob, path
):
    code, message = refusal(update, client, ds, is_id, "1", blob)

    assert code == "ValidationException"
    assert path in message
    assert "object" in message


@pytest.mark.parametrize(
    ("blob", "unknown"),
    [
        pytest.param({"SchemaVersion": 1.1, "Series": {}}, "Series", id="Series-at-root"),
        pytest.param({"SchemaVersion": 1.1, "Equipment": {"DICOM": {}}}, "Equipment", id="Equipment"),
        pytest.param({"SchemaVersion": 1.1, "Patient": {"Study": {}}}, "Study", id="Study-in-Patient"),
        pytest.param(
            {"SchemaVersion": 1.1, "Study": {"Instances": {}}}, "Instances", id="Instances-in-Study"
        ),
        pytest.param(
            {"SchemaVersion": 1.1, "Study": {"Series": {"1.2.3": {"Frames": {}}}}}, "Frames", id="Frames"
        ),
        pytest.param(
            {"SchemaVersion": 1.1, "DatastoreID": "0" * 32}, "DatastoreID", id="DatastoreID-at-root"
        ),
    ],
)
def test_unknown_level_is_a_validation_exception_naming_it(client, ds, is_id, blob, unknown):
    code, message = refusal(update, client, ds, is_id, "1", blob)

    assert code == "ValidationException"
    assert unknown in message


def test_dicom_updates_with_neither_blob_is_a_validation_exception(client, ds, is_id):
    code, message = refusal(update, client, ds, is_id, "1")

    assert code == "ValidationException"
    assert "updatableAttributes" in message
    assert status(client, ds, is_id) == ("1", "ACTIVE", "CREATED")


# --- removals -------------------------------------------------------------------------------------------


def test_removal_removes_an_attribute_whose_value_matches(client, ds, is_id, v1):
    update(client, ds, is_id, "1", removable=study(StudyDescription="CHEST"))

    after = metadata(client, ds, is_id)["Study"]["DICOM"]
    assert "StudyDescription" not in after
    assert after == {k: v for k, v in v1["Study"]["DICOM"].items() if k != "StudyDescription"}


def test_removal_removes_an_instance_attribute(client, ds, is_id, v1):
    series_uid, sop = first(v1)

    update(client, ds, is_id, "1", removable=instance(series_uid, sop, InstanceNumber="1"))

    assert "InstanceNumber" not in instance_dicom(metadata(client, ds, is_id), series_uid, sop)


def test_removal_with_another_value_fails_the_new_version(client, ds, is_id, v1):
    response = update(client, ds, is_id, "1", removable=study(StudyDescription="HEAD"))

    assert response["latestVersionId"] == "2"
    properties = image_set(client, ds, is_id)
    assert (properties["imageSetState"], properties["imageSetWorkflowStatus"]) == ("ACTIVE", "UPDATE_FAILED")
    assert "StudyDescription" in properties["message"]
    assert metadata(client, ds, is_id) == v1


def test_removal_of_an_attribute_that_is_absent_fails_the_new_version(client, ds, is_id, v1):
    update(client, ds, is_id, "1", removable=study(ReferringPhysicianName="DR^WHO"))

    properties = image_set(client, ds, is_id)
    assert properties["imageSetWorkflowStatus"] == "UPDATE_FAILED"
    assert "ReferringPhysicianName" in properties["message"]
    assert metadata(client, ds, is_id) == v1


def test_removal_of_an_instance(client, ds, is_id, v1):
    series_uid, sop = first(v1)
    blob = {"SchemaVersion": 1.1, "Study": {"Series": {series_uid: {"Instances": {sop: {}}}}}}

    update(client, ds, is_id, "1", removable=blob)

    expected = layout(v1)
    expected[series_uid].remove(sop)
    assert layout(metadata(client, ds, is_id)) == expected


def test_removal_of_a_whole_series(client, ds, is_id, v1):
    series_uid, _ = first(v1)

    update(client, ds, is_id, "1", removable={"SchemaVersion": 1.1, "Study": {"Series": {series_uid: {}}}})

    after = metadata(client, ds, is_id)
    assert series_uid not in after["Study"]["Series"]
    assert layout(after) == {uid: sops for uid, sops in layout(v1).items() if uid != series_uid}


def test_removal_of_every_instance_of_a_series_removes_the_series(client, ds, is_id, v1):
    series_uid, sops = next(iter(layout(v1).items()))
    blob = {"SchemaVersion": 1.1, "Study": {"Series": {series_uid: {"Instances": {s: {} for s in sops}}}}}

    update(client, ds, is_id, "1", removable=blob)

    assert series_uid not in metadata(client, ds, is_id)["Study"]["Series"]


def test_removal_of_every_series_fails_the_new_version(client, ds, is_id, v1):
    blob = {"SchemaVersion": 1.1, "Study": {"Series": {uid: {} for uid in layout(v1)}}}

    update(client, ds, is_id, "1", removable=blob)

    assert status(client, ds, is_id) == ("2", "ACTIVE", "UPDATE_FAILED")
    assert metadata(client, ds, is_id) == v1


@pytest.mark.parametrize("force", [False, True])
def test_removal_of_a_uid_is_a_validation_exception(client, ds, is_id, v1, force):
    series_uid, sop = first(v1)

    code, message = refusal(
        update, client, ds, is_id, "1", removable=instance(series_uid, sop, SOPInstanceUID=sop), force=force
    )

    assert code == "ValidationException"
    assert "SOPInstanceUID" in message
    assert "removed" in message  # the removal rule, not the force rule that also covers SOPInstanceUID


def test_removal_of_a_private_element_needs_force(client, ds, is_id, v1):
    series_uid, sop = first(v1)
    blob = instance(series_uid, sop, **{"00091001": "GE_GENESIS"})

    code, message = refusal(update, client, ds, is_id, "1", removable=blob)
    assert code == "ValidationException"
    assert "force" in message

    update(client, ds, is_id, "1", removable=blob, force=True)
    after = metadata(client, ds, is_id)["Study"]["Series"][series_uid]["Instances"][sop]
    assert "00091001" not in after["DICOM"]
    assert "00091001" not in after["DICOMVRs"]


@pytest.mark.parametrize(
    "blob_for",
    [
        pytest.param(lambda s, i: study(StudyID="S1"), id="StudyID"),
        pytest.param(
            lambda s, i: instance(s, i, ImageType=["ORIGINAL", "PRIMARY", "AXIAL"]), id="multi-valued"
        ),
    ],
)
def test_removal_that_needs_force_without_it_is_a_validation_exception(client, ds, is_id, v1, blob_for):
    """The force rules apply to removableAttributes as to updatableAttributes (reference §9.3.1)."""
    blob = blob_for(*first(v1))

    code, message = refusal(update, client, ds, is_id, "1", removable=blob)
    assert code == "ValidationException"
    assert "force" in message

    update(client, ds, is_id, "1", removable=blob, force=True)
    assert status(client, ds, is_id) == ("2", "ACTIVE", "UPDATED")


def test_removals_and_updates_in_one_call_both_apply(client, ds, is_id):
    update(
        client,
        ds,
        is_id,
        "1",
        updatable=study(StudyDescription="NEW"),
        removable=study(AccessionNumber="ACC-1"),
    )

    after = metadata(client, ds, is_id)["Study"]["DICOM"]
    assert after["StudyDescription"] == "NEW"
    assert "AccessionNumber" not in after


# --- changes that need force ----------------------------------------------------------------------------

LONG_LO = "X" * 65

NEEDS_FORCE = [
    pytest.param(lambda s, i: study(StudyInstanceUID=NEW_UID), id="StudyInstanceUID"),
    pytest.param(lambda s, i: series(s, SeriesInstanceUID=NEW_UID), id="SeriesInstanceUID"),
    pytest.param(lambda s, i: instance(s, i, SOPInstanceUID=NEW_UID), id="SOPInstanceUID"),
    pytest.param(lambda s, i: study(StudyID="S2"), id="StudyID"),
    pytest.param(
        lambda s, i: instance(s, i, vrs={"001910F9": "DS"}, **{"001910F9": "97"}), id="add-private-element"
    ),
    pytest.param(lambda s, i: instance(s, i, **{"00091001": "GE_GENESIS_DD"}), id="update-private-element"),
    pytest.param(
        lambda s, i: instance(s, i, ReferencedImageSequence=[{"ReferencedSOPInstanceUID": "1.2.3"}]),
        id="SQ",
    ),
    pytest.param(lambda s, i: instance(s, i, ImageType=["DERIVED", "SECONDARY"]), id="multi-valued"),
    pytest.param(lambda s, i: instance(s, i, Rows="abc"), id="US-holding-text"),
    pytest.param(lambda s, i: study(StudyDescription=LONG_LO), id="LO-of-65-characters"),
    pytest.param(lambda s, i: instance(s, i, NotAKeyword="x"), id="not-a-keyword"),
]


@pytest.mark.parametrize("blob_for", NEEDS_FORCE)
def test_change_that_needs_force_without_it_is_a_validation_exception(client, ds, is_id, v1, blob_for):
    code, message = refusal(update, client, ds, is_id, "1", blob_for(*first(v1)))

    assert code == "ValidationException"
    assert "force" in message
    assert status(client, ds, is_id) == ("1", "ACTIVE", "CREATED")
    assert [v["versionId"] for v in versions(client, ds, is_id)] == ["1"]


@pytest.mark.parametrize("blob_for", NEEDS_FORCE)
def test_change_that_needs_force_succeeds_with_it(client, ds, is_id, v1, blob_for):
    response = update(client, ds, is_id, "1", blob_for(*first(v1)), force=True)

    assert response["latestVersionId"] == "2"
    assert status(client, ds, is_id) == ("2", "ACTIVE", "UPDATED")


def test_forced_study_instance_uid_change_is_stored(client, ds, is_id):
    update(client, ds, is_id, "1", study(StudyInstanceUID=NEW_UID, StudyID="S2"), force=True)

    after = metadata(client, ds, is_id)["Study"]["DICOM"]
    assert (after["StudyInstanceUID"], after["StudyID"]) == (NEW_UID, "S2")


def test_changing_series_instance_uid_moves_the_series_to_its_new_key(client, ds, is_id, v1):
    series_uid, _ = first(v1)

    update(client, ds, is_id, "1", series(series_uid, SeriesInstanceUID=NEW_UID), force=True)

    after = metadata(client, ds, is_id)["Study"]["Series"]
    assert series_uid not in after
    assert after[NEW_UID]["DICOM"]["SeriesInstanceUID"] == NEW_UID
    assert after[NEW_UID]["Instances"] == v1["Study"]["Series"][series_uid]["Instances"]


def test_changing_sop_instance_uid_moves_the_instance_to_its_new_key(client, ds, is_id, v1):
    series_uid, sop = first(v1)

    update(client, ds, is_id, "1", instance(series_uid, sop, SOPInstanceUID=NEW_UID), force=True)

    instances = metadata(client, ds, is_id)["Study"]["Series"][series_uid]["Instances"]
    assert sop not in instances
    assert instances[NEW_UID]["DICOM"]["SOPInstanceUID"] == NEW_UID
    assert len(instances) == len(v1["Study"]["Series"][series_uid]["Instances"])


def test_changing_a_sop_instance_uid_to_one_already_present_fails_the_new_version(client, ds, is_id, v1):
    series_uid, (sop, other) = next(iter(layout(v1).items()))

    update(client, ds, is_id, "1", instance(series_uid, sop, SOPInstanceUID=other), force=True)

    assert status(client, ds, is_id) == ("2", "ACTIVE", "UPDATE_FAILED")
    assert metadata(client, ds, is_id) == v1


def test_changing_a_series_instance_uid_to_one_already_present_fails_the_new_version(client, ds, is_id, v1):
    series_uid, other = layout(v1)

    update(client, ds, is_id, "1", series(series_uid, SeriesInstanceUID=other), force=True)

    properties = image_set(client, ds, is_id)
    assert (properties["imageSetState"], properties["imageSetWorkflowStatus"]) == ("ACTIVE", "UPDATE_FAILED")
    assert other in properties["message"]
    assert metadata(client, ds, is_id) == v1


def test_changing_a_sop_instance_uid_to_one_in_another_series_fails_the_new_version(client, ds, is_id, v1):
    """SOP Instance UIDs stay unique within an image set (reference §8.2)."""
    (series_uid, sops), (_, other_sops) = layout(v1).items()

    update(client, ds, is_id, "1", instance(series_uid, sops[0], SOPInstanceUID=other_sops[0]), force=True)

    assert status(client, ds, is_id) == ("2", "ACTIVE", "UPDATE_FAILED")
    assert metadata(client, ds, is_id) == v1


def test_changing_two_sop_instance_uids_to_the_same_new_uid_fails_the_new_version(client, ds, is_id, v1):
    (series_uid, sops), (other_series, other_sops) = layout(v1).items()
    both = {
        "SchemaVersion": 1.1,
        "Study": {
            "Series": {
                series_uid: {"Instances": {sops[0]: {"DICOM": {"SOPInstanceUID": NEW_UID}}}},
                other_series: {"Instances": {other_sops[0]: {"DICOM": {"SOPInstanceUID": NEW_UID}}}},
            }
        },
    }

    update(client, ds, is_id, "1", both, force=True)

    assert status(client, ds, is_id) == ("2", "ACTIVE", "UPDATE_FAILED")
    assert metadata(client, ds, is_id) == v1


def test_forced_private_element_is_stored_with_its_vr(client, ds, is_id, v1):
    series_uid, sop = first(v1)

    update(
        client,
        ds,
        is_id,
        "1",
        instance(series_uid, sop, vrs={"001910F9": "DS"}, **{"001910F9": "97"}),
        force=True,
    )

    entry = metadata(client, ds, is_id)["Study"]["Series"][series_uid]["Instances"][sop]
    assert entry["DICOM"]["001910F9"] == "97"
    assert entry["DICOMVRs"]["001910F9"] == "DS"


def test_forced_private_element_update_is_stored(client, ds, is_id, v1):
    series_uid, sop = first(v1)

    update(client, ds, is_id, "1", instance(series_uid, sop, **{"00091001": "GE_GENESIS_DD"}), force=True)

    entry = metadata(client, ds, is_id)["Study"]["Series"][series_uid]["Instances"][sop]
    assert entry["DICOM"]["00091001"] == "GE_GENESIS_DD"
    assert entry["DICOMVRs"]["00091001"] == "LO"


def test_private_element_keys_name_one_element_whatever_the_hex_case(client, ds, is_id, v1):
    """Documents key private elements by upper-case hex; a lower-case key must not add a second copy."""
    series_uid, sop = first(v1)

    update(client, ds, is_id, "1", instance(series_uid, sop, **{"0009100a": "NEW"}), force=True)

    entry = metadata(client, ds, is_id)["Study"]["Series"][series_uid]["Instances"][sop]
    assert entry["DICOM"]["0009100A"] == "NEW"
    assert "0009100a" not in entry["DICOM"]
    assert entry["DICOMVRs"]["0009100A"] == "LO"


def test_forced_sequence_multi_valued_and_invalid_values_are_stored(client, ds, is_id, v1):
    series_uid, sop = first(v1)
    sequence = [{"ReferencedSOPInstanceUID": "1.2.3"}]
    blob = instance(
        series_uid, sop, ReferencedImageSequence=sequence, ImageType=["DERIVED"], Rows="abc", NotAKeyword="x"
    )

    update(client, ds, is_id, "1", blob, force=True)

    dicom = instance_dicom(metadata(client, ds, is_id), series_uid, sop)
    assert dicom["ReferencedImageSequence"] == sequence
    assert dicom["ImageType"] == ["DERIVED"]
    assert dicom["Rows"] == "abc"
    assert dicom["NotAKeyword"] == "x"


# --- never allowed, even with force ---------------------------------------------------------------------

NEVER_ALLOWED = [
    pytest.param(lambda s, i: study(SchemaVersion="1.2"), "SchemaVersion", id="SchemaVersion"),
    pytest.param(lambda s, i: study(DatastoreID="0" * 32), "DatastoreID", id="DatastoreID"),
    pytest.param(lambda s, i: patient(ImageSetID="0" * 32), "ImageSetID", id="ImageSetID"),
    pytest.param(lambda s, i: instance(s, i, PixelData="AAAA"), "PixelData", id="PixelData"),
    pytest.param(lambda s, i: instance(s, i, Checksum=1), "Checksum", id="Checksum"),
    pytest.param(lambda s, i: instance(s, i, Width=8), "Width", id="Width"),
    pytest.param(lambda s, i: instance(s, i, Height=8), "Height", id="Height"),
    pytest.param(lambda s, i: instance(s, i, MinPixelValue=0), "MinPixelValue", id="MinPixelValue"),
    pytest.param(lambda s, i: instance(s, i, MaxPixelValue=9), "MaxPixelValue", id="MaxPixelValue"),
    pytest.param(lambda s, i: instance(s, i, FrameSizeInBytes=9), "FrameSizeInBytes", id="FrameSizeInBytes"),
    pytest.param(lambda s, i: study(PatientName="A^B"), "PatientName", id="PatientName-at-Study"),
    pytest.param(
        lambda s, i: instance(s, i, StudyDescription="X"), "StudyDescription", id="Study-at-instance"
    ),
    pytest.param(lambda s, i: study(Modality="MR"), "Modality", id="Modality-at-Study"),
    pytest.param(lambda s, i: series(s, InstanceNumber="3"), "InstanceNumber", id="instance-at-Series"),
    pytest.param(lambda s, i: patient(SeriesDescription="X"), "SeriesDescription", id="Series-at-Patient"),
]


@pytest.mark.parametrize("force", [False, True])
@pytest.mark.parametrize(("blob_for", "keyword"), NEVER_ALLOWED)
def test_generated_or_misplaced_attribute_is_a_validation_exception_even_with_force(
    client, ds, is_id, v1, blob_for, keyword, force
):
    code, message = refusal(update, client, ds, is_id, "1", blob_for(*first(v1)), force=force)

    assert code == "ValidationException"
    assert keyword in message
    assert [v["versionId"] for v in versions(client, ds, is_id)] == ["1"]


@pytest.mark.parametrize(("blob_for", "keyword"), NEVER_ALLOWED[:10])
def test_removing_a_generated_attribute_is_a_validation_exception(client, ds, is_id, v1, blob_for, keyword):
    code, message = refusal(update, client, ds, is_id, "1", removable=blob_for(*first(v1)), force=True)

    assert code == "ValidationException"
    assert keyword in message


PUBLIC_TAGS = [
    pytest.param(
        lambda s, i, key: {"SchemaVersion": 1.1, "Patient": {"DICOM": {key: "A^B"}}},
        "00100010",
        "PatientName",
        id="Patient",
    ),
    pytest.param(
        lambda s, i, key: {"SchemaVersion": 1.1, "Study": {"DICOM": {key: "X"}}},
        "00081030",
        "StudyDescription",
        id="Study",
    ),
    pytest.param(lambda s, i, key: series(s, **{key: "X"}), "0008103E", "SeriesDescription", id="Series"),
    pytest.param(lambda s, i, key: instance(s, i, **{key: "X"}), "00204000", "ImageComments", id="instance"),
    pytest.param(lambda s, i, key: series(s, **{key: "X"}), "0008103e", "SeriesDescription", id="lower-case"),
]


@pytest.mark.parametrize("force", [False, True])
@pytest.mark.parametrize(("blob_for", "key", "keyword"), PUBLIC_TAGS)
def test_a_public_element_given_by_its_tag_is_a_validation_exception_naming_its_keyword(
    client, ds, is_id, v1, blob_for, key, keyword, force
):
    """Documents key public elements by keyword; only private and unknown elements go by their tag."""
    code, message = refusal(update, client, ds, is_id, "1", blob_for(*first(v1), key), force=force)

    assert code == "ValidationException"
    assert keyword in message
    assert [v["versionId"] for v in versions(client, ds, is_id)] == ["1"]


PRIVATE_OUTSIDE_INSTANCES = [
    pytest.param(lambda s: {"SchemaVersion": 1.1, "Patient": {"DICOM": {"00091001": "X"}}}, id="Patient"),
    pytest.param(lambda s: {"SchemaVersion": 1.1, "Study": {"DICOM": {"00091001": "X"}}}, id="Study"),
    pytest.param(lambda s: series(s, **{"00091001": "X"}), id="Series"),
]


@pytest.mark.parametrize("member", ["updatable", "removable"])
@pytest.mark.parametrize("blob_for", PRIVATE_OUTSIDE_INSTANCES)
def test_a_private_element_outside_an_instance_is_a_validation_exception_even_with_force(
    client, ds, is_id, v1, blob_for, member
):
    """With force, which a private element of an instance needs, so that only the level can refuse it."""
    series_uid, _ = first(v1)

    code, message = refusal(update, client, ds, is_id, "1", force=True, **{member: blob_for(series_uid)})

    assert code == "ValidationException"
    assert "00091001" in message
    assert "instance" in message
    assert [v["versionId"] for v in versions(client, ds, is_id)] == ["1"]


# --- series or instances that are not there: asynchronous failures --------------------------------------


MISSING = "1.2.3.404"


def missing_series(s, i):
    return series(MISSING, SeriesDescription="X")


MISSING_TARGETS = [
    pytest.param("updatable", missing_series, id="update-of-a-missing-series"),
    pytest.param(
        "updatable", lambda s, i: instance(s, MISSING, ImageComments="X"), id="update-of-a-missing-instance"
    ),
    pytest.param(
        "updatable",
        lambda s, i: instance(MISSING, i, ImageComments="X"),
        id="update-of-an-instance-of-a-missing-series",
    ),
    pytest.param(
        "removable",
        lambda s, i: {"SchemaVersion": 1.1, "Study": {"Series": {MISSING: {}}}},
        id="removal-of-a-missing-series",
    ),
    pytest.param(
        "removable",
        lambda s, i: {"SchemaVersion": 1.1, "Study": {"Series": {s: {"Instances": {MISSING: {}}}}}},
        id="removal-of-a-missing-instance",
    ),
    pytest.param(
        "removable",
        lambda s, i: instance(s, MISSING, InstanceNumber="1"),
        id="removal-of-an-attribute-of-a-missing-instance",
    ),
]


@pytest.mark.parametrize(("member", "blob_for"), MISSING_TARGETS)
def test_series_or_instance_that_does_not_exist_fails_the_new_version_asynchronously(
    client, ds, is_id, v1, member, blob_for
):
    response = update(client, ds, is_id, "1", **{member: blob_for(*first(v1))})

    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert (response["latestVersionId"], response["imageSetState"], response["imageSetWorkflowStatus"]) == (
        "2",
        "LOCKED",
        "UPDATING",
    )
    properties = image_set(client, ds, is_id)
    assert (properties["imageSetState"], properties["imageSetWorkflowStatus"]) == ("ACTIVE", "UPDATE_FAILED")
    assert MISSING in properties["message"]
    assert metadata(client, ds, is_id) == v1


# --- versions and states --------------------------------------------------------------------------------


def test_update_answers_the_new_version_locked_and_updating(client, ds, is_id):
    created = image_set(client, ds, is_id)["createdAt"]
    with freeze_time(UPDATE_TIME):
        response = update(client, ds, is_id, "1", study(StudyDescription="X"))

    assert response["datastoreId"] == ds
    assert response["imageSetId"] == is_id
    assert response["latestVersionId"] == "2"
    assert response["imageSetState"] == "LOCKED"
    assert response["imageSetWorkflowStatus"] == "UPDATING"
    assert response["createdAt"] == created  # the image set's, not the version's
    assert response["updatedAt"] == UPDATE_TIME


def test_update_version_ends_active_updated(client, ds, is_id):
    update(client, ds, is_id, "1", study(StudyDescription="X"))

    assert status(client, ds, is_id) == ("2", "ACTIVE", "UPDATED")
    listed = versions(client, ds, is_id)
    assert [(v["versionId"], v["imageSetState"], v["ImageSetWorkflowStatus"]) for v in listed] == [
        ("2", "ACTIVE", "UPDATED"),
        ("1", "ACTIVE", "CREATED"),
    ]
    assert all("message" not in v for v in listed)


def test_failed_update_ends_update_failed_with_a_message_in_both_views(client, ds, is_id):
    update(client, ds, is_id, "1", missing_series(None, None))

    properties = image_set(client, ds, is_id)
    newest = versions(client, ds, is_id)[0]
    assert properties["imageSetWorkflowStatus"] == newest["ImageSetWorkflowStatus"] == "UPDATE_FAILED"
    assert properties["message"] == newest["message"]
    assert properties["message"]


def test_failed_update_still_uses_up_a_version(client, ds, is_id):
    update(client, ds, is_id, "1", missing_series(None, None))
    response = update(client, ds, is_id, "2", study(StudyDescription="AFTER"))

    assert response["latestVersionId"] == "3"
    assert [v["ImageSetWorkflowStatus"] for v in versions(client, ds, is_id)] == [
        "UPDATED",
        "UPDATE_FAILED",
        "CREATED",
    ]


@pytest.mark.parametrize("stale", ["1", "3", "10"])
def test_stale_latest_version_is_resource_not_found(client, ds, is_id, stale):
    update(client, ds, is_id, "1", study(StudyDescription="X"))

    code, message = refusal(update, client, ds, is_id, stale, study(StudyDescription="Y"))

    assert (code, message) == ("ResourceNotFoundException", STALE)
    assert status(client, ds, is_id) == ("2", "ACTIVE", "UPDATED")


def test_stale_latest_version_of_a_revert_is_resource_not_found(client, ds, is_id):
    update(client, ds, is_id, "1", study(StudyDescription="X"))
    update(client, ds, is_id, "2", study(StudyDescription="Y"))

    assert refusal(revert, client, ds, is_id, "2", "1") == ("ResourceNotFoundException", STALE)


def test_update_of_a_locked_image_set_is_a_conflict(medical_imaging, client, ds, is_id):
    medical_imaging.transitions = "manual"
    update(client, ds, is_id, "1", study(StudyDescription="FIRST"))

    code, _ = refusal(update, client, ds, is_id, "2", study(StudyDescription="SECOND"))

    assert code == "ConflictException"
    assert refusal(update, client, ds, is_id, "1", study(StudyDescription="STALE"))[0] == "ConflictException"
    medical_imaging.advance()
    assert status(client, ds, is_id) == ("2", "ACTIVE", "UPDATED")
    assert metadata(client, ds, is_id)["Study"]["DICOM"]["StudyDescription"] == "FIRST"


def test_revert_of_a_locked_image_set_is_a_conflict(medical_imaging, client, ds, is_id):
    update(client, ds, is_id, "1", study(StudyDescription="FIRST"))
    medical_imaging.transitions = "manual"
    update(client, ds, is_id, "2", study(StudyDescription="SECOND"))

    assert refusal(revert, client, ds, is_id, "3", "1")[0] == "ConflictException"


def test_image_set_shows_locked_updating_while_in_flight(medical_imaging, client, ds, is_id):
    medical_imaging.transitions = "manual"
    update(client, ds, is_id, "1", study(StudyDescription="X"))

    assert status(client, ds, is_id) == ("2", "LOCKED", "UPDATING")
    assert versions(client, ds, is_id)[0]["ImageSetWorkflowStatus"] == "UPDATING"
    medical_imaging.advance()
    assert status(client, ds, is_id) == ("2", "ACTIVE", "UPDATED")


def test_metadata_of_the_version_in_flight_is_not_consistent_yet(medical_imaging, client, ds, is_id, v1):
    medical_imaging.transitions = "manual"
    update(client, ds, is_id, "1", study(StudyDescription="X"))

    assert refusal(metadata, client, ds, is_id) == ("ConflictException", NOT_CONSISTENT_YET)
    assert refusal(metadata, client, ds, is_id, "2") == ("ConflictException", NOT_CONSISTENT_YET)
    assert metadata(client, ds, is_id, "1") == v1
    medical_imaging.advance()
    assert metadata(client, ds, is_id)["Study"]["DICOM"]["StudyDescription"] == "X"


def test_force_sets_overrides_forced_on_that_version_only(client, ds, is_id):
    update(client, ds, is_id, "1", study(StudyID="S2"), force=True)
    update(client, ds, is_id, "2", study(StudyDescription="PLAIN"))

    assert image_set(client, ds, is_id, "2")["overrides"] == {"forced": True}
    assert "overrides" not in image_set(client, ds, is_id, "3")
    assert "overrides" not in image_set(client, ds, is_id, "1")
    listed = {v["versionId"]: v for v in versions(client, ds, is_id)}
    assert listed["2"]["overrides"] == {"forced": True}
    assert "overrides" not in listed["3"]
    assert "overrides" not in listed["1"]


def test_versions_updated_without_force_have_no_overrides(client, ds, is_id):
    update(client, ds, is_id, "1", study(StudyDescription="X"))

    assert "overrides" not in image_set(client, ds, is_id)
    assert all("overrides" not in v for v in versions(client, ds, is_id))


def test_every_version_keeps_its_own_document(medical_imaging, client, ds):
    """No version is read before the last update (reads are cached per version), so a change that leaked
    into an older version's shared parts would show."""
    datasets = generated_study(series=2, instances_per_series=2, size=8)
    is_id = medical_imaging.create_image_set(ds, datasets, is_primary=False)
    series_uid, sop = datasets[0].SeriesInstanceUID, datasets[0].SOPInstanceUID
    other_series = datasets[-1].SeriesInstanceUID

    def instance_of(document):
        return document["Study"]["Series"][series_uid]["Instances"][sop]["DICOM"]

    steps = [
        (patient(PatientName="P^2"), None, lambda d: d["Patient"]["DICOM"].update(PatientName="P^2")),
        (study(StudyDescription="S3"), None, lambda d: d["Study"]["DICOM"].update(StudyDescription="S3")),
        (
            series(series_uid, SeriesDescription="D4"),
            None,
            lambda d: d["Study"]["Series"][series_uid]["DICOM"].update(SeriesDescription="D4"),
        ),
        (
            instance(series_uid, sop, ImageComments="C5"),
            None,
            lambda d: instance_of(d).update(ImageComments="C5"),
        ),
        (
            None,
            {"SchemaVersion": 1.1, "Study": {"Series": {other_series: {}}}},
            lambda d: d["Study"]["Series"].pop(other_series),
        ),
        (
            None,
            instance(series_uid, sop, InstanceNumber="1"),
            lambda d: instance_of(d).pop("InstanceNumber"),
        ),
        (
            instance(series_uid, sop, ImageComments="C8"),
            None,
            lambda d: instance_of(d).update(ImageComments="C8"),
        ),
    ]
    for number, (updatable, removable, _) in enumerate(steps, start=1):
        update(client, ds, is_id, str(number), updatable, removable)

    documents = [metadata(client, ds, is_id, str(number)) for number in range(1, len(steps) + 2)]

    first_version = documents[0]
    assert first_version["Patient"]["DICOM"]["PatientName"] == "DEMO^PATIENT"
    assert first_version["Study"]["DICOM"]["StudyDescription"] == "CHEST"
    assert "SeriesDescription" not in first_version["Study"]["Series"][series_uid]["DICOM"]
    assert "ImageComments" not in instance_of(first_version)
    assert instance_of(first_version)["InstanceNumber"] == "1"
    assert other_series in first_version["Study"]["Series"]
    expected = copy.deepcopy(first_version)
    for number, (_, _, apply) in enumerate(steps, start=2):
        apply(expected)
        assert documents[number - 1] == expected, f"version {number}"


# --- revert ---------------------------------------------------------------------------------------------


def test_revert_creates_a_new_version_with_the_old_document(client, ds, is_id, v1):
    update(client, ds, is_id, "1", study(StudyDescription="TWO"))
    update(client, ds, is_id, "2", removable={"SchemaVersion": 1.1, "Study": {"Series": {first(v1)[0]: {}}}})

    response = revert(client, ds, is_id, "3", "1")

    assert (response["latestVersionId"], response["imageSetState"], response["imageSetWorkflowStatus"]) == (
        "4",
        "LOCKED",
        "UPDATING",
    )
    assert status(client, ds, is_id) == ("4", "ACTIVE", "UPDATED")
    assert metadata(client, ds, is_id) == v1
    assert metadata(client, ds, is_id, "3") != v1


def test_revert_to_an_intermediate_version(client, ds, is_id):
    update(client, ds, is_id, "1", study(StudyDescription="TWO"))
    two = metadata(client, ds, is_id)
    update(client, ds, is_id, "2", study(StudyDescription="THREE"))

    revert(client, ds, is_id, "3", "2")

    assert metadata(client, ds, is_id) == two


@pytest.mark.parametrize("target", ["5", "3", "0"])
def test_revert_target_must_exist_and_be_older_than_the_latest(client, ds, is_id, target):
    update(client, ds, is_id, "1", study(StudyDescription="TWO"))
    update(client, ds, is_id, "2", study(StudyDescription="THREE"))

    code, _ = refusal(revert, client, ds, is_id, "3", target)

    assert code == "ValidationException"
    assert [v["versionId"] for v in versions(client, ds, is_id)] == ["3", "2", "1"]


def test_revert_of_a_single_version_image_set_is_a_validation_exception(client, ds, is_id):
    assert refusal(revert, client, ds, is_id, "1", "1")[0] == "ValidationException"


def test_revert_with_include_study_image_sets_is_a_validation_exception(client, ds, is_id):
    update(client, ds, is_id, "1", study(StudyDescription="TWO"))

    code, message = refusal(revert, client, ds, is_id, "2", "1", includeStudyImageSets=True)

    assert code == "ValidationException"
    assert "includeStudyImageSets" in message
    assert status(client, ds, is_id) == ("2", "ACTIVE", "UPDATED")


# --- primary image sets ---------------------------------------------------------------------------------


@pytest.mark.parametrize("force", [False, True])
@pytest.mark.parametrize(
    "blob_for",
    [
        pytest.param(lambda s, i: patient(PatientName="A^B"), id="Patient-level"),
        pytest.param(lambda s, i: series(s, SeriesDescription="X"), id="Series-level"),
    ],
)
def test_primary_image_set_refuses_patient_and_series_level_changes(client, ds, primary_id, blob_for, force):
    blob = blob_for(*first(metadata(client, ds, primary_id)))

    code, message = refusal(update, client, ds, primary_id, "1", blob, force=force)

    assert code == "ValidationException"
    assert "primary image set" in message  # these need no force on a non-primary image set
    assert [v["versionId"] for v in versions(client, ds, primary_id)] == ["1"]


@pytest.mark.parametrize(
    "blob_for",
    [
        pytest.param(lambda s, i: study(StudyInstanceUID=NEW_UID), id="StudyInstanceUID"),
        pytest.param(lambda s, i: series(s, SeriesInstanceUID=NEW_UID), id="SeriesInstanceUID"),
        pytest.param(lambda s, i: instance(s, i, SOPInstanceUID=NEW_UID), id="SOPInstanceUID"),
    ],
)
def test_primary_image_set_refuses_uid_changes_even_with_force(client, ds, primary_id, blob_for):
    """With force, so that the refusal is the primary rule's and not the force rule's (without force a UID
    change is refused on any image set: see the NEEDS_FORCE tests)."""
    blob = blob_for(*first(metadata(client, ds, primary_id)))

    code, message = refusal(update, client, ds, primary_id, "1", blob, force=True)

    assert code == "ValidationException"
    assert "primary image set" in message
    assert [v["versionId"] for v in versions(client, ds, primary_id)] == ["1"]


@pytest.mark.parametrize("force", [False, True])
@pytest.mark.parametrize(
    "blob_for",
    [
        pytest.param(lambda s, i: patient(PatientName="DEMO^PATIENT"), id="Patient-level"),
        pytest.param(lambda s, i: series(s, Modality="CT"), id="Series-level"),
    ],
)
def test_primary_image_set_refuses_patient_and_series_level_removals(client, ds, primary_id, blob_for, force):
    blob = blob_for(*first(metadata(client, ds, primary_id)))

    code, message = refusal(update, client, ds, primary_id, "1", removable=blob, force=force)

    assert code == "ValidationException"
    assert "primary image set" in message
    assert [v["versionId"] for v in versions(client, ds, primary_id)] == ["1"]


def test_primary_image_set_accepts_study_and_instance_changes(client, ds, primary_id):
    series_uid, sop = first(metadata(client, ds, primary_id))

    update(client, ds, primary_id, "1", study(StudyDescription="X"))
    update(client, ds, primary_id, "2", instance(series_uid, sop, ImageComments="Y"))

    after = metadata(client, ds, primary_id)
    assert after["Study"]["DICOM"]["StudyDescription"] == "X"
    assert instance_dicom(after, series_uid, sop)["ImageComments"] == "Y"
    assert status(client, ds, primary_id) == ("3", "ACTIVE", "UPDATED")


def test_non_primary_image_set_accepts_patient_series_and_uid_changes(client, ds, is_id, v1):
    series_uid, sop = first(v1)
    blob = {
        "SchemaVersion": 1.1,
        "Patient": {"DICOM": {"PatientName": "A^B"}},
        "Study": {
            "Series": {
                series_uid: {
                    "DICOM": {"SeriesDescription": "X"},
                    "Instances": {sop: {"DICOM": {"SOPInstanceUID": NEW_UID}}},
                }
            }
        },
    }

    update(client, ds, is_id, "1", blob, force=True)

    after = metadata(client, ds, is_id)
    assert status(client, ds, is_id) == ("2", "ACTIVE", "UPDATED")
    assert after["Patient"]["DICOM"]["PatientName"] == "A^B"
    assert after["Study"]["Series"][series_uid]["DICOM"]["SeriesDescription"] == "X"
    assert NEW_UID in after["Study"]["Series"][series_uid]["Instances"]


# --- includeStudyImageSets ------------------------------------------------------------------------------


@pytest.fixture
def study_sets(medical_imaging, ds) -> dict[str, Any]:
    """Three primary image sets and one non-primary of one study (one series each), and a primary image
    set of another study."""
    datasets = generated_study(series=4, instances_per_series=1, size=8)
    primaries = [medical_imaging.create_image_set(ds, [d]) for d in datasets[:3]]
    non_primary = medical_imaging.create_image_set(ds, [datasets[3]], is_primary=False)
    other = medical_imaging.create_image_set(ds, generated_study(series=1, instances_per_series=1, size=8))
    return {"primaries": primaries, "non_primary": non_primary, "other": other}


def test_include_study_image_sets_updates_every_primary_of_the_study(client, ds, study_sets):
    first_id, *siblings = study_sets["primaries"]

    response = update(client, ds, first_id, "1", study(StudyDescription="STUDY"), includeStudyImageSets=True)

    assert (response["imageSetId"], response["latestVersionId"]) == (first_id, "2")
    for image_set_id in study_sets["primaries"]:
        assert status(client, ds, image_set_id) == ("2", "ACTIVE", "UPDATED")
        assert metadata(client, ds, image_set_id)["Study"]["DICOM"]["StudyDescription"] == "STUDY"
    for image_set_id in siblings:
        listed = versions(client, ds, image_set_id)
        assert [(v["versionId"], v["ImageSetWorkflowStatus"]) for v in listed] == [
            ("2", "UPDATED"),
            ("1", "CREATED"),
        ]


def test_include_study_image_sets_leaves_non_primary_and_other_studies_untouched(client, ds, study_sets):
    untouched = {key: metadata(client, ds, study_sets[key]) for key in ("non_primary", "other")}

    update(
        client, ds, study_sets["primaries"][0], "1", study(StudyDescription="S"), includeStudyImageSets=True
    )

    for key, document in untouched.items():
        assert status(client, ds, study_sets[key])[0] == "1"
        assert metadata(client, ds, study_sets[key]) == document


def test_without_include_study_image_sets_siblings_are_untouched(client, ds, study_sets):
    first_id, *siblings = study_sets["primaries"]

    update(client, ds, first_id, "1", study(StudyDescription="ALONE"))

    for image_set_id in siblings:
        assert status(client, ds, image_set_id) == ("1", "ACTIVE", "CREATED")
        assert metadata(client, ds, image_set_id)["Study"]["DICOM"]["StudyDescription"] == "CHEST"


def test_siblings_show_updating_for_study_consistency_while_in_flight(
    medical_imaging, client, ds, study_sets
):
    first_id, *siblings = study_sets["primaries"]
    medical_imaging.transitions = "manual"

    update(client, ds, first_id, "1", study(StudyDescription="S"), includeStudyImageSets=True)

    assert status(client, ds, first_id) == ("2", "LOCKED", "UPDATING")
    for image_set_id in siblings:
        assert status(client, ds, image_set_id) == ("2", "LOCKED", "UPDATING_FOR_STUDY_CONSISTENCY")
        assert refusal(metadata, client, ds, image_set_id) == ("ConflictException", NOT_CONSISTENT_YET)
    medical_imaging.advance()
    for image_set_id in study_sets["primaries"]:
        assert status(client, ds, image_set_id) == ("2", "ACTIVE", "UPDATED")


def test_a_locked_sibling_is_a_conflict_and_nothing_changes(medical_imaging, client, ds, study_sets):
    first_id, locked_id, free_id = study_sets["primaries"]
    medical_imaging.transitions = "manual"
    update(client, ds, locked_id, "1", study(StudyDescription="LOCKED"))

    code, _ = refusal(
        update, client, ds, first_id, "1", study(StudyDescription="S"), includeStudyImageSets=True
    )

    assert code == "ConflictException"
    medical_imaging.advance()
    assert status(client, ds, first_id) == ("1", "ACTIVE", "CREATED")
    assert status(client, ds, free_id) == ("1", "ACTIVE", "CREATED")
    assert status(client, ds, locked_id) == ("2", "ACTIVE", "UPDATED")
    assert metadata(client, ds, locked_id)["Study"]["DICOM"]["StudyDescription"] == "LOCKED"


def test_include_study_image_sets_is_atomic_when_a_sibling_cannot_take_the_change(client, ds, study_sets):
    """Reference §6: all primary image sets of the study change in one atomic operation, or none does."""
    first_id, odd_id, third_id = study_sets["primaries"]
    update(client, ds, odd_id, "1", study(StudyDescription="ODD"))
    removal = study(StudyDescription="CHEST")

    with contextlib.suppress(ClientError):  # refusing the whole call is atomic too
        update(client, ds, first_id, "1", removable=removal, includeStudyImageSets=True)

    for image_set_id, description in ((first_id, "CHEST"), (odd_id, "ODD"), (third_id, "CHEST")):
        assert metadata(client, ds, image_set_id)["Study"]["DICOM"].get("StudyDescription") == description


@pytest.mark.parametrize("force", [False, True])
def test_include_study_image_sets_still_refuses_uid_changes_of_primaries(client, ds, study_sets, force):
    first_id = study_sets["primaries"][0]

    code, message = refusal(
        update,
        client,
        ds,
        first_id,
        "1",
        study(StudyInstanceUID=NEW_UID),
        includeStudyImageSets=True,
        force=force,
    )

    assert code == "ValidationException"
    assert ("primary image set" if force else "force") in message  # without force, the force rule answers
    for image_set_id in study_sets["primaries"]:
        assert status(client, ds, image_set_id)[0] == "1"
