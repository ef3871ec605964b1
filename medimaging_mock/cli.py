"""The command line: `medimaging-mock demo|serve` (the console script) and `python -m medimaging_mock`."""

from __future__ import annotations

import argparse
import os
from importlib.metadata import PackageNotFoundError, version


def main(argv: list[str] | None = None, prog: str | None = None) -> None:
    parser = argparse.ArgumentParser(prog=prog, description="A moto-style mock of AWS HealthImaging.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("demo", help="walk through the mocked service end to end")
    serve = commands.add_parser(
        "serve", help="serve the mock and the rest of moto over HTTP (a drop-in for moto_server)"
    )
    serve.add_argument("-H", "--host", default="127.0.0.1", help="the address to bind (default 127.0.0.1)")
    serve.add_argument(
        "-p",
        "--port",
        type=port,
        default=os.environ.get("MOTO_PORT", "5000"),  # moto_server's default; argparse checks it with `port`
        help="the port to bind, 0 for any free one (default $MOTO_PORT or 5000)",
    )
    serve.add_argument(
        "--frame-container",
        choices=("codestream", "jph"),
        default="codestream",
        help="how GetImageFrame returns HTJ2K frames: the raw codestream, or a JPH file for JP2 file readers",
    )
    args = parser.parse_args(argv)
    if args.command == "demo":
        from medimaging_mock.demo import run

        run()
    else:
        from medimaging_mock.server import serve as run_server

        run_server(args.host, args.port, args.frame_container)


def port(text: str) -> int:
    """A TCP port, checked here: the socket layer takes 99999 modulo 65536 and binds another port."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port: a whole number from 0 to 65535")
    return value


def _version() -> str:
    try:
        return version("medimaging_mock")
    except PackageNotFoundError:  # run from a source tree that was never installed
        from medimaging_mock import __version__

        return __version__
