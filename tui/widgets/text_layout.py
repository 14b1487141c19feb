"""Lay a paper's blocks out into lines of styled pieces for a given width.

:func:`lay_out` turns a :class:`~paperdeck.storage.fulltext.model.Document` into a
:class:`Layout`: every line the reading screen can show, as ``(text, style key)`` pieces,
each line knowing the block it belongs to. It is plain Python (no widget, no terminal),
fast enough to run for a 740 KB paper in a few tens of milliseconds, and safe to run in a
worker thread. :class:`PaperText` draws lines from it, only those on screen.

Style keys are a base (``title``, ``h1``, ``num``, ``lab``, ``mut``, ``code``, …) and the
span's style letters after a colon (``:bi``); the widget turns them into Rich styles.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from rich.cells import cell_len

from paperdeck.storage.fulltext import model
from paperdeck.storage.fulltext.images import box
from paperdeck.storage.fulltext.math_layout import group_rows
from paperdeck.storage.fulltext.model import Block, Document, Span
from paperdeck.storage.fulltext.render import displayed_equations

MAX_MEASURE = 120
"""The widest a line of text gets, however wide the terminal: longer lines read badly."""
MIN_WIDTH = 20
_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_TIGHT = {model.ITEM, model.REFERENCE, model.FOOTNOTE}
"""Kinds that follow each other without a blank line."""

Piece = tuple[str, str]


@dataclass(slots=True)
class Line:
    pieces: tuple[Piece, ...]
    block: int
    """The block this line shows (a blank line belongs to the block above it, the blank
    line above a heading to the heading)."""

    @property
    def text(self) -> str:
        return "".join(text for text, _ in self.pieces)


@dataclass
class Layout:
    width: int
    lines: list[Line]
    starts: list[int]
    """The first line of each block."""
    headings: list[int] = field(default_factory=list)
    """Lines where headings start, in order."""
    figures: bool = False
    """Whether figures' images have rows of their own (``img:<row>`` pieces)."""

    def line_of(self, block: int, row: int = 0) -> int:
        """Line ``row`` of ``block`` (its last line when it has fewer)."""
        if not self.starts:
            return 0
        block = max(0, min(block, len(self.starts) - 1))
        start = self.starts[block]
        end = self.starts[block + 1] if block + 1 < len(self.starts) else len(self.lines)
        return max(start, min(start + row, end - 1))

    def position(self, line: int) -> tuple[int, int]:
        """(block, row within the block) of ``line``: where a reader is, whatever the width."""
        if not self.lines:
            return 0, 0
        line = max(0, min(line, len(self.lines) - 1))
        block = self.lines[line].block
        return block, line - self.starts[block]

    def next_heading(self, line: int) -> int | None:
        at = bisect.bisect_right(self.headings, line)
        return self.headings[at] if at < len(self.headings) else None

    def previous_heading(self, line: int) -> int | None:
        at = bisect.bisect_left(self.headings, line)
        return self.headings[at - 1] if at > 0 else None


