"""STOW-RS (StoreDICOM, StoreDICOMStudy): Part 10 files stored with import semantics, answered with the Store
Instances Response (PS3.18 Annex I).

Each file is built as an import job builds it (imports.build_checked: same checks, same length limits) and
the files are placed as an import places them (placement.py), under the datastore's lock: boto3 and DICOMweb
see them as soon as the call returns. A file that cannot be stored becomes a FailedSOPSequence item with a
FailureReason while the others are stored; every file is either referenced or failed, never dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from medimaging_mock.domain import imports, ingestion, placement
from medimaging_mock.domain.errors import ValidationException
from medimaging_mock.domain.metadata.builder import BuiltInstance, InvalidDataset

if TYPE_CHECKING:
    from pydicom.dataset import Dataset

    from medimaging_mock.domain.datastores import Datastore

log = logging.getLogger(__name__)
# FailureReason values (PS3.18 Annex I, the status codes of PS3.4 Annex B)
PROCESSING_FAILURE = 0x0110  # the mock itself failed on the file: a defect, answered as the service would
DOES_NOT_MATCH_SOP_CLASS = 0xA900  # read, but breaks a rule of the service: a UID missing, a value too long
CANNOT_UNDERSTAND = 0xC000  # not a Part 10 file, or an element or the pixel data cannot be read
STUDY_MISMATCH = 0xC409  # StoreDICOMStudy: an instance of another study than the path's (as dcm4chee-arc)
PREAMBLE = 128  # bytes before "DICM" in a Part 10 file (PS3.10 §7.1)
FILE_META_GROUP = b"\x02\x00"  # group 0002, little endian: where the file meta begins


@dataclass(frozen=True)
class Failure:
    """A file that was not stored: its UIDs as far as they could be read, and why."""

    sop_class_uid: str | None
    sop_instance_uid: str | None
    reason: int


@dataclass(frozen=True)
class Stored:
    """A file that was stored, and the image set (and version) that holds it now."""

    instance: BuiltInstance
    placed: placement.Placed


@dataclass(frozen=True)
class StoreOutcome:
    """What the request did, file by file in the order sent."""

    files: tuple[Stored | Failure, ...]

    @property
    def stored(self) -> int:
        return sum(isinstance(item, Stored) for item in self.files)

    @property
    def failed(self) -> int:
        return len(self.files) - self.stored

    def response(self, base_url: str, datastore_id: str) -> dict[str, Any]:
        """The Store Instances Response as DICOM JSON: RetrieveURL of the study when one study was stored,
        ReferencedSOPSequence, FailedSOPSequence (each only when it has items)."""
        from pydicom.dataset import Dataset

        root = f"{base_url}/datastore/{quote(datastore_id, safe='')}"
        stored = [item for item in self.files if isinstance(item, Stored)]
        failed = [item for item in self.files if isinstance(item, Failure)]
        response = Dataset()
        studies = {item.instance.study_uid for item in stored}
        if len(studies) == 1:
            _put(response, "RetrieveURL", _study_url(root, studies.pop()))
        if stored:
            response.ReferencedSOPSequence = [_referenced(root, item) for item in stored]
        if failed:
            response.FailedSOPSequence = [_failed(item) for item in failed]
        return response.to_json_dict()


def store(datastore: Datastore, instances: Sequence[bytes], study_uid: str | None = None) -> StoreOutcome:
    """Store the files into the datastore; with `study_uid` (StoreDICOMStudy), only those of that study."""
    if not instances:
        raise ValidationException("The request holds no DICOM instances to store")
    built = [
        _build(data, index, datastore.lossless_storage_format, study_uid)
        for index, data in enumerate(instances)
    ]
    good = [item for item in built if isinstance(item, BuiltInstance)]
    where: dict[int, placement.Placed] = {}
    with datastore.lock:  # from the check to the last image set: a deletion waits, or is refused
        datastore.require_active()
        for key, group in placement.groups(good).items():
            placed = placement.place(datastore, key, group)
            where.update((id(item), placed) for item in group)
    return StoreOutcome(
        tuple(Stored(item, where[id(item)]) if isinstance(item, BuiltInstance) else item for item in built)
    )


def _build(
    data: bytes, index: int, lossless_storage_format: str, study_uid: str | None
) -> BuiltInstance | Failure:
    dataset = None
    try:
        dataset, source = ingestion.load(_part10(data), index)
        built = imports.build_checked(dataset, source, lossless_storage_format)
    except InvalidDataset as error:
        return _failure(dataset, _reason(error))
    except Exception:  # a defect of the mock: answered as the service answers its own failures, and logged
        log.exception("medimaging_mock could not store DICOM instance #%d of a STOW-RS request", index + 1)
        return _failure(dataset, PROCESSING_FAILURE)
    if study_uid is not None and built.study_uid != study_uid:
        return Failure(built.text_value("SOPClassUID"), built.sop_uid, STUDY_MISMATCH)
    return built


def _part10(data: bytes) -> bytes:
    """The file as Part 10. dicomweb-client writes a dataset that was never read from a file (no preamble)
    with pydicom's dcmwrite as its file meta group first, without the 128-byte preamble and "DICM": the same
    file, given the preamble and prefix it lacks. Anything else is read as sent."""
    if data[PREAMBLE : PREAMBLE + 4] != b"DICM" and data[:2] == FILE_META_GROUP:
        return bytes(PREAMBLE) + b"DICM" + data
    return data


def _reason(error: InvalidDataset) -> int:
    """An InvalidDataset raised from another error is one that pydicom or a codec raised while reading the
    file: it cannot be understood. Without one, the file was read and breaks one of the service's rules."""
    return CANNOT_UNDERSTAND if error.__cause__ is not None else DOES_NOT_MATCH_SOP_CLASS


