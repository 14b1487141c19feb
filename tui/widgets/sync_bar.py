"""The sync bar: ``r`` brings the configured sources in, in a worker, with its progress."""

from __future__ import annotations

import threading

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Label, ProgressBar

from paperdeck.storage.config import Config, config_path
from paperdeck.storage.sources.library import LIBRARY, merge_library
from paperdeck.storage.sources.runner import SyncEvent, SyncSummary, plan, run_sync
from paperdeck.tui.workers import thread_worker, worker_cache


class SyncBar(Horizontal):
    """Shown while a sync runs: the source, its page, what it brought so far."""

    DEFAULT_CSS = """
    SyncBar { height: 1; background: $panel; padding: 0 1; }
    SyncBar > #sync-label { width: 1fr; }
    SyncBar > #sync-progress { width: 40; }
    """

    running: reactive[bool] = reactive(False)

    class Progress(Message):
        """The sync's progress; a newer one replaces an older one still queued."""

        def __init__(self, event: SyncEvent) -> None:
            super().__init__()
            self.event = event

        def can_replace(self, message: Message) -> bool:
            return (
                isinstance(message, SyncBar.Progress)
                and message.event.kind == "page"
                and self.event.source == message.event.source
            )

    class Finished(Message):
        """The sync ended: every source's result (None when it broke down)."""

        def __init__(self, summary: SyncSummary | None) -> None:
            super().__init__()
            self.summary = summary

    def __init__(self, config: Config, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.config = config
        self._stop = threading.Event()

    def compose(self) -> ComposeResult:
        yield Label(id="sync-label")
        yield ProgressBar(id="sync-progress", show_eta=False)

    def watch_running(self, running: bool) -> None:
        self.display = running

    def start(self) -> None:
        """Sync every configured source, unless a sync runs already or none is configured."""
        if self.running:
            self.notify("A sync is already running.")
            return
        names = [source.name for source in plan(self.config)]
        if self.config.library.sync_dir:  # merged first, as one more source
            names.insert(0, LIBRARY)
        if not names:
            where = self.config.path or config_path()
            self.notify(f"Nothing to sync: no topics, feeds or digests in {where}.", markup=False)
            return
        self.query_one(ProgressBar).update(total=len(names), progress=0)
        self.query_one(Label).update(Text(f"Syncing {names[0]}…"))
        self.running = True
        self._sync()

    @thread_worker("The sync", group="sync")
    def _sync(self) -> None:
        summary = None
        try:
            summary = run_sync(
                self.config,
                worker_cache(self.app.cache.path),
                progress=lambda event: self.post_message(self.Progress(event)),
                cancel=self._stop,
            )
        finally:
            self.post_message(self.Finished(summary))

    class Merged(Message):
        """The library was merged with the other machines' files (``applied`` changes)."""

        def __init__(self, applied: int) -> None:
            super().__init__()
            self.applied = applied

    def merge_library(self) -> None:
        """Merge the library with ``[library] sync_dir`` in a worker (the reader does it as
        it opens); only what changed, or could not be merged, is said."""
        if self.config.library.sync_dir and not self.running:
            self._merge()

    @thread_worker("Merging the library", group="library")
    def _merge(self) -> None:
        merged = merge_library(self.config, worker_cache(self.app.cache.path))
        if merged is None:
            return
        result, done = merged
        if result.error:
            self.notify(f"library: {result.error}", severity="error", markup=False, timeout=10)
        elif done is not None and (done.applied or done.skipped or done.notes):
            lines = [done.describe(), *done.details()[:5]]
            self.notify("\n".join(lines), title="Library merged", markup=False)
        self.post_message(self.Merged(result.updated))

    def on_sync_bar_progress(self, message: Progress) -> None:
        event = message.event
        if event.kind in ("done", "failed"):
            self.query_one(ProgressBar).advance(1)
        page = f" — page {event.page}" if event.page else ""
        self.query_one(Label).update(
            Text(f"Syncing {event.source}{page}: {event.new} new, {event.updated} updated")
        )

    def on_sync_bar_finished(self, message: Finished) -> None:
        """Hide, and say how it went; the message goes on to the screen."""
        self.running = False
        summary = message.summary
        if summary is None:
            return  # the worker's failure is noted already
        if summary.ok:
            self.notify(summary.describe(), title="Sync finished", markup=False)
        else:
            self.notify(
                summary.describe(),
                title="Sync finished with errors",
                severity="error",
                markup=False,
                timeout=12,
            )

    def on_unmount(self) -> None:
        self._stop.set()
