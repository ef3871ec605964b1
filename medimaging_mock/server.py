"""Server mode: moto's own server with this service registered in the same process (`serve`), and seeding
the state of such a server from a test in another thread or process (`create_image_set`).

The mock is active for the server's lifetime, as in a test, so nothing in this process reaches AWS; import
jobs read and write the server's own moto S3 in process whatever is active (domain/object_store.py).

moto's server routes a request by the service its signature names, and one without a SigV4 signature by
its path, which sends a DICOMweb path to S3. A browser's CORS preflight carries no signature, and an OIDC
client sends a bearer token; so `serve` puts `application()` in front of moto's dispatcher, and it hands
every DICOMweb path to the service's DICOMweb front whatever the request carries.
"""

from __future__ import annotations

import base64
import copy
import io
import json
import os
import signal
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from medimaging_mock import mock_medical_imaging
from medimaging_mock.domain import frames
from medimaging_mock.domain.errors import MODELLED_ERRORS
from medimaging_mock.domain.metadata.builder import InvalidDataset
from medimaging_mock.interception.seeding import PATH, VALUE_ERROR

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment
    from botocore.credentials import Credentials
    from werkzeug.serving import WSGIRequestHandler

    from medimaging_mock.domain.ingestion import DicomSource

DEFAULT_REGION = "us-east-1"


def serve(host: str, port: int, frame_container: str = frames.CODESTREAM) -> None:
    """moto_server's own run (threaded werkzeug, moto's request handler, MOTO_PORT for moto's requests to
    itself, SIGTERM as a clean exit), with `application()` as the app."""
    from werkzeug.serving import run_simple

    frames.container.default = frames.container.checked(frame_container)
    print(
        "medical-imaging and the rest of moto, on moto's server; DICOMweb under /datastore/<id>/.\n"
        "Image-set operations carry the host prefix 'runtime-': a client that does not import "
        "medimaging_mock needs AWS_DISABLE_HOST_PREFIX_INJECTION=true (or Config(inject_host_prefix=False))."
    )
    os.environ.setdefault("MOTO_PORT", str(port))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with mock_medical_imaging():
        run_simple(host, port, application(), threaded=True, request_handler=request_handler())


def request_handler() -> type[WSGIRequestHandler] | None:
    """The request handler moto_server runs with: moto's own from moto 5.2 on (it keeps the original spelling
    of header names with underscores, as S3 metadata needs), werkzeug's default (None) before."""
    try:
        from moto.moto_server.werkzeug_app import MotoRequestHandler
    except ImportError:
        return None
    return MotoRequestHandler


