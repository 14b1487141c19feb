"""The personal library in the cache: tags, read-later, notes and citation keys.

They are user state, beside the read marks and stars in ``user_state`` (tags in
``paper_tags``, one row per paper and tag, kept as ``tagged = 0`` after an untag so that
the untag can travel to other machines). Every field has its own timestamp. Only user
actions, a library import (star, tags, key) and the multi-machine merge write them.

A paper's note and tags are searchable with its words: they are appended to its abstract
in the full-text index, and ``library_text`` remembers exactly what was appended (the
index's triggers delete what was indexed, nothing else).
"""

from __future__ import annotations

from collections.abc import Sequence

from paperdeck.storage.cache.database import Cache, chunks, now


def _marks(n: int) -> str:
    return ",".join("?" * n)


# --- reading ---------------------------------------------------------------------------


def tags_of(cache: Cache, paper_ids: Sequence[str]) -> dict[str, list[str]]:
    """The tags of each of ``paper_ids`` that has any, in name order."""
    found: dict[str, list[str]] = {}
    for part in chunks(list(paper_ids)):
        for paper_id, tag in cache.conn.execute(
            f"SELECT paper_id, tag FROM paper_tags WHERE paper_id IN ({_marks(len(part))}) "
            "AND tagged ORDER BY paper_id, tag",
            part,
        ):
            found.setdefault(paper_id, []).append(tag)
    return found


def all_tags(cache: Cache) -> list[tuple[str, int]]:
    """Every tag in use with how many papers carry it, by name."""
    return cache.conn.execute(
        "SELECT tag, count(*) FROM paper_tags WHERE tagged GROUP BY tag ORDER BY tag"
    ).fetchall()


def library_fields(cache: Cache, paper_id: str) -> tuple[bool, str | None, str | None]:
    """(later, note, citation key) of one paper."""
    row = cache.conn.execute(
        "SELECT later, note, citekey FROM user_state WHERE paper_id = ?", (paper_id,)
    ).fetchone()
    return (bool(row[0]), row[1], row[2]) if row else (False, None, None)


def later_of(cache: Cache, paper_ids: Sequence[str]) -> set[str]:
    """Which of ``paper_ids`` are on the read-later list."""
    found: set[str] = set()
    for part in chunks(list(paper_ids)):
        found.update(
            paper_id
            for (paper_id,) in cache.conn.execute(
                f"SELECT paper_id FROM user_state WHERE paper_id IN ({_marks(len(part))}) "
                "AND later",
                part,
            )
        )
    return found


def citekeys(cache: Cache, paper_ids: Sequence[str]) -> dict[str, str]:
    """The pinned key of each of ``paper_ids`` that has one."""
    found: dict[str, str] = {}
    for part in chunks(list(paper_ids)):
        found.update(
            cache.conn.execute(
                f"SELECT paper_id, citekey FROM user_state WHERE paper_id IN ({_marks(len(part))})"
                " AND citekey IS NOT NULL",
                part,
            ).fetchall()
        )
    return found


def key_holder(cache: Cache, key: str) -> str | None:
    """The paper that holds citation key ``key`` (keys compare without case)."""
    row = cache.conn.execute(
        "SELECT paper_id FROM user_state WHERE citekey = ? COLLATE NOCASE", (key,)
    ).fetchone()
    return row[0] if row else None


def keys_starting(cache: Cache, base: str) -> set[str]:
    """Pinned keys that start with ``base`` (lowercased), for choosing a free suffix."""
    return {
        key.lower()
        for (key,) in cache.conn.execute(
            "SELECT citekey FROM user_state WHERE citekey IS NOT NULL "
            "AND citekey >= ? COLLATE NOCASE AND citekey < ? COLLATE NOCASE",
            (base, base + "\U0010ffff"),
        )
    }


def starred_without_key(cache: Cache) -> list[str]:
    """Starred papers in the cache whose key is not pinned yet."""
    return [
        paper_id
        for (paper_id,) in cache.conn.execute(
            "SELECT s.paper_id FROM user_state s WHERE s.starred AND s.citekey IS NULL "
            "AND EXISTS (SELECT 1 FROM papers p WHERE p.id = s.paper_id)"
        )
    ]


