"""Every benchmark, one table: medians, what each is measured against, ratios and goals, in one run.

Run: python benchmarks/run.py [--quick]   (--quick: smaller sizes and fewer rounds, for a first look)
Each benchmark also runs alone (python benchmarks/bench_<name>.py --help) with its own sizes.
"""

from __future__ import annotations

import argparse
import importlib
from typing import Any

from common import Row, print_table

# module -> its rows' arguments: (full run, --quick run)
BENCHMARKS: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "bench_call_overhead": ({}, {"rounds": 7, "calls": 50, "image_sets": 2000}),
    "bench_get_datastore": ({}, {"rounds": 5, "calls": 50}),
    "bench_search": ({}, {"image_sets": 10_000, "rounds": 9}),
    "bench_update_memory": ({}, {"image_sets": 200}),
    "bench_import": ({}, {"rounds_1": 15, "rounds_500": 3}),
    "bench_fixture": ({}, {"rounds": 15}),
    "bench_import_time": ({"rounds": 9}, {"rounds": 5}),
    "bench_qido": ({}, {"studies": 5000, "rounds": 7, "calls": 10}),
    "bench_dicomweb_frames": ({}, {"rounds": 7, "calls": 50}),
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    table: list[Row] = []
    for name, (full, quick) in BENCHMARKS.items():
        print(f"running {name} ...", flush=True)
        table += importlib.import_module(name).rows(**(quick if args.quick else full))
    print_table(
        "medimaging_mock benchmarks (python benchmarks/run.py" + (" --quick)" if args.quick else ")"), table
    )


if __name__ == "__main__":
    main()
