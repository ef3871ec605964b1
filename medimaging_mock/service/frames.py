"""GetImageFrame."""

from __future__ import annotations

from typing import Any

from medimaging_mock.domain.backend import ImagingBackend
from medimaging_mock.domain.errors import ResourceNotFoundException
from medimaging_mock.service.per_version import PerVersion
from medimaging_mock.service.registry import operation

_frame_ids = PerVersion(lambda version: frozenset(version.document.frame_ids()))


@operation("GetImageFrame")
def get_image_frame(
    backend: ImagingBackend, *, datastore_id: str, image_set_id: str, image_frame_information: dict[str, Any]
) -> dict[str, Any]:
    datastore = backend.datastores.get(datastore_id)
    _, version = datastore.image_sets.readable(image_set_id, None, consistent=False)
    frame_id = image_frame_information["imageFrameId"]
    if frame_id not in _frame_ids(version) or frame_id not in datastore.frames:
        raise ResourceNotFoundException(f"Image frame {frame_id} does not exist in ImageSet {image_set_id}")
    body, content_type = datastore.frames.encoded(frame_id)
    return {"imageFrameBlob": body, "contentType": content_type}
