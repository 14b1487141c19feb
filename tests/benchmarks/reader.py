"""Reader figures at several cache sizes (targets: DESIGN.md §5).

    python -m tests.benchmarks.reader [--sizes 100,100000,1000000] [--dir DIR] [--gate]

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
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from storage.cache import Cache
from tests.support.synthetic import papers

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 1.5


def build(path: Path, size: int) -> None:
    if path.exists():
        with Cache(path) as cache:
            if cache.count_papers() == size:
                return
        path.unlink()
    started = time.perf_counter()
    with Cache(path) as cache:
        for start in range(0, size, 50_000):  # keeps memory flat while building
            count = min(50_000, size - start)
            cache.upsert(papers(count, seed=start, start=_day(start)))
    print(f"built {size:,} papers in {time.perf_counter() - started:.0f} s", file=sys.stderr)


def _day(offset: int):
    from datetime import date, timedelta

    return date(2026, 11, 1) - timedelta(days=offset // 40)


def measure(path: Path) -> dict:
    started = time.time()
    result = subprocess.run(
        [sys.executable, "-m", "tests.benchmarks.reader_probe", str(path), repr(started)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode != 0:
        raise SystemExit(f"probe failed on {path}:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,100000,1000000")
    parser.add_argument("--dir", type=Path, help="where to keep the caches (default: a temp dir)")
    parser.add_argument("--gate", action="store_true", help="fail beyond 1.5× the smallest size")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.dir or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        rows = []
        for size in sizes:
            path = folder / f"bench-{size}.db"
            build(path, size)
            rows.append((size, measure(path)))
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
    failed = []
    for key, name in (("first_paint_s", "first paint"), ("rss_mb", "memory")):
        ratio = top[key] / base[key]
        verdict = "ok" if ratio <= LIMIT else "FAIL"
        print(f"gate: {name} at {large:,} is {ratio:.2f}× the figure at {small:,} ({verdict})")
        if ratio > LIMIT:
            failed.append(name)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
