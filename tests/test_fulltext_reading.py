"""What a reader of full texts noticed: reading one marks the paper read, the table marks
papers whose full text is stored, and the contents pane moves with j/k from the section
the reader is in."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from paperdeck.storage.cache.database import Cache
from paperdeck.storage.config import Config
from paperdeck.tui.screens.fulltext import FullTextScreen
from paperdeck.tui.widgets.paper_table import FULLTEXT_MARK, PaperTable
from tests.support.fulltext import LONG_ID, SYNTHETIC, SYNTHETIC_ID, fill
from tests.support.fulltext_reader import make_app, settle, store

SIZE = (140, 40)


@pytest.fixture
def cache(tmp_path: Path):
    with Cache(tmp_path / "reading.db") as opened:
        fill(opened)
        store(
            opened, SYNTHETIC_ID, SYNTHETIC.read_bytes(), f"https://arxiv.org/html/{SYNTHETIC_ID}v2"
        )
        yield opened


def row_text(table: PaperTable, index: int) -> str:
    return "".join(segment.text for segment in table.render_line(index - table.scroll_offset.y))


@pytest.mark.parametrize("auto", [True, False])
async def test_reading_a_full_text_marks_the_paper_read(cache: Cache, auto: bool):
    app = make_app(cache, ui=replace(Config().ui, auto_mark_read=auto))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(PaperTable)
        assert table.current.id == SYNTHETIC_ID and not table.current.read
        await pilot.press("f")
        await settle(app, pilot)
        assert isinstance(app.screen, FullTextScreen)
        await pilot.press("escape")
        await settle(app, pilot)
        assert table.current.read is auto  # shown at once
    assert cache.state(SYNTHETIC_ID).read is auto  # and saved


async def test_the_table_marks_papers_whose_full_text_is_stored(cache: Cache):
    app = make_app(cache)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(PaperTable)
        rows = {table.row(n).id: row_text(table, n) for n in range(4)}
    assert FULLTEXT_MARK.strip() in rows[SYNTHETIC_ID]
    assert FULLTEXT_MARK.strip() not in rows[LONG_ID]


async def test_the_contents_pane_starts_at_the_current_section_and_moves_with_j_k(cache: Cache):
    app = make_app(cache)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("f")
        await settle(app, pilot)
        screen = app.screen
        await pilot.press("right_square_bracket", "right_square_bracket")
        await pilot.pause()
        current = screen._heading_blocks.index(screen.text.cursor_block)
        await pilot.press("tab")
        await pilot.pause()
        assert app.focused is screen.toc and screen.toc.highlighted == current
        await pilot.press("j", "j", "k")
        await pilot.pause()
        assert screen.toc.highlighted == current + 1
        await pilot.press("enter")
        await pilot.pause()
        assert screen.text.cursor_block == screen._heading_blocks[current + 1]


async def test_enter_on_a_citation_shows_the_reference_without_leaving_the_text(cache: Cache):
    app = make_app(cache)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("f")
        await settle(app, pilot)
        screen = app.screen
        assert screen.text.find("often cited") == 1
        screen.text.find_next()
        before = screen.text.cursor
        await pilot.press("enter")
        await pilot.pause()
        said = [str(n.message) for n in app._notifications]
        assert app.screen is screen and screen.text.cursor == before
        assert any(
            "[1] A. Vaswani et al. Attention is all you need." in s and "[2] E. Witten." in s
            for s in said
        ), said
