"""Image set metadata documents built from DICOM: seeding with `mi.create_image_set`, read back with
GetImageSetMetadata; real pydicom sample files, generated Part 10 datasets and the real example document."""

from __future__ import annotations

import io
import json
import re
import zlib
from pathlib import Path

import numpy as np
import pydicom
import pytest
from aws_helpers import metadata, new_datastore
from dicom_factory import (
    dataset_from_document,
    frame_checksum,
    frames_of,
    gray_frames,
    make_dataset,
    part10_bytes,
    reread,
    sample_file,
    write_part10,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydicom.uid import generate_uid

from medimaging_mock.domain.errors import ConflictException, ResourceNotFoundException
from medimaging_mock.domain.metadata.builder import InvalidDataset, build_instance

# The real, de-identified document of the behaviour reference (§7.2), copied unchanged.
REFERENCE = Path(__file__).parent / "data" / "example-image-set-metadata.json"
HTJ2K_LOSSLESS = "1.2.840.10008.1.2.4.202"
FRAME_ID = re.compile(r"[0-9a-f]{32}")
UNKNOWN_ID = "0123456789abcdef0123456789abcdef"

CT_STUDY_UID = "1.3.6.1.4.1.5962.1.2.1.20040119072730.12322"
CT_SERIES_UID = "1.3.6.1.4.1.5962.1.3.1.1.20040119072730.12322"
CT_SOP_UID = "1.3.6.1.4.1.5962.1.1.1.1.1.20040119072730.12322"
MR_STUDY_UID = "1.3.6.1.4.1.5962.1.2.4.20040826185059.5457"
MR_SERIES_UID = "1.3.6.1.4.1.5962.1.3.4.1.20040826185059.5457"
MR_SOP_UID = "1.3.6.1.4.1.5962.1.1.4.1.1.20040826185059.5457"


@pytest.fixture
def seed(medical_imaging, medical_imaging_client, datastore_id):
    """Seed one image set from the datasets; its metadata document as GetImageSetMetadata returns it."""

    def seed_and_read(datasets) -> dict:
        image_set_id = medical_imaging.create_image_set(datastore_id, datasets)
        return metadata(medical_imaging_client, datastore_id, image_set_id)

    return seed_and_read


def instances(document: dict) -> list[dict]:
    return [
        instance
        for series in document["Study"]["Series"].values()
        for instance in series["Instances"].values()
    ]


def only_instance(document: dict) -> dict:
    [instance] = instances(document)
    return instance


def only_series(document: dict) -> dict:
    [series] = document["Study"]["Series"].values()
    return series


def levels(document: dict) -> dict[str, dict]:
    return {
        "patient": document["Patient"]["DICOM"],
        "study": document["Study"]["DICOM"],
        "series": only_series(document)["DICOM"],
        "instance": only_instance(document)["DICOM"],
    }


def level_of(document: dict, keyword: str) -> list[str]:
    return [name for name, block in levels(document).items() if keyword in block]


def expected_frame(frame: np.ndarray) -> dict:
    """What one ImageFrames entry must say about these pixels, computed without the mock."""
    return {
        "PixelDataChecksumFromBaseToFullResolution": [
            {"Width": frame.shape[1], "Height": frame.shape[0], "Checksum": frame_checksum(frame)}
        ],
        "MinPixelValue": frame.min().item(),
        "MaxPixelValue": frame.max().item(),
        "FrameSizeInBytes": frame.nbytes,
    }


def without_ids(frames: list[dict]) -> list[dict]:
    return [{key: value for key, value in frame.items() if key != "ID"} for frame in frames]


# --- document shape ------------------------------------------------------------------------------------


def test_document_names_schema_version_datastore_and_image_set(
    medical_imaging, medical_imaging_client, datastore_id
):
    image_set_id = medical_imaging.create_image_set(datastore_id, [sample_file("CT_small.dcm")])

    document = metadata(medical_imaging_client, datastore_id, image_set_id)

    assert set(document) == {"SchemaVersion", "DatastoreID", "ImageSetID", "Patient", "Study"}
    assert document["SchemaVersion"] == "1.1"
    assert document["DatastoreID"] == datastore_id
    assert document["ImageSetID"] == image_set_id
    assert set(document["Patient"]) == {"DICOM"}
    assert set(document["Study"]) == {"DICOM", "Series"}


def test_series_and_instances_are_keyed_by_their_uids(seed):
    document = seed([sample_file("CT_small.dcm")])

    assert document["Study"]["DICOM"]["StudyInstanceUID"] == CT_STUDY_UID
    assert list(document["Study"]["Series"]) == [CT_SERIES_UID]
    series = document["Study"]["Series"][CT_SERIES_UID]
    assert set(series) == {"DICOM", "Instances"}
    assert series["DICOM"]["SeriesInstanceUID"] == CT_SERIES_UID
    assert list(series["Instances"]) == [CT_SOP_UID]
    assert series["Instances"][CT_SOP_UID]["DICOM"]["SOPInstanceUID"] == CT_SOP_UID


def test_instance_has_dicom_vrs_stored_syntax_checksum_type_and_frames(seed):
    instance = only_instance(seed([sample_file("MR_small.dcm")]))

    assert set(instance) == {"DICOM", "DICOMVRs", "StoredTransferSyntaxUID", "ChecksumType", "ImageFrames"}
    assert instance["ChecksumType"] == "DECOMPRESSED"


def test_two_series_of_one_study_become_two_series_entries_with_their_own_series_elements(seed):
    study_uid = generate_uid()
    ct = make_dataset(gray_frames(1, 4, 4), study_uid=study_uid, Modality="CT", SeriesNumber="1")
    mr = make_dataset(gray_frames(1, 4, 4), study_uid=study_uid, Modality="MR", SeriesNumber="2")

    document = seed([part10_bytes(ct), part10_bytes(mr)])

    series = document["Study"]["Series"]
    assert set(series) == {ct.SeriesInstanceUID, mr.SeriesInstanceUID}
    assert series[ct.SeriesInstanceUID]["DICOM"]["Modality"] == "CT"
    assert series[mr.SeriesInstanceUID]["DICOM"]["Modality"] == "MR"
    assert list(series[ct.SeriesInstanceUID]["Instances"]) == [ct.SOPInstanceUID]
    assert list(series[mr.SeriesInstanceUID]["Instances"]) == [mr.SOPInstanceUID]


def test_instances_of_one_series_share_one_series_entry(seed):
    study_uid, series_uid = generate_uid(), generate_uid()
    first, second, third = (
        make_dataset(gray_frames(1, 2, 2, seed=n), study_uid=study_uid, series_uid=series_uid)
        for n in range(3)
    )

    document = seed([first, second, third])

    assert list(document["Study"]["Series"]) == [series_uid]
    assert set(document["Study"]["Series"][series_uid]["Instances"]) == {
        first.SOPInstanceUID,
        second.SOPInstanceUID,
        third.SOPInstanceUID,
    }


def test_paths_bytes_and_datasets_are_all_accepted_as_sources(seed, tmp_path):
    study_uid = generate_uid()
    as_path = make_dataset(gray_frames(1, 2, 2), study_uid=study_uid)
    as_str = make_dataset(gray_frames(1, 2, 2), study_uid=study_uid)
    as_bytes = make_dataset(gray_frames(1, 2, 2), study_uid=study_uid)
    as_dataset = make_dataset(gray_frames(1, 2, 2), study_uid=study_uid)

    document = seed(
        [
            write_part10(as_path, tmp_path / "a.dcm"),
            str(write_part10(as_str, tmp_path / "b.dcm")),
            part10_bytes(as_bytes),
            as_dataset,
        ]
    )

    assert {i["DICOM"]["SOPInstanceUID"] for i in instances(document)} == {
        d.SOPInstanceUID for d in (as_path, as_str, as_bytes, as_dataset)
    }


# --- levels --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("keyword", "value", "level"),
    [
        ("PatientName", "Doe^Jane", "patient"),
        ("PatientID", "PID-7", "patient"),
        ("StudyDate", "20240102", "study"),
        ("AccessionNumber", "ACC-1", "study"),
        ("StudyID", "S-9", "study"),
        ("Modality", "OT", "series"),
        ("Manufacturer", "ACME", "series"),
        ("SeriesDescription", "axial", "series"),
        ("ContentDate", "20240103", "instance"),
        ("ImageComments", "hello", "instance"),
    ],
)
def test_each_element_sits_at_its_metadata_level_only(seed, keyword, value, level):
    document = seed([make_dataset(gray_frames(1, 2, 2), **{keyword: value})])

    assert level_of(document, keyword) == [level]
    assert levels(document)[level][keyword] == value


