"""GetImageFrame through boto3: frames of imported and seeded image sets decode bit for bit with an
independent decoder (pylibjpeg-openjpeg) and match the metadata's checksum; frames stored as sent come back
as sent; the content type follows the stored transfer syntax; frames are encoded lazily, once."""

from __future__ import annotations

import io
import json
import struct
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import openjpeg
import pydicom
import pytest
from aws_helpers import INPUT_BUCKET, OUTPUT_BUCKET, ROLE, error_code, metadata, new_datastore
from botocore.exceptions import ClientError
from dicom_factory import (
    HTJ2K,
    HTJ2K_LOSSLESS_RPCL,
    encapsulated,
    frames_of,
    gray_frames,
    htj2k_codestream,
    make_dataset,
    part10_bytes,
    sample_file,
)
from moto.core.models import DEFAULT_ACCOUNT_ID
from pydicom.dataset import Dataset
from pydicom.encaps import generate_frames

from medimaging_mock import mock_medical_imaging
from medimaging_mock.domain import pixels
from medimaging_mock.interception.moto_service.models import regional_backend

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")  # pydicom's remarks on its own sample files

UNKNOWN_ID = "0123456789abcdef0123456789abcdef"
JPEG_2000_LOSSLESS = "1.2.840.10008.1.2.4.90"
RAW_CODESTREAM = b"\xff\x4f\xff\x51"  # SOC then SIZ: no JP2/JPH boxes


def sample(name: str) -> Dataset:
    return pydicom.dcmread(sample_file(name))


def generated_rgb() -> Dataset:
    rgb = np.random.default_rng(3).integers(0, 256, size=(20, 30, 3), dtype="uint8")
    return make_dataset(rgb, photometric="RGB")


def bytes_of(dataset: Dataset) -> bytes:
    filename = getattr(dataset, "filename", None)
    return Path(filename).read_bytes() if filename else part10_bytes(dataset)


def import_instance(client, s3, datastore_id: str, dataset: Dataset) -> tuple[str, dict[str, Any]]:
    """Import one instance through a job; its image set id and its instance in the metadata."""
    s3.put_object(Bucket=INPUT_BUCKET, Key="in/instance.dcm", Body=bytes_of(dataset))
    job_id = client.start_dicom_import_job(
        datastoreId=datastore_id,
        dataAccessRoleArn=ROLE,
        inputS3Uri=f"s3://{INPUT_BUCKET}/in",
        outputS3Uri=f"s3://{OUTPUT_BUCKET}/out",
    )["jobId"]
    job = client.get_dicom_import_job(datastoreId=datastore_id, jobId=job_id)["jobProperties"]
    success = s3.get_object(
        Bucket=OUTPUT_BUCKET, Key=job["outputS3Uri"].split("/", 3)[3] + "SUCCESS/success.ndjson"
    )["Body"].read()
    image_set_id = json.loads(success.splitlines()[0])["importResponse"]["imageSetId"]
    return image_set_id, only_instance(client, datastore_id, image_set_id)


def only_instance(client, datastore_id: str, image_set_id: str) -> dict[str, Any]:
    document = metadata(client, datastore_id, image_set_id)
    (instance,) = [i for series in document["Study"]["Series"].values() for i in series["Instances"].values()]
    return instance


def get_frame(client, datastore_id: str, image_set_id: str, frame_id: str) -> tuple[bytes, str]:
    response = client.get_image_frame(
        datastoreId=datastore_id, imageSetId=image_set_id, imageFrameInformation={"imageFrameId": frame_id}
    )
    return response["imageFrameBlob"].read(), response["contentType"]


def full_resolution_checksum(entry: dict[str, Any]) -> int:
    return max(entry["PixelDataChecksumFromBaseToFullResolution"], key=lambda level: level["Width"])[
        "Checksum"
    ]


def little_endian(array: np.ndarray) -> bytes:
    return np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<")).tobytes()


