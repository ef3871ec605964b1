"""GetImageSetMetadata of a 500-instance image set, and GetImageSet, through boto3 under the mock,
against the canned floor (the same client answered by a before-send handler with the mock's bytes).

The first GetImageSetMetadata of a version serialises and compresses its document; later ones reuse it.
Run: python benchmarks/bench_image_set_reads.py [--instances 500] [--rounds 11] [--calls 20]
"""

from __future__ import annotations

import argparse
import gzip
import json
import time

import boto3
from common import REGION, canned_client, medians, report

from medimaging_mock import mock_medical_imaging
from medimaging_mock.samples import generated_study


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--instances", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=11)
    parser.add_argument("--calls", type=int, default=20)
    args = parser.parse_args()

    with mock_medical_imaging() as mi:
        client = boto3.client("medical-imaging", region_name=REGION)
        datastore_id = client.create_datastore(datastoreName="bench")["datastoreId"]
        image_set_id = mi.create_image_set(datastore_id, generated_study(instances_per_series=args.instances))
        base = f"/datastore/{datastore_id}/imageSet/{image_set_id}"

        def metadata() -> bytes:
            response = client.get_image_set_metadata(datastoreId=datastore_id, imageSetId=image_set_id)
            return response["imageSetMetadataBlob"].read()

        started = time.perf_counter()
        blob = metadata()
        first = time.perf_counter() - started
        document = json.loads(gzip.decompress(blob))
        assert len(next(iter(document["Study"]["Series"].values()))["Instances"]) == args.instances

        metadata_floor = canned_client("GetImageSetMetadata", "POST", f"{base}/getImageSetMetadata")
        image_set_floor = canned_client("GetImageSet", "POST", f"{base}/getImageSet")
        ids = {"datastoreId": datastore_id, "imageSetId": image_set_id}
        results = medians(
            {
                "GetImageSetMetadata mock": metadata,
                "GetImageSetMetadata floor": lambda: metadata_floor.get_image_set_metadata(**ids)[
                    "imageSetMetadataBlob"
                ].read(),
                "GetImageSet mock": lambda: client.get_image_set(**ids),
                "GetImageSet floor": lambda: image_set_floor.get_image_set(**ids),
            },
            args.rounds,
            args.calls,
        )

    report(
        f"{args.instances}-instance image set, median of {args.rounds} rounds x {args.calls} calls", results
    )
    print(f"  first GetImageSetMetadata (serialise + gzip {len(blob)} bytes): {first * 1e3:.1f} ms")
    for operation in ("GetImageSetMetadata", "GetImageSet"):
        ratio = results[f"{operation} mock"] / results[f"{operation} floor"]
        print(f"  {operation} mock / floor = {ratio:.2f}")


if __name__ == "__main__":
    main()
