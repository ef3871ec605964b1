"""STOW-RS (StoreDICOM, StoreDICOMStudy) over HTTP, as raw requests and dicomweb-client send it: stored data
lands with import semantics (new primary image sets, new versions of agreeing ones, non-primary ones on
conflict) and is visible to boto3 at once; bad files are answered in FailedSOPSequence while the good ones
are stored; the response is the Store Instances Response of PS3.18 Annex I."""

from __future__ import annotations

import io
import json
import uuid
from typing import Any

import openjpeg
import pydicom
import pytest
from aws_helpers import image_set, layout, metadata, new_datastore, versions
from dicom_factory import gray_frames, make_dataset, part10_bytes
from dicomweb_helpers import datastore_root, dicomweb_client_for, signed_session
from pydicom.dataset import Dataset
from pydicom.uid import generate_uid
from test_import_transfer_syntaxes import INVALID

from medimaging_mock.domain import imports

DICOM_JSON = "application/dicom+json"
CT_IMAGE = "1.2.840.10008.5.1.4.1.1.2"
# FailureReason values the mock answers (PS3.18 Annex I; the choice is in the README's fidelity notes)
PROCESSING_FAILURE = 0x0110
DOES_NOT_MATCH_SOP_CLASS = 0xA900
CANNOT_UNDERSTAND = 0xC000
STUDY_MISMATCH = 0xC409
STUDY_UID = "1.2.826.0.1.3680043.10.7"
SERIES_UID = "1.2.826.0.1.3680043.10.7.1"
GROUPING = {
    "PatientID": "PAT-1",
    "StudyDate": "20240101",
    "AccessionNumber": "ACC-1",
    "StudyID": "STUDY-1",
    "SeriesNumber": 1,
}
# tags of the Store Instances Response
RETRIEVE_URL, REFERENCED, FAILED = "00081190", "00081199", "00081198"
CLASS_UID, INSTANCE_UID, SOP_INSTANCE_UID, FAILURE_REASON = "00081150", "00081155", "00080018", "00081197"


def instance(
    sop_uid: str | None = None,
    *,
    study_uid: str = STUDY_UID,
    series_uid: str = SERIES_UID,
    seed: int = 0,
    **elements,
) -> Dataset:
    """One small CT instance of the test study; the grouping elements default to GROUPING."""
    return make_dataset(
        gray_frames(1, 8, 8, seed=seed),
        study_uid=study_uid,
        series_uid=series_uid,
        sop_uid=sop_uid,
        sop_class_uid=CT_IMAGE,
        **{**GROUPING, **elements},
    )


def store(datastore_id: str, files: list[bytes], study_uid: str | None = None) -> Any:
    """POST the files as AWS's DIMSE proxy does: multipart/related, no `type=`, Accept dicom+json."""
    boundary = uuid.uuid4().hex
    body = b"".join(
        f"--{boundary}\r\nContent-Type: application/dicom\r\n\r\n".encode() + data + b"\r\n" for data in files
    )
    path = "/studies" if study_uid is None else f"/studies/{study_uid}"
    return signed_session().post(
        datastore_root(datastore_id) + path,
        data=body + f"--{boundary}--\r\n".encode(),
        headers={"Content-Type": f"multipart/related; boundary={boundary}", "Accept": DICOM_JSON},
    )


def store_one(datastore_id: str, data: bytes) -> Any:
    """POST one bare Part 10 file, as AWS's documented curl example does."""
    return signed_session().post(
        f"{datastore_root(datastore_id)}/studies",
        data=data,
        headers={"Content-Type": "application/dicom", "Accept": DICOM_JSON},
    )


def items(answer: dict[str, Any], tag: str) -> list[dict[str, Any]]:
    return answer.get(tag, {}).get("Value", [])


def value(item: dict[str, Any], tag: str) -> Any:
    """The one value of an element, or None when the element is present and empty."""
    values = item[tag].get("Value")
    return None if values is None else values[0]


