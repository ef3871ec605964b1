"""One QIDO-RS result as DICOM JSON: the resource's default attributes, the match keys, what includefield
asks for, and the attributes only the search knows (RetrieveURL, the counts, ModalitiesInStudy).

The attributes are picked from the view's document blocks and turned into DICOM JSON by the same code as
the retrieve views (datasets.py: pydicom's elements and `to_json_dict`), so a value reads the same in
QIDO as in WADO metadata. Default attributes and match keys an image set does not hold come back empty
(`{"vr": ...}`); includefield attributes it does not hold are left out.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from typing import Any

from medimaging_mock.domain.dicomweb.datasets import dataset_of, dicom_json
from medimaging_mock.domain.dicomweb.matching import Fields, SearchRequest
from medimaging_mock.domain.dicomweb.qido_resources import Resource
from medimaging_mock.domain.dicomweb.study_views import ABSENT, InstanceView, SeriesView, StudyView, View

STUDY_COMPUTED = (
    "ModalitiesInStudy",
    "SOPClassesInStudy",
    "NumberOfStudyRelatedSeries",
    "NumberOfStudyRelatedInstances",
)
SERIES_COMPUTED = ("NumberOfSeriesRelatedInstances",)
RENDERED_RESULTS = 4096  # results kept rendered, the most recently used
ONLINE = "ONLINE"  # InstanceAvailability: every instance of an image set can be retrieved at once
_FILE_META_GROUP = "0002"  # describes a file, not the instance a result describes
_HEX_TAG = re.compile(r"[0-9A-F]{8}")  # document keys of private and unknown tags


def result(view: View, resource: Resource, request: SearchRequest, datastore_url: str) -> dict[str, Any]:
    """`datastore_url`: {base_url}/datastore/{datastore id}, where RetrieveURLs begin."""
    return dict(_rendered(view, resource, request.match_keywords, request.fields, datastore_url))


@functools.lru_cache(maxsize=RENDERED_RESULTS)
def _rendered(
    view: View, resource: Resource, match_keywords: tuple[str, ...], fields: Fields, datastore_url: str
) -> dict[str, Any]:
    """A view never changes, so neither does its result for the same request: a search repeated (a viewer
    polling its study list) or paged again renders only what changed since. Callers copy it."""
    retrieve_url = _retrieve_url(view, datastore_url)
    block: dict[str, Any] = {}
    for keyword in (*resource.returned, *match_keywords):
        value = _value(view, keyword, retrieve_url)
        block[keyword] = None if value is ABSENT else value
    for keyword in resource.returned_if_present:
        value = _value(view, keyword, retrieve_url)
        if value is not ABSENT:
            block[keyword] = value
    _add_included(block, view, fields)
    vrs = view.instance.dicom_vrs if isinstance(view, InstanceView) else {}
    found = dicom_json(dataset_of([block], vrs), _bulkdata_url(view, datastore_url))
    return {tag: value for tag, value in found.items() if not tag.startswith(_FILE_META_GROUP)}


def _value(view: View, keyword: str, retrieve_url: str) -> Any:
    if keyword == "RetrieveURL":
        return retrieve_url
    if keyword == "InstanceAvailability":
        return ONLINE
    return view.value(keyword)


def _add_included(block: dict[str, Any], view: View, fields: Fields) -> None:
    if fields.everything:
        for source in view.blocks():  # the most specific first: it wins where two hold a key
            for key, value in source.items():
                block.setdefault(key, value)
        for keyword in _computed(view):
            block.setdefault(keyword, view.value(keyword))
    creators = dict(fields.creators)
    for key in fields.keys:
        value = _held(view, key, creators)
        if value is not ABSENT:
            block.setdefault(key, value)
    for top in dict.fromkeys(path[0] for path in fields.paths):
        value = _held(view, top, creators)
        if value is not ABSENT and top not in block:
            block[top] = _pruned(value, [path[1:] for path in fields.paths if path[0] == top])
    for key, creator in fields.creators:  # a creator the client names comes back when it is held
        if _held(view, key, {}) == creator:
            block.setdefault(key, creator)


def _computed(view: View) -> tuple[str, ...]:
    if isinstance(view, StudyView):
        return STUDY_COMPUTED
    if isinstance(view, SeriesView):
        return SERIES_COMPUTED + STUDY_COMPUTED
    return ()


def _held(view: View, key: str, creators: Mapping[str, str]) -> Any:
    """The value of a document key; a private data element only when the client names its creator, as it
    is held, with a match parameter (00190010=Philips)."""
    creator_key = _creator_key(key)
    if creator_key is not None and (
        creator_key not in creators or view.value(creator_key) != creators[creator_key]
    ):
        return ABSENT
    return view.value(key)


def _creator_key(key: str) -> str | None:
    """The key of the private creator that reserves a private data element's block; None for other keys."""
    if not _HEX_TAG.fullmatch(key):
        return None
    group, element = int(key[:4], 16), int(key[4:], 16)
    return f"{group:04X}00{element >> 8:02X}" if group % 2 and element >= 0x1000 else None


def _pruned(value: Any, paths: list[tuple[str, ...]]) -> Any:
    """A sequence with, in each item, only the nested attributes that dotted includefields name."""
    if not isinstance(value, list) or not all(paths):
        return value
    keys = dict.fromkeys(path[0] for path in paths)
    return [
        {
            key: _pruned(item[key], [path[1:] for path in paths if path[0] == key])
            for key in keys
            if key in item
        }
        for item in value
        if isinstance(item, Mapping)
    ]


def _retrieve_url(view: View, datastore_url: str) -> str:
    if isinstance(view, StudyView):
        return f"{datastore_url}/studies/{view.uid}"
    if isinstance(view, SeriesView):
        return f"{datastore_url}/studies/{view.study.uid}/series/{view.uid}"
    series = view.series
    return f"{datastore_url}/studies/{series.study.uid}/series/{series.uid}/instances/{view.uid}"


def _bulkdata_url(view: View, datastore_url: str) -> Callable[[str], str]:
    """Where GetDICOMBulkdata serves a large binary value: through an instance that holds it (a study or
    series attribute is in every instance of the study or series)."""
    instance = _an_instance(view)
    url = "" if instance is None else _retrieve_url(instance, datastore_url)
    return lambda bulkdata_id: f"{url}/bulkdata/{bulkdata_id}"


def _an_instance(view: View) -> InstanceView | None:
    if isinstance(view, InstanceView):
        return view
    series = [view] if isinstance(view, SeriesView) else view.series.values()
    return next((instance for each in series for instance in each.instances.values()), None)
