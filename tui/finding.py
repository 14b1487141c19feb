"""Finding papers from the reader (mixed into the main screen): ``A`` searches arXiv, ``i``
lists the papers most like the highlighted one, ``C`` asks Semantic Scholar for its
citations, ``V`` picks a view by name, and an arXiv id typed in ``/`` that the cache does
not hold is offered to be fetched. Each job runs in a worker behind a
:class:`~paperdeck.tui.screens.find.BusyScreen`; what it made is shown as a view."""

from __future__ import annotations

from paperdeck.storage.cache import lists
from paperdeck.storage.cache.citations import Citations
from paperdeck.storage.cache.library import all_tags
from paperdeck.storage.cache.views import View
from paperdeck.storage.ranking.like import keep_like, list_name
from paperdeck.storage.sources import arxiv_lookup
from paperdeck.storage.sources.semantic_scholar import citations_as_views
from paperdeck.tui.library import LATER_VIEW
from paperdeck.tui.screens.confirm import ConfirmScreen
from paperdeck.tui.screens.find import ArxivSearchPrompt, BusyScreen, ViewPicker
from paperdeck.tui.view_loader import cycled_views

SEARCH_RESULTS = 50
"""Results ``A`` asks arXiv for."""


class FindActions:
    """The main screen's ways of finding papers (see the module)."""

    def every_view(self) -> list[View]:
        """The views ``v`` cycles through, then a recommendation view per tag."""
        config = self.app.config
        saved = [LATER_VIEW, *(View(query=v.query, name=v.name) for v in config.views)]
        made = lists.names(self.cache)
        views = cycled_views(self.cache.topics(), [r.name for r in config.watch], saved, made)
        for tag, _ in all_tags(self.cache):
            name = list_name(tag=tag)
            if name not in made:
                views.append(View(ranked=name, name=name))
        return views

    def show_view(self, view: View | None) -> None:
        if view is None:
            return
        tag = view.ranked.removeprefix("Like: tag ") if view.ranked else None
        if tag and tag != view.ranked:  # a tag's recommendations, made afresh
            self._run_job(f"Finding papers like those tagged {tag}",
                          lambda cache: keep_like(cache, tag=tag)[0], self._show_list)
            return
        self.loader.show(view)
        self._load(self.table.current)

    def _show_list(self, name: str | None) -> None:
        if name is not None:
            self.loader.show(View(ranked=name, name=name))
            self._load()

    def _run_job(self, what: str, job, then) -> None:
        self.app.push_screen(BusyScreen(what, job), then)

    # --- the keys ------------------------------------------------------------------------

    def action_pick_view(self) -> None:
        """V: every view by name, with a filter."""
        self.app.push_screen(ViewPicker(self.every_view(), self.view), self.show_view)

    def action_arxiv_search(self) -> None:
        """A: search arXiv; the results are kept and shown as the view "arXiv: QUERY"."""
        self.app.push_screen(ArxivSearchPrompt(), self._search_arxiv)

    def _search_arxiv(self, text: str | None) -> None:
        if not text:
            return
        arxiv = self.app.config.arxiv
        self._run_job(
            f"Searching arXiv for “{text}”",
            lambda cache: arxiv_lookup.search_and_keep(cache, arxiv, text, SEARCH_RESULTS),
            self._searched,
        )

    def _searched(self, fetched: arxiv_lookup.Fetched | None) -> None:
        if fetched is None:
            return
        self.notify(
            f"arXiv found {len(fetched.papers)} papers ({fetched.new} new to the cache).",
            title=fetched.topic, markup=False,
        )
        self.loader.show(View(topic=fetched.topic, name=fetched.topic))
        self._load()

    def action_more_like(self) -> None:
        """i: the papers most like the highlighted one, as a view."""
        if (row := self.table.current) is not None:
            self._run_job(f"Finding papers like “{row.title}”",
                          lambda cache: keep_like(cache, [row.id])[0], self._show_list)

    def action_citations(self) -> None:
        """C: the highlighted paper's citations (Semantic Scholar); then its references or
        the papers citing it, as views."""
        if (row := self.table.current) is None:
            return
        config = self.app.config
        self._run_job(
            f"Asking Semantic Scholar about {row.id}",
            lambda cache: citations_as_views(cache, config.citations, config.arxiv, row.id),
            self._cited,
        )

    def _cited(self, found: Citations | None) -> None:
        if found is None:
            return
        if self.pane.display and (row := self.table.current) is not None:
            self._show_in_pane(row, self.table.cursor, mark_read=False)  # the count
        views = [View(ranked=name, name=name) for name in
                 (lists.references_name(found.paper_id), lists.citing_name(found.paper_id))]
        self.app.push_screen(ViewPicker(views), self.show_view)

    def offer_fetch(self, text: str) -> None:
        """An arXiv id searched for that the cache does not hold: fetch it from arXiv?"""
        paper_id = arxiv_lookup.parse_ids([text])[0]
        if self.cache.paper(paper_id) is not None:
            return
        arxiv = self.app.config.arxiv
        self.app.push_screen(
            ConfirmScreen(f"arXiv:{paper_id} is not in the cache. Fetch it from arXiv?",
                          yes="Fetch"),
            lambda yes: yes and self._run_job(
                f"Fetching arXiv:{paper_id}",
                lambda cache: arxiv_lookup.add_papers(cache, arxiv, [paper_id]),
                self._fetched,
            ),
        )

    def _fetched(self, fetched: arxiv_lookup.Fetched | None) -> None:
        if fetched is None:
            return
        if fetched.missing:
            self.notify(f"arXiv does not know {', '.join(fetched.missing)}.", markup=False)
        self._load(reload=True)
