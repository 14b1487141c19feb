"""A throw-away full-text index over one paper's passages (SQLite FTS5 in memory), for
the assistant's retrieval: built, asked once, dropped. A paper's ~500 passages index in
a few milliseconds, so nothing of it is stored."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence


def rank(
    rows: Iterable[tuple[int, str, str]], matches: Sequence[str], limit: int
) -> list[tuple[int, float]]:
    """(key, score: higher is better) of the rows ``(key, text, section title)`` that
    one of ``matches`` (FTS5 queries) finds, best first: each query's bm25 summed (a
    word in the text weighs more than one in its section's title). Porter stemming:
    "layers" finds "layer"."""
    conn = sqlite3.connect(":memory:")
    scores: dict[int, float] = {}
    try:
        conn.execute(
            "CREATE VIRTUAL TABLE passages USING fts5(text, section, "
            "tokenize='porter unicode61 remove_diacritics 2')"
        )
        conn.executemany("INSERT INTO passages(rowid, text, section) VALUES (?, ?, ?)", rows)
        for match in matches:
            for key, score in conn.execute(
                "SELECT rowid, bm25(passages, 1.0, 0.4) FROM passages WHERE passages MATCH ?",
                (match,),
            ):
                scores[key] = scores.get(key, 0.0) - score  # bm25: lower is better
    finally:
        conn.close()
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:limit]
