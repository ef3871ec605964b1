"""`python -m medimaging_mock demo`: the mocked service end to end, as a user's test would drive it."""

from __future__ import annotations

import gzip
import io
import json
import uuid
import zlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import boto3
import imagecodecs
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest

from medimaging_mock import mock_medical_imaging
from medimaging_mock.samples import generated_study

if TYPE_CHECKING:
    from types_boto3_medical_imaging import HealthImagingClient
    from types_boto3_medical_imaging.type_defs import (
        DICOMUpdatesTypeDef,
        SearchCriteriaTypeDef,
        UpdateImageSetMetadataResponseTypeDef,
    )


def _step(text: str) -> None:
    print(f"\n== {text}")


def _token() -> str:
    """A client token of our own, as callers that retry pass one (botocore fills one in otherwise)."""
    return uuid.uuid4().hex


def _metadata(client: HealthImagingClient, datastore_id: str, image_set_id: str) -> dict[str, Any]:
    response = client.get_image_set_metadata(datastoreId=datastore_id, imageSetId=image_set_id)
    document: dict[str, Any] = json.loads(gzip.decompress(response["imageSetMetadataBlob"].read()))
    return document


def _patient_name(client: HealthImagingClient, datastore_id: str, image_set_id: str) -> str:
    name: str = _metadata(client, datastore_id, image_set_id)["Patient"]["DICOM"]["PatientName"]
    return name


class _SigV4(requests.auth.AuthBase):
    """DICOMweb requests signed as AWS's samples sign them: botocore's SigV4 for `medical-imaging`."""

    def __init__(self, region: str) -> None:
        credentials = boto3.Session().get_credentials()
        if credentials is None:
            raise RuntimeError("DICOMweb requests are signed: configure AWS credentials (any value)")
        self.credentials = credentials
        self.region = region

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        signed = {name: value for name, value in request.headers.items() if name.lower() in _SIGNED}
        body = request.body if isinstance(request.body, bytes | str) else None
        aws_request = AWSRequest(method=request.method, url=request.url, data=body, headers=signed)
        SigV4Auth(self.credentials, "medical-imaging", self.region).add_auth(aws_request)
        request.headers.update(dict(aws_request.headers.items()))
        return request


_SIGNED = ("accept", "content-type")


def _single_part(body: bytes, content_type: str) -> bytes:
    """The one part of a multipart/related answer (a client library would do this)."""
    boundary = content_type.split("boundary=")[1].split(";")[0].strip('"')
    part = body.split(b"--" + boundary.encode())[1]
    return part.split(b"\r\n\r\n", 1)[1].removesuffix(b"\r\n")


def _state(properties: Mapping[str, object]) -> str:
    return f"{properties['imageSetState']} / {properties['imageSetWorkflowStatus']}"


def _update(
    client: HealthImagingClient,
    datastore_id: str,
    image_set_id: str,
    version: str,
    dicom_updates: DICOMUpdatesTypeDef,
    force: bool = False,
) -> UpdateImageSetMetadataResponseTypeDef:
    return client.update_image_set_metadata(
        datastoreId=datastore_id,
        imageSetId=image_set_id,
        latestVersionId=version,
        updateImageSetMetadataUpdates={"DICOMUpdates": dicom_updates},
        force=force,
    )