def test_uids_sit_at_their_own_levels(seed):
    ds = make_dataset(gray_frames(1, 2, 2))

    document = seed([ds])

    assert level_of(document, "StudyInstanceUID") == ["study"]
    assert level_of(document, "SeriesInstanceUID") == ["series"]
    assert level_of(document, "SOPInstanceUID") == ["instance"]
    assert level_of(document, "SeriesNumber") == []  # not given, not invented


def test_series_number_sits_at_series_level(seed):
    document = seed([make_dataset(gray_frames(1, 2, 2), SeriesNumber="12")])

    assert level_of(document, "SeriesNumber") == ["series"]


def test_file_meta_elements_are_instance_level_with_the_original_transfer_syntax(seed):
    document = seed([sample_file("MR_small_RLE.dcm")])

    instance = only_instance(document)
    assert instance["DICOM"]["TransferSyntaxUID"] == "1.2.840.10008.1.2.5"
    assert instance["DICOM"]["FileMetaInformationVersion"] == "AAE="
    assert instance["DICOM"]["MediaStorageSOPInstanceUID"] == MR_SOP_UID
    assert level_of(document, "TransferSyntaxUID") == ["instance"]
    assert instance["StoredTransferSyntaxUID"] == HTJ2K_LOSSLESS


def test_every_element_of_a_sample_file_appears_at_exactly_one_level(seed):
    path = sample_file("CT_small.dcm")
    ds = pydicom.dcmread(path)
    in_file = {
        pydicom.datadict.keyword_for_tag(e.tag) if not e.tag.is_private else f"{int(e.tag):08X}"
        for container in (ds.file_meta, ds)
        for e in container
        if e.keyword not in ("PixelData", "DataSetTrailingPadding")
    }

    document = seed([path])

    blocks = levels(document)
    for keyword in in_file:
        assert len([name for name, block in blocks.items() if keyword in block]) == 1, keyword
    assert {"PixelData", "DataSetTrailingPadding"}.isdisjoint(set().union(*blocks.values()))


# --- stored transfer syntax ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "CT_small.dcm",  # explicit VR little endian
        "MR_small_implicit.dcm",  # implicit VR little endian
        "MR_small_bigendian.dcm",  # explicit VR big endian
        "MR_small_RLE.dcm",  # RLE lossless
        "MR_small_jp2klossless.dcm",  # JPEG 2000 lossless
        "image_dfl.dcm",  # deflated explicit VR little endian
    ],
)
def test_native_and_lossless_inputs_are_stored_as_htj2k_lossless(seed, name):
    assert only_instance(seed([sample_file(name)]))["StoredTransferSyntaxUID"] == HTJ2K_LOSSLESS


def test_32_bit_frames_are_stored_natively_because_openjpeg_cannot_read_32_bit_codestreams(seed):
    instance = only_instance(seed([sample_file("rtdose.dcm")]))
    assert instance["StoredTransferSyntaxUID"] == "1.2.840.10008.1.2.1"


def test_jpeg_2000_lossy_input_is_stored_as_sent(seed):
    instance = only_instance(seed([sample_file("JPEG2000.dcm")]))

    assert instance["StoredTransferSyntaxUID"] == "1.2.840.10008.1.2.4.91"
    assert instance["DICOM"]["TransferSyntaxUID"] == "1.2.840.10008.1.2.4.91"


def test_datastore_with_jpeg_2000_lossless_format_stores_native_input_as_jpeg_2000_lossless(
    medical_imaging, medical_imaging_client
):
    datastore_id = new_datastore(medical_imaging_client, "j2k", losslessStorageFormat="JPEG_2000_LOSSLESS")
    image_set_id = medical_imaging.create_image_set(datastore_id, [sample_file("CT_small.dcm")])

    document = metadata(medical_imaging_client, datastore_id, image_set_id)

    assert only_instance(document)["StoredTransferSyntaxUID"] == "1.2.840.10008.1.2.4.90"


