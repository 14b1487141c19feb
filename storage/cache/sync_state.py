"""What each remote source said last time: HTTP validators and lookup answers.

A digest or feed URL keeps its ``ETag`` and ``Last-Modified`` so the next sync asks
"changed since?" and an unchanged source costs one 304. An arXiv query keeps how far its
last sync went. A code-link lookup keeps its answer under ``hf:<paper id>`` so a paper is
not asked about again for a while. An OAI-PMH harvest keeps how far it got under
``oai:<category>``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from paperdeck.storage.cache.database import Cache, now

HARVEST_PREFIX = "oai:"
"""Before a harvested category's name, in ``sync_state.source``."""


@dataclass(frozen=True, slots=True)
class SyncState:
    source: str
    etag: str | None = None
    last_modified: str | None = None
    synced_at: str = ""
    """UTC ISO timestamp of the last successful answer (set by :func:`save`)."""
    result: str = ""
    """What the source answered, when worth keeping (a lookup's code link, or empty)."""

    @classmethod
    def answered(cls, source: str, headers: Mapping[str, str]) -> SyncState:
        """The state after a 200 answer: its ``ETag`` and ``Last-Modified``, for the
        next "changed since?"."""
        return cls(source, etag=headers.get("ETag"), last_modified=headers.get("Last-Modified"))

    def conditional_headers(self) -> dict[str, str]:
        """Headers that make the server answer 304 when nothing changed."""
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers


def load(cache: Cache, source: str) -> SyncState | None:
    row = cache.conn.execute(
        "SELECT source, etag, last_modified, synced_at, result FROM sync_state WHERE source = ?",
        (source,),
    ).fetchone()
    return SyncState(*row) if row else None


def save(cache: Cache, state: SyncState) -> None:
    """Record ``state`` as of now (in the caller's transaction, or in one of its own)."""
    with cache.transaction():
        cache.conn.execute(
            """INSERT INTO sync_state(source, etag, last_modified, synced_at, result)
               VALUES (?, ?, ?, ?, ?)
               ON CONFLICT(source) DO UPDATE SET etag = excluded.etag,
                   last_modified = excluded.last_modified, synced_at = excluded.synced_at,
                   result = excluded.result""",
            (state.source, state.etag, state.last_modified, now(), state.result),
        )


def papers_to_look_up(cache: Cache, prefix: str, since: str, asked_before: str) -> list[str]:
    """Papers stored or changed from ``since`` on that have no code link and
    were not asked about (under ``prefix + id``) since ``asked_before``, newest first."""
    rows = cache.conn.execute(
        "SELECT p.id FROM papers p LEFT JOIN sync_state s ON s.source = ? || p.id "
        "WHERE p.fetched_at >= ? AND p.code_urls = '[]' "
        "AND (s.synced_at IS NULL OR s.synced_at < ?) ORDER BY p.key DESC",
        (prefix, since, asked_before),
    )
    return [paper_id for (paper_id,) in rows]


def harvested_categories(cache: Cache) -> list[str]:
    """The categories harvested through OAI-PMH into ``cache`` so far, by name."""
    rows = cache.conn.execute(
        "SELECT substr(source, ?) FROM sync_state WHERE source LIKE ? ORDER BY source",
        (len(HARVEST_PREFIX) + 1, HARVEST_PREFIX + "%"),
    )
    return [name for (name,) in rows]