def assert_same_pixels(decoded: np.ndarray, expected: np.ndarray) -> None:
    assert decoded.shape == expected.shape
    assert (decoded.dtype.kind, decoded.dtype.itemsize) == (expected.dtype.kind, expected.dtype.itemsize)
    assert little_endian(decoded) == little_endian(expected)


LOSSLESS_SOURCES = {
    "16-bit-unsigned": lambda: make_dataset(gray_frames(1, 32, 48)),
    "12-bit-unsigned": lambda: make_dataset(gray_frames(1, 32, 48) >> 4, bits_stored=12),
    "16-bit-signed-CT_small": lambda: sample("CT_small.dcm"),
    "8-bit-unsigned": lambda: make_dataset(gray_frames(1, 9, 7, dtype="uint8")),
    "8-bit-rgb-examples_rgb_color": lambda: sample("examples_rgb_color.dcm"),
    "8-bit-rgb-generated": generated_rgb,
}


# --- HTJ2K frames ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", LOSSLESS_SOURCES)
def test_htj2k_frame_decodes_bit_for_bit_and_matches_its_checksum(
    medical_imaging_client, datastore_id, s3, name
):
    dataset = LOSSLESS_SOURCES[name]()
    image_set_id, instance = import_instance(medical_imaging_client, s3, datastore_id, dataset)
    (entry,) = instance["ImageFrames"]

    body, _ = get_frame(medical_imaging_client, datastore_id, image_set_id, entry["ID"])
    decoded = openjpeg.decode(body)

    assert_same_pixels(decoded, frames_of(dataset)[0])
    assert zlib.crc32(decoded.tobytes()) == full_resolution_checksum(entry)


def test_htj2k_frame_is_a_raw_codestream_served_as_image_jph(medical_imaging_client, datastore_id, s3):
    image_set_id, instance = import_instance(
        medical_imaging_client, s3, datastore_id, make_dataset(gray_frames(1, 16, 16))
    )

    body, content_type = get_frame(
        medical_imaging_client, datastore_id, image_set_id, instance["ImageFrames"][0]["ID"]
    )

    assert instance["StoredTransferSyntaxUID"] == HTJ2K_LOSSLESS_RPCL
    assert body[:4] == RAW_CODESTREAM
    assert content_type == "image/jph"


def test_each_frame_of_a_multi_frame_instance_decodes_to_its_own_pixels(
    medical_imaging_client, datastore_id, s3
):
    frames = gray_frames(3, 16, 24, seed=5)
    image_set_id, instance = import_instance(medical_imaging_client, s3, datastore_id, make_dataset(frames))

    assert len(instance["ImageFrames"]) == 3
    for entry, expected in zip(instance["ImageFrames"], frames, strict=True):
        body, _ = get_frame(medical_imaging_client, datastore_id, image_set_id, entry["ID"])
        decoded = openjpeg.decode(body)

        assert_same_pixels(decoded, expected)
        assert zlib.crc32(decoded.tobytes()) == full_resolution_checksum(entry)


def test_frames_of_a_multi_frame_instance_have_distinct_ids(medical_imaging_client, datastore_id, s3):
    _, instance = import_instance(
        medical_imaging_client, s3, datastore_id, make_dataset(gray_frames(3, 8, 8))
    )

    assert len({entry["ID"] for entry in instance["ImageFrames"]}) == 3


# --- The JPH container setting ------------------------------------------------------------------------------


def boxes(data: bytes) -> list[tuple[bytes, bytes]]:
    """The top-level (type, content) boxes of a JPEG 2000 family file."""
    found, offset = [], 0
    while offset < len(data):
        length, box_type = struct.unpack_from(">I4s", data, offset)
        found.append((box_type, data[offset + 8 : offset + length]))
        offset += length
    return found


