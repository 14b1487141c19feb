"""The SQLite cache: schema and migrations, upserts, user state, WAL, windows."""

from __future__ import annotations

import random
import sqlite3
import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest

from paperdeck.storage.cache import database
from paperdeck.storage.cache.database import Cache, CacheError
from paperdeck.storage.cache.migrations import MIGRATIONS, SCHEMA_VERSION
from paperdeck.storage.cache.views import PaperList, View, _Sql
from paperdeck.storage.models import Incoming, Paper, Translation
from tests.support.synthetic import papers

ROOT = Path(__file__).resolve().parents[1]


def paper(n: int = 1, **fields) -> Paper:
    base = dict(id=f"2406.{n:05d}", title=f"Paper {n}", published="2024-06-04", version=1,
                authors=["Ann Author", "Bo Builder"], abstract="An abstract.", source="digest")
    base.update(fields)
    return Paper(**base)


# --- schema -------------------------------------------------------------------------------


def test_migrates_an_empty_file(tmp_path: Path):
    path = tmp_path / "empty.db"
    path.touch()
    with Cache(path) as cache:
        assert cache.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert cache.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {r[0] for r in cache.conn.execute("SELECT name FROM sqlite_master")}
        assert {"papers", "authors", "topics", "paper_topics", "translations", "user_state",
                "papers_fts"} <= tables
        assert cache.quick_check() == "ok"


def test_reopening_does_not_migrate_again(tmp_path: Path):
    with Cache(tmp_path / "c.db") as cache:
        cache.upsert([Incoming(paper())])
    with Cache(tmp_path / "c.db") as cache:
        assert cache.count_papers() == 1


def test_a_newer_schema_is_refused_with_a_clear_message(tmp_path: Path):
    path = tmp_path / "future.db"
    Cache(path).close()
    sqlite3.connect(path).execute(f"PRAGMA user_version={SCHEMA_VERSION + 5}")
    with pytest.raises(CacheError, match="newer paperdeck"):
        Cache(path)