# --- value encoding ------------------------------------------------------------------------------------


def test_empty_values_are_null(seed):
    document = seed(
        [make_dataset(gray_frames(1, 2, 2), AccessionNumber="", PatientBirthDate="", SeriesDescription="")]
    )

    assert document["Study"]["DICOM"]["AccessionNumber"] is None
    assert document["Patient"]["DICOM"]["PatientBirthDate"] is None
    assert only_series(document)["DICOM"]["SeriesDescription"] is None


def test_elements_that_may_repeat_are_arrays_even_with_one_value(seed):
    document = seed(
        [
            make_dataset(
                gray_frames(1, 2, 2),
                ImageType=["ORIGINAL"],
                SoftwareVersions="1.0",
                WindowCenter="40",
                ScanOptions="HELICAL",
            )
        ]
    )

    assert only_instance(document)["DICOM"]["ImageType"] == ["ORIGINAL"]
    assert only_series(document)["DICOM"]["SoftwareVersions"] == ["1.0"]
    assert only_instance(document)["DICOM"]["WindowCenter"] == ["40"]
    assert only_instance(document)["DICOM"]["ScanOptions"] == ["HELICAL"]


def test_multiple_values_are_arrays_in_order(seed):
    document = seed([make_dataset(gray_frames(1, 2, 2), ImageType=["DERIVED", "PRIMARY", "AXIAL"])])

    assert only_instance(document)["DICOM"]["ImageType"] == ["DERIVED", "PRIMARY", "AXIAL"]


def test_single_valued_text_elements_are_plain_strings(seed):
    document = seed([make_dataset(gray_frames(1, 2, 2), PatientName="Doe^Jane^^Dr", Modality="CT")])

    assert document["Patient"]["DICOM"]["PatientName"] == "Doe^Jane^^Dr"
    assert only_series(document)["DICOM"]["Modality"] == "CT"


def test_text_in_the_datasets_character_set_is_decoded(seed):
    ds = make_dataset(
        gray_frames(1, 2, 2),
        SpecificCharacterSet="ISO_IR 192",
        PatientName="Müller^Hans",
        StudyDescription="Ünï",
    )

    document = seed([part10_bytes(ds)])

    assert document["Patient"]["DICOM"]["PatientName"] == "Müller^Hans"
    assert document["Study"]["DICOM"]["StudyDescription"] == "Ünï"


def test_the_same_text_bytes_are_decoded_by_each_files_character_set(seed):
    """Elements are encoded once per process by what their encoding depends on: the bytes and the character
    set both, so the second file's name is not the first one's."""
    latin1 = make_dataset(gray_frames(1, 2, 2), SpecificCharacterSet="ISO_IR 100", PatientName="Müller^Hans")
    name_bytes = "Müller^Hans".encode("latin-1")
    latin1_file = part10_bytes(latin1)
    utf8_file = latin1_file.replace(b"ISO_IR 100", b"ISO_IR 192")  # the same bytes, read as UTF-8 now

    first, second = seed([latin1_file]), seed([utf8_file])

    assert first["Patient"]["DICOM"]["PatientName"] == "Müller^Hans"
    assert second["Patient"]["DICOM"]["PatientName"] == name_bytes.decode("utf-8", "replace")


def test_a_file_imported_again_gives_the_same_document_and_a_changed_value_its_own(seed):
    dataset = make_dataset(gray_frames(1, 2, 2), PatientName="Doe^Jane", ImageType=["ORIGINAL", "PRIMARY"])
    again = make_dataset(gray_frames(1, 2, 2), PatientName="Doe^John", ImageType=["ORIGINAL", "PRIMARY"])

    first, second, changed = (
        seed([part10_bytes(dataset)]),
        seed([part10_bytes(dataset)]),
        seed([part10_bytes(again)]),
    )

    assert only_instance(first)["DICOM"] == only_instance(second)["DICOM"]
    assert first["Patient"]["DICOM"]["PatientName"] == "Doe^Jane"
    assert changed["Patient"]["DICOM"]["PatientName"] == "Doe^John"


def test_us_ss_and_ul_values_are_json_numbers(seed):
    pixels = np.array([[-5, 3], [7, 100]], dtype=np.int16)
    ds = make_dataset(pixels, bits_stored=12, PixelPaddingValue=-2000)
    ds["PixelPaddingValue"].VR = "SS"

    document = seed([part10_bytes(ds)])

    dicom = only_instance(document)["DICOM"]
    assert dicom["Rows"] == 2
    assert dicom["Columns"] == 2
    assert dicom["BitsAllocated"] == 16
    assert dicom["BitsStored"] == 12
    assert dicom["HighBit"] == 11
    assert dicom["PixelRepresentation"] == 1
    assert only_series(document)["DICOM"]["PixelPaddingValue"] == -2000
    assert isinstance(dicom["FileMetaInformationGroupLength"], int)


def test_is_and_ds_keep_the_stored_strings_with_even_length_padding(seed, tmp_path):
    ds = make_dataset(
        gray_frames(1, 2, 2),
        PixelSpacing=["0.25", "0.25"],  # stored as "0.25\0.25 "
        SeriesNumber="1",  # stored as "1 "
        InstanceNumber="12",  # even length: no padding
        RescaleIntercept="-1000",  # stored as "-1000 "
    )
    path = write_part10(ds, tmp_path / "padded.dcm")
    assert pydicom.dcmread(path).get_item("PixelSpacing").value == b"0.25\\0.25 "

    document = seed([path])

    dicom = only_instance(document)["DICOM"]
    assert dicom["PixelSpacing"] == ["0.25", "0.25 "]
    assert dicom["InstanceNumber"] == "12"
    assert dicom["RescaleIntercept"] == "-1000 "
    assert only_series(document)["DICOM"]["SeriesNumber"] == "1 "


def test_ds_padding_is_kept_inside_sequence_items(seed):
    item = pydicom.Dataset()
    item.SliceThickness = "5"  # stored as "5 "
    item.ReferencedSOPInstanceUID = generate_uid()
    ds = make_dataset(gray_frames(1, 2, 2))
    ds.ReferencedImageSequence = [item]

    document = seed([part10_bytes(ds)])

    [encoded] = only_instance(document)["DICOM"]["ReferencedImageSequence"]
    assert encoded["SliceThickness"] == "5 "