@pytest.mark.parametrize("name", LOSSLESS_SOURCES)
def test_jph_frames_decode_bit_for_bit_in_a_jp2_file_reader(
    medical_imaging, medical_imaging_client, datastore_id, s3, name
):
    """What the AWS SDK's Python workflow does: OpenJPEG forced to its JP2 reader (j2k_format=2)."""
    medical_imaging.frame_container = "jph"
    dataset = LOSSLESS_SOURCES[name]()
    image_set_id, instance = import_instance(medical_imaging_client, s3, datastore_id, dataset)
    (entry,) = instance["ImageFrames"]

    body, content_type = get_frame(medical_imaging_client, datastore_id, image_set_id, entry["ID"])
    decoded = openjpeg.decode(io.BytesIO(body), 2)

    assert content_type == "image/jph"
    assert_same_pixels(decoded, frames_of(dataset)[0])
    assert zlib.crc32(decoded.tobytes()) == full_resolution_checksum(entry)


def test_a_jph_frame_is_the_codestream_in_jph_boxes_that_describe_it(
    medical_imaging, medical_imaging_client, datastore_id, s3
):
    dataset = sample("CT_small.dcm")  # signed 16-bit
    image_set_id, instance = import_instance(medical_imaging_client, s3, datastore_id, dataset)
    frame_id = instance["ImageFrames"][0]["ID"]
    codestream, _ = get_frame(medical_imaging_client, datastore_id, image_set_id, frame_id)

    medical_imaging.frame_container = "jph"
    body, _ = get_frame(medical_imaging_client, datastore_id, image_set_id, frame_id)

    (signature, file_type, header, contiguous) = boxes(body)
    assert signature == (b"jP  ", b"\r\n\x87\n")
    assert file_type == (b"ftyp", b"jph \0\0\0\0jph ")
    assert contiguous == (b"jp2c", codestream)
    ((ihdr, image_header), (colr, colour)) = boxes(header[1])
    height, width, components, depth, compression = struct.unpack_from(">IIHBB", image_header)
    assert (header[0], ihdr, colr) == (b"jp2h", b"ihdr", b"colr")
    assert (height, width, components) == (dataset.Rows, dataset.Columns, 1)
    assert (depth & 0x80, compression) == (0x80, 7)  # signed samples; JPEG 2000 compression
    assert colour == struct.pack(">BBBI", 1, 0, 0, 17)  # enumerated greyscale


def test_the_jph_setting_leaves_frames_that_are_not_htj2k_as_they_are(
    medical_imaging, medical_imaging_client, datastore_id, s3
):
    dataset = sample("JPEG2000.dcm")
    sent = pydicom.dcmread(io.BytesIO(bytes_of(dataset)))
    image_set_id, instance = import_instance(medical_imaging_client, s3, datastore_id, dataset)
    medical_imaging.frame_container = "jph"

    body, content_type = get_frame(
        medical_imaging_client, datastore_id, image_set_id, instance["ImageFrames"][0]["ID"]
    )

    assert (body, content_type) == (next(generate_frames(sent.PixelData, number_of_frames=1)), "image/j2c")


def test_frames_are_raw_codestreams_again_at_the_next_start():
    with mock_medical_imaging() as mi:
        mi.frame_container = "jph"
    with mock_medical_imaging() as mi:
        assert mi.frame_container == "codestream"


def test_an_unknown_frame_container_is_refused(medical_imaging):
    with pytest.raises(ValueError, match="'codestream' or 'jph'"):
        medical_imaging.frame_container = "jp2"


# --- Frames stored natively or as sent ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["rtdose.dcm", "rtdose_expb.dcm"], ids=["little-endian", "big-endian"])
def test_32_bit_frames_come_back_as_their_little_endian_pixels(
    medical_imaging_client, datastore_id, s3, name
):
    dataset = sample(name)
    image_set_id, instance = import_instance(medical_imaging_client, s3, datastore_id, dataset)

    returned = [
        get_frame(medical_imaging_client, datastore_id, image_set_id, entry["ID"])
        for entry in instance["ImageFrames"]
    ]

    assert instance["StoredTransferSyntaxUID"] == "1.2.840.10008.1.2.1"
    assert [body for body, _ in returned] == [little_endian(frame) for frame in frames_of(dataset)]
    assert [zlib.crc32(body) for body, _ in returned] == [
        full_resolution_checksum(entry) for entry in instance["ImageFrames"]
    ]
    assert {content_type for _, content_type in returned} == {"application/octet-stream"}


