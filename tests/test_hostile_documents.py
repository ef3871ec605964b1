"""Inputs of the classes that once reached a Python exception inside the mock: version ids too long to be
numbers, JSON nested past the interpreter's limits, values of the wrong JSON type in update and copy
documents. Each answers a modelled error; and stored failure messages fit the model's `Message` shape."""

from __future__ import annotations

import json

import pytest
from aws_helpers import STALE, image_set, metadata, refusal
from botocore.model import ServiceModel

from medimaging_mock.samples import generated_study
from medimaging_mock.wire.model import service_model

HUGE = "9" * 5000  # past int()'s 4300-digit limit
DEEP = 10_000  # past the interpreter's recursion limit, within the members' 30,000 characters


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.fixture
def seeded(medical_imaging, medical_imaging_client, datastore_id) -> tuple[str, str, str, str]:
    """(datastore id, non-primary image set id, its first series UID, that series' first SOP UID)."""
    image_set_id = medical_imaging.create_image_set(datastore_id, generated_study(), is_primary=False)
    document = metadata(medical_imaging_client, datastore_id, image_set_id)
    series_uid, series = next(iter(document["Study"]["Series"].items()))
    return datastore_id, image_set_id, series_uid, next(iter(series["Instances"]))


def dicom_updates(member: str, blob: str) -> dict:
    return {"DICOMUpdates": {member: blob}}


def update(client, datastore_id, image_set_id, updates, latest="1", **flags):
    return client.update_image_set_metadata(
        datastoreId=datastore_id,
        imageSetId=image_set_id,
        latestVersionId=latest,
        updateImageSetMetadataUpdates=updates,
        **flags,
    )


def forced_update(client, datastore_id, image_set_id, updatable: str):
    return update(
        client, datastore_id, image_set_id, dicom_updates("updatableAttributes", updatable), force=True
    )


# --- version ids -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("version_id", [HUGE, "01", "0", "2"])
def test_a_version_id_that_names_no_version_is_not_found(medical_imaging_client, seeded, version_id):
    datastore_id, image_set_id, _, _ = seeded
    for call in (medical_imaging_client.get_image_set, medical_imaging_client.get_image_set_metadata):
        code, message = refusal(call, datastoreId=datastore_id, imageSetId=image_set_id, versionId=version_id)
        assert code == "ResourceNotFoundException"
        assert "does not exist" in message
        assert len(message) < 200  # a thousand-digit id is not echoed whole


def test_a_huge_latest_version_id_is_stale(medical_imaging_client, seeded):
    datastore_id, image_set_id, _, _ = seeded
    change = json.dumps({"SchemaVersion": "1.1", "Study": {"DICOM": {"StudyDescription": "x"}}})
    code, message = refusal(
        update,
        medical_imaging_client,
        datastore_id,
        image_set_id,
        dicom_updates("updatableAttributes", change),
        latest=HUGE,
    )
    assert (code, message) == ("ResourceNotFoundException", STALE)
    copy_information = {"sourceImageSet": {"latestVersionId": HUGE}}
    code, message = refusal(
        medical_imaging_client.copy_image_set,
        datastoreId=datastore_id,
        sourceImageSetId=image_set_id,
        copyImageSetInformation=copy_information,
    )
    assert (code, message) == ("ResourceNotFoundException", STALE)


@pytest.mark.parametrize("target", [HUGE, "01", "1" + "0" * 30])
def test_reverting_to_a_version_that_is_no_number_of_it_is_refused(medical_imaging_client, seeded, target):
    datastore_id, image_set_id, _, _ = seeded
    change = json.dumps({"SchemaVersion": "1.1", "Study": {"DICOM": {"StudyDescription": "v2"}}})
    update(medical_imaging_client, datastore_id, image_set_id, dicom_updates("updatableAttributes", change))
    code, message = refusal(
        update, medical_imaging_client, datastore_id, image_set_id, {"revertToVersionId": target}, latest="2"
    )
    assert code == "ValidationException"
    assert "must name a version older than the latest (2)" in message


# --- JSON nested past the interpreter's limits -----------------------------------------------------------


@pytest.mark.parametrize("member", ["updatableAttributes", "removableAttributes"])
@pytest.mark.parametrize("blob", [nested(DEEP), '{"SchemaVersion": "1.1", "Study": {"DICOM": {"A": %s}}}'])
def test_deeply_nested_update_documents_are_refused(medical_imaging_client, seeded, member, blob):
    datastore_id, image_set_id, _, _ = seeded
    text = blob % nested(DEEP) if "%s" in blob else blob
    code, message = refusal(
        update, medical_imaging_client, datastore_id, image_set_id, dicom_updates(member, text)
    )
    assert code == "ValidationException"
    assert message == f"{member} is nested deeper than 64 levels"


def test_a_deeply_nested_copy_selection_is_refused(medical_imaging_client, seeded):
    datastore_id, image_set_id, series_uid, _ = seeded
    selection = {"SchemaVersion": "1.1", "Study": {"Series": {series_uid: {"Instances": "@"}}}}
    text = json.dumps(selection).replace('"@"', nested(DEEP))
    information = {"sourceImageSet": {"latestVersionId": "1", "DICOMCopies": {"copiableAttributes": text}}}
    code, message = refusal(
        medical_imaging_client.copy_image_set,
        datastoreId=datastore_id,
        sourceImageSetId=image_set_id,
        copyImageSetInformation=information,
    )
    assert (code, message) == ("ValidationException", "copiableAttributes is nested deeper than 64 levels")


