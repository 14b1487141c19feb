"""The bigger soak: ``python -m tests.benchmarks.soak [DRIVERS WRITES RUNS]`` prints
processes, writes, kills, runs and failures (see :mod:`tests.support.soak`)."""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from tests.support.soak import Soak


def main() -> int:
    drivers, writes, runs = (int(a) for a in (sys.argv[1:4] or ("4", "25", "3")))
    with tempfile.TemporaryDirectory(prefix="paperdeck-soak-") as folder:
        began = time.monotonic()
        soak = Soak(Path(folder), drivers=drivers, writes=writes, kill_share=0.3, seed=1616)
        figures = soak.run_all(runs=runs)
        took = time.monotonic() - began
    print(f"soak: {drivers} drivers x {writes} writes x {runs} runs in {took:.0f} s")
    print(f"soak: {figures}")
    for failure in figures.failures:
        print(f"  {failure}")
    return 1 if figures.failures else 0


if __name__ == "__main__":
    sys.exit(main())
