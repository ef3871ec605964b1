"""Import jobs over every transfer syntax available offline: pydicom's shipped sample files plus HTJ2K and
JPEG XL inputs made here. What the service stores (transcoded to HTJ2K lossless RPCL, kept as sent, or kept
native), the frame checksums, transcoded frames read back, and the files an import refuses (customer errors,
each saying what is wrong). Frames stored as sent or natively are read back in test_image_frames.py; JPEG XL
frames here."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import imagecodecs
import numpy as np
import openjpeg
import pydicom
import pytest
from aws_helpers import INPUT_BUCKET, OUTPUT_BUCKET, ROLE, metadata
from dicom_factory import (
    HTJ2K,
    HTJ2K_LOSSLESS,
    HTJ2K_LOSSLESS_RPCL,
    encapsulated,
    frame_checksum,
    frames_of,
    gray_frames,
    htj2k_codestream,
    make_dataset,
    part10_bytes,
    part10_bytes_of_any_syntax,
    sample_file,
    with_raw_value,
)
from pydicom.encaps import generate_frames

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")  # pydicom's remarks on its own sample files

EXPLICIT_VR_LITTLE_ENDIAN = "1.2.840.10008.1.2.1"
JPEG_BASELINE = "1.2.840.10008.1.2.4.50"
JPEG_2000 = "1.2.840.10008.1.2.4.91"
MPEG2_MAIN_PROFILE = "1.2.840.10008.1.2.4.100"
JPEG_XL_LOSSLESS = "1.2.840.10008.1.2.4.110"
JPEG_XL_JPEG_RECOMPRESSION = "1.2.840.10008.1.2.4.111"
JPEG_XL = "1.2.840.10008.1.2.4.112"


def pydicom_frames(name: str) -> Callable[[], list[np.ndarray]]:
    return lambda: frames_of(pydicom.dcmread(sample_file(name)))


def jpeg_frames(name: str) -> Callable[[], list[np.ndarray]]:
    """Lossy JPEG frames as a JPEG decoder sees them (pydicom has no JPEG plugin here)."""
    return lambda: [
        imagecodecs.jpeg_decode(frame) for frame in sent_frames(Path(sample_file(name)).read_bytes())
    ]


def sent_frames(part10: bytes) -> list[bytes]:
    ds = pydicom.dcmread(io.BytesIO(part10))
    return list(generate_frames(ds.PixelData, number_of_frames=int(ds.get("NumberOfFrames", 1) or 1)))


@dataclass(frozen=True)
class Sample:
    part10: Callable[[], bytes]
    stored: str  # the StoredTransferSyntaxUID the service gives it
    pixels: Callable[[], list[np.ndarray]]  # its frames, decoded without the mock


def shipped(name: str, stored: str, pixels: Callable[[], list[np.ndarray]] | None = None) -> Sample:
    return Sample(lambda: Path(sample_file(name)).read_bytes(), stored, pixels or pydicom_frames(name))


HTJ2K_PIXELS = gray_frames(2, 24, 32, dtype="int16", seed=7)


def generated_htj2k(transfer_syntax: str, stored: str) -> Sample:
    """A two-frame signed 16-bit instance, encapsulated as HTJ2K codestreams made with imagecodecs."""
    frames = list(HTJ2K_PIXELS)

    def part10() -> bytes:
        codestreams = [htj2k_codestream(frame) for frame in frames]
        return part10_bytes(encapsulated(make_dataset(HTJ2K_PIXELS), codestreams, transfer_syntax))

    return Sample(part10, stored, lambda: frames)


JPEG_XL_GRAY = gray_frames(2, 24, 32, seed=11)
JPEG_XL_RGB = gray_frames(1, 16, 24 * 3, dtype="uint8", seed=12).reshape(16, 24, 3)
JPEG_GRAY = imagecodecs.jpeg_encode(gray_frames(1, 16, 16, dtype="uint8", seed=13), level=90)


def generated_jpeg_xl(
    transfer_syntax: str, stored: str, frames: list[np.ndarray], photometric: str
) -> Sample:
    """Frames encoded losslessly by imagecodecs' JPEG XL codec, one fragment each."""

    def part10() -> bytes:
        bitstreams = [imagecodecs.jpegxl_encode(frame, lossless=True) for frame in frames]
        dataset = make_dataset(np.stack(frames) if len(frames) > 1 else frames[0], photometric=photometric)
        return part10_bytes_of_any_syntax(encapsulated(dataset, bitstreams, transfer_syntax))

    return Sample(part10, stored, lambda: frames)


