"""Triage: the unread papers of the reader's view, one at a time.

``y`` stars the paper, ``l`` puts it on the later list, ``x`` dismisses it ("not for me"),
``1``–``9`` toggle the quick tags — each marks it read and moves on — and ``Space`` skips
it (it stays unread). ``u`` undoes the last decision, again and again back to the start of
the session. ``Escape`` (or ``q``) ends the session and says what was decided.

Each decision is saved as it is made, by the app's writer (its own thread and
connection, one transaction per decision): the screen never waits on the cache, and a
crash loses no decision already made. The writer hands back what the paper was before
(:class:`paperdeck.storage.cache.triage.Before`), which is what ``u`` restores.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Static

from paperdeck.storage.cache import triage
from paperdeck.storage.cache.database import Cache
from paperdeck.storage.cache.views import PaperList, View, count_view
from paperdeck.storage.config import config_path
from paperdeck.storage.models import PaperRow
from paperdeck.tui.widgets.marked_pane import MarkedPane, extras
from paperdeck.tui.widgets.summary_line import SummaryLine
from paperdeck.tui.workers import thread_worker, worker_cache
from paperdeck.tui.writer import CacheWriter, Write

_DONE = {"star": "starred", "later": "on the later list", "dismiss": "dismissed",
         "tag": "tagged", "skip": "skipped"}


@dataclass
class Step:
    """One decision of the session."""

    index: int
    """Where the paper stands in the session's list."""
    paper_id: str
    decision: str
    tag: str | None = None
    before: triage.Before | None = None
    """What the paper was before, once the writer saved the decision."""


@dataclass
class Summary:
    """What a session decided (undone decisions are not counted)."""

    seen: int = 0
    total: int = 0
    counts: dict[str, int] = field(default_factory=dict)

    def describe(self) -> str:
        if not self.counts:
            return f"Triage ended: nothing decided ({self.total:,} unread in the view)."
        parts = [
            f"{self.counts[d]:,} {_DONE[d]}"
            for d in ("star", "later", "dismiss", "tag", "skip")
            if self.counts.get(d)
        ]
        return f"Triage ended: {', '.join(parts)} — {self.seen:,} of {self.total:,} papers."


class DecisionWrite(Write):
    """One triage decision, saved by the writer; answers with :class:`TriageScreen.Saved`."""

    def __init__(self, step: Step) -> None:
        super().__init__(f"the triage decision on {step.paper_id} ({step.decision})", self._run)
        self.step = step

    def _run(self, cache: Cache) -> Message:
        step = self.step
        step.before = triage.decide(cache, step.paper_id, step.decision, step.tag)
        return TriageScreen.Saved(step)


class UndoDecision(Write):
    def __init__(self, step: Step) -> None:
        super().__init__(f"undoing the triage decision on {step.paper_id}", self._run)
        self.step = step

    def _run(self, cache: Cache) -> Message | None:
        if self.step.before is not None:  # saved before (the writer keeps the order)
            triage.undo(cache, self.step.before)
        return TriageScreen.Undone(self.step)


class DismissWrite(Write):
    """``x`` in the table: dismiss a paper, or take its dismissal back."""

    class Done(Message):
        def __init__(self, paper_id: str, title: str, on: bool) -> None:
            super().__init__()
            self.paper_id = paper_id
            self.title = title
            self.on = on

    def __init__(self, paper_id: str, title: str) -> None:
        super().__init__(f"the dismissal of {paper_id}", self._run)
        self.paper_id = paper_id
        self.title = title

    def _run(self, cache: Cache) -> Message:
        on = not triage.dismissed(cache, [self.paper_id])
        triage.set_dismissed(cache, [self.paper_id], on)
        return self.Done(self.paper_id, self.title, on)