def referenced_sops(answer: dict[str, Any]) -> list[str]:
    return [value(item, INSTANCE_UID) for item in items(answer, REFERENCED)]


def instance_url(datastore_id: str, ds: Dataset) -> str:
    return (
        f"{datastore_root(datastore_id)}/studies/{ds.StudyInstanceUID}/series/{ds.SeriesInstanceUID}"
        f"/instances/{ds.SOPInstanceUID}"
    )


def image_sets_of_series(client, datastore_id: str, series_uid: str) -> list[dict[str, Any]]:
    criteria = {"filters": [{"values": [{"DICOMSeriesInstanceUID": series_uid}], "operator": "EQUAL"}]}
    return client.search_image_sets(datastoreId=datastore_id, searchCriteria=criteria)[
        "imageSetsMetadataSummaries"
    ]


def only_image_set_of_series(client, datastore_id: str, series_uid: str) -> dict[str, Any]:
    (found,) = image_sets_of_series(client, datastore_id, series_uid)
    return found


def sop_instances(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        sop: entry
        for series in document["Study"]["Series"].values()
        for sop, entry in series["Instances"].items()
    }


# --- the request forms and the response --------------------------------------------------------------------


def test_a_bare_application_dicom_body_is_stored_and_answered_with_its_reference(
    medical_imaging_client, datastore_id
):
    ds = instance()

    response = store_one(datastore_id, part10_bytes(ds))

    assert response.status_code == 200
    assert response.headers["Content-Type"] == DICOM_JSON
    assert response.json() == {
        RETRIEVE_URL: {"vr": "UR", "Value": [f"{datastore_root(datastore_id)}/studies/{STUDY_UID}"]},
        REFERENCED: {
            "vr": "SQ",
            "Value": [
                {
                    CLASS_UID: {"vr": "UI", "Value": [CT_IMAGE]},
                    INSTANCE_UID: {"vr": "UI", "Value": [ds.SOPInstanceUID]},
                    RETRIEVE_URL: {"vr": "UR", "Value": [instance_url(datastore_id, ds)]},
                }
            ],
        },
    }


def test_dicomweb_client_stores_several_series_in_one_multipart_request(medical_imaging_client, datastore_id):
    """dicomweb-client writes datasets that were never read from a file without the Part 10 preamble: the
    mock stores them all the same."""
    first = [instance(seed=n) for n in range(2)]
    second = [instance(series_uid=f"{SERIES_UID}.2", SeriesNumber=2, seed=5)]

    answer = dicomweb_client_for(datastore_id).store_instances(first + second)

    assert [item.ReferencedSOPInstanceUID for item in answer.ReferencedSOPSequence] == [
        ds.SOPInstanceUID for ds in first + second
    ]
    assert "FailedSOPSequence" not in answer
    for series_uid, sent in ((SERIES_UID, first), (f"{SERIES_UID}.2", second)):
        found = only_image_set_of_series(medical_imaging_client, datastore_id, series_uid)
        document = metadata(medical_imaging_client, datastore_id, found["imageSetId"])
        assert layout(document) == {series_uid: [ds.SOPInstanceUID for ds in sent]}


def test_instances_of_two_studies_are_stored_without_a_study_retrieve_url(
    medical_imaging_client, datastore_id
):
    one, other = instance(), instance(study_uid=f"{STUDY_UID}.2", series_uid=f"{SERIES_UID}.9")

    response = store(datastore_id, [part10_bytes(one), part10_bytes(other)])

    assert response.status_code == 200
    answer = response.json()
    assert RETRIEVE_URL not in answer
    assert [value(item, RETRIEVE_URL) for item in items(answer, REFERENCED)] == [
        instance_url(datastore_id, one),
        instance_url(datastore_id, other),
    ]


class _Unrewindable(io.RawIOBase):
    """A stream that reads once and cannot seek, like a socket or a pipe."""

    def __init__(self, data: bytes):
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        return self._data.readinto(buffer)

    def seekable(self) -> bool:
        return False


