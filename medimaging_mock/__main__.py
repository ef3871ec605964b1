"""`python -m medimaging_mock demo` | `python -m medimaging_mock serve [--host H] [--port P]
[--frame-container codestream|jph]`."""

from __future__ import annotations

import argparse


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m medimaging_mock")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("demo", help="walk through the mocked service end to end")
    serve = commands.add_parser("serve", help="serve the mock (and the rest of moto) over HTTP")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=5000)
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


if __name__ == "__main__":
    main()
