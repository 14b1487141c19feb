"""The reading screen, driven through Pilot: ``f`` opens the highlighted paper, ``]``
walks its sections, ``/`` finds and ``n`` goes on, ``b`` lists references (and ``Enter``
brings a cited arXiv paper in), ``Escape`` returns to the same row, the position is kept."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from paperdeck.storage import http
from paperdeck.storage.cache import fulltext as stored_texts
from paperdeck.storage.cache.database import Cache
from paperdeck.storage.config import ArxivSettings
from paperdeck.storage.fulltext.model import plain
from paperdeck.tui.app import PaperdeckApp, check_settings
from paperdeck.tui.screens.fulltext import FullTextScreen
from paperdeck.tui.screens.main import MainScreen
from paperdeck.tui.screens.references import ReferenceList
from paperdeck.tui.widgets.paper_table import PaperTable
from paperdeck.tui.widgets.paper_text import PaperText
from tests.support.arxiv_stub import ATOM_TYPE, Entry, atom
from tests.support.fulltext import (
    HTML_TYPE,
    LONG_ID,
    NO_HTML_ID,
    SYNTHETIC,
    SYNTHETIC_ID,
    fill,
    routes,
)
from tests.support.fulltext_reader import make_app, settle, store
from tests.support.loopback import LoopbackServer, Reply, Request

SIZE = (140, 40)
# The table lists the fixture papers (same day) by id, descending: the synthetic paper,
# NO_HTML_ID, LONG_ID, then 2406.99001.
CITED = "1706.03762"
"""The arXiv id reference [1] of the synthetic paper names."""


@pytest.fixture
def cache(tmp_path: Path):
    with Cache(tmp_path / "reader.db") as opened:
        fill(opened)
        store(
            opened, SYNTHETIC_ID, SYNTHETIC.read_bytes(), f"https://arxiv.org/html/{SYNTHETIC_ID}v2"
        )
        yield opened


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries after a refused connection wait 10 ms, not seconds."""
    monkeypatch.setattr(http, "BACKOFF_S", 0.01)


async def open_paper(app: PaperdeckApp, pilot, row: int = 0) -> FullTextScreen:
    await settle(app, pilot)
    for _ in range(row):
        await pilot.press("j")
    await pilot.press("f")
    await settle(app, pilot)
    assert isinstance(app.screen, FullTextScreen)
    return app.screen


def shown(screen: FullTextScreen) -> list[str]:
    text = screen.query_one(PaperText)
    return [text.render_line(y).text.rstrip() for y in range(text.size.height)]


def cursor_text(screen: FullTextScreen) -> str:
    text = screen.text
    return text.text_layout.lines[text.cursor].text


def status(screen: FullTextScreen) -> str:
    return str(screen.query_one("#ft-status").render())


async def test_f_opens_the_highlighted_paper_beside_its_contents(cache: Cache):
    app = make_app(cache)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_paper(app, pilot)
        assert screen.paper_id == SYNTHETIC_ID
        lines = shown(screen)
        assert lines[0] == " A Synthetic Paper for the Converter"
        assert any("cost 𝒪(n²) and weights α_i." in line for line in lines)
        contents = [str(option.prompt) for option in screen.toc.options]
        assert contents[:4] == [
            "Abstract",
            "1 Introduction",
            "2 Limits of 𝒪(n) memory",
            "  2.1 Equations",
        ]
        assert screen.text.has_focus


async def test_brackets_walk_the_sections(cache: Cache):
    app = make_app(cache)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_paper(app, pilot)
        walked = []
        for _ in range(9):
            await pilot.press("right_square_bracket")
            walked.append(cursor_text(screen))
        assert walked == [
            "Abstract",
            "1 Introduction",
            "2 Limits of 𝒪(n) memory",
            "2.1 Equations",
            "2.2 Figures and tables",
            "2.3 Theorems and code",
            "Appendix A Extra",
            "References",
            "Notes",
        ]
        await pilot.press("right_square_bracket")
        assert cursor_text(screen) == "Notes"
        await pilot.press("left_square_bracket", "left_square_bracket")
        assert cursor_text(screen) == "Appendix A Extra"
        assert status(screen).startswith("Appendix A Extra")


