"""SVG snapshots of triage: a paper with its watch hits and its place in the interest
order, the end of a session, a watched paper in the table.

Update after a deliberate change with
``python -m pytest tests/test_triage_snapshots.py --snapshot-update`` and look at the new
SVGs before committing them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from paperdeck.storage.cache.database import Cache
from paperdeck.storage.config import LibrarySettings, Rule
from paperdeck.storage.state import UiState
from tests.tui_support import SAMPLE_ORDER, make_app, sample_cache, settle

WIDE = (140, 36)
WATCH = [Rule(name="Noise", keywords=['"sensor noise"', "noise", "keypoint*"])]
LIBRARY = LibrarySettings(quick_tags=["cite", "method"])


@pytest.fixture
def cache(tmp_path: Path):
    with sample_cache(tmp_path / "c.db") as opened:
        opened.set_starred(SAMPLE_ORDER[0], True)  # a NeRF paper: vision first
        opened.set_read(SAMPLE_ORDER[0], True)
        yield opened


def settled(*keys: str):
    """A run_before that presses ``keys`` and waits until every worker is done."""

    async def run(pilot) -> None:
        await settle(pilot.app, pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot.app, pilot)
        await pilot.pause(0.3)
        await settle(pilot.app, pilot)

    return run


def test_a_paper_in_triage(snap_compare, cache: Cache):
    """Interest order: the paper most like the starred one, a watch hit highlighted."""
    app = make_app(cache, UiState(sort="interest"), watch=WATCH, library=LIBRARY)
    assert snap_compare(app, terminal_size=WIDE, run_before=settled("T"))


def test_the_end_of_a_session(snap_compare, cache: Cache):
    app = make_app(cache, library=LIBRARY)
    keys = ("T", "y", "l", "x", "1", *["space"] * 4)
    assert snap_compare(app, terminal_size=WIDE, run_before=settled(*keys))


def test_a_watched_paper_in_the_table(snap_compare, cache: Cache):
    app = make_app(cache, watch=WATCH)
    assert snap_compare(app, terminal_size=WIDE, run_before=settled("enter"))
