"""What the assistant said, kept with the paper: each question with its answer and
checked citations (the reading screen shows them again), and one summary per paper and
model (a second look costs no request)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from paperdeck.storage.cache.database import Cache, now


@dataclass(frozen=True, slots=True)
class Exchange:
    question: str
    answer: str
    citations: list[dict]
    """``{"block", "quote", "found"}`` each, as checked when the answer came."""
    model: str
    asked_at: str


def save_answer(
    cache: Cache, paper_id: str, model: str, question: str, answer: str, citations: list[dict]
) -> None:
    with cache.transaction():
        cache.conn.execute(
            "INSERT INTO assistant_answers(paper_id, model, question, answer, citations, asked_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (paper_id, model, question, answer, json.dumps(citations, ensure_ascii=False), now()),
        )


def answers(cache: Cache, paper_id: str, limit: int = 50) -> list[Exchange]:
    """The latest ``limit`` questions asked about ``paper_id``, oldest first."""
    rows = cache.conn.execute(
        "SELECT question, answer, citations, model, asked_at FROM assistant_answers "
        "WHERE paper_id = ? ORDER BY id DESC LIMIT ?",
        (paper_id, limit),
    ).fetchall()
    found = []
    for question, answer, citations, model, asked_at in reversed(rows):
        try:
            checked = json.loads(citations)
        except ValueError:
            checked = []
        found.append(Exchange(question, answer, checked, model, asked_at))
    return found


def summary(cache: Cache, paper_id: str, model: str) -> str | None:
    row = cache.conn.execute(
        "SELECT summary FROM assistant_summaries WHERE paper_id = ? AND model = ?",
        (paper_id, model),
    ).fetchone()
    return row[0] if row else None


def save_summary(cache: Cache, paper_id: str, model: str, text: str, source: str) -> None:
    """``source``: ``fulltext`` or ``abstract``, what the summary was made from."""
    with cache.transaction():
        cache.conn.execute(
            """INSERT INTO assistant_summaries(paper_id, model, summary, source, made_at)
               VALUES (?, ?, ?, ?, ?)
               ON CONFLICT(paper_id, model) DO UPDATE SET summary = excluded.summary,
                   source = excluded.source, made_at = excluded.made_at""",
            (paper_id, model, text, source, now()),
        )
