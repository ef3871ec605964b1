"""What every benchmark shares: interleaved rounds, medians, and the canned-response floor."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import replace

import boto3
from botocore.awsrequest import AWSResponse
from moto.core.botocore_stubber import MockRawResponse
from pydicom.dataset import Dataset

from medimaging_mock.domain import ingestion
from medimaging_mock.domain.backend import ImagingBackend
from medimaging_mock.domain.ids import new_id
from medimaging_mock.domain.metadata.builder import assemble
from medimaging_mock.domain.metadata.document import Document, Instance, Series
from medimaging_mock.interception.dispatch import serve

REGION = "us-east-1"


def per_call(function: Callable[[], object], calls: int) -> float:
    started = time.perf_counter()
    for _ in range(calls):
        function()
    return (time.perf_counter() - started) / calls


def medians(contenders: Mapping[str, Callable[[], object]], rounds: int, calls: int) -> dict[str, float]:
    """Median seconds per call; rounds are interleaved so drift on a shared machine hits all alike."""
    for function in contenders.values():
        per_call(function, max(1, calls // 10))  # warm-up
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, function in contenders.items():
            samples[name].append(per_call(function, calls))
    return {name: statistics.median(values) for name, values in samples.items()}


def canned_client(operation: str, method: str, path: str, body: bytes = b"") -> object:
    """A medical-imaging client whose `operation` is answered by a before-send handler with the bytes the
    mock answers now: the least any before-send mock can cost (botocore still serialises, signs, parses)."""
    url = f"https://medical-imaging.{REGION}.amazonaws.com{path}"
    answer = serve(method, url, {}, body)
    client = boto3.client("medical-imaging", region_name=REGION)
    client.meta.events.register_first(
        f"before-send.medical-imaging.{operation}",
        lambda request, **_: AWSResponse(request.url, 200, answer.headers, MockRawResponse(answer.body)),
    )
    return client


def report(title: str, results: Mapping[str, float]) -> None:
    print(title)
    for name, value in results.items():
        print(f"  {name:28s} {value * 1e6:10.1f} us")


def clone_image_sets(
    backend: ImagingBackend, datastore_id: str, template: list[Dataset], count: int
) -> list[tuple[str, str, list[str]]]:
    """The seeding fast path for large benchmarks: build one study with the real builder, then create
    `count` image sets from it, each with its own copy of every block, new Study / Series / SOP UIDs,
    frame ids, and a PatientID of its own (<template's>-<number>). Attribute values are shared between
    clones, which only makes the footprint smaller. Returns (image set id, series UID, SOP UIDs) per series.
    """
    built = ingestion.build_all(template, "HTJ2K")
    ingestion.one_study(built)
    model = assemble(built)
    image_sets = backend.datastores.get(datastore_id).image_sets
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
        image_set = image_sets.create(document, is_primary=False)
        for series_uid, block in series.items():
            created.append((image_set.image_set_id, series_uid, list(block.instances)))
    return created
