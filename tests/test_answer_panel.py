"""``a`` on the reading screen, through Pilot against a loopback model server: the
answer streams into the panel as text (never markup), ``Escape`` cancels, a citation
jumps to its block and highlights the quote, earlier questions come back."""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

import pytest

from paperdeck.storage.assistant.passages import from_document
from paperdeck.storage.cache import assistant as kept
from paperdeck.storage.cache.database import Cache
from paperdeck.storage.config import AssistantSettings
from paperdeck.tui.screens.fulltext import FullTextScreen
from paperdeck.tui.widgets.answer_panel import AnswerPanel
from tests.support.assistant import model_server, prompt_of, store_synthetic
from tests.support.fulltext import SYNTHETIC_ID
from tests.support.fulltext_reader import make_app, settle

SIZE = (140, 40)
PAUSES = 1500
"""Pauses a test waits at most for the panel to show what it waits for (30 s: only a
failing test waits that long)."""


@pytest.fixture
def cache(tmp_path: Path):
    with Cache(tmp_path / "reader.db") as opened:
        store_synthetic(opened)
        yield opened


def assistant(server, *, ollama: bool = False) -> AssistantSettings:
    if ollama:
        return AssistantSettings(provider="ollama", url=server.base, model="test-model")
    return AssistantSettings(provider="openai", url=server.url("/v1"), model="test-model")


async def open_panel(app, pilot) -> tuple[FullTextScreen, AnswerPanel]:
    await settle(app, pilot)
    await pilot.press("f")
    await settle(app, pilot)
    screen = app.screen
    assert isinstance(screen, FullTextScreen)
    await pilot.press("a")
    panel = screen.query_one(AnswerPanel)
    assert panel.display and screen.query_one("#ask-question").has_focus
    return screen, panel


async def ask(pilot, question: str) -> None:
    for key in question:
        await pilot.press("space" if key == " " else key)
    await pilot.press("enter")


def answer_shown(panel: AnswerPanel) -> str:
    return panel.query_one("#ask-answer").render().plain


def history_shown(panel: AnswerPanel) -> str:
    return panel.query_one("#ask-history").render().plain


async def until(pilot, condition) -> None:
    for _ in range(PAUSES):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError("the panel never showed it")


def a_paragraph(cache: Cache):
    from paperdeck.storage.fulltext.store import stored_document

    passages = from_document(stored_document(cache, SYNTHETIC_ID))
    return next(p for p in passages if p.kind == "paragraph" and len(p.text.split()) > 8)


@pytest.mark.parametrize("ollama", [False, True], ids=["openai-sse", "ollama-ndjson"])
async def test_a_streams_the_answer_and_escape_cancels_it(cache: Cache, ollama: bool):
    gate = threading.Event()
    with model_server("A long answer that keeps coming " * 5, gate=gate, ollama=ollama) as server:
        app = make_app(cache, assistant=assistant(server, ollama=ollama))
        async with app.run_test(size=SIZE) as pilot:
            screen, panel = await open_panel(app, pilot)
            await ask(pilot, "what is it")
            await until(pilot, lambda: "A long" in answer_shown(panel))
            assert "Q: what is it" in answer_shown(panel)
            assert panel.asking  # the rest has not come: the answer is streaming
            await pilot.press("escape")
            assert not panel.asking and "Cancelled." in answer_shown(panel)
            assert isinstance(app.screen, FullTextScreen)  # Escape cancelled, nothing else
            gate.set()
            await settle(app, pilot)
            assert "Cancelled." in answer_shown(panel)
            assert kept.answers(cache, SYNTHETIC_ID) == []
            await pilot.press("escape")  # closes the panel
            assert not panel.display and screen.text.has_focus


async def test_a_citation_jumps_to_its_block_and_a_flagged_one_says_so(cache: Cache):
    target = a_paragraph(cache)
    quote = " ".join(target.text.split()[2:7])
    text = (
        f'[bold]Not markup[/bold] \x1b[31m [{target.label}] "{quote}" '
        f'and [{target.label}] "words the paper never wrote".'
    )
    with model_server(text) as server:
        app = make_app(cache, assistant=assistant(server))
        async with app.run_test(size=SIZE) as pilot:
            screen, panel = await open_panel(app, pilot)
            await ask(pilot, "what")
            await until(pilot, lambda: not panel.asking and history_shown(panel))
            await settle(app, pilot)
            history = history_shown(panel)
            assert "[bold]Not markup[/bold]" in history and "\x1b" not in history
            listing = panel.query_one("#ask-citations")
            lines = [str(option.prompt) for option in listing.options]
            assert lines[0].startswith(f"✓ [{target.label}]")
            assert lines[1].startswith("✗") and "not in the paper" in lines[1]
            listing.focus()
            listing.highlighted = 0
            await pilot.press("enter")
            await pilot.pause()
            assert screen.text.cursor_block == target.index
            assert screen.text.find_text == quote and screen.text.current_match is not None
            listing.highlighted = 1
            await pilot.press("enter")
            await pilot.pause()
            assert screen.text.cursor_block == target.index


