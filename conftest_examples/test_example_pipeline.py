"""What a library's own tests look like with the fixtures above: no Stubber, no MagicMock."""

from __future__ import annotations

import gzip
import json

import pytest


def count_instances(client, datastore_id: str, image_set_id: str) -> int:
    """The code under test: reads an image set's metadata as production code does."""
    blob = client.get_image_set_metadata(datastoreId=datastore_id, imageSetId=image_set_id)
    document = json.loads(gzip.decompress(blob["imageSetMetadataBlob"].read()))
    return sum(len(series["Instances"]) for series in document["Study"]["Series"].values())


def test_pipeline_counts_the_instances_of_a_seeded_image_set(
    medical_imaging_client, datastore_id, ct_image_set_id
):
    assert count_instances(medical_imaging_client, datastore_id, ct_image_set_id) == 1


def test_pipeline_sees_throttling_as_the_service_sends_it(
    medical_imaging, medical_imaging_client, datastore_id
):
    medical_imaging.faults.add("GetImageSetMetadata", "ThrottlingException", times=10)
    with pytest.raises(medical_imaging_client.exceptions.ThrottlingException):
        count_instances(medical_imaging_client, datastore_id, "0" * 32)
