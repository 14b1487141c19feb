"""SVG snapshots of how the reader looks (pytest-textual-snapshot).

Update after a deliberate change with ``python -m pytest tests/test_snapshots.py --snapshot-update``
and look at the new SVGs before committing them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from paperdeck.storage.cache.database import Cache
from paperdeck.storage.config import TranslationSettings
from tests.tui_support import SAMPLE_ORDER, make_app, sample_cache, settle

WIDE = (140, 36)


@pytest.fixture
def cache(tmp_path: Path):
    with sample_cache(tmp_path / "c.db") as opened:
        opened.set_read(SAMPLE_ORDER[2], True)
        opened.set_starred(SAMPLE_ORDER[1], True)
        opened.set_starred(SAMPLE_ORDER[5], True)
        yield opened


def settled(*keys: str):
    """A run_before that presses ``keys`` and waits until every worker is done."""

    async def run(pilot) -> None:
        await settle(pilot.app, pilot)
        for key in keys:
            await pilot.press(key)
            await pilot.pause(0.2 if len(keys) > 3 else 0)
        await pilot.pause(0.3)
        await settle(pilot.app, pilot)

    return run


def test_the_table(snap_compare, cache: Cache):
    assert snap_compare(make_app(cache), terminal_size=WIDE, run_before=settled("j"))


def test_the_abstract_pane(snap_compare, cache: Cache):
    assert snap_compare(make_app(cache), terminal_size=WIDE, run_before=settled("j", "enter"))


def test_the_translation_shown(snap_compare, cache: Cache):
    app = make_app(cache, translation=TranslationSettings(target="zh"))
    assert snap_compare(app, terminal_size=WIDE, run_before=settled("j", "enter", "t"))


def test_search_results(snap_compare, cache: Cache):
    keys = ("slash", *"language", "enter")
    assert snap_compare(make_app(cache), terminal_size=WIDE, run_before=settled(*keys))


def test_the_starred_view(snap_compare, cache: Cache):
    assert snap_compare(make_app(cache), terminal_size=WIDE, run_before=settled("v", "v"))


def test_the_empty_cache_welcome(snap_compare, tmp_path: Path):
    with Cache(tmp_path / "empty.db") as empty:
        assert snap_compare(make_app(empty), terminal_size=WIDE, run_before=settled())


def test_the_help_screen(snap_compare, cache: Cache):
    assert snap_compare(make_app(cache), terminal_size=(100, 40), run_before=settled("question_mark"))


def test_a_narrow_terminal_stacks_the_pane(snap_compare, cache: Cache):
    assert snap_compare(make_app(cache), terminal_size=(72, 30), run_before=settled("enter"))
