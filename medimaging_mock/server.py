"""Server mode: moto's own server, with this service registered in the same process.

The mock is active for the server's lifetime, as in a test, so nothing in this process reaches AWS; import
jobs read and write the server's own moto S3 in process whatever is active (domain/object_store.py).
"""

from __future__ import annotations

from medimaging_mock import mock_medical_imaging
from medimaging_mock.domain import frames


def serve(host: str, port: int, frame_container: str = frames.CODESTREAM) -> None:
    from moto.server import main

    frames.container.default = frames.container.checked(frame_container)
    print(
        f"medical-imaging (and the rest of moto) on http://{host}:{port}\n"
        "Data-plane calls need host-prefix injection off in the client: "
        "AWS_DISABLE_HOST_PREFIX_INJECTION=true or Config(inject_host_prefix=False)."
    )
    with mock_medical_imaging():
        main(["-H", host, "-p", str(port)])
