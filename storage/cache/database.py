"""The SQLite cache: one connection, WAL, migrations, upserts, user state, translations.

Each thread (the TUI, a sync worker, another process) opens its own :class:`Cache`; WAL
and a busy timeout let them read and write side by side.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from paperdeck.storage.cache import updates
from paperdeck.storage.cache.load_lock import load_running
from paperdeck.storage.cache.merge import listed_again, merge
from paperdeck.storage.cache.migrations import MIGRATION_NOTES, MIGRATIONS, SCHEMA_VERSION
from paperdeck.storage.ids import sort_key
from paperdeck.storage.models import (
    Incoming,
    Paper,
    PaperDetail,
    Translation,
    UpsertCounts,
    UserState,
)

BUSY_TIMEOUT_S = 15.0
CHUNK = 2000
READ_CACHE_KB = 8 * 1024
"""SQLite's page cache for a connection that reads (the reader shows a window at a time)."""
WRITE_CACHE_KB = 64 * 1024
"""…and while it upserts: index pages of a large import must not be evicted."""

_COLUMNS = (
    "key",
    "id",
    "version",
    "title",
    "authors",
    "authors_complete",
    "abstract",
    "published",
    "updated",
    "comment",
    "journal_ref",
    "doi",
    "primary_category",
    "categories",
    "code_urls",
    "summary",
    "source",
    "fetched_at",
    "license",
)
_SELECT = f"SELECT {', '.join(_COLUMNS)} FROM papers"
_INSERT = f"INSERT INTO papers ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})"



T = TypeVar("T")

IN_CHUNK = 500
"""Values bound in one ``IN (?, …)`` at most (old SQLite builds allow 999 parameters)."""


def chunks(items: Sequence[T], size: int = IN_CHUNK) -> Iterator[list[T]]:
    """``items`` in lists of at most ``size``, for statements that bind each in an ``IN``."""
    for start in range(0, len(items), size):
        yield list(items[start : start + size])

class CacheError(Exception):
    """The cache file cannot be used; the message says which file and why."""


class CacheTooNew(CacheError):
    """A cache written by a newer paperdeck: upgrade paperdeck; never move it aside."""


class CacheUnusable(CacheError):
    """The file holds no usable paperdeck cache: damaged (``label`` "corrupt") or another
    program's file (``label`` "foreign"). Moving it aside and starting afresh helps."""

    def __init__(self, message: str, label: str = "corrupt"):
        super().__init__(message)
        self.label = label


class CacheInaccessible(CacheError):
    """The file or its folder cannot be read or written (permissions, a read-only place):
    nothing is wrong with the file itself, so moving it aside would not help."""


class CacheBusy(CacheError, sqlite3.OperationalError):
    """Another connection held the cache's write lock for longer than the busy timeout
    (also an ``sqlite3.OperationalError``, which is what it replaces)."""


_PAPERDECK_TABLES = frozenset({"papers", "user_state", "translations", "topics", "paper_topics"})
_CORRUPT_CODES = frozenset({11, 26})  # SQLITE_CORRUPT, SQLITE_NOTADB
_ACCESS_CODES = frozenset({3, 8, 10, 13, 14, 23})  # PERM, READONLY, IOERR, FULL, CANTOPEN, AUTH
_BUSY_CODES = frozenset({5, 6})  # SQLITE_BUSY, SQLITE_LOCKED