def test_json_constants_that_are_no_numbers_are_refused(medical_imaging_client, seeded):
    datastore_id, image_set_id, _, _ = seeded
    text = '{"SchemaVersion": "1.1", "Study": {"DICOM": {"StudyDescription": NaN}}}'
    code, message = refusal(forced_update, medical_imaging_client, datastore_id, image_set_id, text)
    assert code == "ValidationException"
    assert "updatableAttributes is not valid JSON: NaN is not a JSON number" in message


# --- values of the wrong JSON type -----------------------------------------------------------------------


def instance_change(series_uid: str, sop: str, dicom: dict, vrs: dict | None = None) -> str:
    entry: dict = {"DICOM": dicom} if vrs is None else {"DICOM": dicom, "DICOMVRs": vrs}
    document = {"SchemaVersion": "1.1", "Study": {"Series": {series_uid: {"Instances": {sop: entry}}}}}
    return json.dumps(document)


@pytest.mark.parametrize("value", [["1.2.3"], {"a": "1.2.3"}, 123, True, None])
@pytest.mark.parametrize("level", ["SOPInstanceUID", "SeriesInstanceUID", "StudyInstanceUID"])
def test_a_uid_given_as_anything_but_a_string_is_refused_even_with_force(
    medical_imaging_client, seeded, level, value
):
    datastore_id, image_set_id, series_uid, sop = seeded
    if level == "SOPInstanceUID":
        text = instance_change(series_uid, sop, {level: value})
    elif level == "SeriesInstanceUID":
        text = json.dumps(
            {"SchemaVersion": "1.1", "Study": {"Series": {series_uid: {"DICOM": {level: value}}}}}
        )
    else:
        text = json.dumps({"SchemaVersion": "1.1", "Study": {"DICOM": {level: value}}})
    code, message = refusal(forced_update, medical_imaging_client, datastore_id, image_set_id, text)
    assert code == "ValidationException"
    assert f"{level} must be a string" in message


@pytest.mark.parametrize(
    ("vrs", "complaint"),
    [
        ({"00091001": ["LO"]}, "is not a DICOM VR"),
        ({"00091001": "XX"}, "is not a DICOM VR"),
        ({"00091001": {"vr": "LO"}}, "is not a DICOM VR"),
        ({"PatientName": "PN"}, "is not a tag of 8 hexadecimal digits"),
    ],
)
def test_dicom_vrs_must_map_tags_to_vrs(medical_imaging_client, seeded, vrs, complaint):
    datastore_id, image_set_id, series_uid, sop = seeded
    text = instance_change(series_uid, sop, {"00091001": "private"}, vrs)
    code, message = refusal(forced_update, medical_imaging_client, datastore_id, image_set_id, text)
    assert code == "ValidationException"
    assert complaint in message


def test_a_private_element_with_its_vr_is_stored_with_force(medical_imaging_client, seeded):
    datastore_id, image_set_id, series_uid, sop = seeded
    text = instance_change(series_uid, sop, {"00091001": "private"}, {"00091001": "LO"})
    update(
        medical_imaging_client,
        datastore_id,
        image_set_id,
        dicom_updates("updatableAttributes", text),
        force=True,
    )
    stored = metadata(medical_imaging_client, datastore_id, image_set_id)
    entry = stored["Study"]["Series"][series_uid]["Instances"][sop]
    assert entry["DICOM"]["00091001"] == "private"
    assert entry["DICOMVRs"]["00091001"] == "LO"


# --- failure messages fit the model's Message shape ------------------------------------------------------


def message_rule(model: ServiceModel) -> tuple[int, int, str]:
    shape = model.shape_for("Message")
    return shape.metadata["min"], shape.metadata["max"], shape.metadata["pattern"]


def fits_message_shape(text: str) -> bool:
    low, high, pattern = message_rule(service_model())
    assert pattern == "[\\w -:`]+"  # ASCII word characters, the range space..colon, and the backtick
    allowed = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_`")
    allowed |= {chr(code) for code in range(ord(" "), ord(":") + 1)}
    return low <= len(text) <= high and set(text) <= allowed


@pytest.mark.parametrize("value", ["a;b", "[x]{y}", "é<ü>", "x\ny", "=" * 3000])
def test_an_update_failure_message_fits_the_message_shape(medical_imaging_client, seeded, value):
    datastore_id, image_set_id, _, _ = seeded
    change = json.dumps({"SchemaVersion": "1.1", "Study": {"DICOM": {"StudyDescription": value}}})
    update(
        medical_imaging_client,
        datastore_id,
        image_set_id,
        dicom_updates("updatableAttributes", change),
        force=True,
    )
    wrong = json.dumps({"SchemaVersion": "1.1", "Study": {"DICOM": {"StudyDescription": value + ";"}}})
    update(
        medical_imaging_client,
        datastore_id,
        image_set_id,
        dicom_updates("removableAttributes", wrong),
        latest="2",
        force=True,
    )

    failed = image_set(medical_imaging_client, datastore_id, image_set_id)

    assert failed["imageSetWorkflowStatus"] == "UPDATE_FAILED"
    assert fits_message_shape(failed["message"]), failed["message"]
    assert failed["message"].startswith("INVALID_REQUEST:  A removal must name the current value of ")