def recompressed_jpeg() -> Sample:
    """A JPEG Baseline frame recompressed losslessly into JPEG XL; its pixels are what a JPEG XL decoder
    makes of it (libjxl's reconstruction differs from libjpeg's by a few levels)."""
    bitstream = imagecodecs.jpegxl_encode_jpeg(JPEG_GRAY)

    def part10() -> bytes:
        dataset = make_dataset(imagecodecs.jpeg_decode(JPEG_GRAY))
        return part10_bytes_of_any_syntax(encapsulated(dataset, [bitstream], JPEG_XL_JPEG_RECOMPRESSION))

    return Sample(part10, HTJ2K_LOSSLESS_RPCL, lambda: [imagecodecs.jpegxl_decode(bitstream)])


SAMPLES = {
    "explicit-le": shipped("CT_small.dcm", HTJ2K_LOSSLESS_RPCL),
    "implicit-le": shipped("MR_small_implicit.dcm", HTJ2K_LOSSLESS_RPCL),
    "big-endian": shipped("MR_small_bigendian.dcm", HTJ2K_LOSSLESS_RPCL),
    "deflated": shipped("image_dfl.dcm", HTJ2K_LOSSLESS_RPCL),
    "rle": shipped("MR_small_RLE.dcm", HTJ2K_LOSSLESS_RPCL),
    "rle-rgb": shipped("SC_rgb_rle.dcm", HTJ2K_LOSSLESS_RPCL),
    "jpeg-baseline-ybr": shipped(
        "SC_rgb_jpeg_dcmtk.dcm", JPEG_BASELINE, jpeg_frames("SC_rgb_jpeg_dcmtk.dcm")
    ),
    "jpeg-baseline-rgb": shipped(
        "SC_jpeg_no_color_transform.dcm", JPEG_BASELINE, jpeg_frames("SC_jpeg_no_color_transform.dcm")
    ),
    "jpeg-baseline-30-frames": shipped(
        "examples_ybr_color.dcm", JPEG_BASELINE, jpeg_frames("examples_ybr_color.dcm")
    ),
    "jpeg-extended": shipped("JPEG-lossy.dcm", HTJ2K_LOSSLESS_RPCL, jpeg_frames("JPEG-lossy.dcm")),
    # lossless compressions of the same pixels as another sample, which pydicom decodes here
    "jpeg-lossless": shipped("SC_rgb_jpeg_gdcm.dcm", HTJ2K_LOSSLESS_RPCL, pydicom_frames("SC_rgb_rle.dcm")),
    "jpeg-ls-lossless": shipped(
        "MR_small_jpeg_ls_lossless.dcm", HTJ2K_LOSSLESS_RPCL, pydicom_frames("MR_small.dcm")
    ),
    "jpeg-2000-lossless": shipped("MR_small_jp2klossless.dcm", HTJ2K_LOSSLESS_RPCL),
    "jpeg-2000": shipped("JPEG2000.dcm", JPEG_2000),
    "htj2k-lossless": generated_htj2k(HTJ2K_LOSSLESS, HTJ2K_LOSSLESS_RPCL),
    "htj2k-lossless-rpcl": generated_htj2k(HTJ2K_LOSSLESS_RPCL, HTJ2K_LOSSLESS_RPCL),
    "htj2k": generated_htj2k(HTJ2K, HTJ2K),
    "32-bit-gray": shipped("rtdose.dcm", EXPLICIT_VR_LITTLE_ENDIAN),
    "32-bit-rgb": shipped("SC_rgb_rle_32bit.dcm", EXPLICIT_VR_LITTLE_ENDIAN),
    "binary-segmentation": shipped("liver_1frame.dcm", EXPLICIT_VR_LITTLE_ENDIAN),
    # JPEG XL: the model gives stored .112 a content type (image/jxl), so it is kept as sent; the lossless and
    # JPEG-recompression syntaxes have none and are transcoded like every other lossless input.
    "jpeg-xl-lossless": generated_jpeg_xl(
        JPEG_XL_LOSSLESS, HTJ2K_LOSSLESS_RPCL, list(JPEG_XL_GRAY), "MONOCHROME2"
    ),
    "jpeg-xl-jpeg-recompression": recompressed_jpeg(),
    "jpeg-xl": generated_jpeg_xl(JPEG_XL, JPEG_XL, [JPEG_XL_RGB], "RGB"),
}
TRANSCODED = [name for name, sample in SAMPLES.items() if sample.stored == HTJ2K_LOSSLESS_RPCL]


def read(s3, uri: str) -> bytes:
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    return s3.get_object(Bucket=bucket, Key=key)["Body"].read()


def ndjson(data: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in data.decode("utf-8").splitlines() if line.strip()]


