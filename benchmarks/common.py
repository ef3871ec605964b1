"""What every benchmark shares: interleaved rounds, medians, the honest canned-response floor and its guard,
and one table format."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, replace
from typing import Any

import boto3
import botocore.session
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest, AWSResponse, prepare_request_dict
from botocore.serialize import create_serializer
from moto.core.botocore_stubber import MockRawResponse
from moto.core.models import DEFAULT_ACCOUNT_ID
from pydicom.dataset import Dataset

from medimaging_mock.domain import ingestion
from medimaging_mock.domain.ids import new_id
from medimaging_mock.domain.metadata.builder import assemble
from medimaging_mock.domain.metadata.document import Document, Instance, Series
from medimaging_mock.interception import botocore_hook, dispatch, requests_path
from medimaging_mock.interception.dispatch import serve
from medimaging_mock.interception.moto_service.models import regional_backend

REGION = "us-east-1"
DICOMWEB = f"https://dicom-medical-imaging.{REGION}.amazonaws.com"
_SERVICE = botocore.session.get_session().get_service_model("medical-imaging")
_SERIALIZER = create_serializer("rest-json", include_validation=False)


def per_call(function: Callable[[], object], calls: int) -> float:
    started = time.perf_counter()
    for _ in range(calls):
        function()
    return (time.perf_counter() - started) / calls


def rounds_of(
    contenders: Mapping[str, Callable[[], object]],
    rounds: int,
    calls: int,
    guards: Mapping[str, Callable[[], AbstractContextManager[object]]] | None = None,
) -> dict[str, list[float]]:
    """Seconds per call of each contender in each round; rounds are interleaved so drift on a shared
    machine hits all alike. `guards`: a context each named contender's rounds run in, entered outside the
    timing (floor_guard)."""

    def guard(name: str) -> AbstractContextManager[object]:
        return (guards or {}).get(name, nullcontext)()

    for name, function in contenders.items():
        with guard(name):
            per_call(function, max(1, calls // 10))  # warm-up
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, function in contenders.items():
            with guard(name):
                samples[name].append(per_call(function, calls))
    return samples


def medians(
    contenders: Mapping[str, Callable[[], object]],
    rounds: int,
    calls: int,
    guards: Mapping[str, Callable[[], AbstractContextManager[object]]] | None = None,
) -> dict[str, float]:
    """Median seconds per call of each contender (rounds_of)."""
    samples = rounds_of(contenders, rounds, calls, guards)
    return {name: statistics.median(values) for name, values in samples.items()}


def paired_row(
    name: str, samples: Mapping[str, list[float]], measured: str, against: str, goal: float | None
) -> Row:
    """The medians of two contenders, and the median of their ratio round by round: the two rounds of a
    pair run back to back, so a stretch when the machine is slow or fast moves both alike."""
    ratios = [a / b for a, b in zip(samples[measured], samples[against], strict=True)]
    return Row(
        name,
        statistics.median(samples[measured]),
        statistics.median(samples[against]),
        goal,
        paired_ratio=statistics.median(ratios),
    )


def canned_client(operation: str, **params: Any) -> Any:
    """The floor: a medical-imaging client whose `operation` is answered by a before-send handler with the
    bytes the mock answers to these `params` now (one real call, serialised by botocore), and from which
    the mock's own handlers are removed, so that a call runs botocore (serialise, sign, parse) and none of
    the mock. `floor_guard` proves it."""
    model = _SERVICE.operation_model(operation)
    request = _SERIALIZER.serialize_to_request(params, model)
    prepare_request_dict(request, f"https://medical-imaging.{REGION}.amazonaws.com")
    answer = serve(request["method"], request["url"], request["headers"], request["body"])
    assert answer.status == 200, answer.body
    client = boto3.client("medical-imaging", region_name=REGION)
    events = client.meta.events
    events.unregister(botocore_hook.EVENT, botocore_hook.before_send)
    events.register_first(
        f"{botocore_hook.EVENT}.{operation}",
        lambda request, **_: AWSResponse(request.url, 200, answer.headers, MockRawResponse(answer.body)),
    )
    return client


@contextmanager
def floor_guard() -> Iterator[None]:
    """Fails if the mock answers any request while it is active, by any way in (botocore's hook, the
    `requests` path, moto's dispatcher): the floor's rounds run in it (`medians(..., guards=...)`), so the
    mock's own rounds run unwrapped and no timed call pays for the guard."""
    served: list[tuple[Any, ...]] = []
    entries = [(module, module.serve) for module in (botocore_hook, requests_path, dispatch)]

    def counted(original: Callable[..., Any]) -> Callable[..., Any]:
        def serve(*args: Any, **kwargs: Any) -> Any:
            served.append(args)
            return original(*args, **kwargs)

        return serve

    for module, original in entries:
        module.serve = counted(original)  # type: ignore[attr-defined]
    try:
        yield
    finally:
        for module, original in entries:
            module.serve = original  # type: ignore[attr-defined]
    assert not served, f"the floor ran the mock {len(served)} times"


@dataclass(frozen=True)
class Row:
    """One line of a benchmark table: a measured median, what it is measured against (its floor, or the
    small case of a scaling goal), and the goal for their ratio. `unit` is "s" or "B". `paired_ratio`: the
    median of round-by-round ratios (paired_row), which the table shows in place of the medians' ratio."""

    name: str
    measured: float
    against: float | None = None
    goal: float | None = None
    unit: str = "s"
    paired_ratio: float | None = None

    @property
    def ratio(self) -> float | None:
        if self.paired_ratio is not None:
            return self.paired_ratio
        return None if self.against is None else self.measured / self.against


def print_table(title: str, rows: list[Row]) -> None:
    print(title)
    print(f"  {'measurement':58s} {'measured':>11s} {'against':>11s} {'ratio':>6s} {'goal':>8s}")
    for row in rows:
        ratio = "" if row.ratio is None else f"{row.ratio:.2f}"
        goal = f"<= {row.goal:.2f}" if row.goal is not None else ""
        verdict = (
            "" if row.goal is None or row.ratio is None else ("  ok" if row.ratio <= row.goal else "  MISSED")
        )
        against = "" if row.against is None else _amount(row.against, row.unit)
        measured = _amount(row.measured, row.unit)
        print(f"  {row.name:58s} {measured:>11s} {against:>11s} {ratio:>6s} {goal:>8s}{verdict}")


def _amount(value: float, unit: str) -> str:
    if unit == "B":
        return f"{value / 2**20:.1f} MiB" if value >= 2**20 else f"{value:.0f} B"
    return f"{value * 1e6:.1f} us" if value < 1e-3 else f"{value * 1e3:.2f} ms"


def mock_and_floor(
    name: str, mock: Callable[[], object], floor: Callable[[], object], goal: float, rounds: int, calls: int
) -> Row:
    """Median seconds per call of each, interleaved, and their paired ratio; the floor's rounds under
    floor_guard."""
    samples = rounds_of({"mock": mock, "floor": floor}, rounds, calls, guards={"floor": floor_guard})
    return paired_row(name, samples, "mock", "floor", goal)


def report(title: str, results: Mapping[str, float]) -> None:
    print(title)
    for name, value in results.items():
        print(f"  {name:28s} {value * 1e6:10.1f} us")


def clone_image_sets(
    datastore_id: str, template: list[Dataset], count: int, is_primary: bool = False
) -> list[tuple[str, str, list[str]]]:
    """The seeding fast path for large benchmarks: build one study with the real builder, then create
    `count` image sets from it, each with its own copy of every block, new Study / Series / SOP UIDs,
    frame ids, and a PatientID of its own (<template's>-<number>). Attribute values are shared between
    clones, which only makes the footprint smaller. Each clone is its own study, so `is_primary` makes
    primary image sets that cannot conflict. Returns (image set id, series UID, SOP UIDs) per series.
    Written straight into the domain state of moto's default account in REGION (`mi.backend()` only reads).
    """
    built = ingestion.build_all(template, "HTJ2K")
    ingestion.one_study(built)
    model = assemble(built)
    image_sets = regional_backend(DEFAULT_ACCOUNT_ID, REGION).datastores.get(datastore_id).image_sets
    created = []
    for number in range(count):
        study_uid = f"{model.study_instance_uid}.{number}"
        series = {}
        for old_series_uid, block in model.series.items():
            series_uid = f"{old_series_uid}.{number}"
            instances = {
                f"{sop}.{number}": Instance(
                    {**instance.dicom, "SOPInstanceUID": f"{sop}.{number}"},
                    dict(instance.dicom_vrs),
                    instance.stored_transfer_syntax_uid,
                    tuple(replace(frame, frame_id=new_id()) for frame in instance.frames),
                )
                for sop, instance in block.instances.items()
            }
            series[series_uid] = Series({**block.dicom, "SeriesInstanceUID": series_uid}, instances)
        patient = {**model.patient, "PatientID": f"{model.patient.get('PatientID')}-{number}"}
        document = Document(patient, {**model.study, "StudyInstanceUID": study_uid}, series)
        image_set = image_sets.create(document, is_primary=is_primary)
        for series_uid, block in series.items():
            created.append((image_set.image_set_id, series_uid, list(block.instances)))
    return created


class _SigV4(requests.auth.AuthBase):
    """Signs each request as AWS's samples do: botocore's SigV4 for `medical-imaging`, Accept included."""

    def __init__(self) -> None:
        self.credentials = boto3.Session().get_credentials()

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        headers = {name: value for name, value in request.headers.items() if name.lower() == "accept"}
        aws_request = AWSRequest(method=request.method, url=request.url, headers=headers)
        SigV4Auth(self.credentials, "medical-imaging", REGION).add_auth(aws_request)
        request.headers.update(dict(aws_request.headers.items()))
        return request


def signed_session() -> requests.Session:
    """A DICOMweb client's session: requests with a SigV4 auth hook (create it inside the mock)."""
    session = requests.Session()
    session.auth = _SigV4()
    return session
