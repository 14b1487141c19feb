"""The text of a paper: a Line-API scroll view that draws only the lines on screen.

The document is laid out once per width (:func:`~paperdeck.tui.widgets.text_layout.lay_out`,
a few tens of milliseconds for a 40-page paper, kept for the last widths used), and each
visible line is drawn from its pieces into a :class:`Strip`, kept in an LRU cache — the
pattern of toolong's ``LogLines``. Nothing here mounts a widget per block: opening a
740 KB paper costs the same as opening a short one, give or take the layout.

A cursor line marks where the reader is (``Enter`` on a figure shows it full screen, on
a reference opens its paper); finds are highlighted, and so are the reader's highlights
(:mod:`~paperdeck.tui.widgets.passages`) and the lines being selected for a new one.
Figures are drawn in the text, in half blocks
(:mod:`~paperdeck.tui.widgets.figure_cells`), their images loaded as they scroll into
view. Paper text is drawn as plain segments with styles from the component classes
below: markup in a paper is never interpreted.
"""

from __future__ import annotations

import bisect

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from paperdeck.storage.cache.highlights import Highlight
from paperdeck.storage.fulltext.images import box
from paperdeck.storage.fulltext.model import Document, Span
from paperdeck.tui.widgets.figure_cells import FigureCells, Key, failure, load_picture
from paperdeck.tui.widgets.passages import covered, quote_of
from paperdeck.tui.widgets.text_layout import (
    MAX_MEASURE,
    MIN_WIDTH,
    Layout,
    Piece,
    lay_out,
    picture_row,
    wrap,
)
from paperdeck.tui.workers import thread_worker

MARGIN = 1
"""Cells left blank on each side of the text."""

_BASES = {
    "title": "paper-text--title",
    "auth": "paper-text--authors",
    "h1": "paper-text--heading",
    "h2": "paper-text--subheading",
    "h3": "paper-text--subheading",
    "num": "paper-text--number",
    "lab": "paper-text--label",
    "mut": "paper-text--muted",
    "code": "paper-text--code",
    "fig": "paper-text--figure",
    "rule": "paper-text--rule",
    "eq": "paper-text--math",
    "link": "paper-text--link",
}
_LETTERS = {
    "m": "paper-text--math",
    "t": "paper-text--tex",
    "r": "paper-text--cite",
    "n": "paper-text--note",
    "e": "paper-text--error",
    "l": "paper-text--link",
    "c": "paper-text--code",
}


