"""The library's change log and the versions of merged values, for the same library on
every machine (:mod:`paperdeck.storage.library.machines` reads and writes the files).

While the library is shared (``library_settings.journal``), triggers append each change of
a read mark, star, later mark, dismissal, note, citation key, tag or highlight to
``library_log`` with its time in milliseconds (never earlier than the version it
replaces). A value merged from another machine keeps its version — (time, machine,
sequence number) — in ``library_fields``; the later version of a field wins, so merging
is the same in any order and any number of times.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from paperdeck.storage.cache import highlights, library
from paperdeck.storage.cache.database import Cache, chunks
from paperdeck.storage.cache.migrations import HIGHLIGHT_JSON

FLAGS = ("read", "starred", "later", "dismissed")
TEXTS = ("note", "citekey")
FIELDS = (*FLAGS, *TEXTS)
_NOW_MS = "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)"


@dataclass(frozen=True, slots=True)
class Change:
    """One field's new value: ``field`` is one of :data:`FIELDS`, ``tag:<name>`` or
    ``hl:<highlight id>``; ``value`` a bool for flags and tags, a str or None for a note
    or key, a highlight's JSON or None (deleted) for a highlight."""

    paper_id: str
    field: str
    value: object
    at: int
    """Milliseconds since 1970 (UTC)."""
    machine: str
    seq: int

    @property
    def version(self) -> tuple[int, str, int]:
        return (self.at, self.machine, self.seq)


def ms_to_iso(at: int) -> str:
    return datetime.fromtimestamp(at / 1000, UTC).isoformat(timespec="microseconds")


def journaling(cache: Cache) -> bool:
    return bool(cache.conn.execute("SELECT journal FROM library_settings").fetchone()[0])


def start_journal(cache: Cache, first_seq: int) -> int:
    """Start logging changes: first the library as it stands (every field that was ever
    set, at the time it was set), numbered from ``first_seq``. Returns the lines logged."""
    stamp = f"coalesce(CAST((julianday({{at}}) - 2440587.5) * 86400000 AS INTEGER), {_NOW_MS})"
    if journaling(cache):
        return 0
    with cache.transaction():
        if journaling(cache):
            return 0
        start = max(first_seq, last_seq(cache) + 1)
        placeholder = start - 1 > last_seq(cache)
        if placeholder:  # so that the snapshot is numbered from ``start``
            cache.conn.execute(
                "INSERT INTO library_log(seq, paper_id, field, value, at) "
                "VALUES (?, '', '', NULL, 0)",
                (start - 1,),
            )
        for name in FIELDS:
            condition = (
                f"{name} OR {name}_at IS NOT NULL"
                if name in FLAGS
                else (f"{name} IS NOT NULL OR {name}_at IS NOT NULL")
            )
            cache.conn.execute(
                f"""INSERT INTO library_log(paper_id, field, value, at)
                    SELECT paper_id, '{name}', {name}, {stamp.format(at=f"{name}_at")}
                    FROM user_state WHERE {condition} ORDER BY paper_id"""
            )
        cache.conn.execute(
            f"""INSERT INTO library_log(paper_id, field, value, at)
                SELECT paper_id, 'tag:' || tag, tagged, {stamp.format(at="tagged_at")}
                FROM paper_tags ORDER BY paper_id, tag"""
        )
        cache.conn.execute(
            f"""INSERT INTO library_log(paper_id, field, value, at)
                SELECT paper_id, 'hl:' || hid, {HIGHLIGHT_JSON.format(row="highlights")},
                    {stamp.format(at="made_at")}
                FROM highlights ORDER BY paper_id, hid"""
        )
        if placeholder:
            cache.conn.execute("DELETE FROM library_log WHERE seq = ?", (start - 1,))
        cache.conn.execute("UPDATE library_settings SET journal = 1")
        return max(0, last_seq(cache) - start + 1)


def last_seq(cache: Cache) -> int:
    return cache.conn.execute("SELECT coalesce(max(seq), 0) FROM library_log").fetchone()[0]


def continue_after(cache: Cache, seq: int) -> None:
    """Number this machine's next changes after ``seq``, the last one its file holds: a
    cache restored from a backup (or made afresh) would otherwise reuse numbers the file
    already has, and its new changes would never be written there. A placeholder row
    (no paper) holds the number."""
    if last_seq(cache) >= seq:
        return
    with cache.transaction():
        if last_seq(cache) < seq:
            cache.conn.execute(
                "INSERT INTO library_log(seq, paper_id, field, value, at) "
                "VALUES (?, '', '', NULL, 0)",
                (seq,),
            )


def log_after(cache: Cache, seq: int) -> Iterator[tuple[int, str, str, object, int]]:
    """This machine's changes after ``seq``: (seq, paper id, field, value, time)."""
    yield from cache.conn.execute(
        "SELECT seq, paper_id, field, value, at FROM library_log "
        "WHERE seq > ? AND paper_id <> '' ORDER BY seq",
        (seq,),
    )


# --- peers' files ---------------------------------------------------------------------------


def peer_position(cache: Cache, name: str) -> tuple[int, int, str]:
    """(byte offset, lines read, first line) of a machine's file merged so far."""
    row = cache.conn.execute(
        "SELECT offset, line, head FROM library_peers WHERE file = ?", (name,)
    ).fetchone()
    return tuple(row) if row else (0, 0, "")