async def test_find_highlights_and_n_goes_to_the_next_match(cache: Cache):
    app = make_app(cache)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_paper(app, pilot)
        await pilot.press("slash", *"point", "enter")
        assert screen.text.has_focus
        assert cursor_text(screen).endswith("First point.")
        assert "match 1 of 2 for “point”" in status(screen)
        await pilot.press("n")
        assert cursor_text(screen).endswith("Second point.")
        assert "match 2 of 2" in status(screen)
        await pilot.press("n")  # wraps around
        assert "match 1 of 2" in status(screen)
        await pilot.press("N")
        assert "match 2 of 2" in status(screen)


async def test_find_matches_across_a_line_break(cache: Cache):
    app = make_app(cache)
    async with app.run_test(size=(60, 30)) as pilot:
        screen = await open_paper(app, pilot)
        assert screen.text.find("Literal markup stays: [bold]not bold[/bold] and") == 1


async def test_escape_returns_to_the_same_row(cache: Cache):
    app = make_app(cache)
    async with app.run_test(size=SIZE) as pilot:
        await open_paper(app, pilot, row=3)
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
        assert app.screen.query_one(PaperTable).cursor == 3


async def test_a_paper_reopens_where_it_was_left(cache: Cache, tmp_path: Path):
    app = make_app(cache)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_paper(app, pilot)
        for _ in range(4):
            await pilot.press("right_square_bracket")
        left_at = cursor_text(screen)
        assert left_at == "2.1 Equations"
        await pilot.press("q")
        await settle(app, pilot)
        screen = await open_paper(app, pilot)
        assert cursor_text(screen) == left_at
    with Cache(tmp_path / "reader.db") as again:  # and after a restart
        block, row = stored_texts.position(again, SYNTHETIC_ID)
    app = make_app(cache)
    async with app.run_test(size=(80, 30)) as pilot:  # whatever the width
        screen = await open_paper(app, pilot)
        assert cursor_text(screen) == left_at
        assert screen.text.position() == (block, row)


async def test_b_lists_references_and_enter_brings_a_cited_paper_in(cache: Cache):
    api_requests: list[Request] = []

    def api(request: Request) -> Reply:
        api_requests.append(request)
        entries = [Entry(id=CITED, title="Attention Is All You Need", published="2017-06-12")]
        wanted = request.query.get("id_list", [""])[0]
        return Reply(200, atom([e for e in entries if e.id == wanted]), ATOM_TYPE)

    table = routes(None)
    table["/api/query"] = api
    table[f"/html/{CITED}v1"] = Reply(200, SYNTHETIC.read_bytes(), HTML_TYPE)
    with LoopbackServer(table) as server:
        app = make_app(cache, server)
        async with app.run_test(size=SIZE) as pilot:
            await open_paper(app, pilot)
            await pilot.press("b")
            await pilot.pause()
            assert isinstance(app.screen, ReferenceList)
            options = app.screen.query_one("#references").options
            assert [str(option.prompt)[:4] for option in options] == ["[1] ", "[2] ", "[3] "]
            await pilot.press("enter")  # [1] cites arXiv:1706.03762
            await settle(app, pilot)
            opened = app.screen
            assert isinstance(opened, FullTextScreen) and opened.paper_id == CITED
            assert opened.text.document is not None
            await pilot.press("escape")
            await settle(app, pilot)
            assert isinstance(app.screen, FullTextScreen) and app.screen.paper_id == SYNTHETIC_ID
    assert len(api_requests) == 1 and api_requests[0].query["id_list"] == [CITED]
    assert cache.paper(CITED).title == "Attention Is All You Need"
    assert [r.path for r in server.requests if r.path.startswith("/html/")] == [f"/html/{CITED}v1"]


async def test_a_cited_paper_while_offline_is_a_sentence(cache: Cache):
    closed = ArxivSettings(api_url="http://127.0.0.1:9/api/query", delay_seconds=0)
    app = make_app(cache, arxiv=closed)
    async with app.run_test(size=SIZE) as pilot:
        await open_paper(app, pilot)
        await pilot.press("b")
        await pilot.pause()
        await pilot.press("enter")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, FullTextScreen) and screen.paper_id == CITED
        said = " ".join(line.strip() for line in shown(screen))
        assert "arXiv cannot be reached" in said and "Traceback" not in said
        assert "(1 tries)" in said  # said at once: a refused connection is not retried
    assert cache.paper(CITED) is None


