"""DICOMUpdates: the `updatableAttributes` / `removableAttributes` documents, their rules, and how they
change a document.

Two kinds of failure, as the service has them (reference §9.3):
* what the request itself shows to be wrong (bad JSON, unknown levels, generated attributes, an attribute
  at the wrong level, a change that needs `force`, primary image set rules) raises ValidationException at
  once;
* what only the metadata shows (a series or instance that is not there, a removal that names another value,
  a new UID that is taken) raises UpdateFailed; the new version then ends UPDATE_FAILED with that message.
Applying a change copies only the parts on the path to what changes (see document.py).
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from medimaging_mock.domain import json_text
from medimaging_mock.domain.errors import ValidationException
from medimaging_mock.domain.metadata.document import Document, Series
from medimaging_mock.domain.metadata.levels import level_of
from medimaging_mock.domain.metadata.overlay import with_items, without_items
from medimaging_mock.domain.metadata.values import repeats

GENERATED = frozenset(
    {"SchemaVersion", "DatastoreID", "ImageSetID", "PixelData", "Checksum", "Width", "Height"}
    | {"MinPixelValue", "MaxPixelValue", "FrameSizeInBytes"}
)
NEEDS_FORCE = frozenset({"StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID", "StudyID"})
UIDS = ("StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID")
_HEX_TAG = re.compile(r"[0-9A-Fa-f]{8}")
_ROOT_KEYS = frozenset({"SchemaVersion", "Patient", "Study"})
_PATIENT_KEYS = frozenset({"DICOM"})
_STUDY_KEYS = frozenset({"DICOM", "Series"})
_SERIES_KEYS = frozenset({"DICOM", "Instances"})
_INSTANCE_KEYS = frozenset({"DICOM", "DICOMVRs"})
_NONE: dict[str, Any] = {}  # an absent level: read, never changed
Path = tuple[str, ...]  # the steps to a value, joined with dots in a message


class UpdateFailed(Exception):
    """A conflict with the metadata found while applying; becomes the failed version's message."""


# What one DICOMUpdates blob asks for, read from the request: plain dataclasses, as every update makes some.


@dataclass(slots=True)
class InstanceChange:
    dicom: dict[str, Any] = field(default_factory=dict)
    vrs: dict[str, str] = field(default_factory=dict)
    whole: bool = False  # `{}` in a removal: the instance itself


@dataclass(slots=True)
class SeriesChange:
    dicom: dict[str, Any] = field(default_factory=dict)
    instances: dict[str, InstanceChange] = field(default_factory=dict)
    whole: bool = False  # `{}` in a removal: the series itself


@dataclass(slots=True)
class Change:
    patient: dict[str, Any] = field(default_factory=dict)
    study: dict[str, Any] = field(default_factory=dict)
    series: dict[str, SeriesChange] = field(default_factory=dict)
    touches_uids: bool = False  # a UID of any level is given (each is only allowed at its own level)

    def study_level_only(self) -> Change:
        """What a sibling image set of the same study takes from this change (includeStudyImageSets)."""
        return Change(study=self.study, touches_uids="StudyInstanceUID" in self.study)


def parse(blob: bytes, member: str, *, removal: bool, force: bool) -> Change:
    """Read one DICOMUpdates blob and check every rule the request alone can break. Paths are tuples of
    steps, spelled out only in a message: a good request builds none of its texts."""
    root = _object(json_text.parse(blob, member), (member,), _ROOT_KEYS)
    if str(root.get("SchemaVersion")) != "1.1":
        raise ValidationException(f"{member}.SchemaVersion must be 1.1, not {root.get('SchemaVersion')!r}")
    patient = _object(root["Patient"], (member, "Patient"), _PATIENT_KEYS) if "Patient" in root else _NONE
    study = _object(root["Study"], (member, "Study"), _STUDY_KEYS) if "Study" in root else _NONE
    rules = _Rules(removal, force)
    series = {}
    blocks = _object(study["Series"], (member, "Study", "Series"), None) if "Series" in study else _NONE
    for uid, entry in blocks.items():
        path = (member, "Study", "Series", uid)
        block = _object(entry, path, _SERIES_KEYS)
        instances = {}
        for sop, item in _object(block.get("Instances", _NONE), (*path, "Instances"), None).items():
            where = (*path, "Instances", sop)
            instance = _object(item, where, _INSTANCE_KEYS)
            dicom = rules.attributes(instance.get("DICOM", _NONE), "instance", (*where, "DICOM"))
            vrs = _vrs(instance.get("DICOMVRs", _NONE), (*where, "DICOMVRs"))
            instances[sop] = InstanceChange(dicom, vrs, whole=removal and not instance)
        dicom = rules.attributes(block.get("DICOM", _NONE), "series", (*path, "DICOM"))
        series[uid] = SeriesChange(dicom, instances, whole=removal and not block)
    return Change(
        patient=rules.attributes(patient["DICOM"], "patient", (member, "Patient", "DICOM"))
        if "DICOM" in patient
        else {},
        study=rules.attributes(study["DICOM"], "study", (member, "Study", "DICOM"))
        if "DICOM" in study
        else {},
        series=series,
        touches_uids=rules.touched_uids,
    )


