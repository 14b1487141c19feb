"""Personal-library figures on a large cache (targets: DESIGN.md §11).

    python -m tests.benchmarks.library [--papers 1000000] [--dir DIR] [--runs 5]

Builds (or reuses, in ``--dir``) a cache of synthetic papers like ``tests.benchmarks.reader``
does, gives it a library (stars, the later list, tags, notes, read marks), then measures:

- filtered search: the first page (100 rows, as the reader's worker fetches it, without
  the count) of a set of queries mixing words, ``tag:``, ``is:`` and ``author:`` — median
  and worst over the set, each query the median of ``--runs``;
- the merge of 10,000 changes from another machine's file (target ≤ 1 s);
- the export of 10,000 papers as BibTeX (the first export pins their citation keys) and as
  CSL-JSON.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from paperdeck.storage.cache import library
from paperdeck.storage.cache.database import Cache
from paperdeck.storage.cache.views import PaperList, View, count_view
from paperdeck.storage.config import LibrarySettings
from paperdeck.storage.library.export import export
from paperdeck.storage.library.machines import iso_ms, now_ms, sync_library
from tests.benchmarks.reader import build

QUERIES = [
    "transformer",
    "quantum agent",
    '"language model"',
    "tag:cite",
    "tag:proj",
    "is:starred",
    "is:later -is:read",
    "has:note",
    'author:"Ada Lovelace"',
    'author:"Ada Lovelace" diffusion',
    "tag:cite attention",
    "learning tag:proj/rag",
    "is:unread robust",
    "is:starred -tag:cite",
    "tag:method after:2025-01-01",
    'author:"Grace Hopper" is:unread after:2026-01-01',
    '-is:read "neural graph"',
    "tag:bench10k kernel",
]
FIRST_PAGE = 100


def stock(cache: Cache, seed: int = 5) -> None:
    """The library a heavy user might have: a few thousand tagged, starred, later papers.
    Made again on every run (the merges of the last run added to it)."""
    started = time.perf_counter()
    rng = random.Random(seed)
    ids = _spread_ids(cache, 30_000, rng)
    rng.shuffle(ids)
    with cache.transaction() as conn:  # what the last run's merges added goes
        conn.execute("UPDATE user_state SET starred = 0, later = 0, read = 0, citekey = NULL")
        conn.execute("UPDATE user_state SET note = NULL WHERE note IS NOT NULL")
        conn.execute("UPDATE paper_tags SET tagged = 0 WHERE tag LIKE 'merged%'")
        conn.execute("UPDATE library_settings SET journal = 0")
        conn.execute("DELETE FROM library_log")
        conn.execute("DELETE FROM library_fields")
        conn.execute("DELETE FROM library_peers")
    library.change_tags(cache, ids[:2000], ["cite"])
    library.change_tags(cache, ids[2000:2300], ["proj/rag"])
    library.change_tags(cache, ids[2300:2600], ["proj/eval"])
    library.change_tags(cache, ids[2600:7600], ["method"])
    library.change_tags(cache, ids[7600:17600], ["bench10k"])
    with cache.transaction():
        for paper_id in ids[17600:18600]:
            cache.set_starred(paper_id, True)
        for paper_id in ids[18600:28600]:
            cache.set_read(paper_id, True)
    library.set_later(cache, ids[28600:29100], True)
    with cache.transaction():
        for n, paper_id in enumerate(ids[29100:29300]):
            library.set_note(cache, paper_id, f"note {n}: compare with the zebrafish baseline")
    library.index_pending(cache)
    print(f"stocked the library in {time.perf_counter() - started:.1f} s", file=sys.stderr)


def _spread_ids(cache: Cache, count: int, rng: random.Random) -> list[str]:
    """``count`` paper ids spread over the whole cache (a walk of the id index)."""
    every = max(1, cache.count_papers() // count)
    ids = [row[0] for row in cache.conn.execute("SELECT id FROM papers")]
    start = rng.randrange(every)
    return ids[start::every][:count]


def search_figures(
    cache: Cache, runs: int, typed: bool = False
) -> list[tuple[str, float, int, float]]:
    """(query, first page ms (median of runs), rows in it, count ms) per query: as a
    whole query (``list --search``'s words, a saved view), or ``typed`` in the reader's
    ``/`` (its last word also matches as a prefix)."""
    figures = []
    for query in QUERIES:
        view = View(search=query) if typed else View(query=query)
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            papers = PaperList(cache, view, total=FIRST_PAGE)
            rows = papers.window(0, FIRST_PAGE)
            times.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        count_view(cache, view)
        counted = (time.perf_counter() - started) * 1000
        figures.append((query, statistics.median(times), len(rows), counted))
    return figures


MIXES = {
    "read and later marks": [
        {"f": "read", "x": True},
        {"f": "later", "x": True},
        {"f": "read", "x": False},
        {"f": "later", "x": False},
        {"f": "read", "x": True},
    ],
    "stars (each pins a citation key here)": [
        {"f": "starred", "x": True},
        {"f": "read", "x": True},
        {"f": "later", "x": True},
        {"f": "citekey", "x": None},
        {"f": "read", "x": False},
    ],
    "a mix with tags and notes (each re-indexes the paper's text)": [
        {"f": "read", "x": True},
        {"f": "starred", "x": True},
        {"f": "later", "x": True},
        {"f": "tag", "tag": "merged", "x": True},
        {"f": "note", "x": "a merged note"},
    ],
}


def merge_figures(cache: Cache, changes: int = 10_000) -> list[tuple[str, float, int]]:
    """Seconds to merge ``changes`` changes of another machine into ``cache``, for each
    mix of :data:`MIXES` (each change a different field of 2,000 papers), after a first
    merge that logs this machine's library once, to share it (also timed)."""
    rng = random.Random(time.time_ns())
    with tempfile.TemporaryDirectory() as folder:
        shared = Path(folder)
        settings = LibrarySettings(sync_dir=str(shared), machine="bench")
        started = time.perf_counter()
        sync_library(cache, settings, shared)
        figures = [("first merge (logs this machine's library)", time.perf_counter() - started, 0)]
        for number, (label, mix) in enumerate(MIXES.items()):
            ids = _spread_ids(cache, changes // len(mix), rng)
            start = now_ms() - 3_600_000
            with open(shared / f"other{number}.jsonl", "w") as out:
                for n in range(changes):
                    line = {
                        "v": 1,
                        "m": f"other{number}",
                        "s": n + 1,
                        "t": iso_ms(start + n),
                        "id": ids[n // len(mix)],
                    }
                    out.write(json.dumps(line | mix[n % len(mix)], separators=(",", ":")) + "\n")
            started = time.perf_counter()
            report = sync_library(cache, settings, shared)
            figures.append((label, time.perf_counter() - started, report.applied))
    return figures


def export_figures(cache: Cache) -> list[tuple[str, float, int]]:
    view = View(search="tag:bench10k")
    figures = []
    for label, fmt in (
        ("bibtex, keys pinned now", "bibtex"),
        ("bibtex", "bibtex"),
        ("csl-json", "csl-json"),
    ):
        out = io.StringIO()
        started = time.perf_counter()
        count = export(cache, view, fmt, out)
        figures.append((label, time.perf_counter() - started, count))
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=1_000_000)
    parser.add_argument("--dir", type=Path, help="where to keep the cache (default: a temp dir)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.dir or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"bench-{args.papers}.db"
        build(path, args.papers)
        with Cache(path) as cache:
            stock(cache)
            cache.conn.execute("PRAGMA cache_size=-65536")
            search_figures(cache, 1)  # warm the page cache, as a running reader has it
            for typed in (False, True):
                figures = search_figures(cache, args.runs, typed)
                how = "typed in / (last word also a prefix)" if typed else "whole queries"
                print(
                    f"filtered search, {how}, first page of {FIRST_PAGE}, {args.papers:,} papers:"
                )
                for query, ms, rows, counted in figures:
                    print(f"  {ms:8.1f} ms  {rows:>3} rows  (count {counted:7.0f} ms)  {query}")
                times = [ms for _, ms, _, _ in figures]
                print(
                    f"  median {statistics.median(times):.1f} ms, worst {max(times):.1f} ms "
                    f"over {len(times)} queries (target < 100 ms)"
                )
            print("merge of 10,000 changes from another machine (target ≤ 1 s):")
            for label, seconds, applied in merge_figures(cache):
                print(f"  {seconds:6.2f} s  {applied:>6,} applied  {label}")
            for label, seconds, count in export_figures(cache):
                print(f"export of {count:,} papers as {label}: {seconds:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
