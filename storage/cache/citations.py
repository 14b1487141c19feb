"""Semantic Scholar's answers about a paper's citations, kept a week."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from paperdeck.storage.cache.database import Cache, now

KEEP = timedelta(days=7)


@dataclass(slots=True)
class Citations:
    """How often a paper is cited, and the arXiv papers among its references and among
    the papers citing it (ids without version, in Semantic Scholar's order)."""

    paper_id: str
    count: int | None
    references: list[str] = field(default_factory=list)
    cited_by: list[str] = field(default_factory=list)
    fetched_at: str = ""

    def as_json(self) -> dict:
        return {"count": self.count, "references": self.references, "cited_by": self.cited_by}


def load(cache: Cache, paper_id: str, fresh_only: bool = True) -> Citations | None:
    """The stored answer (None when there is none, or, with ``fresh_only``, when it is
    older than a week)."""
    row = cache.conn.execute(
        "SELECT fetched_at, count, refs, cited_by FROM citations WHERE paper_id = ?",
        (paper_id,),
    ).fetchone()
    if row is None:
        return None
    if fresh_only and _age(row[0]) > KEEP:
        return None
    return Citations(paper_id, row[1], _ids(row[2]), _ids(row[3]), row[0])


def save(cache: Cache, found: Citations) -> None:
    found.fetched_at = found.fetched_at or now()
    with cache.transaction() as conn:
        conn.execute(
            "INSERT INTO citations(paper_id, fetched_at, count, refs, cited_by) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT(paper_id) DO UPDATE SET "
            "fetched_at = excluded.fetched_at, count = excluded.count, refs = excluded.refs, "
            "cited_by = excluded.cited_by",
            (
                found.paper_id,
                found.fetched_at,
                found.count,
                json.dumps(found.references),
                json.dumps(found.cited_by),
            ),
        )


def _age(stamp: str) -> timedelta:
    try:
        when = datetime.fromisoformat(stamp)
    except ValueError:
        return KEEP * 2
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return datetime.now(UTC) - when


def _ids(text: str) -> list[str]:
    try:
        value = json.loads(text)
    except ValueError:
        return []
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []
