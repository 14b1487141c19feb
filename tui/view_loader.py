"""Which view the reader shows, and which answers of the workers that load it still count.

A plain object: the screen asks it for a view and gets back papers to show now
(:class:`Show`) or a job for a worker (:class:`Fetch`, :class:`Count`). The worker's
answers come back through it, and it says what they change — nothing when a later
request has overtaken them: another view, a search typed further, a reload, a newer count.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from paperdeck.storage.cache.database import Cache
from paperdeck.storage.cache.views import SORTS, PaperList, View, count_unread, count_view
from paperdeck.storage.models import PaperRow

FIRST_PAGE = 120
"""Rows fetched first (in a worker) for a view that is slow to count."""


@dataclass(frozen=True)
class Show:
    """Papers to show: the cursor on row ``at``, else on paper ``keep``. ``rows``: the
    first rows, fetched already; ``by_user``: the reader's own move (the paper it lands
    on may be marked read), not a reload; ``counted``: ``papers.total`` is the view's
    count (else the count comes later as a :class:`Total`); ``asked``: the load's number."""

    papers: PaperList
    asked: int
    rows: list[PaperRow] = field(default_factory=list)
    at: int | None = None
    keep: PaperRow | None = None
    by_user: bool = True
    counted: bool = True


@dataclass(frozen=True)
class FirstPage:
    """A worker's first page of a view, the rows it knows of so far (``total``), and
    the row for the cursor; ``keep``: the paper the cursor was asked to stay on."""

    view: View
    rows: list[PaperRow]
    kept: frozenset[str]
    total: int
    cursor: int
    asked: int
    reload: bool
    keep: PaperRow | None = None


@dataclass(frozen=True)
class Total:
    """A worker counted the rows of the view it loaded."""

    view: View
    total: int
    asked: int


@dataclass(frozen=True)
class Counted:
    """A worker counted the unread papers of a view."""

    view: View
    unread: int
    asked: int


@dataclass(frozen=True)
class Fetch:
    """A job for a worker: a view slow to count (a search, the unread papers). It shows
    its first page at once and counts after; to put the cursor on paper ``keep`` (or, in
    a reload, where it stood) it counts first."""

    view: View
    kept: frozenset[str]
    keep: PaperRow | None
    reload: bool
    asked: int

    def run(self, cache: Cache) -> Iterator[FirstPage | Total]:
        papers = PaperList(cache, self.view, FIRST_PAGE, self.kept)
        first = papers.window(0, FIRST_PAGE)
        page = FirstPage(self.view, first, self.kept, len(first), 0, self.asked, self.reload)
        if self.keep is None:
            yield page
        total = count_view(cache, self.view, self.kept) if len(first) == FIRST_PAGE else len(first)
        if self.keep is not None:
            papers.total = total
            at = papers.position(self.keep) if self.reload else papers.index_of(self.keep.id)
            yield replace(page, total=total, cursor=at or 0, keep=self.keep)
        yield Total(self.view, total, self.asked)


@dataclass(frozen=True)
class Count:
    """A job for a worker: count the unread papers of a view (a million take ~0.2 s)."""

    view: View
    asked: int

    def run(self, cache: Cache) -> Counted:
        return Counted(self.view, count_unread(cache, self.view), self.asked)


def cycled_views(
    topics: list[str], watches: list[str] = (), saved: list[View] = (), ranked: list[str] = ()
) -> list[View]:
    """What ``v`` steps through: all, unread, starred, the ``saved`` searches (the later
    list, ``[[views]]``), with code, each topic, each watch rule's papers, then the ranked
    lists made so far ("more like this", references, citing papers)."""
    views = [View(), View(unread=True), View(starred=True), *saved, View(code=True)]
    views += [View(topic=name) for name in topics]
    views += [View(watch=name) for name in watches]
    views += [View(ranked=name, name=name) for name in ranked]
    return views


