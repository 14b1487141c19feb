"""SVG snapshots of the reading screen (pytest-textual-snapshot).

The synthetic paper is stored with a fixed URL, so the screens are the same on every run.
Update after a deliberate change with
``python -m pytest tests/test_fulltext_snapshots.py --snapshot-update`` and look at the new
SVGs before committing them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from paperdeck.storage.cache.database import Cache
from tests.support.fulltext import NO_HTML_ID, SYNTHETIC, SYNTHETIC_ID, fill, routes
from tests.support.fulltext_reader import make_app, settle, store, store_images
from tests.support.loopback import LoopbackServer

WIDE = (140, 36)


@pytest.fixture
def cache(tmp_path: Path):
    with Cache(tmp_path / "snap.db") as opened:
        fill(opened)
        store(
            opened, SYNTHETIC_ID, SYNTHETIC.read_bytes(), f"https://arxiv.org/html/{SYNTHETIC_ID}v2"
        )
        yield opened


def reading(*keys: str):
    """A run_before: open the first paper's full text, then press ``keys``."""

    async def run(pilot) -> None:
        await pilot.pause()
        await settle(pilot.app, pilot)
        await pilot.press("f")
        await settle(pilot.app, pilot)
        for key in keys:
            await pilot.press(key)
        await pilot.pause(0.2)
        await settle(pilot.app, pilot)

    return run


def test_the_reading_screen(snap_compare, cache: Cache):
    assert snap_compare(make_app(cache), terminal_size=WIDE, run_before=reading())


def test_figures_and_tables(snap_compare, cache: Cache):
    keys = ["right_square_bracket"] * 5
    assert snap_compare(make_app(cache), terminal_size=WIDE, run_before=reading(*keys))


def test_a_find_highlighted(snap_compare, cache: Cache):
    keys = ("slash", *"point", "enter", "n")
    assert snap_compare(make_app(cache), terminal_size=WIDE, run_before=reading(*keys))


def test_the_references(snap_compare, cache: Cache):
    assert snap_compare(make_app(cache), terminal_size=WIDE, run_before=reading("b"))


def test_a_narrow_terminal_hides_the_contents(snap_compare, cache: Cache):
    assert snap_compare(make_app(cache), terminal_size=(80, 30), run_before=reading("j", "j"))


def test_a_paper_with_no_rendering(snap_compare, cache: Cache):
    async def run(pilot) -> None:
        await pilot.pause()
        await settle(pilot.app, pilot)
        await pilot.press("j", "f")
        await settle(pilot.app, pilot)
        await pilot.pause(0.2)

    with LoopbackServer(routes(None)) as server:
        assert snap_compare(make_app(cache, server), terminal_size=(100, 24), run_before=run)


def test_a_page_read_from_the_pdf(snap_compare, cache: Cache, shared_data: Path):
    """A paper with no HTML rendering, stored from its PDF: the same screen, one line
    saying where the text came from."""
    pdf = (shared_data / "fulltext" / f"{NO_HTML_ID}v1.pdf").read_bytes()
    store(cache, NO_HTML_ID, pdf, f"https://arxiv.org/pdf/{NO_HTML_ID}v1")

    async def run(pilot) -> None:
        await pilot.pause()
        await settle(pilot.app, pilot)
        await pilot.press("j", "f")
        await settle(pilot.app, pilot)
        await pilot.pause(0.2)

    assert snap_compare(make_app(cache), terminal_size=WIDE, run_before=run)


@pytest.fixture
def rich_paper(cache: Cache, shared_data: Path) -> Cache:
    """The fixture with plots and two-dimensional math, stored with its images (as if
    the screen had fetched them once), so it is drawn offline and the same every run."""
    folder = shared_data / "fulltext" / f"{NO_HTML_ID}v1"
    base = f"https://arxiv.org/html/{NO_HTML_ID}v1"
    store(cache, NO_HTML_ID, (folder / "index.html").read_bytes(), base)
    store_images(cache, NO_HTML_ID, folder, base)
    return cache


def at_block(kind: str, number: int = 1, text: str = ""):
    """A run_before: open the second paper, put its ``number``-th block of ``kind``
    (holding ``text``) at the top."""

    async def run(pilot) -> None:
        await pilot.pause()
        await settle(pilot.app, pilot)
        await pilot.press("j", "f")
        await settle(pilot.app, pilot)
        paper = pilot.app.screen.query_one("PaperText")
        blocks = [
            n for n, b in enumerate(paper.document.blocks) if b.kind == kind and text in b.plain
        ]
        paper.jump_to_block(blocks[number - 1])
        await pilot.pause()
        await settle(pilot.app, pilot)
        await pilot.pause(0.2)

    return run


def test_a_figure_drawn_in_the_text(snap_compare, rich_paper: Cache):
    app = make_app(rich_paper, figures=True)
    assert snap_compare(app, terminal_size=(140, 40), run_before=at_block("figure", 3))


def test_a_matrix_in_two_dimensions(snap_compare, rich_paper: Cache):
    run = at_block("equation", 1, "(a_11")
    assert snap_compare(make_app(rich_paper), terminal_size=WIDE, run_before=run)
