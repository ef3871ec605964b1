"""The pytest plugin loads medimaging_mock in every test session of every project that installs it, so the
package must import nothing heavy (DESIGN §2): numpy, pydicom, imagecodecs and moto's S3 load on the first
request that needs them. Each check runs in a fresh interpreter, as this session has loaded them all."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
from dicom_factory import make_dataset, write_part10

HEAVY = ("numpy", "pydicom", "imagecodecs", "moto.s3")

# What each script starts with: `loaded()` names the heavy modules imported so far (a submodule's import
# imports its package too).
_LOADED = f"""
import json, sys

def loaded():
    return [name for name in {HEAVY!r} if name in sys.modules]
"""


def run(script: str) -> dict:
    completed = subprocess.run(
        [sys.executable, "-c", _LOADED + script], capture_output=True, text=True, timeout=300
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


def test_importing_the_package_and_its_pytest_plugin_loads_nothing_heavy():
    loaded = run(
        "import medimaging_mock\n"
        "after_package = loaded()\n"
        "import medimaging_mock.pytest_plugin\n"
        "print(json.dumps({'package': after_package, 'plugin': loaded()}))\n"
    )

    assert loaded == {"package": [], "plugin": []}


def test_heavy_modules_load_on_the_first_request_that_needs_them(tmp_path: Path):
    pixels = np.arange(64, dtype=np.uint16).reshape(8, 8)
    instance = write_part10(
        make_dataset(pixels, PatientID="P1", StudyDescription="before"), tmp_path / "one.dcm"
    )

    result = run(
        f"""
import gzip
import boto3
from medimaging_mock import mock_medical_imaging

ROLE = "arn:aws:iam::123456789012:role/ImportRole"
with mock_medical_imaging() as mi:
    client = boto3.client("medical-imaging", region_name="us-east-1")
    datastore_id = client.create_datastore(datastoreName="ds")["datastoreId"]
    client.get_datastore(datastoreId=datastore_id)
    control_plane = loaded()

    image_set_id = mi.create_image_set(datastore_id, [{str(instance)!r}])
    ids = {{"datastoreId": datastore_id, "imageSetId": image_set_id}}
    blob = client.get_image_set_metadata(**ids)["imageSetMetadataBlob"].read()
    series = next(iter(json.loads(gzip.decompress(blob))["Study"]["Series"].values()))
    frame_id = next(iter(series["Instances"].values()))["ImageFrames"][0]["ID"]
    frame = client.get_image_frame(**ids, imageFrameInformation={{"imageFrameId": frame_id}})
    updates = {{"SchemaVersion": 1.1, "Study": {{"DICOM": {{"StudyDescription": "after"}}}}}}
    updated = client.update_image_set_metadata(
        **ids, latestVersionId="1",
        updateImageSetMetadataUpdates={{"DICOMUpdates": {{"updatableAttributes": json.dumps(updates)}}}},
    )

    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="input-bucket")
    s3.create_bucket(Bucket="output-bucket")
    s3.put_object(Bucket="input-bucket", Key="in/one.dcm", Body=open({str(instance)!r}, "rb").read())
    job_id = client.start_dicom_import_job(
        datastoreId=datastore_id,
        dataAccessRoleArn=ROLE,
        inputS3Uri="s3://input-bucket/in/",
        outputS3Uri="s3://output-bucket/out/",
    )["jobId"]
    job = client.get_dicom_import_job(datastoreId=datastore_id, jobId=job_id)["jobProperties"]

print(json.dumps({{
    "control_plane": control_plane,
    "frame": [frame["contentType"], len(frame["imageFrameBlob"].read()) > 0],
    "update": updated["imageSetWorkflowStatus"],
    "job": job["jobStatus"],
    "loaded": loaded(),
}}))
"""
    )

    assert result == {
        "control_plane": [],
        "frame": ["image/jph", True],
        "update": "UPDATING",
        "job": "COMPLETED",
        "loaded": list(HEAVY),
    }
