"""One measurement of the reader, in a fresh process: run by ``tests.benchmarks.reader``.

    python -m tests.benchmarks.reader_probe CACHE.db START_TIME

Prints one JSON object: first paint (seconds from ``START_TIME``, the parent's
``time.time()`` when it launched this process, to the first table row drawn), the
process's resident memory once the table is up, keystroke-to-repaint medians for j,
PageDown and G, and search latencies (the first page of hits, as the reader shows it,
and the full count it makes afterwards in a worker). The app runs headless at 160×48.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
from pathlib import Path

REPEAT = 15
QUERIES = ("model", "graph neural", "quantum", "uncertainty estimation")


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def probe(cache_path: Path, start: float) -> dict:
    from paperdeck.storage.cache.database import Cache
    from paperdeck.storage.cache.views import PaperList, View, count_view
    from paperdeck.storage.config import Config
    from paperdeck.tui.app import PaperdeckApp
    from paperdeck.tui.view_loader import FIRST_PAGE
    from paperdeck.tui.widgets.paper_table import PaperTable

    painted: list[float] = []
    draw = PaperTable.render_line

    def timed_render_line(self, y):
        strip = draw(self, y)
        painted.append(time.perf_counter())
        return strip

    PaperTable.render_line = timed_render_line
    figures: dict = {}
    with Cache(cache_path) as cache:
        app = PaperdeckApp(Config(), cache)
        async with app.run_test(size=(160, 48)) as pilot:
            while not painted:
                await asyncio.sleep(0.001)
            figures["first_paint_s"] = painted[0] - time.perf_counter() + time.time() - start
            await app.workers.wait_for_complete()
            await pilot.pause()
            figures["rss_mb"] = rss_mb()
            table = app.screen.query_one(PaperTable)
            for key, back in (("j", "k"), ("pagedown", "pageup"), ("G", "g")):
                samples = []
                for _ in range(REPEAT):
                    for press in (key, back):
                        painted.clear()
                        before = time.perf_counter()
                        await pilot.press(press)
                        await pilot.pause()
                        if press == key and painted:
                            samples.append(painted[-1] - before)
                figures[f"key_{key}_ms"] = statistics.median(samples) * 1000
            figures["cursor_ok"] = table.cursor == 0
        pages, counts = [], []
        for query in QUERIES:
            for _ in range(3):
                view = View(search=query)
                before = time.perf_counter()
                PaperList(cache, view, total=FIRST_PAGE).window(0, FIRST_PAGE)  # as the UI does
                pages.append(time.perf_counter() - before)
                before = time.perf_counter()
                count_view(cache, view)  # in a worker, after the first page is on screen
                counts.append(time.perf_counter() - before)
        figures["search_ms"] = statistics.median(pages) * 1000
        figures["search_max_ms"] = max(pages) * 1000
        figures["count_max_ms"] = max(counts) * 1000
    return figures


def main() -> None:
    cache_path, start = Path(sys.argv[1]), float(sys.argv[2])
    print(json.dumps(asyncio.run(probe(cache_path, start))))


if __name__ == "__main__":
    main()
