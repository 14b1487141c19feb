"""Digest import rate against bare sqlite3 writing the same rows and full-text index.

    python -m tests.benchmarks.import_rate [--papers 100000]

Writes a synthetic digest in the seed's format (table + Abstracts section with ~1.3 KB
abstracts of realistic vocabulary and a translation for one paper in five), imports it
through ``storage.importer`` (parse + upsert, one transaction), then copies the resulting
rows into a fresh cache with plain ``executemany`` calls in the most favourable order —
the floor any importer could reach with this schema. Prints both rates and their ratio
(target: ≤ 1.5, DESIGN.md §5).
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from pathlib import Path

from storage.cache import Cache
from storage.importer import import_file
from tests.support.synthetic import digest_text, papers

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        digest = Path(tmp) / "digest.md"
        write_digest(digest, args.papers)
        size_mb = digest.stat().st_size / 1e6
        with Cache(Path(tmp) / "imported.db") as cache:
            start = time.perf_counter()
            report = import_file(cache, str(digest))
            ours = time.perf_counter() - start
        assert report.ok and report.counts.new == args.papers, report
        bare = bare_copy(Path(tmp) / "imported.db", Path(tmp) / "bare.db")
    n = args.papers
    print(f"digest: {n} papers, {size_mb:.0f} MB")
    print(f"paperdeck import (parse + store): {ours:6.1f} s  {n / ours:8.0f} papers/s")
    print(f"bare sqlite3, same rows + FTS5:   {bare:6.1f} s  {n / bare:8.0f} papers/s")
    print(f"ratio: {ours / bare:.2f} (target ≤ 1.5)")


if __name__ == "__main__":
    main()
