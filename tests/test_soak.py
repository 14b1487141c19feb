"""A small soak in the suite (see :mod:`tests.support.soak`; the bigger run is
``tests/benchmarks/soak.py``): real commands side by side on one cache, some killed with
SIGKILL, and after each run the cache whole, every mark as the commands left it, and the
journal beside it holding the same library."""

from __future__ import annotations

from pathlib import Path

from tests.support.soak import Soak


def test_commands_killed_at_random_lose_nothing(tmp_path: Path):
    soak = Soak(tmp_path, drivers=3, writes=6, kill_share=0.3, seed=16)
    figures = soak.run_all(runs=2)
    print(figures)
    assert figures.failures == []
    assert figures.writes == 2 * 3 * 6
