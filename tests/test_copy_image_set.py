"""CopyImageSet through boto3: new and existing destinations, copiableAttributes, the consistency rule and
force, states, versions and the errors (reference §3.2, §5, §8)."""

from __future__ import annotations

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
from freezegun import freeze_time

from medimaging_mock.samples import generated_study

COPY_TIME = datetime(2030, 3, 4, 5, 6, 7, 890000, tzinfo=UTC)
SERIES_MISMATCH = "INVALID_REQUEST:  Series of SourceImageSet and DestinationImageSet don't match."


# --- helpers --------------------------------------------------------------------------------------------


def copy(client, ds, source_id, source_version="1", copiable=None, destination=None, **flags) -> dict:
    """CopyImageSet; `copiable` is {series UID: [SOP UIDs]}, `destination` is (image set id, version)."""
    source: dict[str, Any] = {"latestVersionId": source_version}
    if copiable is not None:
        source["DICOMCopies"] = {"copiableAttributes": copiable_attributes(copiable)}
    information: dict[str, Any] = {"sourceImageSet": source}
    if destination is not None:
        information["destinationImageSet"] = {"imageSetId": destination[0], "latestVersionId": destination[1]}
    return client.copy_image_set(
        datastoreId=ds, sourceImageSetId=source_id, copyImageSetInformation=information, **flags
    )


def copiable_attributes(copiable) -> str:
    if isinstance(copiable, str):
        return copiable
    series = {uid: {"Instances": {sop: {} for sop in sops}} for uid, sops in copiable.items()}
    return json.dumps({"SchemaVersion": "1.1", "Study": {"Series": series}})


def update(client, ds, is_id, version, updatable, **flags) -> dict:
    return client.update_image_set_metadata(
        datastoreId=ds,
        imageSetId=is_id,
        latestVersionId=version,
        updateImageSetMetadataUpdates={"DICOMUpdates": {"updatableAttributes": json.dumps(updatable)}},
        **flags,
    )


def instance_blocks(document: dict) -> dict[str, dict]:
    """SOP UID -> the instance's DICOM block."""
    return {
        sop: entry["DICOM"]
        for series in document["Study"]["Series"].values()
        for sop, entry in series["Instances"].items()
    }


def study_update(**dicom) -> dict:
    return {"SchemaVersion": 1.1, "Study": {"DICOM": dicom}}


# --- fixtures -------------------------------------------------------------------------------------------


@pytest.fixture
def client(medical_imaging_client):
    return medical_imaging_client


@pytest.fixture
def ds(client) -> str:
    return new_datastore(client, "copies")


@pytest.fixture
def source_id(medical_imaging, ds) -> str:
    """A primary image set: series A and B of two instances each."""
    return medical_imaging.create_image_set(ds, generated_study(series=2, instances_per_series=2, size=8))


@pytest.fixture
def source(client, ds, source_id) -> dict:
    return metadata(client, ds, source_id)


@pytest.fixture
def series_a(source) -> tuple[str, list[str]]:
    return next(iter(layout(source).items()))


@pytest.fixture
def series_b(source) -> tuple[str, list[str]]:
    return list(layout(source).items())[1]


# --- no destination: a new image set ---------------------------------------------------------------------


def test_copy_without_destination_creates_a_new_non_primary_image_set_at_version_1(
    client, ds, source_id, source
):
    response = copy(client, ds, source_id)

    new_id = response["destinationImageSetProperties"]["imageSetId"]
    assert new_id != source_id
    properties = image_set(client, ds, new_id)
    assert (properties["versionId"], properties["isPrimary"]) == ("1", False)
    assert [v["versionId"] for v in versions(client, ds, new_id)] == ["1"]
    copied = metadata(client, ds, new_id)
    assert copied["ImageSetID"] == new_id
    assert (copied["Patient"], copied["Study"]["DICOM"]) == (source["Patient"], source["Study"]["DICOM"])
    assert layout(copied) == layout(source)
    assert instance_blocks(copied) == instance_blocks(source)