def save_peer_position(cache: Cache, name: str, offset: int, line: int, head: str) -> None:
    cache.conn.execute(
        """INSERT INTO library_peers(file, offset, line, head) VALUES (?, ?, ?, ?)
           ON CONFLICT(file) DO UPDATE SET offset = excluded.offset, line = excluded.line,
               head = excluded.head""",
        (name, offset, line, head),
    )


# --- merging ----------------------------------------------------------------------------------


@dataclass
class Applied:
    applied: int = 0
    """Changes that won over the value held here."""
    older: int = 0
    """Changes already known, or older than the value held here."""
    refused: list[tuple[Change, str]] = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        self.refused = self.refused or []


def _held_versions(cache: Cache, paper_ids: list[str], local: str) -> dict[tuple, tuple]:
    """The version of each value held here for the fields of ``paper_ids``: the latest
    local change, or the merged value's version, whichever is later."""
    held: dict[tuple, tuple] = {}
    for part in chunks(paper_ids):
        marks = ",".join("?" * len(part))
        for paper_id, name, at, seq in cache.conn.execute(
            f"SELECT paper_id, field, at, seq FROM library_log WHERE paper_id IN ({marks})",
            part,
        ):
            version = (at, local, seq)
            if held.get((paper_id, name), (0, "", -1))[2] < seq:  # the latest local change
                held[paper_id, name] = version
        for paper_id, name, at, machine, seq in cache.conn.execute(
            "SELECT paper_id, field, at, machine, seq FROM library_fields "
            f"WHERE paper_id IN ({marks})",
            part,
        ):
            held[paper_id, name] = max(
                held.get((paper_id, name), (at, machine, seq)), (at, machine, seq)
            )
    return held


def apply(cache: Cache, changes: Iterable[Change], local: str) -> Applied:
    """Merge ``changes`` in the caller's transaction: each field takes the value of its
    latest version. Merged values are not logged again (they are another machine's)."""
    outcome = Applied()
    latest: dict[tuple[str, str], Change] = {}
    for change in changes:  # of one field, only its latest change can win
        seen = latest.get((change.paper_id, change.field))
        if seen is None or change.version >= seen.version:
            if seen is not None:
                outcome.older += 1
            latest[change.paper_id, change.field] = change
        else:
            outcome.older += 1
    held = _held_versions(cache, sorted({paper_id for paper_id, _ in latest}), local)
    winners = []
    for pair, change in latest.items():
        if pair in held and change.version <= held[pair]:
            outcome.older += 1
        else:
            winners.append(change)
    cache.conn.execute("UPDATE library_settings SET journal = 0")
    try:
        written = _write_all(cache, winners, outcome)
    finally:
        cache.conn.execute("UPDATE library_settings SET journal = 1")
    cache.conn.executemany(
        """INSERT INTO library_fields(paper_id, field, at, machine, seq) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT(paper_id, field) DO UPDATE SET at = excluded.at,
               machine = excluded.machine, seq = excluded.seq""",
        [(c.paper_id, c.field, c.at, c.machine, c.seq) for c in written],
    )
    outcome.applied = len(written)
    library.reindex(
        cache,
        sorted({c.paper_id for c in written if c.field == "note" or c.field.startswith("tag:")}),
    )
    return outcome


def _write_all(cache: Cache, changes: list[Change], outcome: Applied) -> list[Change]:
    """Write the winning values, a statement per field; returns those written."""
    written: list[Change] = []
    tags = [c for c in changes if c.field.startswith("tag:")]
    cache.conn.executemany(
        """INSERT INTO paper_tags(paper_id, tag, tagged, tagged_at) VALUES (?, ?, ?, ?)
           ON CONFLICT(paper_id, tag) DO UPDATE SET tagged = excluded.tagged,
               tagged_at = excluded.tagged_at""",
        [(c.paper_id, c.field[4:], int(bool(c.value)), ms_to_iso(c.at)) for c in tags],
    )
    written += tags
    marks = [c for c in changes if c.field.startswith("hl:")]
    highlights.remove(cache, [(c.paper_id, c.field[3:]) for c in marks if c.value is None])
    highlights.upsert(
        cache,
        [
            highlights.Highlight.from_json(c.paper_id, c.field[3:], c.value)
            for c in marks
            if c.value is not None
        ],
    )
    written += marks
    for name in FIELDS:
        batch = [c for c in changes if c.field == name]
        if name == "citekey":  # a key that another paper holds here is not taken
            claimed: dict[str, str] = {}
            batch = [c for c in batch if _key_free(cache, c, outcome, claimed)]
        cache.conn.executemany(
            f"""INSERT INTO user_state(paper_id, {name}, {name}_at) VALUES (?, ?, ?)
                ON CONFLICT(paper_id) DO UPDATE SET {name} = excluded.{name},
                    {name}_at = excluded.{name}_at""",
            [
                (c.paper_id, int(bool(c.value)) if name in FLAGS else c.value, ms_to_iso(c.at))
                for c in batch
            ],
        )
        written += batch
    return written


def _key_free(cache: Cache, change: Change, outcome: Applied, claimed: dict[str, str]) -> bool:
    if change.value is None:
        return True
    key = change.value.lower()
    holder = claimed.get(key) or library.key_holder(cache, change.value)
    if holder is None or holder == change.paper_id:
        claimed[key] = change.paper_id
        return True
    outcome.refused.append((change, f"citation key {change.value!r} belongs to {holder} here"))
    return False
