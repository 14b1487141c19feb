"""The personal library in the reader: # (tags, with completion), 1–9 (quick tags), l (read
later), e (the note), * and L (the whole view, asked first, u undoes), the saved views in
the v cycle, a bad search said under the field, and the merge with other machines as the
reader opens."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.widgets import Input, TextArea

from paperdeck.storage.cache import library
from paperdeck.storage.cache.database import Cache
from paperdeck.storage.config import LibrarySettings, SavedView
from paperdeck.tui.screens.confirm import ConfirmScreen
from paperdeck.tui.screens.library import NoteEditor, TagLine
from paperdeck.tui.widgets.search_box import SearchBox
from tests.tui_support import (
    SAMPLE_ORDER,
    main_screen,
    make_app,
    notes,
    pane_text,
    sample_cache,
    settle,
    status,
    table,
    table_lines,
)

FIRST = SAMPLE_ORDER[0]


@pytest.fixture
def cache(tmp_path: Path):
    with sample_cache(tmp_path / "c.db") as opened:
        yield opened


def tags(cache: Cache, paper_id: str = FIRST) -> tuple[str, ...]:
    return cache.state(paper_id).tags


async def type_text(pilot, text: str) -> None:
    for char in text:
        await pilot.press(char if char != " " else "space")


async def test_the_tag_line_adds_and_removes_with_completion(cache: Cache):
    library.change_tags(cache, [SAMPLE_ORDER[3]], ["proj/rag"])
    library.change_tags(cache, [FIRST], ["old"])
    app = make_app(cache)
    async with app.run_test(size=(140, 36)) as pilot:
        await settle(app, pilot)
        await pilot.press("number_sign")
        assert isinstance(app.screen, TagLine)
        await type_text(pilot, "+cite -old +pr")
        await pilot.press("right")  # accepts the completion
        assert app.screen.query_one(Input).value == "+cite -old +proj/rag"
        await pilot.press("enter")
        await settle(app, pilot)
        assert "#cite #proj/rag" in table_lines(app)[0]
    assert tags(cache) == ("cite", "proj/rag")


async def test_a_bad_tag_line_says_why_and_stays_open(cache: Cache):
    app = make_app(cache)
    async with app.run_test(size=(140, 36)) as pilot:
        await settle(app, pilot)
        await pilot.press("number_sign")
        await type_text(pilot, "+Bad!")
        await pilot.press("enter")
        assert isinstance(app.screen, TagLine)
        assert "not a tag name" in str(app.screen.query_one("#tag-hint").render())
        await pilot.press("escape")
        await settle(app, pilot)
    assert tags(cache) == ()


async def test_quick_tags(cache: Cache):
    app = make_app(cache, library=LibrarySettings(quick_tags=["to-read", "cite"]))
    async with app.run_test(size=(140, 36), notifications=True) as pilot:
        await settle(app, pilot)
        await pilot.press("2", "1")
        await settle(app, pilot)
        assert tags(cache) == ("cite", "to-read")
        await pilot.press("2")
        await settle(app, pilot)
        assert tags(cache) == ("to-read",)
        await pilot.press("9")
        await pilot.pause()
        assert any("No quick tag 9" in note for note in notes(app))


async def test_later_toggles(cache: Cache):
    app = make_app(cache)
    async with app.run_test(size=(140, 36)) as pilot:
        await settle(app, pilot)
        await pilot.press("l")
        assert "◷" in table_lines(app)[0]  # at once, before it is saved
        await settle(app, pilot)
        assert cache.state(FIRST).later
        await pilot.press("l")
        await settle(app, pilot)
        assert not cache.state(FIRST).later and "◷" not in table_lines(app)[0]


async def test_the_note_editor_saves_and_cancels(cache: Cache):
    app = make_app(cache)
    async with app.run_test(size=(140, 36)) as pilot:
        await settle(app, pilot)
        await pilot.press("enter", "e")
        await settle(app, pilot)  # the note is read in a worker, then the editor opens
        assert isinstance(app.screen, NoteEditor)
        app.screen.query_one(TextArea).insert("Check §3 [bold]not markup[/bold]")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert cache.state(FIRST).note == "Check §3 [bold]not markup[/bold]"
        assert "Note: Check §3 [bold]not markup[/bold]" in pane_text(app)
        await pilot.press("e")
        await settle(app, pilot)
        app.screen.query_one(TextArea).insert("more ")
        await pilot.press("escape")
        await settle(app, pilot)
        assert cache.state(FIRST).note == "Check §3 [bold]not markup[/bold]"


async def test_the_whole_view_tagged_and_put_on_later_with_undo(cache: Cache):
    app = make_app(cache)
    async with app.run_test(size=(140, 36), notifications=True) as pilot:
        await settle(app, pilot)
        await pilot.press("asterisk")
        await type_text(pilot, "+batch")
        await pilot.press("enter")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(app, pilot)
        assert all(tags(cache, p) == ("batch",) for p in SAMPLE_ORDER)
        assert any("9 papers changed. Press u to undo" in n for n in notes(app))
        await pilot.press("u")
        await settle(app, pilot)
        assert all(tags(cache, p) == () for p in SAMPLE_ORDER)
        await pilot.press("L")
        await pilot.press("n")  # asked first: no
        await settle(app, pilot)
        assert not any(cache.state(p).later for p in SAMPLE_ORDER)
        await pilot.press("L", "y")
        await settle(app, pilot)
        assert all(cache.state(p).later for p in SAMPLE_ORDER)
        await pilot.press("u")
        await settle(app, pilot)
        assert not any(cache.state(p).later for p in SAMPLE_ORDER)


async def test_saved_views_and_the_later_list_in_the_v_cycle(cache: Cache):
    library.change_tags(cache, SAMPLE_ORDER[:3], ["cite"])
    cache.set_read(SAMPLE_ORDER[1], True)
    library.set_later(cache, [SAMPLE_ORDER[5]], True)
    views = [SavedView("To cite", "tag:cite -is:read")]
    app = make_app(cache, views=views)
    async with app.run_test(size=(140, 36)) as pilot:
        await settle(app, pilot)
        await pilot.press("v", "v", "v")
        await settle(app, pilot)
        assert "Read later" in status(app) and table(app).total == 1
        await pilot.press("v")
        await settle(app, pilot)
        assert "To cite" in status(app)
        assert [table(app).row(i).id for i in range(table(app).total)] == [
            SAMPLE_ORDER[0], SAMPLE_ORDER[2]
        ]
        await pilot.press("m")  # read it: it stays until the view is loaded afresh
        await settle(app, pilot)
        assert table(app).total == 2


async def test_a_bad_search_is_said_under_the_field(cache: Cache):
    app = make_app(cache)
    async with app.run_test(size=(140, 36)) as pilot:
        await settle(app, pilot)
        await pilot.press("slash")
        box = main_screen(app).query_one(SearchBox)
        box.value = "is:bogus"  # at once: typed slowly, "is" would be searched on the way
        await pilot.press("enter")
        await settle(app, pilot)
        assert "is:bogus: is: takes starred|unread|read|later" in box.border_subtitle
        assert table(app).total == len(SAMPLE_ORDER)


async def test_the_library_is_merged_as_the_reader_opens(cache: Cache, tmp_path: Path):
    shared = tmp_path / "shared"
    shared.mkdir()
    line = {"v": 1, "m": "desk", "s": 1, "t": "2026-01-01T00:00:00.000Z", "id": FIRST,
            "f": "tag", "tag": "from-desk", "x": True}
    (shared / "desk.jsonl").write_text(json.dumps(line) + "\n")
    settings = LibrarySettings(sync_dir=str(shared), machine="here")
    app = make_app(cache, library=settings)
    async with app.run_test(size=(140, 36)) as pilot:
        await settle(app, pilot)
        await pilot.pause(0.2)
        await settle(app, pilot)
        assert "#from-desk" in table_lines(app)[0]
    assert tags(cache) == ("from-desk",)
