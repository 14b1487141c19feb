"""The reader's main screen: the paper table, the abstract pane, search and views."""

from __future__ import annotations

import threading
import webbrowser
from dataclasses import replace

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input, Label, ProgressBar

from paperdeck.storage.cache.database import Cache, CacheBusy, CacheError
from paperdeck.storage.cache.views import SORTS, PaperList, View, count_unread, count_view
from paperdeck.storage.config import config_path
from paperdeck.storage.models import PaperRow, Translation
from paperdeck.storage.parsers.codelinks import safe_url
from paperdeck.storage.sources.runner import plan, run_sync
from paperdeck.storage.state import UiState, save_state
from paperdeck.storage.translate import (
    TranslationError,
    any_translation,
    cached_translation,
    fetch_translation,
)
from paperdeck.tui.messages import (
    FirstPage,
    SyncFinished,
    SyncProgress,
    TranslationFailed,
    TranslationReady,
    ViewCounted,
    ViewTotal,
)
from paperdeck.tui.screens.confirm import ConfirmScreen
from paperdeck.tui.screens.link_chooser import LinkChooser
from paperdeck.tui.widgets.abstract_pane import AbstractPane
from paperdeck.tui.widgets.paper_table import ColumnHeader, PaperTable
from paperdeck.tui.widgets.status_line import StatusLine
from paperdeck.tui.widgets.welcome import Welcome

SEARCH_DEBOUNCE_S = 0.15
WATCH_S = 2.0
"""How often the reader looks for papers another process (or a worker) wrote."""
FIRST_PAGE = 120
"""Rows fetched first (in a worker) for a view that is slow to count."""


