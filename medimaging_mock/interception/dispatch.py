"""From an intercepted request to the wire layer: which account and region it is for, then serve it."""

from __future__ import annotations

import functools
import os
import re
import sys
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from moto.core import DEFAULT_ACCOUNT_ID

from medimaging_mock import service
from medimaging_mock.interception.moto_service.models import regional_backend
from medimaging_mock.wire.endpoint import endpoint
from medimaging_mock.wire.http import HttpRequest, HttpResponse

_HOST_REGION = re.compile(
    r"(?:runtime-)?medical-imaging(?:-fips)?\.(?P<region>[a-z0-9-]+)\.(?:amazonaws\.com(?:\.cn)?|api\.aws)"
)
_SCOPE = re.compile(r"Credential=(?P<key>[^/,\s]+)/\d{8}/(?P<region>[a-z0-9-]+)/")
DEFAULT_REGION = "us-east-1"
SERVED_MARK = "x-medimaging-mock-served"  # set on requests the botocore hook has answered already


def account_of(headers: Mapping[str, str]) -> str:
    """moto's precedence: MOTO_ACCOUNT_ID, the x-moto-account-id header, the access key's account."""
    if "MOTO_ACCOUNT_ID" in os.environ:
        return os.environ["MOTO_ACCOUNT_ID"]
    if "x-moto-account-id" in headers:
        return headers["x-moto-account-id"]
    scope = _SCOPE.search(headers.get("authorization", ""))
    iam = sys.modules.get("moto.iam.models")  # loaded once anybody used IAM or STS; otherwise no key is known
    if scope and iam is not None:
        return iam.get_account_id_from(scope["key"])
    return DEFAULT_ACCOUNT_ID


def region_of(host: str, headers: Mapping[str, str]) -> str:
    found = _HOST_REGION.match(host) or _SCOPE.search(headers.get("authorization", ""))
    return found["region"] if found else DEFAULT_REGION


def serve(method: str, url: str, headers: Mapping[str, Any], body: Any) -> HttpResponse:
    headers = {
        key.lower(): value.decode() if isinstance(value, bytes) else value for key, value in headers.items()
    }
    parts = urlsplit(url)
    backend = regional_backend(account_of(headers), region_of(parts.hostname or "", headers))
    request = HttpRequest(method.upper(), parts.path, parts.query, headers, _bytes(body))
    return endpoint().handle(request, functools.partial(service.call, backend))


def _bytes(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, str):
        return body.encode("utf-8")
    if hasattr(body, "read"):
        content = body.read()
        body.seek(0)
        return content
    return bytes(body)


def moto_handler(request: Any, full_url: str, headers: Any) -> tuple[int, dict[str, str], bytes]:
    """moto's dispatch signature (botocore stubber, `responses`, and moto's server all call this)."""
    headers = dict(headers)
    if SERVED_MARK in {key.lower() for key in headers}:
        return 200, {}, b""  # botocore keeps the hook's answer; this one is discarded
    body = getattr(request, "body", None)
    if body is None and hasattr(request, "get_data"):
        body = request.get_data()
    response = serve(request.method, full_url, headers, body)
    return response.status, response.headers, response.body
