"""Named, ranked lists of papers that views walk in their own order: "more like this"
(``Like: ID``, ``Like: tag NAME``), a paper's references (``References of ID``) and the
papers citing it (``Citing ID``). A list is made whole again each time it is asked for;
its name is what a :class:`paperdeck.storage.cache.views.View` names in ``ranked``. Also
the look-ups that make them and the digest: keys and ids, a tag's papers, the papers
published since a day, their watch rules."""

from __future__ import annotations

from collections.abc import Sequence

from paperdeck.storage.cache.database import Cache, chunks, now


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


def keys_of(cache: Cache, paper_ids: Sequence[str]) -> list[int]:
    """The cache keys of those of ``paper_ids`` it holds, in their order."""
    found = []
    for pid in dict.fromkeys(paper_ids):
        row = cache.conn.execute("SELECT key FROM papers WHERE id = ?", (pid,)).fetchone()
        if row:
            found.append(row[0])
    return found


def ids_of(cache: Cache, keys: Sequence[int]) -> list[str]:
    """The ids of the papers of ``keys``, in their order."""
    by_key: dict[int, str] = {}
    for part in chunks(keys):
        by_key.update(
            cache.conn.execute(
                f"SELECT key, id FROM papers WHERE key IN ({','.join('?' * len(part))})", part
            ).fetchall()
        )
    return [by_key[key] for key in keys if key in by_key]


def tagged(cache: Cache, tag: str) -> list[str]:
    """The papers tagged ``tag`` or one of its children, newest first."""
    return [
        pid
        for (pid,) in cache.conn.execute(
            "SELECT DISTINCT t.paper_id FROM paper_tags t JOIN papers p ON p.id = t.paper_id "
            "WHERE t.tagged AND (t.tag = ? OR (t.tag > ? AND t.tag < ?)) ORDER BY p.key DESC",
            (tag, tag + "/", tag + "0"),
        )
    ]


def published_since(cache: Cache, first_key: int, interest_first: bool) -> list[tuple[int, str]]:
    """(key, id) of the papers from ``first_key`` on (published on or after a day), in
    interest order when ``interest_first`` (a stored order), else newest first."""
    order = (
        "(SELECT -pos FROM interest_order WHERE paper_key = p.key), p.key DESC"
        if interest_first
        else "p.key DESC"
    )
    return cache.conn.execute(
        f"SELECT p.key, p.id FROM papers p WHERE p.key >= ? ORDER BY {order}", (first_key,)
    ).fetchall()


def watched(cache: Cache, keys: Sequence[int]) -> dict[int, list[str]]:
    """The watch rules that match each of ``keys`` (those some rule matches)."""
    found: dict[int, list[str]] = {}
    for part in chunks(keys):
        for key, rule in cache.conn.execute(
            "SELECT paper_key, rule FROM rule_matches WHERE kind = 'watch' AND paper_key IN "
            f"({','.join('?' * len(part))})",
            part,
        ):
            found.setdefault(key, []).append(rule)
    return found
