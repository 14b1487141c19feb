"""The abstract pane's translations: stored ones first, else fetched through the provider
in the pane's worker; a late answer never shows on another paper, a busy cache never
costs a fetched translation, and a provider's refusal is a calm note."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from paperdeck.storage.cache import database as cache_module
from paperdeck.storage.cache.database import Cache
from paperdeck.storage.config import TranslationSettings
from tests.support.loopback import LoopbackServer, Reply
from tests.support.translators import FakeChat, FakeLibreTranslate
from tests.tui_support import (
    SAMPLE_ORDER,
    make_app,
    notes,
    pane_text,
    sample_cache,
    settle,
    table,
    workers_done,
)

SIZE = (140, 40)


def libretranslate(url: str) -> TranslationSettings:
    return TranslationSettings(provider="libretranslate", url=url, target="de")


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


# --- stored translations ---------------------------------------------------------------------


async def test_t_toggles_the_stored_translation_and_back(sample: Cache):
    app = make_app(sample)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "enter", "t")
        text = pane_text(app)
        assert "我們研究超出當前語言模型上下文窗口的文件問答" in text
        assert "Translation (zh, from digest)" in text
        await pilot.press("t")
        assert "We study question answering" in pane_text(app)
        assert "我們研究" not in pane_text(app)


async def test_the_translation_stays_on_as_the_cursor_moves(sample: Cache):
    app = make_app(sample)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "t", "j", "k")
        assert "Translation (zh, from digest)" in pane_text(app)
        await pilot.press("escape", "enter")  # closing the pane ends it
        assert "We study question answering" in pane_text(app)


async def test_t_shows_a_stored_translation_in_another_language_labelled(sample: Cache):
    app = make_app(sample, translation=TranslationSettings(target="de"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "t")  # t also opens the pane
        text = pane_text(app)
        assert "Translation (zh, from digest); none in de; no provider to fetch one" in text
        assert "我們研究" in text


async def test_t_without_any_translation_says_how_to_configure_one(sample: Cache):
    app = make_app(sample)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "j", "j", "j", "t")  # the markup paper has no translation
        assert "No translation stored for this paper" in pane_text(app)
        assert f"[translation] provider in {os.environ['PAPERDECK_CONFIG']}" in pane_text(app)


# --- translations fetched through a provider -------------------------------------------------


async def test_t_fetches_a_translation_through_the_provider_and_caches_it(sample: Cache):
    with FakeLibreTranslate() as server:
        app = make_app(sample, translation=libretranslate(server.base))
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
    assert sample.translation("2406.10012", "de").source == "libretranslate"


async def test_a_late_answer_never_shows_on_another_paper(sample: Cache):
    with SlowFor("Neural Radiance", delay=0.8) as server:  # the first paper's title
        app = make_app(sample, translation=libretranslate(server.base))
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
            await settle(app, pilot)
            assert "LOW LIGHT" not in pane_text(app)
    assert sample.translation(SAMPLE_ORDER[0], "de") is not None  # the late one was kept


async def test_a_busy_cache_never_costs_a_fetched_translation(
    sample: Cache, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(cache_module, "BUSY_TIMEOUT_S", 0.2)  # instead of waiting 15 s
    with FakeLibreTranslate() as server:
        app = make_app(sample, translation=libretranslate(server.base))
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            with Cache(sample.path) as other, other.transaction():  # a long import elsewhere
                await pilot.press("j", "t")
                await workers_done(app)  # the fetch is done; storing it waits for the lock
                await pilot.pause(0.5)
                assert app.is_running
                assert "[de] WE STUDY QUESTION ANSWERING" in pane_text(app)
                assert sample.translation("2406.10012", "de") is None
                await pilot.press("t", "t")  # shown again without asking the translator
                assert "[de] WE STUDY QUESTION ANSWERING" in pane_text(app)
                assert len([r for r in server.requests if r.path == "/translate"]) == 1
            await settle(app, pilot)
            assert notes(app, "error") == []
    assert sample.translation("2406.10012", "de").source == "libretranslate"


async def test_a_429_is_a_calm_message_and_the_reader_keeps_working(sample: Cache):
    busy = Reply.json({"error": "Slowdown: 20 per 1 minute"}, 429, **{"Retry-After": "60"})
    with LoopbackServer({"/translate": busy, "/languages": Reply.json([{"code": "de"}])}) as server:
        app = make_app(sample, translation=libretranslate(server.base))
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await pilot.press("j", "t")
            await settle(app, pilot)
            note = pane_text(app)
            assert "answered 429 Too Many Requests" in note and "try again in 60 s" in note
            assert any("429" in said for said in notes(app, "error"))
            await pilot.press("s", "j")
            await settle(app, pilot)
            assert sample.state("2406.10012").starred and table(app).cursor == 2


async def test_t_through_an_openai_compatible_server(sample: Cache):
    with FakeChat(think=True) as server:  # a reasoning model: its <think> block is dropped
        settings = TranslationSettings(
            provider="openai", url=server.url("/v1"), target="de", model="qwen2.5:7b"
        )
        app = make_app(sample, translation=settings)
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
    with FakeLibreTranslate() as server, sample_cache(private_paths / "paperdeck.db") as sample:
        config = Path(os.environ["PAPERDECK_CONFIG"])
        config.write_text(f'[translation]\nprovider = "libretranslate"\nurl = "{server.base}"\n')
        app = make_app(sample, translation=libretranslate(server.base))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("j", "t")
            await settle(app, pilot)
        asked = len(server.requests)
        printed = subprocess.run(
            [sys.executable, "-m", "paperdeck", "translate", "2406.10012", "--to", "de"],
            cwd=Path(__file__).parents[1], capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert printed.returncode == 0, printed.stderr
        assert "[de] WE STUDY QUESTION ANSWERING" in printed.stdout
        assert len(server.requests) == asked