class TriageScreen(Screen[Summary]):
    """One unread paper at a time; dismissed with the session's :class:`Summary`."""

    BINDINGS = [
        Binding("y", "decide('star')", "Star", id="triage_star"),
        Binding("l", "decide('later')", "Later", id="triage_later"),
        Binding("x", "decide('dismiss')", "Dismiss", id="triage_dismiss"),
        Binding("space", "decide('skip')", "Skip", id="triage_skip"),
        Binding("u", "undo", "Undo", id="triage_undo"),
        # The same keys (and ids: [keys] remaps both) as in the reader:
        Binding("t", "translate", "Translate", id="translate"),
        Binding("f", "full_text", "Full text", id="open_fulltext"),
        Binding("c", "open_code", "Code", id="open_code"),
        Binding("escape,q", "end", "End", id="triage_end"),
        *(
            Binding(str(n), f"tag({n})", f"Quick tag {n}", show=False, id=f"triage_tag_{n}")
            for n in range(1, 10)
        ),
    ]

    class Listed(Message):
        """A worker counted the session's papers and fetched the first ones."""

        def __init__(self, total: int, rows: list[PaperRow]) -> None:
            super().__init__()
            self.total = total
            self.rows = rows

    class Saved(Message):
        def __init__(self, step: Step) -> None:
            super().__init__()
            self.step = step

    class Undone(Message):
        def __init__(self, step: Step) -> None:
            super().__init__()
            self.step = step

    def __init__(self, view: View) -> None:
        """Triage the unread papers of ``view``, in its order."""
        super().__init__()
        self.view = view.with_(unread=True)
        self.papers: PaperList | None = None
        self.index = 0
        self.history: list[Step] = []
        self.current: PaperRow | None = None
        self._ranked = False
        """The session walks the interest order: the pane says why each paper is there."""

    @property
    def cache(self) -> Cache:
        return self.app.cache

    @property
    def quick_tags(self) -> list[str]:
        library = getattr(self.app.config, "library", None)
        return list(getattr(library, "quick_tags", []) or [])

    def compose(self) -> ComposeResult:
        config = self.app.config
        yield Static(id="triage-progress")
        yield MarkedPane(config.translation, config.path or config_path(), id="triage-pane")
        yield Static(id="triage-end")
        yield Footer()

    @property
    def pane(self) -> MarkedPane:
        return self.query_one(MarkedPane)

    def on_mount(self) -> None:
        self.query_one("#triage-end").display = False
        self.pane.display = False
        self._progress("counting the unread papers…")
        self._ranked = self.view.effective_sort == "interest"
        self._list(self.view)

    # --- the session's papers -------------------------------------------------------------

    @thread_worker("Listing the papers to triage", group="triage")
    def _list(self, view: View) -> None:
        cache = worker_cache(self.cache.path)
        total = count_view(cache, view)
        rows = PaperList(cache, view, total=total).window(0, 1)
        self.post_message(self.Listed(total, rows))

    def on_triage_screen_listed(self, message: Listed) -> None:
        self.papers = PaperList(self.cache, self.view, total=message.total)
        self.papers.seed(message.rows)
        self._show(0)

    def _show(self, index: int) -> None:
        """Show the paper at ``index``, or the end of the session after the last one."""
        self.index = index
        papers = self.papers
        row = papers.row(index) if papers is not None and index < papers.total else None
        self.current = row
        detail = self.cache.detail(row.id) if row is not None else None
        if detail is None:
            self._at_end()
            return
        self.query_one("#triage-end").display = False
        self.pane.display = True
        self.pane.show_marked(detail, *extras(self.cache, self.app.config, row.id, self._ranked))
        following = papers.row(index + 1) if index + 1 < papers.total else None
        if following is not None:  # its summary made while this paper is read
            self.pane.query_one(SummaryLine).make_ahead(following.id)
        self._progress()

    def _at_end(self) -> None:
        self.pane.display = False
        end = self.query_one("#triage-end", Static)
        end.display = True
        summary = self.summary()
        if not summary.total:
            line = f"No unread papers in “{self.view.label}”."
        else:
            line = f"That was the last of {summary.total:,}. {summary.describe()}"
        end.update(
            Text(f"{line}\n\nu undoes the last decision; Escape or q returns to the reader.")
        )
        self._progress()

    def summary(self) -> Summary:
        counts: dict[str, int] = {}
        for step in self.history:
            counts[step.decision] = counts.get(step.decision, 0) + 1
        total = self.papers.total if self.papers is not None else 0
        return Summary(seen=len(self.history), total=total, counts=counts)

    def _progress(self, note: str = "") -> None:
        line = Text()
        line.append("Triage", "bold")
        line.append("  ")
        line.append(self.view.label, "bold")  # may hold a search: plain Text, never markup
        if self.papers is not None:
            shown = min(self.index + 1, self.papers.total)
            line.append(f"  ·  {shown:,} of {self.papers.total:,}")
            summary = self.summary()
            for decision in ("star", "later", "dismiss", "tag", "skip"):
                if summary.counts.get(decision):
                    line.append(f"  ·  {summary.counts[decision]:,} {_DONE[decision]}")
        if note:
            line.append(f"  ·  {note}")
        self.query_one("#triage-progress", Static).update(line)

    # --- decisions ------------------------------------------------------------------------

    def action_decide(self, decision: str, tag: str | None = None) -> None:
        row = self.current
        if row is None or self.papers is None:
            return
        step = Step(self.index, row.id, decision, tag)
        self.history.append(step)
        self.papers.keep(row.id)  # it stays at its place in the list, read or not
        if decision != "skip":
            self.app.writer.submit(DecisionWrite(step), self)
        self._show(self.index + 1)

    def action_tag(self, number: int) -> None:
        tags = self.quick_tags
        if not 1 <= number <= len(tags):
            where = self.app.config.path or config_path()
            self.notify(
                f"No quick tag {number}: list up to nine in [library] quick_tags in {where}.",
                markup=False,
            )
            return
        self.action_decide("tag", tags[number - 1])

    def action_undo(self) -> None:
        if not self.history:
            self.notify("Nothing to undo: this is where the session started.")
            return
        step = self.history.pop()
        if step.decision != "skip":
            self.app.writer.submit(UndoDecision(step), self)
        self._show(step.index)
        said = step.decision if step.decision != "tag" else f"tag {step.tag}"
        self._progress(f"undid {said}")

    def on_triage_screen_saved(self, message: Saved) -> None:
        pass  # saved: nothing to show (the paper was shown decided already)

    def on_triage_screen_undone(self, message: Undone) -> None:
        pass

    def on_cache_writer_failed(self, message: CacheWriter.Failed) -> None:
        """A decision that could not be saved is taken back from the session."""
        write = message.write
        if isinstance(write, DecisionWrite) and write.step in self.history:
            self.history.remove(write.step)
            self.notify(
                f"Not saved: {write.what} ({message.error})", severity="error", markup=False
            )
            self._show(write.step.index)

    def action_end(self) -> None:
        self.dismiss(self.summary())

    # --- looking closer -------------------------------------------------------------------

    def action_translate(self) -> None:
        if self.current is not None:
            self.pane.toggle_translation()
            self._show(self.index)

    def action_full_text(self) -> None:
        if self.current is None:
            return
        try:
            from paperdeck.tui.screens.fulltext import FullTextScreen
        except ImportError:  # a build without the reading screen
            self.notify("Full text is not available in this build.")
            return
        self.app.push_screen(FullTextScreen(self.current.id))

    def action_open_code(self) -> None:
        paper = self.cache.paper(self.current.id) if self.current else None
        if paper is None:
            return
        self.app.open_code(paper.code_urls)