class PaperText(ScrollView, can_focus=True):
    """A paper's full text, laid out for the widget's width."""

    COMPONENT_CLASSES = {
        "paper-text--title",
        "paper-text--authors",
        "paper-text--heading",
        "paper-text--subheading",
        "paper-text--number",
        "paper-text--label",
        "paper-text--muted",
        "paper-text--code",
        "paper-text--figure",
        "paper-text--rule",
        "paper-text--math",
        "paper-text--tex",
        "paper-text--cite",
        "paper-text--note",
        "paper-text--error",
        "paper-text--link",
        "paper-text--cursor",
        "paper-text--match",
        "paper-text--match-current",
        "paper-text--message",
        "paper-text--selection",
        "paper-text--passage",
    }

    DEFAULT_CSS = """
    PaperText {
        background: $surface;
        scrollbar-gutter: stable;
        overflow-x: hidden;
    }
    PaperText > .paper-text--title { text-style: bold; color: $text; }
    PaperText > .paper-text--authors { color: $text-accent; }
    PaperText > .paper-text--heading { text-style: bold; color: $text-primary; }
    PaperText > .paper-text--subheading { text-style: bold; color: $text; }
    PaperText > .paper-text--number { color: $text-muted; }
    PaperText > .paper-text--label { color: $text-muted; }
    PaperText > .paper-text--muted { color: $text-muted; }
    PaperText > .paper-text--code { color: $text-secondary; }
    PaperText > .paper-text--figure { color: $text-accent; text-style: bold; }
    PaperText > .paper-text--rule { color: $panel-lighten-2; }
    PaperText > .paper-text--math { color: $text-success; }
    PaperText > .paper-text--tex { color: $text-warning; }
    PaperText > .paper-text--cite { color: $text-primary; }
    PaperText > .paper-text--note { color: $text-primary; }
    PaperText > .paper-text--error { color: $text-error; text-style: italic; }
    PaperText > .paper-text--link { color: $text-primary; text-style: underline; }
    PaperText > .paper-text--cursor { background: $boost; }
    PaperText:focus > .paper-text--cursor { background: $block-cursor-blurred-background; }
    PaperText > .paper-text--match { background: $warning 40%; }
    PaperText > .paper-text--match-current { background: $warning; color: $background; }
    PaperText > .paper-text--message { color: $text-muted; }
    PaperText > .paper-text--selection { background: $primary-darken-3; }
    PaperText > .paper-text--passage { background: $warning-darken-3; }
    """

    BINDINGS = [
        Binding("j,down", "move(1)", "Down", show=False, id="down"),
        Binding("k,up", "move(-1)", "Up", show=False, id="up"),
        Binding("space,pagedown", "page(1)", "Page down", show=False, id="page_down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="page_up"),
        Binding("g,home", "first", "Top", show=False, id="first"),
        Binding("G,end", "last", "End", show=False, id="last"),
        Binding("enter", "activate", "Open figure or paper", show=False, id="fulltext_open"),
    ]

    class CursorMoved(Message):
        """The cursor moved to (another line of) block ``block``."""

        def __init__(self, block: int) -> None:
            super().__init__()
            self.block = block

    class PassageChosen(Message):
        """``Enter`` while selecting: the passage of blocks ``blocks`` reads ``quote``."""

        def __init__(self, blocks: tuple[int, int], quote: str) -> None:
            super().__init__()
            self.blocks = blocks
            self.quote = quote

    class Activated(Message):
        """``Enter`` (or a double click) on a line of block ``block`` (``line``: its text)."""

        def __init__(self, block: int, line: str = "") -> None:
            super().__init__()
            self.block = block
            self.line = line

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.document: Document | None = None
        self.text_layout: Layout | None = None
        self._layouts: dict[int, Layout] = {}
        self.cursor = 0
        self._message: list[str] = []
        """Plain lines shown instead of a paper (wrapped to the width when drawn)."""
        self._wrapped: list[str] = []
        self._strips: LRUCache[tuple, Strip] = LRUCache(maxsize=400)
        self._styles: dict[str, Style] = {}
        self.find_text = ""
        self.matches: list[list[tuple[int, int, int]]] = []
        """Each match as its parts: (line, start, end) — a match may run over a line break."""
        self._by_line: dict[int, list[tuple[int, int, int]]] = {}
        self.current_match: int | None = None
        self.paper_id = ""
        self.selecting: int | None = None
        """The line a selection started from (None: not selecting)."""
        self.highlights: list[Highlight] = []
        self._passage_lines: set[int] = set()
        self.figures = FigureCells(lambda key: self.call_later(self._load_figure, key))

    # --- content ------------------------------------------------------------------------

    def show_message(self, *lines: str) -> None:
        """Lines of plain text instead of a paper (loading, no rendering, an error)."""
        self.document, self.text_layout, self._layouts = None, None, {}
        self._message = list(lines)
        self.cursor = 0
        self._clear_find()
        self._wrap_message()
        self.scroll_to(y=0, animate=False, immediate=True)
        self.refresh()

    def _wrap_message(self) -> None:
        width = self.text_width
        self._wrapped = [
            "".join(text for text, _ in row)
            for line in self._message
            for row in (wrap([Span(line)], width) or [[]])
        ]
        self._strips.clear()
        self.virtual_size = Size(self.size.width, len(self._wrapped))
        self.refresh()

    def show(
        self,
        document: Document,
        position: tuple[int, int] | None = None,
        layout: Layout | None = None,
        paper_id: str = "",
    ) -> None:
        """Show ``document`` with the cursor at ``position`` (block, row) — where the
        reader left it — or at the top. ``layout``: one made already (in a worker) for
        this width. ``paper_id``: whose figures' images are stored with it."""
        self.document = document
        self.paper_id = paper_id
        self.figures.clear()
        self._message = []
        self._layouts = {}
        if layout is not None and (layout.width, layout.figures) == (
            self.text_width,
            self.figures_on,
        ):
            self._layouts[layout.width] = layout
        self._strips.clear()
        self._clear_find()
        self._relayout()
        line = self.text_layout.line_of(*position) if position and self.text_layout else 0
        self._set_cursor(line, place="top" if position else "keep", force=True)

    @property
    def figures_on(self) -> bool:
        """Whether figures are drawn in the text (``[fulltext] figures``)."""
        config = getattr(self.app, "config", None)
        return bool(config is None or config.fulltext.figures)

    @property
    def text_width(self) -> int:
        """The width lines are laid out for."""
        width = self.scrollable_content_region.width or self.size.width or 80
        return max(MIN_WIDTH, width - 2 * MARGIN)

    def _relayout(self) -> None:
        if self.document is None:
            return
        width = self.text_width
        layout = self._layouts.get(width)
        if layout is None:
            layout = lay_out(self.document, width, figures=self.figures_on)
            if len(self._layouts) >= 2:
                self._layouts.pop(next(iter(self._layouts)))
            self._layouts[width] = layout
        self.text_layout = layout
        self._strips.clear()
        self.virtual_size = Size(self.size.width, len(layout.lines))
        self.selecting = None
        self._cover_highlights()
        if self.find_text:
            self.find(self.find_text, keep=True)

    def on_resize(self, event: events.Resize) -> None:
        if self.text_layout is None or self.document is None:
            self._wrap_message()
            return
        if self.text_width == self.text_layout.width:
            self.virtual_size = Size(self.size.width, len(self.text_layout.lines))
            return
        block, row = self.position()
        self._relayout()
        self._set_cursor(self.text_layout.line_of(block, row), force=True)

    def position(self) -> tuple[int, int]:
        """(block, row within it) of the cursor: the reading position, whatever the width."""
        return self.text_layout.position(self.cursor) if self.text_layout else (0, 0)

    @property
    def line_count(self) -> int:
        return len(self.text_layout.lines) if self.text_layout else len(self._wrapped)

    @property
    def cursor_block(self) -> int | None:
        if self.text_layout is None or not self.text_layout.lines:
            return None
        return self.text_layout.lines[self.cursor].block

    # --- moving -------------------------------------------------------------------------

    def _set_cursor(self, line: int, place: str = "keep", force: bool = False) -> None:
        """Move the cursor to ``line`` and scroll so it shows: ``keep`` scrolls as little
        as possible, ``top`` puts it near the top, ``center`` in the middle."""
        if self.text_layout is None:
            return
        line = max(0, min(line, len(self.text_layout.lines) - 1))
        old = self.cursor
        old_block = self.text_layout.lines[old].block if old < len(self.text_layout.lines) else None
        self.cursor = line
        if self.selecting is not None:  # the selection's lines change
            self._strips.clear()
            self.refresh()
        height = max(1, self.scrollable_content_region.height)
        top = self.scroll_offset.y
        if place == "top":
            target = max(0, line - 1)
        elif place == "center":
            target = max(0, line - height // 2)
        elif line < top:
            target = line
        elif line >= top + height:
            target = line - height + 1
        else:
            target = top
        if target != top:
            self.scroll_to(y=target, animate=False, immediate=True, force=True)
        self.refresh_line(old)
        self.refresh_line(line)
        block = self.text_layout.lines[line].block
        if force or block != old_block:
            self.post_message(self.CursorMoved(block))

    def action_move(self, delta: int) -> None:
        self._set_cursor(self.cursor + delta)

    def action_page(self, delta: int) -> None:
        if self.text_layout is None:
            return
        height = max(1, self.scrollable_content_region.height - 1)
        top = self.scroll_offset.y
        self.scroll_to(y=max(0, top + delta * height), animate=False, immediate=True, force=True)
        self._set_cursor(self.cursor + delta * height)

    def action_first(self) -> None:
        self._set_cursor(0)

    def action_last(self) -> None:
        self._set_cursor(self.line_count - 1)

    def next_section(self) -> bool:
        """Put the next heading at the top; False at the last one."""
        if self.text_layout is None:
            return False
        line = self.text_layout.next_heading(self.cursor)
        if line is None:
            return False
        self._set_cursor(line, place="top")
        return True

    def previous_section(self) -> bool:
        if self.text_layout is None:
            return False
        line = self.text_layout.previous_heading(self.cursor)
        if line is None:
            return False
        self._set_cursor(line, place="top")
        return True

    def jump_to_block(self, block: int) -> None:
        if self.text_layout is not None:
            line = self.text_layout.line_of(block)
            while (
                line < len(self.text_layout.lines) - 1 and not self.text_layout.lines[line].pieces
            ):
                line += 1  # the blank line above a heading
            self._set_cursor(line, place="top")

    # --- highlights -------------------------------------------------------------------

    def show_highlights(self, highlights: list[Highlight]) -> None:
        """Mark the lines of ``highlights`` (the paper's, all of them)."""
        self.highlights = list(highlights)
        self._cover_highlights()

    def _cover_highlights(self) -> None:
        self._passage_lines = set()
        if self.text_layout is not None:
            for highlight in self.highlights:
                self._passage_lines |= covered(self.text_layout, highlight)
        self._strips.clear()
        self.refresh()

    def select(self, on: bool) -> None:
        """Start selecting a passage at the cursor line (``j``/``k`` extend it, ``Enter``
        keeps it), or stop."""
        self.selecting = self.cursor if on and self.text_layout is not None else None
        self._strips.clear()
        self.refresh()

    def _selected(self, index: int) -> bool:
        return self.selecting is not None and (
            min(self.selecting, self.cursor) <= index <= max(self.selecting, self.cursor)
        )

    def action_activate(self) -> None:
        if self.selecting is not None and self.text_layout is not None:
            blocks, quote = quote_of(self.text_layout, self.selecting, self.cursor)
            self.select(False)
            if quote:
                self.post_message(self.PassageChosen(blocks, quote))
            return
        block = self.cursor_block
        if block is not None:
            self.post_message(self.Activated(block, self.text_layout.lines[self.cursor].text))

    def on_click(self, event: events.Click) -> None:
        if self.text_layout is None:
            return
        line = self.scroll_offset.y + event.y
        if 0 <= line < len(self.text_layout.lines):
            self._set_cursor(line)
            if event.chain > 1:
                self.action_activate()

    # --- find ---------------------------------------------------------------------------

    def _clear_find(self) -> None:
        self.find_text = ""
        self.matches = []
        self._by_line = {}
        self.current_match = None

    def find(self, query: str, keep: bool = False) -> int:
        """Highlight every match of ``query`` (case-insensitive, across line breaks);
        returns how many. ``keep``: the same query again (after a new layout)."""
        previous = None
        if keep and self.current_match is not None:
            previous = self.matches[self.current_match][0][0]
        self._clear_find()
        self.find_text = query
        self._strips.clear()
        self.refresh()
        if not query.strip() or self.text_layout is None:
            return 0
        needle = _fold(query)
        lines = self.text_layout.lines
        starts = self.text_layout.starts
        for block, start in enumerate(starts):
            end = starts[block + 1] if block + 1 < len(starts) else len(lines)
            pieces: list[tuple[int, int, int]] = []  # (line, lead, length)
            texts: list[str] = []
            for index in range(start, end):
                text = lines[index].text
                if not text:
                    continue
                stripped = text.lstrip(" ")
                lead = len(text) - len(stripped)
                stripped = stripped.rstrip()
                pieces.append((index, lead, len(stripped)))
                texts.append(stripped)
            if not texts:
                continue
            joined = _fold(" ".join(texts))
            at = joined.find(needle)
            while at >= 0:
                self.matches.append(_split_match(pieces, at, at + len(needle)))
                at = joined.find(needle, at + max(1, len(needle)))
        for number, parts in enumerate(self.matches):
            for line, begin, end in parts:
                self._by_line.setdefault(line, []).append((begin, end, number))
        if previous is not None and self.matches:
            self.current_match = min(
                range(len(self.matches)), key=lambda n: abs(self.matches[n][0][0] - previous)
            )
        return len(self.matches)

    def find_next(self, backwards: bool = False) -> tuple[int, int] | None:
        """Move to the next (previous) match: after the one shown, or — for a new find
        or after the cursor moved away — the first at or after (before) the cursor.
        Returns (its number from 1, how many), None when there is none."""
        if not self.matches:
            return None
        lines = [parts[0][0] for parts in self.matches]
        current = self.current_match
        if current is not None and lines[current] == self.cursor:
            step = -1 if backwards else 1
            target = (current + step) % len(self.matches)
        elif backwards:
            at = bisect.bisect_right(lines, self.cursor) - 1
            target = at if at >= 0 else len(lines) - 1
        else:
            at = bisect.bisect_left(lines, self.cursor)
            target = at if at < len(lines) else 0
        old, self.current_match = current, target
        for number in (old, target):  # only their lines change (the strip key says so)
            if number is not None:
                for line, _, _ in self.matches[number]:
                    self.refresh_line(line)
        self._set_cursor(lines[target], place="keep" if self._visible(lines[target]) else "center")
        return target + 1, len(self.matches)

    def _visible(self, line: int) -> bool:
        top = self.scroll_offset.y
        return top <= line < top + self.scrollable_content_region.height

    # --- drawing ------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._strips.clear()

    def _style(self, key: str) -> Style:
        style = self._styles.get(key)
        if style is None:
            base, _, letters = key.partition(":")
            style = self.rich_style
            if base in _BASES:
                style += self.get_component_rich_style(_BASES[base], partial=True)
            for letter in letters:
                if letter == "b":
                    style += Style(bold=True)
                elif letter == "i":
                    style += Style(italic=True)
                elif letter in _LETTERS:
                    style += self.get_component_rich_style(_LETTERS[letter], partial=True)
            self._styles[key] = style
        return style

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.size.width
        cursor = self.text_layout is not None and index == self.cursor
        marked = (self._selected(index), index in self._passage_lines)
        key = (index, width, cursor, self.current_match if index in self._by_line else None, marked)
        strip = self._strips.get(key)
        if strip is None:
            strip = self._draw(index, width, cursor, marked)
            self._strips[key] = strip
        return strip

    def on_focus(self) -> None:
        self._strips.clear()  # the cursor line looks different with focus
        self.refresh()

    def on_blur(self) -> None:
        self._strips.clear()
        self.refresh()

    def _draw(
        self, index: int, width: int, cursor: bool, marked: tuple[bool, bool] = (False, False)
    ) -> Strip:
        base = self.rich_style
        if self.text_layout is None:
            if index >= len(self._wrapped):
                return Strip.blank(width, base)
            style = base + self.get_component_rich_style("paper-text--message", partial=True)
            segments = [Segment(" " * MARGIN, base), Segment(self._wrapped[index], style)]
            return Strip(segments).adjust_cell_length(width, base)
        if index >= len(self.text_layout.lines):
            return Strip.blank(width, base)
        line = self.text_layout.lines[index]
        pieces = line.pieces
        ranges = self._by_line.get(index)
        segments = [Segment(" " * MARGIN, base)]
        row = picture_row(pieces) if self.text_layout.figures else None
        if row is not None and self.document is not None:
            segments += [Segment(pieces[0][0], base)]
            segments += self.figures.segments(
                self._figure_key(line.block), row, base, self._style("mut")
            )
        elif ranges:
            segments += self._highlighted(pieces, ranges)
        else:
            segments += [Segment(text, self._style(style)) for text, style in pieces]
        strip = Strip(segments).adjust_cell_length(width, base)
        selected, passage = marked
        overlay = (
            "paper-text--cursor" if cursor
            else "paper-text--selection" if selected
            else "paper-text--passage" if passage
            else None
        )  # fmt: skip
        if overlay is not None:
            color = self.get_component_rich_style(overlay, partial=True).bgcolor
            background = Style(bgcolor=color)
            segments = [Segment(text, (style or base) + background) for text, style, _ in strip]
            strip = Strip(segments, strip.cell_length)
        return strip.crop(0, width)

    # --- figures ------------------------------------------------------------------------

    def _figure_key(self, block: int) -> Key:
        cells, rows = box(min(self.text_layout.width, MAX_MEASURE))
        return self.document.blocks[block].url, cells, rows

    @thread_worker("Drawing a figure", group="figures", exclusive=False)
    def _load_figure(self, key: Key) -> None:
        url, cells, rows = key
        try:
            result = load_picture(self, self.paper_id, url, cells, rows)
        except Exception as exc:  # shown in the figure's box; the reader goes on
            result = failure(exc)
        self.app.call_from_thread(self._figure_arrived, key, result)

    def _figure_arrived(self, key: Key, result) -> None:
        self.figures.arrived(key, result)
        self._strips.clear()
        self.refresh()

    def _highlighted(self, pieces: tuple[Piece, ...], ranges: list[tuple[int, int, int]]):
        match = self.get_component_rich_style("paper-text--match", partial=True)
        current = self.get_component_rich_style("paper-text--match-current", partial=True)
        at = 0
        for text, key in pieces:
            style = self._style(key)
            end = at + len(text)
            inside = (max(0, min(len(text), p - at)) for b, e, _ in ranges for p in (b, e))
            cuts = sorted({0, len(text), *inside})
            for left, right in zip(cuts, cuts[1:], strict=False):
                if left == right:
                    continue
                middle = at + left
                hit = next((n for b, e, n in ranges if b <= middle < e), None)
                if hit is None:
                    yield Segment(text[left:right], style)
                else:
                    mark = current if hit == self.current_match else match
                    yield Segment(text[left:right], style + mark)
            at = end


def _fold(text: str) -> str:
    """Lower case with the same length as ``text`` (so offsets stay offsets)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(char.lower() if len(char.lower()) == 1 else char for char in text)


def _split_match(pieces: list[tuple[int, int, int]], begin: int, end: int) -> list:
    """A match at ``begin:end`` of a block's joined text, as (line, start, end) parts."""
    parts = []
    offset = 0
    for line, lead, length in pieces:
        line_end = offset + length
        lo, hi = max(begin, offset), min(end, line_end)
        if lo < hi:
            parts.append((line, lead + lo - offset, lead + hi - offset))
        offset = line_end + 1  # the space that joined the lines
        if offset > end:
            break
    return parts or [(pieces[0][0], pieces[0][1], pieces[0][1])]
