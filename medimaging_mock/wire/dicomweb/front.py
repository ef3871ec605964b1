"""The DICOMweb front: CORS, authentication, route, read the request into the operation's parameters, call
the service, and package its result as the client asked (DICOM JSON, Part 10, frames, bytes, multipart).

Beside the rest-json front over the same service layer; every error is answered as the rest of the service
answers them: `{"message"}` with `x-amzn-ErrorType`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, NamedTuple
from urllib.parse import parse_qsl

from medimaging_mock.domain.errors import ServiceError, ValidationException
from medimaging_mock.domain.json_text import dumps
from medimaging_mock.wire.dicomweb import accept, auth, cors, routes, store_body
from medimaging_mock.wire.dicomweb.multipart import encode
from medimaging_mock.wire.dicomweb.refusal import Refusal
from medimaging_mock.wire.encoding import encode_error, error_response
from medimaging_mock.wire.http import Headers, HttpResponse, header_text

log = logging.getLogger(__name__)

# The service layer: operation name and keyword arguments in, result out.
Call = Callable[[str, dict[str, Any]], dict[str, Any]]
IMAGE_SET_ID = "imageSetId"


class DicomwebRequest(NamedTuple):
    method: str
    base_url: str  # scheme://host[:port], as the client addressed the service
    host_region: str | None  # the region the host names; None on a server-mode host
    path: str  # still percent-encoded
    query: str
    headers: Headers  # the client's, as its library hands them over
    body: bytes = b""

    def header(self, name: str) -> str | None:
        """The text of header `name` (in lower case); None when the client sent none."""
        value = self.headers.get(name)
        return None if value is None else header_text(value)


def handle(request: DicomwebRequest, call: Call) -> HttpResponse:
    origin = request.header("origin")
    if request.method == "OPTIONS":
        return cors.preflight(origin, request.header("access-control-request-headers"))
    try:
        auth.check(request.header("authorization") or "", request.host_region)
        route = routes.match(request.method, request.path)
        response = _SERVE[route.operation](route, request, call)
    except ServiceError as error:
        response = encode_error(error)
    except Refusal as error:
        response = error_response(error.status, error.code, error.message)
        response.headers.update(error.headers)
    except Exception as error:  # a defect of the mock, not of the caller
        log.exception("medimaging_mock failed on DICOMweb %s %s", request.method, request.path)
        response = error_response(
            500, "InternalServerException", f"medimaging_mock internal error: {error!r}"
        )
    return cors.allowed(response, origin)


Serve = Callable[[routes.Route, DicomwebRequest, Call], HttpResponse]


def _search(route: routes.Route, request: DicomwebRequest, call: Call) -> HttpResponse:
    accept.check_json(request.header("accept"), "search results")
    query = [(key, value) for key, value in _query(request.query) if key != IMAGE_SET_ID]
    result = call(route.operation, {**route.labels, "query": query, "base_url": request.base_url})
    return _dicom_json(200, result["datasets"])


def _metadata(route: routes.Route, request: DicomwebRequest, call: Call) -> HttpResponse:
    accept.check_json(request.header("accept"), "metadata")
    params = {**route.labels, "image_set_id": _image_set_id(request), "base_url": request.base_url}
    return _dicom_json(200, call(route.operation, params)["datasets"])


def _instance(route: routes.Route, request: DicomwebRequest, call: Call) -> HttpResponse:
    acceptable = accept.for_instance(request.header("accept"))
    params = {
        **route.labels,
        "image_set_id": _image_set_id(request),
        "transfer_syntaxes": acceptable.transfer_syntaxes,
    }
    result = call(route.operation, params)
    syntax = result["transfer_syntax"]
    content_type = f"{accept.DICOM}; transfer-syntax={syntax}"
    if accept.choice_for(acceptable.choices, syntax).multipart:
        return _multipart(accept.DICOM, syntax, [(content_type, result["body"])])
    return HttpResponse(200, {"Content-Type": content_type}, result["body"])


def _frames(route: routes.Route, request: DicomwebRequest, call: Call) -> HttpResponse:
    acceptable = accept.for_frames(request.header("accept"))
    params = {
        **route.labels,
        "frames": routes.frame_numbers(route.labels["frames"]),  # the label's text, read
        "image_set_id": _image_set_id(request),
        "transfer_syntaxes": acceptable.transfer_syntaxes,
    }
    result = call(route.operation, params)
    syntax = result["transfer_syntax"]
    media_type = accept.frame_media_type(syntax)
    part_type = f"{media_type}; transfer-syntax={syntax}"
    return _multipart(media_type, syntax, [(part_type, frame) for frame in result["frames"]])


def _bulkdata(route: routes.Route, request: DicomwebRequest, call: Call) -> HttpResponse:
    acceptable = accept.for_bulkdata(request.header("accept"))
    body = call(route.operation, {**route.labels, "image_set_id": _image_set_id(request)})["body"]
    if acceptable.choices[0].multipart:
        return _multipart(accept.OCTET_STREAM, None, [(accept.OCTET_STREAM, body)])
    return HttpResponse(200, {"Content-Type": accept.OCTET_STREAM}, body)


def _store(route: routes.Route, request: DicomwebRequest, call: Call) -> HttpResponse:
    """200 when every instance was stored, 202 when some were, 409 when none (PS3.18 §10.5.3)."""
    accept.check_json(request.header("accept"), "the store response")
    instances = store_body.instances(request.header("content-type"), request.body)
    result = call(route.operation, {**route.labels, "instances": instances, "base_url": request.base_url})
    status = 409 if result["stored"] == 0 else 202 if result["failed"] else 200
    return _dicom_json(status, result["dataset"])


_SERVE: dict[str, Serve] = {
    "SearchDICOMStudies": _search,
    "SearchDICOMSeries": _search,
    "SearchDICOMInstances": _search,
    "SearchDICOMStudyInstances": _search,
    "SearchDICOMAllSeries": _search,
    "SearchDICOMAllInstances": _search,
    "GetDICOMSeriesMetadata": _metadata,
    "GetDICOMInstanceMetadata": _metadata,
    "GetDICOMInstance": _instance,
    "GetDICOMInstanceFrames": _frames,
    "GetDICOMBulkdata": _bulkdata,
    "StoreDICOM": _store,
    "StoreDICOMStudy": _store,
}


def _dicom_json(status: int, content: Any) -> HttpResponse:
    """Exactly `application/dicom+json`: dicomweb-client reads a STOW answer only under that type."""
    return HttpResponse(status, {"Content-Type": accept.DICOM_JSON}, dumps(content))


def _multipart(media_type: str, syntax: str | None, parts: list[tuple[str, bytes]]) -> HttpResponse:
    boundary, body = encode(parts)
    syntax_parameter = f"; transfer-syntax={syntax}" if syntax else ""
    content_type = f'{accept.MULTIPART}; type="{media_type}"{syntax_parameter}; boundary={boundary}'
    return HttpResponse(200, {"Content-Type": content_type}, body)


def _query(text: str) -> list[tuple[str, str]]:
    return parse_qsl(text, keep_blank_values=True)


def _image_set_id(request: DicomwebRequest) -> str | None:
    if IMAGE_SET_ID not in request.query:  # the usual request, without reading the query
        return None
    values = [value for key, value in _query(request.query) if key == IMAGE_SET_ID]
    if len(values) > 1:
        raise ValidationException(f"{IMAGE_SET_ID} is given {len(values)} times; give it once")
    return values[0] if values else None
