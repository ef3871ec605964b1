"""The server's private route for `medimaging_mock.server.create_image_set`: what `mi.create_image_set` does
in a test's own process, done in the server's process.

It is no operation of the service, so the wire layer never sees it. moto routes it here like any request
signed for medical-imaging (urls.py); the account and region are found as for every other request.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from medimaging_mock.domain import json_text
from medimaging_mock.domain.errors import ServiceError, ValidationException
from medimaging_mock.interception.dispatch import backend_for

PATH = "/medimaging-mock/create-image-set"
VALUE_ERROR = "ValueError"  # the code of a refusal that `mi.create_image_set` raises as ValueError


def create_image_set(request: Any, full_url: str, headers: Any) -> tuple[int, dict[str, str], bytes]:
    """moto's handler signature. Answers {"imageSetId"}, or {"code", "message"} with HTTP 400."""
    backend = backend_for(full_url, request.headers)  # case-insensitive, unlike `headers` on moto's server
    try:
        datastore_id, instances, is_primary = _parsed(request.get_data())
        backend.settle()  # in-flight work that is due completes first, as before any call
        image_set = backend.seed_image_set(datastore_id, instances, is_primary)
    except ServiceError as error:
        return _answer(400, {"code": error.code, "message": error.message})
    except ValueError as error:
        return _answer(400, {"code": VALUE_ERROR, "message": str(error)})
    return _answer(200, {"imageSetId": image_set.image_set_id})


def _parsed(body: bytes) -> tuple[str, list[bytes], bool]:
    try:
        fields = json_text.parse(body, "The request body")  # bounded, as every client's JSON
        instances = [base64.b64decode(text, validate=True) for text in fields["instances"]]
        datastore_id, is_primary = fields["datastoreId"], fields["isPrimary"]
    except (ValidationException, ValueError, KeyError, TypeError) as error:
        raise ValueError(f"not a request to create an image set: {error}") from None
    if not isinstance(datastore_id, str) or not isinstance(is_primary, bool):
        raise ValueError("not a request to create an image set: datastoreId or isPrimary of the wrong type")
    return datastore_id, instances, is_primary


def _answer(status: int, fields: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    return status, {"Content-Type": "application/json"}, json.dumps(fields).encode()