def htj2k_as_sent() -> Dataset:
    frames = gray_frames(2, 16, 16, seed=9)
    return encapsulated(make_dataset(frames), [htj2k_codestream(frame) for frame in frames], HTJ2K)


@pytest.mark.parametrize(
    ("source", "content_type"),
    [
        (lambda: sample("SC_rgb_jpeg_dcmtk.dcm"), "image/jpeg"),
        (lambda: sample("examples_ybr_color.dcm"), "image/jpeg"),
        (lambda: sample("JPEG2000.dcm"), "image/j2c"),
        (htj2k_as_sent, "image/jphc"),
    ],
    ids=["jpeg-baseline", "jpeg-baseline-30-frames", "jpeg-2000", "htj2k"],
)
def test_frames_stored_as_sent_come_back_byte_for_byte(
    medical_imaging_client, datastore_id, s3, source, content_type
):
    dataset = source()
    sent = pydicom.dcmread(io.BytesIO(bytes_of(dataset)))
    image_set_id, instance = import_instance(medical_imaging_client, s3, datastore_id, dataset)

    returned = [
        get_frame(medical_imaging_client, datastore_id, image_set_id, entry["ID"])
        for entry in instance["ImageFrames"]
    ]

    assert instance["StoredTransferSyntaxUID"] == sent.file_meta.TransferSyntaxUID
    expected = list(generate_frames(sent.PixelData, number_of_frames=int(sent.get("NumberOfFrames", 1) or 1)))
    assert [body for body, _ in returned] == expected
    assert {ctype for _, ctype in returned} == {content_type}


# --- JPEG 2000 lossless datastores -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["16-bit-unsigned", "16-bit-signed-CT_small", "8-bit-rgb-examples_rgb_color"]
)
def test_a_jpeg_2000_lossless_datastore_returns_j2c_frames_that_decode_bit_for_bit(
    medical_imaging_client, s3, name
):
    datastore_id = new_datastore(medical_imaging_client, losslessStorageFormat="JPEG_2000_LOSSLESS")
    dataset = LOSSLESS_SOURCES[name]()
    image_set_id, instance = import_instance(medical_imaging_client, s3, datastore_id, dataset)
    (entry,) = instance["ImageFrames"]

    body, content_type = get_frame(medical_imaging_client, datastore_id, image_set_id, entry["ID"])
    decoded = openjpeg.decode(body)

    assert instance["StoredTransferSyntaxUID"] == JPEG_2000_LOSSLESS
    assert content_type == "image/j2c"
    assert body[:4] == RAW_CODESTREAM
    assert_same_pixels(decoded, frames_of(dataset)[0])
    assert zlib.crc32(decoded.tobytes()) == full_resolution_checksum(entry)


# --- Seeded image sets -------------------------------------------------------------------------------------


def test_frames_of_a_seeded_image_set_decode_bit_for_bit(
    medical_imaging, medical_imaging_client, datastore_id
):
    dataset = make_dataset(gray_frames(2, 12, 20, dtype="int16", seed=4))
    image_set_id = medical_imaging.create_image_set(datastore_id, [dataset])
    instance = only_instance(medical_imaging_client, datastore_id, image_set_id)

    for entry, expected in zip(instance["ImageFrames"], frames_of(dataset), strict=True):
        body, content_type = get_frame(medical_imaging_client, datastore_id, image_set_id, entry["ID"])
        decoded = openjpeg.decode(body)

        assert content_type == "image/jph"
        assert_same_pixels(decoded, expected)
        assert zlib.crc32(decoded.tobytes()) == full_resolution_checksum(entry)


# --- Lazy encoding -----------------------------------------------------------------------------------------