BODY_FORMS = {
    "bytes": lambda data: data,
    "chunks from a generator": lambda data: (data[i : i + 1000] for i in range(0, len(data), 1000)),
    "a file": io.BytesIO,
    "a stream that cannot rewind": _Unrewindable,
}


@pytest.mark.parametrize("form", BODY_FORMS)
def test_a_body_is_stored_in_every_form_requests_sends_it(medical_imaging_client, datastore_id, form):
    ds = instance()

    response = signed_session().post(
        f"{datastore_root(datastore_id)}/studies",
        data=BODY_FORMS[form](part10_bytes(ds)),
        headers={"Content-Type": "application/dicom"},
    )

    assert response.status_code == 200, response.text
    assert referenced_sops(response.json()) == [ds.SOPInstanceUID]


def test_dicomweb_client_streams_a_body_over_1_mb_and_it_is_stored(medical_imaging_client, datastore_id):
    large = [  # 512 KiB of pixels each
        make_dataset(
            gray_frames(1, 512, 512, seed=seed), study_uid=STUDY_UID, series_uid=SERIES_UID, **GROUPING
        )
        for seed in range(2)
    ]

    answer = dicomweb_client_for(datastore_id).store_instances(large)

    assert sorted(item.ReferencedSOPInstanceUID for item in answer.ReferencedSOPSequence) == sorted(
        ds.SOPInstanceUID for ds in large
    )


def test_a_file_written_without_preamble_by_pydicom_is_stored(medical_imaging_client, datastore_id):
    ds = instance()
    buffer = io.BytesIO()
    pydicom.dcmwrite(buffer, ds)  # as dicomweb-client writes: file meta first, no preamble, no "DICM"
    assert buffer.getvalue()[128:132] != b"DICM"

    response = store_one(datastore_id, buffer.getvalue())

    assert response.status_code == 200
    assert referenced_sops(response.json()) == [ds.SOPInstanceUID]


# --- import semantics, visible to boto3 at once -----------------------------------------------------------


def test_a_new_series_becomes_a_primary_image_set_that_boto3_reads_at_once(
    medical_imaging_client, datastore_id
):
    ds = instance(seed=3)

    assert store_one(datastore_id, part10_bytes(ds)).status_code == 200

    found = only_image_set_of_series(medical_imaging_client, datastore_id, SERIES_UID)
    assert found["isPrimary"] is True
    assert found["DICOMTags"]["DICOMPatientId"] == "PAT-1"
    properties = image_set(medical_imaging_client, datastore_id, found["imageSetId"])
    assert (properties["versionId"], properties["imageSetState"], properties["imageSetWorkflowStatus"]) == (
        "1",
        "ACTIVE",
        "CREATED",
    )
    document = metadata(medical_imaging_client, datastore_id, found["imageSetId"])
    (frame,) = sop_instances(document)[ds.SOPInstanceUID]["ImageFrames"]
    blob = medical_imaging_client.get_image_frame(
        datastoreId=datastore_id,
        imageSetId=found["imageSetId"],
        imageFrameInformation={"imageFrameId": frame["ID"]},
    )["imageFrameBlob"].read()
    assert (openjpeg.decode(blob) == ds.pixel_array).all()


def test_stored_instances_are_built_as_seeding_and_imports_build_them(
    medical_imaging, medical_imaging_client
):
    """The same file, stored through STOW and seeded (which builds exactly as an import job), gives the same
    metadata document, frame ids aside."""
    stowed, seeded = (
        new_datastore(medical_imaging_client, "stow"),
        new_datastore(medical_imaging_client, "seed"),
    )
    ds = instance(PatientName="Doe^Jane", SliceThickness="2.5", ImageType=["ORIGINAL", "PRIMARY"])
    store_one(stowed, part10_bytes(ds))
    seeded_id = medical_imaging.create_image_set(seeded, [part10_bytes(ds)])

    def content(datastore_id: str, image_set_id: str) -> dict[str, Any]:
        """Patient and Study blocks (series and instances inside), without the frame ids."""
        document = metadata(medical_imaging_client, datastore_id, image_set_id)
        for entry in sop_instances(document).values():
            for frame in entry["ImageFrames"]:
                frame.pop("ID")
        return {"Patient": document["Patient"], "Study": document["Study"]}

    stowed_id = only_image_set_of_series(medical_imaging_client, stowed, SERIES_UID)["imageSetId"]
    assert content(stowed, stowed_id) == content(seeded, seeded_id)