def describe_sqlite_error(path: Path, exc: sqlite3.Error) -> CacheError:
    """The :class:`CacheError` that says in words what an SQLite error means for ``path``."""
    code = (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF
    if code in _CORRUPT_CODES:
        return CacheUnusable(f"{path} is damaged and cannot be read as a paperdeck cache ({exc})")
    if code in _BUSY_CODES:
        return CacheBusy(
            f"{path}: another paperdeck process kept the cache busy for too long ({exc}); "
            "try again when it has finished"
        )
    if code in _ACCESS_CODES:
        return CacheInaccessible(f"{path}: the cache cannot be read or written ({exc})")
    return CacheError(f"{path}: the cache cannot be used ({exc})")


def now() -> str:
    """A UTC timestamp with microseconds (also unique enough to tag a batch)."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


_on_open: Callable[[Cache], None] | None = None


def on_open(hook: Callable[[Cache], None] | None) -> None:
    """Run ``hook`` on every cache this process opens from now on (None: stop). The
    command line sets the library's journal this way
    (:mod:`paperdeck.storage.library.journal_file`), for the reader's writer, workers and
    screens as much as for a command."""
    global _on_open
    _on_open = hook


class Cache:
    """The paper cache in one SQLite file.

    Opening it refuses, with a :class:`CacheError` that says why, a file it cannot use —
    and writes nothing to such a file: it is checked before the first write.
    """

    after_commit: Callable[[], None] | None = None
    """Called after each outermost transaction commits (the library's journal)."""

    def __init__(self, path: Path | str, announce: Callable[[str], None] | None = None):
        """``announce`` hears what a long migration is doing before it starts."""
        self.path = Path(path)
        self._announce = announce
        self._topic_ids: dict[str, int] = {}
        """Topic ids by name, as made or read in this connection."""
        if str(path) != ":memory:":
            _check_location(self.path)
        try:
            self.conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        except sqlite3.Error as exc:
            raise describe_sqlite_error(self.path, exc) from None
        try:
            self._inspect()
            self._configure()
            self._migrate()
            self.restore_after_bulk(interrupted=True)
            if _on_open is not None and str(path) != ":memory:":
                _on_open(self)
        except CacheError:
            self.conn.close()
            raise
        except sqlite3.Error as exc:
            self.conn.close()
            raise describe_sqlite_error(self.path, exc) from None

    def _inspect(self) -> None:
        """Refuse a file that is not a paperdeck cache, only reading it."""
        self.conn.execute("BEGIN")  # one snapshot: a first migration elsewhere is all or nothing
        try:
            version = self.conn.execute("PRAGMA user_version").fetchone()[0]
            tables = {name for (name,) in self.conn.execute("SELECT name FROM sqlite_master")}
        finally:
            self.conn.execute("COMMIT")
        if not tables and version == 0:
            return  # a new, empty file
        paperdeck = {"papers", "user_state"} <= tables and version > 0
        if paperdeck and version > SCHEMA_VERSION:
            raise CacheTooNew(
                f"{self.path}: made by a newer paperdeck (schema {version}, this one knows "
                f"{SCHEMA_VERSION}); upgrade paperdeck to open it — the file was left as it is"
            )
        if paperdeck and not tables >= _PAPERDECK_TABLES:
            raise CacheUnusable(
                f"{self.path} is damaged: tables of the paperdeck cache are missing "
                f"({', '.join(sorted(_PAPERDECK_TABLES - tables))})"
            )
        if not paperdeck:
            listed = ", ".join(sorted(tables)[:5]) + (", …" if len(tables) > 5 else "")
            raise CacheUnusable(
                f"{self.path} is not a paperdeck cache: it is another program's SQLite "
                f"database ({f'tables: {listed}' if tables else f'user_version {version}'})",
                label="foreign",
            )

    def _configure(self) -> None:
        # WAL lets a reader and a writer work at once; FULL makes every commit durable.
        mode = self.conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if mode.lower() not in ("wal", "memory"):
            raise CacheInaccessible(
                f"{self.path}: the cache cannot be written (SQLite could not switch it to "
                f"WAL mode, got {mode}); check that the file and its folder are writable"
            )
        self.conn.execute("PRAGMA synchronous=FULL")
        self.conn.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
        self.conn.execute("PRAGMA temp_store=MEMORY")
        self.conn.execute(f"PRAGMA cache_size=-{READ_CACHE_KB}")

    def _migrate(self) -> None:
        """Each migration in its own transaction: one that fails is rolled back whole and
        leaves the file at the schema before it. The version is read under the write lock,
        so a migration another process committed meanwhile is never run again; an
        opening that finds the schema current takes no lock at all (a long import in
        another process never keeps a connection from opening)."""
        if self.conn.execute("PRAGMA user_version").fetchone()[0] >= SCHEMA_VERSION:
            return
        while True:
            number = None
            try:
                with self.transaction():
                    number = self.conn.execute("PRAGMA user_version").fetchone()[0]
                    if number >= SCHEMA_VERSION:
                        return
                    note = MIGRATION_NOTES.get(number + 1)
                    if note and self._announce and not self.is_empty():
                        self._announce(f"{self.path}: {note}")
                    for statement in _statements(MIGRATIONS[number]):
                        self.conn.execute(statement)
                    self.conn.execute(f"PRAGMA user_version={number + 1}")
            except CacheError:
                raise
            except sqlite3.Error as exc:
                problem = describe_sqlite_error(self.path, exc)
                if type(problem) is CacheError and number is not None:  # no better words
                    problem = CacheError(
                        f"{self.path}: migration {number + 1} of the cache schema failed "
                        f"({exc}); it was rolled back and the file left at schema {number}"
                    )
                raise problem from None

    def restore_after_bulk(self, interrupted: bool = False) -> None:
        """Undo what a bulk load set aside (see storage/cache/bulk.py): at its end, or when
        it was killed, at the next opening."""
        dropped = self.conn.execute("SELECT name, sql FROM bulk_dropped").fetchall()
        if not dropped or (interrupted and load_running(self.path)):
            return  # nothing set aside, or a load still running (not killed) set it aside
        if interrupted and self._announce and len(dropped) > 1:
            self._announce(f"{self.path}: rebuilding indexes an interrupted import left out")
        # The sorts of millions of keys spill to temporary files, not to memory.
        self.conn.execute("PRAGMA temp_store=FILE")
        try:
            with self.transaction():
                for name, sql in dropped:
                    self.conn.execute(sql)
                    self.conn.execute("DELETE FROM bulk_dropped WHERE name = ?", (name,))
        finally:
            self.conn.execute("PRAGMA temp_store=MEMORY")

    def quick_check(self) -> str:
        """ "ok", or the first problem SQLite's ``quick_check`` finds (it reads every page:
        seconds on a large cache)."""
        try:
            return self.conn.execute("PRAGMA quick_check(1)").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            return str(exc)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Cache:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction, taken at once (``BEGIN IMMEDIATE``) so it never deadlocks."""
        if self.conn.in_transaction:
            yield self.conn
            return
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:  # the busy timeout ran out
            raise describe_sqlite_error(self.path, exc) from None
        try:
            yield self.conn
            self.conn.execute("COMMIT")
        except BaseException:
            if self.conn.in_transaction:  # SQLite rolls back by itself after some errors
                self.conn.execute("ROLLBACK")
            self._topic_ids.clear()  # topics made in the transaction are gone with it
            raise
        if self.after_commit is not None:
            self.after_commit()

    # --- metadata ------------------------------------------------------------------

    def upsert(self, records: Iterable[Incoming]) -> UpsertCounts:
        """Insert new papers and merge known ones; never touches user state.

        Runs in the caller's transaction, or in one of its own.
        """
        counts = UpsertCounts()
        self.conn.execute(f"PRAGMA cache_size=-{WRITE_CACHE_KB}")
        try:
            self._upsert_all(records, counts)
        finally:
            self.conn.execute(f"PRAGMA cache_size=-{READ_CACHE_KB}")
        return counts

    def _upsert_all(self, records: Iterable[Incoming], counts: UpsertCounts) -> None:
        with self.transaction():
            chunk: list[Incoming] = []
            counted: dict[str, str] = {}  # how each paper of this upsert was counted
            for record in records:
                chunk.append(record)
                if len(chunk) >= CHUNK:
                    counts.add(self._upsert_chunk(chunk, counted))
                    chunk = []
            if chunk:
                counts.add(self._upsert_chunk(chunk, counted))

    def _upsert_chunk(self, chunk: list[Incoming], counted: dict[str, str]) -> UpsertCounts:
        """Store ``chunk``; its counts, less what earlier chunks of the same upsert counted
        already: a paper listed again (a digest's second topic) is no paper of its own."""
        merged: dict[str, Incoming] = {}
        for record in chunk:
            seen = merged.get(record.paper.id)
            if seen is None:
                merged[record.paper.id] = Incoming(
                    record.paper, tuple(record.topics), tuple(record.translations)
                )
            else:
                seen.paper = listed_again(seen.paper, record.paper)
                seen.topics = tuple(dict.fromkeys(seen.topics + tuple(record.topics)))
                seen.translations += tuple(record.translations)
        ids = list(merged)
        existing = {
            row[1]: row
            for start in range(0, len(ids), 900)
            for row in self.conn.execute(
                f"{_SELECT} WHERE id IN ({','.join('?' * len(ids[start : start + 900]))})",
                ids[start : start + 900],
            )
        }
        counts = UpsertCounts()
        stamp = now()
        new_rows: list[tuple] = []
        keys: dict[str, int] = {}
        reserved: set[int] = set()
        proposed = {
            paper_id: sort_key(paper_id, record.paper.published)
            for paper_id, record in merged.items()
            if paper_id not in existing
        }
        clashes = self._taken_keys(list(proposed.values()))
        for paper_id, record in merged.items():
            row = existing.get(paper_id)
            if row is None:
                key = proposed[paper_id]
                if key in clashes or key in reserved:
                    key = self._free_key(key, reserved)
                reserved.add(key)
                keys[paper_id] = key
                new_rows.append(_to_row(key, record.paper, stamp))
                counts.new += 1
                counted[paper_id] = "new"
                continue
            old = _from_row(row)
            again = counted.get(paper_id)
            paper = merge(old, record.paper) if again is None else listed_again(old, record.paper)
            keys[paper_id] = row[0]
            if paper != old:
                keys[paper_id] = self._update(row[0], old, paper, stamp, reserved)
            if again is None:
                counted[paper_id] = "unchanged" if paper == old else "updated"
                counts.unchanged += paper == old
                counts.updated += paper != old
            elif again == "unchanged" and paper != old:  # what the second listing added
                counted[paper_id] = "updated"
                counts.unchanged -= 1
                counts.updated += 1
        if new_rows:
            new_rows.sort()  # ascending keys: FTS5 flushes whenever rowids go backwards
            self.conn.executemany(_INSERT, new_rows)
            self.conn.executemany(
                "INSERT INTO papers_fts(rowid, title, authors, abstract) VALUES (?, ?, ?, ?)",
                [(row[0], row[3], row[4], row[6]) for row in new_rows],
            )
            self.conn.executemany(
                "INSERT INTO authors(paper_key, position, name) VALUES (?, ?, ?)",
                [
                    (row[0], position, name)
                    for row in new_rows
                    for position, name in enumerate(row[4].split("\n") if row[4] else ())
                ],
            )
        self._link_topics(merged, keys)
        counts.translations = self._store_translations(merged, stamp)
        return counts

    def _taken_keys(self, keys: list[int]) -> set[int]:
        """Which of ``keys`` other papers already hold."""
        taken: set[int] = set()
        for start in range(0, len(keys), 900):
            part = keys[start : start + 900]
            taken.update(
                key
                for (key,) in self.conn.execute(
                    f"SELECT key FROM papers WHERE key IN ({','.join('?' * len(part))})", part
                )
            )
        return taken

    def _free_key(self, key: int, reserved: set[int]) -> int:
        """The first key from ``key`` up that no other paper holds (clashes are rare)."""
        while (
            key in reserved
            or self.conn.execute("SELECT 1 FROM papers WHERE key = ?", (key,)).fetchone()
        ):
            key += 1
        reserved.add(key)
        return key

    def _update(self, key: int, old: Paper, paper: Paper, stamp: str, reserved: set[int]) -> int:
        new_key = key
        if paper.published != old.published:
            new_key = self._free_key(sort_key(paper.id, paper.published), reserved)
        row = _to_row(new_key, paper, stamp)
        if (paper.version or 0) > (old.version or 0) and old.version:
            updates.note_new_version(self.conn, paper.id, paper.version, stamp)
        assignments = ", ".join(f"{column} = ?" for column in _COLUMNS)
        self.conn.execute(f"UPDATE papers SET {assignments} WHERE key = ?", (*row, key))
        if new_key != key:
            for table in ("authors", "paper_topics"):
                self.conn.execute(
                    f"UPDATE {table} SET paper_key = ? WHERE paper_key = ?",
                    (new_key, key),
                )
        if paper.authors != old.authors or new_key != key:
            self.conn.execute("DELETE FROM authors WHERE paper_key = ?", (new_key,))
            self.conn.executemany(
                "INSERT INTO authors(paper_key, position, name) VALUES (?, ?, ?)",
                [(new_key, position, name) for position, name in enumerate(paper.authors)],
            )
        return new_key

    def _topic_id(self, name: str) -> int:
        if name not in self._topic_ids:
            self.conn.execute("INSERT OR IGNORE INTO topics(name) VALUES (?)", (name,))
            row = self.conn.execute("SELECT id FROM topics WHERE name = ?", (name,)).fetchone()
            self._topic_ids[name] = row[0]
        return self._topic_ids[name]

    def _link_topics(self, merged: dict[str, Incoming], keys: dict[str, int]) -> None:
        links = [
            (self._topic_id(topic), keys[paper_id])
            for paper_id, record in merged.items()
            for topic in record.topics
        ]
        if links:
            self.conn.executemany(
                "INSERT OR IGNORE INTO paper_topics(topic_id, paper_key) VALUES (?, ?)",
                links,
            )

    def _store_translations(self, merged: dict[str, Incoming], stamp: str) -> int:
        """Translations that came with the papers (a digest's): each fills a gap or
        refreshes one from the same source, never one fetched through a provider.
        Returns how many were stored."""
        rows = [
            (t.paper_id, t.lang, t.title, t.abstract, t.source, stamp)
            for record in merged.values()
            for t in record.translations
            if t.abstract
        ]
        if not rows:
            return 0
        before = self.conn.total_changes
        self.conn.executemany(
            """INSERT INTO translations(paper_id, lang, title, abstract, source, fetched_at)
                   VALUES (?, ?, ?, ?, ?, ?)
                   ON CONFLICT(paper_id, lang) DO UPDATE SET
                       title = excluded.title, abstract = excluded.abstract,
                       fetched_at = excluded.fetched_at
                   WHERE translations.source = excluded.source
                     AND (translations.abstract <> excluded.abstract
                          OR translations.title <> excluded.title)""",
            rows,
        )
        return self.conn.total_changes - before

    # --- reading -------------------------------------------------------------------

    def paper(self, paper_id: str) -> Paper | None:
        row = self.conn.execute(f"{_SELECT} WHERE id = ?", (paper_id,)).fetchone()
        return _from_row(row) if row else None

    def detail(self, paper_id: str) -> PaperDetail | None:
        """A paper with its topics, user state and the languages it has translations in."""
        row = self.conn.execute(f"{_SELECT} WHERE id = ?", (paper_id,)).fetchone()
        if row is None:
            return None
        return PaperDetail(
            paper=_from_row(row),
            state=self.state(paper_id),
            topics=self._topics_of(row[0]),
            translation_langs=self.translation_langs(paper_id),
        )

    def _topics_of(self, key: int) -> list[str]:
        return [
            name
            for (name,) in self.conn.execute(
                "SELECT t.name FROM paper_topics pt JOIN topics t ON t.id = pt.topic_id "
                "WHERE pt.paper_key = ? ORDER BY t.name",
                (key,),
            )
        ]

    def topics_of_keys(self, keys: list[int]) -> dict[int, list[str]]:
        """Topic names of several papers at once (for a window of rows)."""
        found: dict[int, list[str]] = {}
        if not keys:
            return found
        for key, name in self.conn.execute(
            "SELECT pt.paper_key, t.name FROM paper_topics pt JOIN topics t ON t.id = pt.topic_id "
            f"WHERE pt.paper_key IN ({','.join('?' * len(keys))}) ORDER BY t.name",
            keys,
        ):
            found.setdefault(key, []).append(name)
        return found

    def versions_in_topic(self, topic: str, ids: list[str]) -> dict[str, int]:
        """The version (0 when unknown) of each of ``ids`` already cached in ``topic``."""
        if not ids:
            return {}
        rows = self.conn.execute(
            "SELECT p.id, coalesce(p.version, 0) FROM papers p "
            "JOIN paper_topics pt ON pt.paper_key = p.key "
            "JOIN topics t ON t.id = pt.topic_id "
            f"WHERE t.name = ? AND p.id IN ({','.join('?' * len(ids))})",
            [topic, *ids],
        )
        return dict(rows.fetchall())

    def topics(self) -> list[str]:
        """Every topic's name, in order (counting their papers would walk them all)."""
        return [row[0] for row in self.conn.execute("SELECT name FROM topics ORDER BY name")]

    def count_papers(self) -> int:
        return self.conn.execute("SELECT count(*) FROM papers").fetchone()[0]

    def is_empty(self) -> bool:
        return self.conn.execute("SELECT NOT EXISTS (SELECT 1 FROM papers)").fetchone()[0] == 1

    def count_read(self) -> int:
        """Papers marked read (a mark is only ever written for a cached paper)."""
        return self.conn.execute(
            "SELECT count(*) FROM user_state u WHERE u.read "
            "AND EXISTS (SELECT 1 FROM papers p WHERE p.id = u.paper_id)"
        ).fetchone()[0]

    # --- user state ----------------------------------------------------------------

    def state(self, paper_id: str) -> UserState:
        row = self.conn.execute(
            "SELECT read, starred, read_at, starred_at, later, note, citekey FROM user_state "
            "WHERE paper_id = ?",
            (paper_id,),
        ).fetchone()
        tags = tuple(
            tag
            for (tag,) in self.conn.execute(
                "SELECT tag FROM paper_tags WHERE paper_id = ? AND tagged ORDER BY tag",
                (paper_id,),
            )
        )
        if row is None:
            return UserState(tags=tags)
        return UserState(bool(row[0]), bool(row[1]), row[2], row[3], bool(row[4]), *row[5:], tags)

    def set_starred(self, paper_id: str, starred: bool) -> None:
        self._set_state(paper_id, "starred", starred)

    def set_read(self, paper_id: str, read: bool) -> None:
        self._set_state(paper_id, "read", read)

    def _set_state(self, paper_id: str, column: str, value: bool) -> None:
        with self.transaction():
            self.conn.execute(
                f"""INSERT INTO user_state(paper_id, {column}, {column}_at) VALUES (?, ?, ?)
                    ON CONFLICT(paper_id) DO UPDATE SET
                        {column} = excluded.{column}, {column}_at = excluded.{column}_at""",
                (paper_id, int(value), now()),
            )

    def undo_mark_read(self, batch: str) -> int:
        """Mark unread again exactly the papers that a "mark all read" batch changed."""
        with self.transaction():
            return self.conn.execute(
                "UPDATE user_state SET read = 0, read_at = NULL WHERE read AND read_at = ?",
                (batch,),
            ).rowcount

    # --- translations ---------------------------------------------------------------

    def translation(self, paper_id: str, lang: str) -> Translation | None:
        row = self.conn.execute(
            "SELECT paper_id, lang, abstract, title, source FROM translations "
            "WHERE paper_id = ? AND lang = ?",
            (paper_id, lang),
        ).fetchone()
        return Translation(*row) if row else None

    def translation_langs(self, paper_id: str) -> list[str]:
        return [
            lang
            for (lang,) in self.conn.execute(
                "SELECT lang FROM translations WHERE paper_id = ? ORDER BY lang",
                (paper_id,),
            )
        ]

    def put_translation(self, translation: Translation) -> None:
        """Store a translation fetched through a provider (it replaces any other)."""
        with self.transaction():
            self.conn.execute(
                """INSERT INTO translations(paper_id, lang, title, abstract, source, fetched_at)
                   VALUES (?, ?, ?, ?, ?, ?)
                   ON CONFLICT(paper_id, lang) DO UPDATE SET title = excluded.title,
                       abstract = excluded.abstract, source = excluded.source,
                       fetched_at = excluded.fetched_at""",
                (
                    translation.paper_id,
                    translation.lang,
                    translation.title,
                    translation.abstract,
                    translation.source,
                    now(),
                ),
            )

    def data_version(self) -> int:
        """Changes when another connection (another process, a worker) commits."""
        return self.conn.execute("PRAGMA data_version").fetchone()[0]


def _statements(script: str) -> list[str]:
    """Split a migration script into statements (triggers hold semicolons of their own)."""
    statements, buffer = [], ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                statements.append(buffer.strip())
            buffer = ""
    return statements


def _json_list(values: list[str]) -> str:
    return json.dumps(values) if values else "[]"


def _to_row(key: int, paper: Paper, stamp: str) -> tuple:
    return (
        key,
        paper.id,
        paper.version,
        paper.title,
        "\n".join(paper.authors),
        int(paper.authors_complete),
        paper.abstract,
        paper.published,
        paper.updated,
        paper.comment,
        paper.journal_ref,
        paper.doi,
        paper.primary_category,
        _json_list(paper.categories),
        _json_list(paper.code_urls),
        paper.summary,
        paper.source,
        stamp,
        paper.license,
    )


def _from_row(row: tuple) -> Paper:
    return Paper(
        id=row[1],
        version=row[2],
        title=row[3],
        authors=row[4].split("\n") if row[4] else [],
        authors_complete=bool(row[5]),
        abstract=row[6],
        published=row[7],
        updated=row[8],
        comment=row[9],
        journal_ref=row[10],
        doi=row[11],
        primary_category=row[12],
        categories=json.loads(row[13]),
        code_urls=json.loads(row[14]),
        summary=row[15],
        source=row[16],
        license=row[18],
    )


def _check_location(path: Path) -> None:
    """Make the cache's folder; refuse a place SQLite could not write to, in words."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CacheInaccessible(
            f"{path}: cannot create the folder for the cache ({exc.strerror or exc})"
        ) from None
    if path.is_dir():
        raise CacheInaccessible(f"{path} is a directory, not a cache file")
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        raise CacheInaccessible(
            f"{path}: no permission to read and write the cache file; check its owner and mode"
        )
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise CacheInaccessible(
            f"{path}: the folder {path.parent} is not writable (SQLite keeps the cache's "
            "-wal and -shm files beside it); check its owner and mode"
        )
