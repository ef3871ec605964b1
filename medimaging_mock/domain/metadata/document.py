"""The image set metadata document as immutable parts.

A new version replaces only the parts on the path to what changed and shares every other part with the
version before it (structural sharing), so a one-attribute update costs memory in proportion to the change.
Blocks are plain dicts or Overlays (overlay.py); treat every mapping here as read-only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from medimaging_mock.domain.metadata.overlay import plain

SCHEMA_VERSION = "1.1"
HTJ2K_LOSSLESS_RPCL = "1.2.840.10008.1.2.4.202"


@dataclass(frozen=True, slots=True)
class Frame:
    frame_id: str
    width: int
    height: int
    checksum: int  # CRC32 of the decoded, little-endian full-resolution pixels
    min_value: int | float
    max_value: int | float
    size_in_bytes: int

    def to_json(self) -> dict[str, Any]:
        return {
            "ID": self.frame_id,
            "PixelDataChecksumFromBaseToFullResolution": [
                {"Width": self.width, "Height": self.height, "Checksum": self.checksum}
            ],
            "MinPixelValue": self.min_value,
            "MaxPixelValue": self.max_value,
            "FrameSizeInBytes": self.size_in_bytes,
        }


@dataclass(frozen=True, slots=True)
class Instance:
    dicom: Mapping[str, Any]
    dicom_vrs: Mapping[str, str]
    stored_transfer_syntax_uid: str
    frames: tuple[Frame, ...]

    def to_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "DICOM": plain(self.dicom),
            "DICOMVRs": plain(self.dicom_vrs),
            "StoredTransferSyntaxUID": self.stored_transfer_syntax_uid,
        }
        if self.frames:
            document["ChecksumType"] = "DECOMPRESSED"
            document["ImageFrames"] = [frame.to_json() for frame in self.frames]
        return document


@dataclass(frozen=True, slots=True)
class Series:
    dicom: Mapping[str, Any]
    instances: Mapping[str, Instance]


@dataclass(frozen=True, slots=True, eq=False)
class Document:  # compared by identity: comparing two documents' contents is never what is meant
    patient: Mapping[str, Any]
    study: Mapping[str, Any]
    series: Mapping[str, Series]

    @property
    def study_instance_uid(self) -> str | None:
        return self.study.get("StudyInstanceUID")

    def instances(self) -> list[tuple[str, str, Instance]]:
        """(series UID, SOP instance UID, instance) for every instance."""
        return [(s_uid, i_uid, i) for s_uid, s in self.series.items() for i_uid, i in s.instances.items()]

    def frame_ids(self) -> set[str]:
        return {frame.frame_id for _, _, instance in self.instances() for frame in instance.frames}

    def to_json(self, datastore_id: str, image_set_id: str) -> dict[str, Any]:
        return {
            "SchemaVersion": SCHEMA_VERSION,
            "DatastoreID": datastore_id,
            "ImageSetID": image_set_id,
            "Patient": {"DICOM": plain(self.patient)},
            "Study": {
                "DICOM": plain(self.study),
                "Series": {
                    uid: {
                        "DICOM": plain(series.dicom),
                        "Instances": {sop: instance.to_json() for sop, instance in series.instances.items()},
                    }
                    for uid, series in self.series.items()
                },
            },
        }
