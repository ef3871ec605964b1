"""Server mode: moto's own server, with this service registered in the same process."""

from __future__ import annotations

import medimaging_mock  # noqa: F401  (registers medical-imaging with moto)


def serve(host: str, port: int) -> None:
    from moto.server import main

    print(
        f"medical-imaging (and the rest of moto) on http://{host}:{port}\n"
        "Data-plane calls need host-prefix injection off in the client: "
        "AWS_DISABLE_HOST_PREFIX_INJECTION=true or Config(inject_host_prefix=False)."
    )
    main(["-H", host, "-p", str(port)])