class MainScreen(Screen):
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
        Binding("slash", "search", "Search", id="search"),
        Binding("v", "cycle_view", "View", id="cycle_view"),
        Binding("S", "cycle_sort", "Sort", id="cycle_sort"),
        Binding("r", "sync", "Sync", id="sync"),
        Binding("R", "reload", "Reload", show=False, id="reload"),
        Binding("space", "page_pane", "Scroll abstract", show=False, id="page_pane"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.view = View(sort=self.app.ui_state.sort)
        self._search_timer: Timer | None = None
        self._undo_batch: str | None = None
        self._counts_asked = 0
        self._loads = 0
        """Views loaded in a worker so far (only the last one's answers are shown)."""
        self._kept_at_load: frozenset[str] = frozenset()
        """The shown papers' kept ones when the last worker load began."""
        self._writing_all = False
        """Mark-all-read (or its undo) is writing: the cache's lock is taken for a while."""
        self._counts_shown = 0
        self.translating = False
        """The pane shows translations (``t`` toggles; moving the cursor keeps it on)."""
        self._stop_sync = threading.Event()

    @property
    def cache(self) -> Cache:
        return self.app.cache

    # --- layout ----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield StatusLine(id="status")
        yield Input(placeholder="Search titles, authors and abstracts…", id="search")
        with Container(id="body"):
            with Vertical(id="list"):
                yield ColumnHeader(id="columns")
                yield PaperTable(id="papers")
                yield Welcome(self.app.config, id="welcome")
            yield AbstractPane(id="pane")
        with Horizontal(id="sync-bar"):
            yield Label(id="sync-label")
            yield ProgressBar(id="sync-progress", show_eta=False)
        yield Footer()

    @property
    def table(self) -> PaperTable:
        return self.query_one(PaperTable)

    @property
    def pane(self) -> AbstractPane:
        return self.query_one(AbstractPane)

    def on_mount(self) -> None:
        self.query_one("#search").display = False
        self.query_one("#sync-bar").display = False
        self.pane.display = False
        self.load_view()
        self.table.focus()
        self._seen_version = self.cache.data_version()
        self.set_interval(WATCH_S, self._watch_cache)
        if self.app.config.sync.on_start:
            self.call_after_refresh(self.action_sync)  # the reader opens first, never waits

    def on_unmount(self) -> None:
        self._stop_sync.set()

    # --- loading views ----------------------------------------------------------------

    def load_view(
        self,
        keep: PaperRow | None = None,
        *,
        reload: bool = False,
        kept: frozenset[str] = frozenset(),
    ) -> None:
        """Show ``self.view``, with the cursor on paper ``keep`` when it is in it, else
        at the top. A new search starts at its newest hit.

        ``reload``: the same view again with what the cache holds now. The cursor stays
        on its paper, or, when that left the view, goes to where it stood; where it
        lands is not the reader's move (nothing is marked read); ``kept`` papers stay in
        the view whatever their state (see :meth:`PaperList.keep`)."""
        empty = self.cache.is_empty()
        self.query_one(Welcome).display = empty
        self.query_one("#columns").display = not empty
        self.table.display = not empty
        self.query_one(ColumnHeader).sort = self.view.effective_sort
        status = self.query_one(StatusLine)
        if self.view.search or self.view.unread:
            # Counting a search or the unread papers walks the rows (on a million papers
            # up to ~0.5 s): a worker fetches the first page, shown before the count.
            if not reload:  # a reload keeps the figures shown until the new ones come
                status.show_view(self.view.label, None, None, self.view.effective_sort)
            self._loads += 1
            shown = self.table.papers
            self._kept_at_load = shown.kept if shown is not None else frozenset()
            self._load_in_worker(self.view, kept, keep, reload, self._loads)
            return
        papers = PaperList(self.cache, self.view, kept=kept)
        self.table.show(papers, keep=keep, by_user=not reload)
        status.show_view(self.view.label, papers.total, None, self.view.effective_sort)
        self._refresh_counts()

    def _reload(self) -> None:
        """The view again after a write elsewhere (a sync page, another process): the
        papers the reader changed stay in it."""
        papers = self.table.papers
        if papers is None or papers.view != self.view:
            # The reader's own load of this view is still on its way: ask for it again.
            self.load_view(self.table.current)
        else:
            self.load_view(self.table.current, reload=True, kept=papers.kept)

    @work(thread=True, exclusive=True, group="load")
    def _load_in_worker(
        self, view: View, kept: frozenset[str], keep: PaperRow | None, reload: bool, asked: int
    ) -> None:
        """A new view shows its first page at once and counts after. To put the cursor
        on paper ``keep`` (or, in a reload, where it stood) it counts first."""
        with Cache(self.cache.path) as cache:
            papers = PaperList(cache, view, FIRST_PAGE, kept)
            first = papers.window(0, FIRST_PAGE)
            if keep is None:
                self.post_message(FirstPage(view, first, kept, len(first), 0, asked, reload))
            total = count_view(cache, view, kept) if len(first) == FIRST_PAGE else len(first)
            if keep is not None:
                papers.total = total
                at = papers.position(keep) if reload else papers.index_of(keep.id)
                page = FirstPage(view, first, kept, total, at or 0, asked, reload, keep)
                self.post_message(page)
        self.post_message(ViewTotal(view, total, asked))

    def on_first_page(self, message: FirstPage) -> None:
        if message.view != self.view or message.asked != self._loads:
            return  # a later load (another view, a keystroke, a reload) replaced it
        shown = self.table.papers
        if message.reload and message.keep is not None and shown is not None:
            marked = shown.kept - self._kept_at_load
            if marked or self._current_id() != message.keep.id:
                # The reader moved or marked papers while it loaded: load again from there.
                self.load_view(self.table.current, reload=True, kept=message.kept | marked)
                return
        papers = PaperList(self.cache, message.view, message.total, message.kept)
        self.table.show(papers, first=message.rows, at=message.cursor, by_user=not message.reload)

    def on_view_total(self, message: ViewTotal) -> None:
        if message.view == self.view and message.asked == self._loads:
            self.table.set_total(message.total)
            self._refresh_counts()

    @work(thread=True, exclusive=True, group="count")
    def _count(self, view: View, asked: int) -> None:
        with Cache(self.cache.path) as cache:
            unread = count_unread(cache, view)
        self.post_message(ViewCounted(view, unread, asked))

    def on_view_counted(self, message: ViewCounted) -> None:
        # A count of another view, or one overtaken by a later count, is stale.
        if message.view != self.view or message.asked < self._counts_shown:
            return
        self._counts_shown = message.asked
        self.query_one(StatusLine).show_view(
            self.view.label, self.table.total, message.unread, self.view.effective_sort
        )

    def _refresh_counts(self) -> None:
        """Count the unread papers of the view (in a worker: on a million, ~0.2 s)."""
        self._counts_asked += 1
        self._count(self.view, self._counts_asked)

    # --- the table and the pane -------------------------------------------------------

    @on(PaperTable.Selected)
    def _open(self, event: PaperTable.Selected) -> None:
        self.pane.display = True
        self._show_in_pane(event.row, event.index)

    @on(PaperTable.Highlighted)
    def _follow(self, event: PaperTable.Highlighted) -> None:
        """The pane follows the cursor; only a paper the reader moved to counts as read."""
        if self.pane.display and event.row is not None and event.row.id != self.pane.paper_id:
            self._show_in_pane(event.row, event.index, mark_read=event.by_user)

    def _watch_cache(self) -> None:
        """Reload when another connection wrote to the cache (a sync in another terminal,
        or this reader's own sync worker, page by page)."""
        version = self.cache.data_version()
        if version != self._seen_version:
            self._seen_version = version
            self._reload()

    def action_reload(self) -> None:
        """R: the view afresh (papers read or unstarred meanwhile leave their view)."""
        self._seen_version = self.cache.data_version()
        self.load_view(self.table.current, reload=True)

    def _show_in_pane(self, row: PaperRow, index: int, mark_read: bool = True) -> None:
        detail = self.cache.detail(row.id)
        if detail is None:
            return
        self.pane.query_one("#pane-body").loading = False
        self.pane.show(detail)
        if self.translating:
            self._show_translation(row.id)
        auto = mark_read and self.app.config.ui.auto_mark_read and not self._writing_all
        if auto and not row.read:
            self._set_state(self.cache.set_read, row, index, read=True)

    @on(ColumnHeader.SortRequested)
    def _sort_by(self, event: ColumnHeader.SortRequested) -> None:
        self._set_sort(event.sort)

    # --- actions ----------------------------------------------------------------------

    def action_close(self) -> None:
        """Escape: close the search box, else the abstract pane, else clear the search."""
        search = self.query_one("#search", Input)
        if search.has_focus:
            search.value = ""
            search.display = False
            self.table.focus()
            self._apply_search("")
        elif self.pane.display:
            self.pane.display = False
            self.translating = False
            self.table.focus()
        elif self.view.search:
            search.value = ""
            search.display = False
            self._apply_search("")

    def action_translate(self) -> None:
        """Toggle the pane between originals and translations (it stays on as you move)."""
        row = self.table.current
        if row is None:
            return
        self.translating = not self.translating or not self.pane.display
        self.pane.display = True
        self._show_in_pane(row, self.table.cursor)

    def _show_translation(self, paper_id: str) -> None:
        settings = self.app.config.translation
        try:
            stored = cached_translation(self.cache, paper_id, settings.target)
        except TranslationError as exc:
            self.pane.show_note(str(exc))
            return
        if stored is not None:
            self._present(stored)
        elif settings.provider != "none":
            self.pane.show_note(f"Translating into {settings.target} with {settings.provider}…")
            self.pane.query_one("#pane-body").loading = True
            self._fetch_translation(paper_id)
        elif (other := any_translation(self.cache, paper_id)) is not None:
            self._present(other, f"none in {settings.target}; no provider to fetch one")
        else:
            where = self.app.config.path or config_path()
            self.pane.show_note(
                "No translation stored for this paper. To fetch one, set "
                f"[translation] provider in {where}."
            )

    def _present(self, translation: Translation, extra: str = "") -> None:
        note = f"Translation ({translation.lang}, from {translation.source})"
        note += f"; {extra}" if extra else ""
        self.pane.show_translation(translation, note + " — t for the original")

    @work(thread=True, exclusive=True, group="translate")
    def _fetch_translation(self, paper_id: str) -> None:
        try:
            with Cache(self.cache.path) as cache:
                result = fetch_translation(cache, self.app.config.translation, paper_id)
        except TranslationError as exc:
            self.post_message(TranslationFailed(paper_id, str(exc)))
        else:
            self.post_message(TranslationReady(result))

    def on_translation_ready(self, message: TranslationReady) -> None:
        # An answer for a paper no longer on screen (the cursor moved on) is only cached.
        if self.translating and self.pane.paper_id == message.translation.paper_id:
            self.pane.query_one("#pane-body").loading = False
            self._present(message.translation)

    def on_translation_failed(self, message: TranslationFailed) -> None:
        if self.pane.paper_id == message.paper_id:
            self.pane.query_one("#pane-body").loading = False
            self.pane.show_note(message.reason)
            self.notify(message.reason, severity="error", markup=False)

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

    def action_star(self) -> None:
        row = self.table.current
        if row is not None and self._free_to_write():
            self._set_state(self.cache.set_starred, row, self.table.cursor, starred=not row.starred)

    def action_toggle_read(self) -> None:
        row = self.table.current
        if row is not None and self._free_to_write():
            self._set_state(self.cache.set_read, row, self.table.cursor, read=not row.read)

    def _free_to_write(self) -> bool:
        """False, with a note, while mark-all-read holds the cache (a write would wait)."""
        if self._writing_all:
            self.notify("Still marking the view; try again in a moment.", timeout=3)
        return not self._writing_all

    def _set_state(self, write, row: PaperRow, index: int, **state: bool) -> None:
        """Write a star or read mark of the paper at row ``index``, then show it there;
        the paper stays in the view until it is loaded afresh. Say so if the cache
        stayed busy."""
        try:
            write(row.id, *state.values())
        except CacheBusy as exc:
            self._not_saved(exc)
            return
        # A row loaded since (another view, a reload) already shows the cache's state.
        if self.table.update_row(index, row.id, **state):
            self.table.papers.keep(row.id)
        self._refresh_counts()

    def action_mark_all_read(self) -> None:
        papers = self.table.papers
        if papers is None or papers.total == 0 or not self._free_to_write():
            return
        self.app.push_screen(
            ConfirmScreen(
                f"Mark all {papers.total:,} papers in “{self.view.label}” as read?", yes="Mark read"
            ),
            lambda yes: yes and self._write_all(self._mark_all_read, papers.view),
        )

    def _write_all(self, worker, *args) -> None:
        """Start mark-all-read or its undo; single writes wait until it has ended."""
        self._writing_all = True
        worker(*args)

    @work(thread=True, exclusive=True, group="mark-all")
    def _mark_all_read(self, view: View) -> None:
        """Off the UI thread: a view can hold a million papers."""
        try:
            with Cache(self.cache.path) as cache:
                batch = PaperList(cache, view, total=0).mark_all_read()
        except CacheError as exc:
            self.app.call_from_thread(self._write_all_failed, exc)
        else:
            self.app.call_from_thread(self._marked_all_read, view, batch)

    def _marked_all_read(self, view: View, batch: str) -> None:
        self._writing_all = False
        self._undo_batch = batch
        self.refresh_bindings()
        self._seen_version = self.cache.data_version()
        self.load_view(self.table.current, reload=True)
        self.notify(f"Marked every paper in “{view.label}” read. Press u to undo.", markup=False)

    def action_undo_mark_all(self) -> None:
        if self._undo_batch is not None and self._free_to_write():
            self._write_all(self._undo_mark_all, self._undo_batch)

    @work(thread=True, exclusive=True, group="mark-all")
    def _undo_mark_all(self, batch: str) -> None:
        try:
            with Cache(self.cache.path) as cache:
                count = cache.undo_mark_read(batch)
        except CacheError as exc:
            self.app.call_from_thread(self._write_all_failed, exc)
        else:
            self.app.call_from_thread(self._undone_mark_all, count)

    def _undone_mark_all(self, count: int) -> None:
        self._writing_all = False
        self._undo_batch = None
        self.refresh_bindings()
        self._seen_version = self.cache.data_version()
        self.load_view(self.table.current, reload=True)
        self.notify(f"Marked {count:,} papers unread again.")

    def _write_all_failed(self, error: Exception) -> None:
        self._writing_all = False
        self._not_saved(error)

    def _not_saved(self, error: Exception) -> None:
        self.notify(str(error), title="Not saved", severity="error", markup=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "undo_mark_all":
            return self._undo_batch is not None
        return True

    def action_open_code(self) -> None:
        paper = self._current_paper()
        if paper is None:
            return
        urls = [url for url in paper.code_urls if safe_url(url)]
        if not urls:
            self.notify("No code link for this paper.")
        elif len(urls) == 1:
            self._open_url(urls[0])
        else:
            self.app.push_screen(LinkChooser(urls), lambda url: url and self._open_url(url))

    def action_open_arxiv(self) -> None:
        paper = self._current_paper()
        if paper is not None:
            self._open_url(paper.abs_url)

    def action_open_pdf(self) -> None:
        paper = self._current_paper()
        if paper is not None:
            self._open_url(paper.pdf_url)

    def _open_url(self, url: str) -> None:
        safe = safe_url(url)
        if safe is None:
            self.notify(
                f"Not opening {url}: only http and https links are opened.",
                severity="warning",
                markup=False,
            )
            return
        self._browse(safe)

    @work(thread=True, group="browser")
    def _browse(self, url: str) -> None:
        """``webbrowser`` (so ``$BROWSER`` counts), off the UI thread: launchers can be slow."""
        if webbrowser.open(url):
            self.app.call_from_thread(self.notify, f"Opened {url}", timeout=3, markup=False)
        else:
            self.app.call_from_thread(
                self.notify,
                f"No web browser could be started for {url} (set $BROWSER).",
                severity="warning",
                timeout=10,
                markup=False,
            )

    def _current_id(self) -> str | None:
        row = self.table.current
        return row.id if row else None

    def _current_paper(self):
        row = self.table.current
        return self.cache.paper(row.id) if row else None

    def action_search(self) -> None:
        search = self.query_one("#search", Input)
        search.display = True
        search.focus()

    @on(Input.Changed, "#search")
    def _typed(self, event: Input.Changed) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
        value = event.value
        self._search_timer = self.set_timer(SEARCH_DEBOUNCE_S, lambda: self._apply_search(value))

    @on(Input.Submitted, "#search")
    def _submitted(self, event: Input.Submitted) -> None:
        self._apply_search(event.value)
        self.table.focus()

    def _apply_search(self, text: str) -> None:
        """A new search starts at its newest hit; a cleared one returns to the paper."""
        text = text.strip()
        if text != self.view.search:
            self.view = self.view.with_(search=text)
            self.load_view(None if text else self.table.current)

    def action_cycle_view(self) -> None:
        views = [View(), View(unread=True), View(starred=True), View(code=True)]
        views += [View(topic=name) for name in self.cache.topics()]
        base = replace(self.view, search="", sort="date")
        at = views.index(base) if base in views else -1
        self.view = replace(
            views[(at + 1) % len(views)], search=self.view.search, sort=self.view.sort
        )
        self.load_view(self.table.current)

    def action_cycle_sort(self) -> None:
        self._set_sort(SORTS[(SORTS.index(self.view.sort) + 1) % len(SORTS)])

    def _set_sort(self, sort: str) -> None:
        if self.view.search:
            self.notify("Search results are always newest first.")
            return
        self.view = self.view.with_(sort=sort)
        self.app.ui_state = UiState(sort=sort)
        save_state(self.app.ui_state)
        self.load_view(self.table.current)

    # --- sync -------------------------------------------------------------------------

    def action_sync(self) -> None:
        if self.query_one("#sync-bar").display:
            self.notify("A sync is already running.")
            return
        sources = plan(self.app.config)
        if not sources:
            where = self.app.config.path or config_path()
            self.notify(f"Nothing to sync: no topics, feeds or digests in {where}.", markup=False)
            return
        bar = self.query_one("#sync-progress", ProgressBar)
        bar.update(total=len(sources), progress=0)
        self.query_one("#sync-label", Label).update(Text(f"Syncing {sources[0].name}…"))
        self.query_one("#sync-bar").display = True
        self._sync()

    @work(thread=True, exclusive=True, group="sync")
    def _sync(self) -> None:
        with Cache(self.cache.path) as cache:
            summary = run_sync(
                self.app.config,
                cache,
                progress=lambda event: self.post_message(SyncProgress(event)),
                cancel=self._stop_sync,
            )
        self.post_message(SyncFinished(summary))

    def on_sync_progress(self, message: SyncProgress) -> None:
        event = message.event
        if event.kind in ("done", "failed"):
            self.query_one("#sync-progress", ProgressBar).advance(1)
        page = f" — page {event.page}" if event.page else ""
        self.query_one("#sync-label", Label).update(
            Text(f"Syncing {event.source}{page}: {event.new} new, {event.updated} updated")
        )

    def on_sync_finished(self, message: SyncFinished) -> None:
        self.query_one("#sync-bar").display = False
        summary = message.summary
        self._reload()
        if summary.ok:
            self.notify(summary.describe(), title="Sync finished", markup=False)
            return
        self.notify(
            summary.describe(),
            title="Sync finished with errors",
            severity="error",
            markup=False,
            timeout=12,
        )
        if not any(result.error is None for result in summary.results):
            reason = summary.results[0].error
            self.query_one(Welcome).show_note(
                f"Could not sync: {reason}. The cache keeps working offline; press r to try again."
            )

    def action_page_pane(self) -> None:
        if self.pane.display:
            self.pane.scroll_page_down()