def test_is_and_ds_of_a_dataset_built_in_memory_are_their_strings(seed):
    document = seed([make_dataset(gray_frames(1, 2, 2), PixelSpacing=["0.5", "0.75"], InstanceNumber="3")])

    dicom = only_instance(document)["DICOM"]
    assert dicom["PixelSpacing"] == ["0.5", "0.75"]
    assert dicom["InstanceNumber"] == "3"


def test_binary_values_are_base64(seed):
    ds = make_dataset(gray_frames(1, 2, 2))
    ds.add_new(0x00282000, "OB", b"\x01\x02\x03\x04")  # ICC Profile

    dicom = only_instance(seed([part10_bytes(ds)]))["DICOM"]

    assert dicom["ICCProfile"] == "AQIDBA=="
    assert dicom["FileMetaInformationVersion"] == "AAE="


def test_sequences_are_arrays_of_objects_with_keyword_keys(seed):
    document = seed([sample_file("CT_small.dcm")])

    assert document["Patient"]["DICOM"]["OtherPatientIDsSequence"] == [
        {"PatientID": "ABCD1234", "TypeOfPatientID": "TEXT"},
        {"PatientID": "1234ABCD", "TypeOfPatientID": "TEXT"},
    ]


def test_private_tags_use_upper_case_hex_keys_and_carry_their_vr(seed):
    ds = make_dataset(gray_frames(1, 2, 2))
    block = ds.private_block(0x0009, "ACME 1.0", create=True)
    block.add_new(0x01, "LO", "hello")
    block.add_new(0x1A, "US", 7)
    block.add_new(0x1B, "DS", ["1.5", "22.5"])  # even length: no padding

    instance = only_instance(seed([part10_bytes(ds)]))

    assert instance["DICOM"]["00090010"] == "ACME 1.0"
    assert instance["DICOM"]["00091001"] == "hello"
    assert instance["DICOM"]["0009101A"] == 7
    assert instance["DICOM"]["0009101B"] == ["1.5", "22.5"]
    assert instance["DICOMVRs"] == {"00090010": "LO", "00091001": "LO", "0009101A": "US", "0009101B": "DS"}


def test_private_tags_of_a_real_file_keep_values_and_vrs(seed):
    instance = only_instance(seed([sample_file("CT_small.dcm")]))

    assert instance["DICOM"]["00090010"] == "GEMS_IDEN_01"
    assert instance["DICOM"]["00091001"] == "GE_GENESIS_FF"
    assert instance["DICOM"]["000910E7"] == 973283917
    assert instance["DICOM"]["00431012"] == [14, 2, 3]
    assert instance["DICOMVRs"]["00091001"] == "LO"
    assert instance["DICOMVRs"]["000910E7"] == "UL"
    assert instance["DICOMVRs"]["00431028"] == "OB"
    assert all(re.fullmatch(r"[0-9A-F]{8}", key) for key in instance["DICOMVRs"])
    assert set(instance["DICOMVRs"]) <= set(instance["DICOM"])


def test_dicom_vrs_is_an_empty_object_without_private_tags(seed):
    assert only_instance(seed([sample_file("MR_small.dcm")]))["DICOMVRs"] == {}


def test_pixel_data_is_never_a_key(seed):
    document = seed([sample_file("CT_small.dcm")])

    assert all("PixelData" not in block for block in levels(document).values())


# --- image frames --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "CT_small.dcm",  # CT, 16-bit signed
        "MR_small.dcm",  # MR, 16-bit signed
        "MR_small_bigendian.dcm",  # big-endian pixels: checksum over little-endian bytes
        "rtdose.dcm",  # 15 frames, 32-bit
        "examples_rgb_color.dcm",  # RGB 8-bit, 320x240
        "SC_rgb_small_odd.dcm",  # RGB 3x3, odd size
        "SC_rgb_rle_2frame.dcm",  # RGB RLE, 2 frames
        "JPEG2000.dcm",  # kept as sent, decoded for its checksum
    ],
)
def test_image_frames_describe_the_decoded_pixels_of_each_frame(seed, name):
    path = sample_file(name)
    expected = [expected_frame(frame) for frame in frames_of(pydicom.dcmread(path))]

    frames = only_instance(seed([path]))["ImageFrames"]

    assert without_ids(frames) == expected


def test_multi_frame_instance_has_one_image_frame_per_frame_with_distinct_ids(seed):
    path = sample_file("rtdose.dcm")
    pixels = frames_of(pydicom.dcmread(path))

    frames = only_instance(seed([path]))["ImageFrames"]

    assert len(frames) == len(pixels) == 15
    assert len({frame["ID"] for frame in frames}) == 15
    assert all(FRAME_ID.fullmatch(frame["ID"]) for frame in frames)
    assert [f["PixelDataChecksumFromBaseToFullResolution"][0]["Checksum"] for f in frames] == [
        frame_checksum(p) for p in pixels
    ]


def test_generated_multi_frame_frames_are_in_frame_order(seed):
    pixels = gray_frames(4, 3, 5, dtype="uint16", seed=7)

    frames = only_instance(seed([part10_bytes(make_dataset(pixels))]))["ImageFrames"]

    assert without_ids(frames) == [expected_frame(frame) for frame in pixels]


def test_frame_ids_are_unique_across_instances(seed):
    study_uid = generate_uid()
    datasets = [make_dataset(gray_frames(3, 2, 2, seed=n), study_uid=study_uid) for n in range(3)]

    document = seed(datasets)

    ids = [frame["ID"] for instance in instances(document) for frame in instance["ImageFrames"]]
    assert len(ids) == len(set(ids)) == 9


def test_frame_width_is_columns_and_height_is_rows(seed):
    frame = only_instance(seed([make_dataset(gray_frames(1, 3, 5))]))["ImageFrames"][0]

    assert frame["PixelDataChecksumFromBaseToFullResolution"][0]["Width"] == 5
    assert frame["PixelDataChecksumFromBaseToFullResolution"][0]["Height"] == 3


