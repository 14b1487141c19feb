"""Building the reader for tests: an app on a temporary cache, and reading its screen."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from textual.worker import WorkerCancelled

from paperdeck.storage.cache.database import Cache
from paperdeck.storage.config import Config
from paperdeck.storage.library.importer import import_file
from paperdeck.storage.state import UiState
from paperdeck.tui.app import PaperdeckApp
from paperdeck.tui.screens.main import MainScreen
from paperdeck.tui.widgets.abstract_pane import AbstractPane
from paperdeck.tui.widgets.paper_table import PaperTable

SAMPLE = Path(__file__).parent / "data" / "sample-digest.md"

# The sample digest, newest first (published, then id).
SAMPLE_ORDER = [
    "2406.10031", "2406.10012", "2406.10007", "2406.09990", "2406.09981",
    "2406.09954", "2406.09911", "2406.09903", "2406.09870",
]


def sample_cache(path: Path) -> Cache:
    cache = Cache(path)
    report = import_file(cache, str(SAMPLE))
    assert report.ok and report.counts.new == 9, report
    return cache


def make_app(cache: Cache, ui_state: UiState | None = None, **sections) -> PaperdeckApp:
    """The reader on ``cache``; ``sections`` replace parts of the default configuration,
    e.g. ``ui=UiSettings(auto_mark_read=False)`` or ``keys={"star": "f"}``."""
    config = replace(Config(), **sections)
    return PaperdeckApp(config, cache, ui_state)


def main_screen(app: PaperdeckApp) -> MainScreen:
    return next(s for s in app.screen_stack if isinstance(s, MainScreen))


def table_lines(app: PaperdeckApp) -> list[str]:
    """The table's rows as the screen shows them."""
    table = main_screen(app).query_one(PaperTable)
    return [table.render_line(y).text for y in range(min(table.size.height, table.total))]


def pane_text(app: PaperdeckApp) -> str:
    pane = main_screen(app).query_one(AbstractPane)
    return "\n".join(str(w.render()) for w in pane.children if w.display)


async def settle(app: PaperdeckApp, pilot) -> None:
    """Wait for the workers running now, and those they make way for (an exclusive
    worker replaced by a newer one ends cancelled), then for the screen."""
    while True:
        try:
            await app.workers.wait_for_complete()
            break
        except WorkerCancelled:
            pass
    await pilot.pause()
