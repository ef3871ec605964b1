"""Which image set holds what a WADO-RS request names (reference §3).

Without an image set id, only primary image sets that are not deleted; with one, that image set, primary or
not. Each is read at its latest version, even while an update is in flight (as GetImageFrame reads it), so
an UpdateImageSetMetadata shows at once. A series held by several primary image sets (CopyImageSet with
promoteToPrimary can make one) is the union of their instances, the oldest image set first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from medimaging_mock.domain.dicomweb.datasets import instance_dataset
from medimaging_mock.domain.errors import ResourceNotFoundException
from medimaging_mock.domain.image_sets import DELETED

if TYPE_CHECKING:
    from pydicom.dataset import Dataset

    from medimaging_mock.domain.datastores import Datastore
    from medimaging_mock.domain.image_sets import ImageSet, Version
    from medimaging_mock.domain.metadata.document import Instance

_SHOWN_LENGTH = 80  # of a label in a message: UIDs are at most 64 characters


class Held(NamedTuple):
    """An instance as the latest version of one image set holds it (a named tuple: one is made per
    instance a request names or lists, and a frozen dataclass costs five times as much to make)."""

    image_set: ImageSet
    version: Version
    study_uid: str
    series_uid: str
    sop_uid: str
    instance: Instance

    def dataset(self) -> Dataset:
        """A new Dataset of the instance, file meta included (datasets.instance_dataset)."""
        return instance_dataset(self.version.document, self.series_uid, self.sop_uid)


def series_instances(
    datastore: Datastore, study_uid: str, series_uid: str, image_set_id: str | None
) -> list[Held]:
    """Every instance of the series, in document order, each SOP instance UID once (from the oldest
    image set that holds it)."""
    held: dict[str, Held] = {}
    for image_set, version in _holders(datastore, study_uid, series_uid, image_set_id):
        for sop_uid, instance in version.document.series[series_uid].instances.items():
            if sop_uid not in held:
                held[sop_uid] = Held(image_set, version, study_uid, series_uid, sop_uid, instance)
    return list(held.values())


def instance(
    datastore: Datastore, study_uid: str, series_uid: str, sop_uid: str, image_set_id: str | None
) -> Held:
    for image_set, version in _holders(datastore, study_uid, series_uid, image_set_id):
        found = version.document.series[series_uid].instances.get(sop_uid)
        if found is not None:
            return Held(image_set, version, study_uid, series_uid, sop_uid, found)
    where = f" of ImageSet {image_set_id}" if image_set_id is not None else ""
    raise ResourceNotFoundException(
        f"Instance {_shown(sop_uid)} does not exist in series {_shown(series_uid)} of study "
        f"{_shown(study_uid)}{where}"
    )


def _holders(
    datastore: Datastore, study_uid: str, series_uid: str, image_set_id: str | None
) -> list[tuple[ImageSet, Version]]:
    """The image sets (with their latest versions) that may answer for the series; 404 when none."""
    image_sets = datastore.image_sets
    if image_set_id is not None:
        candidates = [image_set_id]
    else:
        candidates = [each.image_set_id for each in _series_holders(datastore, series_uid) if each.is_primary]
    held = []
    for candidate in candidates:
        image_set, version = image_sets.readable(candidate, None, consistent=False)
        document = version.document
        if document.study_instance_uid == study_uid and series_uid in document.series:
            held.append((image_set, version))
    if not held:
        raise _series_not_found(datastore, study_uid, series_uid, image_set_id)
    return held


def _series_holders(datastore: Datastore, series_uid: str) -> list[ImageSet]:
    """Image sets that are not deleted and hold the series, oldest first."""
    image_sets = datastore.image_sets
    holders = [
        image_set
        for image_set in map(image_sets.get, image_sets.index.holding_series(series_uid))
        if image_set.state != DELETED
    ]
    if len(holders) > 1:  # the datastore keeps its image sets in the order they were made
        made = {image_set.image_set_id: number for number, image_set in enumerate(image_sets.all())}
        holders.sort(key=lambda image_set: made[image_set.image_set_id])
    return holders


def _series_not_found(
    datastore: Datastore, study_uid: str, series_uid: str, image_set_id: str | None
) -> ResourceNotFoundException:
    """The most precise message: the study, or the series of a study that exists."""
    if image_set_id is not None:
        return ResourceNotFoundException(
            f"Series {_shown(series_uid)} of study {_shown(study_uid)} does not exist in ImageSet "
            f"{image_set_id}"
        )
    primaries = [
        image_set
        for image_set in datastore.image_sets.all()
        if image_set.is_primary and image_set.state != DELETED
    ]
    if not any(image_set.latest.document.study_instance_uid == study_uid for image_set in primaries):
        message = f"Study {_shown(study_uid)} does not exist in datastore {datastore.datastore_id}"
    else:
        message = f"Series {_shown(series_uid)} does not exist in study {_shown(study_uid)}"
    others = [s.image_set_id for s in _series_holders(datastore, series_uid) if not s.is_primary]
    if others:
        message += (
            f"; the series is only in non-primary image sets ({', '.join(others)}): "
            "name one with the imageSetId query parameter"
        )
    return ResourceNotFoundException(message)


def _shown(label: str) -> str:
    return label if len(label) <= _SHOWN_LENGTH else label[:_SHOWN_LENGTH] + "..."