def test_signed_pixels_give_negative_minimum(seed):
    pixels = np.array([[-1024, 0], [12, 3071]], dtype=np.int16)

    frame = only_instance(seed([make_dataset(pixels, bits_stored=16)]))["ImageFrames"][0]

    assert frame["MinPixelValue"] == -1024
    assert frame["MaxPixelValue"] == 3071
    assert frame["FrameSizeInBytes"] == 8
    assert frame["PixelDataChecksumFromBaseToFullResolution"][0]["Checksum"] == frame_checksum(pixels)


def test_checksum_is_a_known_crc32_value(seed):
    pixels = np.array([[0, 1], [256, 65535]], dtype=np.uint16)
    known = zlib.crc32(b"\x00\x00\x01\x00\x00\x01\xff\xff")

    frame = only_instance(seed([make_dataset(pixels)]))["ImageFrames"][0]

    assert frame["PixelDataChecksumFromBaseToFullResolution"] == [
        {"Width": 2, "Height": 2, "Checksum": known}
    ]


def test_same_pixels_in_any_transfer_syntax_have_the_same_checksum(seed):
    names = ["MR_small.dcm", "MR_small_bigendian.dcm", "MR_small_RLE.dcm", "MR_small_jp2klossless.dcm"]
    expected = frame_checksum(pydicom.dcmread(sample_file("MR_small.dcm")).pixel_array)

    checksums = set()
    for name in names:
        frame = only_instance(seed([sample_file(name)]))["ImageFrames"][0]
        checksums.add(frame["PixelDataChecksumFromBaseToFullResolution"][0]["Checksum"])

    assert checksums == {expected}


def test_instance_without_pixel_data_has_no_image_frames(seed):
    instance = only_instance(seed([make_dataset(None, Modality="SR")]))

    assert set(instance) == {"DICOM", "DICOMVRs", "StoredTransferSyntaxUID"}  # no frames, so no checksums
    assert instance["DICOMVRs"] == {}
    assert instance["StoredTransferSyntaxUID"] == HTJ2K_LOSSLESS


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    dtype=st.sampled_from(["uint8", "int8", "uint16", "int16"]),
    frames=st.integers(1, 3),
    rows=st.integers(1, 6),
    columns=st.integers(1, 6),
    rgb=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_builder_frames_match_the_pixels_that_were_written(dtype, frames, rows, columns, rgb, seed):
    if rgb and not dtype.startswith("u"):
        dtype = "u" + dtype  # colour pixels are unsigned
    rng = np.random.default_rng(seed)
    info = np.iinfo(dtype)
    shape = (rows, columns) + ((3,) if rgb else ())
    pixels = rng.integers(info.min, info.max, size=(frames, *shape), endpoint=True, dtype=dtype)
    written = pixels[0] if frames == 1 else pixels
    ds = reread(make_dataset(written, photometric="RGB" if rgb else "MONOCHROME2"))
    ids = iter(f"{n:032x}" for n in range(frames))

    built = build_instance(ds, "generated", lambda: next(ids))

    assert [frame.to_json() for frame in built.instance.frames] == [
        {"ID": f"{n:032x}", **expected_frame(frame)} for n, frame in enumerate(pixels)
    ]


# --- real sample files, field by field -----------------------------------------------------------------


def test_ct_small_patient_block(seed):
    assert seed([sample_file("CT_small.dcm")])["Patient"]["DICOM"] == {
        "PatientName": "CompressedSamples^CT1",
        "PatientID": "1CT1",
        "PatientBirthDate": None,
        "PatientSex": "O",
        "OtherPatientIDsSequence": [
            {"PatientID": "ABCD1234", "TypeOfPatientID": "TEXT"},
            {"PatientID": "1234ABCD", "TypeOfPatientID": "TEXT"},
        ],
    }


def test_ct_small_study_block(seed):
    assert seed([sample_file("CT_small.dcm")])["Study"]["DICOM"] == {
        "StudyInstanceUID": CT_STUDY_UID,
        "StudyDate": "20040119",
        "StudyTime": "072730",
        "AccessionNumber": None,
        "ReferringPhysicianName": None,
        "StudyDescription": "e+1",
        "StudyID": "1CT1",
        "PatientAge": "000Y",
        "PatientWeight": "0.000000",
        "AdditionalPatientHistory": None,
    }


def test_ct_small_series_block(seed):
    assert only_series(seed([sample_file("CT_small.dcm")]))["DICOM"] == {
        "SeriesInstanceUID": CT_SERIES_UID,
        "SeriesNumber": "1 ",
        "SeriesDate": "19970430",
        "SeriesTime": "112749",
        "Modality": "CT",
        "Manufacturer": "GE MEDICAL SYSTEMS",
        "InstitutionName": "JFK IMAGING CENTER",
        "StationName": "CT01_OC0",
        "ManufacturerModelName": "RHAPSODE",
        "SoftwareVersions": ["05"],
        "PatientPosition": "FFS",
        "FrameOfReferenceUID": "1.3.6.1.4.1.5962.1.4.1.1.20040119072730.12322",
        "Laterality": None,
        "PositionReferenceIndicator": "SN",
        "PixelPaddingValue": -2000,
    }


def test_ct_small_instance_values(seed):
    dicom = only_instance(seed([sample_file("CT_small.dcm")]))["DICOM"]

    assert {key: dicom[key] for key in CT_INSTANCE_VALUES} == CT_INSTANCE_VALUES


CT_INSTANCE_VALUES = {
    "FileMetaInformationGroupLength": 192,
    "FileMetaInformationVersion": "AAE=",
    "MediaStorageSOPClassUID": "1.2.840.10008.5.1.4.1.1.2",
    "TransferSyntaxUID": "1.2.840.10008.1.2.1",
    "ImplementationVersionName": "DCTOOL100",
    "SourceApplicationEntityTitle": "CLUNIE1",
    "SpecificCharacterSet": ["ISO_IR 100"],
    "ImageType": ["ORIGINAL", "PRIMARY", "AXIAL"],
    "SOPClassUID": "1.2.840.10008.5.1.4.1.1.2",
    "SOPInstanceUID": CT_SOP_UID,
    "ContentTime": "113008",
    "KVP": "120 ",
    "SliceThickness": "5.000000",
    "DistanceSourceToDetector": "1099.3100585938 ",
    "ExposureTime": "1601",
    "XRayTubeCurrent": "170 ",
    "FocalSpots": ["0.700000"],
    "AcquisitionNumber": "2 ",
    "InstanceNumber": "1 ",
    "ImagePositionPatient": ["-158.135803", "-179.035797", "-75.699997"],
    "ImageOrientationPatient": ["1.000000", "0.000000", "0.000000", "0.000000", "1.000000", "0.000000 "],
    "SliceLocation": "-77.2040634155",
    "SamplesPerPixel": 1,
    "PhotometricInterpretation": "MONOCHROME2",
    "Rows": 128,
    "Columns": 128,
    "PixelSpacing": ["0.661468", "0.661468 "],
    "BitsAllocated": 16,
    "BitsStored": 16,
    "HighBit": 15,
    "PixelRepresentation": 1,
    "RescaleIntercept": "-1024 ",
    "RescaleSlope": "1 ",
}