def check_primary(removals: Change | None, changes: Change | None) -> None:
    """Primary image sets keep their Patient and Series levels and their UIDs, force or not."""
    for member, change in (("removableAttributes", removals), ("updatableAttributes", changes)):
        if change is None:
            continue
        if change.patient or (change.series and any(series.dicom for series in change.series.values())):
            raise ValidationException(
                f"{member}: Patient- and Series-level attributes of a primary image set cannot be changed; "
                "copy it to a non-primary image set and change that"
            )
        if change.touches_uids:
            raise ValidationException(
                f"{member}: the UIDs of a primary image set cannot be changed, even with force"
            )


def apply_updates(document: Document, change: Change) -> Document:
    series = document.series
    for uid, series_change in change.series.items():
        current = _existing_series(document, uid)
        instances = current.instances
        for sop, instance_change in series_change.instances.items():
            instance = _existing_instance(current, uid, sop)
            updated = replace(
                instance,
                dicom=with_items(instance.dicom, instance_change.dicom),
                dicom_vrs=with_items(instance.dicom_vrs, instance_change.vrs),
            )
            new_sop = instance_change.dicom.get("SOPInstanceUID", sop)
            elsewhere = (other.instances for key, other in series.items() if key != uid)
            if new_sop != sop and (new_sop in instances or any(new_sop in taken for taken in elsewhere)):
                raise UpdateFailed(
                    f"INVALID_REQUEST:  The new SOP instance UID {new_sop} is already in the image set."
                )
            instances = _moved(instances, sop, new_sop, updated, "SOP instance")
        moved = Series(with_items(current.dicom, series_change.dicom), instances)
        series = _moved(series, uid, series_change.dicom.get("SeriesInstanceUID", uid), moved, "series")
    return Document(
        with_items(document.patient, change.patient), with_items(document.study, change.study), series
    )


def apply_removals(document: Document, change: Change) -> Document:
    series = document.series
    for uid, series_change in change.series.items():
        current = _existing_series(document, uid)
        if series_change.whole:
            series = without_items(series, [uid])
            continue
        instances = current.instances
        for sop, instance_change in series_change.instances.items():
            instance = _existing_instance(current, uid, sop)
            if instance_change.whole:
                instances = without_items(instances, [sop])
                continue
            dicom = _without(instance.dicom, instance_change.dicom, f"instance {sop}")
            vrs = without_items(
                instance.dicom_vrs, [key for key in instance_change.dicom if key in instance.dicom_vrs]
            )
            instances = with_items(instances, {sop: replace(instance, dicom=dicom, dicom_vrs=vrs)})
        if instances:
            block = _without(current.dicom, series_change.dicom, f"series {uid}")
            series = with_items(series, {uid: Series(block, instances)})
        else:
            series = without_items(series, [uid])
    if not series:
        raise UpdateFailed("INVALID_REQUEST:  An image set must keep at least one instance.")
    patient = _without(document.patient, change.patient, "Patient")
    return Document(patient, _without(document.study, change.study, "Study"), series)


class _Rules:
    def __init__(self, removal: bool, force: bool):
        self.removal = removal
        self.force = force
        self.touched_uids = False

    def attributes(self, value: Any, level: str, path: Path) -> dict[str, Any]:
        attributes = _object(value, path, None)
        checked = {}
        for key, item in attributes.items():
            if len(key) == 8 and _HEX_TAG.fullmatch(key):  # documents spell tags in upper case
                key = key.upper()
            self._check(key, item, level, path)
            checked[sys.intern(key)] = item  # interned: every version shares the key
        return checked

    def _check(self, key: str, value: Any, level: str, block: Path) -> None:
        refusal, forced, vr = _rule(key, level)
        if refusal is not None:
            raise _refused(block, key, refusal)
        if key in UIDS:
            self.touched_uids = True
            if self.removal:
                raise _refused(block, key, f"{key} identifies its level and cannot be removed")
            if not isinstance(value, str):
                raise _refused(block, key, f"{key} must be a string, not {_json_type(value)}")
        if forced is not None:
            self._needs_force(block, key, forced)
        elif vr is not None and not self.removal and not _fits(vr, value):
            self._needs_force(block, key, f"{value!r} is not a valid {vr} value; storing it")

    def _needs_force(self, block: Path, key: str, what: str) -> None:
        if not self.force:
            raise _refused(block, key, f"{what} needs force=true")


def _refused(block: Path, key: str, why: str) -> ValidationException:
    return ValidationException(f"{_dotted(block)}.{key}: {why}")


def _dotted(path: Path) -> str:
    return ".".join(path)


