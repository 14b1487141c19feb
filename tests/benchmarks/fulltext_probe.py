"""One measurement of the reading screen, in a fresh process: run by
``tests.benchmarks.fulltext``.

    python -m tests.benchmarks.fulltext_probe CACHE.db PAPER_ROW

Prints one JSON object: the resident memory with the table alone, the time from ``f`` to
the first lines of the paper drawn (its full text stored in the cache), the keystroke-to-
repaint medians for j (line), Space (page), ] (section) and n (find next), and the resident
memory with the paper open. The app runs headless at 160×48.
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


async def probe(cache_path: Path, row: int) -> dict:
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
        app = PaperdeckApp(Config(), cache)
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
    return figures


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
    print(json.dumps(asyncio.run(probe(cache_path, row))))


if __name__ == "__main__":
    main()
