"""When the cache file cannot be used: keep it aside, start a fresh one, keep the user's marks.

Nothing here runs without the user's agreement (the CLI asks, or takes ``--reset-cache``).
A file is never deleted: it is renamed beside itself with a timestamp —
``paperdeck.db.corrupt-20261126T153000`` — together with its ``-wal`` and ``-shm`` files,
which keep their suffixes so SQLite still pairs them. The stars and read marks that can
still be read from it are copied into the fresh cache: they are keyed by arXiv id, so they
show again as soon as the papers are imported or synced once more.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from paperdeck.storage.cache.database import Cache, CacheError, CacheUnusable
from paperdeck.storage.ids import parse_id

COMPANIONS = ("-wal", "-shm", "-journal")
"""Files SQLite keeps beside a database, named by suffix."""


class CacheInUse(CacheError):
    """Another process has the cache open: it cannot be moved aside under it."""


@dataclass
class Reset:
    """What :func:`reset_cache` did."""

    aside: Path
    """Where the unusable file went."""
    moved: list[Path] = field(default_factory=list)
    """Every file renamed (the database and its companions), at their new names."""
    stars: int = 0
    reads: int = 0
    """Stars and read marks copied from the old file into the fresh cache."""

    def describe(self, path: Path) -> str:
        companions = [m.name.removeprefix(self.aside.name) for m in self.moved[1:]]
        together = f" (with its {' and '.join(companions)})" if companions else ""
        said = f"moved it aside to {self.aside}{together} and started a fresh cache at {path}"
        if self.stars or self.reads:
            said += (
                f"; kept {_count(self.stars, 'star')} and {_count(self.reads, 'read mark')} "
                "from it (they show again once the papers are imported or synced)"
            )
        return said


def aside_path(path: Path, label: str, when: datetime | None = None) -> Path:
    """``paperdeck.db.<label>-<local time>``, with ``-2``, ``-3``… if that name is taken."""
    stamp = (when or datetime.now()).strftime("%Y%m%dT%H%M%S")
    base = path.with_name(f"{path.name}.{label}-{stamp}")
    candidate, number = base, 1
    while any(Path(f"{candidate}{suffix}").exists() for suffix in ("", *COMPANIONS)):
        number += 1
        candidate = base.with_name(f"{base.name}-{number}")
    return candidate


def holders(path: Path) -> list[str]:
    """The other processes that hold the database or its companions open, as
    "process 1234 (paperdeck)", read from ``/proc`` (empty where there is none)."""
    names = {os.path.realpath(f"{path}{suffix}") for suffix in ("", *COMPANIONS)}
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        if int(proc.name) == os.getpid():
            continue
        try:
            if any(os.readlink(fd) in names for fd in (proc / "fd").iterdir()):
                command = (proc / "cmdline").read_bytes().split(b"\0")
                found.append(f"process {proc.name} ({_command(command)})")
        except OSError:
            continue  # gone meanwhile, or not ours to look at
    return found


def _command(argv: list[bytes]) -> str:
    """A process's command in one short line (its program and first arguments)."""
    words = [Path(word.decode(errors="replace")).name for word in argv if word][:3]
    line = " ".join(" ".join(words).split())  # a -c script's lines and controls go
    return (line[:60] + "…" if len(line) > 60 else line) or "?"


def set_aside(path: Path, label: str, when: datetime | None = None) -> tuple[Path, list[Path]]:
    """Rename the database and its companions beside themselves; returns the new database
    path and every file moved. The database goes last, so an interruption never leaves a
    log without its database under the old name. Refused while another process holds
    them open: it would go on writing into the renamed files."""
    others = holders(path)
    if others:
        raise CacheInUse(
            f"{path} is open in {', '.join(others)}; quit it and try again "
            "(nothing was moved)"
        )
    target = aside_path(path, label, when)
    moved = []
    for suffix in COMPANIONS:
        companion = Path(f"{path}{suffix}")
        if companion.exists():
            companion.rename(f"{target}{suffix}")
            moved.append(Path(f"{target}{suffix}"))
    path.rename(target)
    return target, [target, *moved]


def reset_cache(path: Path, problem: CacheUnusable, when: datetime | None = None) -> Reset:
    """Keep the unusable file aside, create a fresh cache at ``path`` and copy into it
    the stars and read marks that can still be read. Returns what was done; the caller
    opens the fresh cache."""
    aside, moved = set_aside(path, problem.label, when)
    reset = Reset(aside, moved)
    rows = _readable_user_state(aside)
    with Cache(path) as fresh, fresh.transaction():
        fresh.conn.executemany(
            "INSERT OR IGNORE INTO user_state(paper_id, read, read_at, starred, starred_at) "
            "VALUES (?, ?, ?, ?, ?)",
            rows,
        )
    reset.reads = sum(1 for row in rows if row[1])
    reset.stars = sum(1 for row in rows if row[3])
    return reset


def _readable_user_state(path: Path) -> list[tuple]:
    """The user-state rows that can still be read from a damaged file (those before the
    first unreadable page), checked for shape; nothing at all from a foreign file."""
    rows: list[tuple] = []
    try:
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return rows
    try:
        cursor = conn.execute("SELECT paper_id, read, read_at, starred, starred_at FROM user_state")
        for row in cursor:
            if _plausible(row):
                rows.append((row[0], int(row[1]), row[2], int(row[3]), row[4]))
    except sqlite3.Error:
        pass  # damaged past here: keep what was read
    finally:
        conn.close()
    return [row for row in rows if row[1] or row[3]]


def _plausible(row: tuple) -> bool:
    paper_id, read, read_at, starred, starred_at = row
    return (
        isinstance(paper_id, str)
        and parse_id(paper_id) == (paper_id, None)
        and read in (0, 1)
        and starred in (0, 1)
        and all(stamp is None or isinstance(stamp, str) for stamp in (read_at, starred_at))
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
