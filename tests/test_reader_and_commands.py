"""The real reader (its writer, workers and every connection; in a tmux pane, or on a
pseudo-terminal where tmux is missing) and real ``paperdeck`` commands, as separate
processes on one cache, round after round.

Before issue 16 the reader's own startup dropped its SQLite locks (a plain open/close of
the database file beside its connections), so the first command took itself for the
last user and deleted the reader's ``-wal`` under it; the cache ended "malformed".
"""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path

import pytest

from tests.support.big_digest import write_digest
from tests.support.processes import (
    deleted_files,
    holds,
    integrity,
    paperdeck,
    starred,
    start,
    terminal,
    wait_for,
)

ROUNDS = 3
BURST = 4
PER_DIGEST = 40

pytestmark = pytest.mark.skipif(not os.path.exists("/proc/self/fd"), reason="needs /proc")


def user_marks(path: Path) -> dict[str, tuple]:
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=30)
    try:
        marks = {
            paper_id: (bool(s), bool(r), bool(later), note)
            for paper_id, s, r, later, note in conn.execute(
                "SELECT paper_id, starred, read, later, note FROM user_state"
            )
        }
        tags = set(conn.execute("SELECT paper_id, tag FROM paper_tags WHERE tagged"))
    finally:
        conn.close()
    return marks | {"tags": tuple(sorted(tags))}


def test_reader_and_commands_share_one_cache_round_after_round(
    private_paths: Path, tmp_path: Path
):
    env = os.environ.copy()
    db = private_paths / "paperdeck.db"
    write_digest(tmp_path / "seed.md", 0, PER_DIGEST)
    paperdeck("import", str(tmp_path / "seed.md"), env=env)
    expected_stars: set[str] = set()
    expected_tags: set[tuple[str, str]] = set()
    expected_notes: dict[str, str] = {}
    term = terminal(f"paperdeck-{os.getpid()}")
    try:
        for round_no in range(ROUNDS):
            pid = term.open([sys.executable, "-m", "paperdeck"], env)
            wait_for(lambda: "Paper " in term.screen(), "the reader shows its papers")
            wait_for(lambda p=pid: holds(p, f"{db}-wal"), "the reader opens the cache's log")

            def intact(after: str, pid: int = pid) -> None:
                assert deleted_files(pid, db) == [], f"the reader's files deleted after {after}"

            paperdeck("list", "--limit", "3", env=env)
            intact("paperdeck list")
            expected_stars = _reader_stars(term, db, expected_stars)
            intact("a star in the reader")

            first = (round_no + 1) * 1000
            ids = write_digest(tmp_path / f"{round_no}.md", first, PER_DIGEST)
            paperdeck("import", str(tmp_path / f"{round_no}.md"), env=env)
            intact("paperdeck import")
            paperdeck("star", ids[0], env=env)
            expected_stars.add(ids[0])
            paperdeck("tag", ids[1], f"+round{round_no}", env=env)
            expected_tags.add((ids[1], f"round{round_no}"))
            paperdeck("note", ids[2], "--set", f"note of round {round_no}", env=env)
            expected_notes[ids[2]] = f"note of round {round_no}"
            intact("paperdeck star, tag and note")

            burst = [start("star", ids[3 + n], env=env) for n in range(BURST)]
            expected_stars = _reader_stars(term, db, expected_stars)  # meanwhile
            for process in burst:
                out, err = process.communicate(timeout=120)
                assert process.returncode == 0, err
            expected_stars |= {ids[3 + n] for n in range(BURST)}
            intact("a burst of concurrent commands")

            term.keys("q")
            wait_for(lambda p=pid: not term.alive(p), "the reader quits")
            term.close()
            assert integrity(db) == "ok"
            marks = user_marks(db)
            assert starred(db) == expected_stars
            assert expected_tags <= set(marks["tags"])
            assert {pid_: marks[pid_][3] for pid_ in expected_notes} == expected_notes
    finally:
        term.close()


def _reader_stars(term, db: Path, before: set[str]) -> set[str]:
    """Star (or unstar) the next row in the reader; returns the stars once it is saved."""
    term.keys("j", "s")
    found = wait_for(lambda: (now := starred(db)) != before and (now,), "the reader saves a star")
    return found[0]