@functools.lru_cache(maxsize=4096)
def _rule(key: str, level: str) -> tuple[str | None, str | None, str | None]:
    """What the key alone decides at `level`, looked up in pydicom's dictionary once per key: why it can
    never be given there, why changing it needs force whatever the value, and the VR its value must fit."""
    from pydicom.datadict import dictionary_VR, keyword_for_tag, tag_for_keyword

    if key in GENERATED:
        return f"{key} is generated by HealthImaging and can never be changed", None, None
    tag = tag_for_keyword(key)
    if tag is None:
        if _HEX_TAG.fullmatch(key) and keyword_for_tag(int(key, 16)):
            return f"give {key} by its keyword, {keyword_for_tag(int(key, 16))}", None, None
        if _HEX_TAG.fullmatch(key) and int(key[:4], 16) % 2 == 1:
            if level != "instance":
                return f"private elements belong to instances, not to the {level}", None, None
            return None, f"changing private element {key}", None
        return None, f"{key} is not a DICOM keyword; changing it", None
    home = level_of(tag)
    if home != level:
        return f"{key} is a {home}-level attribute and cannot be given at {level} level", None, None
    if key in NEEDS_FORCE:
        return None, f"changing {key}", None
    vr = dictionary_VR(tag)
    if vr == "SQ":
        return None, f"changing sequence {key}", None
    if repeats(tag):
        return None, f"changing multi-valued {key}", None
    return None, None, vr


def _vrs(value: Any, path: Path) -> dict[str, str]:
    """DICOMVRs: the VR of each private or unknown element, by its 8-hex-digit tag."""
    vrs = {}
    for key, vr in _object(value, path, None).items():
        if not _HEX_TAG.fullmatch(key):
            raise ValidationException(f"{_dotted(path)}: {key!r} is not a tag of 8 hexadecimal digits")
        if not isinstance(vr, str) or vr not in _vr_names():
            raise _refused(path, key, f"{vr!r} is not a DICOM VR")
        vrs[key.upper()] = vr
    return vrs


@functools.cache
def _vr_names() -> frozenset[str]:
    """pydicom's VRs, not the "US or SS" kinds; read on first use, as pydicom is heavy to import."""
    from pydicom.valuerep import VR

    return frozenset(vr.value for vr in VR if " " not in vr.value)


def _json_type(value: Any) -> str:
    return {dict: "an object", list: "an array", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number"
    )


def _object(value: Any, path: Path, allowed: frozenset[str] | None) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValidationException(f"{_dotted(path)} must be a JSON object")
    if allowed is not None and not allowed.issuperset(value):
        unknown = sorted(value.keys() - allowed)
        raise ValidationException(
            f"{_dotted(path)} has unknown keys {unknown}; allowed are {sorted(allowed)}"
        )
    return value


def _fits(vr: str, value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, (list, dict, bool)):
        return False
    if isinstance(value, str) and len(value) <= _REMEMBERED_TEXT:
        return _text_fits(vr, value)
    return _validates(vr, value)


_REMEMBERED_TEXT = 64  # test suites write the same short values again and again


@functools.lru_cache(maxsize=4096)
def _text_fits(vr: str, value: str) -> bool:
    return _validates(vr, value)


def _validates(vr: str, value: Any) -> bool:
    """pydicom's own check of a value against its VR."""
    from pydicom import config
    from pydicom.valuerep import validate_value

    try:
        validate_value(vr, value, config.RAISE)
    except (ValueError, TypeError):
        return False
    return True


def _existing_series(document: Document, uid: str) -> Series:
    if uid not in document.series:
        raise UpdateFailed(f"INVALID_REQUEST:  Series {uid} does not exist in the image set.")
    return document.series[uid]


def _existing_instance(series: Series, series_uid: str, sop: str) -> Any:
    if sop not in series.instances:
        raise UpdateFailed(f"INVALID_REQUEST:  SOP instance {sop} does not exist in series {series_uid}.")
    return series.instances[sop]


def _moved(entries: Mapping[str, Any], old: str, new: str, value: Any, what: str) -> Mapping[str, Any]:
    """`entries` with `value` stored under its (possibly changed) UID."""
    if new != old:
        if new in entries:
            raise UpdateFailed(f"INVALID_REQUEST:  The new {what} UID {new} is already in the image set.")
        return with_items(without_items(entries, [old]), {new: value})
    stored = next(key for key in entries if key == old)  # the key object already stored: versions share it
    return with_items(entries, {stored: value})


def _without(block: Mapping[str, Any], removals: dict[str, Any], where: str) -> Mapping[str, Any]:
    for key, value in removals.items():
        if key not in block:
            raise UpdateFailed(f"INVALID_REQUEST:  {where} has no attribute {key} to remove.")
        if block[key] != value:
            raise UpdateFailed(
                f"INVALID_REQUEST:  A removal must name the current value of {key} in {where}, "
                f"which is {block[key]!r}."
            )
    return without_items(block, removals)
