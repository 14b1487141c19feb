"""Finding papers from the reader: a job that asks arXiv or ranks the cache while a box says
so (:class:`BusyScreen`: fetch an id, search arXiv, "more like this", citations), the line
that asks what to search arXiv for (:class:`ArxivSearchPrompt`), and the view picker
(:class:`ViewPicker`: every view by name, with a filter)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from paperdeck.storage.cache.database import Cache
from paperdeck.storage.cache.views import View
from paperdeck.storage.ranking.like import NothingToCompare
from paperdeck.storage.sources.arxiv_lookup import BadLookup
from paperdeck.storage.sources.base import SourceError
from paperdeck.storage.sources.semantic_scholar import CitationError
from paperdeck.tui.workers import thread_worker, worker_cache

EXPECTED = (SourceError, BadLookup, CitationError, NothingToCompare)
"""What a job may fail with in plain words (anything else is a bug: the worker policy)."""


class BusyScreen(ModalScreen[Any]):
    """Runs ``job(cache)`` in a worker (on the worker's own connection) and dismisses with
    its result; an expected failure is shown in the box until Escape (then None)."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Close", id="close_busy")]

    class Failed(Message, bubble=False):
        def __init__(self, reason: str) -> None:
            super().__init__()
            self.reason = reason

    class Done(Message, bubble=False):
        def __init__(self, result: Any) -> None:
            super().__init__()
            self.result = result

    def __init__(self, what: str, job: Callable[[Cache], Any]) -> None:
        super().__init__()
        self.what = what
        self.job = job

    def compose(self) -> ComposeResult:
        with Vertical(id="busy-box"):
            yield Static(Text(f"{self.what}…"), id="busy-what")
            yield Static(Text("Escape closes this box.", style="dim"), id="busy-hint")

    def on_mount(self) -> None:
        self._run()

    @thread_worker("Finding papers", group="find")
    def _run(self) -> None:
        try:
            result = self.job(worker_cache(self.app.cache.path))
        except EXPECTED as exc:
            self.post_message(self.Failed(str(exc)))
            return
        self.post_message(self.Done(result))

    def on_busy_screen_done(self, message: Done) -> None:
        self.dismiss(message.result)

    def on_busy_screen_failed(self, message: Failed) -> None:
        self.query_one("#busy-what", Static).update(Text(message.reason))


class ArxivSearchPrompt(ModalScreen[str | None]):
    """A: what to search arXiv for (plain words, or the API's own ``ti:``/``au:``/``cat:``)."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="cancel_arxiv_search")]

    def compose(self) -> ComposeResult:
        with Vertical(id="arxiv-search-box"):
            yield Static(Text("Search arXiv for (plain words, or ti: au: abs: cat:)"))
            yield Input(placeholder="e.g. retrieval augmented generation", id="arxiv-query")

    @on(Input.Submitted, "#arxiv-query")
    def _submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        self.dismiss(text or None)


class ViewPicker(ModalScreen[View | None]):
    """Every view by name; typing narrows the list, Enter shows the one highlighted."""

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Cancel", id="cancel_views"),
        Binding("down", "move(1)", "Next", show=False, id="views_down"),
        Binding("up", "move(-1)", "Previous", show=False, id="views_up"),
    ]

    def __init__(self, views: Sequence[View], current: View | None = None) -> None:
        super().__init__()
        self.views = list(views)
        self.current = current
        self.shown: list[View] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="views-box"):
            yield Static(Text(f"Views ({len(self.views)}): type to filter", style="bold"))
            yield Input(placeholder="filter", id="views-filter")
            yield OptionList(id="views-list")

    def on_mount(self) -> None:
        self._fill("")
        if self.current in self.shown:
            self.query_one(OptionList).highlighted = self.shown.index(self.current)

    @on(Input.Changed, "#views-filter")
    def _filter(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def _fill(self, text: str) -> None:
        words = text.casefold().split()
        self.shown = [v for v in self.views if all(w in v.label.casefold() for w in words)]
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options([Option(Text(v.label), id=str(n)) for n, v in enumerate(self.shown)])
        if self.shown:
            options.highlighted = 0

    def action_move(self, step: int) -> None:
        options = self.query_one(OptionList)
        if self.shown:
            at = options.highlighted if options.highlighted is not None else -step
            options.highlighted = max(0, min(len(self.shown) - 1, at + step))

    @on(Input.Submitted, "#views-filter")
    def _chosen_by_enter(self) -> None:
        at = self.query_one(OptionList).highlighted
        if self.shown and at is not None:
            self.dismiss(self.shown[at])

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.shown[int(event.option.id)])
