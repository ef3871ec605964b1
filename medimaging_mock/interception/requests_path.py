"""The `requests` path to this service's hosts, made direct: moto's `responses` registry, subclassed so that
a request to a medical-imaging host goes straight to `dispatch.serve`.

moto's lookup costs about 1 ms a request before the mock runs: its registry tries every service's URL
pattern, then its stubber tries them again, looks the backend up and builds a werkzeug request. This
registry answers a request to this service's hosts itself when moto's lookup would have picked this
service's callback (no passthrough or whitelist setting keeps it from the mock, moto's recorder is off, no
`responses` mock of the user's may come first) and would have routed it to `moto_handler` (not the seeding
route). Every other request, this service's or any other's, goes through moto's lookup, unchanged.

moto's reset puts its own registry back; registration puts this one in again after each reset.

`responses` keeps every call it answers (request and response, body included) until moto's next reset, in
the mock's list and in the list of the entry that answered: a test that reads a thousand frames would hold
them all. Calls to this service's hosts are not kept; nothing reads moto's lists.
"""

from __future__ import annotations

import functools
import io
import re
from http.client import responses as REASONS
from typing import Any

import responses
from moto.core.config import passthrough_service, passthrough_url, service_whitelisted
from moto.core.custom_responses_mock import CallbackResponse
from moto.core.models import RESPONSES_METHODS, responses_mock
from moto.core.responses_custom_registry import CustomRegistry
from requests import PreparedRequest
from urllib3 import HTTPResponse
from urllib3._collections import HTTPHeaderDict  # also urllib3.HTTPHeaderDict from urllib3 2.0 on

from medimaging_mock.interception import seeding
from medimaging_mock.interception.dispatch import serve
from medimaging_mock.interception.moto_service import MOTO_NAME
from medimaging_mock.interception.moto_service.urls import url_bases
from medimaging_mock.wire.remembered import remembered

_HOSTS = re.compile("|".join(f"(?:{base})" for base in url_bases))


def _answer(request: PreparedRequest) -> tuple[int, dict[str, str], bytes]:
    """The callback: what `moto_handler` answers, from the PreparedRequest as it stands (its headers as a
    plain dict of lower-case names, which requests keeps ready: `lower_items`)."""
    headers = dict(request.headers.lower_items())
    response = serve(str(request.method), str(request.url), headers, request.body)
    return response.status, response.headers, response.body


def _on_this_service(resource: str) -> bool:
    """A URL (without its query) on this service's hosts that `moto_handler` serves (not the seeding one)."""
    return _HOSTS.match(resource) is not None and not resource.endswith(seeding.PATH)


_remembered_on_this_service = remembered(_on_this_service, longest=2048)


@functools.cache
def _recorder() -> Any:
    """moto's recorder, imported as moto's stubber imports it: on the first request, not at import."""
    from moto.moto_api import recorder

    return recorder


def _served_directly(url: str) -> bool:
    """Whether moto's lookup would hand `url` to `moto_handler`: the checks its callback and stubber make."""
    resource = url.partition("?")[0]  # moto matches services on the URL without its query
    if not _remembered_on_this_service(resource):
        return False
    return (
        not _recorder()._user_enabled  # moto records on its own path only
        and not responses._default_mock.registered()
        and service_whitelisted(MOTO_NAME)
        and not passthrough_service(MOTO_NAME)
        and not passthrough_url(url)
        and (resource == url or not passthrough_url(resource))  # the callback's check, then the stubber's
    )


class UnkeptCalls(responses.CallList):
    """A `responses` call list that keeps calls to other hosts only: the mock's list."""

    def add(self, request: PreparedRequest, response: Any) -> None:
        self.add_call(responses.Call(request, response))

    def add_call(self, call: responses.Call) -> None:
        if self._keeps(call):
            super().add_call(call)

    def _keeps(self, call: responses.Call) -> bool:
        return not _remembered_on_this_service(str(call.request.url).partition("?")[0])


class NoCalls(UnkeptCalls):
    """A call list that keeps none: the list of the entry that answers this service's hosts."""

    def _keeps(self, call: responses.Call) -> bool:
        return False


class DirectRegistry(CustomRegistry):
    """moto's registry, but requests that moto would hand to `moto_handler` get this service's callback
    without the search through every service's patterns."""

    def __init__(self) -> None:
        super().__init__()
        self._direct = {method: DirectEntry(method) for method in RESPONSES_METHODS}
        # moto's search may prefer other entries to its services' callbacks (API Gateway's plain `responses`
        # callbacks, a user's): once anything but moto's callbacks is registered, requests take the search.
        self._others_may_come_first = False

    def add(self, response: responses.BaseResponse) -> responses.BaseResponse:
        if type(response) is not CallbackResponse:
            self._others_may_come_first = True
        return super().add(response)

    def reset(self) -> None:
        super().reset()
        self._others_may_come_first = False

    def find(self, request: Any) -> tuple[responses.BaseResponse | None, list[str]]:
        direct = self._direct.get(request.method)
        if direct is not None and not self._others_may_come_first and _served_directly(request.url):
            return direct, []
        return super().find(request)


class DirectEntry(CallbackResponse):
    """The entry requests to this service's hosts get: moto's callback entry, answering as moto's does (the
    callback's status, its headers over moto's default `Content-Type: text/plain`, the body unread), keeping
    no calls. The callback gets requests' own request, on every moto version (moto's entry before 5.2 hands
    over a werkzeug one), and the headers go straight into the header dict urllib3 keeps (moto's merges them
    into one that urllib3 copies, through checks against abstract types that cost more than the copy)."""

    def __init__(self, method: str) -> None:
        super().__init__(method=method, url=_HOSTS, callback=_answer)
        self._calls = NoCalls()

    def get_response(self, request: PreparedRequest) -> HTTPResponse:
        status, headers, body = self.callback(request)
        merged = HTTPHeaderDict()
        if self.content_type:
            merged["Content-Type"] = self.content_type
        for name, value in headers.items():
            merged[name] = value  # replaces a value of the same name in any case, as moto's merge does
        return HTTPResponse(
            status=status,
            reason=REASONS.get(status),
            body=io.BytesIO(body),
            headers=merged,
            preload_content=False,
            decode_content=False,  # as moto's: requests decodes
        )


def install() -> None:
    """Idempotent: puts DirectRegistry in place of moto's registry, with what that holds. A registry that is
    not moto's (already ours, or one somebody else chose) is left alone."""
    with responses_mock._thread_lock:  # the lock each search takes: no request meets a half-filled registry
        registry = responses_mock.get_registry()
        if type(registry) is not CustomRegistry:
            return
        kept = registry.registered
        registry.reset()
        responses_mock._set_registry(DirectRegistry)
        for response in kept:
            responses_mock.add(response)
        if type(responses_mock._calls) is responses.CallList:  # moto's reset empties it, and keeps it
            responses_mock._calls = UnkeptCalls()