def test_an_instance_sent_again_replaces_its_copy_in_a_new_version_of_the_primary_image_set(
    medical_imaging_client, datastore_id
):
    sop_uid = generate_uid()
    store_one(datastore_id, part10_bytes(instance(sop_uid, ImageComments="first", seed=1)))
    image_set_id = only_image_set_of_series(medical_imaging_client, datastore_id, SERIES_UID)["imageSetId"]
    again = instance(sop_uid, ImageComments="second", seed=2)

    assert store_one(datastore_id, part10_bytes(again)).status_code == 200

    assert (
        only_image_set_of_series(medical_imaging_client, datastore_id, SERIES_UID)["imageSetId"]
        == image_set_id
    )
    properties = image_set(medical_imaging_client, datastore_id, image_set_id)
    assert (properties["versionId"], properties["imageSetState"], properties["imageSetWorkflowStatus"]) == (
        "2",
        "ACTIVE",
        "IMPORTED",
    )
    assert [v["versionId"] for v in versions(medical_imaging_client, datastore_id, image_set_id)] == [
        "2",
        "1",
    ]
    document = metadata(medical_imaging_client, datastore_id, image_set_id)
    assert layout(document) == {SERIES_UID: [sop_uid]}
    entry = sop_instances(document)[sop_uid]
    assert entry["DICOM"]["ImageComments"] == "second"
    blob = medical_imaging_client.get_image_frame(
        datastoreId=datastore_id,
        imageSetId=image_set_id,
        imageFrameInformation={"imageFrameId": entry["ImageFrames"][0]["ID"]},
    )["imageFrameBlob"].read()
    assert (openjpeg.decode(blob) == again.pixel_array).all()


def test_a_new_instance_of_an_agreeing_series_joins_its_primary_image_set(
    medical_imaging_client, datastore_id
):
    first, second = instance(seed=1), instance(seed=2)
    store_one(datastore_id, part10_bytes(first))

    store_one(datastore_id, part10_bytes(second))

    found = only_image_set_of_series(medical_imaging_client, datastore_id, SERIES_UID)
    assert found["version"] == 2
    document = metadata(medical_imaging_client, datastore_id, found["imageSetId"])
    assert layout(document) == {SERIES_UID: [first.SOPInstanceUID, second.SOPInstanceUID]}


def test_an_instance_stored_while_an_update_is_in_flight_keeps_its_version_when_the_update_completes(
    medical_imaging, medical_imaging_client, datastore_id
):
    first, second = instance(seed=1), instance(seed=2)
    store_one(datastore_id, part10_bytes(first))
    image_set_id = only_image_set_of_series(medical_imaging_client, datastore_id, SERIES_UID)["imageSetId"]
    medical_imaging.transitions = "manual"
    change = {"SchemaVersion": "1.1", "Study": {"DICOM": {"StudyDescription": "changed"}}}
    medical_imaging_client.update_image_set_metadata(
        datastoreId=datastore_id,
        imageSetId=image_set_id,
        latestVersionId="1",
        updateImageSetMetadataUpdates={"DICOMUpdates": {"updatableAttributes": json.dumps(change)}},
    )
    store_one(datastore_id, part10_bytes(second))  # joins the primary image set as version 3

    medical_imaging.advance()

    listed = versions(medical_imaging_client, datastore_id, image_set_id)
    assert [(v["versionId"], v["imageSetState"], v["ImageSetWorkflowStatus"]) for v in listed] == [
        ("3", "ACTIVE", "IMPORTED"),
        ("2", "ACTIVE", "UPDATED"),
        ("1", "ACTIVE", "CREATED"),
    ]
    document = metadata(medical_imaging_client, datastore_id, image_set_id)
    assert layout(document) == {SERIES_UID: [first.SOPInstanceUID, second.SOPInstanceUID]}


