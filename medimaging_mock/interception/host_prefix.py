"""A host prefix cannot apply to `localhost` or an IP literal.

The image-set operations (SearchImageSets, GetImageSet, GetImageFrame, ...) have `hostPrefix: "runtime-"`
in the model, which botocore puts before whatever host the endpoint names: `http://127.0.0.1:5000` becomes
`http://runtime-127.0.0.1:5000`, which nothing resolves. A prefix adds a label to a DNS name under the
service's domain; an address or the loopback name has no such names. So a medical-imaging request for such
a host goes to the endpoint as given (a local server: moto's, ours). Every other host (AWS's, a proxy's, a
container's name) keeps botocore's behaviour, and so does every other service.

The handler goes on a client only when its endpoint is such a host (`needed_for`): a client of AWS's hosts
pays nothing for it per call.
"""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit, urlunsplit

EVENT = "before-call.medical-imaging"


def needed_for(endpoint_url: str) -> bool:
    return _is_local(urlsplit(endpoint_url).hostname)


def unprefixed_for_local_hosts(params: dict[str, Any], **_: Any) -> None:
    """`before-call`: `params` is the request dict, its URL built with the prefix (if one applies)."""
    prefix = params.get("host_prefix")
    if not prefix or not _may_be_local(params["url"], prefix):  # AWS's hosts: nothing to parse
        return
    url = urlsplit(params["url"])
    if not url.netloc.startswith(prefix):
        return
    netloc = url.netloc[len(prefix) :]
    if _is_local(urlsplit(f"//{netloc}").hostname):
        params["url"] = urlunsplit(url._replace(netloc=netloc))


def _may_be_local(url: str, prefix: str) -> bool:
    """A cheap first look: after the prefix, a local host starts with a digit, `[` or `localhost` (in any
    case, as host names compare)."""
    start = url.find("://") + 3 + len(prefix)
    head = url[start : start + 9]
    return head[:1].isdigit() or head.startswith("[") or head.lower() == "localhost"


def _is_local(host: str | None) -> bool:
    if host is not None and host.rstrip(".") == "localhost":  # `hostname` is lower case already
        return True
    try:
        ipaddress.ip_address(host or "")
    except ValueError:
        return False
    return True