async def test_a_reference_without_an_arxiv_id_is_shown_in_the_text(cache: Cache):
    app = make_app(cache)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_paper(app, pilot)
        await pilot.press("b")
        await pilot.pause()
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        assert app.screen is screen
        assert cursor_text(screen).startswith("[3] A book with no arXiv id.")


async def test_enter_on_a_figure_opens_its_image_http_only(cache: Cache, opened: list[str]):
    app = make_app(cache)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_paper(app, pilot)
        screen.text.find("Figure 1:")
        await pilot.press("n", "enter")
        await settle(app, pilot)
        assert opened == [f"https://arxiv.org/html/{SYNTHETIC_ID}v2/x1.png"]
        screen.text.find("Figure 2:")  # its image was a data: URL: no link at all
        await pilot.press("n", "enter")
        await settle(app, pilot)
        assert len(opened) == 1
        assert any("no http(s) link" in str(n.message) for n in app._notifications)


async def test_tab_moves_to_the_contents_and_enter_jumps(cache: Cache):
    app = make_app(cache)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_paper(app, pilot)
        await pilot.press("tab")
        assert screen.toc.has_focus
        await pilot.press("home", "down", "down", "enter")
        assert screen.text.has_focus
        assert cursor_text(screen) == "2 Limits of 𝒪(n) memory"
        await pilot.press("tab", "tab")
        assert screen.text.has_focus


async def test_o_p_c_and_s_as_in_the_reader(cache: Cache, opened: list[str]):
    app = make_app(cache)
    async with app.run_test(size=SIZE) as pilot:
        await open_paper(app, pilot)
        await pilot.press("o", "p", "c")
        await settle(app, pilot)
        assert opened == [
            f"https://arxiv.org/abs/{SYNTHETIC_ID}",
            f"https://arxiv.org/pdf/{SYNTHETIC_ID}v2",
            "https://github.com/example/synthetic",
        ]
        await pilot.press("s")
        await settle(app, pilot)
        assert cache.state(SYNTHETIC_ID).starred


async def test_markup_in_the_paper_shows_literally(cache: Cache):
    app = make_app(cache)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_paper(app, pilot)
        screen.text.find("[bold]")
        await pilot.press("n")
        await pilot.pause()
        assert any("[bold]not bold[/bold]" in line for line in shown(screen))


async def test_a_paper_is_fetched_in_a_worker_behind_a_loading_line(cache: Cache):
    release = threading.Event()  # the page is held until the test has seen the loading line

    def held(request: Request) -> Reply:
        release.wait(60)
        return Reply(200, SYNTHETIC.read_bytes(), HTML_TYPE)

    table = routes(None)
    table[f"/html/{LONG_ID}v1"] = held
    with LoopbackServer(table) as server:
        app = make_app(cache, server)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            await pilot.press("j", "j", "f")
            screen = app.screen
            assert isinstance(screen, FullTextScreen)
            for _ in range(3000):  # the line is shown at once; a minute bounds a stuck test
                if any("Fetching http" in line for line in shown(screen)):
                    break
                await pilot.pause(0.02)
            assert any("Fetching http" in line for line in shown(screen)), shown(screen)
            await pilot.press("j", "right_square_bracket")  # the UI never waits
            assert isinstance(app.screen, FullTextScreen) and screen.text.document is None
            release.set()
            await settle(app, pilot)
            assert screen.text.document is not None
    assert stored_texts.has(cache, LONG_ID)


