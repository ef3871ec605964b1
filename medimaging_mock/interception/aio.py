"""aiobotocore (and so aioboto3) clients: the before-send answer as aiobotocore's own response class.

aiobotocore awaits what botocore reads synchronously: `await response.content` for a whole body, and
`await raw.content.read(n)` (aiohttp's interface) behind the StreamingBody it gives for blobs. Imported
only when an aiobotocore medical-imaging client is built, so aiobotocore stays an optional dependency.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from aiobotocore.awsrequest import AioAWSResponse  # type: ignore[import-untyped]  # no types shipped
from botocore.awsrequest import AWSPreparedRequest

from medimaging_mock.interception.botocore_hook import ServedInProcess, answer


class AnswerBody:
    """A mock answer's bytes behind the part of an aiohttp ClientResponse aiobotocore reads."""

    def __init__(self, url: str, body: bytes) -> None:
        self.url = url
        self.content = self  # aiohttp's StreamReader, which AioStreamingBody reads in parts
        self._body = BytesIO(body)
        self._size = len(body)

    async def read(self, amount: int | None = -1) -> bytes:
        return self._body.read(-1 if amount is None else amount)

    def at_eof(self) -> bool:
        return self._body.tell() >= self._size

    def close(self) -> None:
        self._body.close()

    async def __aenter__(self) -> AnswerBody:
        """Older aiobotocore (3.4) enters the raw response itself for `async with body:`."""
        return self

    async def __aexit__(self, *_: object) -> None:
        self.close()


def aio_before_send(request: AWSPreparedRequest, **_: Any) -> AioAWSResponse | None:
    response = answer(request)
    if response is None:
        return None
    body = AnswerBody(request.url, response.body)
    return AioAWSResponse(request.url, response.status, response.headers, body)


class AioServedInProcess(ServedInProcess):
    handler = staticmethod(aio_before_send)
