"""Figures' images in the cache, kept with the paper whose text shows them.

The reading screen fetches an image the first time it scrolls into view and stores it
here, as it came (PNG, JPEG…), so the paper's figures are drawn offline and after a
restart. ``paperdeck read`` never asks for them.
"""

from __future__ import annotations

from paperdeck.storage.cache.database import Cache, now


def image(cache: Cache, paper_id: str, url: str) -> bytes | None:
    row = cache.conn.execute(
        "SELECT data FROM fulltext_images WHERE paper_id = ? AND url = ?", (paper_id, url)
    ).fetchone()
    return row[0] if row else None


def save_image(cache: Cache, paper_id: str, url: str, data: bytes) -> None:
    with cache.transaction():
        cache.conn.execute(
            """INSERT INTO fulltext_images(paper_id, url, data, fetched_at) VALUES (?, ?, ?, ?)
               ON CONFLICT(paper_id, url) DO UPDATE SET data = excluded.data,
                   fetched_at = excluded.fetched_at""",
            (paper_id, url, data, now()),
        )

