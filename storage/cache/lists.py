"""Named, ranked lists of papers that views walk in their own order: "more like this"
(``like:…``, ``like-tag:…``), a paper's references (``refs:ID``) and the papers citing it
(``cited-by:ID``). A list is made whole again each time it is asked for; its name is
what a :class:`paperdeck.storage.cache.views.View` names in ``ranked``."""

from __future__ import annotations

from collections.abc import Sequence

from paperdeck.storage.cache.database import Cache, now


def store(cache: Cache, name: str, paper_ids: Sequence[str]) -> int:
    """Replace the list ``name`` with ``paper_ids`` (best first; the ones not in the cache
    left out); returns how many it holds."""
    with cache.transaction() as conn:
        conn.execute("DELETE FROM paper_lists WHERE name = ?", (name,))
        conn.executemany(
            "INSERT INTO paper_lists(name, pos, paper_id) "
            "SELECT ?, ?, id FROM papers WHERE id = ?",
            [(name, len(paper_ids) - n, pid) for n, pid in enumerate(dict.fromkeys(paper_ids))],
        )
        conn.execute(
            "INSERT INTO paper_lists_state(name, made_at) VALUES (?, ?) "
            "ON CONFLICT(name) DO UPDATE SET made_at = excluded.made_at",
            (name, now()),
        )
        return conn.execute(
            "SELECT count(*) FROM paper_lists WHERE name = ?", (name,)
        ).fetchone()[0]


def ids(cache: Cache, name: str) -> list[str]:
    """The list's papers, best first."""
    return [
        pid
        for (pid,) in cache.conn.execute(
            "SELECT paper_id FROM paper_lists WHERE name = ? ORDER BY pos DESC", (name,)
        )
    ]


def exists(cache: Cache, name: str) -> bool:
    return (
        cache.conn.execute("SELECT 1 FROM paper_lists_state WHERE name = ?", (name,)).fetchone()
        is not None
    )


def names(cache: Cache) -> list[str]:
    """The lists made so far, the most recent first."""
    return [
        name
        for (name,) in cache.conn.execute(
            "SELECT name FROM paper_lists_state ORDER BY made_at DESC, name"
        )
    ]


def references_name(paper_id: str) -> str:
    return f"References of {paper_id}"


def citing_name(paper_id: str) -> str:
    return f"Citing {paper_id}"


def keep_citations(cache: Cache, paper_id: str, references: Sequence[str],
                   cited_by: Sequence[str]) -> None:
    """A paper's references and the papers citing it (those in the cache) as two lists."""
    store(cache, references_name(paper_id), references)
    store(cache, citing_name(paper_id), cited_by)
