"""S3, as the import job sees it: moto's S3 backend of the job's account, called directly.

Never boto3 or HTTP: the job's reads and writes stay in this process whatever mock or server mode is (or is
not) active, so no call can reach AWS. moto.s3 is heavy: imported by the methods, at the first job.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from moto.utilities.utils import get_partition

if TYPE_CHECKING:
    from moto.s3.models import S3Backend


class BucketUnavailable(Exception):
    """The bucket does not exist or cannot be reached; the message says which."""


class ObjectUnavailable(Exception):
    """An object listed a moment ago cannot be read; the message says which."""


def split(uri: str) -> tuple[str, str]:
    """s3://bucket/some/prefix -> ("bucket", "some/prefix/"): a prefix always names a folder."""
    parts = urlsplit(uri)
    prefix = parts.path.lstrip("/")
    return parts.netloc, prefix if not prefix or prefix.endswith("/") else prefix + "/"


class ObjectStore:
    """One job's view of S3: the S3 backend moto keeps for the account (buckets are per partition)."""

    def __init__(self, account_id: str, region: str):
        from moto.s3.models import s3_backends

        self._s3: S3Backend = s3_backends[account_id][get_partition(region)]

    def keys(self, bucket: str, prefix: str) -> list[str]:
        """Every object under the prefix, nested folders included, in key order."""
        from moto.s3.exceptions import S3ClientError

        try:
            found = self._s3.get_bucket(bucket)
            listed = self._s3.list_objects(found, prefix, delimiter=None, marker=None, max_keys=None)[0]
        except S3ClientError as error:
            raise BucketUnavailable(f"Input bucket {bucket} is not accessible: {error.message}") from error
        return [key.name for key in listed if not key.name.endswith("/")]

    def read(self, bucket: str, key: str) -> bytes:
        from moto.s3.exceptions import S3ClientError

        try:
            found = self._s3.get_object(bucket, key)
        except S3ClientError as error:
            raise ObjectUnavailable(f"s3://{bucket}/{key} cannot be read: {error.message}") from error
        if found is None:
            raise ObjectUnavailable(f"s3://{bucket}/{key} cannot be read: the object does not exist")
        return found.value

    def write(self, bucket: str, key: str, body: bytes) -> None:
        from moto.s3.exceptions import S3ClientError

        try:
            self._s3.put_object(bucket, key, body)
        except S3ClientError as error:
            raise BucketUnavailable(f"Output bucket {bucket} is not accessible: {error.message}") from error

    def check(self, bucket: str, role: str) -> None:
        from moto.s3.exceptions import S3ClientError

        try:
            self._s3.get_bucket(bucket)
        except S3ClientError as error:
            raise BucketUnavailable(f"{role} bucket {bucket} is not accessible: {error.message}") from error
