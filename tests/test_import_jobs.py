"""StartDICOMImportJob, GetDICOMImportJob and ListDICOMImportJobs through boto3, with moto's S3 as the
input and output: what a job reads, how it groups instances into image sets, what it writes back, and how
it moves from SUBMITTED to COMPLETED or FAILED."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from aws_helpers import (
    INPUT_BUCKET,
    OUTPUT_BUCKET,
    ROLE,
    error_code,
    error_message,
    metadata,
    new_datastore,
    wire_json,
)
from botocore.config import Config
from botocore.exceptions import ClientError
from dicom_factory import gray_frames, make_dataset, part10_bytes
from freezegun import freeze_time
from model_features import needs_import_configuration
from pydicom.dataset import Dataset

from medimaging_mock.domain import imports
from medimaging_mock.domain.metadata.equality import comparable
from medimaging_mock.domain.object_store import ObjectStore

UNKNOWN_ID = "0123456789abcdef0123456789abcdef"
FROZEN = "2026-01-02T03:04:05Z"
MOMENT = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
STUDY_UID = "1.2.826.0.1.3680043.10.1"
SERIES_UID = "1.2.826.0.1.3680043.10.1.1"
GROUPING = {
    "PatientID": "PAT-1",
    "StudyDate": "20240101",
    "AccessionNumber": "ACC-1",
    "StudyID": "STUDY-1",
    "SeriesNumber": 1,
}
MANIFEST = "job-output-manifest.json"
SUCCESS = "SUCCESS/success.ndjson"
FAILURE = "FAILURE/failure.ndjson"
WARNING = "WARNING/warning.ndjson"


@dataclass
class Outputs:
    """A finished job as GetDICOMImportJob reports it, and the files it wrote."""

    job: dict[str, Any]
    summary: dict[str, Any]
    successes: list[dict[str, Any]]
    failures: list[dict[str, Any]]

    def image_set_of(self, key: str) -> str:
        return next(
            line["importResponse"]["imageSetId"] for line in self.successes if line["inputFile"] == key
        )


def body(response: dict) -> dict:
    return {key: value for key, value in response.items() if key != "ResponseMetadata"}


def instance(
    sop_uid: str | None = None, *, series_uid: str = SERIES_UID, seed: int = 0, **elements
) -> Dataset:
    """One small instance of the test study; the grouping elements default to GROUPING."""
    return make_dataset(
        gray_frames(1, 4, 4, seed=seed),
        study_uid=STUDY_UID,
        series_uid=series_uid,
        sop_uid=sop_uid,
        **{**GROUPING, **elements},
    )


def put(s3, files: dict[str, Dataset | bytes], bucket: str = INPUT_BUCKET) -> None:
    for key, content in files.items():
        data = content if isinstance(content, bytes) else part10_bytes(content)
        s3.put_object(Bucket=bucket, Key=key, Body=data)


def start(
    client,
    datastore_id: str,
    input_uri: str = f"s3://{INPUT_BUCKET}/in",
    output_uri: str = f"s3://{OUTPUT_BUCKET}/out",
    **kwargs,
) -> str:
    return client.start_dicom_import_job(
        datastoreId=datastore_id,
        dataAccessRoleArn=ROLE,
        inputS3Uri=input_uri,
        outputS3Uri=output_uri,
        **kwargs,
    )["jobId"]


def job_properties(client, datastore_id: str, job_id: str) -> dict[str, Any]:
    return client.get_dicom_import_job(datastoreId=datastore_id, jobId=job_id)["jobProperties"]


def read(s3, uri: str) -> bytes:
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    return s3.get_object(Bucket=bucket, Key=key)["Body"].read()


def ndjson(data: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in data.decode("utf-8").splitlines() if line.strip()]


def outputs(client, s3, datastore_id: str, job_id: str) -> Outputs:
    job = job_properties(client, datastore_id, job_id)
    folder = job["outputS3Uri"]
    return Outputs(
        job=job,
        summary=json.loads(read(s3, folder + MANIFEST))["jobSummary"],
        successes=ndjson(read(s3, folder + SUCCESS)),
        failures=ndjson(read(s3, folder + FAILURE)),
    )


def run_import(client, s3, datastore_id: str, files: dict[str, Dataset | bytes], **start_args) -> Outputs:
    """Put `files` (keys relative to the input bucket), run one job over s3://input-bucket/in, and read what
    it reports."""
    put(s3, files)
    job_id = start(client, datastore_id, **start_args)
    result = outputs(client, s3, datastore_id, job_id)
    assert result.job["jobStatus"] == "COMPLETED", result.job
    return result


def imported_keys(result: Outputs) -> list[str]:
    return sorted(line["inputFile"] for line in result.successes)


def sop_uids(document: dict) -> list[str]:
    return sorted(sop for series in document["Study"]["Series"].values() for sop in series["Instances"])


# --- StartDICOMImportJob ---------------------------------------------------------------------------------


def test_start_answers_submitted_with_the_submission_time(medical_imaging_client, datastore_id, s3):
    with freeze_time(FROZEN):
        response = medical_imaging_client.start_dicom_import_job(
            datastoreId=datastore_id,
            dataAccessRoleArn=ROLE,
            inputS3Uri=f"s3://{INPUT_BUCKET}/in",
            outputS3Uri=f"s3://{OUTPUT_BUCKET}/out",
        )

    assert body(response) == {
        "datastoreId": datastore_id,
        "jobId": response["jobId"],
        "jobStatus": "SUBMITTED",
        "submittedAt": MOMENT,
    }
    assert len(response["jobId"]) == 32
    assert set(response["jobId"]) <= set("0123456789abcdef")


def test_get_reports_every_property_of_a_finished_job(medical_imaging_client, datastore_id, s3):
    with freeze_time(FROZEN):
        job_id = start(medical_imaging_client, datastore_id, jobName="nightly-import")
        properties = job_properties(medical_imaging_client, datastore_id, job_id)

    assert properties == {
        "jobId": job_id,
        "jobName": "nightly-import",
        "jobStatus": "COMPLETED",
        "datastoreId": datastore_id,
        "dataAccessRoleArn": ROLE,
        "submittedAt": MOMENT,
        "endedAt": MOMENT,
        "inputS3Uri": f"s3://{INPUT_BUCKET}/in/",
        "outputS3Uri": f"s3://{OUTPUT_BUCKET}/out/{datastore_id}-DicomImport-{job_id}/",
    }


def test_start_into_a_creating_datastore_is_a_conflict(medical_imaging, medical_imaging_client, s3):
    medical_imaging.transitions = "manual"
    creating = medical_imaging_client.create_datastore(datastoreName="not-yet")["datastoreId"]

    with pytest.raises(ClientError) as err:
        start(medical_imaging_client, creating)

    assert error_code(err) == "ConflictException"


def test_start_into_an_unknown_datastore_is_resource_not_found(medical_imaging_client, s3):
    with pytest.raises(ClientError) as err:
        start(medical_imaging_client, UNKNOWN_ID)

    assert error_code(err) == "ResourceNotFoundException"


MAPPING = {"studyInstanceUID": "1.2.3", "metadataFilePath": "metadata/study.json"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("dataAccessRoleArn", "arn:aws:iam::1234:role/ImportRole"),
        ("dataAccessRoleArn", "arn:aws:s3:::input-bucket/some/key"),
        ("inputS3Uri", "https://input-bucket/in"),
        ("inputS3Uri", "s3://Input_Bucket/in"),
        ("outputS3Uri", "s3://ab"),
        ("outputS3Uri", "output-bucket/out"),
        ("inputOwnerAccountId", "12345"),
        ("inputOwnerAccountId", "1234567890123"),
        ("inputOwnerAccountId", "12345678901a"),
        ("jobName", "nightly import!"),
        ("jobName", "j" * 65),
        ("jobName", ""),
        ("clientToken", "not a token!"),
        pytest.param(
            "importConfiguration",
            {"dicomJsonMetadataImportConfiguration": {"dicomMetadataMappings": []}},
            marks=needs_import_configuration,
        ),
        pytest.param(
            "importConfiguration",
            {"dicomJsonMetadataImportConfiguration": {"dicomMetadataMappings": [MAPPING] * 1001}},
            marks=needs_import_configuration,
        ),
        pytest.param("importConfiguration", {}, marks=needs_import_configuration),
    ],
    ids=[
        "role-account-not-12-digits",
        "role-arn-not-a-role",
        "input-not-s3",
        "input-bucket-uppercase",
        "output-bucket-too-short",
        "output-without-scheme",
        "owner-account-too-short",
        "owner-account-too-long",
        "owner-account-not-digits",
        "job-name-pattern",
        "job-name-65-chars",
        "job-name-empty",
        "client-token-pattern",
        "no-mappings",
        "1001-mappings",
        "empty-union",
    ],
)
def test_invalid_start_parameter_is_a_validation_exception_naming_it(
    medical_imaging_client, datastore_id, s3, field, value
):
    unchecked = boto3.client(
        "medical-imaging",
        region_name="us-east-1",
        config=Config(parameter_validation=False, retries={"total_max_attempts": 1}),
    )
    request = {
        "datastoreId": datastore_id,
        "dataAccessRoleArn": ROLE,
        "inputS3Uri": f"s3://{INPUT_BUCKET}/in",
        "outputS3Uri": f"s3://{OUTPUT_BUCKET}/out",
        field: value,
    }

    with pytest.raises(ClientError) as err:
        unchecked.start_dicom_import_job(**request)

    assert error_code(err) == "ValidationException"
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert field in error_message(err)
    assert medical_imaging_client.list_dicom_import_jobs(datastoreId=datastore_id)["jobSummaries"] == []


@needs_import_configuration
def test_the_largest_import_configuration_is_accepted(medical_imaging_client, datastore_id, s3):
    configuration = {"dicomJsonMetadataImportConfiguration": {"dicomMetadataMappings": [MAPPING] * 1000}}

    job_id = start(medical_imaging_client, datastore_id, importConfiguration=configuration)

    assert job_properties(medical_imaging_client, datastore_id, job_id)["jobStatus"] == "COMPLETED"


def test_same_client_token_and_parameters_return_the_same_job(medical_imaging_client, datastore_id, s3):
    first = start(medical_imaging_client, datastore_id, jobName="once", clientToken="token-1")
    second = start(medical_imaging_client, datastore_id, jobName="once", clientToken="token-1")

    assert second == first
    summaries = medical_imaging_client.list_dicom_import_jobs(datastoreId=datastore_id)["jobSummaries"]
    assert [summary["jobId"] for summary in summaries] == [first]


@pytest.mark.parametrize(
    "change",
    [
        {"jobName": "other"},
        {"input_uri": f"s3://{INPUT_BUCKET}/elsewhere"},
        {"inputOwnerAccountId": "210987654321"},
    ],
    ids=["job-name", "input-uri", "owner-account"],
)
def test_same_client_token_with_other_parameters_is_a_conflict(
    medical_imaging_client, datastore_id, s3, change
):
    start(medical_imaging_client, datastore_id, jobName="once", clientToken="token-1")

    with pytest.raises(ClientError) as err:
        start(medical_imaging_client, datastore_id, **{"jobName": "once", **change}, clientToken="token-1")

    assert error_code(err) == "ConflictException"


@needs_import_configuration
def test_get_echoes_the_import_configuration(medical_imaging_client, datastore_id, s3):
    configuration = {
        "dicomJsonMetadataImportConfiguration": {
            "dicomMetadataMappings": [
                {
                    "studyInstanceUID": "1.2.3",
                    "seriesInstanceUID": "1.2.3.4",
                    "metadataFilePath": "meta/a.json",
                }
            ]
        }
    }

    job_id = start(medical_imaging_client, datastore_id, importConfiguration=configuration)

    assert (
        job_properties(medical_imaging_client, datastore_id, job_id)["importConfiguration"] == configuration
    )


# --- Reading S3 --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("input_uri", [f"s3://{INPUT_BUCKET}/in", f"s3://{INPUT_BUCKET}/in/"])
def test_every_object_under_the_input_prefix_is_read_nested_folders_included(
    medical_imaging_client, datastore_id, s3, input_uri
):
    files = {
        "in/a.dcm": instance(),
        "in/sub/b.dcm": instance(),
        "in/sub/deeper/c": instance(),
    }

    result = run_import(medical_imaging_client, s3, datastore_id, files, input_uri=input_uri)

    assert imported_keys(result) == sorted(files)
    assert result.summary["numberOfScannedFiles"] == 3


def test_objects_outside_the_input_prefix_are_not_read(medical_imaging_client, datastore_id, s3):
    files = {
        "in/a.dcm": instance(),
        "input2/b.dcm": instance(),  # a sibling prefix that starts with the same text
        "in.dcm": instance(),
        "other/in/c.dcm": instance(),
    }

    result = run_import(medical_imaging_client, s3, datastore_id, files)

    assert imported_keys(result) == ["in/a.dcm"]
    assert result.summary["numberOfScannedFiles"] == 1


def test_an_input_uri_naming_only_the_bucket_reads_the_whole_bucket(medical_imaging_client, datastore_id, s3):
    files = {"a.dcm": instance(), "in/b.dcm": instance()}

    result = run_import(medical_imaging_client, s3, datastore_id, files, input_uri=f"s3://{INPUT_BUCKET}")

    assert imported_keys(result) == ["a.dcm", "in/b.dcm"]
    assert result.job["inputS3Uri"] == f"s3://{INPUT_BUCKET}/"


def test_a_missing_input_bucket_fails_the_job_naming_it(medical_imaging_client, datastore_id, s3):
    job_id = start(medical_imaging_client, datastore_id, input_uri="s3://missing-input/in")

    properties = job_properties(medical_imaging_client, datastore_id, job_id)

    assert properties["jobStatus"] == "FAILED"
    assert "missing-input" in properties["message"]
    assert properties["endedAt"] >= properties["submittedAt"]


def test_a_missing_output_bucket_fails_the_job_naming_it(medical_imaging_client, datastore_id, s3):
    put(s3, {"in/a.dcm": instance()})
    job_id = start(medical_imaging_client, datastore_id, output_uri="s3://missing-output/out")

    properties = job_properties(medical_imaging_client, datastore_id, job_id)

    assert properties["jobStatus"] == "FAILED"
    assert "missing-output" in properties["message"]
    assert properties["endedAt"] >= properties["submittedAt"]


# --- Grouping ----------------------------------------------------------------------------------------------


def test_each_series_becomes_one_primary_image_set(medical_imaging_client, datastore_id, s3):
    other_series = f"{SERIES_UID}.2"
    files = {
        "in/a1.dcm": instance(),
        "in/a2.dcm": instance(),
        "in/b1.dcm": instance(series_uid=other_series),
    }

    result = run_import(medical_imaging_client, s3, datastore_id, files)

    first, second = result.image_set_of("in/a1.dcm"), result.image_set_of("in/b1.dcm")
    assert result.image_set_of("in/a2.dcm") == first
    assert first != second
    assert list(metadata(medical_imaging_client, datastore_id, first)["Study"]["Series"]) == [SERIES_UID]
    assert list(metadata(medical_imaging_client, datastore_id, second)["Study"]["Series"]) == [other_series]
    assert all(line["importResponse"]["isPrimary"] for line in result.successes)
    assert {
        (s["imageSetId"], s["isPrimary"], s["numberOfMatchedSOPInstances"])
        for s in result.summary["imageSetsSummary"]
    } == {(first, True, 2), (second, True, 1)}


def test_reimporting_the_same_instances_replaces_them_in_a_new_version(
    medical_imaging_client, datastore_id, s3
):
    first = run_import(
        medical_imaging_client,
        s3,
        datastore_id,
        {"in/a.dcm": instance("1.2.3.1", InstanceNumber=1), "in/b.dcm": instance("1.2.3.2")},
    )
    image_set_id = first.image_set_of("in/a.dcm")

    second = run_import(
        medical_imaging_client,
        s3,
        datastore_id,
        {"again/a.dcm": instance("1.2.3.1", InstanceNumber=12)},
        input_uri=f"s3://{INPUT_BUCKET}/again",
    )

    assert second.summary["imageSetsSummary"] == [
        {
            "imageSetId": image_set_id,
            "imageSetVersion": 2,
            "isPrimary": True,
            "numberOfMatchedSOPInstances": 1,
        }
    ]
    properties = medical_imaging_client.get_image_set(datastoreId=datastore_id, imageSetId=image_set_id)
    assert properties["versionId"] == "2"
    versions = medical_imaging_client.list_image_set_versions(
        datastoreId=datastore_id, imageSetId=image_set_id
    )
    assert [(v["versionId"], v["ImageSetWorkflowStatus"]) for v in versions["imageSetPropertiesList"]] == [
        ("2", "IMPORTED"),
        ("1", "CREATED"),
    ]
    document = metadata(medical_imaging_client, datastore_id, image_set_id)
    assert sop_uids(document) == ["1.2.3.1", "1.2.3.2"]
    assert document["Study"]["Series"][SERIES_UID]["Instances"]["1.2.3.1"]["DICOM"]["InstanceNumber"] == "12"


def test_a_new_instance_of_an_imported_series_joins_its_primary_image_set(
    medical_imaging_client, datastore_id, s3
):
    first = run_import(medical_imaging_client, s3, datastore_id, {"in/a.dcm": instance("1.2.3.1")})
    image_set_id = first.image_set_of("in/a.dcm")

    second = run_import(
        medical_imaging_client,
        s3,
        datastore_id,
        {"more/b.dcm": instance("1.2.3.2")},
        input_uri=f"s3://{INPUT_BUCKET}/more",
    )

    assert second.image_set_of("more/b.dcm") == image_set_id
    assert second.summary["imageSetsSummary"][0]["imageSetVersion"] == 2
    assert sop_uids(metadata(medical_imaging_client, datastore_id, image_set_id)) == ["1.2.3.1", "1.2.3.2"]


@pytest.mark.parametrize(
    ("keyword", "value"),
    [
        ("PatientID", "PAT-2"),
        ("StudyDate", "20240102"),
        ("AccessionNumber", "ACC-2"),
        ("StudyID", "STUDY-2"),
        ("SeriesNumber", 2),
    ],
)
def test_an_instance_conflicting_with_the_primary_becomes_a_non_primary_image_set(
    medical_imaging_client, datastore_id, s3, keyword, value
):
    first = run_import(medical_imaging_client, s3, datastore_id, {"in/a.dcm": instance("1.2.3.1")})
    primary = first.image_set_of("in/a.dcm")

    second = run_import(
        medical_imaging_client,
        s3,
        datastore_id,
        {"more/b.dcm": instance("1.2.3.2", **{keyword: value})},
        input_uri=f"s3://{INPUT_BUCKET}/more",
    )

    other = second.image_set_of("more/b.dcm")
    assert other != primary
    assert second.successes[0]["importResponse"] == {"imageSetId": other, "isPrimary": False}
    assert second.summary["imageSetsSummary"] == [
        {"imageSetId": other, "imageSetVersion": 1, "isPrimary": False, "numberOfMatchedSOPInstances": 1}
    ]
    assert (
        medical_imaging_client.get_image_set(datastoreId=datastore_id, imageSetId=other)["isPrimary"] is False
    )
    primary_now = medical_imaging_client.get_image_set(datastoreId=datastore_id, imageSetId=primary)
    assert (primary_now["versionId"], primary_now["isPrimary"]) == ("1", True)


def test_conflicting_instances_of_one_series_in_one_job_make_a_primary_and_a_non_primary(
    medical_imaging_client, datastore_id, s3
):
    files = {"in/a.dcm": instance("1.2.3.1"), "in/b.dcm": instance("1.2.3.2", PatientID="PAT-2")}

    result = run_import(medical_imaging_client, s3, datastore_id, files)

    flags = sorted(s["isPrimary"] for s in result.summary["imageSetsSummary"])
    assert flags == [False, True]
    assert result.image_set_of("in/a.dcm") != result.image_set_of("in/b.dcm")


def test_an_instance_of_the_second_series_of_a_primary_image_set_joins_it(
    medical_imaging, medical_imaging_client, datastore_id, s3
):
    second_series = f"{SERIES_UID}.2"
    image_set_id = medical_imaging.create_image_set(
        datastore_id, [instance("1.2.3.1"), instance("1.2.3.2", series_uid=second_series, SeriesNumber=2)]
    )

    result = run_import(
        medical_imaging_client,
        s3,
        datastore_id,
        {"in/c.dcm": instance("1.2.3.3", series_uid=second_series, SeriesNumber=2)},
    )

    assert result.successes[0]["importResponse"] == {"imageSetId": image_set_id, "isPrimary": True}
    assert result.summary["imageSetsSummary"][0]["imageSetVersion"] == 2
    layout = metadata(medical_imaging_client, datastore_id, image_set_id)["Study"]["Series"]
    assert {uid: sorted(series["Instances"]) for uid, series in layout.items()} == {
        SERIES_UID: ["1.2.3.1"],
        second_series: ["1.2.3.2", "1.2.3.3"],
    }


def test_an_instance_seeded_from_a_dataset_and_reimported_from_its_file_joins_its_image_set(
    medical_imaging, medical_imaging_client, datastore_id, s3
):
    dataset = instance("1.2.3.1")
    image_set_id = medical_imaging.create_image_set(datastore_id, [dataset])
    seeded = metadata(medical_imaging_client, datastore_id, image_set_id)["Study"]["Series"][SERIES_UID]

    result = run_import(medical_imaging_client, s3, datastore_id, {"in/a.dcm": part10_bytes(dataset)})

    assert seeded["DICOM"]["SeriesNumber"] == "1"  # the file holds "1 ": IS is padded to even length
    assert result.successes[0]["importResponse"] == {"imageSetId": image_set_id, "isPrimary": True}
    assert result.summary["imageSetsSummary"][0]["imageSetVersion"] == 2


@pytest.mark.parametrize(
    ("keyword", "value"),
    [("SeriesNumber", "01"), ("SeriesNumber", "+1"), ("PatientID", " PAT-1"), ("StudyID", "STUDY-1 ")],
    ids=["is-leading-zero", "is-plus-sign", "lo-leading-space", "sh-trailing-space"],
)
def test_grouping_elements_agree_as_dicom_values_not_as_text(
    medical_imaging, medical_imaging_client, datastore_id, s3, keyword, value
):
    image_set_id = medical_imaging.create_image_set(datastore_id, [instance("1.2.3.1")])

    result = run_import(
        medical_imaging_client, s3, datastore_id, {"in/b.dcm": instance("1.2.3.2", **{keyword: value})}
    )

    assert result.successes[0]["importResponse"] == {"imageSetId": image_set_id, "isPrimary": True}


def test_instances_of_one_job_whose_values_differ_only_in_padding_form_one_group(
    medical_imaging_client, datastore_id, s3
):
    files = {
        "in/a.dcm": instance("1.2.3.1", SeriesNumber="1"),
        "in/b.dcm": instance("1.2.3.2", SeriesNumber="01"),
    }

    result = run_import(medical_imaging_client, s3, datastore_id, files)

    assert result.summary["imageSetsSummary"] == [
        {
            "imageSetId": result.image_set_of("in/a.dcm"),
            "imageSetVersion": 1,
            "isPrimary": True,
            "numberOfMatchedSOPInstances": 2,
        }
    ]


@pytest.mark.parametrize(
    ("keyword", "left", "right", "same"),
    [
        ("SeriesNumber", "1 ", "1", True),
        ("SeriesNumber", " 7", ["7"], True),
        ("SeriesNumber", "1", "2", False),
        ("SliceThickness", "2.50 ", "2.5", True),
        ("SliceThickness", "2.5", "2.6", False),
        ("PixelSpacing", ["0.5", "0.50 "], [".5", "5E-1"], True),
        ("PatientName", "Doe^John^^ ", "Doe^John", True),
        ("PatientName", "Doe^John", "Doe^Jane", False),
        ("PatientID", " PAT-1 ", "PAT-1", True),
        ("PatientID", "PAT-1", "pat-1", False),
        ("StudyDescription", "Head ", "Head", True),
        ("StudyComments", " Head", "Head", False),
        ("StudyDate", None, "", True),
        ("StudyDate", "   ", None, True),
        ("Rows", 512, 512.0, True),
        ("00091001", "a ", "a", False),
    ],
)
def test_values_compare_by_their_vr(keyword, left, right, same):
    assert (comparable(keyword, left) == comparable(keyword, right)) is same


@pytest.mark.filterwarnings("ignore:The value length:UserWarning")  # pydicom: longer than the VR allows
@pytest.mark.parametrize(
    ("keyword", "value"),
    [("PatientID", "P" * 257), ("PatientSex", "M" * 17)],
    ids=["PatientID-257", "PatientSex-17"],
)
def test_an_element_over_its_length_limit_fails_the_file_and_the_rest_imports(
    medical_imaging_client, datastore_id, s3, keyword, value
):
    files = {"in/good.dcm": instance(), "in/long.dcm": instance(**{keyword: value})}

    result = run_import(medical_imaging_client, s3, datastore_id, files)

    assert imported_keys(result) == ["in/good.dcm"]
    assert [line["inputFile"] for line in result.failures] == ["in/long.dcm"]
    exception = result.failures[0]["exception"]
    assert exception["exceptionType"] == "ValidationException"
    assert keyword in exception["message"]


@pytest.mark.filterwarnings("ignore:The value length:UserWarning")
def test_elements_at_their_length_limit_import(medical_imaging_client, datastore_id, s3):
    files = {"in/a.dcm": instance(PatientID="P" * 256, PatientSex="M" * 16)}

    result = run_import(medical_imaging_client, s3, datastore_id, files)

    assert imported_keys(result) == ["in/a.dcm"]
    assert result.failures == []


def test_a_file_the_mock_fails_on_is_a_server_error_counted_apart_from_customer_errors(
    medical_imaging_client, datastore_id, s3, monkeypatch
):
    build = imports.build_instance

    def defective(dataset, source, *args):
        if source == "in/defect.dcm":
            raise RuntimeError("a defect of the mock")
        return build(dataset, source, *args)

    monkeypatch.setattr(imports, "build_instance", defective)
    files = {"in/good.dcm": instance(), "in/defect.dcm": instance(), "in/notes.txt": b"not DICOM"}

    result = run_import(medical_imaging_client, s3, datastore_id, files)

    assert imported_keys(result) == ["in/good.dcm"]
    assert {line["inputFile"]: line["exception"]["exceptionType"] for line in result.failures} == {
        "in/defect.dcm": "InternalServerException",
        "in/notes.txt": "ValidationException",
    }
    counts = ("numberOfImportedFiles", "numberOfFilesWithCustomerError", "numberOfFilesWithServerError")
    assert [result.summary[name] for name in counts] == [1, 1, 1]


def test_an_object_gone_since_it_was_listed_is_a_customer_error_naming_it(
    medical_imaging_client, datastore_id, s3, monkeypatch
):
    listed = ObjectStore.keys
    monkeypatch.setattr(ObjectStore, "keys", lambda store, *args: [*listed(store, *args), "in/gone.dcm"])

    result = run_import(medical_imaging_client, s3, datastore_id, {"in/a.dcm": instance()})

    assert imported_keys(result) == ["in/a.dcm"]
    (failure,) = result.failures
    assert failure["inputFile"] == "in/gone.dcm"
    assert failure["exception"]["exceptionType"] == "ValidationException"
    assert f"s3://{INPUT_BUCKET}/in/gone.dcm" in failure["exception"]["message"]


def test_every_scanned_file_is_reported_even_when_two_carry_the_same_sop_instance(
    medical_imaging_client, datastore_id, s3
):
    files = {"in/a.dcm": instance("1.2.3.1"), "in/copy-of-a.dcm": instance("1.2.3.1")}

    result = run_import(medical_imaging_client, s3, datastore_id, files)

    reported = sorted(line["inputFile"] for line in result.successes + result.failures)
    assert reported == ["in/a.dcm", "in/copy-of-a.dcm"]
    summary = result.summary
    assert summary["numberOfScannedFiles"] == (
        summary["numberOfImportedFiles"]
        + summary["numberOfFilesWithCustomerError"]
        + summary["numberOfFilesWithServerError"]
    )


# --- Outputs -----------------------------------------------------------------------------------------------


def test_outputs_are_written_in_the_job_folder(medical_imaging_client, datastore_id, s3):
    put(s3, {"in/a.dcm": instance()})
    job_id = start(medical_imaging_client, datastore_id)
    job_properties(medical_imaging_client, datastore_id, job_id)

    keys = [item["Key"] for item in s3.list_objects_v2(Bucket=OUTPUT_BUCKET)["Contents"]]

    folder = f"out/{datastore_id}-DicomImport-{job_id}/"
    assert sorted(keys) == [folder + FAILURE, folder + SUCCESS, folder + WARNING, folder + MANIFEST]


def test_the_warning_file_is_empty_as_the_mock_finds_nothing_to_warn_of(
    medical_imaging_client, datastore_id, s3
):
    result = mixed_job(medical_imaging_client, s3, datastore_id)

    assert read(s3, result.summary["warningsOutputS3Uri"] + "warning.ndjson") == b""


@pytest.mark.parametrize(
    ("input_uri", "output_uri"),
    [
        (f"s3://{INPUT_BUCKET}/in", f"s3://{OUTPUT_BUCKET}/out"),
        (f"s3://{INPUT_BUCKET}/in/", f"s3://{OUTPUT_BUCKET}/out/"),
    ],
    ids=["without-slashes", "with-slashes"],
)
def test_get_reports_the_job_folder_and_the_input_prefix_with_trailing_slashes(
    medical_imaging_client, datastore_id, s3, input_uri, output_uri
):
    job_id = start(medical_imaging_client, datastore_id, input_uri=input_uri, output_uri=output_uri)

    properties = job_properties(medical_imaging_client, datastore_id, job_id)

    assert properties["inputS3Uri"] == f"s3://{INPUT_BUCKET}/in/"
    assert properties["outputS3Uri"] == f"s3://{OUTPUT_BUCKET}/out/{datastore_id}-DicomImport-{job_id}/"


def mixed_job(client, s3, datastore_id: str) -> Outputs:
    """Two series (two instances and one), a text file and a DICOM file without SOPInstanceUID."""
    no_sop = instance()
    del no_sop.SOPInstanceUID
    files = {
        "in/a1.dcm": instance(),
        "in/a2.dcm": instance(),
        "in/b1.dcm": instance(series_uid=f"{SERIES_UID}.2"),
        "in/notes.txt": b"not a DICOM file\n",
        "in/no-sop.dcm": no_sop,
    }
    return run_import(client, s3, datastore_id, files)


def test_manifest_reports_the_job_with_the_documented_fields(medical_imaging_client, datastore_id, s3):
    result = mixed_job(medical_imaging_client, s3, datastore_id)

    folder = result.job["outputS3Uri"]
    expected = {
        "jobId": result.job["jobId"],
        "datastoreId": datastore_id,
        "inputS3Uri": f"s3://{INPUT_BUCKET}/in/",
        "outputS3Uri": folder,
        "successOutputS3Uri": folder + "SUCCESS/",
        "failureOutputS3Uri": folder + "FAILURE/",
        "warningsOutputS3Uri": folder + "WARNING/",
        "numberOfScannedFiles": 5,
        "numberOfImportedFiles": 3,
        "numberOfFilesWithCustomerError": 2,
        "numberOfFilesWithServerError": 0,
        "numberOfGeneratedImageSets": 2,
    }
    assert {key: result.summary.get(key) for key in expected} == expected
    image_sets = result.summary["imageSetsSummary"]
    assert sorted(image_sets, key=lambda s: s["numberOfMatchedSOPInstances"]) == [
        {
            "imageSetId": result.image_set_of("in/b1.dcm"),
            "imageSetVersion": 1,
            "isPrimary": True,
            "numberOfMatchedSOPInstances": 1,
        },
        {
            "imageSetId": result.image_set_of("in/a1.dcm"),
            "imageSetVersion": 1,
            "isPrimary": True,
            "numberOfMatchedSOPInstances": 2,
        },
    ]


def test_manifest_counts_add_up(medical_imaging_client, datastore_id, s3):
    summary = mixed_job(medical_imaging_client, s3, datastore_id).summary

    assert summary["numberOfScannedFiles"] == (
        summary["numberOfImportedFiles"]
        + summary["numberOfFilesWithCustomerError"]
        + summary["numberOfFilesWithServerError"]
    )
    matched = sum(s["numberOfMatchedSOPInstances"] for s in summary["imageSetsSummary"])
    assert matched == summary["numberOfImportedFiles"]
    assert summary["numberOfGeneratedImageSets"] == len(
        {s["imageSetId"] for s in summary["imageSetsSummary"]}
    )


def test_success_lines_name_each_imported_file_and_its_image_set(medical_imaging_client, datastore_id, s3):
    result = mixed_job(medical_imaging_client, s3, datastore_id)

    first, second = result.image_set_of("in/a1.dcm"), result.image_set_of("in/b1.dcm")
    assert sorted(result.successes, key=lambda line: line["inputFile"]) == [
        {"inputFile": "in/a1.dcm", "importResponse": {"imageSetId": first, "isPrimary": True}},
        {"inputFile": "in/a2.dcm", "importResponse": {"imageSetId": first, "isPrimary": True}},
        {"inputFile": "in/b1.dcm", "importResponse": {"imageSetId": second, "isPrimary": True}},
    ]


def test_failure_lines_name_each_failed_file_and_why(medical_imaging_client, datastore_id, s3):
    result = mixed_job(medical_imaging_client, s3, datastore_id)

    failures = sorted(result.failures, key=lambda line: line["inputFile"])
    assert [line["inputFile"] for line in failures] == ["in/no-sop.dcm", "in/notes.txt"]
    assert all(set(line) == {"inputFile", "exception"} for line in failures)
    assert all(line["exception"]["exceptionType"] == "ValidationException" for line in failures)
    assert "SOPInstanceUID" in failures[0]["exception"]["message"]
    assert "DICOM" in failures[1]["exception"]["message"]


def test_every_reported_uri_ends_with_a_slash(medical_imaging_client, datastore_id, s3):
    result = mixed_job(medical_imaging_client, s3, datastore_id)

    uris = [result.job["inputS3Uri"], result.job["outputS3Uri"]]
    uris += [result.summary[name] for name in ("inputS3Uri", "outputS3Uri")]
    uris += [
        result.summary[name] for name in ("successOutputS3Uri", "failureOutputS3Uri", "warningsOutputS3Uri")
    ]
    assert all(uri.endswith("/") for uri in uris), uris
    assert read(s3, result.summary["successOutputS3Uri"] + "success.ndjson")
    assert read(s3, result.summary["failureOutputS3Uri"] + "failure.ndjson")


# --- Lifecycle and listing ---------------------------------------------------------------------------------


def status(client, datastore_id: str, job_id: str) -> str:
    return job_properties(client, datastore_id, job_id)["jobStatus"]


def test_manual_transitions_hold_a_job_in_progress_until_advance(
    medical_imaging, medical_imaging_client, datastore_id, s3
):
    put(s3, {"in/a.dcm": instance()})
    medical_imaging.transitions = "manual"
    job_id = start(medical_imaging_client, datastore_id)

    in_progress = job_properties(medical_imaging_client, datastore_id, job_id)
    still = status(medical_imaging_client, datastore_id, job_id)
    medical_imaging.advance()
    done = job_properties(medical_imaging_client, datastore_id, job_id)

    assert (in_progress["jobStatus"], still) == ("IN_PROGRESS", "IN_PROGRESS")
    assert "endedAt" not in in_progress
    assert done["jobStatus"] == "COMPLETED"
    assert "endedAt" in done


def test_nothing_is_imported_before_the_job_completes(
    medical_imaging, medical_imaging_client, datastore_id, s3
):
    put(s3, {"in/a.dcm": instance()})
    medical_imaging.transitions = "manual"
    start(medical_imaging_client, datastore_id)

    before = medical_imaging_client.search_image_sets(datastoreId=datastore_id)["imageSetsMetadataSummaries"]
    medical_imaging.advance()
    after = medical_imaging_client.search_image_sets(datastoreId=datastore_id)["imageSetsMetadataSummaries"]

    assert (len(before), len(after)) == (0, 1)


def test_a_timed_job_completes_once_the_clock_passes_its_delay(
    medical_imaging, medical_imaging_client, datastore_id, s3
):
    with freeze_time(FROZEN) as frozen:
        medical_imaging.transitions = 30
        job_id = start(medical_imaging_client, datastore_id)
        first = status(medical_imaging_client, datastore_id, job_id)
        frozen.tick(29)
        before = status(medical_imaging_client, datastore_id, job_id)
        frozen.tick(1)
        done = job_properties(medical_imaging_client, datastore_id, job_id)

    assert (first, before) == ("IN_PROGRESS", "IN_PROGRESS")
    assert done["jobStatus"] == "COMPLETED"
    assert done["submittedAt"] == MOMENT
    assert done["endedAt"] == done["submittedAt"] + timedelta(seconds=30)


def listed(client, datastore_id: str, **kwargs) -> list[str]:
    return [
        s["jobId"] for s in client.list_dicom_import_jobs(datastoreId=datastore_id, **kwargs)["jobSummaries"]
    ]


def test_list_filters_by_job_status(medical_imaging, medical_imaging_client, datastore_id, s3):
    medical_imaging.transitions = "manual"
    completed = start(medical_imaging_client, datastore_id)
    failed = start(medical_imaging_client, datastore_id, input_uri="s3://missing-input/in")
    medical_imaging.advance()
    running = start(medical_imaging_client, datastore_id)

    assert listed(medical_imaging_client, datastore_id, jobStatus="COMPLETED") == [completed]
    assert listed(medical_imaging_client, datastore_id, jobStatus="FAILED") == [failed]
    assert listed(medical_imaging_client, datastore_id, jobStatus="IN_PROGRESS") == [running]
    assert listed(medical_imaging_client, datastore_id, jobStatus="SUBMITTED") == []
    assert sorted(listed(medical_imaging_client, datastore_id)) == sorted([completed, failed, running])


def test_list_pages_through_every_job_exactly_once(medical_imaging_client, datastore_id, s3):
    job_ids = [start(medical_imaging_client, datastore_id, jobName=f"job-{n}") for n in range(5)]

    paginator = medical_imaging_client.get_paginator("list_dicom_import_jobs")
    pages = list(paginator.paginate(datastoreId=datastore_id, PaginationConfig={"PageSize": 2}))

    assert [len(page["jobSummaries"]) for page in pages] == [2, 2, 1]
    seen = [summary["jobId"] for page in pages for summary in page["jobSummaries"]]
    assert sorted(seen) == sorted(job_ids)


def test_a_page_token_reused_with_another_job_status_is_a_validation_exception(
    medical_imaging_client, datastore_id, s3
):
    for _ in range(3):
        start(medical_imaging_client, datastore_id)
    token = medical_imaging_client.list_dicom_import_jobs(datastoreId=datastore_id, maxResults=2)["nextToken"]

    with pytest.raises(ClientError) as err:
        medical_imaging_client.list_dicom_import_jobs(
            datastoreId=datastore_id, maxResults=2, nextToken=token, jobStatus="COMPLETED"
        )

    assert error_code(err) == "ValidationException"


@needs_import_configuration
def test_list_summaries_carry_no_s3_uris(medical_imaging_client, datastore_id, s3):
    configuration = {"dicomJsonMetadataImportConfiguration": {"dicomMetadataMappings": [MAPPING]}}
    with freeze_time(FROZEN):
        job_id = start(
            medical_imaging_client, datastore_id, jobName="nightly", importConfiguration=configuration
        )
        summaries = medical_imaging_client.list_dicom_import_jobs(datastoreId=datastore_id)["jobSummaries"]
        sent = wire_json(medical_imaging_client, "list_dicom_import_jobs", datastoreId=datastore_id)

    assert summaries == [
        {
            "jobId": job_id,
            "jobName": "nightly",
            "jobStatus": "COMPLETED",
            "datastoreId": datastore_id,
            "dataAccessRoleArn": ROLE,
            "submittedAt": MOMENT,
            "endedAt": MOMENT,
        }
    ]
    # the parser drops members the summary shape lacks, so only the wire shows they were never sent
    assert set(sent["jobSummaries"][0]) == {
        "jobId",
        "jobName",
        "jobStatus",
        "datastoreId",
        "dataAccessRoleArn",
        "submittedAt",
        "endedAt",
    }


def test_list_of_an_unknown_datastore_is_resource_not_found(medical_imaging_client):
    with pytest.raises(ClientError) as err:
        medical_imaging_client.list_dicom_import_jobs(datastoreId=UNKNOWN_ID)

    assert error_code(err) == "ResourceNotFoundException"


def test_get_with_a_job_of_another_datastore_is_resource_not_found(medical_imaging_client, datastore_id, s3):
    other = new_datastore(medical_imaging_client, "other")
    job_id = start(medical_imaging_client, datastore_id)

    with pytest.raises(ClientError) as err:
        medical_imaging_client.get_dicom_import_job(datastoreId=other, jobId=job_id)

    assert error_code(err) == "ResourceNotFoundException"


def test_get_with_an_unknown_job_is_resource_not_found(medical_imaging_client, datastore_id):
    with pytest.raises(ClientError) as err:
        medical_imaging_client.get_dicom_import_job(datastoreId=datastore_id, jobId=UNKNOWN_ID)

    assert error_code(err) == "ResourceNotFoundException"
