"""Markup in any text shows literally in every widget — the table, the status line, the
abstract pane, the help screen, the link chooser, the confirm dialog, notifications, the
welcome panel — and never styles the screen or runs an action. Very long titles and
author lists keep the layout and the pace of the reader."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from rich.cells import cell_len
from textual.widgets import Input
from textual.widgets._toast import Toast

from paperdeck.storage.cache.database import Cache
from paperdeck.storage.config import Topic, TranslationSettings
from paperdeck.storage.models import Incoming, Paper, Translation
from paperdeck.tui.screens.confirm import ConfirmScreen
from paperdeck.tui.screens.help import HelpScreen
from paperdeck.tui.screens.link_chooser import LinkChooser
from paperdeck.tui.widgets.abstract_pane import MAX_AUTHORS, MAX_BODY_CHARS, AbstractPane
from paperdeck.tui.widgets.paper_table import PaperTable
from paperdeck.tui.widgets.status_line import StatusLine
from paperdeck.tui.widgets.welcome import Welcome
from tests.support.arxiv_stub import ATOM_TYPE, error_page
from tests.support.hostile import MARKUP, assert_markup_literal
from tests.support.loopback import LoopbackServer, Reply
from tests.support.sync_setup import config as sync_config
from tests.support.synthetic import papers
from tests.tui_support import main_screen, make_app, pane_text, settle, table_lines

SIZE = (140, 40)
PAPER = "2612.00001"
TOPIC = f"Topic {MARKUP}"
CODE = ["https://github.com/o/[bold]r[/]x", "https://gitlab.com/o/[@click=app.quit]q[/]x"]


@pytest.fixture
def cache(tmp_path: Path):
    """A few plain papers, and on top the one whose every field is markup."""
    with Cache(tmp_path / "c.db") as opened:
        opened.upsert(list(papers(5)))
        paper = Paper(
            PAPER,
            title=f"Tokens {MARKUP}",
            published="2026-12-01",
            version=1,
            authors=[f"Ada {MARKUP}", f"Alan {MARKUP}"],
            abstract=f"Abstract {MARKUP}",
            comment=f"Comment {MARKUP}",
            journal_ref=f"Journal {MARKUP}",
            primary_category="cs.CL",
            code_urls=CODE,
            summary=f"Summary {MARKUP}",
        )
        translation = Translation(PAPER, "zh", f"譯文 {MARKUP}", title=f"標題 {MARKUP}")
        opened.upsert([Incoming(paper, topics=(TOPIC,), translations=(translation,))])
        yield opened



def screen_segments(app):
    """Every segment every displayed widget of the active screen draws."""
    for widget in app.screen.query("*"):
        if widget.display and widget.size.area:
            for y in range(widget.size.height):
                yield widget, from_strip(widget.render_line(y))


def from_strip(strip):
    return list(strip)


def assert_no_link_or_action(app) -> None:
    """Markup parsed would leave a hyperlink or an ``@click`` action on some segment."""
    for widget, segments in screen_segments(app):
        for segment in segments:
            style = segment.style
            if style is not None:
                assert style.link is None, (widget, segment)
                assert "@click" not in (style.meta or {}), (widget, segment)


def widget_text(widget) -> str:
    """What ``widget`` shows, its wrapped lines joined with spaces."""
    return " ".join(widget.render_line(y).text.rstrip() for y in range(widget.size.height))


def toasts(app) -> str:
    return " ".join(widget_text(toast) for toast in app.screen.query(Toast))


async def test_markup_in_every_field_shows_literally_and_styles_nothing(cache: Cache):
    app = make_app(cache)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        assert "Tokens [bold red]Red[/]" in table_lines(app)[0]
        await pilot.press("enter")
        text = pane_text(app)
        for field in ("Tokens", "Ada", "Alan", "Abstract", "Comment", "Journal", "Summary"):
            assert f"{field} {MARKUP}" in text.replace("\n", " ") or f"{field} [bold red]" in text
        assert_markup_literal(text)
        assert f"topics: {TOPIC}" in text and all(url in text for url in CODE)
        assert_no_link_or_action(app)
        await pilot.press("t")
        translated = pane_text(app)
        assert f"標題 {MARKUP}" in translated and f"譯文 {MARKUP}" in translated
        assert_no_link_or_action(app)


async def test_clicking_an_action_in_a_title_runs_nothing(cache: Cache):
    app = make_app(cache)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("enter")
        title = main_screen(app).query_one("#pane-title")
        for y in range(title.size.height):
            x = title.render_line(y).text.find("quit[/]")
            if x >= 0:
                await pilot.click(title, offset=(x + 1, y))
                break
        else:
            pytest.fail("the word 'quit' is not on screen")
        await pilot.pause()
        assert app.is_running and main_screen(app).pane.display


async def test_search_text_with_markup_shows_literally(cache: Cache):
    app = make_app(cache)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("slash")
        main_screen(app).query_one("#search", Input).value = MARKUP
        await pilot.press("enter")
        await settle(app, pilot)
        status = widget_text(main_screen(app).query_one(StatusLine))
        assert "[bold red]Red[/] [link=https://evil.example]" in status
        assert_no_link_or_action(app)


async def test_the_confirm_dialog_and_its_notification_show_a_topic_literally(cache: Cache):
    app = make_app(cache)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        while TOPIC not in main_screen(app).view.label:
            await pilot.press("v")
        assert "Tokens [bold red]" in table_lines(app)[0]
        await pilot.press("M")
        assert isinstance(app.screen, ConfirmScreen)
        question = widget_text(app.screen.query_one("#confirm-question"))
        assert "[bold red]Red[/]" in question and "[@click=app.quit]" in question
        assert_no_link_or_action(app)
        await pilot.press("y")
        await pilot.pause()
        assert "[@click=app.quit]quit[/]" in toasts(app)
        assert_no_link_or_action(app)
        assert cache.state(PAPER).read


async def test_code_links_with_markup_in_the_chooser_and_the_notification(
    cache: Cache, opened: list[str]
):
    app = make_app(cache)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("c")
        assert isinstance(app.screen, LinkChooser)
        shown = widget_text(app.screen.query_one("OptionList"))
        assert all(url in shown for url in CODE)
        assert_no_link_or_action(app)
        await pilot.press("down", "enter")
        await settle(app, pilot)
        assert opened == [CODE[1]]
        assert f"Opened {CODE[1]}" in toasts(app)


async def test_a_translator_error_with_markup_shows_literally(cache: Cache):
    said = Reply.json({"error": MARKUP}, 400)
    routes = {"/translate": said, "/languages": Reply.json([{"code": "en", "targets": ["de"]}])}
    with LoopbackServer(routes) as server:
        settings = TranslationSettings(provider="libretranslate", url=server.base, target="de")
        app = make_app(cache, translation=settings)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await pilot.press("enter", "t")
            await settle(app, pilot)
            assert "[@click=app.quit]quit[/]" in pane_text(app)
            assert "[bold red]Red[/]" in toasts(app)
            assert_no_link_or_action(app)


async def test_a_sync_error_with_markup_shows_literally_in_the_note_and_the_notification(
    tmp_path: Path,
):
    error = error_page(MARKUP)
    with (
        Cache(tmp_path / "empty.db") as empty,
        LoopbackServer({"/api/query": Reply(400, error, ATOM_TYPE)}) as server,
    ):
        setup = sync_config(server.url("/api/query"))
        app = make_app(empty, arxiv=setup.arxiv, topics=setup.topics)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await pilot.press("r")
            await settle(app, pilot)
            welcome = widget_text(main_screen(app).query_one(Welcome))
            assert "arXiv says: [bold red]Red[/]" in welcome
            assert "[@click=app.quit]quit[/]" in toasts(app)
            assert_no_link_or_action(app)


async def test_topic_names_with_markup_show_literally_on_the_welcome_panel(tmp_path: Path):
    with Cache(tmp_path / "empty.db") as empty:
        app = make_app(empty, topics=[Topic(MARKUP, "ti:x")])
        async with app.run_test(size=SIZE, notifications=True):
            assert_markup_literal(widget_text(main_screen(app).query_one(Welcome)))
            assert_no_link_or_action(app)


async def test_the_help_screen_shows_keys_and_descriptions_literally(cache: Cache):
    app = make_app(cache)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        app.push_screen(HelpScreen([("[b]x[/b]", f"Does {MARKUP}")]))
        await pilot.pause()
        shown = " ".join(widget_text(w) for w in app.screen.query("Static"))
        assert "[b]x[/b]" in shown
        assert_markup_literal(shown)
        assert_no_link_or_action(app)


# --- very long titles and author lists ----------------------------------------------------


async def test_a_5000_character_title_and_3000_authors_keep_layout_and_pace(cache: Cache):
    title = " ".join(f"Word{n}" for n in range(900))[:5000]
    authors = [f"Author{n} Surname{n}" for n in range(3000)]
    abstract = "word " * 20_000  # 100 KB
    cache.upsert(
        [Incoming(Paper("2612.09999", title, "2026-12-02", authors=authors, abstract=abstract))]
    )
    app = make_app(cache)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        table = main_screen(app).query_one(PaperTable)
        await pilot.press("j", "enter")  # a plain paper first: the layout to keep
        layout = {w.id: w.region for w in (table, main_screen(app).pane)}
        started = time.perf_counter()
        await pilot.press("k")
        await pilot.pause()
        elapsed = time.perf_counter() - started
        row = table.render_line(0)
        assert row.cell_length == table.size.width
        assert "Word0 Word1" in row.text and "… " in row.text and "Word899" not in row.text
        assert {w.id: w.region for w in (table, main_screen(app).pane)} == layout
        pane = main_screen(app).query_one(AbstractPane)
        title = pane.query_one("#pane-title")
        title_lines = [title.render_line(y).text for y in range(title.size.height)]
        assert len(title_lines) > 50
        assert all(cell_len(line.rstrip()) <= pane.size.width for line in title_lines)
        shown = pane_text(app)
        assert f"Author{MAX_AUTHORS - 1} Surname" in shown
        assert f"… and {3000 - MAX_AUTHORS:,} more" in shown
        assert f"Author{MAX_AUTHORS} Surname" not in shown
        assert f"word  … ({100_000 - MAX_BODY_CHARS:,} more characters)" in shown
        assert elapsed < 2.0, f"moving onto the paper took {elapsed:.2f} s"
