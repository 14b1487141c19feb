"""The all-of-arXiv migration on a cache made before it: the full-text index
made again with prefix indexes (saying so while it works), the library's notes and tags
still in it, every paper's categories as rows, and the indexes a killed bulk load dropped
put back."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from paperdeck.storage.cache.database import Cache
from paperdeck.storage.cache.migrations import MIGRATION_NOTES, MIGRATIONS

OLD = min(MIGRATION_NOTES) - 1  # the schema before all of arXiv (a later one may follow)


def old_cache(path: Path) -> None:
    conn = sqlite3.connect(path)
    for script in MIGRATIONS[:OLD]:
        conn.executescript(script)
    rows = [
        (
            10,
            "2401.00001",
            "Sparse attention",
            "Ada Lovelace",
            "We study models.",
            '["cs.CL", "cs.LG"]',
        ),
        (20, "2401.00002", "Quantum fields", "Alan Turing", "Strings and branes.", '["hep-th"]'),
    ]
    conn.executemany(
        "INSERT INTO papers(key, id, title, authors, abstract, published, categories, source, fetched_at) "
        "VALUES (?, ?, ?, ?, ?, '2024-01-01', ?, 'arxiv', 'x')",
        rows,
    )
    conn.execute(
        "INSERT INTO papers_fts(rowid, title, authors, abstract) VALUES (20, ?, ?, ?)", rows[1][2:5]
    )
    # the library appends a paper's note and tags to what the index holds of it
    conn.execute(
        "INSERT INTO papers_fts(rowid, title, authors, abstract) VALUES (10, ?, ?, ?)",
        (*rows[0][2:4], rows[0][4] + "\nzanzibar"),
    )
    conn.execute(
        "INSERT INTO library_text(key, paper_id, text) VALUES (10, '2401.00001', 'zanzibar')"
    )
    conn.execute(f"PRAGMA user_version={OLD}")
    conn.commit()
    conn.close()


def hits(cache: Cache, query: str) -> list[int]:
    return [
        k
        for (k,) in cache.conn.execute(
            "SELECT rowid FROM papers_fts WHERE papers_fts MATCH ? ORDER BY rowid", (query,)
        )
    ]


def test_the_arxiv_migration_remakes_the_index_with_prefixes_and_keeps_the_library_in_it(tmp_path):
    path = tmp_path / "old.db"
    old_cache(path)
    said = []
    with Cache(path, announce=said.append) as cache:
        assert len(said) == 1 and "rebuilding the search index with prefix indexes" in said[0]
        assert cache.conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        sql = cache.conn.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'papers_fts'"
        ).fetchone()[0]
        assert "prefix='3 4 5'" in sql
        assert hits(cache, "zanzibar") == [10] and hits(cache, '"zan"*') == [10]
        assert hits(cache, '"atten"*') == [10] and hits(cache, '"bran"*') == [20]
        assert sorted(cache.conn.execute("SELECT category, paper_key FROM paper_categories")) == [
            ("cs.CL", 10),
            ("cs.LG", 10),
            ("hep-th", 20),
        ]
        assert cache.paper("2401.00001").license == ""
        with cache.transaction() as conn:  # the triggers delete exactly what was indexed
            conn.execute(
                "UPDATE papers SET categories = ? WHERE key = 20", (json.dumps(["gr-qc"]),)
            )
            conn.execute("DELETE FROM papers WHERE key = 10")
        assert hits(cache, "zanzibar") == [] and hits(cache, "sparse") == []
        assert sorted(cache.conn.execute("SELECT category, paper_key FROM paper_categories")) == [
            ("gr-qc", 20)
        ]
        cache.conn.execute("INSERT INTO papers_fts(papers_fts) VALUES ('integrity-check')")
    said.clear()
    Cache(path, announce=said.append).close()
    assert said == []  # said once, while it works


def test_a_new_cache_says_nothing_while_it_is_made(tmp_path):
    said = []
    Cache(tmp_path / "new.db", announce=said.append).close()
    assert said == []
