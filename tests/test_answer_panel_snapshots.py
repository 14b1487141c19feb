"""SVG snapshots of the answer panel: beside the text on a wide terminal, below it on a
narrow one, with an earlier answer whose citations are marked found and not found (and
markup in the answer shown as it is). Update with ``--snapshot-update`` after a
deliberate change, and look at the SVGs first."""

from __future__ import annotations

from pathlib import Path

import pytest

from paperdeck.storage.cache import assistant as kept
from paperdeck.storage.cache.database import Cache
from tests.support.assistant import store_synthetic
from tests.support.fulltext import SYNTHETIC_ID
from tests.support.fulltext_reader import make_app, settle

ANSWER = (
    'It keeps a gated memory [S1.p1] "a quote that was found" and claims more '
    '[S2.p1] "a quote the paper never had". [bold]Not markup[/bold].'
)
CITATIONS = [
    {"block": "S1.p1", "quote": "a quote that was found", "found": True},
    {"block": "S2.p1", "quote": "a quote the paper never had", "found": False},
]


@pytest.fixture
def cache(tmp_path: Path):
    with Cache(tmp_path / "snap.db") as opened:
        store_synthetic(opened)
        kept.save_answer(opened, SYNTHETIC_ID, "m", "What does it keep?", ANSWER, CITATIONS)
        yield opened


async def asking(pilot) -> None:
    await pilot.pause()
    await settle(pilot.app, pilot)
    await pilot.press("f")
    await settle(pilot.app, pilot)
    pilot.app.clear_notifications()  # the note about the paper's math would cover the list
    await pilot.press("a")
    pilot.app.screen.query_one("#ask-question").cursor_blink = False  # the same on every run
    await settle(pilot.app, pilot)
    await pilot.pause(0.2)


@pytest.mark.parametrize("size", [(140, 36), (90, 36)], ids=["beside", "below"])
def test_the_answer_panel(snap_compare, cache: Cache, size):
    assert snap_compare(make_app(cache), terminal_size=size, run_before=asking)
