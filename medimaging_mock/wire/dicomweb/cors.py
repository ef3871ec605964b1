"""CORS (reference §2.4, open question 18), so that a browser viewer (OHIF) can use the mock's server: a
preflight is answered without authentication, and every answer to a request with an `Origin` allows it.
"""

from __future__ import annotations

from medimaging_mock.wire.http import HttpResponse

MAX_AGE = "172800"  # seconds; the value measured on AWS
ALLOWED_METHODS = "GET, POST, OPTIONS"
DEFAULT_ALLOWED_HEADERS = (
    "Authorization, Accept, Content-Type, X-Amz-Date, X-Amz-Security-Token, X-Amz-Content-Sha256"
)
EXPOSED_HEADERS = "Content-Type, Content-Length, x-amzn-ErrorType"


def preflight(origin: str | None, requested_headers: str | None) -> HttpResponse:
    """The answer to OPTIONS: any origin, the methods DICOMweb uses, the headers the browser asks for."""
    return HttpResponse(
        200,
        {
            "Access-Control-Allow-Origin": origin or "*",
            "Access-Control-Allow-Methods": ALLOWED_METHODS,
            "Access-Control-Allow-Headers": requested_headers or DEFAULT_ALLOWED_HEADERS,
            "Access-Control-Max-Age": MAX_AGE,
            "Vary": "Origin, Access-Control-Request-Headers",
            "Content-Length": "0",
        },
        b"",
    )


def allowed(response: HttpResponse, origin: str | None) -> HttpResponse:
    """`response` with the headers that let a page from `origin` read it."""
    if not origin:
        return response
    headers = {
        **response.headers,
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Expose-Headers": EXPOSED_HEADERS,
        "Vary": "Origin",
    }
    return response._replace(headers=headers)
