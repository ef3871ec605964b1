"""What QIDO-RS sees of a study: the latest documents of its primary, not deleted image sets, merged into
one study with its series and instances.

A study usually spans several image sets (an import makes one per series) and is still one study in QIDO.
Where image sets overlap (two hold the same series after a copy, or their patient attributes differ after
an update of one), the most recently updated image set wins. Views never change: a write to an image set
makes new views of its study, so a search reads one consistent moment.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from medimaging_mock.domain.metadata.document import Document, Instance

if TYPE_CHECKING:
    from medimaging_mock.domain.image_sets import ImageSet

ABSENT: Any = object()  # an attribute the view does not hold (None is an attribute held with no value)
# When an image set last changed: its updatedAt (POSIX seconds; milliseconds, and frozen under freezegun),
# then the index's count of changes, which orders the changes of one millisecond.
Moment = tuple[float, int]
NumberKey = tuple[int, int]
_NO_NUMBER: NumberKey = (1, 0)  # after every number


@dataclass(frozen=True, slots=True)
class Holding:
    """One primary, not deleted image set as its study's view reads it."""

    image_set_id: str
    study_uid: str
    document: Document
    updated_at: float  # its latest status' updatedAt, as a POSIX timestamp
    change: int = field(compare=False)  # a holding equal to the one before moved nothing QIDO shows

    @classmethod
    def of(cls, image_set: ImageSet, change: int) -> Holding | None:
        """None for an image set QIDO does not see: not primary, deleted, or without a study UID. `change`:
        the number of the write that made the index read it."""
        history = image_set.history  # read once: one moment of the image set
        document = history.latest.document
        study_uid = document.study_instance_uid
        if not image_set.is_primary or history.deleted_at is not None or not isinstance(study_uid, str):
            return None
        updated_at = history.latest_status.updated_at.timestamp()
        return cls(image_set.image_set_id, study_uid, document, updated_at, change)

    @property
    def updated(self) -> Moment:
        return (self.updated_at, self.change)


def texts(value: Any) -> tuple[str, ...]:
    """The values of an attribute as text: one per value, stripped (DICOM padding is not significant)."""
    if isinstance(value, str):
        return (value.strip(),)
    if isinstance(value, list):
        return tuple(text for item in value for text in texts(item))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (str(value),)
    return ()


def number_key(value: Any) -> NumberKey:
    """SeriesNumber / InstanceNumber (IS, "1 " in the document) for ordering; no number sorts last."""
    found = texts(value)
    try:
        return (0, int(found[0])) if found else _NO_NUMBER
    except ValueError:
        return _NO_NUMBER


