"""Runs the benchmarks and prints each figure with its target.

    .venv/bin/python -m benchmarks.run            # every bench_*.py module
    .venv/bin/python -m benchmarks.run store sync # only these (bench_store.py, bench_sync.py)

Each bench_<name>.py has `run(workdir: Path, quick: bool) -> None`. `--quick` uses smaller
sizes for a smoke run (the figures in closing notes come from full runs). A module with
options of its own (bench_province's --households, --counties) has `add_arguments(parser)`
and `run(workdir, quick, args)`.
"""

from __future__ import annotations

import argparse
import importlib
import platform
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(prog="benchmarks.run")
    parser.add_argument("names", nargs="*", help="store, search, desktop, sync, print, excel")
    parser.add_argument("--quick", action="store_true", help="smaller sizes, a smoke run")
    parser.add_argument("--workdir", type=Path)
    names = parser.parse_known_args()[0].names or sorted(
        p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))
    modules = {name: importlib.import_module(f"benchmarks.bench_{name}") for name in names}
    for module in modules.values():
        if hasattr(module, "add_arguments"):
            module.add_arguments(parser)
    args = parser.parse_args()
    print(f"机器:{platform.machine()},{platform.python_implementation()} "
          f"{platform.python_version()},{platform.platform()}")
    with tempfile.TemporaryDirectory(prefix="fupin-bench-") as tmp:
        workdir = args.workdir or Path(tmp)
        for name, module in modules.items():
            sub = workdir / name
            sub.mkdir(parents=True, exist_ok=True)
            if hasattr(module, "add_arguments"):
                module.run(sub, args.quick, args)
            else:
                module.run(sub, args.quick)


if __name__ == "__main__":
    main()
