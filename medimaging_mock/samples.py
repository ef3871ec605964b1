"""Generated DICOM for the demo and the benchmarks: small, valid Part 10 instances of one study."""

from __future__ import annotations

import numpy as np
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

CT_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.2"


def generated_study(
    series: int = 1, instances_per_series: int = 3, size: int = 64, patient_id: str = "DEMO-0001"
) -> list[Dataset]:
    """CT instances with 12-bit pixels; each instance's pixels differ, so their checksums do too."""
    study_uid = generate_uid()
    datasets = []
    for series_number in range(1, series + 1):
        series_uid = generate_uid()
        for number in range(1, instances_per_series + 1):
            ds = Dataset()
            ds.file_meta = FileMetaDataset()
            ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
            ds.PatientName, ds.PatientID = "DEMO^PATIENT", patient_id
            ds.StudyInstanceUID, ds.StudyDate, ds.StudyTime, ds.StudyID = (
                study_uid,
                "20260102",
                "030405",
                "S1",
            )
            ds.AccessionNumber, ds.StudyDescription = "ACC-1", "CHEST"
            ds.SeriesInstanceUID, ds.SeriesNumber, ds.Modality = series_uid, series_number, "CT"
            ds.SOPClassUID, ds.SOPInstanceUID, ds.InstanceNumber = CT_IMAGE_STORAGE, generate_uid(), number
            ds.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL"]
            ds.PixelSpacing = ["0.5", "0.5"]
            pixels = (np.arange(size * size, dtype=np.uint16).reshape(size, size) * number) % 4096
            ds.set_pixel_data(pixels, "MONOCHROME2", bits_stored=12)
            datasets.append(ds)
    return datasets
