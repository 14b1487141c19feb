"""The sync_state table: added by migration 2 to an existing cache, read and written by source."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from paperdeck.storage.cache import sync_state
from paperdeck.storage.cache.database import Cache
from paperdeck.storage.cache.migrations import MIGRATIONS
from paperdeck.storage.cache.sync_state import SyncState
from paperdeck.storage.models import Incoming, Paper


def test_a_schema_1_cache_gains_sync_state_and_keeps_its_papers(tmp_path: Path):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.executescript(MIGRATIONS[0])
    conn.execute("PRAGMA user_version=1")
    conn.commit()
    conn.close()
    with Cache(path) as cache:
        cache.upsert([Incoming(Paper(id="2406.00001", title="T", published="2024-06-04"))])
    with Cache(path) as cache:
        assert cache.conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS) >= 2
        assert cache.count_papers() == 1
        assert sync_state.load(cache, "https://example.org/digest.md") is None


def test_saved_validators_become_conditional_headers(cache: Cache):
    url = "https://example.org/digest.md"
    headers = {"ETag": '"abc"', "Last-Modified": "Wed, 25 Nov 2026 10:00:00 GMT"}
    sync_state.save(cache, SyncState.answered(url, headers))
    state = sync_state.load(cache, url)
    assert state.conditional_headers() == {
        "If-None-Match": '"abc"',
        "If-Modified-Since": "Wed, 25 Nov 2026 10:00:00 GMT",
    }
    sync_state.save(cache, SyncState.answered(url, {}))  # a server that stopped sending them
    assert sync_state.load(cache, url).conditional_headers() == {}


def test_a_lookup_answer_is_kept_with_its_time(cache: Cache):
    sync_state.save(cache, SyncState("hf:2406.00001", result="https://github.com/o/r"))
    state = sync_state.load(cache, "hf:2406.00001")
    assert state.result == "https://github.com/o/r" and state.etag is None
    assert state.synced_at.startswith("20")
