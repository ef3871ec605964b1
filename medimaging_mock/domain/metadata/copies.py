"""CopyImageSet's documents: choosing instances with `copiableAttributes`, and merging them into a
destination under the consistency rule that `force` overrides."""

from __future__ import annotations

from typing import Any

from medimaging_mock.domain import json_text
from medimaging_mock.domain.errors import ValidationException
from medimaging_mock.domain.metadata.document import Document, Series

SERIES_MISMATCH = "INVALID_REQUEST:  Series of SourceImageSet and DestinationImageSet don't match."


def select(source: Document, copiable_attributes: str | None) -> Document:
    """The part of `source` that `copiableAttributes` names (all of it when absent).

    Format: {"SchemaVersion": "1.1", "Study": {"Series": {"<SeriesUID>": {"Instances": {"<SOPUID>": {}}}}}};
    a series given as {} means all of its instances.
    """
    if copiable_attributes is None:
        return source
    chosen = _parse(copiable_attributes)
    series = {}
    for uid, sops in chosen.items():
        if uid not in source.series:
            raise ValidationException(f"copiableAttributes: series {uid} is not in the source image set")
        current = source.series[uid]
        if sops is None:
            series[uid] = current
            continue
        if not sops:
            raise ValidationException(
                f"copiableAttributes: series {uid} names no instances; give {{}} for all"
            )
        unknown = sorted(set(sops) - current.instances.keys())
        if unknown:
            raise ValidationException(f"copiableAttributes: SOP instances {unknown} are not in series {uid}")
        series[uid] = Series(current.dicom, {sop: current.instances[sop] for sop in sops})
    return Document(source.patient, source.study, series)


def check_unique(destination: Document, selected: Document) -> None:
    """SOP Instance UIDs stay unique within an image set."""
    present = {sop for _, sop, _ in destination.instances()}
    repeated = sorted(present & {sop for _, sop, _ in selected.instances()})
    if repeated:
        raise ValidationException(f"SOP instances {repeated} are already in the destination image set")


def consistent(destination: Document, selected: Document) -> bool:
    """Patient, Study and shared Series blocks agree."""
    if destination.patient != selected.patient or destination.study != selected.study:
        return False
    return all(
        destination.series[uid].dicom == series.dicom
        for uid, series in selected.series.items()
        if uid in destination.series
    )


def merge(destination: Document, selected: Document) -> Document:
    """The selected instances added to the destination, whose own Patient / Study / Series blocks stay."""
    series = dict(destination.series)
    for uid, chosen in selected.series.items():
        if uid in series:
            series[uid] = Series(series[uid].dicom, {**series[uid].instances, **chosen.instances})
        else:
            series[uid] = chosen
    return Document(destination.patient, destination.study, series)


def _parse(text: str) -> dict[str, list[str] | None]:
    data = json_text.parse(text, "copiableAttributes")
    series = _mapping(
        _mapping(_mapping(data, "copiableAttributes").get("Study"), "Study").get("Series"), "Series"
    )
    if not series:
        raise ValidationException("copiableAttributes names no series")
    chosen: dict[str, list[str] | None] = {}
    for uid, entry in series.items():
        instances = _mapping(entry, f"Series {uid}").get("Instances")
        chosen[uid] = None if instances is None else list(_mapping(instances, f"Series {uid} Instances"))
    return chosen


def _mapping(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValidationException(f"copiableAttributes: {what} must be a JSON object")
    return value
