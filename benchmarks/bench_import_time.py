"""What `import medimaging_mock` costs, against `import moto` (which it includes), in fresh interpreters: each
one times `import moto`, then the rest of `import medimaging_mock`, so that both medians come from the same
interpreters (on a busy machine, separate ones differ more than the two imports do). CPU time, for the same
reason. The pytest plugin is timed after `import pytest`, as a test session loads it.

Bytecode caches are on (in a temporary PYTHONPYCACHEPREFIX), as for an installed package. With
--no-bytecode-cache, PYTHONDONTWRITEBYTECODE is set, as in the dev virtualenv: every interpreter then also
compiles this package's sources (installed packages keep their caches).

Goal (issue 10): both <= 1.2x.
Run: python benchmarks/bench_import_time.py [--rounds 9] [--no-bytecode-cache]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile

from common import Row, print_table

GOAL = 1.2
# name -> (untimed setup, what is timed after `import moto`)
CONTENDERS = {
    "import medimaging_mock / moto": ("", "import medimaging_mock"),
    "import pytest_plugin / moto, pytest loaded": ("import pytest", "import medimaging_mock.pytest_plugin"),
}
_TIMED = """{setup}
import time
started = time.process_time()
import moto
between = time.process_time()
{statement}
print(between - started, time.process_time() - started)
"""


def import_seconds(setup: str, statement: str, environment: dict[str, str]) -> tuple[float, float]:
    """CPU seconds of `import moto`, and of moto and then `statement`, in a new interpreter after `setup`."""
    code = _TIMED.format(setup=setup, statement=statement)
    run = subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, check=True, text=True
    )
    moto, total = run.stdout.split()
    return float(moto), float(total)


def rows(rounds: int, bytecode_cache: bool = True) -> list[Row]:
    with tempfile.TemporaryDirectory() as cache:
        environment = dict(os.environ)
        if bytecode_cache:
            environment.pop("PYTHONDONTWRITEBYTECODE", None)
            environment["PYTHONPYCACHEPREFIX"] = cache
        else:
            environment["PYTHONDONTWRITEBYTECODE"] = "1"
        for setup, statement in CONTENDERS.values():  # warm-up: caches written, files in the page cache
            import_seconds(setup, statement, environment)
        samples: dict[str, list[tuple[float, float]]] = {name: [] for name in CONTENDERS}
        for _ in range(rounds):
            for name, (setup, statement) in CONTENDERS.items():
                samples[name].append(import_seconds(setup, statement, environment))
    return [
        Row(
            name,
            statistics.median(total for _, total in pairs),
            statistics.median(moto for moto, _ in pairs),
            GOAL,
        )
        for name, pairs in samples.items()
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--no-bytecode-cache", action="store_true", help="compile the sources every time")
    args = parser.parse_args()
    caches = "sources compiled every time" if args.no_bytecode_cache else "bytecode caches on"
    print_table(
        f"Import time, CPU, median of {args.rounds} fresh interpreters ({caches}; floor: import moto)",
        rows(args.rounds, not args.no_bytecode_cache),
    )


if __name__ == "__main__":
    main()
