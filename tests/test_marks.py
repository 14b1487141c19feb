"""Stars and read marks: shown at once, saved in order by the writer — also while another
process holds the cache's write lock — and mark-all-read with its undo."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from paperdeck.storage.cache import database as cache_module
from paperdeck.storage.cache.database import Cache, CacheInaccessible
from paperdeck.storage.config import UiSettings
from paperdeck.tui.screens.confirm import ConfirmScreen
from paperdeck.tui.screens.main import MainScreen
from tests.tui_support import (
    SAMPLE_ORDER,
    make_app,
    notes,
    sample_cache,
    settle,
    status,
    table,
    table_lines,
)

SIZE = (140, 40)


async def test_s_stars_and_unstars(sample: Cache):
    app = make_app(sample)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "s")
        assert table_lines(app)[1].startswith("●★")
        await settle(app, pilot)
        assert sample.state("2406.10012").starred
        await pilot.press("s")
        await settle(app, pilot)
        assert not sample.state("2406.10012").starred
        assert table_lines(app)[1].startswith("● ")


async def test_m_toggles_read(sample: Cache):
    app = make_app(sample)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("m")
        assert table_lines(app)[0].startswith(" ")
        await settle(app, pilot)
        assert sample.state(SAMPLE_ORDER[0]).read and "8 unread" in status(app)
        await pilot.press("m")
        await settle(app, pilot)
        assert not sample.state(SAMPLE_ORDER[0]).read and "9 unread" in status(app)


async def test_opening_a_paper_marks_it_read(sample: Cache):
    app = make_app(sample)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "enter")
        await settle(app, pilot)
        assert sample.state("2406.10012").read and table_lines(app)[1].startswith(" ")


async def test_auto_mark_read_can_be_turned_off(sample: Cache):
    app = make_app(sample, ui=UiSettings(auto_mark_read=False))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "j")
        await settle(app, pilot)
        assert not sample.state(SAMPLE_ORDER[0]).read and not sample.state(SAMPLE_ORDER[1]).read


async def test_a_late_auto_mark_shows_on_its_own_row(sample: Cache):
    app = make_app(sample)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        table(app).action_cursor_down()  # two key repeats before the screen catches up
        table(app).action_cursor_down()
        await settle(app, pilot)
        shown = [table(app).row(index).read for index in range(3)]
        assert shown == [True, True, True]
        assert [sample.state(paper_id).read for paper_id in SAMPLE_ORDER[:3]] == shown


async def test_a_star_in_the_app_is_seen_by_the_cli_at_once(private_paths: Path):
    private_paths.mkdir(parents=True, exist_ok=True)
    with sample_cache(private_paths / "paperdeck.db") as sample:
        app = make_app(sample)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("j", "s")
            await settle(app, pilot)
            listed = subprocess.run(  # another process, while the app is open
                [sys.executable, "-m", "paperdeck", "list", "--starred", "--format", "json"],
                cwd=Path(__file__).parents[1], capture_output=True, text=True, timeout=60,
            )  # fmt: skip
            assert [p["id"] for p in json.loads(listed.stdout)] == ["2406.10012"]


# --- the UI thread never waits for the cache -----------------------------------------------


async def test_a_star_shows_at_once_while_another_process_holds_the_lock(
    sample: Cache, monkeypatch: pytest.MonkeyPatch
):
    took = []
    star = MainScreen.action_star

    def timed(screen: MainScreen) -> None:  # how long the key's handler holds the UI thread
        began = time.perf_counter()
        star(screen)
        took.append(time.perf_counter() - began)

    monkeypatch.setattr(MainScreen, "action_star", timed)
    app = make_app(sample)
    async with app.run_test(size=SIZE) as pilot:
        with Cache(sample.path) as other, other.transaction():  # a long import elsewhere
            await pilot.press("s")
            assert table_lines(app)[0].startswith("●★")
            assert not sample.state(SAMPLE_ORDER[0]).starred  # not saved yet: it waits its turn
        await settle(app, pilot)  # the lock is free
        assert sample.state(SAMPLE_ORDER[0]).starred
        assert table_lines(app)[0].startswith("●★")
    assert took[0] < 0.1, f"the key waited {took[0]:.2f} s for the cache"  # not the 15 s


async def test_a_star_then_an_unstar_while_the_cache_is_locked_end_unstarred(sample: Cache):
    app = make_app(sample)
    async with app.run_test(size=SIZE) as pilot:
        with Cache(sample.path) as other, other.transaction():
            await pilot.press("s", "m", "s")
            assert table_lines(app)[0].startswith("  ")  # read, not starred
        await settle(app, pilot)
        state = sample.state(SAMPLE_ORDER[0])
        assert (state.starred, state.read) == (False, True)


async def test_a_mark_kept_waiting_past_the_busy_timeout_is_saved_when_the_lock_frees(
    sample: Cache, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(cache_module, "BUSY_TIMEOUT_S", 0.2)  # instead of waiting 15 s
    app = make_app(sample)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        with Cache(sample.path) as other, other.transaction():
            await pilot.press("s", "j", "m")
            await pilot.pause(0.6)  # the writer's first try gave up: it says so, and waits on
            assert table_lines(app)[0].startswith("●★") and table_lines(app)[1].startswith(" ")
            assert notes(app, "warning") == [
                "The cache is busy (another paperdeck process is writing): the star of "
                f"{SAMPLE_ORDER[0]} is saved as soon as it is free."
            ]
        await settle(app, pilot)
        assert sample.state(SAMPLE_ORDER[0]).starred and sample.state(SAMPLE_ORDER[1]).read
        assert notes(app, "error") == []


async def test_a_mark_that_cannot_be_saved_is_reported_and_leaves_the_screen(
    sample: Cache, monkeypatch: pytest.MonkeyPatch
):
    def refuse(self, paper_id: str, starred: bool) -> None:
        raise CacheInaccessible(f"{self.path}: the cache cannot be read or written (readonly)")

    monkeypatch.setattr(Cache, "set_starred", refuse)
    app = make_app(sample)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("s")
        await settle(app, pilot)
        assert table_lines(app)[0].startswith("● ")
        [note] = notes(app, "error")
        assert note.startswith("Not saved") and "cannot be read or written (readonly)" in note
        assert app.is_running


async def test_marks_still_queued_when_the_reader_quits_are_saved(sample: Cache):
    locked, release = threading.Event(), threading.Event()

    def another_process() -> None:  # holds the write lock until told, then a moment more
        with Cache(sample.path) as other, other.transaction():
            locked.set()
            release.wait(5)
            time.sleep(0.3)

    holder = threading.Thread(target=another_process)
    holder.start()
    locked.wait(5)
    app = make_app(sample)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s", "j", "s")
        release.set()  # the reader quits while its marks wait for the lock
    holder.join()
    assert app.writer.unsaved == []
    assert [sample.state(paper_id).starred for paper_id in SAMPLE_ORDER[:3]] == [True, True, False]


# --- every paper of a view -----------------------------------------------------------------


async def test_shift_m_marks_the_view_read_after_confirming_and_u_undoes(sample: Cache):
    sample.set_read(SAMPLE_ORDER[2], True)
    app = make_app(sample, ui=UiSettings(auto_mark_read=False))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("M")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")  # no
        await settle(app, pilot)
        assert not sample.state(SAMPLE_ORDER[0]).read
        await pilot.press("M", "y")
        await settle(app, pilot)
        assert all(sample.state(i).read for i in SAMPLE_ORDER)
        assert "0 unread" in status(app)
        assert "Marked every paper in “All papers” read. Press u to undo." in notes(app)
        await pilot.press("u")
        await settle(app, pilot)
        assert [sample.state(i).read for i in SAMPLE_ORDER].count(True) == 1
        assert sample.state(SAMPLE_ORDER[2]).read  # what was read before stays read
        assert "Marked 8 papers unread again." in notes(app)
        await pilot.press("u")  # once only
        await settle(app, pilot)
        assert [sample.state(i).read for i in SAMPLE_ORDER].count(True) == 1


async def test_a_star_during_mark_all_read_shows_at_once_and_is_saved_after_it(sample: Cache):
    app = make_app(sample)
    async with app.run_test(size=SIZE) as pilot:
        with Cache(sample.path) as other, other.transaction():  # mark-all waits for it
            await pilot.press("M", "y")
            await pilot.pause()
            await pilot.press("s")
            assert table_lines(app)[0].startswith("●★")
            assert not sample.state(SAMPLE_ORDER[0]).starred
        await settle(app, pilot)
        assert sample.count_read() == sample.count_papers()
        assert sample.state(SAMPLE_ORDER[0]).starred
        assert table_lines(app)[0].startswith(" ★")


async def test_undoing_mark_all_in_an_emptied_view_marks_nothing_on_its_own(sample: Cache):
    app = make_app(sample)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("v")  # Unread
        await settle(app, pilot)
        await pilot.press("enter", "M", "y")  # the view empties; the pane stays open
        await settle(app, pilot)
        assert table(app).total == 0
        await pilot.press("u")
        await settle(app, pilot)
        assert table(app).total == 8
        assert [i for i in SAMPLE_ORDER if sample.state(i).read] == [SAMPLE_ORDER[0]]
