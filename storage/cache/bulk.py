"""Bulk loading: millions of arXiv records (the metadata snapshot, an OAI-PMH harvest)
written at close to the speed of plain SQLite.

What makes it fast, against :meth:`Cache.upsert` (right for a page of a sync):
- records are matched against the cache a batch at a time, by the checksum of the record
  they were last stored from (``papers.record_crc``): an unchanged record is skipped
  before it is even parsed;
- new papers are inserted in big transactions, a batch at a time in key order, and enter
  the full-text index once per transaction in ascending key order (FTS5 flushes whenever
  rowids go backwards); the index's automerge is off while loading and its segments are
  merged once at the end;
- only papers the cache already holds go through :func:`merge` (one upsert per batch).

Stars, tags and notes are never written (a kept paper's new version is marked updated and
unread by the upsert, as after a sync); a transaction that fails is rolled back whole,
and each committed one leaves papers and index in step (a killed import keeps what it
committed).
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
import zlib
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field

from paperdeck.storage.cache.database import _COLUMNS, Cache, _to_row, now
from paperdeck.storage.cache.load_lock import loading
from paperdeck.storage.ids import sort_key
from paperdeck.storage.models import Incoming, Paper, UpsertCounts

BATCH = 5_000
"""Records matched against the cache and inserted together."""
TRANSACTION = 50_000
"""Records per transaction (bounds the write-ahead log and what a kill loses)."""
PIPELINE_FROM = 20_000
"""Expected records from which parsing runs in a second process, beside the writing."""
MERGE_PAGES = 2_000
"""Index pages one 'merge' step writes (a transaction each)."""
AUTOMERGE = 4
DROPPED = (
    "papers_by_title",
    "papers_by_author",
    "papers_with_code",
    "papers_by_family",
    "papers_by_key_id",
    "authors_by_name",
    "paper_categories_by_paper",
    "paper_categories_insert",
)
"""Secondary indexes a big load drops and makes again once at its end (sorting all keys
once beats inserting millions one by one into them), and the trigger that fills
``paper_categories`` row by row (the load writes a batch's at once); ``bulk_dropped``
keeps their definitions in the same transaction, so a killed load has them restored at
the next opening."""
BIG_LOAD = 50_000
"""Expected new papers from which a load drops the secondary indexes (when they are also
at least twice the papers already cached)."""
"""FTS5's default, put back after a load."""

_INSERT = (
    f"INSERT INTO papers ({', '.join(_COLUMNS)}, record_crc) "
    f"VALUES ({', '.join('?' * (len(_COLUMNS) + 1))})"
)


@dataclass(slots=True)
class Raw:
    """One record as read: its arXiv id (when it can be had without parsing), the bytes
    to checksum and parse, and where it came from (a line number, for messages)."""

    paper_id: str | None
    data: bytes
    line: int


@dataclass
class BulkCounts:
    counts: UpsertCounts = field(default_factory=UpsertCounts)
    filtered: int = 0
    """Records outside the requested slice."""


Parsed = tuple[int, int, Paper | None, str]
"""(line, checksum, the paper or None, why not)."""


def parse_all(
    parse: Callable[[bytes], Paper], records: list[tuple[int, int, bytes]]
) -> list[Parsed]:
    """``records`` (line, checksum, bytes) parsed; run in the parsing process."""
    parsed = []
    for line, crc, data in records:
        try:
            parsed.append((line, crc, parse(data), ""))
        except ValueError as exc:
            parsed.append((line, crc, None, str(exc)))
    return parsed


def _leave_with(parent: int) -> None:
    """In the parsing process: exit when the loading one is gone (killed: nothing would
    ever tell this one, which holds the other end of its own queue, to stop)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


class BulkLoader:
    """Writes records into ``cache`` in big transactions; use as a context manager.

    ``parse(data)`` turns a record's bytes into a :class:`Paper` or raises ``ValueError``
    (its message is the reason, reported through ``on_bad(line, reason)``); it must be a
    module-level function: for a big load (``expected`` records) it runs in a second
    process, parsing the next batch while this one writes the last. ``wanted(paper)`` says
    whether a paper belongs to the slice being loaded.
    """

    def __init__(
        self,
        cache: Cache,
        parse: Callable[[bytes], Paper],
        wanted: Callable[[Paper], bool] = lambda paper: True,
        on_bad: Callable[[int, str], None] = lambda line, reason: None,
        expected: int = 0,
    ):
        self.cache = cache
        self.conn = cache.conn
        self.parse = parse
        self.wanted = wanted
        self.on_bad = on_bad
        self.result = BulkCounts()
        self._pending: list[Raw] = []
        self._in_transaction = 0
        self._index_rows: list[tuple] = []
        self._prepared = False
        self._drop = expected >= BIG_LOAD and expected >= 2 * cache.count_papers()
        self._pool: ProcessPoolExecutor | None = None
        if expected >= PIPELINE_FROM:
            self._pool = ProcessPoolExecutor(
                1,
                mp_context=multiprocessing.get_context("fork"),
                initializer=_leave_with,
                initargs=(os.getpid(),),
            )
        self._parsing: Future | list[Parsed] | None = None
        """The batch being parsed (in the other process), written at the next flush."""

    def __enter__(self) -> BulkLoader:
        self._loading = (  # an opening meanwhile leaves what this load dropped alone
            nullcontext() if str(self.cache.path) == ":memory:" else loading(self.cache.path)
        )
        self._loading.__enter__()
        self.conn.execute("PRAGMA cache_size=-131072")
        # Each commit syncs the log, not also the database file: a power cut may lose the
        # last transactions (a re-import brings them), never corrupt the cache.
        self.conn.execute("PRAGMA synchronous=NORMAL")
        return self

    def __exit__(self, kind, exc, tb) -> None:
        try:
            if kind is None:
                self.flush()
                self._write_parsed()
                self._commit()
            elif self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            self.cache.restore_after_bulk()
            if kind is None:
                self.optimize()
        finally:
            if self._pool is not None:
                self._pool.shutdown(cancel_futures=True)
            self.conn.execute("PRAGMA synchronous=FULL")
            self.conn.execute("PRAGMA cache_size=-8192")
            self._loading.__exit__(None, None, None)

    def add(self, raw: Raw) -> None:
        self._pending.append(raw)
        if len(self._pending) >= BATCH:
            self.flush()

    def flush(self) -> None:
        """Hand the pending records to the parser, and write the batch parsed before."""
        if not self._pending:
            return
        batch, self._pending = self._pending, []
        work = self._unchanged_skipped(batch)
        self._write_parsed()
        if self._pool is not None:
            self._parsing = self._pool.submit(parse_all, self.parse, work)
        else:
            self._parsing = parse_all(self.parse, work)

    def _unchanged_skipped(self, batch: list[Raw]) -> list[tuple[int, int, bytes]]:
        """The records to parse: all but those whose checksum is the one stored (the
        batch being parsed is not stored yet: a paper twice in a row is parsed again)."""
        known = self._known([raw.paper_id for raw in batch if raw.paper_id])
        work = []
        for raw in batch:
            crc = zlib.crc32(raw.data)
            row = known.get(raw.paper_id) if raw.paper_id else None
            if row is not None and row[1] == crc:
                self.result.counts.unchanged += 1
            else:
                work.append((raw.line, crc, raw.data))
        return work

    def _write_parsed(self) -> None:
        """Write the batch parsed last (in the open transaction; commit when it is big)."""
        if self._parsing is None:
            return
        parsed = self._parsing if isinstance(self._parsing, list) else self._parsing.result()
        self._parsing = None
        if not self.conn.in_transaction:
            self.conn.execute("BEGIN IMMEDIATE")
            if not self._prepared:
                self._prepare()
        self._write(parsed)
        self._in_transaction += len(parsed)
        if self._in_transaction >= TRANSACTION:
            self._commit()

    def _prepare(self) -> None:
        """In the load's first transaction: the index's automerge off, and the secondary
        indexes dropped for a big load — each noted in ``bulk_dropped`` with what undoes it."""
        self._prepared = True
        self.conn.execute("INSERT INTO papers_fts(papers_fts, rank) VALUES ('automerge', 0)")
        self.conn.execute(
            "INSERT OR REPLACE INTO bulk_dropped(name, sql) VALUES ('papers_fts automerge', ?)",
            (f"INSERT INTO papers_fts(papers_fts, rank) VALUES ('automerge', {AUTOMERGE})",),
        )
        for name in DROPPED if self._drop else ():
            row = self.conn.execute(
                "SELECT sql, type FROM sqlite_master WHERE name = ?", (name,)
            ).fetchone()
            if row is not None:
                self.conn.execute(
                    "INSERT INTO bulk_dropped(name, sql) VALUES (?, ?)", (name, row[0])
                )
                self.conn.execute(f"DROP {row[1].upper()} {name}")

    def optimize(self) -> None:
        """Merge the index's segments once, after the load: what automerge would have done
        a little at a time (a 'merge' that writes fewer than two rows found nothing to do)."""
        while True:
            before = self.conn.total_changes
            with self.cache.transaction():
                self.conn.execute(
                    f"INSERT INTO papers_fts(papers_fts, rank) VALUES ('merge', {MERGE_PAGES})"
                )
            if self.conn.total_changes - before < 2:
                return

    def _index_pending(self) -> None:
        if self._index_rows:
            self._index_rows.sort()
            self.conn.executemany(
                "INSERT INTO papers_fts(rowid, title, authors, abstract) VALUES (?, ?, ?, ?)",
                self._index_rows,
            )
            self._index_rows = []

    def _commit(self) -> None:
        self._index_pending()
        if self.conn.in_transaction:
            self.conn.execute("COMMIT")
        self._in_transaction = 0

    def _write(self, parsed: list[Parsed]) -> None:
        papers: list[tuple[Paper, int]] = []
        for line, crc, paper, reason in parsed:
            if paper is None:
                self.on_bad(line, reason)
            elif self.wanted(paper):
                papers.append((paper, crc))
            else:
                self.result.filtered += 1
        known = self._known([paper.id for paper, _ in papers])
        fresh: dict[str, tuple[Paper, int]] = {}
        changed: dict[str, tuple[Paper, int]] = {}
        for paper, crc in papers:
            row = known.get(paper.id)
            if row is None:
                fresh[paper.id] = (paper, crc)  # twice in a batch: the later record wins
            elif row[1] == crc:
                self.result.counts.unchanged += 1
            else:
                changed[paper.id] = (paper, crc)
        if changed:
            self._merge_known(changed)
        if fresh:
            self._insert(fresh)

    def _known(self, ids: list[str]) -> dict[str, tuple]:
        """(key, record_crc) of the papers among ``ids`` that the cache holds."""
        found: dict[str, tuple] = {}
        for start in range(0, len(ids), 900):
            part = ids[start : start + 900]
            for paper_id, key, crc in self.conn.execute(
                f"SELECT id, key, record_crc FROM papers WHERE id IN ({','.join('?' * len(part))})",
                part,
            ):
                found[paper_id] = (key, crc)
        return found

    def _merge_known(self, changed: dict[str, tuple[Paper, int]]) -> None:
        self._index_pending()  # an update deletes what the index holds of a paper
        counts = self.cache.upsert(Incoming(paper) for paper, _ in changed.values())
        self.result.counts.add(counts)
        self.conn.executemany(
            "UPDATE papers SET record_crc = ? WHERE id = ?",
            [(crc, paper_id) for paper_id, (_, crc) in changed.items()],
        )

    def _insert(self, fresh: dict[str, tuple[Paper, int]]) -> None:
        stamp = now()
        keyed = {
            paper_id: sort_key(paper_id, paper.published) for paper_id, (paper, _) in fresh.items()
        }
        taken = self.cache._taken_keys(list(keyed.values()))
        reserved: set[int] = set()
        rows = []
        for paper_id, (paper, crc) in fresh.items():
            key = keyed[paper_id]
            if key in taken or key in reserved:
                key = self.cache._free_key(key, reserved)
            reserved.add(key)
            rows.append((*_to_row(key, paper, stamp), crc))
        rows.sort()
        self.conn.executemany(_INSERT, rows)
        self.conn.executemany(
            "INSERT INTO authors(paper_key, position, name) VALUES (?, ?, ?)",
            [
                (row[0], position, name)
                for row in rows
                if row[4]
                for position, name in enumerate(row[4].split("\n"))
            ],
        )
        if self._drop:  # the trigger is dropped: the batch's categories, in key order
            self.conn.executemany(
                "INSERT OR IGNORE INTO paper_categories(category, paper_key) VALUES (?, ?)",
                sorted(
                    (category, row[0]) for row in rows for category in fresh[row[1]][0].categories
                ),
            )
        self._index_rows += [(row[0], row[3], row[4], row[6]) for row in rows]
        self.result.counts.new += len(rows)
