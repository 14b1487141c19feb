"""The reader's main screen: it lays out the paper table, the abstract pane, the search
field and the sync bar, and passes events on to the parts that own the state — the
:class:`ViewLoader` (which view, which worker answers still count), :class:`Marks`
(stars, read marks, mark-all-read and its undo), :class:`LibraryKeys` (tags, the later
list, notes, changes to a whole view), :class:`Upkeeper` (watch rules and the interest
order, in the background), the pane (translations) and the sync bar.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer

from paperdeck.storage.cache import lists
from paperdeck.storage.cache.database import Cache
from paperdeck.storage.cache.sync_state import harvested_categories
from paperdeck.storage.cache.views import View, searched_id
from paperdeck.storage.config import config_path
from paperdeck.storage.models import Paper, PaperRow
from paperdeck.storage.parsers.query import QueryError
from paperdeck.storage.state import UiState, save_state
from paperdeck.tui.copying import copy_paper
from paperdeck.tui.finding import FindActions
from paperdeck.tui.library import LATER_VIEW, LibraryBulk
from paperdeck.tui.library_keys import LibraryKeys
from paperdeck.tui.marks import Marks, MarkWrite, UndoWrite
from paperdeck.tui.pdf_keeping import keep_paper_pdf
from paperdeck.tui.screens.confirm import ConfirmScreen
from paperdeck.tui.screens.fulltext import FullTextScreen
from paperdeck.tui.screens.triage import DismissWrite, TriageScreen
from paperdeck.tui.upkeep import Upkeeper
from paperdeck.tui.view_loader import (
    Count,
    Counted,
    Fetch,
    FirstPage,
    Show,
    Total,
    ViewLoader,
    cycled_views,
)
from paperdeck.tui.widgets.marked_pane import MarkedPane, extras
from paperdeck.tui.widgets.paper_table import ColumnHeader, PaperTable
from paperdeck.tui.widgets.search_box import SearchBox
from paperdeck.tui.widgets.status_line import StatusLine
from paperdeck.tui.widgets.sync_bar import SyncBar
from paperdeck.tui.widgets.welcome import Welcome
from paperdeck.tui.workers import thread_worker, worker_cache
from paperdeck.tui.writer import CacheWriter

WATCH_S = 2.0
"""How often the reader looks for papers another process (or a worker) wrote."""


class MainScreen(FindActions, Screen):
    """Papers of the current view; Enter shows one in the abstract pane."""

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]

    BINDINGS = [
        Binding("escape", "close", "Close", show=False, id="close"),
        Binding("t", "translate", "Translate", id="translate"),
        Binding("n", "next_unread", "Next unread", id="next_unread"),
        Binding("s", "star", "Star", id="star"),
        Binding("m", "toggle_read", "Read", id="toggle_read"),
        Binding("M", "mark_all_read", "All read", id="mark_all_read"),
        Binding("u", "undo_mark_all", "Undo all read", show=False, id="undo_mark_all"),
        Binding("c", "open_code", "Code", id="open_code"),
        Binding("o", "open_arxiv", "arXiv", id="open_arxiv"),
        Binding("p", "open_pdf", "PDF", id="open_pdf"),
        Binding("y", "copy", "Copy", show=False, id="copy"),
        Binding("P", "keep_pdf", "Keep the PDF", show=False, id="keep_pdf"),
        Binding("f", "open_fulltext", "Full text", id="open_fulltext"),
        Binding("slash", "search", "Search", id="search"),
        Binding("v", "cycle_view", "View", id="cycle_view"),
        Binding("V", "pick_view", "Views by name", show=False, id="pick_view"),
        Binding("A", "arxiv_search", "Search arXiv", show=False, id="arxiv_search"),
        Binding("i", "more_like", "More like this", show=False, id="more_like"),
        Binding("C", "citations", "Citations", show=False, id="citations"),
        Binding("S", "cycle_sort", "Sort", id="cycle_sort"),
        Binding("r", "sync", "Sync", id="sync"),
        Binding("R", "reload", "Reload", show=False, id="reload"),
        Binding("space", "page_pane", "Scroll abstract", show=False, id="page_pane"),
        Binding("T", "triage", "Triage", id="triage"),
        Binding("x", "dismiss", "Dismiss", show=False, id="dismiss"),
        Binding("number_sign", "tag", "Tags", show=False, id="tag"),
        Binding("asterisk", "tag_view", "Tag the view", show=False, id="tag_all"),
        Binding("l", "later", "Read later", show=False, id="later"),
        Binding("L", "later_view", "View later", show=False, id="later_all"),
        Binding("e", "edit_note", "Note", show=False, id="edit_note"),
        *(
            Binding(str(n), f"quick_tag({n})", f"Quick tag {n}", show=False, id=f"quick_tag_{n}")
            for n in range(1, 10)
        ),
    ]

    class ViewAnswer(Message, bubble=False):
        """A worker's answer about the view (a first page, a total, an unread count)."""

        def __init__(self, answer: FirstPage | Total | Counted) -> None:
            super().__init__()
            self.answer = answer

    def __init__(self) -> None:
        super().__init__()
        self.loader = ViewLoader(self.app.cache, View(sort=self.app.ui_state.sort))
        self.marks = Marks(self.app.writer, self)
        self.library = LibraryKeys(self, self.marks)
        self.upkeeper = Upkeeper(self, self.app.cache.path, self.app.config)
        self._seen_version = 0

    @property
    def cache(self) -> Cache:
        return self.app.cache

    @property
    def view(self) -> View:
        return self.loader.view

    def compose(self) -> ComposeResult:
        config = self.app.config
        yield StatusLine(id="status")
        yield SearchBox(id="search")
        with Container(id="body"):
            with Vertical(id="list"):
                yield ColumnHeader(id="columns")
                yield PaperTable(self.marks.pending, id="papers")
                yield Welcome(config, id="welcome")
            yield MarkedPane(config.translation, config.path or config_path(), id="pane")
        yield SyncBar(config, id="sync-bar")
        yield Footer()

    @property
    def table(self) -> PaperTable:
        return self.query_one(PaperTable)

    @property
    def pane(self) -> MarkedPane:
        return self.query_one(MarkedPane)

    def on_mount(self) -> None:
        self.pane.display = False
        self._load()
        self.table.focus()
        self._seen_version = self.cache.data_version()
        self.set_interval(WATCH_S, self._watch_cache)
        if self.app.config.sync.on_start:
            self.call_after_refresh(self.action_sync)  # the reader opens first, never waits
        elif self.app.config.library.sync_dir:  # the library of the other machines, in a worker
            self.call_after_refresh(self.query_one(SyncBar).merge_library)
        self._upkeep()

    # --- the view: the loader decides, workers fetch and count ---------------------------

    def _load(self, keep: PaperRow | None = None, **how) -> None:
        """Show the loader's view (:meth:`ViewLoader.load` says what ``how`` may hold)."""
        self._lay_out()
        self._follow(self.loader.load(keep, shown=self.table.papers, **how))

    def _refresh(self) -> None:
        """The view again after a write elsewhere; the papers the reader changed stay."""
        self._lay_out()
        self._follow(self.loader.refresh(self.table.papers, self.table.current))

    def _lay_out(self) -> None:
        empty = self.cache.is_empty()
        self.query_one(Welcome).display = empty
        self.query_one(ColumnHeader).display = not empty
        self.table.display = not empty
        self.query_one(ColumnHeader).sort = self.view.effective_sort

    def _follow(self, step: Show | Fetch | None) -> None:
        if isinstance(step, Fetch):
            if not step.reload:  # a reload keeps the figures shown until the new ones come
                self._show_figures(None)
            self._fetch(step)
        elif isinstance(step, Show):
            table = self.table
            table.show(step.papers, step.keep, step.rows, step.at, by_user=step.by_user)
            self.marks.shown(step.asked)
            if step.counted:
                self._show_figures(step.papers.total)
                self._count()

    @thread_worker("Loading the view", group="load")
    def _fetch(self, job: Fetch) -> None:
        for answer in job.run(worker_cache(self.cache.path)):
            self.post_message(self.ViewAnswer(answer))

    def _count(self) -> None:
        self._count_unread(self.loader.count())

    @thread_worker("Counting unread papers", group="count")
    def _count_unread(self, job: Count) -> None:
        self.post_message(self.ViewAnswer(job.run(worker_cache(self.cache.path))))

    def on_main_screen_view_answer(self, message: ViewAnswer) -> None:
        answer = message.answer
        if isinstance(answer, FirstPage):
            self._follow(self.loader.first_page(answer, self.table.papers, self.table.current))
        elif isinstance(answer, Total):
            if (total := self.loader.total(answer)) is not None:
                self.table.set_total(total)
                self._count()
        elif (unread := self.loader.counted(answer)) is not None:
            self._show_figures(self.table.total, unread)

    def _show_figures(self, total: int | None, unread: int | None = None) -> None:
        view = self.view
        self.query_one(StatusLine).show_view(view.label, total, unread, view.effective_sort)

    def _watch_cache(self) -> None:
        """When the cache changed, ask the writer whether another connection changed it
        (a sync, another process): the reader's own marks need no reload."""
        version = self.cache.data_version()
        if version != self._seen_version:
            self._seen_version = version
            self.app.writer.check(self)

    def on_cache_writer_changed(self, _: CacheWriter.Changed) -> None:
        self._refresh()

    def action_reload(self) -> None:
        """R: the view afresh (papers read or unstarred meanwhile leave their view)."""
        self._seen_version = self.cache.data_version()
        self._load(self.table.current, reload=True)
        self._upkeep()  # the interest order learns what was starred meanwhile

    def action_search(self) -> None:
        self.query_one(SearchBox).open()

    def on_search_box_search(self, message: SearchBox.Search) -> None:
        self._search(message.text)
        if message.submitted:
            self.table.focus()
            if searched_id(message.text):
                self.offer_fetch(message.text)

    def _search(self, text: str) -> None:
        """A new search starts at its newest hit; a cleared one returns to the paper. A
        query that cannot run says why under the search field and changes nothing."""
        box = self.query_one(SearchBox)
        try:
            View(search=text).terms()
        except QueryError as exc:
            box.border_subtitle = str(exc)
            return
        box.border_subtitle = ""
        if self.loader.search(text):
            self._load(None if self.view.search else self.table.current)

    def action_cycle_view(self) -> None:
        saved = [LATER_VIEW, *(View(query=v.query, name=v.name) for v in self.app.config.views)]
        saved += [View(query=f"cat:{c}", name=c) for c in harvested_categories(self.cache)]
        watches = [rule.name for rule in self.app.config.watch]
        made = lists.names(self.cache)
        self.loader.next_view(cycled_views(self.cache.topics(), watches, saved, made))
        self._load(self.table.current)

    def action_cycle_sort(self) -> None:
        self._sort(self.loader.next_sort())

    @on(ColumnHeader.SortRequested)
    def _sort_by(self, event: ColumnHeader.SortRequested) -> None:
        self._sort(event.sort)

    def _sort(self, sort: str) -> None:
        if not self.loader.sort_by(sort):
            self.notify("Search results are always newest first.")
            return
        self.app.ui_state = UiState(sort=sort)
        save_state(self.app.ui_state)
        shown = self.table.papers  # the same papers in another order: those read stay
        self._load(self.table.current, kept=shown.kept if shown else frozenset())
        if sort == "interest":
            self._upkeep(announce=True)

    # --- triage: watch and mute rules, the interest order, dismissals ----------------------

    def _upkeep(self, announce: bool = False) -> None:
        self.upkeeper.start(self.view.sort == "interest", announce)

    def on_upkeeper_done(self, message: Upkeeper.Done) -> None:
        if message.done.changed:  # what upkeep wrote is shown now, not again by the watch
            self._seen_version = self.cache.data_version()
            self._refresh()
        if message.announce:
            self.notify(self.pane.interest_note(self.cache), title="Interest", markup=False)

    def action_triage(self) -> None:
        """T: the view's unread papers one at a time (a session on its own screen)."""
        self.app.push_screen(TriageScreen(self.view), self._triaged)

    def _triaged(self, summary) -> None:
        self.notify(summary.describe(), title="Triage", markup=False)
        self._load(self.table.current, reload=True)
        self._upkeep()

    def action_dismiss(self) -> None:
        """x: "not for me" (and read); x again takes it back."""
        if (row := self.table.current) is not None:
            if not row.read:
                self.marks.mark(self.table, self.table.cursor, row, "read", True)
            self.app.writer.submit(DismissWrite(row.id, row.title), self)

    def on_dismiss_write_done(self, message: DismissWrite.Done) -> None:
        said = "Dismissed" if message.on else "Taken back"
        hint = " — x again takes it back" if message.on else ""
        self.notify(f"{said}: {message.title}{hint}", markup=False, timeout=4)

    # --- the table and the pane ----------------------------------------------------------

    @on(PaperTable.Selected)
    def _open(self, event: PaperTable.Selected) -> None:
        self.pane.display = True
        self._show_in_pane(event.row, event.index)

    @on(PaperTable.Highlighted)
    def _moved(self, event: PaperTable.Highlighted) -> None:
        """The pane follows the cursor; only a paper the reader moved to counts as read."""
        if self.pane.display and event.row is not None and event.row.id != self.pane.paper_id:
            self._show_in_pane(event.row, event.index, mark_read=event.by_user)

    def _show_in_pane(self, row: PaperRow, index: int, mark_read: bool = True) -> None:
        detail = self.cache.detail(row.id)
        if detail is None:
            return
        ranked = self.view.effective_sort == "interest"
        self.pane.show_marked(detail, *extras(self.cache, self.app.config, row.id, ranked))
        if mark_read and self.app.config.ui.auto_mark_read and not row.read:
            self.marks.mark(self.table, index, row, "read", True)

    def action_close(self) -> None:
        """Escape: close the search box, else the abstract pane, else clear the search."""
        search = self.query_one(SearchBox)
        if search.has_focus:
            search.close()
            self.table.focus()
            self._search("")
        elif self.pane.display:
            self.pane.close()
            self.table.focus()
        elif self.view.search:
            search.close()
            self._search("")

    def action_translate(self) -> None:
        """Toggle the pane between originals and translations (it stays on as you move)."""
        row = self.table.current
        if row is not None:
            self.pane.toggle_translation()
            self._show_in_pane(row, self.table.cursor)

    def action_page_pane(self) -> None:
        if self.pane.display:
            self.pane.scroll_page_down()

    def action_next_unread(self) -> None:
        if self.table.papers is None:
            return
        index = self.table.papers.next_unread(self.table.cursor)
        if index is None:
            self.notify("No unread papers in this view.")
        elif index == self.table.cursor:
            self.notify("This is the only unread paper in this view.")
        else:
            self.table.move_to(index)

    # --- marks -----------------------------------------------------------------------------

    def action_star(self) -> None:
        if (row := self.table.current) is not None:
            self.marks.mark(self.table, self.table.cursor, row, "starred", not row.starred)

    def action_toggle_read(self) -> None:
        if (row := self.table.current) is not None:
            self.marks.mark(self.table, self.table.cursor, row, "read", not row.read)

    def on_marks_saved(self, message: Marks.Saved) -> None:
        self.marks.saved(message.write, self.loader.loads)
        self._count()

    def action_mark_all_read(self) -> None:
        papers = self.table.papers
        if papers is None or papers.total == 0:
            return
        self.app.push_screen(
            ConfirmScreen(
                f"Mark all {papers.total:,} papers in “{self.view.label}” as read?", yes="Mark read"
            ),
            lambda yes: yes and self.marks.mark_all_read(papers.view),
        )

    def on_marks_all_read(self, message: Marks.AllRead) -> None:
        self.marks.all_read(message)
        self.library.bulk.undo_steps = None  # u undoes the last change to a whole view
        self.refresh_bindings()
        self._load(self.table.current, reload=True)
        self.notify(
            f"Marked every paper in “{message.view.label}” read. Press u to undo.", markup=False
        )

    def action_undo_mark_all(self) -> None:
        if self.library.bulk.undo_steps is not None:
            self.library.bulk.undo()
        else:
            self.marks.undo()
        self.refresh_bindings()

    def on_marks_undone(self, message: Marks.Undone) -> None:
        self._load(self.table.current, reload=True)
        self.notify(f"Marked {message.count:,} papers unread again.")

    def on_cache_writer_failed(self, message: CacheWriter.Failed) -> None:
        """A mark that could not be saved leaves the screen (the app says why)."""
        if isinstance(message.write, MarkWrite):
            self.marks.failed(message.write)
            self._refresh()
        elif isinstance(message.write, UndoWrite):
            self.marks.undo_failed(message.write)
            self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "undo_mark_all":  # None: listed (in help) but disabled, nothing to undo
            undo = self.marks.undo_batch or self.library.bulk.undo_steps
            return True if undo is not None else None
        return True

    # --- the library: tags, the later list, notes (LibraryKeys does what they do) -----------

    def action_tag(self) -> None:
        self.library.tag(self.table)

    def action_quick_tag(self, number: int) -> None:
        self.library.quick_tag(self.table, number)

    def action_later(self) -> None:
        self.library.later(self.table)

    def action_edit_note(self) -> None:
        self.library.edit_note(self.table)

    def action_tag_view(self) -> None:
        self.library.tag_view(self.table)

    def action_later_view(self) -> None:
        self.library.later_view(self.table)

    def on_library_bulk_done(self, message: LibraryBulk.Done) -> None:
        self.library.done(message)
        self.refresh_bindings()
        self._load(self.table.current, reload=True)

    def on_library_bulk_undone(self, message: LibraryBulk.Undone) -> None:
        self.library.undone(message)
        self.refresh_bindings()
        self._load(self.table.current, reload=True)

    def on_library_bulk_note_saved(self, message: LibraryBulk.NoteSaved) -> None:
        row = self.table.current  # the pane shows the note: again, when it is this paper's
        if self.pane.display and row and row.id == message.paper_id == self.pane.paper_id:
            self._show_in_pane(row, self.table.cursor, mark_read=False)
        self.library.note_saved(message)

    def on_sync_bar_merged(self, message: SyncBar.Merged) -> None:
        """The library was merged with the other machines' (as the reader opened)."""
        self._refresh()

    # --- links -----------------------------------------------------------------------------

    def action_open_code(self) -> None:
        paper = self._current_paper()
        if paper is None:
            return
        self.app.open_code(paper.code_urls)

    def action_open_arxiv(self) -> None:
        if (paper := self._current_paper()) is not None:
            self.app.open_link(paper.abs_url)

    def action_open_pdf(self) -> None:
        if (paper := self._current_paper()) is not None:
            self.app.open_link(paper.pdf_url)

    def action_copy(self) -> None:
        if (row := self.table.current) is not None:
            copy_paper(self, row.id)

    def action_keep_pdf(self) -> None:
        if (row := self.table.current) is not None:
            keep_paper_pdf(self, row.id)

    def action_open_fulltext(self) -> None:
        """The highlighted paper's full text, on its own screen (Escape comes back here)."""
        if (row := self.table.current) is not None:
            if self.app.config.ui.auto_mark_read and not row.read:  # reading it is reading it
                self.marks.mark(self.table, self.table.cursor, row, "read", True)
            self.app.push_screen(FullTextScreen(row.id))

    def _current_paper(self) -> Paper | None:
        row = self.table.current
        return self.cache.paper(row.id) if row else None

    # --- sync ------------------------------------------------------------------------------

    def action_sync(self) -> None:
        self.query_one(SyncBar).start()

    def on_sync_bar_finished(self, message: SyncBar.Finished) -> None:
        self._refresh()
        self._upkeep()
        self.query_one(Welcome).sync_finished(message.summary)