def test_ct_small_frame(seed):
    pixels = pydicom.dcmread(sample_file("CT_small.dcm")).pixel_array

    [frame] = only_instance(seed([sample_file("CT_small.dcm")]))["ImageFrames"]

    assert FRAME_ID.fullmatch(frame["ID"])
    assert frame["PixelDataChecksumFromBaseToFullResolution"] == [
        {"Width": 128, "Height": 128, "Checksum": frame_checksum(pixels)}
    ]
    assert frame["MinPixelValue"] == int(pixels.min())
    assert frame["MaxPixelValue"] == int(pixels.max())
    assert frame["FrameSizeInBytes"] == 128 * 128 * 2


def test_mr_small_levels(seed):
    document = seed([sample_file("MR_small.dcm")])

    assert document["Patient"]["DICOM"] == {
        "PatientName": "CompressedSamples^MR1",
        "PatientID": "4MR1",
        "PatientBirthDate": None,
        "PatientSex": "F",
    }
    assert document["Study"]["DICOM"] == {
        "StudyInstanceUID": MR_STUDY_UID,
        "StudyDate": "20040826",
        "StudyTime": "185059",
        "AccessionNumber": None,
        "ReferringPhysicianName": None,
        "NameOfPhysiciansReadingStudy": ["----"],
        "StudyID": "4MR1",
        "PatientSize": None,
        "PatientWeight": "80.0000 ",
    }
    assert only_series(document)["DICOM"] == {
        "SeriesInstanceUID": MR_SERIES_UID,
        "SeriesNumber": "1 ",
        "SeriesDate": None,
        "SeriesTime": None,
        "Modality": "MR",
        "Manufacturer": "TOSHIBA_MEC",
        "InstitutionName": "TOSHIBA",
        "StationName": "000000000",
        "OperatorsName": ["----"],
        "ManufacturerModelName": "MRT50H1",
        "DeviceSerialNumber": "-0000200",
        "SoftwareVersions": ["V3.51*P25"],
        "PatientPosition": "HFS",
        "FrameOfReferenceUID": "1.3.6.1.4.1.5962.1.4.4.1.20040826185059.5457",
        "Laterality": None,
        "PositionReferenceIndicator": None,
    }


def test_mr_small_instance_values(seed):
    dicom = only_instance(seed([sample_file("MR_small.dcm")]))["DICOM"]

    assert dicom["ImageType"] == ["DERIVED", "SECONDARY", "OTHER"]
    assert dicom["EchoNumbers"] == ["1 "]
    assert dicom["EchoTrainLength"] is None
    assert dicom["ImagingFrequency"] == "63.92433900 "
    assert dicom["WindowCenter"] == ["600 "]
    assert dicom["WindowWidth"] == ["1600"]
    assert dicom["SmallestImagePixelValue"] == 0
    assert dicom["LargestImagePixelValue"] == 4000
    assert dicom["ImageComments"] == "Uncompressed"


def test_rgb_sample_frame_counts_every_sample(seed):
    path = sample_file("examples_rgb_color.dcm")
    pixels = pydicom.dcmread(path).pixel_array

    instance = only_instance(seed([path]))

    assert instance["DICOM"]["PhotometricInterpretation"] == "RGB"
    assert instance["DICOM"]["SamplesPerPixel"] == 3
    [frame] = instance["ImageFrames"]
    assert frame["PixelDataChecksumFromBaseToFullResolution"] == [
        {"Width": 320, "Height": 240, "Checksum": frame_checksum(pixels)}
    ]
    assert frame["FrameSizeInBytes"] == 320 * 240 * 3


# --- the real example document -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def reference() -> dict:
    return json.loads(REFERENCE.read_text())


def reference_parts(reference: dict) -> tuple[dict, dict, dict, dict]:
    [series] = reference["Study"]["Series"].values()
    [instance] = series["Instances"].values()
    return reference["Patient"]["DICOM"], reference["Study"]["DICOM"], series["DICOM"], instance


@pytest.fixture
def reference_rebuilt(seed, reference, tmp_path) -> tuple[dict, str]:
    """The elements of the real example, written to a Part 10 file and seeded; (document, file path)."""
    patient, study, series, instance = reference_parts(reference)
    path = write_part10(
        dataset_from_document(patient, study, series, instance["DICOM"]), tmp_path / "reference.dcm"
    )
    return seed([path]), path


def test_reference_example_patient_and_study_blocks_are_reproduced(reference, reference_rebuilt):
    document, _ = reference_rebuilt
    patient, study, _, _ = reference_parts(reference)

    assert document["Patient"]["DICOM"] == patient
    assert document["Study"]["DICOM"] == study


def test_reference_example_series_block_is_reproduced(reference, reference_rebuilt):
    document, _ = reference_rebuilt
    _, _, series, _ = reference_parts(reference)

    assert only_series(document)["DICOM"] == series


def test_reference_example_instance_block_is_reproduced(reference, reference_rebuilt):
    document, path = reference_rebuilt
    _, _, _, instance = reference_parts(reference)
    expected = dict(instance["DICOM"])
    # The group length is the rebuilt file's own; every other value must match the real document.
    expected["FileMetaInformationGroupLength"] = pydicom.dcmread(
        path
    ).file_meta.FileMetaInformationGroupLength

    assert only_instance(document)["DICOM"] == expected


