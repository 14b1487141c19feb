"""What each remote source said last time: HTTP validators and lookup answers.

A digest or feed URL keeps its ``ETag`` and ``Last-Modified`` so the next sync asks
"changed since?" and an unchanged source costs one 304. A code-link lookup keeps its
answer under ``hf:<paper id>`` so a paper is not asked about again for a while.
"""

from __future__ import annotations

from dataclasses import dataclass

from paperdeck.storage.cache.database import Cache, now


@dataclass(frozen=True, slots=True)
class SyncState:
    source: str
    etag: str | None = None
    last_modified: str | None = None
    synced_at: str = ""
    """UTC ISO timestamp of the last successful answer."""
    result: str = ""
    """What the source answered, when worth keeping (a lookup's code link, or empty)."""

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


def save(
    cache: Cache,
    source: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    result: str = "",
) -> None:
    """Record a successful answer from ``source`` (now)."""
    with cache.transaction():
        cache.conn.execute(
            """INSERT INTO sync_state(source, etag, last_modified, synced_at, result)
               VALUES (?, ?, ?, ?, ?)
               ON CONFLICT(source) DO UPDATE SET etag = excluded.etag,
                   last_modified = excluded.last_modified, synced_at = excluded.synced_at,
                   result = excluded.result""",
            (source, etag, last_modified, now(), result),
        )


def save_validators(cache: Cache, source: str, headers) -> None:
    """Record a 200 answer's ``ETag`` and ``Last-Modified`` for the next "changed since?"."""
    save(cache, source, etag=headers.get("ETag"), last_modified=headers.get("Last-Modified"))
