"""The rest-json endpoint: route, decode, check, call the service, encode. Generic over operations."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from botocore import xform_name
from botocore.model import OperationModel

from medimaging_mock.domain.errors import ServiceError
from medimaging_mock.wire.decoding import decode_request
from medimaging_mock.wire.encoding import encode_error, encode_result, error_response
from medimaging_mock.wire.http import HttpRequest, HttpResponse
from medimaging_mock.wire.model import SERVICE_NAME, service_model
from medimaging_mock.wire.patterns import model_patterns
from medimaging_mock.wire.routing import Router
from medimaging_mock.wire.validation import check

log = logging.getLogger(__name__)

# The service layer: operation name and snake_case keyword arguments in, result members out.
Call = Callable[[str, dict[str, Any]], dict[str, Any]]


@functools.cache
def _keyword_names(operation: OperationModel) -> dict[str, str]:
    shape = operation.input_shape
    return {name: xform_name(name) for name in shape.members} if shape else {}


def _query(text: str) -> dict[str, list[str]]:
    """The query string's values by name. The usual query (`a=1&b=2`, nothing escaped) is split directly;
    anything else goes through urllib, which reads escapes and `+` as the client meant them."""
    if not text:
        return {}
    if "%" in text or "+" in text:
        return parse_qs(text, keep_blank_values=True)
    query: dict[str, list[str]] = {}
    for pair in text.split("&"):
        if pair:
            name, _, value = pair.partition("=")
            query.setdefault(name, []).append(value)
    return query


class RestJsonEndpoint:
    def __init__(self) -> None:
        self._router = Router(service_model())
        model_patterns()  # compiled now: a pattern that cannot be matched in linear time fails here

    def handle(self, request: HttpRequest, call: Call) -> HttpResponse:
        matched = self._router.match(request.method, request.path)
        if matched is None:
            message = f"No {SERVICE_NAME} operation matches {request.method} {request.path}"
            return error_response(404, "UnknownOperationException", message)
        operation, labels = matched
        try:
            query = _query(request.query)
            params = decode_request(operation, labels, query, request.headers, request.body)
            check(operation.input_shape, params)
            names = _keyword_names(operation)
            result = call(operation.name, {names[name]: value for name, value in params.items()})
            return encode_result(operation, result)
        except ServiceError as error:
            return encode_error(error)
        except Exception as error:  # a defect of the mock, not of the caller: answer like the service would
            log.exception("medimaging_mock failed on %s", operation.name)
            return error_response(
                500, "InternalServerException", f"medimaging_mock internal error: {error!r}"
            )


@functools.cache
def endpoint() -> RestJsonEndpoint:
    return RestJsonEndpoint()
