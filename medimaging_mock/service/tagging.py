"""TagResource, UntagResource, ListTagsForResource."""

from __future__ import annotations

from typing import Any

from medimaging_mock.domain.backend import ImagingBackend
from medimaging_mock.service.registry import operation


@operation("TagResource")
def tag_resource(backend: ImagingBackend, *, resource_arn: str, tags: dict[str, str]) -> dict[str, Any]:
    backend.tags.tag(backend.require_resource(resource_arn), tags)
    return {}


@operation("UntagResource")
def untag_resource(backend: ImagingBackend, *, resource_arn: str, tag_keys: list[str]) -> dict[str, Any]:
    backend.tags.untag(backend.require_resource(resource_arn), tag_keys)
    return {}


@operation("ListTagsForResource")
def list_tags_for_resource(backend: ImagingBackend, *, resource_arn: str) -> dict[str, Any]:
    return {"tags": backend.tags.of(backend.require_resource(resource_arn))}
