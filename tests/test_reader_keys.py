"""The reader's keys, driven through Textual's Pilot: moving, opening a paper, links, the
help screen, the command palette, remapped keys and themes."""

from __future__ import annotations

import webbrowser
from pathlib import Path

import pytest

from paperdeck.storage.cache.database import Cache
from paperdeck.storage.config import ConfigError, UiSettings
from paperdeck.storage.models import Incoming
from paperdeck.storage.state import UiState
from paperdeck.tui.app import check_settings
from paperdeck.tui.screens.help import HelpScreen
from paperdeck.tui.screens.link_chooser import LinkChooser
from paperdeck.tui.widgets.abstract_pane import AbstractPane
from paperdeck.tui.widgets.paper_table import PaperTable
from paperdeck.tui.widgets.welcome import Welcome
from tests.tui_support import (
    SAMPLE_ORDER,
    main_screen,
    make_app,
    notes,
    pane_text,
    settle,
    status,
    table,
    table_lines,
)

SIZE = (140, 40)


async def test_opens_newest_first_with_counts(sample: Cache):
    app = make_app(sample)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert table(app).total == 9
        assert [table(app).row(i).id for i in range(9)] == SAMPLE_ORDER
        lines = table_lines(app)
        assert lines[0].startswith("● </> 2024-06-12 Neural Radiance Fields from a Single")
        assert "All papers" in status(app) and "9 papers" in status(app) and "9 unread" in status(app)


async def test_moving_keys(sample: Cache):
    app = make_app(sample)
    async with app.run_test(size=(140, 8)) as pilot:  # the table shows five rows
        t = table(app)
        await pilot.press("j", "j", "down")
        assert t.cursor == 3
        await pilot.press("k", "up")
        assert t.cursor == 1
        await pilot.press("G")
        assert t.cursor == 8 and t.current.id == SAMPLE_ORDER[-1]
        await pilot.press("g")
        assert t.cursor == 0
        await pilot.press("end", "home", "pagedown")
        assert t.cursor == 4  # a page: the five rows on screen, less the one kept in view
        await pilot.press("pageup")
        assert t.cursor == 0


async def test_enter_opens_the_abstract_and_escape_closes_it(sample: Cache):
    app = make_app(sample)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "enter")
        pane = main_screen(app).query_one(AbstractPane)
        assert pane.display
        text = pane_text(app)
        assert "Sparse Mixtures of Reasoning Experts" in text
        assert "Mira Okafor, Jonas Lindqvist, Priya Raman" in text
        assert "We study question answering over documents" in text
        assert "https://github.com/okafor-lab/smore" in text
        await pilot.press("j")  # the pane follows the cursor
        assert "Calibrated Uncertainty" in pane_text(app)
        await pilot.press("escape")
        assert not pane.display


async def test_clicks_move_the_cursor_and_a_second_click_opens_the_abstract(sample: Cache):
    app = make_app(sample)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.click(PaperTable, offset=(30, 3))
        assert table(app).cursor == 3
        assert not main_screen(app).query_one(AbstractPane).display
        await pilot.click(PaperTable, offset=(30, 3))
        assert main_screen(app).query_one(AbstractPane).display
        assert "Keypoint Matching Without Descriptors" in pane_text(app)
        await pilot.press("escape")
        await pilot.click("#columns", offset=(100, 0))  # the First author column
        assert "sorted by author" in status(app)


async def test_n_jumps_to_the_next_unread_paper(sample: Cache):
    for paper_id in SAMPLE_ORDER[1:4]:
        sample.set_read(paper_id, True)
    app = make_app(sample)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        assert table(app).cursor == 4
        await pilot.press("G", "n")
        assert table(app).cursor == 0  # wraps to the top


async def test_c_opens_the_code_link_or_says_there_is_none(sample: Cache, opened: list[str]):
    app = make_app(sample)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("c")
        await settle(app, pilot)
        assert opened == ["https://github.com/nightnerf/nnerf"]
        await pilot.press("j", "j", "c")  # Calibrated Uncertainty has none
        await settle(app, pilot)
        assert opened == ["https://github.com/nightnerf/nnerf"]
        assert "No code link for this paper." in notes(app)


async def test_c_offers_a_chooser_when_there_are_several_links(sample: Cache, opened: list[str]):
    paper = sample.paper(SAMPLE_ORDER[0])
    paper.code_urls = ["https://huggingface.co/spaces/nightnerf/demo"]
    sample.upsert([Incoming(paper)])
    app = make_app(sample)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        assert isinstance(app.screen, LinkChooser)
        await pilot.press("down", "enter")
        await settle(app, pilot)
        assert opened == ["https://huggingface.co/spaces/nightnerf/demo"]


async def test_o_and_p_open_the_arxiv_page_and_the_pdf(sample: Cache, opened: list[str]):
    app = make_app(sample)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("o")
        await settle(app, pilot)
        await pilot.press("p")
        await settle(app, pilot)
        assert opened == ["https://arxiv.org/abs/2406.10031", "https://arxiv.org/pdf/2406.10031v1"]
        assert "Opened https://arxiv.org/abs/2406.10031" in notes(app)


