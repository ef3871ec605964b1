"""The rest-json endpoint: route, decode, check, call the service, encode. Generic over operations.

What a request line (method and path) determines is worked out once per line and remembered: the
operation, and its URI labels decoded, checked and named as the service names them. A call then decodes
and checks only what else it sent (query, headers, body).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple
from urllib.parse import parse_qs

from botocore import xform_name
from botocore.model import OperationModel

from medimaging_mock.domain.errors import ServiceError
from medimaging_mock.wire.decoding import InputPlan, decode_labels, decode_request, decode_rest, input_plan
from medimaging_mock.wire.encoding import encode_error, encode_result, error_response
from medimaging_mock.wire.http import HttpRequest, HttpResponse
from medimaging_mock.wire.model import SERVICE_NAME, service_model
from medimaging_mock.wire.patterns import model_patterns
from medimaging_mock.wire.remembered import remembered
from medimaging_mock.wire.routing import Router
from medimaging_mock.wire.validation import ParamsCheck, compiled

log = logging.getLogger(__name__)

# The service layer: operation name and snake_case keyword arguments in, result members out.
Call = Callable[[str, dict[str, Any]], dict[str, Any]]


def _query(text: str) -> dict[str, list[str]]:
    """The query string's values by name. The usual query (`a=1&b=2`, nothing escaped) is split directly;
    anything else goes through urllib, which reads escapes and `+` as the client meant them."""
    if not text:
        return {}
    if "%" in text or "+" in text:
        return parse_qs(text, keep_blank_values=True)
    if "&" not in text:  # one member, the most common query
        name, _, value = text.partition("=")
        return {name: [value]}
    query: dict[str, list[str]] = {}
    for pair in text.split("&"):
        if pair:
            name, _, value = pair.partition("=")
            query.setdefault(name, []).append(value)
    return query


class _Operation(NamedTuple):
    """One operation as the endpoint serves it, read from the model once."""

    model: OperationModel
    inputs: InputPlan | None
    keywords: dict[str, str]  # input member -> the service's keyword argument
    labels: frozenset[str]  # the members in the URI path
    rest: frozenset[str]  # every other input member
    check_all: ParamsCheck
    check_labels: ParamsCheck
    check_rest: ParamsCheck

    @classmethod
    def of(cls, model: OperationModel) -> _Operation:
        shape, inputs = model.input_shape, input_plan(model)
        members = frozenset(shape.members) if shape else frozenset()
        labels = inputs.label_members if inputs else frozenset()
        rest = members - labels
        keywords = {name: xform_name(name) for name in members}
        checks = compiled(shape), compiled(shape, labels), compiled(shape, rest)
        return cls(model, inputs, keywords, labels, rest, *checks)

    def named(self, params: Mapping[str, Any]) -> dict[str, Any]:
        return {self.keywords[name]: value for name, value in params.items()}


class _RequestLine(NamedTuple):
    """What a method and path determine. Either the labels' service arguments (checked; shared between
    calls, so each call copies them), or, when a label breaks a rule, the labels as sent (each call then
    decodes and checks every member together)."""

    operation: _Operation
    arguments: dict[str, Any] | None
    labels: Mapping[str, str] | None = None


class RestJsonEndpoint:
    def __init__(self) -> None:
        model = service_model()
        self._router = Router(model)
        self._operations = {
            name: _Operation.of(model.operation_model(name)) for name in model.operation_names
        }
        self._request_line = remembered(self._read_request_line, longest=512)
        model_patterns()  # compiled now: a pattern that cannot be matched in linear time fails here

    def handle(self, request: HttpRequest, call: Call) -> HttpResponse:
        line = self._request_line(f"{request.method} {request.path}")
        if line is None:
            message = f"No {SERVICE_NAME} operation matches {request.method} {request.path}"
            return error_response(404, "UnknownOperationException", message)
        operation = line.operation
        try:
            result = call(operation.model.name, self._arguments(line, request))
            return encode_result(operation.model, result)
        except ServiceError as error:
            return encode_error(error)
        except Exception as error:  # a defect of the mock, not of the caller: answer like the service would
            log.exception("medimaging_mock failed on %s", operation.model.name)
            return error_response(
                500, "InternalServerException", f"medimaging_mock internal error: {error!r}"
            )

    @staticmethod
    def _arguments(line: _RequestLine, request: HttpRequest) -> dict[str, Any]:
        operation = line.operation
        if operation.inputs is None:
            return {}
        query = _query(request.query) if operation.inputs.queries else {}
        arguments = line.arguments
        if arguments is None:  # every member checked together, so one message names every violation
            labels = line.labels or {}
            params = decode_request(operation.model, labels, query, request.headers, request.body)
            operation.check_all(params)
            return operation.named(params)
        if not operation.rest:
            return dict(arguments)
        params = decode_rest(operation.inputs, query, request.headers, request.body)
        operation.check_rest(params)
        return {**arguments, **operation.named(params)}

    def _read_request_line(self, request_line: str) -> _RequestLine | None:
        method, _, path = request_line.partition(" ")  # methods have no space
        matched = self._router.match(method, path)
        if matched is None:
            return None
        model, labels = matched
        operation = self._operations[model.name]
        if operation.inputs is None:
            return _RequestLine(operation, {})
        try:
            params = decode_labels(operation.inputs, labels)
            operation.check_labels(params)
        except Exception:  # a label breaks a rule: each call decodes it again, inside `handle`'s answers
            return _RequestLine(operation, None, labels)
        return _RequestLine(operation, operation.named(params))


@functools.cache
def endpoint() -> RestJsonEndpoint:
    return RestJsonEndpoint()
