"""QIDO-RS: the six searches over a datastore's primary, not deleted image sets (reference §4.6).

Each finds its results in the order the service documents (studies and a study's instances: last update,
newest first; series: SeriesNumber ascending; instances: InstanceNumber ascending), keeps those its filters
accept, and skips `offset` of them to return up to `limit`. Exact values of identifying attributes
(StudyInstanceUID, PatientID, AccessionNumber, StudyID, SeriesInstanceUID, SOPInstanceUID) go straight to
the studies that hold them; any other search walks an order from its start and stops once the page is
full, so a page's cost depends on the page, not on the size of the datastore.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any, TypeVar

from medimaging_mock.domain.dicomweb import matching
from medimaging_mock.domain.dicomweb.matching import Filter, SearchRequest
from medimaging_mock.domain.dicomweb.qido_index import LOOKUP_KEYWORDS, QidoIndex
from medimaging_mock.domain.dicomweb.qido_resources import (
    ALL_INSTANCES,
    ALL_SERIES,
    SERIES_INSTANCES,
    STUDIES,
    STUDY_INSTANCES,
    STUDY_SERIES,
    Resource,
)
from medimaging_mock.domain.dicomweb.qido_results import result
from medimaging_mock.domain.dicomweb.study_views import InstanceView, SeriesView, StudyView, View

SMALL_CANDIDATE_SET = 2048  # studies: below this, sorting them beats walking a whole order
_LOOKUPS = frozenset({"StudyInstanceUID", *LOOKUP_KEYWORDS})
V = TypeVar("V", StudyView, SeriesView, InstanceView)
Datasets = list[dict[str, Any]]


def studies(index: QidoIndex, query: list[tuple[str, str]], datastore_url: str) -> Datasets:
    """`datastore_url`: {base_url}/datastore/{datastore id}, where RetrieveURLs begin."""
    return _search(index, STUDIES, query, datastore_url, lambda request: _studies(index, request.filters))


def study_series(
    index: QidoIndex, study_uid: str, query: list[tuple[str, str]], datastore_url: str
) -> Datasets:
    def found(_: SearchRequest) -> Iterable[View]:
        study = index.study(study_uid)
        return study.series_in_order() if study else ()

    return _search(index, STUDY_SERIES, query, datastore_url, found)


def series_instances(
    index: QidoIndex, study_uid: str, series_uid: str, query: list[tuple[str, str]], datastore_url: str
) -> Datasets:
    def found(_: SearchRequest) -> Iterable[View]:
        series = index.series(study_uid, series_uid)
        return series.instances_in_order() if series else ()

    return _search(index, SERIES_INSTANCES, query, datastore_url, found)


def study_instances(
    index: QidoIndex, study_uid: str, query: list[tuple[str, str]], datastore_url: str
) -> Datasets:
    def found(_: SearchRequest) -> Iterable[View]:
        study = index.study(study_uid)
        return study.instances_in_order() if study else ()

    return _search(index, STUDY_INSTANCES, query, datastore_url, found)


def all_series(index: QidoIndex, query: list[tuple[str, str]], datastore_url: str) -> Datasets:
    def found(request: SearchRequest) -> Iterable[View]:
        return _walk(
            index,
            request.filters,
            index.all_series.keys,
            lambda key: index.series(key[1], key[2]),
            lambda study: study.series.values(),
        )

    return _search(index, ALL_SERIES, query, datastore_url, found)


def all_instances(index: QidoIndex, query: list[tuple[str, str]], datastore_url: str) -> Datasets:
    def found(request: SearchRequest) -> Iterable[View]:
        return _walk(
            index,
            request.filters,
            index.all_instances.keys,
            lambda key: index.instance(key[1], key[2], key[3]),
            lambda study: study.instances(),
        )

    return _search(index, ALL_INSTANCES, query, datastore_url, found)


def _search(
    index: QidoIndex,
    resource: Resource,
    query: list[tuple[str, str]],
    datastore_url: str,
    found: Callable[[SearchRequest], Iterable[View]],
) -> Datasets:
    request = matching.parse(query, resource)
    with index.reading():
        accepted = (view for view in found(request) if _accepts(request.filters, view))
        page = list(islice(accepted, request.offset, request.offset + request.limit))
    return [result(view, resource, request, datastore_url) for view in page]  # views never change


def _accepts(filters: tuple[Filter, ...], view: View) -> bool:
    return all(f.accepts(view.value(f.keyword)) for f in filters)


def _candidates(index: QidoIndex, filters: tuple[Filter, ...]) -> set[str] | None:
    """The UIDs of the only studies that can hold results, when exact identifying values say; else None."""
    found: set[str] | None = None
    for f in filters:
        if f.exact is not None and f.keyword in _LOOKUPS:
            holding = index.studies_holding(f.keyword, f.exact)
            found = holding if found is None else found & holding
    return found


def _studies(index: QidoIndex, filters: tuple[Filter, ...]) -> Iterable[View]:
    return _walk(
        index,
        filters,
        index.studies_by_update.keys,
        lambda key: index.study(key[1]),
        lambda study: (study,),
        newest_first=True,
    )


def _walk(
    index: QidoIndex,
    filters: tuple[Filter, ...],
    order: list[tuple[Any, ...]],
    view_at: Callable[[tuple[Any, ...]], V | None],
    of_study: Callable[[StudyView], Iterable[V]],
    newest_first: bool = False,
) -> Iterator[V]:
    """The views in `order` (keys whose second part is the study UID), only those of candidate studies
    when the filters name some."""
    candidates = _candidates(index, filters)
    if candidates is not None and len(candidates) <= SMALL_CANDIDATE_SET:
        studies = (index.study(uid) for uid in candidates)
        views = [view for study in studies if study is not None for view in of_study(study)]
        yield from sorted(views, key=lambda view: view.order_key(), reverse=newest_first)
        return
    for key in reversed(order) if newest_first else order:
        if candidates is None or key[1] in candidates:
            view = view_at(key)
            if view is not None:
                yield view
