"""DICOMweb WADO-RS through HTTP, as requests and dicomweb-client call it: Part 10 files whose pixels are
the seeded ones bit for bit (Explicit VR Little Endian and the stored HTJ2K), metadata holding the seeded
attributes with the stored transfer syntax, series metadata, frames in the order asked, bulkdata, the
image-set rules (primary only unless imageSetId, never deleted, the latest version) and the errors."""

from __future__ import annotations

import base64
import io
import json
from typing import Any

import numpy as np
import openjpeg
import pydicom
import pytest
from dicom_factory import (
    encapsulated,
    gray_frames,
    htj2k_codestream,
    make_dataset,
    reread,
    sample_file,
)
from dicomweb_helpers import (
    DICOMWEB,
    ELE,
    HTJ2K_LOSSLESS_RPCL,
    datastore_root,
    dicomweb_client_for,
    signed_session,
)
from pydicom.dataset import Dataset
from pydicom.encaps import generate_frames
from pydicom.pixels import pack_bits
from pydicom.uid import generate_uid

from medimaging_mock.samples import generated_study

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")  # pydicom's and dicomweb-client's remarks

JPEG_BASELINE = "1.2.840.10008.1.2.4.50"
PRIVATE_CREATOR = "ACME 1.0"
BULK_SIZE = 1536 * 1024  # over the 1 MiB bulkdata threshold
RAW_CODESTREAM = b"\xff\x4f\xff\x51"  # SOC then SIZ: no JP2/JPH boxes


# --- helpers --------------------------------------------------------------------------------------------


def instance_url(datastore_id: str, ds: Dataset, *tail: str) -> str:
    path = f"studies/{ds.StudyInstanceUID}/series/{ds.SeriesInstanceUID}/instances/{ds.SOPInstanceUID}"
    return "/".join((datastore_root(datastore_id), path, *tail))


def series_url(datastore_id: str, ds: Dataset) -> str:
    return f"{datastore_root(datastore_id)}/studies/{ds.StudyInstanceUID}/series/{ds.SeriesInstanceUID}"


def get(url: str, accept: str, **params: str):
    return signed_session().get(url, headers={"Accept": accept}, params=params)


def part10(datastore_id: str, ds: Dataset, syntax: str, **params: str) -> Dataset:
    response = get(instance_url(datastore_id, ds), f"application/dicom; transfer-syntax={syntax}", **params)
    assert response.status_code == 200, response.text
    return pydicom.dcmread(io.BytesIO(response.content))


def metadata(datastore_id: str, ds: Dataset, **params: str) -> dict[str, Any]:
    response = get(instance_url(datastore_id, ds, "metadata"), "application/dicom+json", **params)
    assert response.status_code == 200, response.text
    (found,) = response.json()
    return found


def multipart_parts(response) -> list[tuple[str, bytes]]:
    """(Content-Type, body) of each part of a multipart/related response."""
    content_type = response.headers["Content-Type"]
    boundary = content_type.split("boundary=")[1].split(";")[0].strip('"').encode()
    parts = []
    for part in response.content.split(b"--" + boundary)[1:-1]:
        headers, _, body = part.partition(b"\r\n\r\n")
        part_type = next(
            line.split(b":", 1)[1].strip().decode()
            for line in headers.split(b"\r\n")
            if line.lower().startswith(b"content-type:")
        )
        parts.append((part_type, body.removesuffix(b"\r\n")))
    return parts


def expected_json(ds: Dataset) -> dict[str, Any]:
    """What pydicom itself writes for the seeded dataset (as a file holds it), without pixel data."""
    written = reread(ds)
    del written.PixelData
    return written.to_json_dict()


def error_of(response) -> tuple[int, str, str]:
    return response.status_code, response.headers.get("x-amzn-ErrorType", ""), response.json()["message"]


def multiframe(study_uid: str | None = None, series_uid: str | None = None) -> tuple[Dataset, np.ndarray]:
    """Three signed 16-bit frames, negative values included."""
    pixels = gray_frames(3, 24, 20, dtype="int16", seed=7)
    ds = make_dataset(pixels, study_uid=study_uid, series_uid=series_uid, PatientName="MULTI^FRAME")
    return ds, pixels