async def test_without_a_browser_the_reader_says_so(sample: Cache, monkeypatch):
    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: False)
    app = make_app(sample)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("o")
        await settle(app, pilot)
        said = "No web browser could be started for https://arxiv.org/abs/2406.10031 (set $BROWSER)."
        assert notes(app, "warning") == [said]


async def test_question_mark_lists_every_key(sample: Cache):
    app = make_app(sample)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        keys = dict(app.screen.keys)
        for key, does in [("t", "Translate"), ("n", "Next unread"), ("s", "Star"), ("m", "Read"),
                          ("M", "All read"), ("c", "Code"), ("o", "arXiv"), ("p", "PDF"),
                          ("/", "Search"), ("v", "View"), ("q", "Quit"), ("⏎", "Abstract"),
                          ("u", "Undo all read")]:  # u too, before there is anything to undo
            assert keys.get(key) == does, key
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_ctrl_c_quits(sample: Cache):
    app = make_app(sample)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert app.return_code == 0 and not notes(app)  # not "press Ctrl+Q to quit"


async def test_the_command_palette_offers_every_action(sample: Cache):
    app = make_app(sample)
    async with app.run_test(size=SIZE) as pilot:
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert {"Translate", "Next unread", "Star", "Read", "All read", "Code", "arXiv", "PDF",
                "Search", "View", "Sort", "Abstract"} <= titles
        star = next(c for c in app.get_system_commands(app.screen) if c.title == "Star")
        app.call_later(star.callback)  # as the palette runs a chosen command
        await settle(app, pilot)
    assert sample.state(SAMPLE_ORDER[0]).starred


async def test_keys_table_remaps_bindings_by_id(sample: Cache):
    app = make_app(sample, keys={"star": "f"})
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")
        await settle(app, pilot)
        assert not sample.state(SAMPLE_ORDER[0]).starred
        await pilot.press("f")
        await settle(app, pilot)
        assert sample.state(SAMPLE_ORDER[0]).starred
        await pilot.press("question_mark")
        assert dict(app.screen.keys)["f"] == "Star"


async def test_a_remap_onto_a_key_in_use_is_said_naming_both(sample: Cache):
    app = make_app(sample, keys={"star": "f", "open_pdf": "ctrl+p,P"})
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        said = notes(app, "warning")
        assert len(said) == 2, said
        assert "star = 'f'" in said[0] and "open_fulltext" in said[0]
        assert "open_pdf = 'ctrl+p,P'" in said[1] and "ctrl+p" in said[1]


async def test_theme_comes_from_the_config(sample: Cache):
    app = make_app(sample, ui=UiSettings(theme="nord"))
    async with app.run_test(size=SIZE):
        assert app.theme == "nord"


def test_unknown_theme_or_binding_id_stops_the_app_before_it_starts(sample: Cache):
    neon = make_app(sample, ui=UiSettings(theme="neon"))
    with pytest.raises(ConfigError, match="theme 'neon' is not a theme"):
        check_settings(neon.config, neon)
    typo = make_app(sample, keys={"stra": "x"})
    with pytest.raises(ConfigError, match="'stra' is not a binding id"):
        check_settings(typo.config, typo)


async def test_titles_with_markup_show_literally(sample: Cache):
    app = make_app(sample)
    async with app.run_test(size=SIZE) as pilot:
        assert "[bold red]Markup[/] in Titles" in table_lines(app)[4]
        await pilot.press("j", "j", "j", "j", "enter")
        text = pane_text(app)
        assert "[bold red]Markup[/] in Titles Is Just Text" in text
        assert "[link=https://example.org]this[/link]" in text


async def test_an_empty_cache_shows_the_welcome_panel_and_keys_do_nothing_there(tmp_path: Path):
    with Cache(tmp_path / "empty.db") as empty:
        app = make_app(empty)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(app, pilot)
            welcome = main_screen(app).query_one(Welcome)
            assert welcome.display and not table(app).display
            text = str(welcome.render())
            assert "paperdeck import FILE  import a daily-arXiv digest" in text
            assert "  r  sync your sources now (arXiv topics: LLM)" in text
            await pilot.press("j", "s", "m", "enter", "t", "c", "o", "M", "n")
            await settle(app, pilot)
            assert app.is_running and app.screen is main_screen(app)
            assert welcome.display and not main_screen(app).query_one(AbstractPane).display
            assert notes(app) == ["No unread papers in this view."] and empty.is_empty()


async def test_a_hundred_thousand_papers_open_and_jump_to_the_oldest(large_cache_path: Path):
    with Cache(large_cache_path) as sample:
        app = make_app(sample, ui_state=UiState())
        async with app.run_test(size=SIZE) as pilot:
            t = table(app)
            assert t.total == 100_000
            await pilot.press("G")
            oldest = sample.conn.execute("SELECT id FROM papers ORDER BY key LIMIT 1").fetchone()[0]
            assert t.current.id == oldest and t.cursor == 99_999
            assert len(t._rows) <= 300  # only windows around what was on screen were fetched
            await pilot.press("pageup", "g")
            assert t.cursor == 0
