"""Figures drawn in the text: pictures of half blocks, loaded when they scroll into view.

:class:`FigureCells` belongs to a :class:`~paperdeck.tui.widgets.paper_text.PaperText`.
When the widget draws a row of a figure's box whose picture it does not have yet, it asks
for it: a thread worker reads the image from the cache, or — the first time — fetches it
(a few at a time, :data:`AT_ONCE`) and has the reader's writer store it with the paper,
then scales it (:func:`~paperdeck.storage.fulltext.images.picture`) and hands it back to
the UI thread, which redraws the rows. Each cell is ``▀`` in the upper pixel's colour on
the lower pixel's: true colour where the terminal has it; Rich brings it down to 256
colours where that is all there is.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from textual.widget import Widget

from paperdeck.storage.cache import figures as stored_images
from paperdeck.storage.fulltext.images import ImageError, Picture, fetch_image, picture
from paperdeck.tui.workers import worker_cache

log = logging.getLogger("paperdeck.tui")

AT_ONCE = 3
"""Images fetched at the same time, at most (in this process)."""
_FETCHING = threading.BoundedSemaphore(AT_ONCE)
UPPER_HALF = "▀"

Key = tuple[str, int, int]
"""(image URL, cells wide, rows)."""


def load_picture(node: Widget, paper_id: str, url: str, cells: int, rows: int) -> Picture:
    """The picture of ``url`` for a box of ``cells`` × ``rows``: from the cache, or
    fetched and stored first (by the reader's writer). Runs in ``node``'s worker thread;
    :class:`ImageError` says why not."""
    data = stored_images.image(worker_cache(node.app.cache.path), paper_id, url)
    if data is None:
        with _FETCHING:
            data = fetch_image(url)
        keep = node.app.writer.keep(f"Storing a figure of {paper_id}", node)
        keep(lambda cache: stored_images.save_image(cache, paper_id, url, data))
    return picture(data, cells, rows)


class FigureCells:
    """The pictures of one paper's figures, as the widget draws them."""

    def __init__(self, request: Callable[[Key], None]) -> None:
        self._request = request
        self._pictures: dict[Key, Picture | str] = {}
        """A picture, or why there is none."""
        self._asked: set[Key] = set()
        self._styles: dict[tuple, Style] = {}

    def clear(self) -> None:
        self._pictures.clear()
        self._asked.clear()

    def arrived(self, key: Key, result: Picture | str) -> None:
        self._pictures[key] = result
        self._asked.discard(key)

    def get(self, key: Key) -> Picture | str | None:
        return self._pictures.get(key)

    def segments(self, key: Key, row: int, base: Style, muted: Style) -> list[Segment]:
        """Row ``row`` of the picture: half blocks, or — while it loads, or when it
        cannot be had — a quiet line in its place (the box keeps its size)."""
        url, cells, rows = key
        found = self._pictures.get(key)
        if isinstance(found, Picture):
            return self.row(found, row)
        if found is None and key not in self._asked:
            self._asked.add(key)
            self._request(key)
        if row != rows // 2:
            return [Segment(" " * cells, base)]
        said = "loading the figure…" if found is None else found
        return [Segment(_fit(f"  {said}", cells), muted)]

    def row(self, image: Picture, row: int) -> list[Segment]:
        """Row ``row`` of ``image`` as half blocks (runs of one colour pair joined)."""
        segments: list[Segment] = []
        run, run_style = 0, None
        for column in range(image.width):
            style = self._style(image.cell(row, column))
            if style is run_style:
                run += 1
                continue
            if run:
                segments.append(Segment(UPPER_HALF * run, run_style))
            run, run_style = 1, style
        if run:
            segments.append(Segment(UPPER_HALF * run, run_style))
        return segments

    def _style(self, colours: tuple) -> Style:
        style = self._styles.get(colours)
        if style is None:
            upper, lower = colours
            style = Style(color=Color.from_rgb(*upper), bgcolor=Color.from_rgb(*lower))
            if len(self._styles) < 65536:
                self._styles[colours] = style
        return style


def _fit(text: str, cells: int) -> str:
    return text[:cells].ljust(cells)


def failure(exc: Exception) -> str:
    """What to show in a figure's box when its picture cannot be had."""
    if isinstance(exc, ImageError):
        return f"no image: {exc}"
    log.exception("a figure could not be drawn")
    return f"no image ({type(exc).__name__})"
