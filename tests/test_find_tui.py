"""Finding papers in the reader (Pilot): A searches arXiv (a loopback stand-in) and shows
the results as a view; i shows the papers most like the highlighted one; V picks a view by
name with a filter; an arXiv id typed in / that the cache lacks is offered to be fetched;
C shows the citation count in the pane and the references as a view."""

from __future__ import annotations

from pathlib import Path

import pytest

from paperdeck.storage.cache.database import Cache
from paperdeck.storage.config import ArxivSettings, CitationSettings
from paperdeck.storage.sources import semantic_scholar
from paperdeck.tui.screens.confirm import ConfirmScreen
from paperdeck.tui.screens.find import ArxivSearchPrompt, BusyScreen, ViewPicker
from tests.support.arxiv_stub import ArxivStub, Entry
from tests.support.loopback import LoopbackServer
from tests.support.semantic_scholar_stub import PATH, Graph, entry
from tests.tui_support import (
    SAMPLE_ORDER,
    make_app,
    pane_text,
    sample_cache,
    settle,
    status,
    table,
)

API = "/api/query"
FIRST = SAMPLE_ORDER[0]
FOUND = [
    Entry("2611.00042", title="Found on arXiv", published="2026-11-20"),
    Entry("2611.00041", title="Also found", published="2026-11-19"),
]


@pytest.fixture
def cache(tmp_path: Path):
    with sample_cache(tmp_path / "c.db") as opened:
        yield opened


async def type_text(pilot, text: str) -> None:
    for char in text:
        await pilot.press(char if char != " " else "space")


def arxiv_app(cache: Cache, server: LoopbackServer, **sections):
    """The reader with the arXiv API (and any other section) on the loopback server."""
    return make_app(
        cache, arxiv=ArxivSettings(api_url=server.url(API), delay_seconds=0), **sections
    )


def ids(app) -> list[str]:
    papers = table(app).papers
    return [row.id for row in papers.window(0, papers.total)]


async def test_A_searches_arxiv_and_shows_the_results_as_a_view(cache: Cache):
    with LoopbackServer({API: ArxivStub(FOUND)}) as server:
        app = arxiv_app(cache, server)
        async with app.run_test(size=(140, 36)) as pilot:
            await settle(app, pilot)
            await pilot.press("A")
            assert isinstance(app.screen, ArxivSearchPrompt)
            await type_text(pilot, "found papers")
            await pilot.press("enter")
            await settle(app, pilot)
            assert "arXiv: found papers" in status(app)
            assert ids(app) == ["2611.00042", "2611.00041"]
        assert server.requests_to(API)[0].query["search_query"] == ["all:found AND all:papers"]
    assert "arXiv: found papers" in cache.topics()


async def test_i_shows_the_papers_most_like_the_highlighted_one(cache: Cache):
    app = make_app(cache)
    async with app.run_test(size=(140, 36)) as pilot:
        await settle(app, pilot)
        await pilot.press("i")
        await settle(app, pilot)
        assert f"Like: {FIRST}" in status(app)
        shown = ids(app)
        assert shown and FIRST not in shown and set(shown) <= set(SAMPLE_ORDER)
        await pilot.press("v")  # the cycle goes on from the list, back to all papers
        await settle(app, pilot)
        assert "All papers" in status(app)


async def test_V_lists_every_view_by_name_with_a_filter(cache: Cache):
    app = make_app(cache)
    async with app.run_test(size=(140, 36)) as pilot:
        await settle(app, pilot)
        await pilot.press("V")
        picker = app.screen
        assert isinstance(picker, ViewPicker)
        labels = [v.label for v in picker.shown]
        assert labels[:3] == ["All papers", "Unread", "Starred"]
        assert any(label.startswith("Topic: ") for label in labels)
        await type_text(pilot, "star")
        assert [v.label for v in picker.shown] == ["Starred"]
        await pilot.press("enter")
        await settle(app, pilot)
        assert "Starred  ·  0 papers" in status(app)
        await pilot.press("V")
        await pilot.press("escape")
        assert not isinstance(app.screen, ViewPicker)


