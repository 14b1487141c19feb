"""SVG snapshots of the personal library in the reader: the tag line (#), quick tags (1–9),
the read-later mark (l), the note editor (e) and a saved view in the v cycle.

Update after a deliberate change with
``python -m pytest tests/test_library_snapshots.py --snapshot-update`` and look at the new
SVGs before committing them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from paperdeck.storage.cache import library
from paperdeck.storage.cache.database import Cache
from paperdeck.storage.config import LibrarySettings, SavedView
from tests.tui_support import SAMPLE_ORDER, make_app, sample_cache, settle

WIDE = (140, 36)


@pytest.fixture
def cache(tmp_path: Path):
    with sample_cache(tmp_path / "c.db") as opened:
        opened.set_read(SAMPLE_ORDER[2], True)
        opened.set_starred(SAMPLE_ORDER[1], True)
        library.change_tags(opened, [SAMPLE_ORDER[3]], ["proj/rag", "cite"])
        library.change_tags(opened, [SAMPLE_ORDER[4]], ["method"])
        library.set_note(opened, SAMPLE_ORDER[1], "Compare with the baseline in §4.\nCite in ch. 2.")
        yield opened


def settled(*keys: str):
    """A run_before that presses ``keys``, waits until every worker is done, and clears
    the notifications (their timing is not what these pictures show)."""

    async def run(pilot) -> None:
        await settle(pilot.app, pilot)
        for key in keys:
            await pilot.press(key)
        await pilot.pause(0.3)
        await settle(pilot.app, pilot)
        pilot.app.clear_notifications()
        screen = pilot.app.screen  # a screen pushed just now (the note's editor) is composed
        for _ in range(3000):
            if screen.is_mounted:
                break
            await pilot.pause(0.01)
        for field in pilot.app.screen.query("Input, TextArea"):
            field.cursor_blink = False  # a blinking cursor is in no fixed state
        await pilot.pause()

    return run


def test_the_tag_line(snap_compare, cache: Cache):
    keys = ("j", "j", "j", "number_sign", "plus", "c", "i")
    assert snap_compare(make_app(cache), terminal_size=WIDE, run_before=settled(*keys))


def test_quick_tags_in_the_table(snap_compare, cache: Cache):
    app = make_app(cache, library=LibrarySettings(quick_tags=["to-read", "cite"]))
    assert snap_compare(app, terminal_size=WIDE, run_before=settled("1", "2", "j", "1"))


def test_the_later_mark(snap_compare, cache: Cache):
    assert snap_compare(make_app(cache), terminal_size=WIDE, run_before=settled("l", "j", "l"))


def test_the_note_editor(snap_compare, cache: Cache):
    keys = ("j", "enter", "e")
    assert snap_compare(make_app(cache), terminal_size=WIDE, run_before=settled(*keys))


def test_a_saved_view(snap_compare, cache: Cache):
    app = make_app(cache, views=[SavedView("To cite", "tag:cite -is:read")])
    keys = ("v", "v", "v", "v", "enter")
    assert snap_compare(app, terminal_size=WIDE, run_before=settled(*keys))
