"""Reader figures at several cache sizes (targets: DESIGN.md §5).

    python -m tests.benchmarks.reader [--sizes 100,100000,1000000] [--dir DIR] [--runs N] [--gate]

Builds a cache of synthetic papers per size (kept in ``--dir`` and reused when it is
already there), then measures each in a fresh process (``reader_probe``): first paint
from process start, resident memory of the running app, keystroke-to-repaint for j,
PageDown and G, and full-text search (count and first page). With ``--gate`` it exits 1
when the largest size's first paint or memory exceed 1.5× the smallest size's,
measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from paperdeck.storage.cache.database import Cache
from tests.support.synthetic import papers

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 1.5
GATED = (("first_paint_s", "first paint"), ("rss_mb", "memory"))


def build(path: Path, size: int) -> None:
    if path.exists():
        with Cache(path) as cache:
            if cache.count_papers() == size:
                return
        path.unlink()
    started = time.perf_counter()
    with Cache(path) as cache:
        cache.conn.execute("PRAGMA cache_size=-1000000")  # 1 GB: a big build must not spill
        for start in range(0, size, 50_000):  # keeps memory flat while building
            count = min(50_000, size - start)
            cache.upsert(papers(count, seed=start, start=_day(start)))
    print(f"built {size:,} papers in {time.perf_counter() - started:.0f} s", file=sys.stderr)


def _day(offset: int):
    from datetime import date, timedelta

    return date(2026, 11, 1) - timedelta(days=offset // 40)


def run_probe(module: str, path: Path, *args: str) -> dict:
    """Run a probe module on ``path`` in a fresh process; its last line is its figures."""
    result = subprocess.run(
        [sys.executable, "-m", module, str(path), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode != 0:
        raise SystemExit(f"probe failed on {path}:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def measure_once(path: Path) -> dict:
    return run_probe("tests.benchmarks.reader_probe", path, repr(time.time()))


def measure(paths: list[Path], runs: int = 1) -> list[dict]:
    """Figures per cache, the median of ``runs`` interleaved runs (so that a busy moment of
    the machine falls on every size alike)."""
    samples: list[list[dict]] = [[] for _ in paths]
    for _ in range(runs):
        for at, path in enumerate(paths):
            samples[at].append(measure_once(path))
    return [
        {key: statistics.median(s[key] for s in runs_) for key in runs_[0]} for runs_ in samples
    ]


def gate(base: dict, top: dict) -> dict[str, float]:
    """Ratios of the gated figures (first paint, memory) of ``top`` over ``base``."""
    return {name: top[key] / base[key] for key, name in GATED}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,100000,1000000")
    parser.add_argument("--dir", type=Path, help="where to keep the caches (default: a temp dir)")
    parser.add_argument("--gate", action="store_true", help="fail beyond 1.5× the smallest size")
    parser.add_argument("--runs", type=int, default=1, help="interleaved runs (medians)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.dir or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        paths = [folder / f"bench-{size}.db" for size in sizes]
        for size, path in zip(sizes, paths, strict=True):
            build(path, size)
        rows = list(zip(sizes, measure(paths, args.runs), strict=True))
    print(
        f"{'papers':>10} {'first paint':>12} {'RSS':>9} {'j':>8} {'PageDown':>9} {'G':>8} "
        f"{'search':>8} {'search max':>11} {'count max':>10}"
    )
    for size, f in rows:
        print(
            f"{size:>10,} {f['first_paint_s'] * 1000:>9.0f} ms {f['rss_mb']:>6.0f} MB "
            f"{f['key_j_ms']:>5.1f} ms {f['key_pagedown_ms']:>6.1f} ms {f['key_G_ms']:>5.1f} ms "
            f"{f['search_ms']:>5.1f} ms {f['search_max_ms']:>8.1f} ms {f['count_max_ms']:>7.0f} ms"
        )
    if not args.gate:
        return 0
    (small, base), (large, top) = rows[0], rows[-1]
    ratios = gate(base, top)
    for name, ratio in ratios.items():
        verdict = "ok" if ratio <= LIMIT else "FAIL"
        print(f"gate: {name} at {large:,} is {ratio:.2f}× the figure at {small:,} ({verdict})")
    return 1 if any(ratio > LIMIT for ratio in ratios.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
