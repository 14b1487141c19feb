"""A throw-away full-text index over one paper's passages (SQLite FTS5 in memory), for
the assistant's retrieval: built, asked once, dropped. A paper's ~500 passages index in
a few milliseconds, so nothing of it is stored."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable


def rank(rows: Iterable[tuple[int, str, str]], match: str, limit: int) -> list[tuple[int, float]]:
    """(key, score: higher is better) of the rows ``(key, text, section title)`` that
    ``match`` (an FTS5 query) finds, best first by bm25 (a word in the text weighs more
    than one in its section's title). Porter stemming: "layers" finds "layer"."""
    conn = sqlite3.connect(":memory:")
    try:
        conn.execute(
            "CREATE VIRTUAL TABLE passages USING fts5(text, section, "
            "tokenize='porter unicode61 remove_diacritics 2')"
        )
        conn.executemany("INSERT INTO passages(rowid, text, section) VALUES (?, ?, ?)", rows)
        found = conn.execute(
            "SELECT rowid, bm25(passages, 1.0, 0.4) FROM passages WHERE passages MATCH ? "
            "ORDER BY bm25(passages, 1.0, 0.4) LIMIT ?",
            (match, limit),
        ).fetchall()
    finally:
        conn.close()
    return [(key, -score) for key, score in found]  # bm25: lower is better