def test_a_frame_is_encoded_on_its_first_request_only(monkeypatch, medical_imaging_client, datastore_id, s3):
    encodings = []
    encode = pixels.encode

    def counting_encode(frame, stored_transfer_syntax):
        encodings.append(stored_transfer_syntax)
        return encode(frame, stored_transfer_syntax)

    monkeypatch.setattr(pixels, "encode", counting_encode)
    image_set_id, instance = import_instance(
        medical_imaging_client, s3, datastore_id, make_dataset(gray_frames(1, 16, 16))
    )
    frame_id = instance["ImageFrames"][0]["ID"]
    before = list(encodings)

    first = get_frame(medical_imaging_client, datastore_id, image_set_id, frame_id)
    second = get_frame(medical_imaging_client, datastore_id, image_set_id, frame_id)

    assert before == []
    assert encodings == [HTJ2K_LOSSLESS_RPCL]
    assert second == first


def test_an_imported_frame_is_held_by_its_datastore(medical_imaging_client, datastore_id, s3):
    _, instance = import_instance(
        medical_imaging_client, s3, datastore_id, make_dataset(gray_frames(1, 8, 8))
    )

    # the frame store is internal (mi.backend() does not show it): read the live backend
    store = regional_backend(DEFAULT_ACCOUNT_ID, "us-east-1").datastores.get(datastore_id).frames

    assert instance["ImageFrames"][0]["ID"] in store


# --- Errors ------------------------------------------------------------------------------------------------


def test_an_unknown_frame_id_is_resource_not_found(medical_imaging, medical_imaging_client, datastore_id):
    image_set_id = medical_imaging.create_image_set(datastore_id, [make_dataset(gray_frames(1, 4, 4))])

    with pytest.raises(ClientError) as err:
        get_frame(medical_imaging_client, datastore_id, image_set_id, UNKNOWN_ID)

    assert error_code(err) == "ResourceNotFoundException"


def test_a_frame_of_another_image_set_is_resource_not_found(
    medical_imaging, medical_imaging_client, datastore_id
):
    first = medical_imaging.create_image_set(datastore_id, [make_dataset(gray_frames(1, 4, 4))])
    second = medical_imaging.create_image_set(datastore_id, [make_dataset(gray_frames(1, 4, 4))])
    frame_of_first = only_instance(medical_imaging_client, datastore_id, first)["ImageFrames"][0]["ID"]

    with pytest.raises(ClientError) as err:
        get_frame(medical_imaging_client, datastore_id, second, frame_of_first)

    assert error_code(err) == "ResourceNotFoundException"


def test_a_frame_of_an_image_set_in_another_datastore_is_resource_not_found(
    medical_imaging, medical_imaging_client, datastore_id
):
    other = new_datastore(medical_imaging_client)
    image_set_id = medical_imaging.create_image_set(datastore_id, [make_dataset(gray_frames(1, 4, 4))])
    frame_id = only_instance(medical_imaging_client, datastore_id, image_set_id)["ImageFrames"][0]["ID"]

    with pytest.raises(ClientError) as err:
        get_frame(medical_imaging_client, other, image_set_id, frame_id)

    assert error_code(err) == "ResourceNotFoundException"


def test_a_frame_of_a_deleted_image_set_is_resource_not_found(
    medical_imaging, medical_imaging_client, datastore_id
):
    image_set_id = medical_imaging.create_image_set(datastore_id, [make_dataset(gray_frames(1, 4, 4))])
    frame_id = only_instance(medical_imaging_client, datastore_id, image_set_id)["ImageFrames"][0]["ID"]
    medical_imaging_client.delete_image_set(datastoreId=datastore_id, imageSetId=image_set_id)
    state = medical_imaging_client.get_image_set(datastoreId=datastore_id, imageSetId=image_set_id)[
        "imageSetState"
    ]

    with pytest.raises(ClientError) as err:
        get_frame(medical_imaging_client, datastore_id, image_set_id, frame_id)

    assert state == "DELETED"
    assert error_code(err) == "ResourceNotFoundException"


def test_a_frame_of_an_unknown_image_set_is_resource_not_found(medical_imaging_client, datastore_id):
    with pytest.raises(ClientError) as err:
        get_frame(medical_imaging_client, datastore_id, UNKNOWN_ID, UNKNOWN_ID)

    assert error_code(err) == "ResourceNotFoundException"
