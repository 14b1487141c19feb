"""When something breaks in the reader: a worker's unexpected exception is one line on
screen and the reader goes on; a reader that crashed exits with a non-zero status."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from textual.app import App

from paperdeck.storage.cache.database import Cache
from paperdeck.tui import cli, view_loader
from paperdeck.tui.app import PaperdeckApp
from tests.tui_support import make_app, notes, settle, status, table

ROOT = Path(__file__).resolve().parents[1]
SIZE = (140, 40)


async def test_a_worker_that_raises_is_a_note_and_the_reader_goes_on(
    sample: Cache, monkeypatch: pytest.MonkeyPatch
):
    def broken(sample, view):
        raise RuntimeError("the index is gone\nsecond line")

    monkeypatch.setattr(view_loader, "count_unread", broken)
    app = make_app(sample)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        assert app.is_running
        assert notes(app, "error") == [
            "Counting unread papers failed (RuntimeError: the index is gone); the reader goes on."
        ]
        assert "9 papers  ·  … unread" in status(app)
        await pilot.press("j", "v")  # the reader still moves and loads views
        await settle(app, pilot)
        assert table(app).total == 9 and "Unread" in status(app)


async def test_a_view_that_cannot_load_is_a_note_and_the_last_one_stays(
    sample: Cache, monkeypatch: pytest.MonkeyPatch
):
    def broken(job, sample):
        raise ValueError("no such column")

    monkeypatch.setattr(view_loader.Fetch, "run", broken)
    app = make_app(sample)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("v")  # the unread view is counted in a worker
        await settle(app, pilot)
        assert app.is_running
        assert notes(app, "error") == [
            "Loading the view failed (ValueError: no such column); the reader goes on."
        ]
        assert table(app).total == 9 and table(app).current is not None


def test_every_worker_of_the_reader_follows_the_one_policy():
    """``@work`` and ``run_worker`` appear only in tui/workers.py: every other worker is
    a ``thread_worker``, whose exceptions become notes instead of closing the reader."""
    found = []
    for path in sorted((ROOT / "tui").rglob("*.py")):
        if path.name == "workers.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            name = getattr(node, "id", None) or getattr(node, "attr", None)
            if name in ("work", "run_worker") and isinstance(node, ast.Name | ast.Attribute):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {name}")
    assert found == []


def test_a_crashed_reader_exits_non_zero(monkeypatch: pytest.MonkeyPatch, capsys):
    def crash(self) -> None:
        raise RuntimeError("a bug in the reader")

    monkeypatch.setattr(PaperdeckApp, "run", lambda self: App.run(self, headless=True))
    monkeypatch.setattr(PaperdeckApp, "on_mount", crash)
    assert cli.main([]) == 1
    assert "a bug in the reader" in capsys.readouterr().err


def test_a_reader_that_quits_exits_zero(monkeypatch: pytest.MonkeyPatch):
    def quit_at_once(self) -> None:
        self.call_after_refresh(self.exit)

    monkeypatch.setattr(PaperdeckApp, "run", lambda self: App.run(self, headless=True))
    monkeypatch.setattr(PaperdeckApp, "on_ready", quit_at_once, raising=False)
    assert cli.main([]) == 0
