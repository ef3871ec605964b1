"""DICOMweb clients as real code builds them: a `requests.Session` whose auth hook signs each request with
botocore's SigV4 (service `medical-imaging`, as AWS's samples do), and dicomweb-client on top of it."""

from __future__ import annotations

import boto3
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest

REGION = "us-east-1"
DICOMWEB = f"https://dicom-medical-imaging.{REGION}.amazonaws.com"
ELE = "1.2.840.10008.1.2.1"
HTJ2K_LOSSLESS_RPCL = "1.2.840.10008.1.2.4.202"


class SigV4(requests.auth.AuthBase):
    """Signs what requests is about to send: method, URL, body and the Accept / Content-Type headers."""

    def __init__(self, region: str = REGION, service: str = "medical-imaging"):
        self.credentials = boto3.Session().get_credentials()
        self.region, self.service = region, service

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        signed_names = ("accept", "content-type", "x-amz-content-sha256")
        headers = {name: value for name, value in request.headers.items() if name.lower() in signed_names}
        body = request.body if isinstance(request.body, bytes | str) else None  # a stream: not hashed ahead
        aws_request = AWSRequest(method=request.method, url=request.url, data=body, headers=headers)
        SigV4Auth(self.credentials, self.service, self.region).add_auth(aws_request)
        request.headers.update(dict(aws_request.headers.items()))
        return request


def signed_session(region: str = REGION, service: str = "medical-imaging") -> requests.Session:
    session = requests.Session()
    session.auth = SigV4(region, service)
    return session


def datastore_root(datastore_id: str, base: str = DICOMWEB) -> str:
    """The DICOMweb service root clients are configured with (OHIF's qidoRoot / wadoRoot / stowRoot)."""
    return f"{base}/datastore/{datastore_id}"


def dicomweb_client_for(datastore_id: str, base: str = DICOMWEB, session: requests.Session | None = None):
    """dicomweb-client, unchanged, on a signed session."""
    from dicomweb_client.api import DICOMwebClient

    return DICOMwebClient(url=datastore_root(datastore_id, base), session=session or signed_session())