class ViewLoader:
    """The view on show, the loads and counts asked for, and which answers are stale."""

    def __init__(self, cache: Cache, view: View) -> None:
        """``cache``: the UI thread's connection (views quick to count load on it)."""
        self.cache = cache
        self.view = view
        self.loads = 0
        """Loads asked for so far; only the last one's answers are shown."""
        self._kept_at_load: frozenset[str] = frozenset()
        self._counts_asked = 0
        self._counts_shown = 0

    # --- choosing the view ---------------------------------------------------------------

    def search(self, text: str) -> bool:
        """Search for ``text`` (an empty one ends the search); False when that is the
        search on show already."""
        text = text.strip()
        if text == self.view.search:
            return False
        self.view = self.view.with_(search=text)
        return True

    def next_view(self, views: list[View]) -> None:
        """The view after this one in ``views`` (:func:`cycled_views`); the search and
        order stay."""
        base = replace(self.view, search="", sort="date")
        at = views.index(base) if base in views else -1
        self.show(views[(at + 1) % len(views)])

    def show(self, view: View) -> None:
        """Show ``view`` (chosen by name, or one a job made); the search and order stay."""
        self.view = replace(view, search=self.view.search, sort=self.view.sort)

    def next_sort(self) -> str:
        return SORTS[(SORTS.index(self.view.sort) + 1) % len(SORTS)]

    def sort_by(self, sort: str) -> bool:
        """False when the view is a search: its results are always newest first."""
        if self.view.search:
            return False
        self.view = self.view.with_(sort=sort)
        return True

    # --- loading it ----------------------------------------------------------------------

    def load(
        self,
        keep: PaperRow | None = None,
        *,
        reload: bool = False,
        kept: frozenset[str] = frozenset(),
        shown: PaperList | None = None,
    ) -> Show | Fetch:
        """The view, with the cursor on paper ``keep`` when it is in it, else at the top.

        ``reload``: the same view again with what the cache holds now; the cursor stays
        on its paper, or, when that left the view, goes to where it stood, and where it
        lands is not the reader's move. ``kept`` papers stay in the view whatever their
        state (:meth:`PaperList.keep`); ``shown``: the papers on screen now."""
        self.loads += 1
        if self.view.search or self.view.unread or self.view.query:
            # Counting a search or the unread papers walks the rows (on a million papers
            # up to ~0.5 s): a worker fetches the first page, shown before the count.
            self._kept_at_load = shown.kept if shown is not None else frozenset()
            return Fetch(self.view, kept, keep, reload, self.loads)
        papers = PaperList(self.cache, self.view, kept=kept)
        return Show(papers, self.loads, keep=keep, by_user=not reload)

    def refresh(self, shown: PaperList | None, current: PaperRow | None) -> Show | Fetch:
        """The view again after a write elsewhere (a sync, another process): the papers
        the reader changed stay in it."""
        if shown is None or shown.view != self.view:
            # The reader's own load of this view is still on its way: ask for it again.
            return self.load(current, shown=shown)
        return self.load(current, reload=True, kept=shown.kept, shown=shown)

    def first_page(
        self, page: FirstPage, shown: PaperList | None, current: PaperRow | None
    ) -> Show | Fetch | None:
        """What a worker's first page changes: nothing when a later load replaced it; a
        new load when the reader moved or marked papers while a reload ran."""
        if page.view != self.view or page.asked != self.loads:
            return None
        if page.reload and page.keep is not None and shown is not None:
            marked = shown.kept - self._kept_at_load
            if marked or (current.id if current else None) != page.keep.id:
                return self.load(current, reload=True, kept=page.kept | marked, shown=shown)
        papers = PaperList(self.cache, page.view, page.total, page.kept)
        return Show(
            papers, page.asked, page.rows, at=page.cursor, by_user=not page.reload, counted=False
        )

    def total(self, answer: Total) -> int | None:
        """The view's count, unless a later load replaced it."""
        return answer.total if answer.view == self.view and answer.asked == self.loads else None

    # --- counting its unread papers ------------------------------------------------------

    def count(self) -> Count:
        self._counts_asked += 1
        return Count(self.view, self._counts_asked)

    def counted(self, answer: Counted) -> int | None:
        """The unread count, unless it is another view's or a later count came first."""
        if answer.view != self.view or answer.asked < self._counts_shown:
            return None
        self._counts_shown = answer.asked
        return answer.unread
