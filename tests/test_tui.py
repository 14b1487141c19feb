"""The reader, driven key by key through Textual's Pilot; each test checks the screen and
the cache afterwards."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import webbrowser
from datetime import date
from pathlib import Path

import pytest

from paperdeck.storage.cache.database import Cache
from paperdeck.storage.cache.views import PaperList, View
from paperdeck.storage.config import ConfigError, SyncSettings, TranslationSettings, UiSettings
from paperdeck.storage.models import Incoming
from paperdeck.storage.state import UiState, load_state
from paperdeck.tui.app import check_settings
from paperdeck.tui.screens import main as main_module
from paperdeck.tui.screens.confirm import ConfirmScreen
from paperdeck.tui.screens.help import HelpScreen
from paperdeck.tui.screens.link_chooser import LinkChooser
from paperdeck.tui.screens.main import WATCH_S
from paperdeck.tui.widgets.abstract_pane import AbstractPane
from paperdeck.tui.widgets.paper_table import FETCH, PaperTable
from paperdeck.tui.widgets.status_line import StatusLine
from paperdeck.tui.widgets.welcome import Welcome
from tests.support.arxiv_stub import ArxivStub, generated
from tests.support.loopback import LoopbackServer, Reply
from tests.support.sync_setup import config as sync_config
from tests.support.synthetic import papers
from tests.support.translators import FakeChat, FakeLibreTranslate
from tests.tui_support import (
    SAMPLE_ORDER,
    main_screen,
    make_app,
    pane_text,
    sample_cache,
    settle,
    table_lines,
)

SIZE = (140, 40)


@pytest.fixture
def cache(tmp_path: Path):
    with sample_cache(tmp_path / "c.db") as opened:
        yield opened



def table(app) -> PaperTable:
    return main_screen(app).query_one(PaperTable)


def status(app) -> str:
    return str(main_screen(app).query_one(StatusLine).render())


async def test_opens_newest_first_with_counts(cache: Cache):
    app = make_app(cache)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert table(app).total == 9
        assert [table(app).row(i).id for i in range(9)] == SAMPLE_ORDER
        lines = table_lines(app)
        assert lines[0].startswith("● </> 2024-06-12 Neural Radiance Fields from a Single")
        assert "All papers" in status(app) and "9 papers" in status(app) and "9 unread" in status(app)


async def test_moving_keys(cache: Cache):
    app = make_app(cache)
    async with app.run_test(size=(140, 8)) as pilot:
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
        assert t.cursor > 1
        await pilot.press("pageup")
        assert t.cursor == 0


async def test_enter_opens_the_abstract_and_escape_closes_it(cache: Cache):
    app = make_app(cache)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "enter")
        pane = main_screen(app).query_one(AbstractPane)
        assert pane.display
        text = pane_text(app)
        assert "Sparse Mixtures of Reasoning Experts" in text
        assert "Mira Okafor, Jonas Lindqvist, Priya Raman" in text
        assert "We study question answering over documents" in text
        assert "https://github.com/okafor-lab/smore" in text
        assert cache.state("2406.10012").read  # auto_mark_read
        await pilot.press("j")  # the pane follows the cursor
        assert "Calibrated Uncertainty" in pane_text(app)
        await pilot.press("escape")
        assert not pane.display


async def test_auto_mark_read_can_be_turned_off(cache: Cache):
    app = make_app(cache, ui=UiSettings(auto_mark_read=False))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        assert not cache.state(SAMPLE_ORDER[0]).read


async def test_t_toggles_the_stored_translation_and_back(cache: Cache):
    app = make_app(cache)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "enter", "t")
        text = pane_text(app)
        assert "我們研究超出當前語言模型上下文窗口的文件問答" in text
        assert "Translation (zh, from digest)" in text
        await pilot.press("t")
        assert "We study question answering" in pane_text(app)
        assert "我們研究" not in pane_text(app)


async def test_t_shows_a_stored_translation_in_another_language_labelled(cache: Cache):
    app = make_app(cache, translation=TranslationSettings(target="de"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "t")  # t also opens the pane
        text = pane_text(app)
        assert "Translation (zh, from digest); none in de; no provider to fetch one" in text
        assert "我們研究" in text


async def test_t_without_any_translation_says_how_to_configure_one(cache: Cache):
    app = make_app(cache)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "j", "j", "j", "t")  # the markup paper has no translation
        assert "No translation stored for this paper" in pane_text(app)
        assert "[translation] provider" in pane_text(app)


async def test_n_jumps_to_the_next_unread_paper(cache: Cache):
    for paper_id in SAMPLE_ORDER[1:4]:
        cache.set_read(paper_id, True)
    app = make_app(cache)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        assert table(app).cursor == 4
        await pilot.press("G", "n")
        assert table(app).cursor == 0  # wraps to the top


async def test_s_stars_and_unstars(cache: Cache):
    app = make_app(cache)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "s")
        assert cache.state("2406.10012").starred
        assert table_lines(app)[1].startswith("●★")
        await pilot.press("s")
        assert not cache.state("2406.10012").starred


async def test_m_toggles_read(cache: Cache):
    app = make_app(cache)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("m")
        assert cache.state(SAMPLE_ORDER[0]).read
        assert table_lines(app)[0].startswith(" ")
        await pilot.press("m")
        assert not cache.state(SAMPLE_ORDER[0]).read
        await settle(app, pilot)
        assert "9 unread" in status(app)


async def test_shift_m_marks_the_view_read_after_confirming_and_u_undoes(cache: Cache):
    cache.set_read(SAMPLE_ORDER[2], True)
    app = make_app(cache)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("M")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")  # no
        assert not cache.state(SAMPLE_ORDER[0]).read
        await pilot.press("M", "y")
        await settle(app, pilot)
        assert all(cache.state(i).read for i in SAMPLE_ORDER)
        assert "0 unread" in status(app)
        await pilot.press("u")
        await settle(app, pilot)
        assert [cache.state(i).read for i in SAMPLE_ORDER].count(True) == 1
        assert cache.state(SAMPLE_ORDER[2]).read  # what was read before stays read


async def test_c_opens_the_code_link_or_says_there_is_none(cache: Cache, opened: list[str]):
    app = make_app(cache)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        await settle(app, pilot)
        assert opened == ["https://github.com/nightnerf/nnerf"]
        await pilot.press("j", "j", "c")  # Calibrated Uncertainty has none
        await settle(app, pilot)
        assert opened == ["https://github.com/nightnerf/nnerf"]
        assert any("No code link" in str(n.message) for n in app._notifications)


async def test_c_offers_a_chooser_when_there_are_several_links(cache: Cache, opened: list[str]):
    paper = cache.paper(SAMPLE_ORDER[0])
    paper.code_urls = ["https://huggingface.co/spaces/nightnerf/demo"]
    cache.upsert([Incoming(paper)])
    app = make_app(cache)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        assert isinstance(app.screen, LinkChooser)
        await pilot.press("down", "enter")
        await settle(app, pilot)
        assert opened == ["https://huggingface.co/spaces/nightnerf/demo"]


async def test_o_and_p_open_the_arxiv_page_and_the_pdf(cache: Cache, opened: list[str]):
    app = make_app(cache)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("o")
        await settle(app, pilot)
        await pilot.press("p")
        await settle(app, pilot)
        assert opened == ["https://arxiv.org/abs/2406.10031", "https://arxiv.org/pdf/2406.10031v1"]
        assert any("Opened https://arxiv.org/abs/2406.10031" in str(n.message)
                   for n in app._notifications)


async def test_without_a_browser_the_reader_says_so(cache: Cache, monkeypatch):
    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: False)
    app = make_app(cache)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("o")
        await settle(app, pilot)
        assert any("No web browser could be started for https://arxiv.org/abs/2406.10031"
                   in str(n.message) for n in app._notifications)


async def test_slash_searches_as_you_type_and_escape_clears(cache: Cache):
    app = make_app(cache)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"byte patch")
        await pilot.pause(0.3)
        await settle(app, pilot)
        assert table(app).total == 1 and table(app).current.id == "2406.09954"
        assert "search “byte patch”" in status(app)
        await pilot.press("escape")
        await settle(app, pilot)
        assert table(app).total == 9 and "search" not in status(app)


async def test_search_enter_keeps_results_and_focuses_the_table(cache: Cache):
    app = make_app(cache)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"okafor", "enter")
        await settle(app, pilot)
        assert table(app).has_focus and table(app).total == 1
        await pilot.press("escape")  # closes nothing but the search
        await settle(app, pilot)
        assert table(app).total == 9
        assert not main_screen(app).query_one("#search").display


async def test_v_cycles_views_and_the_header_follows(cache: Cache):
    cache.set_starred(SAMPLE_ORDER[3], True)
    cache.set_read(SAMPLE_ORDER[0], True)
    app = make_app(cache)
    async with app.run_test(size=SIZE) as pilot:
        seen = []
        for _ in range(6):
            await pilot.press("v")
            await settle(app, pilot)
            seen.append((status(app).split("  ")[1], table(app).total))
        assert seen == [("Unread", 8), ("Starred", 1), ("With code", 6), ("Topic: LLM", 6),
                        ("Topic: Vision", 3), ("All papers", 9)]


async def test_shift_s_cycles_sort_and_it_is_remembered(cache: Cache):
    app = make_app(cache)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("S")
        titles = [table(app).row(i).title for i in range(9)]
        assert titles == sorted(titles, key=str.lower)
        assert table(app).current.id == SAMPLE_ORDER[0]  # the cursor stays on its paper
        assert "sorted by title" in status(app)
    assert load_state().sort == "title"
    again = make_app(cache, ui_state=load_state())
    async with again.run_test(size=SIZE) as pilot:
        assert "sorted by title" in status(again)
        await pilot.press("S")
        assert "sorted by author" in status(again)
        assert table(again).row(0).first_author == "Aiko Tanaka"


async def test_clicking_a_column_header_sorts_by_it(cache: Cache):
    app = make_app(cache)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.click("#columns", offset=(20, 0))  # the Title column
        assert "sorted by title" in status(app)


async def test_question_mark_lists_every_key(cache: Cache):
    app = make_app(cache)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        keys = dict(app.screen.keys)
        for key, does in [("t", "Translate"), ("n", "Next unread"), ("s", "Star"), ("m", "Read"),
                          ("M", "All read"), ("c", "Code"), ("o", "arXiv"), ("p", "PDF"),
                          ("/", "Search"), ("v", "View"), ("q", "Quit"), ("⏎", "Abstract")]:
            assert keys.get(key) == does, key
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_the_command_palette_offers_every_action(cache: Cache):
    app = make_app(cache)
    async with app.run_test(size=SIZE) as pilot:
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert {"Translate", "Next unread", "Star", "Read", "All read", "Code", "arXiv", "PDF",
                "Search", "View", "Sort", "Abstract"} <= titles
        star = next(c for c in app.get_system_commands(app.screen) if c.title == "Star")
        app.call_later(star.callback)  # as the palette runs a chosen command
        await pilot.pause()
    assert cache.state(SAMPLE_ORDER[0]).starred


async def test_keys_table_remaps_bindings_by_id(cache: Cache):
    app = make_app(cache, keys={"star": "f"})
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")
        assert not cache.state(SAMPLE_ORDER[0]).starred
        await pilot.press("f")
        assert cache.state(SAMPLE_ORDER[0]).starred
        await pilot.press("question_mark")
        assert dict(app.screen.keys)["f"] == "Star"


async def test_theme_comes_from_the_config(cache: Cache):
    app = make_app(cache, ui=UiSettings(theme="nord"))
    async with app.run_test(size=SIZE):
        assert app.theme == "nord"


def test_unknown_theme_or_binding_id_stops_the_app_before_it_starts(cache: Cache):
    neon = make_app(cache, ui=UiSettings(theme="neon"))
    with pytest.raises(ConfigError, match="theme 'neon' is not a theme"):
        check_settings(neon.config, neon)
    typo = make_app(cache, keys={"stra": "x"})
    with pytest.raises(ConfigError, match="'stra' is not a binding id"):
        check_settings(typo.config, typo)


async def test_titles_with_markup_show_literally(cache: Cache):
    app = make_app(cache)
    async with app.run_test(size=SIZE) as pilot:
        assert "[bold red]Markup[/] in Titles" in table_lines(app)[4]
        await pilot.press("j", "j", "j", "j", "enter")
        text = pane_text(app)
        assert "[bold red]Markup[/] in Titles Is Just Text" in text
        assert "[link=https://example.org]this[/link]" in text


async def test_an_empty_cache_shows_the_welcome_panel(tmp_path: Path):
    with Cache(tmp_path / "empty.db") as empty:
        app = make_app(empty)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            welcome = main_screen(app).query_one(Welcome)
            assert welcome.display and not table(app).display
            text = str(welcome.render())
            assert "paperdeck import FILE" in text and "r" in text
            await pilot.press("j", "s", "m", "enter", "t", "c", "n")  # nothing breaks


async def test_a_star_in_the_app_is_seen_by_the_cli_at_once(private_paths: Path):
    private_paths.mkdir(parents=True, exist_ok=True)
    with sample_cache(private_paths / "paperdeck.db") as cache:
        app = make_app(cache)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("j", "s")
            listed = subprocess.run(  # another process, while the app is open
                [sys.executable, "-m", "paperdeck", "list", "--starred", "--format", "json"],
                cwd=Path(__file__).parents[1], capture_output=True, text=True, timeout=60,
            )
            assert [p["id"] for p in json.loads(listed.stdout)] == ["2406.10012"]


async def test_a_hundred_thousand_papers_open_and_jump_to_the_oldest(large_cache_path: Path):
    with Cache(large_cache_path) as cache:
        app = make_app(cache, ui_state=UiState())
        async with app.run_test(size=SIZE) as pilot:
            t = table(app)
            assert t.total == 100_000
            await pilot.press("G")
            oldest = cache.conn.execute("SELECT id FROM papers ORDER BY key LIMIT 1").fetchone()[0]
            assert t.current.id == oldest and t.cursor == 99_999
            assert len(t._rows) <= 300  # only windows around what was on screen were fetched
            await pilot.press("pageup", "g")
            assert t.cursor == 0



# --- translations fetched through a provider -------------------------------------------


class SlowFor(FakeLibreTranslate):
    """A LibreTranslate that answers late when the text mentions ``slow``."""

    def __init__(self, slow: str, delay: float):
        super().__init__()
        self.slow, self.delay = slow, delay

    def translate(self, request):
        reply = super().translate(request)
        if self.slow in request.body.decode():
            reply.delay = self.delay
        return reply


def libretranslate(url: str) -> TranslationSettings:
    return TranslationSettings(provider="libretranslate", url=url, target="de")


async def test_t_fetches_a_translation_through_the_provider_and_caches_it(cache: Cache):
    with FakeLibreTranslate() as server:
        app = make_app(cache, translation=libretranslate(server.base))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("j", "t")
            await settle(app, pilot)
            text = pane_text(app)
            assert "[de] WE STUDY QUESTION ANSWERING" in text
            assert "Translation (de, from libretranslate)" in text
            sent = len([r for r in server.requests if r.path == "/translate"])
            await pilot.press("t", "t")  # original, then the translation again
            await settle(app, pilot)
            assert "[de] WE STUDY" in pane_text(app)
            assert len([r for r in server.requests if r.path == "/translate"]) == sent
    assert cache.translation("2406.10012", "de").source == "libretranslate"


async def test_a_late_answer_never_shows_on_another_paper(cache: Cache):
    with SlowFor("Neural Radiance", delay=0.8) as server:  # the first paper's title
        app = make_app(cache, translation=libretranslate(server.base))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("t")  # asks for the first paper: slow
            await pilot.pause(0.1)
            await pilot.press("j")  # moves on before the answer: fast
            await settle(app, pilot)
            text = pane_text(app)
            assert "[de] SPARSE MIXTURES OF REASONING EXPERTS" in text
            assert "[de] WE STUDY QUESTION ANSWERING" in text
            assert "LOW LIGHT" not in text and "NEURAL RADIANCE" not in text
            await pilot.pause(1.0)  # the slow answer arrives now, for a paper off screen
            assert "LOW LIGHT" not in pane_text(app)
    assert cache.translation(SAMPLE_ORDER[0], "de") is not None  # the late one was kept


async def test_a_429_is_a_calm_message_and_the_reader_keeps_working(cache: Cache):
    busy = Reply.json({"error": "Slowdown: 20 per 1 minute"}, 429, **{"Retry-After": "60"})
    with LoopbackServer({"/translate": busy, "/languages": Reply.json([{"code": "de"}])}) as server:
        app = make_app(cache, translation=libretranslate(server.base))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("j", "t")
            await settle(app, pilot)
            note = pane_text(app)
            assert "answered 429 Too Many Requests" in note and "try again in 60 s" in note
            assert any("429" in str(n.message) for n in app._notifications)
            await pilot.press("s", "j")
            assert cache.state("2406.10012").starred



# --- sync from the reader ----------------------------------------------------------------

API = "/api/query"


async def test_r_syncs_in_a_worker_and_keeps_the_cursor_on_its_paper(cache: Cache):
    stub = ArxivStub(generated(25))

    def slowly(request):  # long enough to see the progress bar
        reply = stub(request)
        reply.delay = 0.3
        return reply

    with LoopbackServer({API: slowly}) as server:
        app = make_app(cache, **vars_of(sync_config(server.url(API), page_size=10)))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("j", "j")
            before = table(app).current.id
            await pilot.press("r")
            assert main_screen(app).query_one("#sync-bar").display
            await settle(app, pilot)
            assert not main_screen(app).query_one("#sync-bar").display
            assert table(app).total == 9 + 25
            assert table(app).current.id == before
            assert any("Sync finished" in str(n.title) for n in app._notifications)
            assert any("25 new" in str(n.message) for n in app._notifications)


async def test_sync_when_offline_says_so_and_the_reader_keeps_working(tmp_path: Path):
    with Cache(tmp_path / "empty.db") as empty:
        app = make_app(empty, **vars_of(sync_config("http://127.0.0.1:9/api/query")))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("r")
            await settle(app, pilot)
            note = str(main_screen(app).query_one(Welcome).render())
            assert "Could not sync: arXiv cannot be reached (offline?)" in note and "127.0.0.1:9" in note
            assert "keeps working offline" in note
            assert any(n.severity == "error" for n in app._notifications)


async def test_sync_on_start_runs_without_delaying_the_first_paint(cache: Cache):
    with LoopbackServer({API: ArxivStub(generated(3))}) as server:
        config = sync_config(server.url(API))
        app = make_app(cache, **vars_of(config), sync=SyncSettings(on_start=True))
        async with app.run_test(size=SIZE) as pilot:
            assert table(app).total == 9  # painted from the cache before the sync answered
            await settle(app, pilot)
            assert table(app).total == 12


async def test_nothing_to_sync_is_said_plainly(cache: Cache):
    app = make_app(cache, topics=[])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("r")
        await pilot.pause()
        assert any("Nothing to sync" in str(n.message) for n in app._notifications)


def vars_of(config) -> dict:
    """The sections of a sync test configuration, as make_app takes them."""
    return {"arxiv": config.arxiv, "topics": config.topics}


async def test_papers_written_by_another_process_appear_and_the_cursor_stays(cache: Cache):
    app = make_app(cache)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "j")
        with Cache(cache.path) as other:  # as `paperdeck sync` in another terminal would
            other.upsert(papers(5))
        await pilot.pause(2.5)
        assert table(app).total == 14
        assert table(app).current.id == SAMPLE_ORDER[2]
        with Cache(cache.path) as other:
            other.upsert(papers(3, seed=99, start=date(2025, 1, 1)))
        await pilot.press("R")
        assert table(app).total == 17


async def test_t_through_an_openai_compatible_server(cache: Cache):
    with FakeChat(think=True) as server:  # a reasoning model: its <think> block is dropped
        settings = TranslationSettings(provider="openai", url=server.url("/v1"), target="de",
                                       model="qwen2.5:7b")
        app = make_app(cache, translation=settings)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("j", "t")
            await settle(app, pilot)
            text = pane_text(app)
            assert "Translation (de, from openai)" in text
            assert "<think>" not in text and "WE STUDY QUESTION ANSWERING" in text


async def test_a_translation_fetched_in_the_reader_is_printed_by_the_cli_without_a_request(
    private_paths: Path,
):
    private_paths.mkdir(parents=True, exist_ok=True)
    with FakeLibreTranslate() as server, sample_cache(private_paths / "paperdeck.db") as cache:
        config = Path(os.environ["PAPERDECK_CONFIG"])
        config.write_text(f'[translation]\nprovider = "libretranslate"\nurl = "{server.base}"\n')
        app = make_app(cache, translation=libretranslate(server.base))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("j", "t")
            await settle(app, pilot)
        asked = len(server.requests)
        printed = subprocess.run(
            [sys.executable, "-m", "paperdeck", "translate", "2406.10012", "--to", "de"],
            cwd=Path(__file__).parents[1], capture_output=True, text=True, timeout=60,
        )
        assert printed.returncode == 0, printed.stderr
        assert "[de] WE STUDY QUESTION ANSWERING" in printed.stdout
        assert len(server.requests) == asked


async def test_clicks_move_the_cursor_and_a_second_click_opens_the_abstract(cache: Cache):
    app = make_app(cache)
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


# --- the view holds still while the reader reads -----------------------------------------


@pytest.fixture
def many(tmp_path: Path):
    with Cache(tmp_path / "many.db") as opened:
        opened.upsert(papers(300, abstract_words=8))
        yield opened


def newest_first(cache: Cache) -> list[str]:
    return [row.id for row in PaperList(cache, View()).window(0, 1000)]


def read_ids(cache: Cache) -> list[str]:
    return [paper_id for paper_id in newest_first(cache) if cache.state(paper_id).read]


async def test_reading_down_the_unread_view_skips_no_paper(many: Cache):
    order = newest_first(many)
    app = make_app(many)
    async with app.run_test(size=(140, 30)) as pilot:
        await pilot.press("v")  # All → Unread
        await settle(app, pilot)
        await pilot.press("enter")  # each paper the pane shows is marked read
        seen = [table(app).current.id]
        for _ in range(FETCH + 20):  # past the rows fetched at first, among read ones
            await pilot.press("j")
            seen.append(table(app).current.id)
        assert seen == order[: len(seen)]
        assert read_ids(many) == seen and main_screen(app).view.unread


async def test_unstarring_down_the_starred_view_skips_no_paper(many: Cache):
    order = newest_first(many)
    for paper_id in order:
        many.set_starred(paper_id, True)
    app = make_app(many)
    async with app.run_test(size=(140, 30)) as pilot:
        await pilot.press("v", "v")  # All → Unread → Starred
        await settle(app, pilot)
        seen = []
        for _ in range(FETCH + 20):
            seen.append(table(app).current.id)
            await pilot.press("s", "j")
        assert seen == order[: len(seen)]
        assert all(not many.state(paper_id).starred for paper_id in seen)


@pytest.mark.parametrize("search", ["", "model"], ids=["unread view", "search"])
async def test_a_write_by_another_process_leaves_cursor_and_read_marks_alone(
    many: Cache, search: str
):
    app = make_app(many)
    async with app.run_test(size=(140, 30)) as pilot:
        await pilot.press("v")  # Unread
        if search:
            await pilot.press("slash", *search, "enter")
        await settle(app, pilot)
        await pilot.press("j", "j", "j", "enter")
        opened, before = table(app).current.id, table(app).papers
        with Cache(many.path) as other:  # a sync page, a `paperdeck star` elsewhere
            other.upsert(papers(2, seed=99, start=date(2020, 1, 1)))
        await pilot.pause(WATCH_S + 0.5)
        await settle(app, pilot)
        assert table(app).papers is not before  # the reader saw the write
        assert (table(app).cursor, table(app).current.id) == (3, opened)
        assert read_ids(many) == [opened]


async def test_a_late_auto_mark_shows_on_its_own_row(cache: Cache):
    app = make_app(cache)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        table(app).action_cursor_down()  # two key repeats before the screen catches up
        table(app).action_cursor_down()
        await settle(app, pilot)
        shown = [table(app).row(index).read for index in range(3)]
        assert shown == [True, True, True]
        assert [cache.state(paper_id).read for paper_id in SAMPLE_ORDER[:3]] == shown


@pytest.fixture
def slow_counts(monkeypatch):
    """Counting a search takes a second, as a common word does on a big cache."""
    real = main_module.count_view

    def slow(*args, **kwargs):
        time.sleep(1.0)
        return real(*args, **kwargs)

    monkeypatch.setattr(main_module, "count_view", slow)


async def test_a_search_keeps_its_count_when_the_reader_moves_before_it_comes(
    many: Cache, slow_counts
):
    hits = PaperList(many, View(search="model")).total
    assert hits > FETCH
    app = make_app(many)
    async with app.run_test(size=(140, 30)) as pilot:
        await pilot.press("enter", "slash", *"model", "enter")
        await pilot.pause(0.4)  # the first page is shown, the count is still running
        await pilot.press("j")  # a read mark: the unread figure is counted again
        await settle(app, pilot)
        assert table(app).total == hits and f"{hits} papers" in status(app)


async def test_moving_while_a_search_reloads_keeps_the_new_place(many: Cache, slow_counts):
    app = make_app(many)
    async with app.run_test(size=(140, 30)) as pilot:
        await pilot.press("v", "slash", *"model", "enter")  # unread papers about models
        await settle(app, pilot)
        await pilot.press("j", "j", "j", "enter")
        with Cache(many.path) as other:
            other.upsert(papers(2, seed=99, start=date(2020, 1, 1)))
        await pilot.pause(WATCH_S + 0.3)  # the reload is counting
        await pilot.press("j", "j")  # two more papers read meanwhile
        moved_to = table(app).current.id
        await settle(app, pilot)
        await pilot.pause(WATCH_S + 0.3)
        await settle(app, pilot)
        assert (table(app).cursor, table(app).current.id) == (5, moved_to)
        hits = PaperList(many, View(search="model")).window(0, 1000)
        rows = [table(app).row(index).id for index in range(len(hits))]
        assert rows == [row.id for row in hits]  # none skipped, the read ones kept


async def test_a_late_move_from_the_last_view_does_not_join_the_next(cache: Cache):
    cache.set_starred(SAMPLE_ORDER[5], True)
    app = make_app(cache)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("v")  # Unread
        await settle(app, pilot)
        await pilot.press("enter")
        late = table(app).row(1)  # what a queued j carries
        await pilot.press("v")  # Unread → Starred
        await settle(app, pilot)
        table(app).post_message(PaperTable.Highlighted(late, 1))  # ...handled only now
        await settle(app, pilot)
        assert late.id not in table(app).papers.kept
        assert PaperList(cache, View(starred=True)).total == table(app).total == 1


async def test_a_star_waits_for_mark_all_read_with_a_note(cache: Cache):
    app = make_app(cache)
    async with app.run_test(size=SIZE) as pilot:
        with Cache(cache.path) as other, other.transaction():  # mark-all waits for it
            await pilot.press("M", "y")
            await pilot.pause()
            await pilot.press("s")
            assert not cache.state(SAMPLE_ORDER[0]).starred
            assert any("Still marking" in str(n.message) for n in app._notifications)
        await settle(app, pilot)
        assert cache.count_read() == cache.count_papers()
        await pilot.press("s")
        assert cache.state(SAMPLE_ORDER[0]).starred


async def test_changing_views_with_the_pane_open_reads_the_paper_shown(cache: Cache):
    app = make_app(cache)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "v")  # All → Unread: the pane shows its first paper
        await settle(app, pilot)
        shown = main_screen(app).pane.paper_id
        assert shown == SAMPLE_ORDER[1] and cache.state(shown).read


async def test_r_lets_the_papers_read_meanwhile_leave_the_unread_view(cache: Cache):
    app = make_app(cache)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("v")  # Unread
        await settle(app, pilot)
        await pilot.press("m", "j", "m")
        await settle(app, pilot)
        assert table(app).total == 9  # read, and still in place
        await pilot.press("R")
        await settle(app, pilot)
        assert table(app).total == 7 and table(app).current.id == SAMPLE_ORDER[2]


async def test_undoing_mark_all_in_an_emptied_view_marks_nothing_on_its_own(cache: Cache):
    app = make_app(cache)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("v")  # Unread
        await settle(app, pilot)
        await pilot.press("enter", "M", "y")  # the view empties; the pane stays open
        await settle(app, pilot)
        assert table(app).total == 0
        await pilot.press("u")
        await settle(app, pilot)
        assert table(app).total == 8
        assert [i for i in SAMPLE_ORDER if cache.state(i).read] == [SAMPLE_ORDER[0]]


async def test_the_cursor_stays_on_its_paper_into_the_unread_view_and_across_sorts(cache: Cache):
    app = make_app(cache)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "j", "j")
        paper = table(app).current.id
        await pilot.press("v")  # All → Unread
        await settle(app, pilot)
        assert main_screen(app).view.unread and table(app).current.id == paper
        await pilot.press("S")  # by title
        await settle(app, pilot)
        assert table(app).current.id == paper
