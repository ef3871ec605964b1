"""Nothing the mock does itself reaches the network, in every setup a moto user has: the S3 reads and writes
of an import job go to moto's S3 in this process, whether `mock_medical_imaging` is started (in process,
under `python -m medimaging_mock serve`) or not (moto's ThreadedMotoServer, medimaging_mock only imported).

Each test runs with every non-loopback connection and DNS lookup refused and recorded, so an escape fails
loudly: as a failed job and as a recorded attempt."""

from __future__ import annotations

import ipaddress
import json
import socket
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3
import pytest
from aws_helpers import INPUT_BUCKET, OUTPUT_BUCKET, ROLE, free_port, new_datastore, server_process
from botocore.config import Config
from dicom_factory import gray_frames, make_dataset, part10_bytes
from moto.server import ThreadedMotoServer

import medimaging_mock  # noqa: F401  (registers the service with moto's server, as a moto user's conftest would)

TESTS = Path(__file__).parent


def refuse_remote_connections(record: Callable[[str], None], setattr: Callable[..., Any] = setattr) -> None:
    """Make every DNS lookup of a name other than the loopback's, and every connection to a non-loopback
    address, call `record` and raise. `setattr` lets pytest's monkeypatch undo it."""
    real_getaddrinfo, real_connect, real_connect_ex = (
        socket.getaddrinfo,
        socket.socket.connect,
        socket.socket.connect_ex,
    )

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if not _loopback(host):
            record(f"DNS lookup of {host!r}")
            raise socket.gaierror(socket.EAI_NONAME, f"test_no_network refused to look up {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    def guarded(real: Callable[..., Any]) -> Callable[..., Any]:
        def connect(sock: socket.socket, address: Any) -> Any:
            if sock.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(address[0]):
                record(f"connection to {address!r}")
                raise ConnectionRefusedError(f"test_no_network refused a connection to {address!r}")
            return real(sock, address)

        return connect

    setattr(socket, "getaddrinfo", getaddrinfo)
    setattr(socket.socket, "connect", guarded(real_connect))
    setattr(socket.socket, "connect_ex", guarded(real_connect_ex))


def _loopback(host: Any) -> bool:
    name = host.decode() if isinstance(host, bytes) else host
    if name is None or name == "localhost":
        return True
    try:
        return ipaddress.ip_address(str(name).split("%")[0]).is_loopback
    except ValueError:
        return False


@pytest.fixture
def escapes(monkeypatch) -> list[str]:
    """The network attempts made in this process while the test runs (each one also refused)."""
    attempts: list[str] = []
    refuse_remote_connections(attempts.append, monkeypatch.setattr)
    return attempts


def instance_file() -> bytes:
    return part10_bytes(make_dataset(gray_frames(1, 8, 8)))


def import_one_file(client, s3) -> dict[str, Any]:
    """Create the buckets, put one instance, import it into a new datastore; the job's manifest summary,
    once GetDICOMImportJob says COMPLETED."""
    s3.create_bucket(Bucket=INPUT_BUCKET)
    s3.create_bucket(Bucket=OUTPUT_BUCKET)
    s3.put_object(Bucket=INPUT_BUCKET, Key="in/1.dcm", Body=instance_file())
    datastore_id = new_datastore(client)
    job_id = client.start_dicom_import_job(
        datastoreId=datastore_id,
        dataAccessRoleArn=ROLE,
        inputS3Uri=f"s3://{INPUT_BUCKET}/in/",
        outputS3Uri=f"s3://{OUTPUT_BUCKET}/out/",
    )["jobId"]
    job = client.get_dicom_import_job(datastoreId=datastore_id, jobId=job_id)["jobProperties"]
    assert job["jobStatus"] == "COMPLETED", job
    key = job["outputS3Uri"].removeprefix(f"s3://{OUTPUT_BUCKET}/") + "job-output-manifest.json"
    return json.loads(s3.get_object(Bucket=OUTPUT_BUCKET, Key=key)["Body"].read())["jobSummary"]


def http_clients(url: str) -> tuple[Any, Any]:
    config = Config(inject_host_prefix=False, retries={"total_max_attempts": 1})
    client = boto3.client("medical-imaging", "us-east-1", endpoint_url=url, config=config)
    return client, boto3.client("s3", "us-east-1", endpoint_url=url, config=config)


def test_an_import_in_process_stays_in_process(medical_imaging_client, escapes):
    s3 = boto3.client("s3", region_name="us-east-1")

    summary = import_one_file(medical_imaging_client, s3)

    assert summary["numberOfImportedFiles"] == 1
    assert escapes == []


def test_an_import_under_a_threaded_moto_server_reads_the_servers_own_s3(escapes):
    """No mock is started in this process: the job must not depend on one to stay off AWS."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        summary = import_one_file(*http_clients(f"http://{host}:{port}"))
    finally:
        server.stop()

    assert summary["numberOfImportedFiles"] == 1
    assert escapes == []


GUARDED_SERVE = """
import sys
sys.path.insert(0, {tests!r})
from test_no_network import refuse_remote_connections
refuse_remote_connections(lambda attempt: print("ESCAPE", attempt, file=sys.stderr, flush=True))
from medimaging_mock.__main__ import main
main(["serve", "--port", "{port}"])
"""


@contextmanager
def guarded_serve(log: Path) -> Iterator[str]:
    """`python -m medimaging_mock serve` in its own process with remote connections refused there too,
    writing what it refused to `log`; its URL."""
    port = free_port()
    program = GUARDED_SERVE.format(tests=str(TESTS), port=port)
    with log.open("w") as stderr, server_process([sys.executable, "-c", program], port, stderr) as url:
        yield url


def test_an_import_under_serve_reads_the_servers_own_s3(tmp_path):
    log = tmp_path / "serve.log"

    with guarded_serve(log) as url:
        summary = import_one_file(*http_clients(url))

    assert summary["numberOfImportedFiles"] == 1
    assert "ESCAPE" not in log.read_text()


def test_the_guard_refuses_and_records_a_remote_lookup(escapes):
    with pytest.raises(OSError):
        socket.getaddrinfo("input-bucket.s3.amazonaws.com", 443)
    with pytest.raises(OSError), socket.socket() as sock:
        sock.connect(("192.0.2.1", 443))

    assert escapes == ["DNS lookup of 'input-bucket.s3.amazonaws.com'", "connection to ('192.0.2.1', 443)"]