def papers_to_fill(cache: Cache, limit: int) -> list[str]:
    """Papers imported from a library file whose abstract is still missing (the next
    sync asks the arXiv API for them), newest first."""
    return [
        paper_id
        for (paper_id,) in cache.conn.execute(
            "SELECT id FROM papers WHERE source = 'library' AND abstract = '' "
            "ORDER BY id DESC LIMIT ?",
            (limit,),
        )
    ]


# --- writing ---------------------------------------------------------------------------


def _upsert_state(cache: Cache, paper_id: str, column: str, value, stamp: str) -> None:
    cache.conn.execute(
        f"""INSERT INTO user_state(paper_id, {column}, {column}_at) VALUES (?, ?, ?)
            ON CONFLICT(paper_id) DO UPDATE SET
                {column} = excluded.{column}, {column}_at = excluded.{column}_at
            WHERE {column} IS NOT excluded.{column}""",
        (paper_id, value, stamp),
    )


def pin_citekey(cache: Cache, paper_id: str, key: str) -> None:
    """Write ``key`` as the paper's citation key (the caller checked it is free)."""
    with cache.transaction():
        _upsert_state(cache, paper_id, "citekey", key, now())


def set_later(cache: Cache, paper_ids: Sequence[str], on: bool) -> list[str]:
    """Put papers on the read-later list (or take them off); returns those that changed."""
    stamp = now()
    with cache.transaction():
        already = later_of(cache, paper_ids)
        changed = [pid for pid in dict.fromkeys(paper_ids) if (pid in already) != on]
        for paper_id in changed:
            _upsert_state(cache, paper_id, "later", int(on), stamp)
    return changed


def set_note(cache: Cache, paper_id: str, text: str | None) -> bool:
    """Replace the paper's note (None or blank deletes it); False when nothing changed."""
    text = text if text and text.strip() else None
    with cache.transaction():
        if library_fields(cache, paper_id)[1] == text:
            return False
        _upsert_state(cache, paper_id, "note", text, now())
        reindex(cache, [paper_id])
    return True


def save_edited_note(
    cache: Cache, paper_id: str, base: str, text: str | None
) -> tuple[bool, bool]:
    """Save a note edited from ``base`` (what the editor opened with). A change made to
    the note meanwhile — another process, a merge — is never overwritten: the lines it
    added are kept after the edited text. Returns (changed, merged)."""
    with cache.transaction():
        current = library_fields(cache, paper_id)[1] or ""
        merged = current != base and current.strip() != (text or "").strip()
        if merged:
            text = merge_note(base, text or "", current)
        return set_note(cache, paper_id, text), merged


def merge_note(base: str, ours: str, theirs: str) -> str:
    """``ours`` with the lines ``theirs`` added to ``base`` that ``ours`` lacks."""
    known = set(base.splitlines()) | set(ours.splitlines())
    added = [line for line in theirs.splitlines() if line.strip() and line not in known]
    return "\n".join([ours.rstrip("\n"), *added]).strip("\n") if added else ours


def change_tags(
    cache: Cache, paper_ids: Sequence[str], add: Sequence[str] = (), remove: Sequence[str] = ()
) -> list[tuple[str, str, bool]]:
    """Tag and untag papers; returns the (paper, tag, now tagged) that changed."""
    changed: list[tuple[str, str, bool]] = []
    stamp = now()
    with cache.transaction():
        current = tags_of(cache, paper_ids)
        for paper_id in paper_ids:
            have = set(current.get(paper_id, ()))
            changed += [(paper_id, tag, True) for tag in add if tag not in have]
            changed += [(paper_id, tag, False) for tag in remove if tag in have]
        cache.conn.executemany(
            """INSERT INTO paper_tags(paper_id, tag, tagged, tagged_at) VALUES (?, ?, ?, ?)
               ON CONFLICT(paper_id, tag) DO UPDATE SET
                   tagged = excluded.tagged, tagged_at = excluded.tagged_at""",
            [(paper_id, tag, int(on), stamp) for paper_id, tag, on in changed],
        )
        reindex(cache, list(dict.fromkeys(paper_id for paper_id, _, _ in changed)))
    return changed