async def test_earlier_questions_come_back_with_the_paper(cache: Cache):
    kept.save_answer(
        cache, SYNTHETIC_ID, "m", "Which dataset?", "The paper does not answer this.", []
    )
    app = make_app(cache, assistant=AssistantSettings())
    async with app.run_test(size=SIZE) as pilot:
        _, panel = await open_panel(app, pilot)
        await settle(app, pilot)
        assert "Q: Which dataset?" in history_shown(panel)
        await ask(pilot, "and now")
        assert "no assistant is configured" in answer_shown(panel)


async def test_an_unreachable_server_is_one_sentence_in_the_panel(cache: Cache, monkeypatch):
    monkeypatch.setenv("PAPERDECK_HTTP_TIMEOUT", "2")
    closed = AssistantSettings(provider="openai", url="http://127.0.0.1:9/v1", model="m")
    app = make_app(cache, assistant=closed)
    async with app.run_test(size=SIZE) as pilot:
        _, panel = await open_panel(app, pilot)
        await ask(pilot, "q")
        await until(pilot, lambda: not panel.asking)
        assert "cannot reach http://127.0.0.1:9/v1/chat/completions" in answer_shown(panel)


# --- summaries in the abstract pane ---------------------------------------------------------


async def test_the_pane_shows_a_summary_made_once_per_paper(cache: Cache, monkeypatch):
    from paperdeck.tui.widgets import summary_line

    monkeypatch.setattr(summary_line, "DELAY_S", 0.01)
    with model_server("It gates memory [b]by design[/b].") as server:
        settings = replace(assistant(server), summaries=True)
        app = make_app(cache, assistant=settings)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            await pilot.press("enter")
            line = app.screen.query_one(summary_line.SummaryLine)
            await until(pilot, lambda: "It gates" in line.render().plain)
            assert line.render().plain == "Summary (test-model): It gates memory [b]by design[/b]."
            await pilot.press("j", "k")  # away and back: the stored summary, no request
            await settle(app, pilot)
            await until(
                pilot, lambda: line.paper_id == SYNTHETIC_ID and "It gates" in line.render().plain
            )
        assert len(server.requests) <= 2  # this paper once; the next one perhaps, once
        assert [r for r in server.requests if SYNTHETIC_ID in r.body.decode()][1:] == []


async def test_without_summaries_the_pane_asks_nothing(cache: Cache):
    with model_server("x") as server:
        app = make_app(cache, assistant=assistant(server))
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            await pilot.press("enter")
            await settle(app, pilot)
            assert not app.screen.query_one("#pane-assistant").display
        assert server.requests == []


async def test_a_question_that_breaks_down_lets_the_panel_ask_again(cache: Cache, monkeypatch):
    from paperdeck.tui.widgets import answer_panel

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(answer_panel, "ask", broken)
    with model_server("x") as server:
        app = make_app(cache, assistant=assistant(server))
        async with app.run_test(size=SIZE) as pilot:
            _, panel = await open_panel(app, pilot)
            await ask(pilot, "q")
            await until(pilot, lambda: not panel.asking)
            assert "disk on fire" in answer_shown(panel)


async def test_triage_summarises_the_next_paper_while_this_one_is_read(tmp_path, monkeypatch):
    from paperdeck.storage.cache import assistant as stored
    from paperdeck.tui.screens.triage import TriageScreen
    from paperdeck.tui.widgets import summary_line
    from tests.tui_support import SAMPLE_ORDER, sample_cache
    from tests.tui_support import make_app as reader_app
    from tests.tui_support import settle as settle_reader

    monkeypatch.setattr(summary_line, "DELAY_S", 0.01)

    def reply(request) -> str:
        return "About " + next(p for p in SAMPLE_ORDER if p in prompt_of(request)) + "."

    with sample_cache(tmp_path / "c.db") as sample, model_server(reply) as server:
        settings = replace(assistant(server), summaries=True)
        app = reader_app(sample, assistant=settings)
        first, second = SAMPLE_ORDER[:2]
        async with app.run_test(size=SIZE) as pilot:
            await settle_reader(app, pilot)
            await pilot.press("T")
            await settle_reader(app, pilot)
            assert isinstance(app.screen, TriageScreen) and app.screen.current.id == first
            line = app.screen.pane.query_one(summary_line.SummaryLine)
            await until(pilot, lambda: f"About {first}." in line.render().plain)
            # The next paper's summary is made meanwhile, and stored.
            await until(pilot, lambda: stored.summary(sample, second, "test-model") is not None)
            asked = len(server.requests)
            await pilot.press("space")  # skip to the next paper
            await until(pilot, lambda: f"About {second}." in line.render().plain)
            await settle_reader(app, pilot)
        assert [r for r in server.requests[:asked] if second in prompt_of(r)]
        assert not [r for r in server.requests[asked:] if second in prompt_of(r)]
