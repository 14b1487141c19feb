"""arXiv snapshot import against plain sqlite3 parsing and storing the same lines.

    python -m tests.benchmarks.snapshot_import [--papers 200000] [--snapshot FILE]

Writes a stand-in of arXiv's metadata snapshot with ``../shared/data/harvest/make_snapshot.py``
(or takes ``--snapshot``), tears one line in the middle and zips it as Kaggle serves it. Then,
each in a fresh process (so its peak memory is its own):

1. ``paperdeck``'s import (:func:`paperdeck.storage.library.snapshot.import_snapshot`) into a
   fresh cache; then, on that cache, the same file again (every record unchanged);
2. the floor: plain sqlite3 reading the same zip, ``json.loads`` on each line, one row per
   paper in a table keyed by its id and the same FTS5 index as the cache's (columns,
   tokenizer and prefixes), one transaction.

Prints both rates, their ratio (bar ≤ 2, goal ≤ 1.5, DESIGN.md §17), the peak memory (≤ 500
MB) and the second import's share of the first (≤ 0.5).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VALID_ID = re.compile(rb'\{"id":"(?:\d{4}\.\d{4,5}|[a-z-]+/\d{7})"')
MAKE_SNAPSHOT = ROOT.parent / "shared" / "data" / "harvest" / "make_snapshot.py"

_IMPORT = """
import json, resource, sys, time
from paperdeck.storage.cache.database import Cache
from paperdeck.storage.library.snapshot import import_snapshot
with Cache(sys.argv[2]) as cache:
    start = time.perf_counter()
    report = import_snapshot(cache, sys.argv[1])
    elapsed = time.perf_counter() - start
    papers = cache.count_papers()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
c = report.counts
print(json.dumps({"s": elapsed, "new": c.new, "unchanged": c.unchanged, "updated": c.updated,
                  "skipped": [s.line for s in report.skipped], "papers": papers, "peak_mb": peak}))
"""

_FLOOR = """
import json, resource, sqlite3, sys, time, zipfile
fts = sys.argv[3]
db = sqlite3.connect(sys.argv[2], isolation_level=None)
db.execute("PRAGMA journal_mode=WAL")
db.execute("PRAGMA cache_size=-131072")
db.execute('''CREATE TABLE papers (key INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, title TEXT,
    authors TEXT, abstract TEXT, categories TEXT, published TEXT, updated TEXT, doi TEXT,
    journal_ref TEXT, comments TEXT, license TEXT)''')
db.execute(fts)
start = time.perf_counter()
db.execute("BEGIN")
rows, key = [], 0
def store(rows):
    db.executemany("INSERT INTO papers VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    db.executemany("INSERT INTO papers_fts(rowid, title, authors, abstract) VALUES (?,?,?,?)",
                   [(r[0], r[2], r[3], r[4]) for r in rows])
with zipfile.ZipFile(sys.argv[1]) as z, z.open(z.namelist()[0]) as f:
    for line in f:
        try:
            r = json.loads(line)
        except ValueError:
            continue
        key += 1
        v = r["versions"]
        rows.append((key, r["id"], r["title"], r["authors"], r["abstract"], r["categories"],
                     v[0]["created"], v[-1]["created"], r["doi"], r["journal-ref"], r["comments"],
                     r["license"]))
        if len(rows) == 5000:
            store(rows)
            rows = []
store(rows)
db.execute("COMMIT")
elapsed = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"s": elapsed, "papers": key, "peak_mb": peak}))
"""


def make_snapshot(path: Path, papers: int) -> None:
    if not MAKE_SNAPSHOT.exists():
        sys.exit(f"{MAKE_SNAPSHOT} is missing (../shared is needed to write the stand-in)")
    subprocess.run(
        [sys.executable, str(MAKE_SNAPSHOT), str(path), "--papers", str(papers)], check=True
    )


def tear_and_zip(plain: Path, zipped: Path) -> tuple[int, list[int]]:
    """Cut the middle line short (a torn write) and zip the file, streaming (the children's
    peak memory counts the parent's at the fork). Returns that line's number and those of
    the records whose id is no arXiv id (the stand-in writes a few old-style ids with eight
    digits, ``hep-th/02101000``): both are to be reported."""
    with plain.open("rb") as source:
        torn = sum(1 for _ in source) // 2 + 1
    bad = []
    with (
        plain.open("rb") as source,
        zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("arxiv-metadata-oai-snapshot.json", "w", force_zip64=True) as target,
    ):
        for number, line in enumerate(source, 1):
            if number == torn:
                line = line[: len(line) // 2] + b"\n"
            elif not VALID_ID.match(line):
                bad.append(number)
            target.write(line)
    return torn, bad


def run(code: str, *args: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True
    )
    if done.returncode:
        sys.exit(done.stderr)
    return json.loads(done.stdout)


def fts_definition(cache_path: Path) -> str:
    import sqlite3

    conn = sqlite3.connect(cache_path)
    sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'papers_fts'").fetchone()[0]
    conn.close()
    return sql


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=200_000)
    parser.add_argument("--snapshot", type=Path, help="an NDJSON stand-in already written")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        plain = args.snapshot or tmp_path / "snapshot.json"
        if args.snapshot is None:
            make_snapshot(plain, args.papers)
        zipped = tmp_path / "arxiv.zip"
        torn, bad = tear_and_zip(plain, zipped)
        cache = tmp_path / "cache.db"
        first = run(_IMPORT, str(zipped), str(cache))
        second = run(_IMPORT, str(zipped), str(cache))
        fts = fts_definition(cache)
        floor = run(_FLOOR, str(zipped), str(tmp_path / "floor.db"), fts)
        size_mb = zipped.stat().st_size / 1e6
    n = first["papers"]
    assert first["skipped"] == sorted([torn, *bad]), (first["skipped"], torn, bad)
    assert first["new"] == n == floor["papers"] - len(bad), (first, floor)
    assert second["unchanged"] == n and second["new"] == second["updated"] == 0, second
    print(
        f"snapshot: {n:,} papers ({size_mb:.0f} MB zipped); torn line {torn:,} and "
        f"{len(bad)} records without a valid arXiv id skipped and reported by line"
    )
    print(
        f"paperdeck import: {first['s']:7.1f} s {n / first['s']:8,.0f} papers/s, "
        f"peak memory {first['peak_mb']:.0f} MB"
    )
    print(
        f"plain sqlite3:    {floor['s']:7.1f} s {n / floor['s']:8,.0f} papers/s (same lines, same FTS5 index)"
    )
    print(f"ratio: {first['s'] / floor['s']:.2f} (bar ≤ 2, goal ≤ 1.5)")
    print(
        f"second import (all unchanged): {second['s']:.1f} s, "
        f"{second['s'] / first['s']:.2f} of the first (target ≤ 0.5), peak {second['peak_mb']:.0f} MB"
    )


if __name__ == "__main__":
    main()