class StudyView:
    __slots__ = (
        "_instances_in_order",
        "_series_in_order",
        "modalities",
        "patient",
        "series",
        "sop_classes",
        "study",
        "uid",
        "updated",
    )

    def __init__(self, uid: str, updated: Moment, patient: Mapping[str, Any], study: Mapping[str, Any]):
        self.uid = uid
        self.updated = updated  # the newest of its image sets' updatedAt
        self.patient = patient
        self.study = study
        self.series: dict[str, SeriesView] = {}
        self.modalities: tuple[str, ...] = ()
        self.sop_classes: tuple[str, ...] = ()
        self._series_in_order: list[SeriesView] | None = None
        self._instances_in_order: list[InstanceView] | None = None

    @classmethod
    def of(cls, uid: str, holdings: Iterable[Holding]) -> StudyView:
        newest_first = sorted(holdings, key=lambda held: held.updated, reverse=True)
        newest = newest_first[0].document
        view = cls(uid, newest_first[0].updated, newest.patient, newest.study)
        for holding in newest_first:
            for series_uid, series in holding.document.series.items():
                series_view = view.series.get(series_uid)
                if series_view is None:
                    series_view = view.series[series_uid] = SeriesView(view, series_uid, series.dicom)
                for sop_uid, instance in series.instances.items():
                    if sop_uid not in series_view.instances:
                        series_view.instances[sop_uid] = InstanceView(
                            series_view, sop_uid, instance, holding.updated
                        )
        view.modalities = tuple(sorted({m for s in view.series.values() for m in texts(s.value("Modality"))}))
        view.sop_classes = tuple(
            sorted({c for i in view.instances() for c in texts(i.instance.dicom.get("SOPClassUID"))})
        )
        return view

    @property
    def instance_count(self) -> int:
        return sum(len(series.instances) for series in self.series.values())

    def instances(self) -> Iterable[InstanceView]:
        return (instance for series in self.series.values() for instance in series.instances.values())

    def value(self, keyword: str) -> Any:
        if keyword in self.study:
            return self.study[keyword]
        if keyword in self.patient:
            return self.patient[keyword]
        if keyword == "ModalitiesInStudy":
            return list(self.modalities)
        if keyword == "SOPClassesInStudy":
            return list(self.sop_classes)
        if keyword == "NumberOfStudyRelatedSeries":
            return len(self.series)
        if keyword == "NumberOfStudyRelatedInstances":
            return self.instance_count
        return ABSENT

    def blocks(self) -> tuple[Mapping[str, Any], ...]:
        """The document blocks a study result draws on, the most specific first."""
        return (self.study, self.patient)

    def order_key(self) -> tuple[Moment, str]:
        """Studies come newest first: this key, descending."""
        return (self.updated, self.uid)

    def series_in_order(self) -> list[SeriesView]:
        """SeriesNumber ascending (computed once per view)."""
        if self._series_in_order is None:
            self._series_in_order = sorted(self.series.values(), key=lambda s: (s.number, s.uid))
        return self._series_in_order

    def instances_in_order(self) -> list[InstanceView]:
        """The study's instances, latest updated image set first, then by series and instance number."""
        if self._instances_in_order is None:
            self._instances_in_order = sorted(
                self.instances(),
                key=lambda i: (-i.updated[0], -i.updated[1], i.series.number, i.series.uid, i.number, i.uid),
            )
        return self._instances_in_order


class SeriesView:
    __slots__ = ("_instances_in_order", "dicom", "instances", "number", "study", "uid")

    def __init__(self, study: StudyView, uid: str, dicom: Mapping[str, Any]):
        self.study = study
        self.uid = uid
        self.dicom = dicom
        self.number = number_key(dicom.get("SeriesNumber"))
        self.instances: dict[str, InstanceView] = {}
        self._instances_in_order: list[InstanceView] | None = None

    def value(self, keyword: str) -> Any:
        if keyword in self.dicom:
            return self.dicom[keyword]
        if keyword == "NumberOfSeriesRelatedInstances":
            return len(self.instances)
        return self.study.value(keyword)

    def blocks(self) -> tuple[Mapping[str, Any], ...]:
        return (self.dicom, *self.study.blocks())

    def order_key(self) -> tuple[NumberKey, str, str]:
        """Every series of the datastore: SeriesNumber ascending."""
        return (self.number, self.study.uid, self.uid)

    def instances_in_order(self) -> list[InstanceView]:
        """InstanceNumber ascending (computed once per view)."""
        if self._instances_in_order is None:
            self._instances_in_order = sorted(self.instances.values(), key=lambda i: (i.number, i.uid))
        return self._instances_in_order


class InstanceView:
    __slots__ = ("instance", "number", "series", "uid", "updated")

    def __init__(self, series: SeriesView, uid: str, instance: Instance, updated: Moment):
        self.series = series
        self.uid = uid
        self.instance = instance
        self.number = number_key(instance.dicom.get("InstanceNumber"))
        self.updated = updated  # its image set's updatedAt

    def value(self, keyword: str) -> Any:
        dicom = self.instance.dicom
        return dicom[keyword] if keyword in dicom else self.series.value(keyword)

    def blocks(self) -> tuple[Mapping[str, Any], ...]:
        return (self.instance.dicom, *self.series.blocks())

    def order_key(self) -> tuple[NumberKey, str, str, str]:
        """Every instance of the datastore: InstanceNumber ascending."""
        return (self.number, self.series.study.uid, self.series.uid, self.uid)


View = StudyView | SeriesView | InstanceView