def test_reference_example_instance_members(reference, reference_rebuilt):
    document, _ = reference_rebuilt
    _, _, _, instance = reference_parts(reference)

    built = only_instance(document)
    assert built["DICOMVRs"] == instance["DICOMVRs"] == {}
    assert built["StoredTransferSyntaxUID"] == instance["StoredTransferSyntaxUID"] == HTJ2K_LOSSLESS


def test_reference_example_keys_sit_at_the_same_levels(reference, reference_rebuilt):
    document, _ = reference_rebuilt
    patient, study, series, instance = reference_parts(reference)

    assert set(document["Patient"]["DICOM"]) == set(patient)
    assert set(document["Study"]["DICOM"]) == set(study)
    assert set(only_series(document)["DICOM"]) == set(series)
    assert set(only_instance(document)["DICOM"]) == set(instance["DICOM"])


def test_reference_example_frame_has_the_same_members_as_ours(reference, seed):
    _, _, _, instance = reference_parts(reference)
    [theirs] = instance["ImageFrames"]

    [ours] = only_instance(seed([sample_file("CT_small.dcm")]))["ImageFrames"]

    assert set(ours) == set(theirs)
    assert set(ours["PixelDataChecksumFromBaseToFullResolution"][-1]) == {"Width", "Height", "Checksum"}


# --- whole documents, written out independently of the builder -----------------------------------------

STUDY_UID = "1.2.826.0.1.3680043.8.498.101"
SERIES_UID = "1.2.826.0.1.3680043.8.498.102"
SOP_UID = "1.2.826.0.1.3680043.8.498.103"
SECONDARY_CAPTURE = "1.2.840.10008.5.1.4.1.1.7"
EXPLICIT_VR_LITTLE_ENDIAN = "1.2.840.10008.1.2.1"


def without_frame_ids(document: dict) -> dict:
    """The document with each frame's generated ID left out (checked on its own)."""
    document = json.loads(json.dumps(document))
    for instance in instances(document):
        instance["ImageFrames"] = without_ids(instance["ImageFrames"])
    return document


def frame_ids(document: dict) -> list[str]:
    return [frame["ID"] for instance in instances(document) for frame in instance["ImageFrames"]]


def file_meta_as_written(ds: pydicom.Dataset) -> dict:
    """The file meta elements pydicom itself wrote (its implementation UID and version, and the group length
    those make), as the document must carry them."""
    meta = ds.file_meta
    return {
        "FileMetaInformationGroupLength": meta.FileMetaInformationGroupLength,
        "ImplementationClassUID": meta.ImplementationClassUID,
        "ImplementationVersionName": meta.ImplementationVersionName,
    }


def test_served_document_of_one_instance_is_exactly_the_expected_json(seed):
    pixels = np.array([[0, 1], [256, 65535]], dtype=np.uint16)
    ds = make_dataset(
        pixels,
        study_uid=STUDY_UID,
        series_uid=SERIES_UID,
        sop_uid=SOP_UID,
        PatientName="Doe^Jane",
        StudyDate="20240102",
        Modality="OT",
        ImageComments="hello",
    )
    file_bytes = part10_bytes(ds)
    written = pydicom.dcmread(io.BytesIO(file_bytes))

    document = seed([file_bytes])

    [frame_id] = frame_ids(document)
    assert FRAME_ID.fullmatch(frame_id)
    assert without_frame_ids(document) == {
        "SchemaVersion": "1.1",
        "DatastoreID": document["DatastoreID"],
        "ImageSetID": document["ImageSetID"],
        "Patient": {"DICOM": {"PatientName": "Doe^Jane"}},
        "Study": {
            "DICOM": {"StudyInstanceUID": STUDY_UID, "StudyDate": "20240102"},
            "Series": {
                SERIES_UID: {
                    "DICOM": {"SeriesInstanceUID": SERIES_UID, "Modality": "OT"},
                    "Instances": {
                        SOP_UID: {
                            "DICOM": {
                                **file_meta_as_written(written),
                                "FileMetaInformationVersion": "AAE=",
                                "MediaStorageSOPClassUID": SECONDARY_CAPTURE,
                                "MediaStorageSOPInstanceUID": SOP_UID,
                                "TransferSyntaxUID": EXPLICIT_VR_LITTLE_ENDIAN,
                                "SOPClassUID": SECONDARY_CAPTURE,
                                "SOPInstanceUID": SOP_UID,
                                "ImageComments": "hello",
                                "SamplesPerPixel": 1,
                                "PhotometricInterpretation": "MONOCHROME2",
                                "Rows": 2,
                                "Columns": 2,
                                "BitsAllocated": 16,
                                "BitsStored": 16,
                                "HighBit": 15,
                                "PixelRepresentation": 0,
                            },
                            "DICOMVRs": {},
                            "StoredTransferSyntaxUID": HTJ2K_LOSSLESS,
                            "ChecksumType": "DECOMPRESSED",
                            "ImageFrames": [
                                {
                                    "PixelDataChecksumFromBaseToFullResolution": [
                                        {
                                            "Width": 2,
                                            "Height": 2,
                                            "Checksum": zlib.crc32(b"\x00\x00\x01\x00\x00\x01\xff\xff"),
                                        }
                                    ],
                                    "MinPixelValue": 0,
                                    "MaxPixelValue": 65535,
                                    "FrameSizeInBytes": 8,
                                }
                            ],
                        }
                    },
                }
            },
        },
    }


