"""One frame through DICOMweb against the same frame through boto3, both served by the mock: a WADO-RS
GetDICOMInstanceFrames in the stored syntax (requests on a SigV4-signed session, the multipart body read to
its end) against GetImageFrame (the blob read to its end). Both are encoded once and cached first, so the
rounds measure what each path adds: signing, interception, routing, the image-set lookup and packaging.

A second row shows where the time goes: the DICOMweb frame against its floor, the same signed session
answered with the mock's own response by a transport adapter (requests and signing, none of the mock).

Goal (issue 12): the DICOMweb frame <= 1.25x the boto3 frame.
Run: python benchmarks/bench_dicomweb_frames.py [--rounds 15] [--calls 100] [--size 256]
"""

from __future__ import annotations

import argparse
import gzip
import json

import boto3
import requests
from common import DICOMWEB, REGION, Row, floor_guard, paired_row, print_table, rounds_of, signed_session
from pydicom.uid import HTJ2KLosslessRPCL
from requests.adapters import BaseAdapter

from medimaging_mock import mock_medical_imaging
from medimaging_mock.samples import generated_study

GOAL = 1.25
ACCEPT = f"multipart/related; type=image/jphc; transfer-syntax={HTJ2KLosslessRPCL}"


class Canned(BaseAdapter):
    """The floor's transport: answers every request with one recorded response, sending nothing."""

    def __init__(self, recorded: requests.Response):
        super().__init__()
        self.recorded = recorded

    def send(self, request: requests.PreparedRequest, *args: object, **kwargs: object) -> requests.Response:
        response = requests.Response()
        response.status_code, response.headers = self.recorded.status_code, self.recorded.headers
        response._content, response.request, response.url = self.recorded.content, request, request.url
        return response

    def close(self) -> None:
        pass


def rows(rounds: int = 15, calls: int = 100, size: int = 256) -> list[Row]:
    with mock_medical_imaging() as mi:
        client = boto3.client("medical-imaging", region_name=REGION)
        datastore_id = client.create_datastore(datastoreName="bench-dicomweb")["datastoreId"]
        client.get_datastore(datastoreId=datastore_id)  # CREATING -> ACTIVE
        (dataset,) = generated_study(instances_per_series=1, size=size)
        image_set_id = mi.create_image_set(datastore_id, [dataset])
        blob = client.get_image_set_metadata(datastoreId=datastore_id, imageSetId=image_set_id)
        document = json.loads(gzip.decompress(blob["imageSetMetadataBlob"].read()))
        series = document["Study"]["Series"][dataset.SeriesInstanceUID]
        frame_id = series["Instances"][dataset.SOPInstanceUID]["ImageFrames"][0]["ID"]
        session = signed_session()
        url = (
            f"{DICOMWEB}/datastore/{datastore_id}/studies/{dataset.StudyInstanceUID}/series/"
            f"{dataset.SeriesInstanceUID}/instances/{dataset.SOPInstanceUID}/frames/1"
        )

        def dicomweb() -> bytes:
            response = session.get(url, headers={"Accept": ACCEPT})
            assert response.status_code == 200, response.text
            return response.content

        floor_session = signed_session()
        floor_session.mount(url, Canned(session.get(url, headers={"Accept": ACCEPT})))

        def floor() -> bytes:
            return floor_session.get(url, headers={"Accept": ACCEPT}).content

        def boto3_frame() -> bytes:
            response = client.get_image_frame(
                datastoreId=datastore_id,
                imageSetId=image_set_id,
                imageFrameInformation={"imageFrameId": frame_id},
            )
            return bytes(response["imageFrameBlob"].read())

        codestream = boto3_frame()  # encodes the frame once; both paths then serve it from the cache
        assert codestream in dicomweb(), "the two paths must serve the same frame"
        contenders = {"dicomweb": dicomweb, "boto3": boto3_frame, "floor": floor}
        samples = rounds_of(contenders, rounds, calls, guards={"floor": floor_guard})
    frame = f"{size}x{size}, HTJ2K"
    return [
        paired_row(f"DICOMweb frame vs GetImageFrame ({frame})", samples, "dicomweb", "boto3", GOAL),
        paired_row(f"DICOMweb frame vs its requests floor ({frame})", samples, "dicomweb", "floor", None),
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--size", type=int, default=256)
    args = parser.parse_args()
    table = rows(args.rounds, args.calls, args.size)
    print_table(
        f"One frame per call, median of {args.rounds} rounds x {args.calls} calls",
        table,
    )


if __name__ == "__main__":
    main()