def test_a_conflicting_instance_lands_in_a_non_primary_image_set(medical_imaging_client, datastore_id):
    first = instance()
    store_one(datastore_id, part10_bytes(first))
    primary_id = only_image_set_of_series(medical_imaging_client, datastore_id, SERIES_UID)["imageSetId"]
    conflicting = instance(PatientID="PAT-2")

    response = store_one(datastore_id, part10_bytes(conflicting))

    assert response.status_code == 200
    found = {
        s["imageSetId"]: s for s in image_sets_of_series(medical_imaging_client, datastore_id, SERIES_UID)
    }
    (other_id,) = set(found) - {primary_id}
    assert (found[primary_id]["isPrimary"], found[primary_id]["version"]) == (True, 1)
    assert found[other_id]["isPrimary"] is False
    assert layout(metadata(medical_imaging_client, datastore_id, primary_id)) == {
        SERIES_UID: [first.SOPInstanceUID]
    }
    other = metadata(medical_imaging_client, datastore_id, other_id)
    assert (layout(other), other["Patient"]["DICOM"]["PatientID"]) == (
        {SERIES_UID: [conflicting.SOPInstanceUID]},
        "PAT-2",
    )
    (item,) = items(response.json(), REFERENCED)
    assert value(item, RETRIEVE_URL) == f"{instance_url(datastore_id, conflicting)}?imageSetId={other_id}"


def test_stored_instances_are_served_back_by_dicomweb_at_once(medical_imaging_client, datastore_id):
    ds = instance(seed=4)
    client = dicomweb_client_for(datastore_id)
    client.store_instances([ds])

    back = client.retrieve_instance(STUDY_UID, SERIES_UID, ds.SOPInstanceUID)

    assert (back.PatientID, back.SOPInstanceUID) == ("PAT-1", ds.SOPInstanceUID)
    assert (back.pixel_array == ds.pixel_array).all()


def test_the_retrieve_url_of_a_non_primary_copy_retrieves_that_copy(medical_imaging_client, datastore_id):
    sop_uid = generate_uid()
    store_one(datastore_id, part10_bytes(instance(sop_uid)))
    response = store_one(datastore_id, part10_bytes(instance(sop_uid, PatientID="PAT-2")))
    (item,) = items(response.json(), REFERENCED)
    session = signed_session()
    accept = {"Accept": "application/dicom; transfer-syntax=*"}

    stored_copy = session.get(value(item, RETRIEVE_URL), headers=accept)
    primary_copy = session.get(value(item, RETRIEVE_URL).split("?")[0], headers=accept)

    assert pydicom.dcmread(io.BytesIO(stored_copy.content)).PatientID == "PAT-2"
    assert pydicom.dcmread(io.BytesIO(primary_copy.content)).PatientID == "PAT-1"


def test_a_sop_instance_sent_twice_in_one_request_keeps_the_last_copy_and_both_are_referenced(
    medical_imaging_client, datastore_id
):
    sop_uid = generate_uid()
    files = [part10_bytes(instance(sop_uid, ImageComments=text)) for text in ("first", "last")]

    response = store(datastore_id, files)

    assert response.status_code == 200
    assert referenced_sops(response.json()) == [sop_uid, sop_uid]
    found = only_image_set_of_series(medical_imaging_client, datastore_id, SERIES_UID)
    document = metadata(medical_imaging_client, datastore_id, found["imageSetId"])
    assert sop_instances(document)[sop_uid]["DICOM"]["ImageComments"] == "last"


