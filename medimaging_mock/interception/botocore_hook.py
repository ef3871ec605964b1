"""The before-send handler: answers every medical-imaging request a botocore client makes while a mock
is active, so nothing for this service reaches the network.

It is put on each medical-imaging client as the client is built (`creating-client-class`), not into
botocore's built-in handlers: moto's generic handler stays exactly as moto registered it for every other
service (so `moto.core.patch_client` still recognises it), and is taken off this service's clients only,
where it would dispatch each request a second time. A request answered here is marked, so that a moto
handler added to such a client later (`patch_client`) answers it with an empty, discarded response.

aiobotocore clients get the same handler answering with aiobotocore's own response class
(`interception.aio`, imported only when such a client is built).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from moto.core.botocore_stubber import MockRawResponse
from moto.core.models import botocore_stubber

from medimaging_mock.interception import host_prefix
from medimaging_mock.interception.dispatch import SERVED_MARK, serve
from medimaging_mock.wire.http import HttpResponse

EVENT = "before-send.medical-imaging"
CLIENT_CLASS_EVENT = "creating-client-class.medical-imaging"


def answer(request: AWSPreparedRequest) -> HttpResponse | None:
    """The mock's answer to `request`, or None when no mock is active (botocore then sends it)."""
    if not botocore_stubber.enabled:
        return None
    response = serve(request.method, request.url, request.headers, request.body)
    request.headers[SERVED_MARK] = "1"
    return response


def before_send(request: AWSPreparedRequest, **_: Any) -> AWSResponse | None:
    response = answer(request)
    if response is None:
        return None
    raw = MockRawResponse(response.body)
    # botocore copies any mapping into a HeadersDict; its stubs name only the HTTPHeaders it parses itself
    return AWSResponse(request.url, response.status, response.headers, raw)  # type: ignore[arg-type]


class ServedInProcess:
    """Mixed into every medical-imaging client class: `handler` answers the client's requests, in place
    of moto's generic handler; a client of a local endpoint drops the `runtime-` host prefix."""

    handler: Callable[..., Any] = staticmethod(before_send)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        meta = self.meta  # type: ignore[attr-defined]
        meta.events.unregister("before-send", botocore_stubber)
        meta.events.register_first(EVENT, self.handler)
        if host_prefix.needed_for(meta.endpoint_url):
            meta.events.register(host_prefix.EVENT, host_prefix.unprefixed_for_local_hosts)


def serve_in_process(base_classes: list[type], **_: Any) -> None:
    """`creating-client-class.medical-imaging`: aiobotocore is looked up, never imported, so that sync
    clients (and `import medimaging_mock`) never load it."""
    aio = sys.modules.get("aiobotocore.client")
    if aio is not None and any(issubclass(base, aio.AioBaseClient) for base in base_classes):
        from medimaging_mock.interception.aio import AioServedInProcess

        base_classes.insert(0, AioServedInProcess)
    else:
        base_classes.insert(0, ServedInProcess)