def import_files(client, s3, datastore_id: str, files: dict[str, bytes]) -> tuple[dict, list, list]:
    """Run one job over `files` (keys under in/); the job's properties, success lines and failure lines."""
    for key, data in files.items():
        s3.put_object(Bucket=INPUT_BUCKET, Key=key, Body=data)
    job_id = client.start_dicom_import_job(
        datastoreId=datastore_id,
        dataAccessRoleArn=ROLE,
        inputS3Uri=f"s3://{INPUT_BUCKET}/in",
        outputS3Uri=f"s3://{OUTPUT_BUCKET}/out",
    )["jobId"]
    job = client.get_dicom_import_job(datastoreId=datastore_id, jobId=job_id)["jobProperties"]
    assert job["jobStatus"] == "COMPLETED", job
    folder = job["outputS3Uri"]
    return (
        job,
        ndjson(read(s3, folder + "SUCCESS/success.ndjson")),
        ndjson(read(s3, folder + "FAILURE/failure.ndjson")),
    )


def import_one(client, s3, datastore_id: str, data: bytes) -> tuple[str, dict[str, Any]]:
    """Import one Part 10 file; its image set id and its instance in the image set's metadata."""
    _, successes, failures = import_files(client, s3, datastore_id, {"in/instance.dcm": data})
    assert failures == []
    image_set_id = successes[0]["importResponse"]["imageSetId"]
    document = metadata(client, datastore_id, image_set_id)
    (instance,) = [i for series in document["Study"]["Series"].values() for i in series["Instances"].values()]
    return image_set_id, instance


def frame(client, datastore_id: str, image_set_id: str, frame_id: str) -> tuple[bytes, str]:
    response = client.get_image_frame(
        datastoreId=datastore_id, imageSetId=image_set_id, imageFrameInformation={"imageFrameId": frame_id}
    )
    return response["imageFrameBlob"].read(), response["contentType"]


def little_endian(pixels: np.ndarray) -> bytes:
    return np.ascontiguousarray(pixels, dtype=pixels.dtype.newbyteorder("<")).tobytes()


# --- What is stored ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", SAMPLES)
def test_stored_transfer_syntax_is_the_one_the_service_keeps(medical_imaging_client, datastore_id, s3, name):
    sample = SAMPLES[name]
    data = sample.part10()
    sent_syntax = pydicom.dcmread(io.BytesIO(data)).file_meta.TransferSyntaxUID

    _, instance = import_one(medical_imaging_client, s3, datastore_id, data)

    assert instance["StoredTransferSyntaxUID"] == sample.stored
    assert instance["DICOM"]["TransferSyntaxUID"] == sent_syntax


@pytest.mark.parametrize("name", SAMPLES)
def test_frame_checksums_are_the_crc32_of_the_decoded_pixels(medical_imaging_client, datastore_id, s3, name):
    sample = SAMPLES[name]
    expected = sample.pixels()

    _, instance = import_one(medical_imaging_client, s3, datastore_id, sample.part10())

    assert [f["PixelDataChecksumFromBaseToFullResolution"] for f in instance["ImageFrames"]] == [
        [{"Width": pixels.shape[1], "Height": pixels.shape[0], "Checksum": frame_checksum(pixels)}]
        for pixels in expected
    ]


# --- What comes back ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", TRANSCODED)
def test_transcoded_frames_decode_to_the_pixels_sent(medical_imaging_client, datastore_id, s3, name):
    sample = SAMPLES[name]
    image_set_id, instance = import_one(medical_imaging_client, s3, datastore_id, sample.part10())

    for entry, expected in zip(instance["ImageFrames"], sample.pixels(), strict=True):
        body, content_type = frame(medical_imaging_client, datastore_id, image_set_id, entry["ID"])
        decoded = openjpeg.decode(body)

        assert content_type == "image/jph"
        assert decoded.shape == expected.shape
        assert decoded.dtype.kind == expected.dtype.kind
        assert little_endian(decoded) == little_endian(expected)


def test_jpeg_xl_frames_come_back_as_sent_as_image_jxl(medical_imaging_client, datastore_id, s3):
    sample = SAMPLES["jpeg-xl"]
    data = sample.part10()
    image_set_id, instance = import_one(medical_imaging_client, s3, datastore_id, data)

    (entry,) = instance["ImageFrames"]
    body, content_type = frame(medical_imaging_client, datastore_id, image_set_id, entry["ID"])

    assert (body, content_type) == (sent_frames(data)[0], "image/jxl")
    assert np.array_equal(imagecodecs.jpegxl_decode(body), JPEG_XL_RGB)


