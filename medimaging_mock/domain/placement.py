"""Where imported instances go (Developer Guide, "Understanding import jobs"): one rule for import jobs and
DICOMweb STOW, so both land the same files in the same image sets.

Instances are grouped by their grouping elements (grouping.py). A group joins the series' primary image set
when they agree with it (re-sent instances replace their copies; the image set gets a new version, ACTIVE /
IMPORTED), starts the primary image set when the series has none, and becomes a non-primary image set when
it conflicts (both new image sets: version 1, ACTIVE / CREATED). Callers hold the datastore's lock and have
checked that it is ACTIVE.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from medimaging_mock.domain import grouping, ingestion
from medimaging_mock.domain.metadata import copies
from medimaging_mock.domain.metadata.builder import BuiltInstance, assemble

if TYPE_CHECKING:
    from medimaging_mock.domain.datastores import Datastore
    from medimaging_mock.domain.image_sets import ImageSet, Version


@dataclass(frozen=True)
class Placed:
    """Where one group went: the image set, the version that holds it, and how many SOP instances it
    brought (a SOP instance sent twice counts once)."""

    image_set: ImageSet
    version: Version
    instances: int


def groups(built: list[BuiltInstance]) -> dict[grouping.Key, list[BuiltInstance]]:
    """Instances by grouping elements (the series UID among them), in the order they were read."""
    found: dict[grouping.Key, list[BuiltInstance]] = {}
    for item in built:
        found.setdefault(grouping.key_of(item), []).append(item)
    return found


def place(datastore: Datastore, key: grouping.Key, files: list[BuiltInstance]) -> Placed:
    """One group (of grouping key `key`) into its image set, frames stored. A SOP instance read twice keeps
    its last copy."""
    image_sets = datastore.image_sets
    group = list({item.sop_uid: item for item in files}.values())
    incoming = assemble(group)
    primary = image_sets.primary_for_series(group[0].series_uid)
    if primary is not None and grouping.joins(primary.latest.document, key):
        version = image_sets.add_imported(primary, copies.merge(primary.latest.document, incoming))
        image_set = primary
    else:
        image_set = image_sets.create(incoming, is_primary=primary is None)
        version = image_set.latest
    ingestion.store_frames(datastore, group)
    return Placed(image_set, version, len(group))
