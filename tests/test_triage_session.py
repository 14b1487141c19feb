"""Triage in the reader: ``T`` opens a session over the view's unread papers; each decision
is saved as it is made and ``u`` undoes them back to the start; ``x`` dismisses in the
table too; watch rules mark and highlight, mute rules hide; ``S`` sorts by interest."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from rich.text import Text
from textual.widgets import Static

from paperdeck.storage.cache import triage
from paperdeck.storage.cache.database import Cache
from paperdeck.storage.cache.library import tags_of
from paperdeck.storage.config import LibrarySettings, Rule, UiSettings
from paperdeck.storage.library.marks import set_mark
from paperdeck.storage.models import Incoming, Paper
from paperdeck.tui.screens.triage import TriageScreen
from paperdeck.tui.widgets.marked_pane import MarkedPane
from paperdeck.tui.widgets.marks_text import WATCH_STYLE
from tests.support.hostile import MARKUP, assert_markup_literal
from tests.tui_support import (
    SAMPLE_ORDER,
    main_screen,
    make_app,
    notes,
    pane_text,
    sample_cache,
    settle,
    status,
    table_lines,
)

SIZE = (140, 40)
LIBRARY = LibrarySettings(quick_tags=["cite", "method"])


def progress(app) -> str:
    return str(app.screen.query_one("#triage-progress", Static).render())


def snapshot(sample: Cache, pid: str) -> tuple:
    state = sample.state(pid)
    return (state.read, state.read_at, state.starred, state.starred_at, state.later,
            bool(triage.dismissed(sample, [pid])), tuple(tags_of(sample, [pid]).get(pid, ())))


async def test_a_whole_session_with_undo_back_to_its_start(sample: Cache):
    sample.set_starred(SAMPLE_ORDER[0], True)  # starred already: y keeps the star, u too
    before = {pid: snapshot(sample, pid) for pid in SAMPLE_ORDER}
    app = make_app(sample, library=LIBRARY)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        await pilot.press("T")
        await settle(app, pilot)
        assert isinstance(app.screen, TriageScreen)
        assert "1 of 9" in progress(app)
        first = app.screen.current.id
        assert first == SAMPLE_ORDER[0]
        assert app.screen.pane.paper_id == first
        for key in ("y", "l", "x", "1", "space", "2"):
            await pilot.press(key)
        await settle(app, pilot)
        assert "7 of 9" in progress(app)
        assert "1 starred" in progress(app) and "1 dismissed" in progress(app)
        star, later, dismiss, cite, skip, method = SAMPLE_ORDER[:6]
        assert sample.state(star).starred and sample.state(star).read
        assert sample.state(later).later and sample.state(later).read
        assert triage.dismissed(sample, [dismiss]) == {dismiss} and sample.state(dismiss).read
        assert tags_of(sample, [cite, method]) == {cite: ["cite"], method: ["method"]}
        assert not sample.state(skip).read  # skipped: still unread
        for _ in range(6):
            await pilot.press("u")
        await settle(app, pilot)
        assert "1 of 9" in progress(app) and app.screen.current.id == first
        assert {pid: snapshot(sample, pid) for pid in SAMPLE_ORDER} == before
        await pilot.press("u")  # nothing left to undo
        await pilot.pause()
        assert any("Nothing to undo" in note for note in notes(app))
        await pilot.press("x", "y")
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is main_screen(app)
        assert any("1 dismissed" in n and "1 starred" in n and "2 of 9" in n for n in notes(app))


async def test_the_end_of_the_list_says_what_was_decided_and_u_still_undoes(sample: Cache):
    app = make_app(sample)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("v")  # the unread view
        await settle(app, pilot)
        await pilot.press("T")
        await settle(app, pilot)
        for _ in SAMPLE_ORDER:
            await pilot.press("space")
        await settle(app, pilot)
        end = str(app.screen.query_one("#triage-end", Static).render())
        assert "That was the last of 9" in end and "9 skipped" in end
        await pilot.press("u")
        await pilot.pause()
        assert app.screen.current.id == SAMPLE_ORDER[-1]


async def test_a_quick_tag_that_is_not_configured_says_how(sample: Cache):
    app = make_app(sample, library=LIBRARY)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        await pilot.press("T")
        await settle(app, pilot)
        await pilot.press("7")
        await pilot.pause()
        assert "1 of 9" in progress(app)
        assert any("quick_tags" in note for note in notes(app))


async def test_x_in_the_table_dismisses_and_takes_back(sample: Cache):
    app = make_app(sample, ui=UiSettings(auto_mark_read=False))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        await pilot.press("j", "x")
        await settle(app, pilot)
        pid = SAMPLE_ORDER[1]
        assert triage.dismissed(sample, [pid]) == {pid} and sample.state(pid).read
        assert table_lines(app)[1].startswith(" ")  # shown read at once
        assert any("Dismissed" in note for note in notes(app))
        await pilot.press("x")
        await settle(app, pilot)
        assert triage.dismissed(sample, [pid]) == set()


# --- watch and mute rules ---------------------------------------------------------------------

HOSTILE = "2406.20001"


@pytest.fixture
def hostile_cache(sample: Cache) -> Cache:
    sample.upsert([Incoming(Paper(
        HOSTILE, title=f"Retrieval {MARKUP} augmented generation", published="2024-06-30",
        authors=["[bold]Percy[/bold] Liang", "Percy Liang"],
        abstract=f"We study retrieval augmented generation. {MARKUP} Retrieval again.",
    ))])
    return sample


WATCH = [Rule(name="RAG", keywords=['"retrieval augmented"', "retriev*"],
              authors=["Percy Liang"])]


def spans(text: Text, style: str) -> list[str]:
    """The runs of ``text`` that spans of ``style`` cover (overlapping spans merged)."""
    covered = sorted({n for s in text.spans if str(s.style) == style for n in range(s.start, s.end)})
    runs: list[str] = []
    for n in covered:
        if runs and n - 1 in covered:
            runs[-1] += text.plain[n]
        else:
            runs.append(text.plain[n])
    return runs


async def test_watched_words_are_highlighted_as_styles_never_as_markup(hostile_cache: Cache):
    app = make_app(hostile_cache, watch=WATCH)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert "◉ Retrieval [bold red]Red[/]" in table_lines(app)[0]  # the mark, then literal text
        await pilot.press("enter")
        await settle(app, pilot)
        pane = main_screen(app).query_one(MarkedPane)
        text = pane_text(app)
        assert_markup_literal(text)
        assert "Watch: RAG" in text
        title = pane.query_one("#pane-title", Static).content
        body = pane.query_one("#pane-body", Static).content
        authors = pane.query_one("#pane-authors", Static).content
        assert spans(title, WATCH_STYLE) == ["Retrieval"]
        assert spans(body, WATCH_STYLE) == ["retrieval augmented", "Retrieval"]
        assert spans(authors, WATCH_STYLE) == ["Percy Liang"]  # the exact name, not the markup one
        assert not any(s.style and "link" in str(s.style) for s in [*title.spans, *body.spans])


async def test_a_watch_rule_has_its_own_view(hostile_cache: Cache):
    app = make_app(hostile_cache, watch=WATCH)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        for _ in range(4 + len(hostile_cache.topics()) + 1):  # past the topics to the rule
            await pilot.press("v")
            await settle(app, pilot)
            if "Watch: RAG" in status(app):
                break
        assert "Watch: RAG" in status(app)
        lines = table_lines(app)
        assert lines and all("◉" in line for line in lines)
        assert any(HOSTILE in main_screen(app).table.row(n).id for n in range(len(lines)))


async def test_a_watched_paper_keeps_its_later_and_tag_marks_in_the_table(hostile_cache: Cache):
    set_mark(hostile_cache, HOSTILE, "later", True)
    set_mark(hostile_cache, HOSTILE, "tags", ("cite",))
    app = make_app(hostile_cache, watch=WATCH)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        line = table_lines(app)[0]  # the newest paper
        assert "◉" in line and "◷ #cite" in line


@pytest.mark.parametrize("show_muted", [False, True])
async def test_muted_papers_show_only_in_a_search(hostile_cache: Cache, show_muted: bool):
    app = make_app(hostile_cache, mute=[Rule(keywords=["retrieval"])],
                   ui=UiSettings(show_muted=show_muted))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        shown = "\n".join(table_lines(app))
        assert ("Retrieval" in shown) == show_muted
        await pilot.press("slash", *"retrieval", "enter")
        await settle(app, pilot)
        assert "Retrieval" in "\n".join(table_lines(app))


# --- the interest order ----------------------------------------------------------------------


async def test_interest_order_says_so_without_a_signal_then_learns(private_paths: Path):
    private_paths.mkdir(parents=True, exist_ok=True)
    sample = sample_cache(private_paths / "paperdeck.db")  # where the CLI looks for it too
    app = make_app(sample)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        while "sorted by interest" not in status(app):
            await pilot.press("S")
            await settle(app, pilot)
        assert any("nothing starred" in note for note in notes(app))
        assert _table_ids(app) == SAMPLE_ORDER  # newest first meanwhile
        await pilot.press("enter")
        await settle(app, pilot)
        assert "nothing starred, on the later list, tagged or noted yet" in pane_text(app)
        await pilot.press("escape")
        for pid in SAMPLE_ORDER[6:8]:
            sample.set_starred(pid, True)
        await pilot.press("R")
        await settle(app, pilot)
        shown = _table_ids(app)
        assert shown != SAMPLE_ORDER and set(shown[:2]) == set(SAMPLE_ORDER[6:8])
        await pilot.press("g", "enter")
        await settle(app, pilot)
        assert "Interest: #1 of 9 · like your papers in" in pane_text(app)
    sample.close()
    listed = subprocess.run(
        [sys.executable, "-m", "paperdeck", "list", "--sort", "interest", "--format", "json"],
        capture_output=True, text=True, timeout=120,
    )
    assert listed.returncode == 0, listed.stderr
    assert [paper["id"] for paper in json.loads(listed.stdout)] == shown


def _table_ids(app) -> list[str]:
    table = main_screen(app).table
    return [table.row(n).id for n in range(table.total)]