# --- failures ----------------------------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore:The value length:UserWarning")  # pydicom: longer than the VR allows
def test_good_and_bad_files_together_answer_202_and_the_good_ones_are_stored(
    medical_imaging_client, datastore_id
):
    good = [instance(seed=1), instance(seed=2)]
    too_long = instance(PatientID="P" * 257)
    no_sop = instance()
    del no_sop.SOPInstanceUID
    files = [
        part10_bytes(good[0]),
        b"not DICOM at all",
        part10_bytes(no_sop),
        part10_bytes(too_long),
        part10_bytes(good[1]),
    ]

    response = store(datastore_id, files)

    assert response.status_code == 202
    answer = response.json()
    assert referenced_sops(answer) == [ds.SOPInstanceUID for ds in good]
    failed = items(answer, FAILED)
    assert [value(item, FAILURE_REASON) for item in failed] == [
        CANNOT_UNDERSTAND,
        DOES_NOT_MATCH_SOP_CLASS,
        DOES_NOT_MATCH_SOP_CLASS,
    ]
    assert [(value(item, INSTANCE_UID), value(item, SOP_INSTANCE_UID)) for item in failed] == [
        (None, None),
        (None, None),
        (too_long.SOPInstanceUID, too_long.SOPInstanceUID),
    ]
    assert CLASS_UID not in failed[0]  # unknown for a file that is not DICOM
    assert value(failed[2], CLASS_UID) == CT_IMAGE
    found = only_image_set_of_series(medical_imaging_client, datastore_id, SERIES_UID)
    assert layout(metadata(medical_imaging_client, datastore_id, found["imageSetId"])) == {
        SERIES_UID: [ds.SOPInstanceUID for ds in good]
    }


@pytest.mark.filterwarnings("ignore:Invalid value for VR:UserWarning")  # pydicom on the malformed files
def test_when_every_file_fails_the_answer_is_409_and_nothing_is_stored(medical_imaging_client, datastore_id):
    """Every file an import job refuses, STOW refuses too, each with its own FailedSOPSequence item."""
    files = [make() for make, _ in INVALID.values()]

    response = store(datastore_id, files)

    assert response.status_code == 409
    answer = response.json()
    assert REFERENCED not in answer
    assert RETRIEVE_URL not in answer
    reasons = [value(item, FAILURE_REASON) for item in items(answer, FAILED)]
    assert len(reasons) == len(files)
    assert set(reasons) <= {CANNOT_UNDERSTAND, DOES_NOT_MATCH_SOP_CLASS}
    assert (
        medical_imaging_client.search_image_sets(datastoreId=datastore_id)["imageSetsMetadataSummaries"] == []
    )


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("not-dicom", CANNOT_UNDERSTAND),
        ("cut-in-file-meta", CANNOT_UNDERSTAND),
        ("truncated-htj2k-pixel-data", CANNOT_UNDERSTAND),
        ("rows-of-one-byte", CANNOT_UNDERSTAND),
        ("no-sop-instance-uid", DOES_NOT_MATCH_SOP_CLASS),
        ("sop-instance-uid-two-values", DOES_NOT_MATCH_SOP_CLASS),
    ],
)
def test_each_kind_of_bad_file_has_its_failure_reason(medical_imaging_client, datastore_id, name, reason):
    make, _ = INVALID[name]

    response = store_one(datastore_id, make())

    assert response.status_code == 409
    (item,) = items(response.json(), FAILED)
    assert value(item, FAILURE_REASON) == reason


def test_a_file_the_mock_fails_on_is_a_processing_failure_and_the_rest_is_stored(
    medical_imaging_client, datastore_id, monkeypatch, caplog
):
    build = imports.build_instance
    defect = instance(seed=9)

    def defective(dataset, source, *args):
        if dataset.SOPInstanceUID == defect.SOPInstanceUID:
            raise RuntimeError("a defect of the mock")
        return build(dataset, source, *args)

    monkeypatch.setattr(imports, "build_instance", defective)
    good = instance(seed=1)

    response = store(datastore_id, [part10_bytes(defect), part10_bytes(good)])

    assert response.status_code == 202
    (item,) = items(response.json(), FAILED)
    assert (value(item, FAILURE_REASON), value(item, SOP_INSTANCE_UID)) == (
        PROCESSING_FAILURE,
        defect.SOPInstanceUID,
    )
    assert referenced_sops(response.json()) == [good.SOPInstanceUID]
    assert "a defect of the mock" in caplog.text  # logged, so the mock's own failure is never silent


