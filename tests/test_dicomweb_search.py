"""QIDO-RS over HTTP, as clients call it: the six search resources through a SigV4-signed requests session and
through dicomweb-client, seeded through the boto3 API, import jobs, copies and updates."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_helpers import INPUT_BUCKET, OUTPUT_BUCKET, ROLE
from dicom_factory import CT_IMAGE, SECONDARY_CAPTURE, gray_frames, make_dataset, part10_bytes
from dicomweb_helpers import datastore_root, dicomweb_client_for, signed_session
from freezegun import freeze_time
from pydicom.dataset import Dataset
from pydicom.uid import generate_uid

DICOM_JSON = {"Accept": "application/dicom+json"}
STUDY_UID_TAG, SERIES_UID_TAG, SOP_UID_TAG = "0020000D", "0020000E", "00080018"
PATIENT_NAME, PATIENT_ID, RETRIEVE_URL = "00100010", "00100020", "00081190"
REFERRING_PHYSICIAN = "00080090"


# --- helpers --------------------------------------------------------------------------------------------


def instance(study_uid: str, series_uid: str, number: int = 1, **elements: Any) -> Dataset:
    """A 4x4 CT image of the given study and series; `elements` by keyword override the defaults."""
    defaults = {
        "PatientName": "DOE^JANE",
        "PatientID": "PAT-1",
        "StudyDate": "20240115",
        "StudyTime": "101500",
        "AccessionNumber": "ACC-1",
        "StudyID": "S1",
        "StudyDescription": "CHEST CT",
        "Modality": "CT",
        "SeriesNumber": 1,
        "InstanceNumber": number,
    }
    return make_dataset(
        gray_frames(1, 4, 4, seed=number),
        study_uid=study_uid,
        series_uid=series_uid,
        sop_class_uid=CT_IMAGE,
        **{**defaults, **elements},
    )


def series_of(
    study_uid: str, count: int = 1, series_uid: str | None = None, **elements: Any
) -> list[Dataset]:
    """`count` instances of one series (InstanceNumber 1..count)."""
    series_uid = series_uid or generate_uid()
    return [instance(study_uid, series_uid, number, **elements) for number in range(1, count + 1)]


def seeded_study(medical_imaging, datastore_id: str, is_primary: bool = True, **elements: Any) -> str:
    """One image set holding one one-instance series of a new study; the study UID."""
    study_uid = generate_uid()
    medical_imaging.create_image_set(datastore_id, series_of(study_uid, **elements), is_primary=is_primary)
    return study_uid


def get(datastore_id: str, path: str, params: list[tuple[str, str]] | None = None):
    return signed_session().get(datastore_root(datastore_id) + path, params=params or [], headers=DICOM_JSON)


def search(datastore_id: str, path: str, params: list[tuple[str, str]] | None = None) -> list[dict]:
    """The results of a search that must succeed (200 with a JSON list)."""
    response = get(datastore_id, path, params)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("application/dicom+json")
    found = response.json()
    assert isinstance(found, list)
    return found


def values(results: list[dict], tag: str) -> list[Any]:
    """The first value of `tag` in each result (None when the result has it empty)."""
    return [(result[tag].get("Value") or [None])[0] for result in results]


def refused(datastore_id: str, path: str, params: list[tuple[str, str]]) -> str:
    """The message of a search that must be a ValidationException."""
    response = get(datastore_id, path, params)
    assert response.status_code == 400, response.text
    assert response.headers["x-amzn-ErrorType"].startswith("ValidationException")
    return response.json()["message"]


def image_set_of(client, datastore_id: str, study_uid: str) -> str:
    """The id of the (only) image set holding the study."""
    summaries = client.search_image_sets(datastoreId=datastore_id)["imageSetsMetadataSummaries"]
    return next(s["imageSetId"] for s in summaries if s["DICOMTags"]["DICOMStudyInstanceUID"] == study_uid)


def update_study(client, datastore_id: str, image_set_id: str, **attributes: str) -> None:
    """UpdateImageSetMetadata of Study-level attributes (a primary image set's Patient level is fixed)."""
    latest = client.get_image_set(datastoreId=datastore_id, imageSetId=image_set_id)["versionId"]
    change = {"SchemaVersion": "1.1", "Study": {"DICOM": attributes}}
    client.update_image_set_metadata(
        datastoreId=datastore_id,
        imageSetId=image_set_id,
        latestVersionId=latest,
        updateImageSetMetadataUpdates={"DICOMUpdates": {"updatableAttributes": json.dumps(change)}},
    )


# --- studies --------------------------------------------------------------------------------------------


def test_a_study_spread_over_primary_image_sets_is_one_study_with_counts_across_them(
    medical_imaging, datastore_id
):
    study_uid = generate_uid()
    medical_imaging.create_image_set(datastore_id, series_of(study_uid, 2, SeriesNumber=1))
    medical_imaging.create_image_set(datastore_id, series_of(study_uid, 3, SeriesNumber=2, Modality="MR"))

    (study,) = search(datastore_id, "/studies")

    assert study[STUDY_UID_TAG] == {"vr": "UI", "Value": [study_uid]}
    assert study["00201206"] == {"vr": "IS", "Value": [2]}  # NumberOfStudyRelatedSeries
    assert study["00201208"] == {"vr": "IS", "Value": [5]}  # NumberOfStudyRelatedInstances
    assert study["00080061"] == {"vr": "CS", "Value": ["CT", "MR"]}  # ModalitiesInStudy


def test_a_study_result_holds_the_default_attributes_in_dicom_json(medical_imaging, datastore_id):
    study_uid = seeded_study(medical_imaging, datastore_id)

    (study,) = search(datastore_id, "/studies")

    assert study[PATIENT_NAME] == {"vr": "PN", "Value": [{"Alphabetic": "DOE^JANE"}]}
    assert study[PATIENT_ID] == {"vr": "LO", "Value": ["PAT-1"]}
    assert study["00080020"] == {"vr": "DA", "Value": ["20240115"]}
    assert study["00080030"] == {"vr": "TM", "Value": ["101500"]}
    assert study["00080050"] == {"vr": "SH", "Value": ["ACC-1"]}
    assert study["00200010"] == {"vr": "SH", "Value": ["S1"]}
    assert study["00080056"] == {"vr": "CS", "Value": ["ONLINE"]}  # InstanceAvailability
    assert study[RETRIEVE_URL] == {
        "vr": "UR",
        "Value": [f"{datastore_root(datastore_id)}/studies/{study_uid}"],
    }
    # held by no image set: returned empty, VR only
    assert study["00100030"] == {"vr": "DA"}  # PatientBirthDate
    assert study["00080090"] == {"vr": "PN"}  # ReferringPhysicianName
    assert study["00100040"] == {"vr": "CS"}  # PatientSex
    assert "00081030" not in study  # StudyDescription: not a default attribute
    assert all(key == key.upper() and len(key) == 8 for key in study)


def test_studies_come_newest_update_first(medical_imaging, medical_imaging_client, datastore_id):
    first = seeded_study(medical_imaging, datastore_id, PatientID="SAME")
    second = seeded_study(medical_imaging, datastore_id, PatientID="SAME")
    third = seeded_study(medical_imaging, datastore_id, PatientID="SAME")
    assert values(search(datastore_id, "/studies"), STUDY_UID_TAG) == [third, second, first]
    assert values(search(datastore_id, "/studies", [("PatientID", "SAME")]), STUDY_UID_TAG) == [
        third,
        second,
        first,
    ]

    image_set_id = image_set_of(medical_imaging_client, datastore_id, first)
    update_study(medical_imaging_client, datastore_id, image_set_id, StudyDescription="CHANGED")

    assert values(search(datastore_id, "/studies"), STUDY_UID_TAG) == [first, third, second]


def test_studies_changed_within_one_millisecond_still_come_newest_first(medical_imaging, datastore_id):
    with freeze_time("2024-05-01T12:00:00Z"):  # every updatedAt the same
        uids = [seeded_study(medical_imaging, datastore_id) for _ in range(4)]

        assert values(search(datastore_id, "/studies"), STUDY_UID_TAG) == uids[::-1]


def test_a_study_only_in_non_primary_image_sets_is_not_found(medical_imaging, datastore_id):
    seeded_study(medical_imaging, datastore_id, is_primary=False, PatientID="HIDDEN")
    shown = seeded_study(medical_imaging, datastore_id, PatientID="SHOWN")

    assert values(search(datastore_id, "/studies"), STUDY_UID_TAG) == [shown]
    assert search(datastore_id, "/studies", [("PatientID", "HIDDEN")]) == []
    assert values(search(datastore_id, "/series"), STUDY_UID_TAG) == [shown]
    assert values(search(datastore_id, "/instances"), STUDY_UID_TAG) == [shown]


def test_a_non_primary_image_set_of_a_shown_study_adds_nothing_to_it(medical_imaging, datastore_id):
    study_uid = generate_uid()
    medical_imaging.create_image_set(datastore_id, series_of(study_uid, 2))
    medical_imaging.create_image_set(datastore_id, series_of(study_uid, 4, Modality="MR"), is_primary=False)

    (study,) = search(datastore_id, "/studies")

    assert study["00201208"]["Value"] == [2]
    assert study["00080061"]["Value"] == ["CT"]
    assert len(search(datastore_id, f"/studies/{study_uid}/instances")) == 2


def test_a_deleted_image_set_leaves_its_study_and_the_counts(
    medical_imaging, medical_imaging_client, datastore_id
):
    study_uid = generate_uid()
    medical_imaging.create_image_set(datastore_id, series_of(study_uid, 2))
    gone = medical_imaging.create_image_set(datastore_id, series_of(study_uid, 3, SeriesNumber=2))
    alone = seeded_study(medical_imaging, datastore_id, PatientID="ALONE")
    alone_id = image_set_of(medical_imaging_client, datastore_id, alone)
    assert search(datastore_id, "/studies", [("StudyInstanceUID", study_uid)])[0]["00201208"]["Value"] == [5]

    medical_imaging_client.delete_image_set(datastoreId=datastore_id, imageSetId=gone)
    medical_imaging_client.delete_image_set(datastoreId=datastore_id, imageSetId=alone_id)

    (study,) = search(datastore_id, "/studies")
    assert study[STUDY_UID_TAG]["Value"] == [study_uid]
    assert study["00201206"]["Value"] == [1]
    assert study["00201208"]["Value"] == [2]
    assert search(datastore_id, "/studies", [("PatientID", "ALONE")]) == []
    assert search(datastore_id, f"/studies/{alone}/series") == []
    assert len(search(datastore_id, "/instances")) == 2


def test_an_image_set_being_deleted_is_shown_until_the_deletion_completes(
    medical_imaging, medical_imaging_client, datastore_id
):
    medical_imaging.transitions = "manual"
    study_uid = generate_uid()
    image_set_id = medical_imaging.create_image_set(datastore_id, series_of(study_uid))

    medical_imaging_client.delete_image_set(datastoreId=datastore_id, imageSetId=image_set_id)
    deleting = search(datastore_id, "/studies")
    medical_imaging.advance()

    assert values(deleting, STUDY_UID_TAG) == [study_uid]
    assert search(datastore_id, "/studies") == []


def test_an_update_shows_in_qido_at_once_even_while_it_is_in_flight(
    medical_imaging, medical_imaging_client, datastore_id
):
    medical_imaging.transitions = "manual"
    study_uid = generate_uid()
    image_set_id = medical_imaging.create_image_set(datastore_id, series_of(study_uid))

    update_study(medical_imaging_client, datastore_id, image_set_id, ReferringPhysicianName="SMITH^JOHN")

    (study,) = search(datastore_id, "/studies")
    assert study[REFERRING_PHYSICIAN]["Value"] == [{"Alphabetic": "SMITH^JOHN"}]
    assert len(search(datastore_id, "/studies", [("ReferringPhysicianName", "SMITH^JOHN")])) == 1
    (found,) = search(datastore_id, "/instances", [("ReferringPhysicianName", "smith*")])
    assert found[REFERRING_PHYSICIAN]["Value"] == [{"Alphabetic": "SMITH^JOHN"}]
    assert search(datastore_id, "/studies", [("ReferringPhysicianName", "")])[0][REFERRING_PHYSICIAN] == {
        "vr": "PN",
        "Value": [{"Alphabetic": "SMITH^JOHN"}],
    }


def test_the_newest_image_set_of_a_study_gives_its_study_attributes(
    medical_imaging, medical_imaging_client, datastore_id
):
    study_uid = generate_uid()
    older = medical_imaging.create_image_set(datastore_id, series_of(study_uid))
    medical_imaging.create_image_set(datastore_id, series_of(study_uid, SeriesNumber=2))
    assert search(datastore_id, "/studies", [("StudyDescription", "CHEST CT")]) != []

    update_study(medical_imaging_client, datastore_id, older, StudyDescription="RENAMED")

    (study,) = search(datastore_id, "/studies", [("StudyDescription", "RENAMED")])
    assert study[STUDY_UID_TAG]["Value"] == [study_uid]
    assert search(datastore_id, "/studies", [("StudyDescription", "CHEST CT")]) == []


def test_an_import_jobs_image_sets_are_found(medical_imaging_client, datastore_id, s3):
    study_uid = generate_uid()
    files = {
        f"in/{n}.dcm": part10_bytes(d) for n, d in enumerate(series_of(study_uid, 2, PatientID="IMPORTED"))
    }
    for key, data in files.items():
        s3.put_object(Bucket=INPUT_BUCKET, Key=key, Body=data)

    medical_imaging_client.start_dicom_import_job(
        datastoreId=datastore_id,
        dataAccessRoleArn=ROLE,
        inputS3Uri=f"s3://{INPUT_BUCKET}/in/",
        outputS3Uri=f"s3://{OUTPUT_BUCKET}/out/",
    )

    (study,) = search(datastore_id, "/studies", [("PatientID", "IMPORTED")])
    assert study[STUDY_UID_TAG]["Value"] == [study_uid]
    assert study["00201208"]["Value"] == [2]


def test_a_copy_promoted_to_primary_makes_its_study_found(
    medical_imaging, medical_imaging_client, datastore_id
):
    study_uid = generate_uid()
    source = medical_imaging.create_image_set(datastore_id, series_of(study_uid, 2), is_primary=False)
    assert search(datastore_id, "/studies") == []

    medical_imaging_client.copy_image_set(
        datastoreId=datastore_id,
        sourceImageSetId=source,
        copyImageSetInformation={"sourceImageSet": {"latestVersionId": "1"}},
        promoteToPrimary=True,
    )

    (study,) = search(datastore_id, "/studies")
    assert study[STUDY_UID_TAG]["Value"] == [study_uid]
    assert study["00201208"]["Value"] == [2]


def test_stored_instances_are_found_at_once(datastore_id):
    study_uid, series_uid = generate_uid(), generate_uid()
    client = dicomweb_client_for(datastore_id)

    client.store_instances(series_of(study_uid, 2, series_uid, PatientID="STOWED"))
    (study,) = search(datastore_id, "/studies", [("PatientID", "STOWED")])
    client.store_instances([instance(study_uid, series_uid, 3, PatientID="STOWED")])  # joins the series

    assert study[STUDY_UID_TAG]["Value"] == [study_uid]
    assert study["00201208"]["Value"] == [2]
    found = search(datastore_id, f"/studies/{study_uid}/series/{series_uid}/instances")
    assert values(found, "00200013") == [1, 2, 3]


# --- series and instances -------------------------------------------------------------------------------


def test_a_studys_series_come_by_series_number_with_their_attributes(medical_imaging, datastore_id):
    study_uid, first, second, tenth = generate_uid(), generate_uid(), generate_uid(), generate_uid()
    medical_imaging.create_image_set(
        datastore_id,
        series_of(study_uid, 1, first, SeriesNumber=1, Modality="MR", SeriesDescription="AX T1")
        + series_of(study_uid, 2, tenth, SeriesNumber=10),
    )
    medical_imaging.create_image_set(datastore_id, series_of(study_uid, 3, second, SeriesNumber=2))
    seeded_study(medical_imaging, datastore_id)  # another study's series stay out

    found = search(datastore_id, f"/studies/{study_uid}/series")

    assert values(found, SERIES_UID_TAG) == [first, second, tenth]
    assert values(found, "00200011") == [1, 2, 10]  # SeriesNumber, a JSON number
    assert values(found, "00080060") == ["MR", "CT", "CT"]
    assert values(found, "00201209") == [1, 3, 2]  # NumberOfSeriesRelatedInstances
    assert values(found, "0008103E") == ["AX T1", None, None]
    assert values(found, STUDY_UID_TAG) == [study_uid] * 3
    assert found[0][RETRIEVE_URL]["Value"] == [
        f"{datastore_root(datastore_id)}/studies/{study_uid}/series/{first}"
    ]
    assert values(search(datastore_id, f"/studies/{study_uid}/series", [("Modality", "CT")]), "00200011") == [
        2,
        10,
    ]


def test_a_series_instances_come_by_instance_number(medical_imaging, datastore_id):
    study_uid, series_uid = generate_uid(), generate_uid()
    datasets = [instance(study_uid, series_uid, number) for number in (3, 1, 10, 2)]
    medical_imaging.create_image_set(datastore_id, datasets)

    found = search(datastore_id, f"/studies/{study_uid}/series/{series_uid}/instances")

    assert values(found, "00200013") == [1, 2, 3, 10]
    assert values(found, "00080016") == [CT_IMAGE] * 4
    assert values(found, SERIES_UID_TAG) == [series_uid] * 4
    assert values(found, "00280010") == [4] * 4  # Rows
    sop = found[0][SOP_UID_TAG]["Value"][0]
    assert found[0][RETRIEVE_URL]["Value"] == [
        f"{datastore_root(datastore_id)}/studies/{study_uid}/series/{series_uid}/instances/{sop}"
    ]


def test_a_studys_instances_come_from_every_primary_image_set_latest_update_first(
    medical_imaging, medical_imaging_client, datastore_id
):
    study_uid = generate_uid()
    older = medical_imaging.create_image_set(datastore_id, series_of(study_uid, 2, SeriesNumber=1))
    medical_imaging.create_image_set(datastore_id, series_of(study_uid, 1, SeriesNumber=2))

    assert values(search(datastore_id, f"/studies/{study_uid}/instances"), "00200011") == [2, 1, 1]
    update_study(medical_imaging_client, datastore_id, older, StudyDescription="CHANGED")
    found = search(datastore_id, f"/studies/{study_uid}/instances")
    assert values(found, "00200011") == [1, 1, 2]
    assert values(found, "00200013") == [1, 2, 1]


def test_all_series_and_all_instances_span_studies_with_study_attributes(medical_imaging, datastore_id):
    one = seeded_study(medical_imaging, datastore_id, PatientID="ONE", SeriesNumber=2)
    two = seeded_study(medical_imaging, datastore_id, PatientID="TWO", SeriesNumber=1)

    series = search(datastore_id, "/series")
    instances = search(datastore_id, "/instances", [("PatientID", "ONE")])

    assert values(series, STUDY_UID_TAG) == [two, one]  # SeriesNumber ascending
    assert values(series, PATIENT_ID) == ["TWO", "ONE"]
    assert values(series, "00201208") == [1, 1]
    assert values(instances, STUDY_UID_TAG) == [one]
    assert values(instances, "00080061") == ["CT"]
    assert values(search(datastore_id, "/series", [("SeriesNumber", "02")]), STUDY_UID_TAG) == [one]


def test_the_path_uids_need_not_be_repeated_and_a_repeated_series_uid_still_matches(
    medical_imaging, datastore_id
):
    study_uid, series_uid, other = generate_uid(), generate_uid(), generate_uid()
    medical_imaging.create_image_set(datastore_id, series_of(study_uid, 1, series_uid))
    medical_imaging.create_image_set(datastore_id, series_of(study_uid, 1, other, SeriesNumber=2))

    found = search(datastore_id, f"/studies/{study_uid}/series", [("SeriesInstanceUID", series_uid)])

    assert values(found, SERIES_UID_TAG) == [series_uid]
    assert len(search(datastore_id, f"/studies/{study_uid}/series/{series_uid}/instances")) == 1


def test_unknown_uids_find_nothing(medical_imaging, datastore_id):
    study_uid = seeded_study(medical_imaging, datastore_id)

    assert search(datastore_id, "/studies/1.2.3/series") == []
    assert search(datastore_id, "/studies/1.2.3/instances") == []
    assert search(datastore_id, f"/studies/{study_uid}/series/1.2.3/instances") == []
    assert search(datastore_id, "/studies", [("StudyInstanceUID", "1.2.3")]) == []


# --- matching -------------------------------------------------------------------------------------------


@pytest.fixture
def patients(medical_imaging, datastore_id) -> dict[str, str]:
    """Four studies, by PatientID."""
    seeded = {
        "P-100": {"PatientName": "Thomas^Albert", "StudyDate": "20200101", "StudyTime": "081500"},
        "P-101": {"PatientName": "ALBERTSON^MARY", "StudyDate": "20210615", "StudyTime": "120000"},
        "P-200": {
            "PatientName": "Bartholomew^Hom",
            "StudyDate": "20220301",
            "StudyTime": "235959",
            "Modality": "MR",
            "StudyDescription": "Nuclear medicine",
        },
        "p-100": {
            "PatientName": "thomas",
            "StudyDate": "20230909",
            "StudyTime": "1900",
            "StudyDescription": "NUCLEAR",
        },
    }
    return {
        patient_id: seeded_study(medical_imaging, datastore_id, PatientID=patient_id, **elements)
        for patient_id, elements in seeded.items()
    }


def patient_ids(datastore_id: str, params: list[tuple[str, str]], path: str = "/studies") -> list[str]:
    return sorted(values(search(datastore_id, path, params), PATIENT_ID))


def test_single_values_match_exactly_by_keyword_or_tag(patients, datastore_id):
    assert patient_ids(datastore_id, [("PatientID", "P-100")]) == ["P-100"]
    assert patient_ids(datastore_id, [("00100020", "P-100")]) == ["P-100"]
    assert patient_ids(datastore_id, [("0020000d", patients["P-200"])]) == ["P-200"]
    assert patient_ids(datastore_id, [("PatientID", "P-1")]) == []
    assert patient_ids(datastore_id, [("StudyDate", "20210615")]) == ["P-101"]


def test_text_matches_with_case_but_person_names_without(patients, datastore_id):
    assert patient_ids(datastore_id, [("PatientID", "p-100")]) == ["p-100"]
    assert patient_ids(datastore_id, [("PatientName", "THOMAS^ALBERT")]) == ["P-100"]
    assert patient_ids(datastore_id, [("StudyDescription", "nuclear")]) == []


def test_wildcards_star_and_question_mark(patients, datastore_id):
    assert patient_ids(datastore_id, [("PatientID", "P-1*")]) == ["P-100", "P-101"]
    assert patient_ids(datastore_id, [("PatientID", "?-?00")]) == ["P-100", "P-200", "p-100"]
    assert patient_ids(datastore_id, [("PatientID", "*0")]) == ["P-100", "P-200", "p-100"]
    assert patient_ids(datastore_id, [("StudyDescription", "*Nuclear*")]) == ["P-200"]
    assert patient_ids(datastore_id, [("PatientName", "*albert*")]) == ["P-100", "P-101"]
    assert patient_ids(datastore_id, [("PatientID", "*")]) == ["P-100", "P-101", "P-200", "p-100"]
    assert patient_ids(datastore_id, [("ReferringPhysicianName", "**")]) == [
        "P-100",
        "P-101",
        "P-200",
        "p-100",
    ]
    assert patient_ids(datastore_id, [("ReferringPhysicianName", "*a*")]) == []  # held by none


def test_date_and_time_ranges(patients, datastore_id):
    assert patient_ids(datastore_id, [("StudyDate", "20210101-20221231")]) == ["P-101", "P-200"]
    assert patient_ids(datastore_id, [("StudyDate", "-20210615")]) == ["P-100", "P-101"]
    assert patient_ids(datastore_id, [("StudyDate", "20220301-")]) == ["P-200", "p-100"]
    assert patient_ids(datastore_id, [("StudyTime", "0800-1200")]) == ["P-100", "P-101"]
    assert patient_ids(datastore_id, [("StudyTime", "23-")]) == ["P-200"]
    assert patient_ids(datastore_id, [("StudyTime", "0815")]) == ["P-100"]
    assert patient_ids(datastore_id, [("StudyTime", "08")]) == ["P-100"]  # the whole hour
    assert patient_ids(datastore_id, [("StudyTime", "0700-0814")]) == []


def test_uid_lists_match_any_of_their_uids(patients, datastore_id):
    listed = f"{patients['P-100']},{patients['P-200']},1.2.3"
    assert patient_ids(datastore_id, [("StudyInstanceUID", listed)]) == ["P-100", "P-200"]


def test_modalities_in_study_matches_any_series_modality(patients, datastore_id):
    assert patient_ids(datastore_id, [("ModalitiesInStudy", "MR")]) == ["P-200"]
    assert patient_ids(datastore_id, [("ModalitiesInStudy", "XA,MR")]) == ["P-200"]
    assert patient_ids(datastore_id, [("ModalitiesInStudy", "CT\\MR")]) == [
        "P-100",
        "P-101",
        "P-200",
        "p-100",
    ]
    assert patient_ids(datastore_id, [("Modality", "MR")], "/series") == ["P-200"]


def test_several_keys_must_all_match(patients, datastore_id):
    assert patient_ids(datastore_id, [("PatientID", "P-*"), ("StudyDate", "20210101-")]) == ["P-101", "P-200"]
    assert patient_ids(datastore_id, [("PatientID", "P-1*"), ("ModalitiesInStudy", "MR")]) == []


def test_fuzzy_matching_is_case_insensitive_word_prefix_matching(patients, datastore_id):
    fuzzy = [("fuzzymatching", "true")]
    assert patient_ids(datastore_id, [*fuzzy, ("PatientName", '"Thomas^Albert"')]) == [
        "P-100",
        "P-101",
        "p-100",
    ]
    assert patient_ids(datastore_id, [*fuzzy, ("PatientName", "hom")]) == ["P-200"]  # "Hom", not "Thomas"
    assert patient_ids(datastore_id, [*fuzzy, ("PatientName", "ber")]) == []
    assert patient_ids(datastore_id, [("fuzzymatching", "false"), ("PatientName", "thomas")]) == ["p-100"]


def test_fuzzy_matching_through_dicomweb_client(patients, datastore_id):
    client = dicomweb_client_for(datastore_id)

    found = client.search_for_studies(fuzzymatching=True, search_filters={"PatientName": "alb"})

    assert sorted(values(found, PATIENT_ID)) == ["P-100", "P-101"]


def test_a_match_key_comes_back_in_every_result_and_an_empty_value_matches_all(patients, datastore_id):
    found = search(datastore_id, "/studies", [("StudyDescription", "")])

    assert len(found) == 4
    assert sorted(values(found, "00081030")) == ["CHEST CT", "CHEST CT", "NUCLEAR", "Nuclear medicine"]


def test_a_valid_attribute_the_resource_does_not_match_on_is_ignored(patients, datastore_id):
    found = search(datastore_id, "/studies", [("Modality", "MR"), ("SeriesDescription", "none")])

    assert len(found) == 4
    assert "00080060" not in found[0]
    assert len(search(datastore_id, "/series", [("SOPClassUID", SECONDARY_CAPTURE)])) == 4


def test_instance_level_keys(medical_imaging, datastore_id):
    study_uid, series_uid = generate_uid(), generate_uid()
    datasets = [instance(study_uid, series_uid, number) for number in (1, 2)]
    medical_imaging.create_image_set(datastore_id, datasets)
    sop = datasets[1].SOPInstanceUID

    path = f"/studies/{study_uid}/series/{series_uid}/instances"
    assert values(search(datastore_id, path, [("SOPInstanceUID", sop)]), SOP_UID_TAG) == [sop]
    assert values(search(datastore_id, "/instances", [("00080018", sop)]), SOP_UID_TAG) == [sop]
    assert len(search(datastore_id, f"/studies/{study_uid}/instances", [("SOPClassUID", CT_IMAGE)])) == 2
    assert search(datastore_id, "/instances", [("SOPClassUID", SECONDARY_CAPTURE)]) == []


# --- includefield ---------------------------------------------------------------------------------------


def test_includefield_adds_attributes_by_keyword_tag_or_list(medical_imaging, datastore_id):
    seeded_study(medical_imaging, datastore_id, ReferringPhysicianName="WHO^DOCTOR")

    (plain,) = search(datastore_id, "/studies")
    (included,) = search(
        datastore_id,
        "/studies",
        [("includefield", "StudyDescription"), ("includefield", "00081030,00100040")],
    )
    (unknown,) = search(
        datastore_id, "/studies", [("includefield", "NoSuchKeyword"), ("includefield", "Rows")]
    )

    assert "00081030" not in plain
    assert included["00081030"] == {"vr": "LO", "Value": ["CHEST CT"]}
    assert set(unknown) == set(plain)  # unknown, and absent at the study level: left out silently


def test_includefield_all_returns_every_attribute_of_the_level(medical_imaging, datastore_id):
    study_uid = seeded_study(medical_imaging, datastore_id, ImageType=["ORIGINAL", "PRIMARY"])

    (study,) = search(datastore_id, "/studies", [("includefield", "all")])
    (one,) = search(datastore_id, f"/studies/{study_uid}/instances", [("includefield", "all")])

    assert study["00081030"]["Value"] == ["CHEST CT"]  # StudyDescription
    assert study["00080062"]["Value"] == [CT_IMAGE]  # SOPClassesInStudy
    assert "00080008" not in study  # ImageType: an instance attribute
    assert one["00080008"]["Value"] == ["ORIGINAL", "PRIMARY"]
    assert one["00280100"]["Value"] == [16]  # BitsAllocated
    assert "7FE00010" not in one  # never the pixel data
    assert not any(tag.startswith("0002") for tag in one)  # nor the file meta


def test_includefield_through_dicomweb_client(medical_imaging, datastore_id):
    study_uid = seeded_study(medical_imaging, datastore_id)
    client = dicomweb_client_for(datastore_id)

    (series,) = client.search_for_series(study_uid, fields=["SeriesDate", "00180015", "Manufacturer"])
    (with_all,) = client.search_for_series(study_uid, fields=["all"])

    assert "00080070" not in series  # held by no image set
    assert with_all["00100020"]["Value"] == ["PAT-1"]


def test_includefield_of_a_sequence_path_returns_the_sequence_with_only_that_attribute(
    medical_imaging, datastore_id
):
    code = Dataset()
    code.CodeValue, code.CodingSchemeDesignator, code.CodeMeaning = "CTCHEST", "LOCAL", "CT chest"
    seeded_study(medical_imaging, datastore_id, ProcedureCodeSequence=[code])

    (whole,) = search(datastore_id, "/studies", [("includefield", "ProcedureCodeSequence")])
    (path,) = search(datastore_id, "/studies", [("includefield", "00081032.00080100")])
    (paths,) = search(datastore_id, "/studies", [("includefield", "00081032.00080100,00081032.00080104")])

    assert whole["00081032"]["Value"][0]["00080104"] == {"vr": "LO", "Value": ["CT chest"]}
    assert path["00081032"] == {"vr": "SQ", "Value": [{"00080100": {"vr": "SH", "Value": ["CTCHEST"]}}]}
    assert set(paths["00081032"]["Value"][0]) == {"00080100", "00080104"}


def test_a_private_attribute_needs_its_creator_named(medical_imaging, datastore_id):
    study_uid, series_uid = generate_uid(), generate_uid()
    ds = instance(study_uid, series_uid)
    block = ds.private_block(0x0019, "ACME", create=True)
    block.add_new(0x01, "LO", "secret")
    medical_imaging.create_image_set(datastore_id, [ds])

    (without,) = search(datastore_id, "/instances", [("includefield", "00191001")])
    (wrong,) = search(datastore_id, "/instances", [("includefield", "00191001"), ("00190010", "OTHER")])
    (named,) = search(datastore_id, "/instances", [("includefield", "00191001"), ("00190010", "ACME")])

    assert "00191001" not in without
    assert "00191001" not in wrong
    assert named["00191001"] == {"vr": "LO", "Value": ["secret"]}
    assert named["00190010"] == {"vr": "LO", "Value": ["ACME"]}


def test_more_than_fifty_includefields_is_a_validation_exception(medical_imaging, datastore_id):
    message = refused(datastore_id, "/studies", [("includefield", "PatientSex")] * 51)

    assert "50" in message
    assert search(datastore_id, "/studies", [("includefield", "PatientSex")] * 50) == []


# --- paging ---------------------------------------------------------------------------------------------


def test_limit_and_offset_page_through_the_order(medical_imaging, datastore_id):
    uids = [seeded_study(medical_imaging, datastore_id) for _ in range(5)][::-1]  # newest first

    assert values(search(datastore_id, "/studies", [("limit", "2")]), STUDY_UID_TAG) == uids[:2]
    assert (
        values(search(datastore_id, "/studies", [("limit", "2"), ("offset", "2")]), STUDY_UID_TAG)
        == uids[2:4]
    )
    assert values(search(datastore_id, "/studies", [("offset", "4")]), STUDY_UID_TAG) == uids[4:]
    assert search(datastore_id, "/studies", [("offset", "5")]) == []


def test_a_page_holds_1000_results_unless_limit_says_fewer(medical_imaging, datastore_id):
    study_uid, series_uid = generate_uid(), generate_uid()
    datasets = [
        make_dataset(
            study_uid=study_uid, series_uid=series_uid, sop_class_uid=CT_IMAGE, InstanceNumber=number
        )
        for number in range(1, 1002)
    ]
    medical_imaging.create_image_set(datastore_id, datasets)

    assert values(search(datastore_id, "/instances"), "00200013") == list(range(1, 1001))
    assert values(search(datastore_id, "/instances", [("offset", "1000")]), "00200013") == [1001]


def test_dicomweb_client_get_remaining_reads_every_page(medical_imaging, datastore_id):
    study_uid = generate_uid()
    series_uid = generate_uid()
    medical_imaging.create_image_set(datastore_id, series_of(study_uid, 7, series_uid))
    client = dicomweb_client_for(datastore_id)

    found = client.search_for_instances(study_uid, series_uid, limit=3, get_remaining=True)
    page = client.search_for_instances(study_uid, series_uid, limit=3, offset=3)

    assert values(found, "00200013") == [1, 2, 3, 4, 5, 6, 7]
    assert values(page, "00200013") == [4, 5, 6]


def test_an_empty_result_is_200_with_an_empty_list(datastore_id):
    response = get(datastore_id, "/studies")

    assert response.status_code == 200
    assert response.json() == []
    assert dicomweb_client_for(datastore_id).search_for_studies() == []


# --- errors ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ([("limit", "0")], "limit"),
        ([("limit", "1001")], "limit"),
        ([("limit", "ten")], "limit"),
        ([("limit", "1"), ("limit", "2")], "limit"),
        ([("offset", "-1")], "offset"),
        ([("offset", "1000001")], "offset"),
        ([("fuzzymatching", "yes")], "fuzzymatching"),
        ([("NoSuchKeyword", "1")], "NoSuchKeyword"),
        ([("patientid", "1")], "patientid"),
        ([("StudyDate", "2024-01-32")], "StudyDate"),
        ([("StudyDate", "20240132")], "StudyDate"),
        ([("StudyDate", "-")], "StudyDate"),
        ([("StudyTime", "2500")], "StudyTime"),
    ],
)
def test_invalid_queries_are_validation_exceptions_naming_the_parameter(datastore_id, params, named):
    assert named in refused(datastore_id, "/studies", params)


def test_the_largest_limit_and_offset_are_accepted(datastore_id):
    assert search(datastore_id, "/studies", [("limit", "1000"), ("offset", "1000000")]) == []


def test_an_unknown_datastore_is_resource_not_found(medical_imaging_client):
    response = get("0" * 32, "/studies")

    assert response.status_code == 404
    assert response.headers["x-amzn-ErrorType"].startswith("ResourceNotFoundException")