def run() -> None:
    with mock_medical_imaging() as mi:
        client = boto3.client("medical-imaging", region_name="us-east-1")

        _step("CreateDatastore (asynchronous: CREATING in the response)")
        created = client.create_datastore(
            datastoreName="demo-datastore", tags={"project": "demo"}, clientToken=_token()
        )
        datastore_id = created["datastoreId"]
        print(f"datastoreId={datastore_id} datastoreStatus={created['datastoreStatus']}")

        _step("GetDatastore (the default 'immediate' transitions have completed it)")
        properties = client.get_datastore(datastoreId=datastore_id)["datastoreProperties"]
        for key in ("datastoreName", "datastoreStatus", "datastoreArn", "losslessStorageFormat", "createdAt"):
            print(f"{key}: {properties[key]}")

        _step("ListDatastores, two per page, through boto3's paginator")
        client.create_datastore(datastoreName="second", clientToken=_token())
        client.create_datastore(datastoreName="third", clientToken=_token())
        pages = client.get_paginator("list_datastores").paginate(PaginationConfig={"PageSize": 2})
        for number, page in enumerate(pages, 1):
            print(f"page {number}: {[s['datastoreName'] for s in page['datastoreSummaries']]}")

        _step("TagResource / UntagResource / ListTagsForResource")
        arn = properties["datastoreArn"]
        client.tag_resource(resourceArn=arn, tags={"owner": "radiology", "stage": "test"})
        client.untag_resource(resourceArn=arn, tagKeys=["stage"])
        print(client.list_tags_for_resource(resourceArn=arn)["tags"])

        _step("Errors answer like the service")
        try:
            client.list_datastores(maxResults=51)
        except client.exceptions.ValidationException as error:
            print(f"{error.response['Error']['Code']}: {error.response['Error']['Message']}")

        _step("A seeded image set: mi.create_image_set builds it exactly as an import would")
        image_set_id = mi.create_image_set(datastore_id, generated_study(series=2, instances_per_series=2))
        image_set = client.get_image_set(datastoreId=datastore_id, imageSetId=image_set_id)
        print(
            f"imageSetId={image_set_id} versionId={image_set['versionId']} state={image_set['imageSetState']}"
        )
        print(f"workflow={image_set['imageSetWorkflowStatus']} isPrimary={image_set['isPrimary']}")
        versions = client.list_image_set_versions(datastoreId=datastore_id, imageSetId=image_set_id)
        for version in versions["imageSetPropertiesList"]:
            print(f"version {version['versionId']}: {version['ImageSetWorkflowStatus']}")

        _step("GetImageSetMetadata: gzip-compressed JSON, as the service sends it")
        response = client.get_image_set_metadata(datastoreId=datastore_id, imageSetId=image_set_id)
        print(f"contentType={response['contentType']} contentEncoding={response['contentEncoding']}")
        document = json.loads(gzip.decompress(response["imageSetMetadataBlob"].read()))
        print(f"Patient: {document['Patient']['DICOM']}")
        print(f"Study: {document['Study']['DICOM']['StudyInstanceUID']}")
        for series_uid, series in document["Study"]["Series"].items():
            print(f"  Series {series_uid}: {len(series['Instances'])} instances")
            for sop_uid, instance in series["Instances"].items():
                frame = instance["ImageFrames"][0]
                checksum = frame["PixelDataChecksumFromBaseToFullResolution"][-1]["Checksum"]
                print(f"    {sop_uid}: frame {frame['ID']} checksum {checksum}")

        _step("UpdateImageSetMetadata: a new version, LOCKED / UPDATING in the response")
        series_uid = next(iter(document["Study"]["Series"]))
        change = {"SchemaVersion": "1.1", "Study": {"DICOM": {"StudyDescription": "CT CHEST WITH CONTRAST"}}}
        updated = _update(
            client, datastore_id, image_set_id, "1", {"updatableAttributes": json.dumps(change)}
        )
        print(f"latestVersionId={updated['latestVersionId']} {_state(updated)}")
        study = _metadata(client, datastore_id, image_set_id)["Study"]["DICOM"]
        print(f"StudyDescription now: {study['StudyDescription']}")

        _step("Primary image sets keep their Patient level: copy to a non-primary one, then change that")
        try:
            patient = {"SchemaVersion": "1.1", "Patient": {"DICOM": {"PatientName": "RENAMED^PATIENT"}}}
            _update(client, datastore_id, image_set_id, "2", {"updatableAttributes": json.dumps(patient)})
        except client.exceptions.ValidationException as error:
            print(f"ValidationException: {error.response['Error']['Message']}")
        copied = client.copy_image_set(
            datastoreId=datastore_id,
            sourceImageSetId=image_set_id,
            copyImageSetInformation={"sourceImageSet": {"latestVersionId": "2"}},
        )
        source, destination = copied["sourceImageSetProperties"], copied["destinationImageSetProperties"]
        print(f"source {_state(source)} at version {source['latestVersionId']}")
        print(f"copy {destination['imageSetId']} {_state(destination)}")
        copy_id = destination["imageSetId"]
        _update(client, datastore_id, copy_id, "1", {"updatableAttributes": json.dumps(patient)})
        print(f"copy's PatientName: {_patient_name(client, datastore_id, copy_id)}")

        _step("force: changing a UID needs it; the forced version says so in overrides")
        new_series_uid = series_uid + ".1"
        moved = {
            "SchemaVersion": "1.1",
            "Study": {"Series": {series_uid: {"DICOM": {"SeriesInstanceUID": new_series_uid}}}},
        }
        try:
            _update(client, datastore_id, copy_id, "2", {"updatableAttributes": json.dumps(moved)})
        except client.exceptions.ValidationException as error:
            print(f"without force: {error.response['Error']['Message']}")
        _update(client, datastore_id, copy_id, "2", {"updatableAttributes": json.dumps(moved)}, force=True)
        print(f"series keys now: {list(_metadata(client, datastore_id, copy_id)['Study']['Series'])}")

        _step("Revert to version 1, then list every version")
        client.update_image_set_metadata(
            datastoreId=datastore_id,
            imageSetId=copy_id,
            latestVersionId="3",
            updateImageSetMetadataUpdates={"revertToVersionId": "1"},
        )
        print(f"PatientName after revert: {_patient_name(client, datastore_id, copy_id)}")
        versions = client.list_image_set_versions(datastoreId=datastore_id, imageSetId=copy_id)
        for version in versions["imageSetPropertiesList"]:
            status, overrides = version["ImageSetWorkflowStatus"], version.get("overrides")
            print(f"version {version['versionId']}: {status} overrides={overrides}")

        _step("A stale latestVersionId answers as the service does")
        try:
            _update(client, datastore_id, copy_id, "1", {"updatableAttributes": json.dumps(change)})
        except client.exceptions.ResourceNotFoundException as error:
            print(f"ResourceNotFoundException: {error.response['Error']['Message']}")
        client.delete_image_set(datastoreId=datastore_id, imageSetId=copy_id)

        _step("DeleteImageSet: LOCKED / DELETING in the response, DELETED afterwards")
        deleted = client.delete_image_set(datastoreId=datastore_id, imageSetId=image_set_id)
        print(f"DeleteImageSet -> {deleted['imageSetState']} / {deleted['imageSetWorkflowStatus']}")
        state = client.get_image_set(datastoreId=datastore_id, imageSetId=image_set_id)["imageSetState"]
        print(f"GetImageSet -> {state}")

        _step("StartDICOMImportJob: Part 10 files from (moto's) S3 become image sets")
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="demo-dicom-input")
        s3.create_bucket(Bucket="demo-dicom-output")
        for number, dataset in enumerate(generated_study(series=1, instances_per_series=3, size=128)):
            buffer = io.BytesIO()
            dataset.save_as(buffer, enforce_file_format=True)
            s3.put_object(
                Bucket="demo-dicom-input", Key=f"incoming/study/{number}.dcm", Body=buffer.getvalue()
            )
        s3.put_object(Bucket="demo-dicom-input", Key="incoming/notes.txt", Body=b"not DICOM")
        job = client.start_dicom_import_job(
            datastoreId=datastore_id,
            jobName="demo-import",
            dataAccessRoleArn="arn:aws:iam::123456789012:role/HealthImagingImport",
            inputS3Uri="s3://demo-dicom-input/incoming",
            outputS3Uri="s3://demo-dicom-output/results",
            clientToken=_token(),
        )
        print(f"jobId={job['jobId']} jobStatus={job['jobStatus']}")
        job_properties = client.get_dicom_import_job(datastoreId=datastore_id, jobId=job["jobId"])[
            "jobProperties"
        ]
        output = job_properties["outputS3Uri"]
        print(f"GetDICOMImportJob -> {job_properties['jobStatus']}; outputs in {output}")
        folder = output.removeprefix("s3://demo-dicom-output/")
        manifest = s3.get_object(Bucket="demo-dicom-output", Key=f"{folder}job-output-manifest.json")
        summary = json.loads(manifest["Body"].read())["jobSummary"]
        print(
            f"scanned {summary['numberOfScannedFiles']}, imported {summary['numberOfImportedFiles']}, "
            f"failed {summary['numberOfFilesWithCustomerError']}"
        )
        failures = s3.get_object(Bucket="demo-dicom-output", Key=f"{folder}FAILURE/failure.ndjson")
        print(f"failure line: {failures['Body'].read().decode().strip()}")
        imported_id = summary["imageSetsSummary"][0]["imageSetId"]

        _step("GetImageFrame: an HTJ2K codestream, decoded and checked against the metadata's checksum")
        instance = next(
            iter(
                next(iter(_metadata(client, datastore_id, imported_id)["Study"]["Series"].values()))[
                    "Instances"
                ].values()
            )
        )
        frame = instance["ImageFrames"][0]
        frame_response = client.get_image_frame(
            datastoreId=datastore_id,
            imageSetId=imported_id,
            imageFrameInformation={"imageFrameId": frame["ID"]},
        )
        codestream = frame_response["imageFrameBlob"].read()
        pixels = imagecodecs.htj2k_decode(codestream)
        checksum = zlib.crc32(pixels.astype(pixels.dtype.newbyteorder("<")).tobytes())
        expected = frame["PixelDataChecksumFromBaseToFullResolution"][-1]["Checksum"]
        print(
            f"contentType={frame_response['contentType']} {len(codestream)} bytes, "
            f"starts {codestream[:4].hex()}"
        )
        print(f"decoded {pixels.shape} {pixels.dtype}; CRC32 {checksum}, metadata says {expected}")

        _step("DICOMweb on dicom-medical-imaging: a QIDO-RS search, a WADO-RS frame, a STOW-RS store")
        dicomweb = requests.Session()
        dicomweb.auth = _SigV4("us-east-1")
        root = f"https://dicom-medical-imaging.us-east-1.amazonaws.com/datastore/{datastore_id}"
        document = _metadata(client, datastore_id, imported_id)
        study_uid = document["Study"]["DICOM"]["StudyInstanceUID"]
        series_uid, series = next(iter(document["Study"]["Series"].items()))
        sop_uid = next(iter(series["Instances"]))
        studies = dicomweb.get(f"{root}/studies", params={"StudyInstanceUID": study_uid}).json()
        print(
            f"QIDO-RS /studies -> {len(studies)} study, PatientID {studies[0]['00100020']['Value'][0]}, "
            f"{studies[0]['00201208']['Value'][0]} instances"
        )
        ele = 'multipart/related; type="application/octet-stream"; transfer-syntax=1.2.840.10008.1.2.1'
        frames = dicomweb.get(
            f"{root}/studies/{study_uid}/series/{series_uid}/instances/{sop_uid}/frames/1",
            headers={"Accept": ele},
        )
        frame = _single_part(frames.content, frames.headers["Content-Type"])
        print(
            f"WADO-RS frame 1 -> {frames.headers['Content-Type'].split(';')[0]}, {len(frame)} bytes of "
            f"native pixels, the same as GetImageFrame's decoded: {frame == pixels.astype('<u2').tobytes()}"
        )
        stowed = io.BytesIO()
        generated_study(instances_per_series=1, patient_id="DEMO-STOW")[0].save_as(
            stowed, enforce_file_format=True
        )
        stored = dicomweb.post(
            f"{root}/studies", data=stowed.getvalue(), headers={"Content-Type": "application/dicom"}
        )
        referenced = stored.json()["00081199"]["Value"]
        print(f"STOW-RS -> HTTP {stored.status_code}, {len(referenced)} instance stored")
        stow_criteria: SearchCriteriaTypeDef = {
            "filters": [{"operator": "EQUAL", "values": [{"DICOMPatientId": "DEMO-STOW"}]}]
        }
        found_stowed = client.search_image_sets(datastoreId=datastore_id, searchCriteria=stow_criteria)
        summaries = found_stowed["imageSetsMetadataSummaries"]
        print(
            f"SearchImageSets finds it at once: {len(summaries)} image set, "
            f"isPrimary={summaries[0]['isPrimary']}"
        )

        _step("SearchImageSets: filtered, sorted, paginated")
        for patient_id in ("DEMO-0002", "DEMO-0003"):
            mi.create_image_set(datastore_id, generated_study(patient_id=patient_id))
        criteria: SearchCriteriaTypeDef = {
            "filters": [{"operator": "EQUAL", "values": [{"DICOMPatientId": "DEMO-0001"}]}],
            "sort": {"sortField": "createdAt", "sortOrder": "ASC"},
        }
        found = client.search_image_sets(datastoreId=datastore_id, searchCriteria=criteria)
        for item in found["imageSetsMetadataSummaries"]:
            tags = item["DICOMTags"]
            print(f"{item['imageSetId']} version {item['version']} {tags['DICOMPatientId']}")
        search_pages = client.get_paginator("search_image_sets").paginate(
            datastoreId=datastore_id, PaginationConfig={"PageSize": 2}
        )
        sizes = [len(page["imageSetsMetadataSummaries"]) for page in search_pages]
        print(f"all image sets, 2 per page: {sizes}")

        _step("Manual transitions keep in-flight states visible until mi.advance()")
        try:
            client.delete_datastore(datastoreId=datastore_id)
        except client.exceptions.ConflictException as error:
            print(f"DeleteDatastore of a datastore with image sets: {error.response['Error']['Message']}")
        mi.transitions = "manual"
        scratch = client.create_datastore(datastoreName="scratch", clientToken=_token())["datastoreId"]
        properties = client.get_datastore(datastoreId=scratch)["datastoreProperties"]
        print(f"a new datastore before advance -> {properties['datastoreStatus']}")
        mi.advance()
        deleting = client.delete_datastore(datastoreId=scratch)
        print(f"DeleteDatastore -> {deleting['datastoreStatus']}")
        mi.advance()
        try:
            client.get_datastore(datastoreId=scratch)
        except client.exceptions.ResourceNotFoundException as error:
            print(f"after advance -> {error.response['Error']['Code']}")
    print("\nDemo complete.")