def tag_view(cache: Cache, ids_sql: tuple[str, list], tag: str, on: bool) -> str:
    """Tag (or untag) every paper that ``ids_sql`` selects, in one statement; the
    returned batch stamp undoes it (:func:`undo_tag_view`)."""
    sql, params = ids_sql
    batch = now()
    with cache.transaction():
        if on:
            cache.conn.execute(
                f"""INSERT INTO paper_tags(paper_id, tag, tagged, tagged_at)
                    SELECT id, ?, 1, ? FROM ({sql}) WHERE true
                    ON CONFLICT(paper_id, tag) DO UPDATE SET tagged = 1,
                        tagged_at = excluded.tagged_at WHERE NOT tagged""",
                [tag, batch, *params],
            )
        else:
            cache.conn.execute(
                f"""UPDATE paper_tags SET tagged = 0, tagged_at = ?
                    WHERE tag = ? AND tagged AND paper_id IN ({sql})""",
                [batch, tag, *params],
            )
        reindex(cache, _batch_ids(cache, "paper_tags", "tagged_at", batch))
    return batch


def undo_tag_view(cache: Cache, tag: str, on: bool, batch: str) -> int:
    """Undo :func:`tag_view` for the papers it changed that nothing changed since."""
    with cache.transaction():
        ids = _batch_ids(cache, "paper_tags", "tagged_at", batch)
        count = cache.conn.execute(
            "UPDATE paper_tags SET tagged = ?, tagged_at = ? "
            "WHERE tag = ? AND tagged = ? AND tagged_at = ?",
            (int(not on), now(), tag, int(on), batch),
        ).rowcount
        reindex(cache, ids)
    return count


def later_view(cache: Cache, ids_sql: tuple[str, list], on: bool) -> str:
    """Put every paper that ``ids_sql`` selects on the read-later list (or off it); the
    returned batch stamp undoes it (:func:`undo_later_view`)."""
    sql, params = ids_sql
    batch = now()
    with cache.transaction():
        if on:
            cache.conn.execute(
                f"""INSERT INTO user_state(paper_id, later, later_at)
                    SELECT id, 1, ? FROM ({sql}) WHERE true
                    ON CONFLICT(paper_id) DO UPDATE SET later = 1,
                        later_at = excluded.later_at WHERE NOT later""",
                [batch, *params],
            )
        else:
            cache.conn.execute(
                "UPDATE user_state SET later = 0, later_at = ? "
                f"WHERE later AND paper_id IN ({sql})",
                [batch, *params],
            )
    return batch


def undo_later_view(cache: Cache, on: bool, batch: str) -> int:
    with cache.transaction():
        return cache.conn.execute(
            "UPDATE user_state SET later = ?, later_at = ? WHERE later = ? AND later_at = ?",
            (int(not on), now(), int(on), batch),
        ).rowcount


# --- the note and tags in the full-text index ---------------------------------------------


NOTE_MARK = "xnote"
"""A word in the indexed text of every paper with a note (``has:note`` narrows by it)."""
_ESCAPES = str.maketrans({"0": "00", ".": "0d", "_": "0u", "-": "0h", "/": "0s"})


def tag_mark(tag: str) -> str:
    """The one word that stands for ``tag`` in the indexed text (letters and digits, as
    the index splits words): ``proj/rag`` is ``xtagproj0srag``, so the tags nested in
    ``proj`` are the words that begin ``xtagproj0s``."""
    return "xtag" + tag.translate(_ESCAPES)


def _library_text(note: str | None, tags: str | None) -> str:
    """What is indexed with a paper's text: its note, its tags' words (a search for
    "rag" finds ``proj/rag``) and their marks (``tag:`` narrows by them)."""
    names = (tags or "").split()
    marks = [NOTE_MARK] if note and note.strip() else []
    marks += [tag_mark(tag) for tag in names]
    parts = [(note or "").strip(), " ".join(names), " ".join(marks)]
    return " ".join(part for part in parts if part)