async def test_the_reading_screen_stores_what_it_fetched_through_the_readers_writer(
    cache: Cache, monkeypatch: pytest.MonkeyPatch
):
    """One connection of the reader writes (issue 16): the screen's worker only reads."""
    table = routes(None)
    table[f"/html/{LONG_ID}v1"] = Reply(200, SYNTHETIC.read_bytes(), HTML_TYPE)
    with LoopbackServer(table) as server:
        app = make_app(cache, server)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            submitted: list[str] = []
            submit = app.writer.submit
            monkeypatch.setattr(
                app.writer,
                "submit",
                lambda write, to: submitted.append(write.what) or submit(write, to),
            )
            await pilot.press("j", "j", "f")
            await settle(app, pilot)
            assert app.screen.text.document is not None
    assert f"Storing the full text of {LONG_ID}" in submitted
    assert stored_texts.has(cache, LONG_ID)


async def test_leaving_while_it_loads_is_safe_and_the_paper_is_stored(cache: Cache):
    table = routes(None)
    table[f"/html/{LONG_ID}v1"] = Reply(200, SYNTHETIC.read_bytes(), HTML_TYPE, delay=1)
    with LoopbackServer(table) as server:
        app = make_app(cache, server)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            await pilot.press("j", "j", "f")
            await pilot.pause(0.1)
            await pilot.press("escape")
            await settle(app, pilot)
            assert isinstance(app.screen, MainScreen)
            assert app.screen.query_one(PaperTable).cursor == 2
            for _ in range(100):  # the fetch goes on in its thread and is stored
                if stored_texts.has(cache, LONG_ID):
                    break
                await pilot.pause(0.05)
    assert stored_texts.has(cache, LONG_ID)


async def test_no_rendering_says_so_and_p_opens_the_pdf(cache: Cache, opened: list[str]):
    with LoopbackServer(routes(None)) as server:
        app = make_app(cache, server)
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_paper(app, pilot, row=1)
            said = " ".join(line.strip() for line in shown(screen) if line.strip())
            assert said.startswith(
                f"arXiv has no HTML rendering of {NO_HTML_ID} (nor has ar5iv); "
                f"read its PDF instead: https://arxiv.org/pdf/{NO_HTML_ID}v1 "
            )
            await pilot.press("p")
            await settle(app, pilot)
    assert opened == [f"https://arxiv.org/pdf/{NO_HTML_ID}v1"]


async def test_offline_without_a_stored_copy_is_a_sentence(cache: Cache):
    app = make_app(cache)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_paper(app, pilot, row=2)
        assert any("cannot reach http://127.0.0.1:9/html/" in line for line in shown(screen))


async def test_the_keys_are_remappable_by_id(cache: Cache):
    app = make_app(cache, keys={"fulltext_next_section": "x", "open_fulltext": "F"})
    check_settings(app.config, app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("F")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, FullTextScreen)
        await pilot.press("x", "x")
        assert cursor_text(screen) == "1 Introduction"


# --- the long fixture -------------------------------------------------------------------


@pytest.fixture
def long_cache(cache: Cache, shared_data: Path) -> Cache:
    page = (shared_data / "fulltext" / f"{LONG_ID}v1" / "index.html").read_bytes()
    store(cache, LONG_ID, page, f"https://arxiv.org/html/{LONG_ID}v1")
    return cache


@pytest.mark.shared
async def test_the_long_paper_sections_find_and_references(long_cache: Cache):
    app = make_app(long_cache)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_paper(app, pilot, row=2)
        headings = screen.text.document.headings()
        walked = []
        for _ in range(12):
            await pilot.press("right_square_bracket")
            walked.append(cursor_text(screen))
        expected = [f"{b.label} {plain(b.spans)}".strip() for _, b in headings[:12]]
        assert walked == expected
        assert walked[:3] == [
            "Abstract",
            "1 Encoder Optimizer Signal",
            "1.1 Window Training Latency",
        ]
        await pilot.press("G", *["left_square_bracket"] * 4)  # Notes, References, Appendix A, 15
        assert cursor_text(screen) == "15 Limits of 𝒪(n) memory"
        await pilot.press("g", "slash", *"retrieval", "enter", "n")
        assert "match 2 of" in status(screen)
        assert "retrieval" in cursor_text(screen).lower()
        await pilot.press("b")
        await pilot.pause()
        assert len(app.screen.query_one("#references").options) == 168
        heading_titles = [plain(b.spans) for _, b in screen.text.document.headings()]
        assert heading_titles[-2:] == ["References", "Notes"]
