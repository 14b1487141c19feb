"""One measurement of the reading screen, in a fresh process: run by
``tests.benchmarks.fulltext``.

    python -m tests.benchmarks.fulltext_probe CACHE.db PAPER_ROW [figures]

Prints one JSON object: the resident memory with the table alone, the time from ``f`` to
the first lines of the paper drawn (its full text stored in the cache), the keystroke-to-
repaint medians for j (line), Space (page), ] (section) and n (find next), and the resident
memory with the paper open. The app runs headless at 160×48. With ``figures`` (the
paper's images stored in the cache) figures are drawn, and the time from a figure's
scrolling into view to its picture drawn is measured for each (``figure_ms``); without,
figures are off (their images are on arxiv.org: a benchmark reaches no network).
"""

from __future__ import annotations

import asyncio
import gc
import json
import statistics
import sys
import time
from pathlib import Path

REPEAT = 15


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def probe(cache_path: Path, row: int, drawn: bool = False) -> dict:
    from dataclasses import replace

    from paperdeck.storage.cache.database import Cache
    from paperdeck.storage.config import Config
    from paperdeck.tui.app import PaperdeckApp
    from paperdeck.tui.screens.fulltext import FullTextScreen
    from paperdeck.tui.widgets.paper_text import PaperText

    painted: list[float] = []
    draw = PaperText.render_line

    def timed_render_line(self, y):
        strip = draw(self, y)
        if self.document is not None:
            painted.append(time.perf_counter())
        return strip

    PaperText.render_line = timed_render_line
    figures: dict = {}
    with Cache(cache_path) as cache:
        config = Config()
        app = PaperdeckApp(replace(config, fulltext=replace(config.fulltext, figures=drawn)), cache)
        async with app.run_test(size=(160, 48)) as pilot:
            await app.workers.wait_for_complete()
            for _ in range(row):
                await pilot.press("j")
            await pilot.pause(0.5)
            gc.collect()
            figures["rss_table_mb"] = rss_mb()
            painted.clear()
            started = time.perf_counter()
            await pilot.press("f")
            while not painted:
                await asyncio.sleep(0.001)
            figures["open_s"] = painted[0] - started
            await app.workers.wait_for_complete()
            await pilot.pause(0.3)
            screen = app.screen
            assert isinstance(screen, FullTextScreen)
            screen.text.find("attention")
            for key, back in (("j", "k"), ("space", "pageup"), ("right_square_bracket", None)):
                figures[f"key_{key}_ms"] = await _latency(pilot, painted, key, back)
            await pilot.press("g")
            figures["key_n_ms"] = await _latency(pilot, painted, "n", None)
            await pilot.pause(0.2)
            gc.collect()
            figures["rss_open_mb"] = rss_mb()
            figures["lines"] = screen.text.line_count
            if drawn:
                figures.update(await _figures(pilot, painted, screen.text))
    return figures


async def _figures(pilot, painted: list[float], text) -> dict:
    """Each figure brought into view: the time until its picture is drawn."""
    from paperdeck.storage.fulltext.images import Picture

    blocks = [n for n, b in enumerate(text.document.blocks) if b.kind == "figure" and b.url]
    samples = []
    for block in blocks:
        key = text._figure_key(block)
        painted.clear()
        started = time.perf_counter()
        text.jump_to_block(block)
        while not isinstance(text.figures.get(key), Picture):
            await asyncio.sleep(0.001)
        await pilot.pause()
        samples.append((painted[-1] if painted else time.perf_counter()) - started)
    return {
        "figures": len(samples),
        "figure_ms": statistics.median(samples) * 1000,
        "figure_max_ms": max(samples) * 1000,
    }


async def _latency(pilot, painted: list[float], key: str, back: str | None) -> float:
    samples = []
    for _ in range(REPEAT):
        painted.clear()
        before = time.perf_counter()
        await pilot.press(key)
        await pilot.pause()
        if painted:
            samples.append(painted[-1] - before)
        if back:
            await pilot.press(back)
            await pilot.pause()
    return statistics.median(samples) * 1000 if samples else float("nan")


def main() -> None:
    cache_path, row = Path(sys.argv[1]), int(sys.argv[2])
    drawn = sys.argv[3:] == ["figures"]
    print(json.dumps(asyncio.run(probe(cache_path, row, drawn))))


if __name__ == "__main__":
    main()
