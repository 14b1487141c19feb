"""Full texts in the cache: each paper's HTML rendering as it was fetched, its converted
document, and where the reader left off.

The page and the document are stored zlib-compressed. The document carries the version of
the converter that made it, so a newer converter converts the stored page again, without
the network (:mod:`paperdeck.storage.fulltext.store`). Reading positions are user state:
written only when the reader leaves a paper, in their own table.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

from paperdeck.storage.cache.database import Cache, now

LEVEL = 6
"""zlib's level: a 740 KB page stores in ~80 KB, compressed in ~20 ms."""


@dataclass(frozen=True, slots=True)
class Stored:
    """What the cache knows of a paper's full text (without the text itself)."""

    paper_id: str
    version: int | None
    """The paper's version the page renders (None when the page did not say)."""
    source_url: str
    converter: int
    fetched_at: str


def info(cache: Cache, paper_id: str) -> Stored | None:
    row = cache.conn.execute(
        "SELECT paper_id, version, source_url, converter, fetched_at FROM fulltext "
        "WHERE paper_id = ?",
        (paper_id,),
    ).fetchone()
    return Stored(*row) if row else None


def document(cache: Cache, paper_id: str) -> tuple[Stored, bytes] | None:
    """The stored document (JSON, decompressed) with what is known of it."""
    row = cache.conn.execute(
        "SELECT paper_id, version, source_url, converter, fetched_at, document FROM fulltext "
        "WHERE paper_id = ?",
        (paper_id,),
    ).fetchone()
    if row is None:
        return None
    return Stored(*row[:5]), zlib.decompress(row[5])


def page(cache: Cache, paper_id: str) -> bytes | None:
    """The page as it was fetched (decompressed)."""
    row = cache.conn.execute("SELECT html FROM fulltext WHERE paper_id = ?", (paper_id,)).fetchone()
    return zlib.decompress(row[0]) if row else None


def save(
    cache: Cache,
    paper_id: str,
    *,
    version: int | None,
    source_url: str,
    html: bytes,
    converter: int,
    document_json: str,
) -> None:
    """Store a freshly fetched page and its document (replacing any older one)."""
    stamp = now()
    packed_html = zlib.compress(html, LEVEL)
    packed_doc = zlib.compress(document_json.encode("utf-8"), LEVEL)
    with cache.transaction():
        cache.conn.execute(
            """INSERT INTO fulltext(paper_id, version, source_url, html, converter, document,
                                    fetched_at, converted_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT(paper_id) DO UPDATE SET version = excluded.version,
                   source_url = excluded.source_url, html = excluded.html,
                   converter = excluded.converter, document = excluded.document,
                   fetched_at = excluded.fetched_at, converted_at = excluded.converted_at""",
            (paper_id, version, source_url, packed_html, converter, packed_doc, stamp, stamp),
        )


def replace_document(cache: Cache, paper_id: str, converter: int, document_json: str) -> None:
    """Store the document a newer converter made from the stored page."""
    packed = zlib.compress(document_json.encode("utf-8"), LEVEL)
    with cache.transaction():
        cache.conn.execute(
            "UPDATE fulltext SET converter = ?, document = ?, converted_at = ? WHERE paper_id = ?",
            (converter, packed, now(), paper_id),
        )


def has(cache: Cache, paper_id: str) -> bool:
    return (
        cache.conn.execute("SELECT 1 FROM fulltext WHERE paper_id = ?", (paper_id,)).fetchone()
        is not None
    )


# --- where the reader left off ---------------------------------------------------------


def position(cache: Cache, paper_id: str) -> tuple[int, int] | None:
    """(block, line within the block) where the reader left ``paper_id``."""
    row = cache.conn.execute(
        "SELECT block, line FROM reading_positions WHERE paper_id = ?", (paper_id,)
    ).fetchone()
    return (row[0], row[1]) if row else None


def save_position(cache: Cache, paper_id: str, block: int, line: int) -> None:
    with cache.transaction():
        cache.conn.execute(
            """INSERT INTO reading_positions(paper_id, block, line, read_at) VALUES (?, ?, ?, ?)
               ON CONFLICT(paper_id) DO UPDATE SET block = excluded.block,
                   line = excluded.line, read_at = excluded.read_at""",
            (paper_id, max(0, block), max(0, line), now()),
        )
