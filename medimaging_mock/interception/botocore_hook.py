"""The before-send handler: answers every medical-imaging request a botocore client makes while a mock
is active, ahead of moto's generic handler, so nothing for this service reaches the network.

botocore calls *every* before-send handler, even after one has answered. So moto's generic handler is
wrapped to pass over this service's events, and each request answered here is marked, so that a moto
handler added later (`moto.core.patch_client`) cannot serve it a second time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from moto.core.botocore_stubber import MockRawResponse
from moto.core.models import botocore_stubber

from medimaging_mock.interception.dispatch import SERVED_MARK, serve

EVENT = "before-send.medical-imaging"


def before_send(request: AWSPreparedRequest, **_: Any) -> AWSResponse | None:
    if not botocore_stubber.enabled:  # no mock active: let botocore (or another handler) send it
        return None
    response = serve(request.method, request.url, request.headers, request.body)
    request.headers[SERVED_MARK] = "1"
    return AWSResponse(request.url, response.status, response.headers, MockRawResponse(response.body))


def other_services_only(moto_handler: Callable[..., Any]) -> Callable[..., Any]:
    """moto's generic before-send handler, minus the events `before_send` answers."""

    def handler(event_name: str, **kwargs: Any) -> Any:
        if event_name.startswith(EVENT + "."):
            return None
        return moto_handler(event_name=event_name, **kwargs)

    handler.wrapped = moto_handler  # type: ignore[attr-defined]
    return handler