def lay_out(document: Document, width: int, figures: bool = False) -> Layout:
    """Every line of ``document`` at ``width`` cells (text no wider than :data:`MAX_MEASURE`);
    with ``figures``, each figure that has an image gets a box of rows to be drawn in
    (:func:`~paperdeck.storage.fulltext.images.box`), above its caption."""
    width = max(MIN_WIDTH, width)
    measure = min(width, MAX_MEASURE)
    lines: list[Line] = []
    starts: list[int] = []
    headings: list[int] = []
    blocks = document.blocks
    displayed = displayed_equations(blocks, measure - 4)
    left = 4
    for index, block in enumerate(blocks):
        starts.append(len(lines))
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        if block.kind == model.HEADING:
            if lines and lines[-1].pieces:
                lines.append(Line((), index))  # a blank line above headings
            headings.append(len(lines))
        if index in displayed:
            if not block.level:  # a group's rows share their left edge
                group = range(index, index + len(group_rows(blocks, index)))
                widest = max(_width(line) for n in group for line in displayed[n][0])
                left = max(4, (measure - widest) // 2)
            rows = _displayed(block, *displayed[index], left, measure)
        else:
            rows = _block_lines(block, measure, width)
        if figures and block.kind == model.FIGURE and block.url:
            rows = _figure(block, measure, pictures=True)
        if index == 0 and document.from_pdf:  # one line that says where the text came from
            rows = [
                *wrap([Span(model.FROM_PDF)], measure, base="mut"),
                [],
                *rows,
            ]
        lines.extend(Line(tuple(pieces), index) for pieces in rows)
        tight = following is not None and block.kind == following.kind and block.kind in _TIGHT
        tight = tight or (following is not None and following.kind == model.EQUATION
                          and following.level > 0 and index + 1 in displayed)  # fmt: skip
        if following is not None and not tight:
            lines.append(Line((), index))
    return Layout(width, lines, starts, headings, figures)


# --- blocks -----------------------------------------------------------------------------


def _block_lines(block: Block, measure: int, width: int) -> list[list[Piece]]:
    kind = block.kind
    if kind == model.TITLE:
        return wrap(block.spans, measure, base="title")
    if kind == model.AUTHORS:
        return wrap(block.spans, measure, base="auth")
    if kind == model.HEADING:
        base = "h1" if block.level <= 1 else "h2" if block.level == 2 else "h3"
        prefix = [(block.label + " ", "num")] if block.label else []
        rows = wrap(block.spans, measure, base=base, prefix=prefix)
        if block.level <= 1:
            rule = min(measure, max((_cells(row) for row in rows), default=0))
            rows.append([("─" * rule, "rule")])
        return rows
    if kind == model.PARAGRAPH:
        indent = "  " * block.level
        return wrap(
            block.spans, measure, prefix=[(indent, "")] if indent else (), indent=len(indent)
        )
    if kind == model.ITEM:
        prefix = "  " * block.level + (block.label or "•") + " "
        return wrap(block.spans, measure, prefix=[(prefix, "lab")], indent=cell_len(prefix))
    if kind == model.CODE_BLOCK:
        return _code(block.text, measure)
    if kind == model.EQUATION:
        return _equation(block, measure)
    if kind == model.FIGURE:
        return _figure(block, measure)
    if kind == model.TABLE:
        return _table(block, measure)
    if kind == model.REFERENCE:
        prefix = (block.label or "•") + " "
        spans = list(block.spans)
        if block.arxiv:
            spans.append(Span(f"  ↗ arXiv:{block.arxiv}", model.LINK))
        return wrap(spans, measure, prefix=[(prefix, "lab")], indent=min(8, cell_len(prefix)))
    if kind == model.FOOTNOTE:
        mark = block.label.translate(_SUPERSCRIPT) if block.label.isdigit() else block.label
        prefix = f"{mark} "
        return wrap(block.spans, measure, prefix=[(prefix, "lab")], indent=cell_len(prefix))
    return wrap(block.spans, measure)


def _code(text: str, measure: int) -> list[list[Piece]]:
    rows: list[list[Piece]] = []
    room = max(4, measure - 2)
    for line in text.split("\n"):
        line = line.replace("\t", "    ")
        if not line:
            rows.append([("  ", "code")])
            continue
        while line:
            part, line = _cut(line, room)
            rows.append([("  " + part, "code")])
    return rows


def _equation(block: Block, measure: int) -> list[list[Piece]]:
    label = block.label
    spans = [Span(s.text, s.style or model.MATH, s.target) for s in block.spans]
    room = measure - (cell_len(label) + 2 if label else 0) - 4
    rows = wrap(spans, max(10, room), base="eq")
    if len(rows) == 1:
        used = _cells(rows[0])
        left = max(4, (measure - used) // 2)
        line = [(" " * left, ""), *rows[0]]
        if label:
            gap = max(2, measure - left - used - cell_len(label))
            line += [(" " * gap, ""), (label, "num")]
        return [line]
    out = [[("    ", ""), *row] for row in rows]
    if label:
        out[-1] += [("  ", ""), (label, "num")]
    return out


def _displayed(block: Block, rows: list[str], base: int, left: int, measure: int):
    """An equation's two-dimensional lines, its number on the line of its axis."""
    out: list[list[Piece]] = []
    for number, text in enumerate(rows):
        line: list[Piece] = [(" " * left, ""), (text, "eq:m")] if text else []
        if number == base and block.label:
            gap = max(2, measure - left - _width(text) - cell_len(block.label))
            line += [(" " * gap, ""), (block.label, "num")]
        out.append(line)
    return out


def _figure(block: Block, measure: int, pictures: bool = False) -> list[list[Piece]]:
    prefix = [("▣ ", "fig"), (f"{block.label}:" if block.spans else block.label, "fig")]
    rows = wrap(block.spans, measure, prefix=[*prefix, (" ", "")], indent=2)
    if pictures:  # the picture above its caption; Enter shows it full screen
        return [*picture_rows(measure), [], *rows, [("  (Enter: full screen)", "mut")]]
    if block.url:
        hint = "  (Enter opens it)"
        rows.extend(_cut_pieces([("  ↗ ", "mut"), (block.url, "link"), (hint, "mut")], measure))
    else:
        rows.append([("  (no http(s) link to the image)", "mut")])
    return rows


IMAGE = "img"
"""The style key of a figure's picture rows: ``img:<row>``."""


def picture_rows(measure: int) -> list[list[Piece]]:
    """The rows a figure's picture is drawn in, centred, each one piece ``img:<row>``."""
    cells, rows = box(measure)
    left = " " * max(2, (measure - cells) // 2)
    return [[(left, ""), (" " * cells, f"{IMAGE}:{row}")] for row in range(rows)]


def picture_row(pieces: tuple[Piece, ...]) -> int | None:
    """The row of a figure's picture this line draws, or None for a line of text."""
    for _text, style in pieces:
        if style.startswith(IMAGE + ":"):
            return int(style[len(IMAGE) + 1 :])
    return None


def _table(block: Block, measure: int) -> list[list[Piece]]:
    rows: list[list[Piece]] = []
    if block.label or block.spans:
        prefix = [(f"{block.label}: " if block.label else "", "fig")]
        rows.extend(wrap(block.spans, measure, prefix=prefix, indent=2))
    columns = max((len(row) for row in block.rows), default=0)
    if not columns:
        return rows
    cells = [[list(row[c]) if c < len(row) else [] for c in range(columns)] for row in block.rows]
    natural = [max(max(_span_cells(cell[c]) for cell in cells), 1) for c in range(columns)]
    widths = _fit_columns(natural, measure - 2 - 3 * (columns - 1))
    rule = "  " + "─┼─".join("─" * w for w in widths)
    for number, row in enumerate(cells):
        wrapped = [wrap(cell, widths[c]) or [[]] for c, cell in enumerate(row)]
        height = max(len(w) for w in wrapped)
        for line in range(height):
            pieces: list[Piece] = [("  ", "")]
            for c, w in enumerate(wrapped):
                part = w[line] if line < len(w) else []
                if number < block.head:
                    part = [(text, _with(style, "b")) for text, style in part]
                pieces.extend(part)
                pad = widths[c] - _cells(part)
                if c + 1 < columns:
                    pieces += [(" " * pad, ""), (" │ ", "rule")]
            rows.append(_merge(pieces))
        if number + 1 == block.head:
            rows.append([(rule, "rule")])
    return rows


def _fit_columns(natural: list[int], room: int) -> list[int]:
    """Column widths that fit ``room``: the widest columns give way first (to 6 cells)."""
    widths = list(natural)
    room = max(room, 6 * len(widths))
    while sum(widths) > room:
        widest = max(range(len(widths)), key=widths.__getitem__)
        if widths[widest] <= 6:
            break
        widths[widest] -= max(1, min(widths[widest] - 6, sum(widths) - room))
    return widths


# --- wrapping ----------------------------------------------------------------------------


def _style_key(base: str, style: str) -> str:
    return f"{base}:{style}" if style else base


def _with(key: str, letter: str) -> str:
    base, _, letters = key.partition(":")
    if letter in letters:
        return key
    return f"{base}:{''.join(sorted(letters + letter))}"


def wrap(
    spans: list[Span],
    width: int,
    *,
    base: str = "",
    prefix: list[Piece] | tuple = (),
    indent: int = 0,
) -> list[list[Piece]]:
    """Greedy word wrap of styled spans into lines of at most ``width`` cells; the first
    line starts with ``prefix``, the others with ``indent`` spaces. Words longer than a
    line are cut. Pieces of one style run together (few segments to draw)."""
    width = max(4, width)
    rows: list[list[Piece]] = []
    current: list[Piece] = [piece for piece in prefix if piece[0]]
    used = start = sum(_width(text) for text, _ in prefix)
    for word, size in _words(spans, base):
        if used > start:
            if used + 1 + size <= width:
                _add(current, " ", word[0][1])
                used += 1
            else:
                rows.append(current)
                current = [(" " * indent, "")] if indent else []
                used = start = indent
        if used + size > width:  # a word longer than the line: cut it
            *full, last = _cut_pieces(word, width - used, width - indent)
            for part in full:
                for text, style in part:
                    _add(current, text, style)
                rows.append(current)
                current = [(" " * indent, "")] if indent else []
                used = start = indent
            word, size = last, _cells(last)
        for text, style in word:
            _add(current, text, style)
        used += size
    if current and (used > start or not rows):
        rows.append(current)
    return rows


def _add(line: list[Piece], text: str, style: str) -> None:
    """Append to ``line``, running on into its last piece when the style is the same."""
    if line and line[-1][1] == style:
        line[-1] = (line[-1][0] + text, style)
    else:
        line.append((text, style))


def _width(text: str) -> int:
    return len(text) if text.isascii() else cell_len(text)


def _words(spans: list[Span], base: str) -> list[tuple[list[Piece], int]]:
    """The words of ``spans`` (split at spaces; a word may change style inside, as
    ``[12],``) with their widths."""
    words: list[tuple[list[Piece], int]] = []
    word: list[Piece] = []
    size = 0
    for span in spans:
        key = _style_key(base, span.style)
        text = span.text
        if model.NOTE in span.style and text.isdigit():
            text = text.translate(_SUPERSCRIPT)  # a footnote mark: small.¹
        for number, part in enumerate(text.split(" ")):
            if number and word:
                words.append((word, size))
                word, size = [], 0
            if part:
                word.append((part, key))
                size += _width(part)
    if word:
        words.append((word, size))
    return words


def _cut(text: str, room: int) -> tuple[str, str]:
    """The longest head of ``text`` that fits ``room`` cells, and the rest."""
    if cell_len(text) <= room:
        return text, ""
    used = 0
    for at, char in enumerate(text):
        used += cell_len(char)
        if used > room:
            return text[: max(1, at)], text[max(1, at) :]
    return text, ""


def _cut_pieces(pieces: list[Piece], first: int, rest: int | None = None) -> list[list[Piece]]:
    """``pieces`` cut into lines: the first ``first`` cells wide, the others ``rest``."""
    rest = first if rest is None else rest
    out: list[list[Piece]] = []
    line: list[Piece] = []
    room = max(1, first)
    for text, style in pieces:
        while text:
            part, text = _cut(text, room)
            line.append((part, style))
            room -= cell_len(part)
            if room <= 0 and text:
                out.append(line)
                line, room = [], max(1, rest)
    if line:
        out.append(line)
    return out


def _merge(pieces: list[Piece]) -> list[Piece]:
    merged: list[Piece] = []
    for text, style in pieces:
        if not text:
            continue
        if merged and merged[-1][1] == style:
            merged[-1] = (merged[-1][0] + text, style)
        else:
            merged.append((text, style))
    return merged


def _cells(pieces: list[Piece]) -> int:
    return sum(cell_len(text) for text, _ in pieces)


def _span_cells(spans: list[Span]) -> int:
    return sum(cell_len(span.text) for span in spans)
