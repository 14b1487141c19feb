"""Figures drawn in the text: fetched when they scroll into view (from a loopback
arxiv.org), stored with the paper, drawn again offline; Enter shows one full screen."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.segment import Segment

from paperdeck.storage import http
from paperdeck.storage.cache import figures as stored_images
from paperdeck.storage.cache.database import Cache
from paperdeck.storage.fulltext import model
from paperdeck.storage.fulltext.images import Picture, box, picture
from paperdeck.tui.screens.figure import FigureScreen, FigureView
from paperdeck.tui.screens.fulltext import FullTextScreen
from paperdeck.tui.widgets.paper_text import PaperText
from paperdeck.tui.widgets.text_layout import picture_row
from tests.support.fulltext import NO_HTML_ID, fill, routes
from tests.support.fulltext_reader import make_app, settle, store
from tests.support.loopback import LoopbackServer, Reply

SIZE = (160, 48)
ROW = 1
"""The fixture paper's row in the table (the synthetic paper is first)."""


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(http, "BACKOFF_S", 0.01)


def serve(shared_data: Path, **changes: Reply) -> tuple[LoopbackServer, dict]:
    """A loopback arxiv.org serving the rich fixture's figures (``changes`` replace routes)."""
    table = {**routes(shared_data / "fulltext"), **changes}
    return LoopbackServer(table), table


@pytest.fixture
def served(shared_data: Path):
    server, table = serve(shared_data)
    with server:
        yield server, table


def stored(path: Path, server: LoopbackServer, shared_data: Path) -> Cache:
    """A cache holding the rich fixture's page as if fetched from ``server`` (so its
    images point there)."""
    page = (shared_data / "fulltext" / f"{NO_HTML_ID}v1" / "index.html").read_bytes()
    cache = Cache(path)
    fill(cache)
    store(cache, NO_HTML_ID, page, server.url(f"/html/{NO_HTML_ID}v1"))
    return cache


@pytest.fixture
def cache(tmp_path: Path, served, shared_data: Path):
    with stored(tmp_path / "figures.db", served[0], shared_data) as opened:
        yield opened


def colours(segments: list[Segment]) -> set:
    return {(s.style.color, s.style.bgcolor) for s in segments if s.text.startswith("▀")}


async def open_figure(app, pilot, number: int) -> tuple[PaperText, int]:
    """Open the paper, bring figure ``number`` (from 1) on screen; its block."""
    await settle(app, pilot)
    await pilot.press("j", "f")
    await settle(app, pilot)
    screen = app.screen
    assert isinstance(screen, FullTextScreen)
    text = screen.query_one(PaperText)
    figures = [n for n, b in enumerate(text.document.blocks) if b.kind == model.FIGURE]
    text.jump_to_block(figures[number - 1])
    await pilot.pause()
    await settle(app, pilot)
    await pilot.pause()
    return text, figures[number - 1]


def drawn(text: PaperText, block: int) -> list[list[Segment]]:
    """The figure's picture rows as the widget draws them."""
    layout = text.text_layout
    rows = [
        n
        for n, line in enumerate(layout.lines)
        if line.block == block and picture_row(line.pieces) is not None
    ]
    top = text.scroll_offset.y
    return [list(text.render_line(n - top)) for n in rows if 0 <= n - top < text.size.height]


async def test_a_figure_is_fetched_as_it_scrolls_in_stored_and_drawn_offline(cache, served):
    server, table = served
    app = make_app(cache, server, figures=True)
    async with app.run_test(size=SIZE) as pilot:
        text, block = await open_figure(app, pilot, 1)
        rows = drawn(text, block)
        assert rows, "the figure's rows are on screen"
        assert len(set().union(*(colours(r) for r in rows))) > 20  # a plot, in colour
    url = text.document.blocks[block].url
    assert url == server.url(f"/html/{NO_HTML_ID}v1/x1.png")
    fetched = [r.path for r in server.requests if r.path.endswith(".png")]
    assert f"/html/{NO_HTML_ID}v1/x1.png" in fetched
    assert len(fetched) <= 3  # only what came into view, not every figure of the paper
    assert server.max_in_flight <= 3  # a few at a time
    assert stored_images.image(cache, NO_HTML_ID, url) == table[f"/html/{NO_HTML_ID}v1/x1.png"].body
    # The server is gone: drawn from the cache.
    server.requests.clear()
    offline = make_app(cache, None, figures=True)
    async with offline.run_test(size=SIZE) as pilot:
        text, block = await open_figure(offline, pilot, 1)
        assert len(set().union(*(colours(r) for r in drawn(text, block)))) > 20


async def test_an_image_that_cannot_be_had_says_so_in_its_box(tmp_path, shared_data):
    server, _ = serve(shared_data, **{f"/html/{NO_HTML_ID}v1/x2.png": Reply(404, "gone")})
    with server, stored(tmp_path / "c.db", server, shared_data) as cache:
        app = make_app(cache, server, figures=True)
        async with app.run_test(size=SIZE) as pilot:
            text, block = await open_figure(app, pilot, 2)
            assert text.document.blocks[block].url.endswith("/x2.png")
            rows = drawn(text, block)
            lines = ["".join(s.text for s in row) for row in rows]
            assert any("no image:" in line and "404" in line for line in lines), lines
            assert not any(colours(row) for row in rows)


async def test_figures_off_leaves_the_caption_and_link(cache, served):
    server, _ = served
    app = make_app(cache, server, figures=False)
    async with app.run_test(size=SIZE) as pilot:
        text, block = await open_figure(app, pilot, 1)
        assert not text.text_layout.figures
        assert not any(r.path.endswith(".png") for r in server.requests)
        assert "(Enter opens it)" in "".join(
            line.text for line in text.text_layout.lines if line.block == block
        )


async def test_enter_shows_the_figure_full_screen_with_zoom_and_the_original(cache, served):
    server, _ = served
    app = make_app(cache, server, figures=True)
    opened: list[str] = []
    app.open_link = opened.append
    async with app.run_test(size=SIZE) as pilot:
        text, block = await open_figure(app, pilot, 3)
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.pause()
        assert isinstance(app.screen, FigureScreen)
        view = app.screen.query_one(FigureView)
        first = view.picture
        assert isinstance(first, Picture) and first.width <= view.size.width
        await pilot.press("plus")
        await settle(app, pilot)
        await pilot.pause()
        assert view.picture.width > first.width
        await pilot.press("right", "down")
        assert (view.left, view.top) == (8, 4)
        await pilot.press("o")
        assert opened == [text.document.blocks[block].url]
        await pilot.press("escape")
        assert isinstance(app.screen, FullTextScreen)


def test_pictures_fit_their_box_and_the_layout_reserves_it(shared_data: Path):
    data = (shared_data / "fulltext" / f"{NO_HTML_ID}v1" / "x4.png").read_bytes()
    cells, rows = box(116)
    image = picture(data, cells, rows)
    assert (image.width, image.rows, len(image.pixels)) == (cells, rows, cells * rows * 6)
    assert len({image.cell(r, c) for r in range(rows) for c in range(cells)}) > 50
    with pytest.raises(Exception, match="could not be read"):
        picture(b"\x89PNG\r\n\x1a\nnot really", 10, 4)