# --- StoreDICOMStudy ---------------------------------------------------------------------------------------


def test_store_study_refuses_instances_of_another_study_and_stores_the_rest(
    medical_imaging_client, datastore_id
):
    own = instance()
    foreign = instance(study_uid=f"{STUDY_UID}.2", series_uid=f"{SERIES_UID}.2")

    response = store(datastore_id, [part10_bytes(foreign), part10_bytes(own)], study_uid=STUDY_UID)

    assert response.status_code == 202
    answer = response.json()
    assert value(answer, RETRIEVE_URL) == f"{datastore_root(datastore_id)}/studies/{STUDY_UID}"
    assert referenced_sops(answer) == [own.SOPInstanceUID]
    (item,) = items(answer, FAILED)
    assert (value(item, FAILURE_REASON), value(item, INSTANCE_UID), value(item, CLASS_UID)) == (
        STUDY_MISMATCH,
        foreign.SOPInstanceUID,
        CT_IMAGE,
    )
    assert image_sets_of_series(medical_imaging_client, datastore_id, f"{SERIES_UID}.2") == []
    assert only_image_set_of_series(medical_imaging_client, datastore_id, SERIES_UID)["isPrimary"] is True


def test_store_study_of_only_foreign_instances_answers_409(medical_imaging_client, datastore_id):
    response = store(datastore_id, [part10_bytes(instance())], study_uid=f"{STUDY_UID}.3")

    assert response.status_code == 409
    (item,) = items(response.json(), FAILED)
    assert value(item, FAILURE_REASON) == STUDY_MISMATCH
    assert (
        medical_imaging_client.search_image_sets(datastoreId=datastore_id)["imageSetsMetadataSummaries"] == []
    )


def test_dicomweb_client_stores_into_a_named_study(medical_imaging_client, datastore_id):
    ds = instance()

    answer = dicomweb_client_for(datastore_id).store_instances([ds], study_instance_uid=STUDY_UID)

    assert [item.ReferencedSOPInstanceUID for item in answer.ReferencedSOPSequence] == [ds.SOPInstanceUID]
    assert only_image_set_of_series(medical_imaging_client, datastore_id, SERIES_UID)["isPrimary"] is True


# --- the datastore -----------------------------------------------------------------------------------------


def test_an_unknown_datastore_is_not_found(medical_imaging_client):
    response = store_one("0123456789abcdef0123456789abcdef", part10_bytes(instance()))

    assert response.status_code == 404
    assert response.headers["x-amzn-ErrorType"] == "ResourceNotFoundException"
    assert "0123456789abcdef0123456789abcdef" in response.json()["message"]


def test_a_datastore_not_active_refuses_the_request_and_stores_nothing(
    medical_imaging, medical_imaging_client
):
    medical_imaging.transitions = "manual"
    datastore_id = medical_imaging_client.create_datastore(datastoreName="creating")["datastoreId"]

    response = store_one(datastore_id, part10_bytes(instance()))

    assert response.status_code == 409
    assert response.headers["x-amzn-ErrorType"] == "ConflictException"
    assert "ACTIVE" in response.json()["message"]
    medical_imaging.advance()
    assert (
        medical_imaging_client.get_datastore(datastoreId=datastore_id)["datastoreProperties"][
            "datastoreStatus"
        ]
        == "ACTIVE"
    )
    assert (
        medical_imaging_client.search_image_sets(datastoreId=datastore_id)["imageSetsMetadataSummaries"] == []
    )


def test_a_request_without_instances_is_refused(medical_imaging_client, datastore_id):
    response = store(datastore_id, [])

    assert response.status_code == 400
    assert response.headers["x-amzn-ErrorType"] == "ValidationException"