def test_copy_with_promote_to_primary_creates_a_new_primary_image_set(client, ds, source_id, source):
    response = copy(client, ds, source_id, promoteToPrimary=True)

    new_id = response["destinationImageSetProperties"]["imageSetId"]
    assert new_id != source_id
    assert response["destinationImageSetProperties"]["latestVersionId"] == "1"
    properties = image_set(client, ds, new_id)
    assert (properties["versionId"], properties["isPrimary"]) == ("1", True)
    assert layout(metadata(client, ds, new_id)) == layout(source)


def test_copy_answers_source_locked_read_only_and_destination_locked_copying(client, ds, source_id):
    before = image_set(client, ds, source_id)
    with freeze_time(COPY_TIME):
        response = copy(client, ds, source_id)

    source_properties = response["sourceImageSetProperties"]
    destination = response["destinationImageSetProperties"]
    assert response["datastoreId"] == ds
    assert source_properties["imageSetId"] == source_id
    assert source_properties["latestVersionId"] == "1"
    assert source_properties["imageSetState"] == "LOCKED"
    assert source_properties["imageSetWorkflowStatus"] == "COPYING_WITH_READ_ONLY_ACCESS"
    assert (source_properties["createdAt"], source_properties["updatedAt"]) == (
        before["createdAt"],
        before["updatedAt"],
    )
    assert destination["latestVersionId"] == "1"
    assert destination["imageSetState"] == "LOCKED"
    assert destination["imageSetWorkflowStatus"] == "COPYING"
    assert destination["createdAt"] == destination["updatedAt"] == COPY_TIME
    for properties in (source_properties, destination):
        assert properties["imageSetArn"].endswith(f"/imageset/{properties['imageSetId']}")


def test_copy_ends_with_the_destination_copied_and_the_source_active(client, ds, source_id):
    new_id = copy(client, ds, source_id)["destinationImageSetProperties"]["imageSetId"]

    assert status(client, ds, new_id) == ("1", "ACTIVE", "COPIED")
    assert [v["ImageSetWorkflowStatus"] for v in versions(client, ds, new_id)] == ["COPIED"]
    assert status(client, ds, source_id) == ("1", "ACTIVE", "CREATED")
    assert [v["versionId"] for v in versions(client, ds, source_id)] == ["1"]


def test_source_stays_readable_but_not_writable_while_the_copy_is_in_flight(
    medical_imaging, client, ds, source_id, source
):
    medical_imaging.transitions = "manual"
    new_id = copy(client, ds, source_id)["destinationImageSetProperties"]["imageSetId"]

    assert status(client, ds, source_id) == ("1", "LOCKED", "COPYING_WITH_READ_ONLY_ACCESS")
    assert metadata(client, ds, source_id) == source
    assert refusal(update, client, ds, source_id, "1", study_update(StudyDescription="X"))[0] == (
        "ConflictException"
    )
    assert status(client, ds, new_id) == ("1", "LOCKED", "COPYING")
    assert refusal(metadata, client, ds, new_id) == ("ConflictException", NOT_CONSISTENT_YET)
    medical_imaging.advance()
    assert status(client, ds, new_id) == ("1", "ACTIVE", "COPIED")
    assert status(client, ds, source_id)[:2] == ("1", "ACTIVE")


def test_forced_copy_without_destination_sets_overrides_forced(client, ds, source_id):
    new_id = copy(client, ds, source_id, force=True)["destinationImageSetProperties"]["imageSetId"]

    assert image_set(client, ds, new_id)["overrides"] == {"forced": True}
    assert "overrides" not in image_set(client, ds, source_id)


# --- copiableAttributes ---------------------------------------------------------------------------------


def test_copiable_attributes_select_sop_instances_per_series(
    client, ds, source_id, source, series_a, series_b
):
    chosen = {series_a[0]: series_a[1][:1], series_b[0]: series_b[1]}

    new_id = copy(client, ds, source_id, copiable=chosen)["destinationImageSetProperties"]["imageSetId"]

    copied = metadata(client, ds, new_id)
    assert layout(copied) == chosen
    for uid in chosen:
        assert copied["Study"]["Series"][uid]["DICOM"] == source["Study"]["Series"][uid]["DICOM"]
    assert layout(metadata(client, ds, source_id)) == layout(source)