async def test_an_id_not_in_the_cache_is_offered_to_be_fetched(cache: Cache):
    with LoopbackServer({API: ArxivStub(FOUND)}) as server:
        app = arxiv_app(cache, server)
        async with app.run_test(size=(140, 36)) as pilot:
            await settle(app, pilot)
            await pilot.press("slash")
            await type_text(pilot, "arXiv:2611.00042v1")
            await pilot.press("enter")
            await settle(app, pilot)
            assert isinstance(app.screen, ConfirmScreen)
            assert ids(app) == []
            await pilot.press("y")
            await settle(app, pilot)
            assert not isinstance(app.screen, (ConfirmScreen, BusyScreen))
            assert ids(app) == ["2611.00042"]
        sent = server.requests_to(API)
    assert len(sent) == 1 and sent[0].query["id_list"] == ["2611.00042"]
    assert cache.paper("2611.00042").title == "Found on arXiv"


async def test_an_id_in_the_cache_is_found_without_an_offer(cache: Cache):
    app = make_app(cache)
    async with app.run_test(size=(140, 36)) as pilot:
        await settle(app, pilot)
        await pilot.press("slash")
        await type_text(pilot, f"https://arxiv.org/abs/{SAMPLE_ORDER[4]}")
        await pilot.press("enter")
        await settle(app, pilot)
        assert not isinstance(app.screen, ConfirmScreen)
        assert ids(app) == [SAMPLE_ORDER[4]]


async def test_C_shows_the_count_and_the_references_as_a_view(cache: Cache, monkeypatch):
    monkeypatch.setattr(semantic_scholar, "_last_request", 0.0)
    graph = Graph({FIRST: (7, [entry(SAMPLE_ORDER[2]), entry("2611.00041")], [])})
    routes = {PATH + "*": graph, API: ArxivStub(FOUND)}
    with LoopbackServer(routes) as server:
        app = arxiv_app(cache, server, citations=CitationSettings(url=server.url("/graph/v1")))
        async with app.run_test(size=(140, 36)) as pilot:
            await settle(app, pilot)
            await pilot.press("enter")  # the pane
            await pilot.press("C")
            await settle(app, pilot)
            assert isinstance(app.screen, ViewPicker)
            assert "Cited by 7" in pane_text(app)
            await pilot.press("enter")  # References of …
            await settle(app, pilot)
            assert f"References of {FIRST}" in status(app)
            assert ids(app) == [SAMPLE_ORDER[2], "2611.00041"]
        assert server.requests_to(API)[0].query["id_list"] == ["2611.00041"]


async def test_V_offers_a_recommendation_view_per_tag(cache: Cache):
    from paperdeck.storage.cache import library

    library.change_tags(cache, [SAMPLE_ORDER[1], SAMPLE_ORDER[2]], ["rag"])
    app = make_app(cache)
    async with app.run_test(size=(140, 36)) as pilot:
        await settle(app, pilot)
        await pilot.press("V")
        await type_text(pilot, "like tag")
        assert [v.label for v in app.screen.shown] == ["Like: tag rag"]
        await pilot.press("enter")
        await settle(app, pilot)
        assert "Like: tag rag" in status(app)
        shown = ids(app)
        assert shown and not {SAMPLE_ORDER[1], SAMPLE_ORDER[2]} & set(shown)


async def test_opening_an_updated_paper_in_the_reader_clears_is_updated(cache: Cache):
    from dataclasses import replace

    from paperdeck.storage.models import Incoming

    cache.set_starred(FIRST, True)
    cache.set_read(FIRST, True)
    paper = cache.paper(FIRST)
    cache.upsert([Incoming(replace(paper, version=(paper.version or 1) + 1))])
    assert not cache.state(FIRST).read
    app = make_app(cache)
    async with app.run_test(size=(140, 36)) as pilot:
        await settle(app, pilot)
        await pilot.press("slash")
        await type_text(pilot, "is:updated")
        await pilot.press("enter")
        await settle(app, pilot)
        assert ids(app) == [FIRST]
        await pilot.press("enter")  # the abstract pane: read (auto_mark_read)
        await settle(app, pilot)
        assert cache.state(FIRST).read
    assert cache.conn.execute("SELECT count(*) FROM paper_updates").fetchone()[0] == 0
