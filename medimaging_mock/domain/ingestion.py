"""DICOM instances in, one image set out: the path seeding takes, and the one import jobs build on."""

from __future__ import annotations

import io
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Union

from medimaging_mock.domain.frames import StoredFrame
from medimaging_mock.domain.ids import new_id
from medimaging_mock.domain.image_sets import ImageSet
from medimaging_mock.domain.metadata.builder import (
    BuiltInstance,
    InvalidDataset,
    assemble,
    build_instance,
)

if TYPE_CHECKING:
    from pydicom.dataset import Dataset

    from medimaging_mock.domain.datastores import Datastore

DicomSource = Union["Dataset", str, "os.PathLike[str]", bytes]  # a name: pydicom loads on first use


def load(source: DicomSource, index: int) -> tuple[Dataset, str]:
    """The dataset and a name for messages: its path, or its position in the caller's list."""
    import pydicom
    from pydicom.dataset import Dataset

    if isinstance(source, Dataset):
        return source, f"dataset #{index}"
    if isinstance(source, bytes):
        name, data = f"bytes #{index}", source
    else:
        name = os.fspath(source)
        try:
            data = Path(name).read_bytes()
        except OSError as error:
            raise InvalidDataset(name, f"the file cannot be read: {error.strerror or error}") from error
    try:
        return pydicom.dcmread(io.BytesIO(data)), name
    except Exception as error:  # truncated or malformed files fail in many ways inside pydicom
        raise InvalidDataset(name, "not a DICOM Part 10 file (no DICM prefix or file meta)") from error


def build_all(sources: Iterable[DicomSource], lossless_storage_format: str) -> list[BuiltInstance]:
    built = []
    for index, source in enumerate(sources):
        dataset, name = load(source, index)
        built.append(build_instance(dataset, name, new_id, lossless_storage_format))
    return built


def one_study(built: list[BuiltInstance]) -> None:
    """Refuse what cannot be one image set: nothing at all, several studies, a SOP instance twice."""
    if not built:
        raise InvalidDataset("datasets", "an image set needs at least one DICOM instance")
    studies = {item.study_uid for item in built}
    if len(studies) > 1:
        names = ", ".join(f"{item.source} ({item.study_uid})" for item in built)
        raise InvalidDataset(
            "datasets", f"they belong to {len(studies)} studies; an image set holds one: {names}"
        )
    seen: dict[str, str] = {}
    for item in built:
        if item.sop_uid in seen:
            raise InvalidDataset(
                item.source, f"repeats SOPInstanceUID {item.sop_uid} of {seen[item.sop_uid]}"
            )
        seen[item.sop_uid] = item.source


def create_image_set(datastore: Datastore, sources: Iterable[DicomSource], is_primary: bool) -> ImageSet:
    built = build_all(sources, datastore.lossless_storage_format)
    one_study(built)
    store_frames(datastore, built)
    return datastore.image_sets.create(assemble(built), is_primary)


def store_frames(datastore: Datastore, built: list[BuiltInstance]) -> None:
    for item in built:
        originals = item.originals or [None] * len(item.pixels)
        for frame, pixels, original in zip(item.instance.frames, item.pixels, originals, strict=True):
            stored = StoredFrame(pixels, item.instance.stored_transfer_syntax_uid, original)
            datastore.frames.put(frame.frame_id, stored)