def test_a_failing_migration_is_rolled_back_closed_and_named(tmp_path: Path, monkeypatch):
    path = tmp_path / "c.db"
    with Cache(path) as cache:
        cache.upsert([Incoming(paper())])
    broken = "CREATE TABLE half_done(x);\nCREATE TABLE papers(x);\n"  # fails halfway
    monkeypatch.setattr(database, "MIGRATIONS", [*MIGRATIONS, broken])
    monkeypatch.setattr(database, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    opened: list[sqlite3.Connection] = []
    connect = sqlite3.connect

    def recording_connect(*args, **kwargs) -> sqlite3.Connection:
        opened.append(connect(*args, **kwargs))
        return opened[-1]

    monkeypatch.setattr(sqlite3, "connect", recording_connect)
    with pytest.raises(CacheError) as raised:
        Cache(path)
    assert str(raised.value) == (
        f"{path}: migration {SCHEMA_VERSION + 1} of the cache schema failed (table papers "
        f"already exists); it was rolled back and the file left at schema {SCHEMA_VERSION}"
    )
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        opened[0].execute("SELECT 1")
    monkeypatch.undo()
    with Cache(path) as cache:
        assert cache.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        tables = {name for (name,) in cache.conn.execute("SELECT name FROM sqlite_master")}
        assert "half_done" not in tables and cache.count_papers() == 1


def test_a_foreign_sqlite_file_is_refused(tmp_path: Path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE customers(id)")
    conn.commit()
    with pytest.raises(CacheError, match="not a paperdeck cache"):
        Cache(path)


def test_a_file_that_is_not_sqlite_is_refused(tmp_path: Path):
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(CacheError, match=str(path)):
        Cache(path)


# --- upserts --------------------------------------------------------------------------------


def test_upsert_is_idempotent(cache: Cache):
    records = list(papers(300))
    first = cache.upsert(records)
    assert (first.new, first.updated, first.unchanged) == (300, 0, 0)
    again = cache.upsert(records)
    assert (again.new, again.updated, again.unchanged, again.translations) == (0, 0, 300, 0)


def test_a_new_version_updates_metadata_and_keeps_user_state(cache: Cache):
    cache.upsert([Incoming(paper(title="Old title"), ("LLM",),
                           (Translation("2406.00001", "zh", "舊的"),))])
    cache.set_starred("2406.00001", True)
    cache.set_read("2406.00001", True)
    counts = cache.upsert([Incoming(paper(version=2, title="New title", source="arxiv",
                                          comment="Accepted"))])
    assert counts.updated == 1
    stored = cache.paper("2406.00001")
    assert (stored.version, stored.title, stored.comment) == (2, "New title", "Accepted")
    state = cache.state("2406.00001")
    # A kept paper's new version turns it unread and "updated" (DESIGN §15); the rest stays.
    assert state.starred and not state.read
    assert cache.translation("2406.00001", "zh").abstract == "舊的"


def test_a_new_version_of_a_paper_not_kept_leaves_it_read(cache: Cache):
    cache.upsert([Incoming(paper(title="Old title"))])
    cache.set_read("2406.00001", True)
    cache.upsert([Incoming(paper(version=2, title="New title", source="arxiv"))])
    assert cache.state("2406.00001").read
    assert cache.conn.execute("SELECT count(*) FROM paper_updates").fetchone()[0] == 0


def test_a_digest_row_never_downgrades_a_full_record(cache: Cache):
    cache.upsert([Incoming(paper(version=2, source="arxiv", authors=["A", "B", "C"]))])
    cache.upsert([Incoming(paper(version=1, authors=["A"], authors_complete=False, abstract="",
                                 code_urls=["https://github.com/o/r"]))])
    stored = cache.paper("2406.00001")
    assert stored.authors == ["A", "B", "C"] and stored.abstract == "An abstract."
    assert stored.version == 2
    assert stored.code_urls == ["https://github.com/o/r"]  # code links accumulate


def test_a_changed_published_date_moves_the_paper_and_its_links(cache: Cache):
    cache.upsert([Incoming(paper(1, published="2024-06-05"), ("LLM",)), Incoming(paper(2))])
    cache.upsert([Incoming(paper(1, published="2024-06-01", source="arxiv"))])
    rows = PaperList(cache, View()).window(0, 10)
    assert [r.id for r in rows] == ["2406.00002", "2406.00001"]
    assert rows[1].topics == ("LLM",)
    assert [r.id for r in PaperList(cache, View(search="Paper")).window(0, 10)] == [
        "2406.00002", "2406.00001"]
    assert [r.id for r in PaperList(cache, View(author="bo builder")).window(0, 10)] == [
        "2406.00002", "2406.00001"]


def test_a_provider_translation_is_never_replaced_by_a_digest(cache: Cache):
    cache.upsert([Incoming(paper())])
    cache.put_translation(Translation("2406.00001", "zh", "用戶的", source="libretranslate"))
    cache.upsert([Incoming(paper(), (), (Translation("2406.00001", "zh", "摘要的"),))])
    assert cache.translation("2406.00001", "zh").abstract == "用戶的"


def test_full_text_index_follows_every_change(cache: Cache):
    cache.upsert([Incoming(paper(abstract="About zebras."))])
    assert len(PaperList(cache, View(search="zebras"))) == 1
    cache.upsert([Incoming(paper(version=2, abstract="About giraffes.", source="arxiv"))])
    assert len(PaperList(cache, View(search="zebras"))) == 0
    assert len(PaperList(cache, View(search="giraff"))) == 1
    cache.conn.execute("INSERT INTO papers_fts(papers_fts) VALUES ('integrity-check')")


def test_mark_all_read_and_undo_restore_exactly_what_was_unread(cache: Cache):
    cache.upsert(papers(50))
    first = PaperList(cache, View()).window(0, 3)
    cache.set_read(first[0].id, True)
    batch = PaperList(cache, View()).mark_all_read()
    assert PaperList(cache, View(unread=True)).total == 0
    assert cache.undo_mark_read(batch) == 49
    unread = PaperList(cache, View(unread=True))
    assert unread.total == 49 and cache.state(first[0].id).read


# --- concurrency ----------------------------------------------------------------------------


def test_two_processes_write_at_once_without_database_locked(tmp_path: Path):
    """A sync-like writer in another process (short transactions, one per page); this
    one stars papers meanwhile."""
    path = tmp_path / "shared.db"
    with Cache(path) as cache:
        cache.upsert(papers(200))
        ids = [r.id for r in PaperList(cache, View()).window(0, 200)]
    writer = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import time
            from paperdeck.storage.cache.database import Cache
            from tests.support.synthetic import papers
            from datetime import date
            with Cache({str(path)!r}) as cache:
                for n in range(30):
                    cache.upsert(papers(300, seed=n, start=date(2025, 1, 1 + n % 28),
                                        abstract_words=12))
                    if n == 0:
                        print("writing", flush=True)
                    # A sync waits between pages (arXiv's 3 s rule). SQLite has no queue
                    # for writers: back-to-back transactions could keep the other
                    # connection out past its busy timeout on a loaded machine.
                    time.sleep(0.05)
        """)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert writer.stdout.readline() == "writing\n"  # star while the pages go in
    with Cache(path) as cache:
        for paper_id in ids:
            cache.set_starred(paper_id, True)
    out, err = writer.communicate(timeout=120)
    assert writer.returncode == 0, err
    assert "locked" not in err
    with Cache(path) as cache:
        assert PaperList(cache, View(starred=True)).total == 200
        assert cache.quick_check() == "ok"


# --- windows --------------------------------------------------------------------------------


def vm_steps(cache: Cache, action) -> int:
    """How many SQLite virtual-machine steps ``action`` costs (a size-free work measure)."""
    steps = 0

    def tick() -> int:
        nonlocal steps
        steps += 1
        return 0

    cache.conn.set_progress_handler(tick, 10)
    try:
        action()
    finally:
        cache.conn.set_progress_handler(None, 10)
    return steps * 10


@pytest.fixture
def caches_small_and_large(small_cache_path: Path, large_cache_path: Path):
    with Cache(small_cache_path) as small, Cache(large_cache_path) as large:
        yield small, large


@pytest.mark.slow
@pytest.mark.parametrize("view", [View(), View(sort="title"), View(sort="author"),
                                  View(code=True), View(topic="LLM"), View(unread=True)],
                         ids=lambda v: v.label + "/" + v.sort)
def test_a_window_costs_the_same_on_100k_papers_as_on_1k(caches_small_and_large, view):
    small, large = caches_small_and_large

    def browse(cache: Cache):
        papers_ = PaperList(cache, view)
        total = len(papers_)
        return [
            vm_steps(cache, lambda: papers_.window(0, 100)),               # first paint
            vm_steps(cache, lambda: papers_.window(100, 100)),             # page down
            vm_steps(cache, lambda: papers_.window(total - 100, 100)),     # jump to oldest
            vm_steps(cache, lambda: papers_.window(total - 200, 100)),     # page up from there
        ]

    for cost_small, cost_large in zip(browse(small), browse(large), strict=True):
        assert cost_large < 2 * cost_small + 5_000, (cost_small, cost_large)


@pytest.mark.slow
def test_windows_agree_with_a_full_ordered_scan(caches_small_and_large):
    small, _ = caches_small_and_large
    for view in (View(), View(sort="title"), View(sort="author"), View(topic="Vision")):
        papers_ = PaperList(small, view)
        everything = [r.id for r in papers_.window(0, papers_.total)]
        fresh = PaperList(small, view)
        for offset in (500, 0, 900, 450, 451, 80, 999, 300):
            assert [r.id for r in fresh.window(offset, 37)] == everything[offset:offset + 37]
        for paper_id in everything[::97]:
            assert fresh.index_of(paper_id) == everything.index(paper_id)


def test_fts_search_is_newest_first_and_safe_from_query_syntax(cache: Cache):
    cache.upsert([Incoming(paper(1, published="2024-06-01", title="Graph \"networks\" OR *")),
                  Incoming(paper(2, published="2024-06-03", title="Graph kernels")),
                  Incoming(paper(3, published="2024-06-02", title="Vision"))])
    for query in ('graph', 'gra', '"graph', 'graph OR', 'NEAR(', '*', 'AND', "graph)"):
        ids = [r.id for r in PaperList(cache, View(search=query)).window(0, 10)]  # never raises
        assert ids == [i for i in ("2406.00002", "2406.00001") if i in ids]
    assert [r.id for r in PaperList(cache, View(search="gra")).window(0, 10)] == [
        "2406.00002", "2406.00001"]


def test_next_unread_wraps_and_skips_read_papers(cache: Cache):
    cache.upsert([Incoming(paper(n)) for n in range(1, 6)])
    view = PaperList(cache, View())
    ids = [r.id for r in view.window(0, 5)]
    for paper_id in ids[1:3]:
        cache.set_read(paper_id, True)
    view = PaperList(cache, View())
    assert view.next_unread(0) == 3
    assert view.next_unread(4) == 0
    for paper_id in ids:
        cache.set_read(paper_id, True)
    assert PaperList(cache, View()).next_unread(0) is None


def test_records_are_plain_dataclasses():
    assert replace(paper(), title="x").title == "x"


def test_the_counting_shortcuts_agree_with_counting_every_row(cache: Cache):
    from paperdeck.storage.cache.views import count_unread, count_view

    cache.upsert(papers(120))
    ids = [r.id for r in PaperList(cache, View()).window(0, 120)]
    for paper_id in ids[::3]:
        cache.set_read(paper_id, True)
    for paper_id in ids[::7]:
        cache.set_starred(paper_id, True)
    views = [View(), View(unread=True), View(starred=True), View(code=True), View(topic="LLM"),
             View(topic="LLM", unread=True), View(search="model"), View(search="model", unread=True),
             View(starred=True, unread=True, code=True), View(sort="title")]
    for view in views:
        rows = PaperList(cache, view, total=10_000).window(0, 10_000)
        assert count_view(cache, view) == len(rows), view
        assert count_unread(cache, view) == sum(not r.read for r in rows), view


def test_a_topic_made_in_a_rolled_back_transaction_is_made_again(cache: Cache):
    with pytest.raises(RuntimeError), cache.transaction():
        cache.upsert([Incoming(paper(1), topics=("Lost",))])
        raise RuntimeError("a source failed half-way")
    cache.upsert([Incoming(paper(2), topics=("Other",)), Incoming(paper(3), topics=("Lost",))])
    by_topic = {
        name: [row.id for row in PaperList(cache, View(topic=name)).window(0, 10)]
        for name in cache.topics()
    }
    assert by_topic == {"Lost": [paper(3).id], "Other": [paper(2).id]}


@pytest.mark.parametrize(
    ("view", "change"),
    [(View(unread=True), "set_read"), (View(starred=True), "set_starred")],
    ids=["reading in the unread view", "unstarring in the starred view"],
)
def test_papers_changed_while_shown_stay_in_their_view(cache: Cache, view: View, change: str):
    cache.upsert(papers(300, abstract_words=3))
    every = [row.id for row in PaperList(cache, View()).window(0, 300)]
    for paper_id in every:
        cache.set_starred(paper_id, True)
    shown = PaperList(cache, view)
    # The reader walks down; each window starts a little above the cursor, among rows
    # already read (or unstarred); then it jumps around.
    starts = list(range(0, 297, 7))
    starts += random.Random(4).sample(starts, len(starts))
    for start in starts:
        rows = shown.window(start, 10)
        assert [row.id for row in rows] == every[start : start + 10]
        for row in rows:
            getattr(cache, change)(row.id, change == "set_read")
            shown.keep(row.id)
    assert shown.total == 300
    assert PaperList(cache, view).total == 0  # a fresh look at the view: they are gone


def test_a_schema_2_cache_gains_the_walk_index_and_the_unread_view_uses_it(tmp_path: Path):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.executescript(MIGRATIONS[0] + MIGRATIONS[1])
    conn.execute("PRAGMA user_version=2")
    conn.close()
    with Cache(path) as cache:
        cache.upsert(papers(50, abstract_words=3))
        cache.set_read(PaperList(cache, View()).row(0).id, True)
    with Cache(path) as cache:
        assert PaperList(cache, View(unread=True)).total == 49
        sql, args = _Sql(View(unread=True)).select([], [], False, 10, 0)
        plan = " ".join(row[3] for row in cache.conn.execute(f"EXPLAIN QUERY PLAN {sql}", args))
        assert "USING INDEX papers_by_key_id" in plan  # not a scan of the papers' rows


def test_a_paper_gone_from_a_view_is_placed_where_the_next_one_stands(cache: Cache):
    cache.upsert(papers(10, abstract_words=3))
    every = PaperList(cache, View()).window(0, 10)
    cache.set_read(every[3].id, True)
    unread = PaperList(cache, View(unread=True))
    assert unread.position(every[3]) == 3 and unread.row(3).id == every[4].id
    assert unread.position(every[5]) == unread.index_of(every[5].id) == 4
