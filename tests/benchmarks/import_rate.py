"""Digest import rate against bare sqlite3 writing the same rows and full-text index.

    python -m tests.benchmarks.import_rate [--papers 100000]

Writes a synthetic digest in the seed's format (table + Abstracts section with ~1.3 KB
abstracts of realistic vocabulary and a translation for one paper in five), imports it
through ``paperdeck.storage.library.importer`` (parse + upsert, one transaction) in a fresh process whose
peak memory it reports, then copies the resulting
rows into a fresh cache with plain ``executemany`` calls in the most favourable order —
the floor any importer could reach with this schema. Prints both rates and their ratio
(target: ≤ 1.5, DESIGN.md §5).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from paperdeck.storage.cache.database import Cache
from tests.support.synthetic import digest_text, papers

ROOT = Path(__file__).resolve().parents[2]

TABLES = ("papers", "authors", "topics", "paper_topics", "translations")


def write_digest(path: Path, count: int) -> None:
    records = list(papers(count))
    with path.open("w", encoding="utf-8") as out:
        for start in range(0, count, 10_000):  # several topics, like a real page
            out.write(digest_text(records[start : start + 10_000], topic=f"T{start // 10_000}"))


def bare_copy(source: Path, target: Path) -> float:
    """Seconds for bare sqlite3 to write the rows ``source`` holds into an empty cache."""
    Cache(target).close()
    src = sqlite3.connect(source)
    rows = {}
    for table in TABLES:
        columns = [r[1] for r in src.execute(f"PRAGMA table_xinfo({table})") if r[6] in (0, 1)]
        order = "ORDER BY key" if table == "papers" else ""
        rows[table] = (
            columns,
            src.execute(f"SELECT {', '.join(columns)} FROM {table} {order}").fetchall(),
        )
    fts = src.execute("SELECT key, title, authors, abstract FROM papers ORDER BY key").fetchall()
    src.close()
    dst = sqlite3.connect(target, isolation_level=None)
    dst.execute("PRAGMA cache_size=-65536")
    start = time.perf_counter()
    dst.execute("BEGIN")
    for table, (columns, data) in rows.items():
        marks = ", ".join("?" * len(columns))
        dst.executemany(f"INSERT INTO {table}({', '.join(columns)}) VALUES ({marks})", data)
    dst.executemany(
        "INSERT INTO papers_fts(rowid, title, authors, abstract) VALUES (?, ?, ?, ?)", fts
    )
    dst.execute("COMMIT")
    elapsed = time.perf_counter() - start
    dst.close()
    return elapsed


def import_in_child(digest: Path, cache: Path) -> dict:
    """Import in a fresh process, so its peak memory is the import's own."""
    code = (
        "import json, resource, sys, time\n"
        "from paperdeck.storage.cache.database import Cache\n"
        "from paperdeck.storage.library.importer import import_file\n"
        "with Cache(sys.argv[2]) as cache:\n"
        "    start = time.perf_counter()\n"
        "    report = import_file(cache, sys.argv[1])\n"
        "    elapsed = time.perf_counter() - start\n"
        "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
        "print(json.dumps({'s': elapsed, 'new': report.counts.new, 'peak_mb': peak}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(digest), str(cache)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        digest = Path(tmp) / "digest.md"
        write_digest(digest, args.papers)
        size_mb = digest.stat().st_size / 1e6
        ours = import_in_child(digest, Path(tmp) / "imported.db")
        assert ours["new"] == args.papers, ours
        bare = bare_copy(Path(tmp) / "imported.db", Path(tmp) / "bare.db")
    n, took = args.papers, ours["s"]
    print(f"digest: {n} papers, {size_mb:.0f} MB")
    print(
        f"paperdeck import (parse + store): {took:6.1f} s  {n / took:8.0f} papers/s, "
        f"peak memory {ours['peak_mb']:.0f} MB ({ours['peak_mb'] / size_mb:.1f}× the digest)"
    )
    print(f"bare sqlite3, same rows + FTS5:   {bare:6.1f} s  {n / bare:8.0f} papers/s")
    print(f"ratio: {took / bare:.2f} (target ≤ 1.5)")


if __name__ == "__main__":
    main()
