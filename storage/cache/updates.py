"""``is:updated``: the kept papers (starred, on the later list, tagged or noted) that a sync
or an import brought a new version of since they were last read. The new version marks
the paper unread too; reading it clears the mark (a trigger on ``user_state.read``, so
every way of reading does)."""

from __future__ import annotations

import sqlite3

KEPT = """(EXISTS (SELECT 1 FROM user_state WHERE paper_id = :id
              AND (starred OR later OR note IS NOT NULL))
           OR EXISTS (SELECT 1 FROM paper_tags WHERE paper_id = :id AND tagged))"""

UPDATED_SET = "SELECT paper_id FROM paper_updates"
"""The papers marked updated (a small set: it drives the walk of ``is:updated``)."""


def note_new_version(conn: sqlite3.Connection, paper_id: str, version: int, stamp: str) -> bool:
    """Mark ``paper_id`` updated and unread when it is a kept paper; True when it was."""
    kept = conn.execute(f"SELECT {KEPT}", {"id": paper_id}).fetchone()[0]
    if not kept:
        return False
    conn.execute(
        "INSERT INTO paper_updates(paper_id, version, at) VALUES (?, ?, ?) "
        "ON CONFLICT(paper_id) DO UPDATE SET version = excluded.version, at = excluded.at",
        (paper_id, version, stamp),
    )
    conn.execute(
        "UPDATE user_state SET read = 0, read_at = NULL WHERE paper_id = ? AND read",
        (paper_id,),
    )
    return True