def rich_instance() -> Dataset:
    """Every kind of value HealthImaging's metadata encoding writes: PN with components, multi-valued CS
    and DS, IS, US, "US or SS" holding a negative value, AT, sequences (one with a private element a
    private dictionary knows), private LO / US / DS / OB elements, and a large private OB."""
    pixels = gray_frames(2, 16, 12, dtype="int16", seed=3)
    ds = make_dataset(
        pixels,
        PatientName="DOE^JANE^^DR=ドウ^ジェーン",
        PatientID="P-42",
        StudyDescription="HEAD",
        Modality="MR",
        SeriesNumber="12",
        InstanceNumber="7",
        ImageType=["ORIGINAL", "PRIMARY", "AXIAL"],
        PixelSpacing=["0.5", "0.25"],
        SliceThickness="1.25",
        SpecificCharacterSet=["", "ISO 2022 IR 87"],
    )
    ds.add_new(0x00280106, "SS", -5)  # SmallestImagePixelValue: "US or SS" in the dictionary
    ds.FrameIncrementPointer = 0x00181063  # AT
    item = Dataset()
    item.ReferencedSOPClassUID = ds.SOPClassUID
    item.ReferencedSOPInstanceUID = generate_uid()
    ds.ReferencedImageSequence = [item]
    code = Dataset()
    code.CodeValue, code.CodingSchemeDesignator, code.CodeMeaning = "T-A0100", "SRT", "Brain"
    gems = code.private_block(0x0009, "GEMS_IDEN_01", create=True)
    gems.add_new(0x01, "LO", "GE_GENESIS_FF")
    ds.AnatomicRegionSequence = [code]
    block = ds.private_block(0x0011, PRIVATE_CREATOR, create=True)
    block.add_new(0x01, "LO", "ACME VALUE")
    block.add_new(0x02, "US", 42)
    block.add_new(0x03, "DS", "3.5")
    block.add_new(0x04, "OB", b"\x00\x01\x02\x03")
    block.add_new(0x05, "OB", bytes(range(256)) * (BULK_SIZE // 256))
    return ds


@pytest.fixture
def mi(medical_imaging, medical_imaging_client):
    return medical_imaging


# --- GetDICOMInstance ------------------------------------------------------------------------------------


def test_instance_in_explicit_vr_little_endian_holds_the_seeded_pixels(mi, datastore_id):
    ds, pixels = multiframe()
    mi.create_image_set(datastore_id, [ds])

    retrieved = part10(datastore_id, ds, ELE)

    assert retrieved.file_meta.TransferSyntaxUID == ELE
    assert retrieved.file_meta.MediaStorageSOPInstanceUID == ds.SOPInstanceUID
    assert retrieved.pixel_array.dtype == pixels.dtype
    assert np.array_equal(retrieved.pixel_array, pixels)
    assert retrieved.PatientName == "MULTI^FRAME"
    assert retrieved.SOPInstanceUID == ds.SOPInstanceUID


def test_instance_holds_every_seeded_attribute(mi, datastore_id):
    ds = rich_instance()
    mi.create_image_set(datastore_id, [ds])
    seeded = reread(ds)

    retrieved = part10(datastore_id, ds, ELE)

    for element in seeded:
        assert retrieved[element.tag].VR == element.VR, element
        if element.tag != 0x7FE00010:
            assert retrieved[element.tag].value == element.value, element
    assert np.array_equal(retrieved.pixel_array, seeded.pixel_array)


def test_instance_in_the_stored_htj2k_holds_codestreams_of_the_seeded_pixels(mi, datastore_id):
    ds, pixels = multiframe()
    mi.create_image_set(datastore_id, [ds])

    for asked in (HTJ2K_LOSSLESS_RPCL, "*"):
        retrieved = part10(datastore_id, ds, asked)

        assert retrieved.file_meta.TransferSyntaxUID == HTJ2K_LOSSLESS_RPCL
        codestreams = list(generate_frames(retrieved.PixelData, number_of_frames=3))
        assert all(stream.startswith(RAW_CODESTREAM) for stream in codestreams)
        decoded = [openjpeg.decode(stream).astype(pixels.dtype) for stream in codestreams]
        assert all(np.array_equal(frame, expected) for frame, expected in zip(decoded, pixels, strict=True))


def test_dicomweb_client_retrieves_the_instance(mi, datastore_id):
    ds, pixels = multiframe()
    mi.create_image_set(datastore_id, [ds])

    retrieved = dicomweb_client_for(datastore_id).retrieve_instance(
        ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.SOPInstanceUID
    )

    assert np.array_equal(retrieved.pixel_array, pixels)


def test_instance_without_a_transfer_syntax_is_explicit_vr_little_endian(mi, datastore_id):
    ds, pixels = multiframe()
    mi.create_image_set(datastore_id, [ds])

    response = get(instance_url(datastore_id, ds), "application/dicom")

    assert response.status_code == 200
    retrieved = pydicom.dcmread(io.BytesIO(response.content))
    assert retrieved.file_meta.TransferSyntaxUID == ELE
    assert np.array_equal(retrieved.pixel_array, pixels)


def test_a_syntax_stored_as_sent_comes_back_as_sent_or_decoded_to_rgb(mi, datastore_id):
    ds = pydicom.dcmread(sample_file("SC_rgb_jpeg_dcmtk.dcm"))  # JPEG baseline, YBR_FULL
    sent = list(generate_frames(ds.PixelData, number_of_frames=1))
    mi.create_image_set(datastore_id, [ds])

    as_stored = part10(datastore_id, ds, "*")
    assert as_stored.file_meta.TransferSyntaxUID == JPEG_BASELINE
    assert list(generate_frames(as_stored.PixelData, number_of_frames=1)) == sent
    assert as_stored.PhotometricInterpretation == "YBR_FULL"

    decoded = part10(datastore_id, ds, ELE)
    assert decoded.PhotometricInterpretation == "RGB"
    assert np.array_equal(decoded.pixel_array, ds.pixel_array)  # pydicom decodes YBR to RGB too


def test_single_bit_pixels_are_packed_across_frames_as_a_file_holds_them(mi, datastore_id):
    bits = np.random.default_rng(5).integers(0, 2, size=(3, 5, 5), dtype="uint8")  # 25 bits a frame
    ds = make_dataset()
    ds.Rows, ds.Columns, ds.NumberOfFrames, ds.SamplesPerPixel = 5, 5, 3, 1
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 1, 1, 0, 0
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.PixelData = pack_bits(bits)
    mi.create_image_set(datastore_id, [ds])

    retrieved = part10(datastore_id, ds, "*")

    assert retrieved.file_meta.TransferSyntaxUID == ELE  # single-bit pixels are stored natively
    assert retrieved.PixelData == pack_bits(bits)
    frames = dicomweb_client_for(datastore_id).retrieve_instance_frames(
        ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.SOPInstanceUID, frame_numbers=[2]
    )
    assert frames == [pack_bits(bits[1])]


def test_an_instance_without_pixel_data_has_no_frames(mi, datastore_id):
    ds = make_dataset(Modality="SR")
    ds.add_new(0x00280106, "SS", -5)  # "US or SS" with no PixelRepresentation to decide: the value does
    mi.create_image_set(datastore_id, [ds])

    retrieved = part10(datastore_id, ds, ELE)
    frames = get(instance_url(datastore_id, ds, "frames", "1"), 'multipart/related; type="*/*"')

    assert "PixelData" not in retrieved
    assert retrieved.Modality == "SR"
    assert metadata(datastore_id, ds)["00280106"] == {"vr": "SS", "Value": [-5]}
    status, code, message = error_of(frames)
    assert (status, code) == (404, "ResourceNotFoundException") and "0 frames" in message


def test_an_instance_without_a_sop_class_is_still_a_part10_file(mi, datastore_id):
    ds, pixels = multiframe()
    del ds.SOPClassUID, ds.file_meta.MediaStorageSOPClassUID
    mi.create_image_set(datastore_id, [ds])

    retrieved = part10(datastore_id, ds, "*")

    assert retrieved.file_meta.TransferSyntaxUID == HTJ2K_LOSSLESS_RPCL
    assert np.array_equal(retrieved.pixel_array, pixels)


# --- metadata --------------------------------------------------------------------------------------------


def test_instance_metadata_holds_the_seeded_attributes_and_the_stored_transfer_syntax(mi, datastore_id):
    ds = rich_instance()
    mi.create_image_set(datastore_id, [ds])
    expected = expected_json(ds)
    large = "00111005"

    found = dicomweb_client_for(datastore_id).retrieve_instance_metadata(
        ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.SOPInstanceUID
    )

    assert found["00020010"] == {"vr": "UI", "Value": [HTJ2K_LOSSLESS_RPCL]}
    assert {key for key in found if not key.startswith("0002")} == set(expected)
    for key, element in expected.items():
        if key != large:
            assert found[key] == element, key
    assert found["00100010"]["Value"] == [{"Alphabetic": "DOE^JANE^^DR", "Ideographic": "ドウ^ジェーン"}]
    assert found["00280106"] == {"vr": "SS", "Value": [-5]}
    assert found["00111003"] == {"vr": "DS", "Value": [3.5]}
    assert found["00111004"] == {"vr": "OB", "InlineBinary": base64.b64encode(b"\x00\x01\x02\x03").decode()}
    assert found["00082218"]["Value"][0]["00091001"] == {
        "vr": "LO",
        "Value": ["GE_GENESIS_FF"],
    }
    assert "7FE00010" not in found
    assert set(found[large]) == {"vr", "BulkDataURI"}
    assert found[large]["vr"] == "OB"


def test_bulkdata_round_trip_of_a_large_private_element(mi, datastore_id):
    ds = rich_instance()
    value = ds[0x00111005].value
    mi.create_image_set(datastore_id, [ds])

    uri = metadata(datastore_id, ds)["00111005"]["BulkDataURI"]

    assert uri.startswith(instance_url(datastore_id, ds, "bulkdata") + "/")
    assert uri.startswith(DICOMWEB)
    response = get(uri, "application/octet-stream")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/octet-stream"
    assert response.content == value
    assert dicomweb_client_for(datastore_id).retrieve_bulkdata(uri) == [value]
    unknown = get(instance_url(datastore_id, ds, "bulkdata", "0" * 32), "application/octet-stream")
    assert error_of(unknown)[:2] == (404, "ResourceNotFoundException")


def test_series_metadata_has_one_object_per_instance_in_document_order(mi, datastore_id):
    datasets = generated_study(series=2, instances_per_series=3)
    mi.create_image_set(datastore_id, datasets)
    first_series = datasets[:3]

    found = dicomweb_client_for(datastore_id).retrieve_series_metadata(
        first_series[0].StudyInstanceUID, first_series[0].SeriesInstanceUID
    )

    assert [item["00080018"]["Value"][0] for item in found] == [ds.SOPInstanceUID for ds in first_series]
    assert {item["0020000E"]["Value"][0] for item in found} == {first_series[0].SeriesInstanceUID}
    assert [item["00200013"]["Value"] for item in found] == [[1], [2], [3]]
    assert all(item["00020010"]["Value"] == [HTJ2K_LOSSLESS_RPCL] for item in found)


def test_a_series_in_several_primary_image_sets_is_all_their_instances(mi, datastore_id):
    first, _ = multiframe()
    second, pixels = multiframe(first.StudyInstanceUID, first.SeriesInstanceUID)
    mi.create_image_set(datastore_id, [first])
    mi.create_image_set(datastore_id, [second])  # a second primary image set holding the series

    found = dicomweb_client_for(datastore_id).retrieve_series_metadata(
        first.StudyInstanceUID, first.SeriesInstanceUID
    )

    assert [item["00080018"]["Value"][0] for item in found] == [first.SOPInstanceUID, second.SOPInstanceUID]
    assert np.array_equal(part10(datastore_id, second, ELE).pixel_array, pixels)


def test_an_update_shows_in_metadata_at_once_even_while_it_is_in_flight(
    mi, medical_imaging_client, datastore_id
):
    ds, _ = multiframe()
    image_set_id = mi.create_image_set(datastore_id, [ds])
    assert "00081030" not in metadata(datastore_id, ds)  # no StudyDescription yet
    mi.transitions = "manual"

    medical_imaging_client.update_image_set_metadata(
        datastoreId=datastore_id,
        imageSetId=image_set_id,
        latestVersionId="1",
        updateImageSetMetadataUpdates={
            "DICOMUpdates": {
                "updatableAttributes": json.dumps(
                    {"SchemaVersion": 1.1, "Study": {"DICOM": {"StudyDescription": "UPDATED"}}}
                )
            }
        },
    )

    assert metadata(datastore_id, ds)["00081030"] == {"vr": "LO", "Value": ["UPDATED"]}
    mi.advance()
    assert metadata(datastore_id, ds)["00081030"] == {"vr": "LO", "Value": ["UPDATED"]}
    assert part10(datastore_id, ds, ELE).StudyDescription == "UPDATED"


def test_a_value_its_vr_cannot_hold_is_left_out_not_an_error(mi, medical_imaging_client, datastore_id):
    ds, pixels = multiframe()
    image_set_id = mi.create_image_set(datastore_id, [ds])
    unfit = {
        "InstanceNumber": "one",
        "ImageType": ["DERIVED", "Ā"],
        "FrameIncrementPointer": "-1",
        "SmallestImagePixelValue": 70000,  # "US or SS": neither holds it
    }
    bad = {ds.SeriesInstanceUID: {"Instances": {ds.SOPInstanceUID: {"DICOM": unfit}}}}

    medical_imaging_client.update_image_set_metadata(
        datastoreId=datastore_id,
        imageSetId=image_set_id,
        latestVersionId="1",
        updateImageSetMetadataUpdates={
            "DICOMUpdates": {
                "updatableAttributes": json.dumps({"SchemaVersion": 1.1, "Study": {"Series": bad}})
            }
        },
        force=True,
    )

    found = metadata(datastore_id, ds)
    assert not {"00200013", "00080008", "00280009", "00280106"} & set(found)  # IS, CS, AT, US or SS
    assert found["00100010"]["Value"] == [{"Alphabetic": "MULTI^FRAME"}]
    retrieved = part10(datastore_id, ds, ELE)
    assert not {"InstanceNumber", "ImageType", "FrameIncrementPointer", "SmallestImagePixelValue"} & set(
        retrieved.dir()
    )
    assert np.array_equal(retrieved.pixel_array, pixels)


# --- frames ----------------------------------------------------------------------------------------------


def test_frames_in_explicit_vr_little_endian_come_in_the_order_asked(mi, datastore_id):
    ds, pixels = multiframe()
    mi.create_image_set(datastore_id, [ds])

    frames = dicomweb_client_for(datastore_id).retrieve_instance_frames(
        ds.StudyInstanceUID,
        ds.SeriesInstanceUID,
        ds.SOPInstanceUID,
        frame_numbers=[3, 1, 2],
        media_types=(("application/octet-stream", ELE),),
    )

    little_endian = pixels.astype("<i2")
    assert frames == [little_endian[2].tobytes(), little_endian[0].tobytes(), little_endian[1].tobytes()]


def test_frames_in_the_stored_htj2k_are_codestreams_of_the_seeded_pixels(mi, datastore_id):
    ds, pixels = multiframe()
    mi.create_image_set(datastore_id, [ds])
    accept = f"multipart/related; type=image/jphc; transfer-syntax={HTJ2K_LOSSLESS_RPCL}"

    response = get(instance_url(datastore_id, ds, "frames", "2,3"), accept)

    assert response.status_code == 200
    parts = multipart_parts(response)
    assert [part_type.split(";")[0] for part_type, _ in parts] == ["image/jphc", "image/jphc"]
    for (_, body), expected in zip(parts, pixels[1:], strict=True):
        assert body.startswith(RAW_CODESTREAM)
        assert np.array_equal(openjpeg.decode(body).astype(pixels.dtype), expected)


def test_frames_are_codestreams_whatever_frame_container_get_image_frame_uses(mi, datastore_id):
    ds, pixels = multiframe()
    mi.create_image_set(datastore_id, [ds])
    mi.frame_container = "jph"  # GetImageFrame's JP2 boxes are not DICOM's

    response = get(instance_url(datastore_id, ds, "frames", "1"), 'multipart/related; type="*/*"')
    retrieved = part10(datastore_id, ds, "*")

    ((_, body),) = multipart_parts(response)
    assert body.startswith(RAW_CODESTREAM)
    assert np.array_equal(openjpeg.decode(body).astype(pixels.dtype), pixels[0])
    assert next(generate_frames(retrieved.PixelData, number_of_frames=3)) == body


def test_frames_as_stored_are_the_frames_as_sent_for_a_syntax_stored_as_sent(mi, datastore_id):
    pixels = gray_frames(2, 16, 16, dtype="uint16", seed=11)
    sent = [htj2k_codestream(frame) for frame in pixels]
    ds = encapsulated(make_dataset(pixels), sent, "1.2.840.10008.1.2.4.203")
    mi.create_image_set(datastore_id, [ds])

    response = get(instance_url(datastore_id, ds, "frames", "1,2"), 'multipart/related; type="*/*"')

    assert [body for _, body in multipart_parts(response)] == sent


def test_a_frame_out_of_range_is_not_found(mi, datastore_id):
    ds, _ = multiframe()
    mi.create_image_set(datastore_id, [ds])

    response = get(
        instance_url(datastore_id, ds, "frames", "1,4"), "multipart/related; type=application/octet-stream"
    )

    status, code, message = error_of(response)
    assert (status, code) == (404, "ResourceNotFoundException")
    assert "Frame 4" in message and "3 frames" in message


# --- image sets: primary, imageSetId, deleted --------------------------------------------------------------


def test_a_non_primary_image_set_is_reached_only_with_its_id(mi, datastore_id):
    ds, pixels = multiframe()
    image_set_id = mi.create_image_set(datastore_id, [ds], is_primary=False)
    client = dicomweb_client_for(datastore_id)

    for url, accept in (
        (instance_url(datastore_id, ds), "application/dicom"),
        (instance_url(datastore_id, ds, "metadata"), "application/dicom+json"),
        (instance_url(datastore_id, ds, "frames", "1"), "multipart/related; type=application/octet-stream"),
        (f"{series_url(datastore_id, ds)}/metadata", "application/dicom+json"),
    ):
        status, code, message = error_of(get(url, accept))
        assert (status, code) == (404, "ResourceNotFoundException"), url
        assert image_set_id in message  # names the non-primary image set that holds the series

    assert np.array_equal(part10(datastore_id, ds, ELE, imageSetId=image_set_id).pixel_array, pixels)
    assert metadata(datastore_id, ds, imageSetId=image_set_id)["00080018"]["Value"] == [ds.SOPInstanceUID]
    frames = client.retrieve_instance_frames(
        ds.StudyInstanceUID,
        ds.SeriesInstanceUID,
        ds.SOPInstanceUID,
        frame_numbers=[2],
        media_types=(("application/octet-stream", ELE),),
        additional_params={"imageSetId": image_set_id},
    )
    assert frames == [pixels[1].astype("<i2").tobytes()]
    series = client.retrieve_series_metadata(
        ds.StudyInstanceUID, ds.SeriesInstanceUID, additional_params={"imageSetId": image_set_id}
    )
    assert len(series) == 1


def test_bulkdata_uris_of_a_named_image_set_name_it_too(mi, datastore_id):
    ds = rich_instance()
    image_set_id = mi.create_image_set(datastore_id, [ds], is_primary=False)

    uri = metadata(datastore_id, ds, imageSetId=image_set_id)["00111005"]["BulkDataURI"]

    assert uri.endswith(f"?imageSetId={image_set_id}")
    assert get(uri, "application/octet-stream").content == ds[0x00111005].value


def test_an_image_set_id_of_another_series_or_unknown_is_not_found(mi, datastore_id):
    ds, _ = multiframe()
    other, _ = multiframe()
    mi.create_image_set(datastore_id, [ds])
    other_id = mi.create_image_set(datastore_id, [other])

    wrong = error_of(
        get(instance_url(datastore_id, ds, "metadata"), "application/dicom+json", imageSetId=other_id)
    )
    unknown = error_of(
        get(instance_url(datastore_id, ds, "metadata"), "application/dicom+json", imageSetId="0" * 32)
    )

    assert wrong[:2] == (404, "ResourceNotFoundException") and other_id in wrong[2]
    assert unknown[:2] == (404, "ResourceNotFoundException") and "0" * 32 in unknown[2]


def test_a_deleted_image_set_is_gone(mi, medical_imaging_client, datastore_id):
    ds, _ = multiframe()
    image_set_id = mi.create_image_set(datastore_id, [ds])
    assert metadata(datastore_id, ds)

    medical_imaging_client.delete_image_set(datastoreId=datastore_id, imageSetId=image_set_id)

    for params in ({}, {"imageSetId": image_set_id}):
        for url, accept in (
            (instance_url(datastore_id, ds), "application/dicom"),
            (instance_url(datastore_id, ds, "metadata"), "application/dicom+json"),
            (f"{series_url(datastore_id, ds)}/metadata", "application/dicom+json"),
        ):
            assert error_of(get(url, accept, **params))[:2] == (404, "ResourceNotFoundException"), url


# --- errors ----------------------------------------------------------------------------------------------


def test_a_transfer_syntax_that_cannot_be_served_is_not_acceptable(mi, datastore_id):
    ds, _ = multiframe()
    mi.create_image_set(datastore_id, [ds])

    instance = get(instance_url(datastore_id, ds), f"application/dicom; transfer-syntax={JPEG_BASELINE}")
    frames = get(
        instance_url(datastore_id, ds, "frames", "1"),
        f"multipart/related; type=image/jpeg; transfer-syntax={JPEG_BASELINE}",
    )

    for response in (instance, frames):
        status, code, message = error_of(response)
        assert (status, code) == (406, "NotAcceptableException")
        assert HTJ2K_LOSSLESS_RPCL in message and JPEG_BASELINE in message


def test_the_first_servable_syntax_of_a_list_is_chosen(mi, datastore_id):
    ds, _ = multiframe()
    mi.create_image_set(datastore_id, [ds])
    accept = (
        f"multipart/related; type=image/jpeg; transfer-syntax={JPEG_BASELINE}, "
        f"multipart/related; type=image/jphc; transfer-syntax={HTJ2K_LOSSLESS_RPCL}, "
        f"multipart/related; type=application/octet-stream; transfer-syntax={ELE}"
    )

    response = get(instance_url(datastore_id, ds, "frames", "1"), accept)

    assert response.status_code == 200
    assert f"transfer-syntax={HTJ2K_LOSSLESS_RPCL}" in response.headers["Content-Type"]
    assert multipart_parts(response)[0][1].startswith(RAW_CODESTREAM)


def test_unknown_uids_are_not_found_naming_what(mi, datastore_id):
    ds, _ = multiframe()
    mi.create_image_set(datastore_id, [ds])
    unknown = generate_uid()
    root = datastore_root(datastore_id)
    cases = {
        f"{root}/studies/{unknown}/series/{ds.SeriesInstanceUID}/instances/{ds.SOPInstanceUID}": "Study",
        f"{root}/studies/{ds.StudyInstanceUID}/series/{unknown}/instances/{ds.SOPInstanceUID}": "Series",
        f"{root}/studies/{ds.StudyInstanceUID}/series/{ds.SeriesInstanceUID}/instances/{unknown}": "Instance",
    }

    for url, what in cases.items():
        for tail, accept in (("", "application/dicom"), ("/metadata", "application/dicom+json")):
            status, code, message = error_of(get(url + tail, accept))
            assert (status, code) == (404, "ResourceNotFoundException"), url
            assert message.startswith(f"{what} {unknown}"), message
    series = error_of(
        get(f"{root}/studies/{ds.StudyInstanceUID}/series/{unknown}/metadata", "application/json")
    )
    assert series[:2] == (404, "ResourceNotFoundException") and series[2].startswith(f"Series {unknown}")
