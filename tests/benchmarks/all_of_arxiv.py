"""All of arXiv: import a snapshot stand-in and read the cache it makes, at several sizes
(targets: DESIGN.md §17).

    python -m tests.benchmarks.all_of_arxiv --snapshot FILE [--sizes 100,1000000,3000000] [--dir DIR]

``FILE`` is a stand-in written by ``../shared/data/harvest/make_snapshot.py`` with at least
the largest size's papers (3M: ``make_snapshot.py snap.json --papers 3000000``, ~4 GB). For
each size, the first N lines are imported into a fresh cache in a fresh process (rate, peak
memory), and plain sqlite3 parses and stores the same lines with the same FTS5 index (the
floor, :mod:`tests.benchmarks.snapshot_import`); then the cache is measured as the reader
sees it (:mod:`tests.benchmarks.reader_probe`: first paint, RSS, j/PageDown/G), typed search
(every prefix of common words, as typed, first page) and the interest order's first page
after 20 stars. Caches are kept in ``--dir`` and reused when they hold the size already.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

from paperdeck.storage.cache.database import Cache
from paperdeck.storage.cache.views import PaperList, View
from paperdeck.storage.ranking import interest
from tests.benchmarks.reader import measure_once
from tests.benchmarks.snapshot_import import _FLOOR, _IMPORT, fts_definition, run

TYPED = ("model", "network", "quantum", "attention", "learning")
"""Common words, typed one letter at a time (the search follows every letter)."""
FIRST_PAGE = 50


def head(snapshot: Path, lines: int, out: Path) -> None:
    with snapshot.open("rb") as source, out.open("wb") as target:
        for n, line in enumerate(source):
            if n == lines:
                break
            target.write(line)


def zipped(plain: Path) -> Path:
    import zipfile

    out = plain.with_suffix(".zip")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(plain, "arxiv-metadata-oai-snapshot.json")
    return out


def import_figures(snapshot: Path, size: int, cache_path: Path, work: Path) -> dict:
    part = work / f"part-{size}.json"
    head(snapshot, size, part)
    archive = zipped(part)
    part.unlink()
    cache_path.unlink(missing_ok=True)
    ours = run(_IMPORT, str(archive), str(cache_path))
    floor_db = work / f"floor-{size}.db"
    floor = run(_FLOOR, str(archive), str(floor_db), fts_definition(cache_path))
    floor_db.unlink()
    archive.unlink()
    return {
        "import_rate": ours["papers"] / ours["s"],
        "ratio": ours["s"] / floor["s"],
        "import_peak_mb": ours["peak_mb"],
        "papers": ours["papers"],
    }


def typed_search_ms(cache: Cache) -> float:
    """The slowest first page of a search as it follows typing (every prefix of each word)."""
    worst = 0.0
    for word in TYPED:
        for end in range(1, len(word) + 1):
            started = time.perf_counter()
            PaperList(cache, View(search=word[:end]), total=FIRST_PAGE).window(0, FIRST_PAGE)
            worst = max(worst, time.perf_counter() - started)
    return worst * 1000


def interest_first_page_s(cache: Cache) -> float:
    rng = random.Random(20)
    ids = [
        pid for (pid,) in cache.conn.execute("SELECT id FROM papers WHERE key % 1009 = 7 LIMIT 400")
    ]
    for pid in rng.sample(ids, min(20, len(ids))):
        cache.set_starred(pid, True)
    return interest.compute(cache).first_page_seconds


def _papers(path: Path) -> int:
    with Cache(path) as cache:
        return cache.count_papers()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--snapshot", type=Path, required=True)
    parser.add_argument("--sizes", default="100,1000000,3000000")
    parser.add_argument("--dir", type=Path, help="where to keep the caches (default: a temp dir)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.dir or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for size in sizes:
            path = folder / f"arxiv-{size}.db"
            figures: dict = {}
            if path.exists() and _papers(path) >= size * 0.99:
                print(f"{size:,}: reusing {path}", file=sys.stderr)
            else:
                figures.update(import_figures(args.snapshot, size, path, folder))
            figures["cache_mb"] = path.stat().st_size / 1e6
            figures.update(measure_once(path))
            with Cache(path) as cache:
                figures["typed_ms"] = typed_search_ms(cache)
                figures["interest_s"] = interest_first_page_s(cache)
            rows.append((size, figures))
            print(f"{size:,}: {figures}", file=sys.stderr, flush=True)
    print(
        f"{'papers':>10} {'import/s':>9} {'ratio':>6} {'peak':>7} {'cache':>8} {'paint':>8} "
        f"{'RSS':>7} {'j':>7} {'PgDn':>7} {'G':>7} {'typed':>8} {'interest':>9}"
    )
    for size, f in rows:
        rate = (
            f"{f['import_rate']:>9,.0f} {f['ratio']:>6.2f} {f['import_peak_mb']:>4.0f} MB"
            if "ratio" in f
            else f"{'(reused)':>25}"
        )
        print(
            f"{size:>10,} {rate} {f['cache_mb']:>5.0f} MB {f['first_paint_s'] * 1000:>5.0f} ms "
            f"{f['rss_mb']:>4.0f} MB {f['key_j_ms']:>4.1f} ms {f['key_pagedown_ms']:>4.1f} ms "
            f"{f['key_G_ms']:>4.1f} ms {f['typed_ms']:>5.0f} ms {f['interest_s']:>7.2f} s"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
