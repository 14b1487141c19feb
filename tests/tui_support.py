"""Building the reader for tests: an app on a temporary cache, and reading its screen."""

from __future__ import annotations

import asyncio
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
from paperdeck.tui.widgets.status_line import StatusLine

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


def table(app: PaperdeckApp) -> PaperTable:
    return main_screen(app).query_one(PaperTable)


def status(app: PaperdeckApp) -> str:
    """The line above the table: the view, its counts, the order."""
    return str(main_screen(app).query_one(StatusLine).render())


def table_lines(app: PaperdeckApp) -> list[str]:
    """The table's rows as the screen shows them."""
    table = main_screen(app).query_one(PaperTable)
    return [table.render_line(y).text for y in range(min(table.size.height, table.total))]


def pane_text(app: PaperdeckApp) -> str:
    pane = main_screen(app).query_one(AbstractPane)
    return "\n".join(str(w.render()) for w in pane.children if w.display)


async def settle(app: PaperdeckApp, pilot) -> None:
    """Wait until the writer has saved what it was given and no worker runs (those the
    answers start included), then for the screen."""
    while True:
        await asyncio.to_thread(app.writer.join)
        await pilot.pause()
        if not [worker for worker in app.workers if worker.is_running]:
            break
        await workers_done(app)
    await pilot.pause()


async def workers_done(app: PaperdeckApp) -> None:
    """Wait for the workers running now, and those they make way for (an exclusive
    worker replaced by a newer one ends cancelled); not for the writer."""
    while True:
        try:
            await app.workers.wait_for_complete()
            return
        except WorkerCancelled:
            pass


def notes(app: PaperdeckApp, severity: str | None = None) -> list[str]:
    """The notifications on screen as the user reads them (title, then message); the
    app must run with ``notifications=True``. ``severity``: only those of it."""
    return [
        toast.render().plain.replace("\n", " ")
        for toast in app.screen.query("Toast")
        if severity is None or toast.has_class(f"-{severity}")
    ]