def test_copiable_attributes_with_an_empty_series_object_copy_every_instance_of_that_series(
    client, ds, source_id, source, series_a, series_b
):
    """`{"Series": {uid: {}}}`: a series named without "Instances" means all of its instances."""
    text = json.dumps({"SchemaVersion": "1.1", "Study": {"Series": {series_b[0]: {}}}})

    new_id = copy(client, ds, source_id, copiable=text)["destinationImageSetProperties"]["imageSetId"]

    copied = metadata(client, ds, new_id)
    assert len(series_b[1]) == 2
    assert layout(copied) == {series_b[0]: series_b[1]}
    assert copied["Study"]["Series"][series_b[0]] == source["Study"]["Series"][series_b[0]]


def test_copiable_attributes_of_one_series_leave_the_other_out(client, ds, source_id, series_a):
    new_id = copy(client, ds, source_id, copiable={series_a[0]: series_a[1]})[
        "destinationImageSetProperties"
    ]["imageSetId"]

    assert layout(metadata(client, ds, new_id)) == {series_a[0]: series_a[1]}


@pytest.mark.parametrize("missing", ["series", "instance"])
def test_copiable_attributes_naming_what_the_source_lacks_is_a_validation_exception(
    client, ds, source_id, series_a, missing
):
    chosen = (
        {"1.2.3.404": series_a[1]} if missing == "series" else {series_a[0]: [series_a[1][0], "1.2.3.404"]}
    )

    code, message = refusal(copy, client, ds, source_id, copiable=chosen)

    assert code == "ValidationException"
    assert "1.2.3.404" in message
    assert status(client, ds, source_id)[:2] == ("1", "ACTIVE")


def test_copiable_attributes_selecting_no_instance_of_a_series_is_a_validation_exception(
    client, ds, source_id, series_a
):
    """`"Instances": {}` chooses nothing; an image set never holds an empty series."""
    code, _ = refusal(copy, client, ds, source_id, copiable={series_a[0]: []})

    assert code == "ValidationException"
    assert status(client, ds, source_id)[:2] == ("1", "ACTIVE")


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("not json", id="not-json"),
        pytest.param("[]", id="list"),
        pytest.param('{"SchemaVersion": "1.1", "Study": []}', id="Study-list"),
        pytest.param('{"SchemaVersion": "1.1", "Study": {"Series": ["1.2.3"]}}', id="Series-list"),
        pytest.param('{"SchemaVersion": "1.1", "Study": {"Series": {}}}', id="no-series"),
    ],
)
def test_malformed_copiable_attributes_is_a_validation_exception(client, ds, source_id, text):
    code, message = refusal(copy, client, ds, source_id, copiable=text)

    assert code == "ValidationException"
    assert "copiableAttributes" in message


# --- an existing destination ----------------------------------------------------------------------------


@pytest.fixture
def split(client, ds, source_id, series_a, series_b) -> tuple[str, str]:
    """Two non-primary copies of the source: x holds series A, y the first instance of series B."""
    x = copy(client, ds, source_id, copiable={series_a[0]: series_a[1]})
    y = copy(client, ds, source_id, copiable={series_b[0]: series_b[1][:1]})
    return x["destinationImageSetProperties"]["imageSetId"], y["destinationImageSetProperties"]["imageSetId"]


def test_copy_into_a_destination_merges_the_instances_and_bumps_its_version(
    client, ds, split, series_a, series_b
):
    x, y = split

    response = copy(client, ds, y, destination=(x, "1"))

    destination = response["destinationImageSetProperties"]
    assert (destination["imageSetId"], destination["latestVersionId"]) == (x, "2")
    assert (destination["imageSetState"], destination["imageSetWorkflowStatus"]) == ("LOCKED", "COPYING")
    assert response["sourceImageSetProperties"]["latestVersionId"] == "1"
    assert status(client, ds, x) == ("2", "ACTIVE", "COPIED")
    assert layout(metadata(client, ds, x)) == {series_a[0]: series_a[1], series_b[0]: series_b[1][:1]}
    assert layout(metadata(client, ds, x, "1")) == {series_a[0]: series_a[1]}
    assert status(client, ds, y)[:2] == ("1", "ACTIVE")
    assert "overrides" not in image_set(client, ds, x)