def reindex(cache: Cache, paper_ids: Sequence[str]) -> int:
    """Bring the note and tags of ``paper_ids`` into the full-text index (papers not in
    the cache wait for :func:`index_pending`); returns how many entries changed.

    The changed entries are deleted, then added again, each in one batch in key order
    (the index flushes whenever keys go backwards)."""
    stale: list[tuple] = []
    with cache.transaction():
        for part in chunks(list(paper_ids)):
            for key, paper_id, title, authors, abstract, old, note, tags in cache.conn.execute(
                f"""SELECT p.key, p.id, p.title, p.authors, p.abstract, l.text, s.note,
                        (SELECT group_concat(tag, ' ') FROM (SELECT tag FROM paper_tags t
                         WHERE t.paper_id = p.id AND t.tagged ORDER BY tag))
                    FROM papers p LEFT JOIN user_state s ON s.paper_id = p.id
                    LEFT JOIN library_text l ON l.key = p.key
                    WHERE p.id IN ({_marks(len(part))})""",
                part,
            ):
                new = _library_text(note, tags)
                if new != (old or ""):
                    stale.append((key, paper_id, title, authors, abstract, old or "", new))
        stale.sort()
        cache.conn.executemany(
            "INSERT INTO papers_fts(papers_fts, rowid, title, authors, abstract) "
            "VALUES ('delete', ?, ?, ?, ?)",
            [(k, t, a, body + (f"\n{old}" if old else "")) for k, _, t, a, body, old, _ in stale],
        )
        cache.conn.executemany(
            "INSERT INTO papers_fts(rowid, title, authors, abstract) VALUES (?, ?, ?, ?)",
            [(k, t, a, body + (f"\n{new}" if new else "")) for k, _, t, a, body, _, new in stale],
        )
        cache.conn.executemany(
            "INSERT INTO library_text(key, paper_id, text) VALUES (?, ?, ?) "
            "ON CONFLICT(key) DO UPDATE SET text = excluded.text, paper_id = excluded.paper_id",
            [(k, pid, new) for k, pid, _, _, _, _, new in stale if new],
        )
        cache.conn.executemany(
            "DELETE FROM library_text WHERE key = ?",
            [(k,) for k, _, _, _, _, _, new in stale if not new],
        )
    return len(stale)


def _batch_ids(cache: Cache, table: str, column: str, batch: str) -> list[str]:
    return [
        pid
        for (pid,) in cache.conn.execute(
            f"SELECT paper_id FROM {table} WHERE {column} = ?", (batch,)
        )
    ]


def index_pending(cache: Cache) -> int:
    """Index the notes and tags of papers that arrived after them (an import or a sync
    brought a paper that another machine had already noted or tagged)."""
    ids = [
        pid
        for (pid,) in cache.conn.execute(
            f"""SELECT paper_id FROM user_state WHERE note IS NOT NULL
                   AND paper_id NOT IN (SELECT paper_id FROM library_text)
               UNION SELECT paper_id FROM paper_tags WHERE tagged
                   AND paper_id NOT IN (SELECT paper_id FROM library_text)
               UNION SELECT paper_id FROM library_text
                   WHERE text NOT LIKE '%xtag%' AND text NOT LIKE '%{NOTE_MARK}%'"""
        )
    ]  # the last: indexed before tags and notes had their marks
    return reindex(cache, ids) if ids else 0  # what is indexed as it should be stays


def changed_in(cache: Cache, batches: Sequence[str]) -> int:
    """How many papers the view-wide changes stamped ``batches`` changed."""
    if not batches:
        return 0
    marks = _marks(len(batches))
    return cache.conn.execute(
        f"""SELECT count(*) FROM (
                SELECT paper_id FROM paper_tags WHERE tagged_at IN ({marks})
                UNION SELECT paper_id FROM user_state WHERE later_at IN ({marks}))""",
        [*batches, *batches],
    ).fetchone()[0]