def _failure(dataset: Dataset | None, reason: int) -> Failure:
    return Failure(_uid_in(dataset, "SOPClassUID"), _uid_in(dataset, "SOPInstanceUID"), reason)


def _uid_in(dataset: Dataset | None, keyword: str) -> str | None:
    """The one UID the file states, or None: absent, several, or unreadable."""
    if dataset is None:
        return None
    try:
        value = dataset.get(keyword)
    except Exception:  # a malformed element fails in many ways inside pydicom
        return None
    return str(value) if isinstance(value, str) and value else None


def _referenced(root: str, item: Stored) -> Dataset:
    """ReferencedSOPSequence item. Its RetrieveURL reaches the copy this request stored: an instance placed
    in a non-primary image set is retrieved with that image set's id (reference §3, `imageSetId`)."""
    from pydicom.dataset import Dataset

    instance, image_set = item.instance, item.placed.image_set
    url = _study_url(root, instance.study_uid)
    url += f"/series/{quote(instance.series_uid, safe='')}/instances/{quote(instance.sop_uid, safe='')}"
    if not image_set.is_primary:
        url += f"?imageSetId={image_set.image_set_id}"
    entry = Dataset()
    _put(entry, "ReferencedSOPClassUID", instance.text_value("SOPClassUID"))
    _put(entry, "ReferencedSOPInstanceUID", instance.sop_uid)
    _put(entry, "RetrieveURL", url)
    return entry


def _failed(item: Failure) -> Dataset:
    """FailedSOPSequence item; SOPInstanceUID repeats the instance UID: the AHS DIMSE proxy reads it."""
    from pydicom.dataset import Dataset

    entry = Dataset()
    if item.sop_class_uid is not None:
        _put(entry, "ReferencedSOPClassUID", item.sop_class_uid)
    _put(entry, "ReferencedSOPInstanceUID", item.sop_instance_uid)
    _put(entry, "SOPInstanceUID", item.sop_instance_uid)
    _put(entry, "FailureReason", item.reason)
    return entry


def _study_url(root: str, study_uid: str) -> str:
    return f"{root}/studies/{quote(study_uid, safe='')}"


def _put(dataset: Dataset, keyword: str, value: Any) -> None:
    """Set an element without pydicom's value checks: the service accepted these values (UIDs up to 256
    characters), so the answer repeats them as they are, without warnings."""
    from pydicom import config
    from pydicom.datadict import dictionary_VR
    from pydicom.dataelem import DataElement
    from pydicom.tag import Tag

    tag = Tag(keyword)
    dataset.add(DataElement(tag, dictionary_VR(tag), value, validation_mode=config.IGNORE))
