"""``r`` in the reader: the sync bar runs the sync in its worker, shows its progress, and
says how it went; the reader works on meanwhile and keeps the cursor on its paper."""

from __future__ import annotations

from pathlib import Path

import pytest

from paperdeck.storage.cache.database import Cache
from paperdeck.storage.config import SyncSettings
from paperdeck.tui.widgets import sync_bar as sync_bar_module
from paperdeck.tui.widgets.sync_bar import SyncBar
from paperdeck.tui.widgets.welcome import Welcome
from tests.support.arxiv_stub import ArxivStub, generated
from tests.support.loopback import LoopbackServer
from tests.support.sync_setup import config as sync_config
from tests.tui_support import main_screen, make_app, notes, settle, table

SIZE = (140, 40)
API = "/api/query"


def sections(config) -> dict:
    """The sections of a sync test configuration, as make_app takes them."""
    return {"arxiv": config.arxiv, "topics": config.topics}


def slow_stub(papers: int, delay: float = 0.3):
    stub = ArxivStub(generated(papers))

    def slowly(request):  # long enough to see the progress bar
        reply = stub(request)
        reply.delay = delay
        return reply

    return slowly


async def test_r_syncs_in_a_worker_and_keeps_the_cursor_on_its_paper(sample: Cache):
    with LoopbackServer({API: slow_stub(25)}) as server:
        app = make_app(sample, **sections(sync_config(server.url(API), page_size=10)))
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await pilot.press("j", "j")
            before = table(app).current.id
            await pilot.press("r")
            bar = main_screen(app).query_one(SyncBar)
            assert bar.running and bar.display
            await pilot.press("r")  # a second r while it runs starts nothing
            assert "A sync is already running." in notes(app)
            await settle(app, pilot)
            assert not bar.running and not bar.display
            assert table(app).total == 9 + 25
            assert table(app).current.id == before
            [finished] = [note for note in notes(app) if note.startswith("Sync finished")]
            assert "25 new" in finished


async def test_sync_when_offline_says_so_and_the_reader_keeps_working(tmp_path: Path):
    with Cache(tmp_path / "empty.db") as empty:
        app = make_app(empty, **sections(sync_config("http://127.0.0.1:9/api/query")))
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await pilot.press("r")
            await settle(app, pilot)
            note = str(main_screen(app).query_one(Welcome).render())
            assert "Could not sync: arXiv cannot be reached (offline?)" in note
            assert "127.0.0.1:9" in note and "keeps working offline" in note
            [said] = notes(app, "error")
            assert said.startswith("Sync finished with errors")


async def test_sync_on_start_runs_without_delaying_the_first_paint(sample: Cache):
    with LoopbackServer({API: ArxivStub(generated(3))}) as server:
        config = sync_config(server.url(API))
        app = make_app(sample, **sections(config), sync=SyncSettings(on_start=True))
        async with app.run_test(size=SIZE) as pilot:
            assert table(app).total == 9  # painted from the cache before the sync answered
            await settle(app, pilot)
            assert table(app).total == 12


async def test_nothing_to_sync_is_said_plainly(sample: Cache):
    app = make_app(sample, topics=[])
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("r")
        await pilot.pause()
        [said] = notes(app)
        assert said.startswith("Nothing to sync: no topics, feeds or digests in")
        assert not main_screen(app).query_one(SyncBar).running


async def test_a_sync_that_breaks_down_is_a_note_and_r_works_again(
    sample: Cache, monkeypatch: pytest.MonkeyPatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("the runner tripped")

    working = sync_bar_module.run_sync
    monkeypatch.setattr(sync_bar_module, "run_sync", broken)
    with LoopbackServer({API: ArxivStub(generated(3))}) as server:
        app = make_app(sample, **sections(sync_config(server.url(API))))
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await pilot.press("r")
            await settle(app, pilot)
            bar = main_screen(app).query_one(SyncBar)
            assert app.is_running and not bar.running and not bar.display
            assert notes(app, "error") == [
                "The sync failed (RuntimeError: the runner tripped); the reader goes on."
            ]
            monkeypatch.setattr(sync_bar_module, "run_sync", working)
            await pilot.press("r")
            await settle(app, pilot)
            assert table(app).total == 12