def application() -> WSGIApplication:
    """moto's server app (every service moto serves) with DICOMweb paths answered by this service."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    return _DicomwebFirst(DomainDispatcherApplication(create_backend_app))


class _DicomwebFirst:
    def __init__(self, moto_app: WSGIApplication):
        self.moto_app = moto_app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        from werkzeug.wrappers import Request, Response

        from medimaging_mock.interception.dispatch import serve as serve_request
        from medimaging_mock.wire.dicomweb.routes import is_dicomweb_path

        if not is_dicomweb_path(environ.get("PATH_INFO", "")):
            return self.moto_app(environ, start_response)
        request = Request(environ)
        raw_path = environ.get("REQUEST_URI") or environ.get("RAW_URI")  # as sent: `%2F` stays in its label
        path = raw_path or request.url.removeprefix(request.host_url.rstrip("/"))
        url = _address(environ) + path
        answer = serve_request(request.method, url, request.headers, request.get_data())
        response: Any = Response(answer.body, answer.status, answer.headers)
        iterable: Iterable[bytes] = response(environ, start_response)
        return iterable


def _address(environ: WSGIEnvironment) -> str:
    """scheme://host:port the client reached, which RetrieveURLs and BulkDataURIs name. dicomweb-client sends
    a Host header without the port; the port is then the one the server listens on."""
    scheme = environ.get("wsgi.url_scheme", "http")
    host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "localhost")
    port = str(environ.get("SERVER_PORT", ""))
    has_port = host.rpartition("]")[2].count(":") == 1  # an IPv6 literal's colons are inside brackets
    if not has_port and port and port != {"http": "80", "https": "443"}.get(scheme):
        host = f"{host}:{port}"
    return f"{scheme}://{host}"


def create_image_set(
    endpoint_url: str,
    datastore_id: str,
    datasets: Iterable[DicomSource],
    *,
    region: str | None = None,
    account_id: str | None = None,
    is_primary: bool = True,
) -> str:
    """`mi.create_image_set` for a running server (`medimaging-mock serve`, `ThreadedMotoServer`, the server
    of moto's TEST_SERVER_MODE): the same ONE image set, made in the server's state. Returns its id.

    The account is the one the server gives this process's requests (moto's rules) unless `account_id`
    names another. Errors are those of `mi.create_image_set`: ValueError for input that cannot be one image
    set (the server names a dataset by its position), `medimaging_mock.ServiceError` for a datastore that is
    unknown or not ACTIVE. A Dataset travels as a Part 10 file, see `_part10`.
    """
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.httpsession import URLLib3Session

    body = {
        "datastoreId": datastore_id,
        "isPrimary": is_primary,
        "instances": [
            base64.b64encode(_part10(source, index)).decode() for index, source in enumerate(datasets)
        ],
    }
    headers = {"Content-Type": "application/json"}
    if account_id is not None:
        headers["x-moto-account-id"] = account_id  # moto's own way to name an account in server mode
    request = AWSRequest("POST", endpoint_url.rstrip("/") + PATH, data=json.dumps(body), headers=headers)
    # Signed for the service, so that moto's server routes the request to it.
    SigV4Auth(_credentials(), "medical-imaging", region or DEFAULT_REGION).add_auth(request)
    response = URLLib3Session().send(request.prepare())  # never a mock's: this must reach the server
    try:
        answer = json.loads(response.content)
        if response.status_code == 200:
            image_set_id: str = answer["imageSetId"]
            return image_set_id
        code, message = answer["code"], answer["message"]
    except (ValueError, KeyError, TypeError):
        code, message = None, response.text[:500]
    if code == VALUE_ERROR:
        raise ValueError(message)
    if code in MODELLED_ERRORS:
        raise MODELLED_ERRORS[code](message)
    raise RuntimeError(
        f"{endpoint_url} is not a server with medimaging_mock imported "
        f"(HTTP {response.status_code} to {PATH}): {message}"
    )


def _part10(source: DicomSource, index: int) -> bytes:
    """What the server reads: bytes and files as they are; a Dataset written as it is (pydicom's file-format
    enforcement would add file meta elements, which the document would then hold). As in any file, values of
    odd length arrive padded, so IS and DS strings may end in a space."""
    from pydicom import dcmwrite
    from pydicom.dataset import Dataset

    if isinstance(source, bytes):
        return source
    if isinstance(source, Dataset):
        dataset = copy.copy(source)  # the preamble that makes it a file is set on the copy only
        dataset.preamble = bytes(128)
        buffer = io.BytesIO()
        try:
            dcmwrite(buffer, dataset, enforce_file_format=False)
        except Exception as error:  # pydicom refuses what it cannot encode in many ways
            raise InvalidDataset(f"dataset #{index}", f"cannot be written as DICOM: {error}") from error
        return buffer.getvalue()
    name = os.fspath(source)
    try:
        return Path(name).read_bytes()
    except OSError as error:
        raise InvalidDataset(name, f"the file cannot be read: {error.strerror or error}") from error


def _credentials() -> Credentials:
    """This process's credentials, so that moto derives the account as it does for its clients; moto's
    server never checks a signature, so dummy ones do without."""
    import boto3
    from botocore.credentials import Credentials

    return boto3.Session().get_credentials() or Credentials("testing", "testing")