def test_copy_into_a_destination_adds_instances_to_a_series_it_holds(client, ds, source_id, series_a):
    first_sop, second_sop = series_a[1]
    x = copy(client, ds, source_id, copiable={series_a[0]: [first_sop]})["destinationImageSetProperties"]
    y = copy(client, ds, source_id, copiable={series_a[0]: [second_sop]})["destinationImageSetProperties"]

    copy(client, ds, y["imageSetId"], destination=(x["imageSetId"], "1"))

    assert status(client, ds, x["imageSetId"]) == ("2", "ACTIVE", "COPIED")
    assert layout(metadata(client, ds, x["imageSetId"])) == {series_a[0]: [first_sop, second_sop]}


def test_copy_of_chosen_instances_into_a_destination(client, ds, source_id, split, series_b):
    x, _ = split

    copy(client, ds, source_id, copiable={series_b[0]: series_b[1][1:]}, destination=(x, "1"))

    assert layout(metadata(client, ds, x))[series_b[0]] == series_b[1][1:]


def test_destination_metadata_is_not_consistent_yet_while_the_copy_is_in_flight(
    medical_imaging, client, ds, split
):
    x, y = split
    before = metadata(client, ds, x)
    medical_imaging.transitions = "manual"

    copy(client, ds, y, destination=(x, "1"))

    assert status(client, ds, x) == ("2", "LOCKED", "COPYING")
    assert refusal(metadata, client, ds, x) == ("ConflictException", NOT_CONSISTENT_YET)
    assert metadata(client, ds, x, "1") == before
    assert refusal(copy, client, ds, y, destination=(x, "2"))[0] == "ConflictException"
    medical_imaging.advance()
    assert status(client, ds, x) == ("2", "ACTIVE", "COPIED")


def test_copying_sop_instances_already_in_the_destination_is_a_validation_exception(
    client, ds, source_id, split, series_a
):
    x, _ = split

    code, message = refusal(
        copy, client, ds, source_id, copiable={series_a[0]: series_a[1][:1]}, destination=(x, "1")
    )

    assert code == "ValidationException"
    assert series_a[1][0] in message
    assert status(client, ds, x) == ("1", "ACTIVE", "COPIED")
    assert status(client, ds, source_id)[:2] == ("1", "ACTIVE")


MISMATCHES = [
    pytest.param(
        lambda s: {"SchemaVersion": 1.1, "Patient": {"DICOM": {"PatientName": "OTHER^P"}}}, id="Patient"
    ),
    pytest.param(lambda s: study_update(StudyDescription="OTHER"), id="Study"),
    pytest.param(
        lambda s: {"SchemaVersion": 1.1, "Study": {"Series": {s: {"DICOM": {"SeriesDescription": "OTHER"}}}}},
        id="Series",
    ),
]


@pytest.fixture
def same_series(client, ds, source_id, series_a) -> tuple[str, str]:
    """Two non-primary copies holding one instance each of series A: (destination, source)."""
    first_sop, second_sop = series_a[1]
    x = copy(client, ds, source_id, copiable={series_a[0]: [first_sop]})
    y = copy(client, ds, source_id, copiable={series_a[0]: [second_sop]})
    return x["destinationImageSetProperties"]["imageSetId"], y["destinationImageSetProperties"]["imageSetId"]


@pytest.mark.parametrize("change_for", MISMATCHES)
def test_inconsistent_copy_ends_copy_failed_and_leaves_the_destination_unchanged(
    client, ds, same_series, series_a, change_for
):
    x, y = same_series
    update(client, ds, y, "1", change_for(series_a[0]), force=True)
    before = metadata(client, ds, x)

    response = copy(client, ds, y, "2", destination=(x, "1"))

    assert response["destinationImageSetProperties"]["latestVersionId"] == "2"
    assert response["destinationImageSetProperties"]["imageSetWorkflowStatus"] == "COPYING"
    properties = image_set(client, ds, x)
    assert (properties["versionId"], properties["imageSetState"]) == ("2", "ACTIVE")
    assert properties["imageSetWorkflowStatus"] == "COPY_FAILED"
    assert properties["message"] == SERIES_MISMATCH
    newest = versions(client, ds, x)[0]
    assert (newest["ImageSetWorkflowStatus"], newest["message"]) == ("COPY_FAILED", SERIES_MISMATCH)
    assert metadata(client, ds, x) == before
    assert status(client, ds, y)[:2] == ("2", "ACTIVE")


