"""The before-send handler: answers every medical-imaging request a botocore client makes while a mock
is active, ahead of moto's generic handler, so nothing for this service reaches the network."""

from __future__ import annotations

from typing import Any

from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from moto.core.botocore_stubber import MockRawResponse
from moto.core.models import botocore_stubber

from medimaging_mock.interception.dispatch import serve

EVENT = "before-send.medical-imaging"


def before_send(request: AWSPreparedRequest, **_: Any) -> AWSResponse | None:
    if not botocore_stubber.enabled:  # no mock active: let botocore (or another handler) send it
        return None
    response = serve(request.method, request.url, request.headers, request.body)
    return AWSResponse(request.url, response.status, response.headers, MockRawResponse(response.body))
