"""ARNs of datastores and image sets (lowercase `imageset` in ARNs, camel case only in REST paths)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from medimaging_mock.domain.errors import ValidationException

_ARN = re.compile(
    r"arn:(?P<partition>aws(?:-us-gov|-iso|-iso-b|-cn)?):medical-imaging:(?P<region>[a-z0-9-]+):"
    r"(?P<account>[0-9]{12}):datastore/(?P<datastore>[0-9a-z]{32})(?:/imageset/(?P<image_set>[0-9a-z]{32}))?"
)


def partition_of(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def datastore_arn(region: str, account_id: str, datastore_id: str) -> str:
    return f"arn:{partition_of(region)}:medical-imaging:{region}:{account_id}:datastore/{datastore_id}"


def image_set_arn(region: str, account_id: str, datastore_id: str, image_set_id: str) -> str:
    return f"{datastore_arn(region, account_id, datastore_id)}/imageset/{image_set_id}"


@dataclass(frozen=True)
class ResourceName:
    region: str
    account_id: str
    datastore_id: str
    image_set_id: str | None


def parse(arn: str) -> ResourceName:
    found = _ARN.fullmatch(arn)
    if found is None:
        raise ValidationException(f"'{arn}' is not a datastore or image set ARN of medical-imaging")
    return ResourceName(found["region"], found["account"], found["datastore"], found["image_set"])