@pytest.mark.parametrize("change_for", MISMATCHES)
def test_forced_inconsistent_copy_merges_the_instances_and_keeps_the_destination_blocks(
    client, ds, same_series, series_a, change_for
):
    x, y = same_series
    update(client, ds, y, "1", change_for(series_a[0]), force=True)
    before = metadata(client, ds, x)

    copy(client, ds, y, "2", destination=(x, "1"), force=True)

    assert status(client, ds, x) == ("2", "ACTIVE", "COPIED")
    after = metadata(client, ds, x)
    assert layout(after) == {series_a[0]: series_a[1]}
    assert after["Patient"] == before["Patient"]
    assert after["Study"]["DICOM"] == before["Study"]["DICOM"]
    assert after["Study"]["Series"][series_a[0]]["DICOM"] == before["Study"]["Series"][series_a[0]]["DICOM"]
    assert image_set(client, ds, x)["overrides"] == {"forced": True}
    assert versions(client, ds, x)[0]["overrides"] == {"forced": True}
    assert "overrides" not in versions(client, ds, x)[1]


def test_copy_failed_still_uses_up_a_version(client, ds, same_series):
    x, y = same_series
    update(client, ds, y, "1", study_update(StudyDescription="OTHER"))
    copy(client, ds, y, "2", destination=(x, "1"))

    response = copy(client, ds, y, "2", destination=(x, "2"), force=True)

    assert response["destinationImageSetProperties"]["latestVersionId"] == "3"
    assert [v["ImageSetWorkflowStatus"] for v in versions(client, ds, x)] == [
        "COPIED",
        "COPY_FAILED",
        "COPIED",
    ]


# --- errors ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("stale", ["2", "0"])
def test_stale_source_version_is_resource_not_found(client, ds, source_id, stale):
    assert refusal(copy, client, ds, source_id, stale) == ("ResourceNotFoundException", STALE)
    assert status(client, ds, source_id)[:2] == ("1", "ACTIVE")


def test_source_version_made_stale_by_an_update_is_resource_not_found(client, ds, split):
    x, y = split
    update(client, ds, y, "1", study_update(StudyDescription="CHEST"))

    assert refusal(copy, client, ds, y, "1", destination=(x, "1")) == ("ResourceNotFoundException", STALE)


@pytest.mark.parametrize("stale", ["2", "0"])
def test_stale_destination_version_is_resource_not_found(client, ds, split, stale):
    x, y = split

    assert refusal(copy, client, ds, y, destination=(x, stale)) == ("ResourceNotFoundException", STALE)
    assert status(client, ds, x) == ("1", "ACTIVE", "COPIED")
    assert status(client, ds, y)[:2] == ("1", "ACTIVE")


def test_locked_destination_is_a_conflict(medical_imaging, client, ds, split):
    x, y = split
    medical_imaging.transitions = "manual"
    update(client, ds, x, "1", study_update(StudyDescription="CHEST"))

    assert refusal(copy, client, ds, y, destination=(x, "2"))[0] == "ConflictException"
    medical_imaging.advance()
    assert status(client, ds, x) == ("2", "ACTIVE", "UPDATED")
    assert status(client, ds, y)[:2] == ("1", "ACTIVE")


def test_source_equal_to_destination_is_a_validation_exception(client, ds, split):
    x, _ = split

    code, message = refusal(copy, client, ds, x, destination=(x, "1"))

    assert code == "ValidationException"
    # its own rule: the destination also holds every SOP instance copied, which is refused too
    assert "source" in message
    assert "destination" in message
    assert status(client, ds, x) == ("1", "ACTIVE", "COPIED")


def test_promote_to_primary_with_a_destination_is_a_validation_exception(client, ds, split):
    x, y = split

    code, message = refusal(copy, client, ds, y, destination=(x, "1"), promoteToPrimary=True)

    assert code == "ValidationException"
    assert "promoteToPrimary" in message
    assert status(client, ds, x) == ("1", "ACTIVE", "COPIED")
    assert status(client, ds, y)[:2] == ("1", "ACTIVE")