# --- What is refused ---------------------------------------------------------------------------------------


def good_instance() -> bytes:
    return part10_bytes(make_dataset(gray_frames(1, 8, 8)))


def truncated_native_pixel_data() -> bytes:
    ds = make_dataset(gray_frames(1, 8, 8))
    ds.PixelData = ds.PixelData[:-16]
    return part10_bytes(ds)


def truncated_htj2k_pixel_data() -> bytes:
    pixels = gray_frames(1, 64, 64)
    codestream = htj2k_codestream(pixels)
    return part10_bytes(
        encapsulated(make_dataset(pixels), [codestream[: len(codestream) // 2]], HTJ2K_LOSSLESS_RPCL)
    )


def not_dicom() -> bytes:
    return b"PatientID,StudyDate\nPAT-1,20240101\n"


def without_sop_instance_uid() -> bytes:
    ds = make_dataset(gray_frames(1, 8, 8))
    del ds.SOPInstanceUID
    return part10_bytes(ds)


def unsupported_transfer_syntax() -> bytes:
    ds = make_dataset(gray_frames(1, 8, 8))
    return part10_bytes(encapsulated(ds, [b"\x00\x00\x01\xb3" + bytes(60)], MPEG2_MAIN_PROFILE))


def cut_in_the_file_meta() -> bytes:
    data = good_instance()
    at = data.index(b"\x02\x00\x01\x00OB\x00\x00")  # (0002,0001) FileMetaInformationVersion
    return data[: at + 10]  # half of its 4-byte value length


def cut_in_an_element_value() -> bytes:
    data = good_instance()
    at = data.index(b"\x28\x00\x02\x00US\x02\x00")  # (0028,0002) SamplesPerPixel
    return data[: at + 9]  # one byte of its 2-byte value


# Malformed element values in otherwise readable files: natively and encapsulated, since pydicom checks the
# description of native pixel data itself and the mock has to for the codecs it calls.


def native(**raw_values: bytes) -> Callable[[], bytes]:
    """An instance with native pixel data whose `raw_values` (by keyword) are written exactly as given."""

    def make() -> bytes:
        ds = make_dataset(gray_frames(1, 8, 8))
        for keyword, value in raw_values.items():
            with_raw_value(ds, keyword, value)
        return part10_bytes(ds)

    return make


def htj2k(frames: int = 1, **raw_values: bytes) -> Callable[[], bytes]:
    """An instance of `frames` HTJ2K frames (NumberOfFrames says so) with `raw_values` written as given."""

    def make() -> bytes:
        pixels = gray_frames(frames, 16, 16)
        codestreams = [htj2k_codestream(frame) for frame in (pixels if frames > 1 else [pixels])]
        ds = encapsulated(make_dataset(pixels), codestreams, HTJ2K_LOSSLESS_RPCL)
        for keyword, value in raw_values.items():
            with_raw_value(ds, keyword, value)
        return part10_bytes(ds)

    return make


def us(value: int) -> bytes:
    return value.to_bytes(2, "little")


def empty_encapsulated_pixel_data() -> bytes:
    """HTJ2K, but its PixelData is an empty value (pydicom will not write one, so the bytes are cut)."""
    data = htj2k()()
    at = data.index(b"\xe0\x7f\x10\x00OB\x00\x00\xff\xff\xff\xff")
    return data[:at] + b"\xe0\x7f\x10\x00OB\x00\x00\x00\x00\x00\x00"


def rows_of_one_byte() -> bytes:
    """Rows (US, two bytes) written with a one-byte value in the middle of the file."""
    data = good_instance()
    return data.replace(b"\x28\x00\x10\x00US\x02\x00\x08\x00", b"\x28\x00\x10\x00US\x01\x00\x08", 1)


def two_htj2k_frames_behind_an_offset_table() -> bytes:
    """NumberOfFrames 1, but the basic offset table names two frames."""
    pixels = gray_frames(2, 16, 16)
    ds = encapsulated(
        make_dataset(pixels), [htj2k_codestream(frame) for frame in pixels], HTJ2K_LOSSLESS_RPCL
    )
    ds.NumberOfFrames = 1
    return part10_bytes(ds)


INVALID = {
    "truncated-native-pixel-data": (truncated_native_pixel_data, "pixel data"),
    "truncated-htj2k-pixel-data": (truncated_htj2k_pixel_data, "pixel data"),
    "not-dicom": (not_dicom, "DICOM"),
    "no-sop-instance-uid": (without_sop_instance_uid, "SOPInstanceUID"),
    "mpeg2": (unsupported_transfer_syntax, MPEG2_MAIN_PROFILE),
    "cut-in-file-meta": (cut_in_the_file_meta, ""),
    "cut-in-element-value": (cut_in_an_element_value, "SamplesPerPixel"),
    "number-of-frames-not-a-number": (native(NumberOfFrames=b"ab"), "NumberOfFrames is 'ab'"),
    "number-of-frames-not-a-number-htj2k": (htj2k(NumberOfFrames=b"ab"), "NumberOfFrames is 'ab'"),
    "number-of-frames-negative": (native(NumberOfFrames=b"-2"), "NumberOfFrames is '-2'"),
    "number-of-frames-two-values": (htj2k(NumberOfFrames=b"1\\2 "), "NumberOfFrames"),
    "more-frames-named-than-sent": (native(NumberOfFrames=b"3 "), "pixel data"),
    "more-frames-named-than-sent-htj2k": (htj2k(NumberOfFrames=b"3 "), "NumberOfFrames is 3"),
    "more-frames-sent-than-named-htj2k": (two_htj2k_frames_behind_an_offset_table, "holds 2 frames"),
    "empty-pixel-data": (native(PixelData=b""), "PixelData is empty"),
    "empty-pixel-data-htj2k": (empty_encapsulated_pixel_data, "PixelData is empty"),
    "pixel-data-too-short": (native(PixelData=bytes(10)), "pixel data"),
    "rows-zero": (native(Rows=us(0)), "Rows"),
    "rows-not-the-codestream-s": (htj2k(Rows=us(99)), "Rows"),
    "columns-not-the-codestream-s": (htj2k(Columns=us(8)), "Columns"),
    "rows-of-one-byte": (rows_of_one_byte, "Rows"),
    "bits-allocated-12": (native(BitsAllocated=us(12)), "Bits Allocated"),
    "bits-allocated-12-htj2k": (htj2k(BitsAllocated=us(12)), "Bits Allocated"),
    "bits-stored-above-bits-allocated-htj2k": (htj2k(BitsStored=us(20)), "Bits Stored"),
    "samples-per-pixel-2": (native(SamplesPerPixel=us(2)), "Samples per Pixel"),
    "samples-per-pixel-3-htj2k": (htj2k(SamplesPerPixel=us(3), PlanarConfiguration=us(0)), "Samples"),
    "pixel-representation-2-htj2k": (htj2k(PixelRepresentation=us(2)), "Pixel Representation"),
    "photometric-interpretation-unknown-htj2k": (htj2k(PhotometricInterpretation=b"FOO "), "FOO"),
    "sop-instance-uid-two-values": (native(SOPInstanceUID=b"1.2.3\\1.2.4 "), "SOPInstanceUID"),
}


@pytest.mark.parametrize("name", INVALID)
def test_an_invalid_file_is_one_failure_line_and_the_rest_still_imports(
    medical_imaging_client, datastore_id, s3, name
):
    make, reason = INVALID[name]
    files = {"in/good.dcm": good_instance(), "in/bad.dcm": make()}

    _, successes, failures = import_files(medical_imaging_client, s3, datastore_id, files)

    assert [line["inputFile"] for line in successes] == ["in/good.dcm"]
    assert [(line["inputFile"], line["exception"]["exceptionType"]) for line in failures] == [
        ("in/bad.dcm", "ValidationException")
    ]
    message = failures[0]["exception"]["message"]
    assert message
    assert reason.lower() in message.lower()


def test_each_invalid_file_of_a_job_gets_its_own_failure_line(medical_imaging_client, datastore_id, s3):
    invalid = {
        "in/truncated.dcm": truncated_native_pixel_data(),
        "in/notes.txt": not_dicom(),
        "in/no-sop.dcm": without_sop_instance_uid(),
        "in/video.dcm": unsupported_transfer_syntax(),
        "in/frames-ab.dcm": native(NumberOfFrames=b"ab")(),
        "in/empty.dcm": empty_encapsulated_pixel_data(),
    }
    files = {"in/good-1.dcm": good_instance(), "in/good-2.dcm": good_instance(), **invalid}

    job, successes, failures = import_files(medical_imaging_client, s3, datastore_id, files)

    assert sorted(line["inputFile"] for line in failures) == sorted(invalid)
    assert sorted(line["inputFile"] for line in successes) == ["in/good-1.dcm", "in/good-2.dcm"]
    summary = json.loads(read(s3, job["outputS3Uri"] + "job-output-manifest.json"))["jobSummary"]
    assert (summary["numberOfScannedFiles"], summary["numberOfImportedFiles"]) == (8, 2)
    assert (summary["numberOfFilesWithCustomerError"], summary["numberOfFilesWithServerError"]) == (6, 0)
