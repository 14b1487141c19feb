"""Views in the reader: search, the view and sort cycles, and a view that holds still while
the reader reads and other processes write."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pytest

from paperdeck.storage.cache.database import Cache
from paperdeck.storage.cache.views import PaperList, View
from paperdeck.storage.state import load_state
from paperdeck.tui import view_loader
from paperdeck.tui.screens.main import WATCH_S
from paperdeck.tui.widgets.paper_table import FETCH, PaperTable
from tests.support.synthetic import papers
from tests.tui_support import (
    SAMPLE_ORDER,
    main_screen,
    make_app,
    sample_cache,
    settle,
    status,
    table,
)

SIZE = (140, 40)


@pytest.fixture
def cache(tmp_path: Path):
    with sample_cache(tmp_path / "c.db") as opened:
        yield opened


@pytest.fixture
def many(tmp_path: Path):
    with Cache(tmp_path / "many.db") as opened:
        opened.upsert(papers(300, abstract_words=8))
        yield opened


def newest_first(cache: Cache) -> list[str]:
    return [row.id for row in PaperList(cache, View()).window(0, 1000)]


def read_ids(cache: Cache) -> list[str]:
    return [paper_id for paper_id in newest_first(cache) if cache.state(paper_id).read]


# --- search, views, sorts ----------------------------------------------------------------


async def test_slash_searches_as_you_type_and_escape_clears(cache: Cache):
    app = make_app(cache)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"byte patch")
        await pilot.pause(0.3)
        await settle(app, pilot)
        assert table(app).total == 1 and table(app).current.id == "2406.09954"
        assert "search “byte patch”" in status(app)
        await pilot.press("escape")
        await settle(app, pilot)
        assert table(app).total == 9 and "search" not in status(app)


async def test_search_enter_keeps_results_and_focuses_the_table(cache: Cache):
    app = make_app(cache)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"okafor", "enter")
        await settle(app, pilot)
        assert table(app).has_focus and table(app).total == 1
        await pilot.press("escape")  # closes nothing but the search
        await settle(app, pilot)
        assert table(app).total == 9
        assert not main_screen(app).query_one("#search").display


async def test_v_cycles_views_and_the_header_follows(cache: Cache):
    cache.set_starred(SAMPLE_ORDER[3], True)
    cache.set_read(SAMPLE_ORDER[0], True)
    app = make_app(cache)
    async with app.run_test(size=SIZE) as pilot:
        seen = []
        for _ in range(7):
            await pilot.press("v")
            await settle(app, pilot)
            seen.append((status(app).split("  ")[1], table(app).total))
        assert seen == [("Unread", 8), ("Starred", 1), ("Read later", 0), ("With code", 6),
                        ("Topic: LLM", 6), ("Topic: Vision", 3), ("All papers", 9)]


async def test_shift_s_cycles_sort_and_it_is_remembered(cache: Cache):
    app = make_app(cache)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("S")
        titles = [table(app).row(i).title for i in range(9)]
        assert titles == sorted(titles, key=str.lower)
        assert table(app).current.id == SAMPLE_ORDER[0]  # the cursor stays on its paper
        assert "sorted by title" in status(app)
    assert load_state().sort == "title"
    again = make_app(cache, ui_state=load_state())
    async with again.run_test(size=SIZE) as pilot:
        assert "sorted by title" in status(again)
        await pilot.press("S")
        assert "sorted by author" in status(again)
        assert table(again).row(0).first_author == "Hannah Becker"  # by family name


async def test_clicking_a_column_header_sorts_by_it(cache: Cache):
    app = make_app(cache)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.click("#columns", offset=(20, 0))  # the Title column
        assert "sorted by title" in status(app)


async def test_the_cursor_stays_on_its_paper_into_the_unread_view_and_across_sorts(cache: Cache):
    app = make_app(cache)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "j", "j")
        paper = table(app).current.id
        await pilot.press("v")  # All → Unread
        await settle(app, pilot)
        assert main_screen(app).view.unread and table(app).current.id == paper
        await pilot.press("S")  # by title
        await settle(app, pilot)
        assert table(app).current.id == paper


async def test_changing_views_with_the_pane_open_reads_the_paper_shown(cache: Cache):
    app = make_app(cache)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "v")  # All → Unread: the pane shows its first paper
        await settle(app, pilot)
        shown = main_screen(app).pane.paper_id
        assert shown == SAMPLE_ORDER[1] and cache.state(shown).read


# --- writes elsewhere --------------------------------------------------------------------


async def test_papers_written_by_another_process_appear_and_the_cursor_stays(cache: Cache):
    app = make_app(cache)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "j")
        with Cache(cache.path) as other:  # as `paperdeck sync` in another terminal would
            other.upsert(papers(5))
        await pilot.pause(WATCH_S + 0.5)
        await settle(app, pilot)
        assert table(app).total == 14
        assert table(app).current.id == SAMPLE_ORDER[2]
        with Cache(cache.path) as other:
            other.upsert(papers(3, seed=99, start=date(2025, 1, 1)))
        await pilot.press("R")
        assert table(app).total == 17


async def test_the_readers_own_marks_reload_nothing(cache: Cache):
    app = make_app(cache)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s", "j", "m")
        await settle(app, pilot)
        before = table(app).papers
        await pilot.pause(WATCH_S + 0.5)
        await settle(app, pilot)
        assert table(app).papers is before  # the same rows: nothing was loaded again
        assert table(app).current.id == SAMPLE_ORDER[1] and cache.state(SAMPLE_ORDER[0]).starred


@pytest.mark.parametrize("search", ["", "model"], ids=["unread view", "search"])
async def test_a_write_by_another_process_leaves_cursor_and_read_marks_alone(
    many: Cache, search: str
):
    app = make_app(many)
    async with app.run_test(size=(140, 30)) as pilot:
        await pilot.press("v")  # Unread
        if search:
            await pilot.press("slash", *search, "enter")
        await settle(app, pilot)
        await pilot.press("j", "j", "j", "enter")
        opened, before = table(app).current.id, table(app).papers
        with Cache(many.path) as other:  # a sync page, a `paperdeck star` elsewhere
            other.upsert(papers(2, seed=99, start=date(2020, 1, 1)))
        await pilot.pause(WATCH_S + 0.5)
        await settle(app, pilot)
        assert table(app).papers is not before  # the reader saw the write
        assert (table(app).cursor, table(app).current.id) == (3, opened)
        assert read_ids(many) == [opened]


# --- the unread and starred views hold still ---------------------------------------------


async def test_reading_down_the_unread_view_skips_no_paper(many: Cache):
    order = newest_first(many)
    app = make_app(many)
    async with app.run_test(size=(140, 30)) as pilot:
        await pilot.press("v")  # All → Unread
        await settle(app, pilot)
        await pilot.press("enter")  # each paper the pane shows is marked read
        seen = [table(app).current.id]
        for _ in range(FETCH + 20):  # past the rows fetched at first, among read ones
            await pilot.press("j")
            seen.append(table(app).current.id)
        await settle(app, pilot)
        assert seen == order[: len(seen)]
        assert read_ids(many) == seen and main_screen(app).view.unread


async def test_unstarring_down_the_starred_view_skips_no_paper(many: Cache):
    order = newest_first(many)
    for paper_id in order:
        many.set_starred(paper_id, True)
    app = make_app(many)
    async with app.run_test(size=(140, 30)) as pilot:
        await pilot.press("v", "v")  # All → Unread → Starred
        await settle(app, pilot)
        seen = []
        for _ in range(FETCH + 20):
            seen.append(table(app).current.id)
            await pilot.press("s", "j")
        await settle(app, pilot)
        assert seen == order[: len(seen)]
        assert all(not many.state(paper_id).starred for paper_id in seen)


async def test_r_lets_the_papers_read_meanwhile_leave_the_unread_view(cache: Cache):
    app = make_app(cache)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("v")  # Unread
        await settle(app, pilot)
        await pilot.press("m", "j", "m")
        await settle(app, pilot)
        assert table(app).total == 9  # read, and still in place
        await pilot.press("R")
        await settle(app, pilot)
        assert table(app).total == 7 and table(app).current.id == SAMPLE_ORDER[2]


async def test_a_late_move_from_the_last_view_does_not_join_the_next(cache: Cache):
    cache.set_starred(SAMPLE_ORDER[5], True)
    app = make_app(cache)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("v")  # Unread
        await settle(app, pilot)
        await pilot.press("enter")
        late = table(app).row(1)  # what a queued j carries
        await pilot.press("v")  # Unread → Starred
        await settle(app, pilot)
        table(app).post_message(PaperTable.Highlighted(late, 1))  # ...handled only now
        await settle(app, pilot)
        assert late.id not in table(app).papers.kept
        assert PaperList(cache, View(starred=True)).total == table(app).total == 1


# --- searches slow to count --------------------------------------------------------------


@pytest.fixture
def slow_counts(monkeypatch):
    """Counting a search takes a second, as a common word does on a big cache."""
    real = view_loader.count_view

    def slow(*args, **kwargs):
        time.sleep(1.0)
        return real(*args, **kwargs)

    monkeypatch.setattr(view_loader, "count_view", slow)


async def test_a_search_keeps_its_count_when_the_reader_moves_before_it_comes(
    many: Cache, slow_counts
):
    hits = PaperList(many, View(search="model")).total
    assert hits > FETCH
    app = make_app(many)
    async with app.run_test(size=(140, 30)) as pilot:
        await pilot.press("enter", "slash", *"model", "enter")
        await pilot.pause(0.4)  # the first page is shown, the count is still running
        await pilot.press("j")  # a read mark: the unread figure is counted again
        await settle(app, pilot)
        assert table(app).total == hits and f"{hits} papers" in status(app)


async def test_moving_while_a_search_reloads_keeps_the_new_place(many: Cache, slow_counts):
    app = make_app(many)
    async with app.run_test(size=(140, 30)) as pilot:
        await pilot.press("v", "slash", *"model", "enter")  # unread papers about models
        await settle(app, pilot)
        await pilot.press("j", "j", "j", "enter")
        with Cache(many.path) as other:
            other.upsert(papers(2, seed=99, start=date(2020, 1, 1)))
        await pilot.pause(WATCH_S + 0.3)  # the reload is counting
        await pilot.press("j", "j")  # two more papers read meanwhile
        moved_to = table(app).current.id
        await settle(app, pilot)
        await pilot.pause(WATCH_S + 0.3)
        await settle(app, pilot)
        assert (table(app).cursor, table(app).current.id) == (5, moved_to)
        hits = PaperList(many, View(search="model")).window(0, 1000)
        rows = [table(app).row(index).id for index in range(len(hits))]
        assert rows == [row.id for row in hits]  # none skipped, the read ones kept
