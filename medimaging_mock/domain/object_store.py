"""S3, as the import job sees it: ordinary boto3 calls, which moto's S3 serves while a mock is active."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import boto3
from botocore.exceptions import ClientError


class BucketUnavailable(Exception):
    """The bucket does not exist or cannot be reached; the message says which."""


def split(uri: str) -> tuple[str, str]:
    """s3://bucket/some/prefix -> ("bucket", "some/prefix/"): a prefix always names a folder."""
    parts = urlsplit(uri)
    prefix = parts.path.lstrip("/")
    return parts.netloc, prefix if not prefix or prefix.endswith("/") else prefix + "/"


class ObjectStore:
    def __init__(self, region: str):
        self._client = boto3.client("s3", region_name=region)

    def keys(self, bucket: str, prefix: str) -> Iterator[str]:
        """Every object under the prefix, nested folders included."""
        try:
            for page in self._client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
                for item in page.get("Contents", []):
                    if not item["Key"].endswith("/"):
                        yield item["Key"]
        except ClientError as error:
            raise BucketUnavailable(f"Input bucket {bucket} is not accessible: {_reason(error)}") from error

    def read(self, bucket: str, key: str) -> bytes:
        return self._client.get_object(Bucket=bucket, Key=key)["Body"].read()

    def write(self, bucket: str, key: str, body: bytes) -> None:
        try:
            self._client.put_object(Bucket=bucket, Key=key, Body=body)
        except ClientError as error:
            raise BucketUnavailable(f"Output bucket {bucket} is not accessible: {_reason(error)}") from error

    def check(self, bucket: str, role: str) -> None:
        try:
            self._client.head_bucket(Bucket=bucket)
        except ClientError as error:
            raise BucketUnavailable(f"{role} bucket {bucket} is not accessible: {_reason(error)}") from error


def _reason(error: ClientError) -> str:
    details = error.response.get("Error", {})
    return details.get("Message") or details.get("Code") or str(error)
