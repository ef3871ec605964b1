"""Who may call (reference §2.2, §2.3): a SigV4 Authorization scoped to medical-imaging in the host's region,
or an OIDC bearer token that passes the claim checks HealthImaging makes before it calls a data store's
Lambda authorizer. Signatures are not verified (moto never does), and no authorizer runs: a bearer token
with valid times is accepted on every data store.

Refusals use AWS's wording for each case, with status 403.
"""

from __future__ import annotations

import base64
import binascii
import json
import re

from medimaging_mock.domain import clock
from medimaging_mock.wire.dicomweb.refusal import Refusal

SERVICE = "medical-imaging"
MAX_TOKEN_AGE = 12 * 3600  # seconds: a token issued longer ago is refused (`iat`)
_SIGV4_PARAMETER = re.compile(r"(Credential|SignedHeaders|Signature)=([^,\s]*)")
_SCOPE = re.compile(r"[^/]+/\d{8}/(?P<region>[^/]+)/(?P<service>[^/]+)/aws4_request")
# The form every SDK writes, read in one pass; any other form is read the general way. Its values are sets of
# plain characters, which the regex engine looks up in a table (`\s` costs a test of its own per character).
_VISIBLE = r"!-+\--~"  # visible ASCII except `,`
_SCOPE_PART = r"[!-+\--.0-~]+"  # visible ASCII except `,` and `/`
_USUAL_SIGV4 = re.compile(
    rf"Credential={_SCOPE_PART}/[0-9]{{8}}/(?P<region>{_SCOPE_PART})/(?P<service>{_SCOPE_PART})/aws4_request,"
    rf"[ \t]*SignedHeaders=[{_VISIBLE}]+,[ \t]*Signature=[{_VISIBLE}]+[ \t]*"
)


def check(authorization: str, host_region: str | None) -> None:
    """Refusal unless `authorization` may call the service; `host_region` is None on a server-mode host,
    whose region comes from the signature."""
    scheme, _, credentials = authorization.strip().partition(" ")
    if not scheme:
        raise Refusal(403, "MissingAuthenticationTokenException", "Missing Authentication Token")
    if scheme.lower() == "bearer":
        _check_token(credentials.strip())
    else:
        _check_signature(scheme, credentials, host_region)


def _check_signature(scheme: str, credentials: str, host_region: str | None) -> None:
    usual = _USUAL_SIGV4.fullmatch(credentials) if scheme == "AWS4-HMAC-SHA256" else None
    if usual is not None:
        _check_scope(usual["service"], usual["region"], host_region)
        return
    parameters = dict(_SIGV4_PARAMETER.findall(credentials)) if scheme == "AWS4-HMAC-SHA256" else {}
    missing = [name for name in ("Credential", "Signature", "SignedHeaders") if not parameters.get(name)]
    if missing:
        raise Refusal(
            403,
            "IncompleteSignatureException",
            "".join(f"Authorization header requires '{name}' parameter. " for name in missing).rstrip(),
        )
    scope = _SCOPE.fullmatch(parameters["Credential"])
    if scope is None:
        raise Refusal(
            403,
            "IncompleteSignatureException",
            "Credential should have the form <key>/<date>/<region>/<service>/aws4_request.",
        )
    _check_scope(scope["service"], scope["region"], host_region)


def _check_scope(service: str, region: str, host_region: str | None) -> None:
    if service != SERVICE:
        message = f"Credential should be scoped to correct service: '{SERVICE}'. "
        raise Refusal(403, "InvalidSignatureException", message)
    if host_region is not None and region != host_region:
        raise Refusal(403, "InvalidSignatureException", "Credential should be scoped to a valid region. ")


def _check_token(token: str) -> None:
    """A JWT whose `exp` is in the future, whose `nbf` and `iat` (when present) are not, and which was
    issued at most 12 hours ago. The signature of the token is not checked (that is the authorizer's job)."""
    claims = _claims(token)
    now = clock.now().timestamp()
    exp, nbf, iat = (_time(claims, name) for name in ("exp", "nbf", "iat"))
    if exp is None or exp <= now or (nbf is not None and nbf > now):
        raise _invalid_token()
    if iat is not None and not now - MAX_TOKEN_AGE <= iat <= now:
        raise _invalid_token()


def _time(claims: dict[str, object], name: str) -> float | None:
    """A NumericDate claim (seconds since the epoch), None when absent."""
    value = claims.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _invalid_token()
    return value


def _claims(token: str) -> dict[str, object]:
    segments = token.split(".")
    if len(segments) != 3:
        raise _invalid_token()
    payload = segments[1]
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (binascii.Error, ValueError, RecursionError):
        raise _invalid_token() from None
    if not isinstance(claims, dict):
        raise _invalid_token()
    return claims


def _invalid_token() -> Refusal:
    return Refusal(403, "AccessDeniedException", "Invalid or Expired Token")