def test_served_document_of_several_series_is_exactly_the_expected_json(seed):
    study_uid = generate_uid()
    datasets = [
        reread(
            make_dataset(gray_frames(2, 3, 3, seed=n), study_uid=study_uid, Modality=m, SeriesNumber=str(n))
        )
        for n, m in enumerate(["CT", "MR", "CT"])
    ]

    document = seed([part10_bytes(d) for d in datasets])

    ids = frame_ids(document)
    assert len(ids) == len(set(ids)) == 6
    assert all(FRAME_ID.fullmatch(frame_id) for frame_id in ids)
    assert without_frame_ids(document) == {
        "SchemaVersion": "1.1",
        "DatastoreID": document["DatastoreID"],
        "ImageSetID": document["ImageSetID"],
        "Patient": {"DICOM": {}},
        "Study": {
            "DICOM": {"StudyInstanceUID": study_uid},
            "Series": {
                ds.SeriesInstanceUID: {
                    "DICOM": {
                        "SeriesInstanceUID": ds.SeriesInstanceUID,
                        "Modality": ds.Modality,
                        "SeriesNumber": f"{n} ",  # IS "n" padded to even length in the file
                    },
                    "Instances": {
                        ds.SOPInstanceUID: {
                            "DICOM": {
                                **file_meta_as_written(ds),
                                "FileMetaInformationVersion": "AAE=",
                                "MediaStorageSOPClassUID": SECONDARY_CAPTURE,
                                "MediaStorageSOPInstanceUID": ds.SOPInstanceUID,
                                "TransferSyntaxUID": EXPLICIT_VR_LITTLE_ENDIAN,
                                "SOPClassUID": SECONDARY_CAPTURE,
                                "SOPInstanceUID": ds.SOPInstanceUID,
                                "SamplesPerPixel": 1,
                                "PhotometricInterpretation": "MONOCHROME2",
                                "NumberOfFrames": "2 ",
                                "Rows": 3,
                                "Columns": 3,
                                "BitsAllocated": 16,
                                "BitsStored": 16,
                                "HighBit": 15,
                                "PixelRepresentation": 0,
                            },
                            "DICOMVRs": {},
                            "StoredTransferSyntaxUID": HTJ2K_LOSSLESS,
                            "ChecksumType": "DECOMPRESSED",
                            "ImageFrames": [expected_frame(frame) for frame in frames_of(ds)],
                        }
                    },
                }
                for n, ds in enumerate(datasets)
            },
        },
    }


# --- bad input -----------------------------------------------------------------------------------------


def test_refused_input_raises_a_value_error_naming_the_input(medical_imaging, datastore_id):
    """The handle's contract: bad input raises ValueError, so callers need not import the mock's classes."""
    with pytest.raises(ValueError, match=r"bytes #0") as err:
        medical_imaging.create_image_set(datastore_id, [b"not dicom"])

    assert isinstance(err.value, InvalidDataset)
    assert medical_imaging.backend().datastores[datastore_id].image_sets == {}


def test_bytes_that_are_not_dicom_are_refused_naming_their_position(medical_imaging, datastore_id):
    good = part10_bytes(make_dataset(gray_frames(1, 2, 2)))

    with pytest.raises(InvalidDataset, match=r"bytes #1"):
        medical_imaging.create_image_set(datastore_id, [good, b"not dicom"])


def test_a_text_file_is_refused_naming_its_path(medical_imaging, datastore_id, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("just some text\n")

    with pytest.raises(InvalidDataset, match=re.escape(str(path))):
        medical_imaging.create_image_set(datastore_id, [path])


@pytest.mark.parametrize("keyword", ["SOPInstanceUID", "StudyInstanceUID", "SeriesInstanceUID"])
def test_a_dataset_without_a_uid_is_refused_naming_the_dataset_and_the_uid(
    medical_imaging, datastore_id, keyword
):
    ds = make_dataset(gray_frames(1, 2, 2))
    delattr(ds, keyword)

    with pytest.raises(InvalidDataset, match=rf"dataset #0.*{keyword}"):
        medical_imaging.create_image_set(datastore_id, [ds])


def test_datasets_of_two_studies_are_refused(medical_imaging, datastore_id):
    first, second = make_dataset(gray_frames(1, 2, 2)), make_dataset(gray_frames(1, 2, 2))

    with pytest.raises(InvalidDataset) as err:
        medical_imaging.create_image_set(datastore_id, [first, second])

    assert first.StudyInstanceUID in str(err.value)
    assert second.StudyInstanceUID in str(err.value)


def test_the_same_sop_instance_twice_is_refused(medical_imaging, datastore_id):
    ds = make_dataset(gray_frames(1, 2, 2))

    with pytest.raises(InvalidDataset, match=re.escape(ds.SOPInstanceUID)) as err:
        medical_imaging.create_image_set(datastore_id, [ds, part10_bytes(ds)])

    assert "bytes #1" in str(err.value)


def test_pixel_data_that_cannot_be_decoded_is_refused_naming_the_dataset(medical_imaging, datastore_id):
    good = make_dataset(gray_frames(1, 2, 2))
    broken = make_dataset(gray_frames(1, 4, 4), study_uid=good.StudyInstanceUID)
    broken.PixelData = broken.PixelData[:5]

    with pytest.raises(InvalidDataset, match=r"dataset #1"):
        medical_imaging.create_image_set(datastore_id, [good, broken])


def test_a_truncated_sample_file_is_refused_naming_its_path(medical_imaging, datastore_id):
    path = sample_file("MR_truncated.dcm")

    with pytest.raises(InvalidDataset, match=re.escape(path)):
        medical_imaging.create_image_set(datastore_id, [path])


def test_an_empty_list_is_refused(medical_imaging, datastore_id):
    with pytest.raises(InvalidDataset):
        medical_imaging.create_image_set(datastore_id, [])


def test_refused_input_leaves_no_image_set_behind(medical_imaging, medical_imaging_client, datastore_id):
    with pytest.raises(InvalidDataset):
        medical_imaging.create_image_set(datastore_id, [make_dataset(gray_frames(1, 2, 2)), b"not dicom"])

    assert medical_imaging.backend().datastores[datastore_id].image_sets == {}
    deleted = medical_imaging_client.delete_datastore(datastoreId=datastore_id)
    assert deleted["datastoreStatus"] == "DELETING"


def test_seeding_a_datastore_that_is_still_creating_is_a_conflict(medical_imaging, medical_imaging_client):
    medical_imaging.transitions = "manual"
    datastore_id = medical_imaging_client.create_datastore(datastoreName="creating")["datastoreId"]

    with pytest.raises(ConflictException):
        medical_imaging.create_image_set(datastore_id, [make_dataset(gray_frames(1, 2, 2))])

    medical_imaging.advance()
    assert medical_imaging.create_image_set(datastore_id, [make_dataset(gray_frames(1, 2, 2))])


def test_seeding_an_unknown_datastore_is_not_found(medical_imaging):
    with pytest.raises(ResourceNotFoundException):
        medical_imaging.create_image_set(UNKNOWN_ID, [make_dataset(gray_frames(1, 2, 2))])
