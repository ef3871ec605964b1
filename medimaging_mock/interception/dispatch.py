"""From an intercepted request to the wire layer: which account and region it is for, which front serves it
(rest-json, or DICOMweb on `dicom-medical-imaging`), then serve it.

The service and wire layers load on the first request, not at package import (which every pytest session
of a project with the plugin pays).
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

from moto.core.models import DEFAULT_ACCOUNT_ID

from medimaging_mock.interception.moto_service.models import regional_backend
from medimaging_mock.wire.dicomweb.routes import is_dicomweb_path
from medimaging_mock.wire.http import Headers, HttpRequest, HttpResponse, header_text
from medimaging_mock.wire.remembered import remembered

if TYPE_CHECKING:
    from medimaging_mock.domain.backend import ImagingBackend
    from medimaging_mock.wire.dicomweb.front import DicomwebRequest
    from medimaging_mock.wire.endpoint import RestJsonEndpoint

    ServiceCall = Callable[[ImagingBackend, str, dict[str, Any]], dict[str, Any]]
    DicomwebFront = Callable[[DicomwebRequest, Callable[[str, dict[str, Any]], dict[str, Any]]], HttpResponse]

_URL = re.compile(
    r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*)://(?:[^@/?#]*@)?"
    r"(?P<authority>(?P<host>\[[^\]]*\]|[^:/?#]*)[^/?#]*)(?P<path>[^?#]*)"
)
_HOST_REGION = re.compile(
    r"(?P<prefix>runtime-|dicom-)?medical-imaging(?:-fips)?\.(?P<region>[a-z0-9-]+)\."
    r"(?:amazonaws\.com(?:\.cn)?|api\.aws)"
)
_SCOPE = re.compile(r"Credential=(?P<key>[^/,\s]+)/\d{8}/(?P<region>[a-z0-9-]+)/")
DEFAULT_REGION = "us-east-1"
SERVED_MARK = "x-medimaging-mock-served"  # set on requests the botocore hook has answered already


def serve(method: str, url: str, headers: Headers, body: Any) -> HttpResponse:
    """`headers` may be any case-insensitive mapping (botocore's, requests', werkzeug's): only the few the
    mock reads are taken from it."""
    resource, _, query = url.partition("?")
    target = _split(resource)
    query = query.partition("#")[0]
    endpoint, dicomweb, dicomweb_request_of, call = _layers()
    backend = _backend(headers, target.host_region)
    if target.dicomweb:
        dicomweb_request = dicomweb_request_of(
            method.upper(), target.base_url, target.host_region, target.path, query, headers, _bytes(body)
        )
        return dicomweb(dicomweb_request, functools.partial(call, backend))
    request = HttpRequest(method.upper(), target.path, query, headers, _bytes(body))
    return endpoint.handle(request, functools.partial(call, backend))


def backend_for(url: str, headers: Headers) -> ImagingBackend:
    """The state of the account and region a request is for, found as for every request `serve` answers."""
    target = _split(url.partition("?")[0])
    return _backend(headers, target.host_region)


def _backend(headers: Headers, host_region: str | None) -> ImagingBackend:
    """The host's region, else the signature's. The account by moto's precedence: MOTO_ACCOUNT_ID, the
    x-moto-account-id header, the access key's account (known once anybody used IAM or STS), the default.
    The signature is read only when one of them needs it."""
    account = _environment_account()
    if account is None:
        moto_account = headers.get("x-moto-account-id")
        account = header_text(moto_account) if moto_account else None
    iam = sys.modules.get("moto.iam.models") if account is None else None
    scope = None
    if host_region is None or iam is not None:
        scope = _SCOPE.search(header_text(headers.get("authorization") or ""))
    if account is None:
        account = iam.get_account_id_from(scope["key"]) if iam is not None and scope else DEFAULT_ACCOUNT_ID
    region = host_region or (scope["region"] if scope else DEFAULT_REGION)
    return regional_backend(account, region)


_ENVIRON_TYPE = type(os.environ)
_ACCOUNT_VARIABLE = os.environ.encodekey("MOTO_ACCOUNT_ID")


def _environment_account() -> str | None:
    """MOTO_ACCOUNT_ID. Unset, as it is for nearly every call, `os.environ.get` raises and catches two
    KeyErrors, which cost more than the rest of finding the backend; os.environ's own dict, keyed as it
    encodes names, answers without them. A replaced os.environ is asked the usual way."""
    environ = os.environ
    if type(environ) is not _ENVIRON_TYPE:
        return environ.get("MOTO_ACCOUNT_ID")
    value = environ._data.get(_ACCOUNT_VARIABLE)  # type: ignore[attr-defined]  # CPython's, not typeshed's
    return None if value is None else environ.decodevalue(value)


class _Layers(NamedTuple):
    endpoint: RestJsonEndpoint
    dicomweb: DicomwebFront
    dicomweb_request: type[DicomwebRequest]
    call: ServiceCall


@functools.cache
def _layers() -> _Layers:
    from medimaging_mock.service.calls import call
    from medimaging_mock.wire.dicomweb.front import DicomwebRequest, handle
    from medimaging_mock.wire.endpoint import endpoint

    return _Layers(endpoint(), handle, DicomwebRequest, call)


class Target(NamedTuple):
    """Where a request goes, read from its URL (without the query)."""

    dicomweb: bool  # served by the DICOMweb front, not rest-json
    host_region: str | None  # the region an AWS host names; None on any other host (a server's)
    path: str
    base_url: str  # scheme://host[:port]


def _split_resource(resource: str) -> Target:
    """AWS's hosts say which front serves them (`dicom-` the DICOMweb one: on the others a DICOMweb path is
    rest-json's 404, as on AWS); any other host is a server's, serving both, told apart by the path."""
    found = _URL.match(resource)
    if found is None:
        return Target(False, None, "", "")
    path, base_url = found["path"], f"{found['scheme'].lower()}://{found['authority']}"
    aws_host = _HOST_REGION.match(found["host"].lower())
    if aws_host is None:
        return Target(is_dicomweb_path(path), None, path, base_url)
    return Target(aws_host["prefix"] == "dicom-", aws_host["region"], path, base_url)


_split = remembered(_split_resource, longest=1024)


def _bytes(body: Any) -> bytes:
    """Every form a client library sends a body in: bytes, text, a file (read, then rewound when it can be,
    so that a client may send it again), or chunks (requests streams a generator; dicomweb-client does so
    for bodies over 1 MB)."""
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, bytearray | memoryview):
        return bytes(body)
    if hasattr(body, "read"):
        content = _bytes(body.read())
        with contextlib.suppress(AttributeError, OSError, ValueError):  # a stream that cannot rewind
            body.seek(0)
        return content
    return b"".join(_bytes(chunk) for chunk in body)


def moto_handler(request: Any, full_url: str, headers: Any) -> tuple[int, dict[str, str], bytes]:
    """moto's dispatch signature (botocore stubber, `responses`, and moto's server all call this)."""
    if type(headers) is dict:  # moto's server and `responses` path copy the headers into a plain dict
        headers = {key.lower(): value for key, value in headers.items()}
    if SERVED_MARK in headers:
        return 200, {}, b""  # botocore keeps the hook's answer; this one is discarded
    body = getattr(request, "body", None)
    if body is None and hasattr(request, "get_data"):
        body = request.get_data()
    response = serve(request.method, _as_sent(request, full_url), headers, body)
    return response.status, response.headers, response.body


def _as_sent(request: Any, full_url: str) -> str:
    """The URL as the client sent it. moto's server before 5.2 hands over werkzeug's percent-decoded URL (an
    id's `%2F` a `/` of the path); the WSGI environ keeps the request target as it arrived: a path, or a
    whole URL (absolute form), whose path is taken on the host the server was reached at, as moto 5.2 does."""
    environ = getattr(request, "environ", None)
    target = environ.get("RAW_URI") if isinstance(environ, dict) else None
    if not isinstance(target, str):
        return full_url
    absolute = _URL.match(target)
    if absolute is not None:
        target = target[absolute.end("authority") :] or "/"
    base = _URL.match(full_url) if target.startswith("/") else None
    return f"{base['scheme']}://{base['authority']}{target}" if base else full_url
