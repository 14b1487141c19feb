"""Opening one cache from several connections at once: a first migration made elsewhere
meanwhile is seen whole, and never run a second time (issue 16, #5 and #10)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from paperdeck.storage.cache import database
from paperdeck.storage.cache.database import Cache
from paperdeck.storage.cache.migrations import MIGRATIONS, SCHEMA_VERSION


def test_a_migration_committed_between_reading_the_version_and_migrating_is_not_run_again(
    tmp_path: Path, monkeypatch
):
    """#5: the second of two starters took a committed migration for its own and failed."""
    path = tmp_path / "paperdeck.db"
    plain = Cache.transaction
    raced = []

    def first_starter_finishes_meanwhile(self):
        if not raced:
            raced.append(True)
            Cache(path).close()  # another starter migrates the whole schema
        return plain(self)

    monkeypatch.setattr(Cache, "transaction", first_starter_finishes_meanwhile)
    with Cache(path) as cache:
        assert cache.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert raced


def test_the_schema_is_read_in_one_snapshot(tmp_path: Path, monkeypatch):
    """#10: a first migration committed between reading ``user_version`` and the table
    list made a brand-new cache look like another program's file."""
    path = tmp_path / "paperdeck.db"
    connect = sqlite3.connect
    tried = []

    class Racing(sqlite3.Connection):
        def execute(self, sql, *args):
            if sql.startswith("SELECT name FROM sqlite_master") and not tried:
                tried.append(_migrate_elsewhere(path))  # after user_version was read
            return super().execute(sql, *args)

    monkeypatch.setattr(
        database.sqlite3, "connect", lambda *a, **k: connect(*a, factory=Racing, **k)
    )
    with Cache(path) as cache:
        assert cache.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert tried


def _migrate_elsewhere(path: Path) -> str:
    """Commit the first migration from another connection, without waiting: refused while
    the opening connection holds its snapshot, which is what it should hold."""
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        for statement in database._statements(MIGRATIONS[0]):
            other.execute(statement)
        other.execute("PRAGMA user_version=1")
        other.execute("COMMIT")
        return "committed"
    except sqlite3.OperationalError:
        if other.in_transaction:
            other.execute("ROLLBACK")
        return "refused"
    finally:
        other.close()
