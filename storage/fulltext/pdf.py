"""A paper's text taken out of its PDF (pypdfium2), for papers arXiv has no HTML rendering of.

pdfium gives runs of text in one font with their boxes (``FPDFText_CountRects``). From
them :func:`convert_pdf` rebuilds what the reader needs, as a :class:`Document` like the
HTML converter's:

- lines, with sub- and superscripts kept on their line (``O(n²)``, ``d_k``) and
  footnote marks kept apart from the words (a :data:`~model.NOTE` span);
- reading order: the page's full-width lines above its columns (title, authors), the
  left column, the right column, then full-width floats below;
- words hyphenated at a line end joined again (pdfium marks such hyphens as U+FFFE, or
  0x02 in bounded text); page numbers and running heads (a line repeated at the top of
  most pages) dropped;
- headings (bold, numbered: ``2.1 Title``) with their levels, paragraphs (a first-line
  indent or a gap), display equations (centred math, with their numbers), figure and
  table captions, listings (typewriter), footnotes (small type at a column's foot, moved
  to a "Notes" section at the end) and references (``[12] …``, with the arXiv id cited).

What cannot be known from a PDF — the TeX of formulas, the images — is not invented:
formulas read as pdfium gives their glyphs.
"""

from __future__ import annotations

import ctypes
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field

from paperdeck.storage.fulltext import model
from paperdeck.storage.fulltext.convert import arxiv_in_text
from paperdeck.storage.fulltext.model import Block, Document, Span
from paperdeck.storage.parsers.text import strip_controls

PDF_CONVERTER_VERSION = 1
"""Raise it when the extraction changes: stored PDFs are read again, without the network."""
MAX_PAGES = 400
SOFT_HYPHEN = "\ufffe"
MATH_FONTS = ("CMMI", "CMSY", "CMEX", "MSBM", "MSAM", "EUFM", "EUSM", "RSFS", "STIXMATH")
BOLD_FONTS = ("CMBX", "BOLD", "-BD", "CMB10", "SEMIBOLD")
MONO_FONTS = ("CMTT", "MONO", "COURIER", "INCONSOLATA")
_SUPERSCRIPT = str.maketrans("0123456789+-−=()", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾")
_BIG_OPERATORS = str.maketrans("PXQYRZHI", "∑∑∏∏∫∫∮∮")
"""TeX's extension font has no Unicode names for its big operators: its letters stand in."""
_NOTE_MARK = re.compile(r"[0-9∗*†‡§¶]{1,3}")
_HEADING = re.compile(r"(\d+(?:\.\d+){0,3}|[A-Z](?:\.\d+){0,3})\.?\s+(\S.*)")
_UNNUMBERED = {"abstract", "references", "bibliography", "acknowledgments",
               "acknowledgements", "appendix", "notes"}  # fmt: skip
_CAPTION = re.compile(r"((?:Figure|Fig\.|Table|Algorithm|Listing)\s+[\dA-Z.]+)\s*[:.]\s*(.*)")
_EQUATION_NUMBER = re.compile(r"\(\d+[a-z]?\)")
_BULLET = re.compile(r"([•◦∙·▪‣–∗]|\d{1,2}[.)]|\(?[a-z]\))\s+\S")
_REFERENCE = re.compile(r"\[(\d{1,4})\]\s*(.*)")


class PdfError(Exception):
    """The bytes are no PDF pdfium can read: one sentence that says why."""


@dataclass(slots=True)
class _Piece:
    """A run of text in one font on one line of a page."""

    left: float
    bottom: float
    right: float
    top: float
    text: str
    size: float
    font: str

    @property
    def middle(self) -> float:
        return (self.bottom + self.top) / 2

    @property
    def math(self) -> bool:
        return self.font.startswith(MATH_FONTS)


@dataclass(slots=True)
class _Line:
    page: int
    column: int
    """0 left, 1 right, -1 across the page."""
    pieces: list[_Piece]
    size: float = 0.0
    text: str = ""
    spans: list[Span] = field(default_factory=list)

    @property
    def left(self) -> float:
        return min(p.left for p in self.pieces)

    @property
    def right(self) -> float:
        return max(p.right for p in self.pieces)

    @property
    def top(self) -> float:
        return max(p.top for p in self.pieces)

    @property
    def bottom(self) -> float:
        return min(p.bottom for p in self.pieces)

    def fonts(self, kinds: tuple[str, ...]) -> bool:
        """Whether every full-size piece is in one of ``kinds`` (bold, typewriter)."""
        big = [p for p in self.pieces if p.size >= self.size * 0.85 and p.text.strip()]
        words = [p for p in big if not p.math and any(c.isalpha() for c in p.text)] or big
        # (a formula in a heading is not bold)
        return bool(words) and all(any(k in p.font for k in kinds) for p in words)


def convert_pdf(data: bytes, url: str) -> Document:
    """The paper in ``data`` (a PDF) as a :class:`Document`; :class:`PdfError` when it
    cannot be read."""
    import pypdfium2

    try:
        pdf = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        raise PdfError(f"{url} is not a PDF that can be read ({exc})") from None
    try:
        if len(pdf) > MAX_PAGES:
            raise PdfError(f"{url} has {len(pdf)} pages; more than {MAX_PAGES} are not read")
        pages = [_page_lines(pdf, number) for number in range(len(pdf))]
    finally:
        pdf.close()
    lines = [line for page in pages for line in page]
    if not any(line.text.strip() for line in lines):
        raise PdfError(f"{url} holds no text (a scanned paper?)")
    return _Builder(lines, len(pages)).document(url)


# --- pages into lines ---------------------------------------------------------------------


def _page_lines(pdf, number: int) -> list[_Line]:
    import pypdfium2.raw as raw

    page = pdf[number]
    try:
        page_width = page.get_width()
        textpage = page.get_textpage()
        name = ctypes.create_string_buffer(128)
        flags = ctypes.c_int()
        pieces = []
        for index in range(textpage.count_rects()):
            left, bottom, right, top = textpage.get_rect(index)
            text = textpage.get_text_bounded(left, bottom, right, top)
            text = text.replace("\x02", SOFT_HYPHEN).replace("\r", "").replace("\n", " ")
            text = text.replace("\x88", "•")  # TeX's bullet, as pdfium names it
            if not text.strip():
                continue
            char = textpage.get_index(left + 0.5, (bottom + top) / 2, 1.0, 1.0)
            size, font = 0.0, ""
            if char >= 0:
                size = raw.FPDFText_GetFontSize(textpage.raw, char)
                raw.FPDFText_GetFontInfo(textpage.raw, char, name, 128, ctypes.byref(flags))
                font = name.value.decode("latin-1").partition("+")[2] or name.value.decode(
                    "latin-1"
                )
            text = strip_controls(text)
            if font.upper().startswith("CMEX"):
                text = text.translate(_BIG_OPERATORS)
            pieces.append(
                _Piece(left, bottom, right, top, text, size or (top - bottom), font.upper())
            )
        textpage.close()
    finally:
        page.close()
    return _lines(pieces, number, page_width)


def _lines(pieces: list[_Piece], page: int, page_width: float) -> list[_Line]:
    middle = page_width / 2
    columns: dict[int, list[_Line]] = {-1: [], 0: [], 1: []}
    for piece in sorted(pieces, key=lambda p: (-p.size, -p.top)):
        column = 0 if piece.right <= middle + 8 else 1 if piece.left >= middle - 8 else -1
        home = None
        for line in columns[column]:
            overlap = min(line.top, piece.top) - max(line.bottom, piece.bottom)
            if overlap >= 0.4 * min(piece.top - piece.bottom, line.top - line.bottom):
                home = line
                break
        if home is None:
            columns[column].append(_Line(page, column, [piece], size=piece.size))
        else:
            home.pieces.append(piece)
    # A line across the page that is really one column's (a short caption) stays where it is.
    for lines in columns.values():
        for line in lines:
            line.pieces.sort(key=lambda p: p.left)
            line.spans = _line_spans(line)
            line.text = model.plain(line.spans)
        lines.sort(key=lambda line: -line.top)
    body = columns[0] + columns[1]
    top = max((line.top for line in body), default=0)
    above = [line for line in columns[-1] if line.bottom >= top - 2]
    below = [line for line in columns[-1] if line.bottom < top - 2]
    return above + columns[0] + columns[1] + below


def _line_spans(line: _Line) -> list[Span]:
    """The line's text, scripts marked (``_k``, ``²``), footnote marks as NOTE spans."""
    body = [p for p in line.pieces if p.size >= line.size * 0.85] or line.pieces
    middle = statistics.median(p.middle for p in body)
    spans: list[Span] = []
    previous: _Piece | None = None
    script: list[_Piece] = []
    for piece in _deduplicated(line.pieces):
        small = piece.size < line.size * 0.85
        if small:
            if script and (script[-1].middle > middle + 0.5) != (piece.middle > middle + 0.5):
                _script(spans, script, previous, middle, line.size)
                script = []
            script.append(piece)
            continue
        if script:
            _script(spans, script, previous, middle, line.size)
            previous, script = script[-1], []
        text = piece.text
        gap = previous is not None and piece.left - previous.right > 0.2 * piece.size
        if gap and spans and not spans[-1].text.endswith((" ", SOFT_HYPHEN)):
            text = " " + text.lstrip()
        _add(spans, text, model.MATH if piece.math else "")
        previous = piece
    if script:
        _script(spans, script, previous, middle, line.size)
    return spans


def _deduplicated(pieces: list[_Piece]) -> list[_Piece]:
    """Pieces without those whose text the piece before already holds (pdfium's
    rectangles overlap round accents: ``ˆy`` then ``y``)."""
    out: list[_Piece] = []
    for piece in pieces:
        if (
            out
            and piece.left < out[-1].right - 0.5
            and out[-1].text.rstrip().endswith(piece.text.strip())
        ):
            continue
        out.append(piece)
    return out


def _script(spans: list[Span], pieces: list[_Piece], before: _Piece | None, middle: float,
            size: float) -> None:  # fmt: skip
    """Small type beside the line: a footnote mark after words, else a sub- or superscript."""
    mark = "".join(p.text for p in pieces).strip()
    raised = pieces[0].middle > middle + 0.5
    after_words = before is None or (
        not before.math and before.size >= size * 0.85
        and (before.text.rstrip()[-1:].isalpha() or before.text.rstrip()[-1:] in ".,;:)")
    )  # fmt: skip
    if raised and _NOTE_MARK.fullmatch(mark) and after_words and not pieces[0].math:
        spans.append(Span(mark, model.NOTE, mark))
    elif raised:
        plain = all(c in "0123456789+-−=()" for c in mark)
        _add(spans, mark.translate(_SUPERSCRIPT) if plain else "^" + _braced(mark), model.MATH)
    else:
        _add(spans, "_" + _braced(mark), model.MATH)
    if pieces[-1].text.endswith(" "):
        _add(spans, " ", "")


def _braced(text: str) -> str:
    return text if len(text) == 1 or text.isalnum() else "{" + text + "}"


def _add(spans: list[Span], text: str, style: str) -> None:
    if spans and spans[-1].style == style:
        spans[-1].text += text
    else:
        spans.append(Span(text, style))


# --- lines into blocks --------------------------------------------------------------------


class _Builder:
    def __init__(self, lines: list[_Line], pages: int):
        self.lines = _without_furniture(lines, pages)
        sizes = Counter(round(p.size) for line in self.lines for p in line.pieces for _ in p.text)
        self.body = sizes.most_common(1)[0][0] if sizes else 10
        self.blocks: list[Block] = []
        self.notes: list[Block] = []
        self.floats: list[Block] = []
        self.current: Block | None = None
        self.previous: _Line | None = None
        self.margins = self._margins()
        self.rights = self._rights()
        self.in_references = False
        self.table: Block | None = None
        self.table_line: _Line | None = None
        self.caption: Block | None = None
        self.text_line: _Line | None = None
        """The last line of running text (floats between it and the next are skipped)."""

    def _margins(self) -> dict[tuple[int, int], float]:
        """Each column's left edge on each page: where its unindented lines start."""
        edges: dict[tuple[int, int], list[float]] = {}
        for line in self.lines:
            if abs(line.size - self.body) < 1:
                edges.setdefault((line.page, line.column), []).append(round(line.left))
        return {key: Counter(values).most_common(1)[0][0] for key, values in edges.items()}

    def _rights(self) -> dict[tuple[int, int], float]:
        """Each column's right edge on each page (justified lines end there)."""
        edges: dict[tuple[int, int], list[float]] = {}
        for line in self.lines:
            if abs(line.size - self.body) < 1:
                edges.setdefault((line.page, line.column), []).append(round(line.right))
        return {key: Counter(values).most_common(1)[0][0] for key, values in edges.items()}

    def document(self, url: str) -> Document:
        title, authors = self._front_matter()
        for line in self.lines:
            self._line(line)
            self.previous = line
        self._end_paragraph()
        if self.notes:
            self.blocks.append(Block(model.HEADING, [Span("Notes")], level=1))
            self.blocks.extend(self.notes)
        for block in self.blocks:
            if block.kind == model.TABLE and not block.rows:  # a caption whose cells were not found
                block.kind = model.PARAGRAPH
                block.spans = [Span(f"{block.label}: ", model.BOLD), *block.spans]
                block.label = ""
        blocks = [b for b in self.blocks if b.kind != model.PARAGRAPH or b.spans]
        for block in blocks:
            block.spans = _tidy(block.spans)
            if block.kind == model.REFERENCE:
                block.arxiv = arxiv_in_text(model.plain(block.spans))
        if title:
            blocks.insert(0, Block(model.TITLE, [Span(title)]))
            if authors:
                blocks.insert(1, Block(model.AUTHORS, [Span(", ".join(authors))]))
        return Document(
            title=title,
            authors=authors,
            blocks=blocks,
            source_url=url,
            converter=PDF_CONVERTER_VERSION,
        )

    def _front_matter(self) -> tuple[str, list[str]]:
        """The title (the largest type on the first page) and the lines under it up to
        the first heading: the authors (a date and affiliations are left out)."""
        first = [line for line in self.lines if line.page == 0]
        if not first:
            return "", []
        largest = max(line.size for line in first)
        if largest < self.body * 1.3:
            return "", []
        title_lines = [line for line in first if line.size >= largest - 0.5]
        title = " ".join(line.text.strip() for line in title_lines)
        authors: list[str] = []
        after = first.index(title_lines[-1]) + 1
        taken = list(title_lines)
        for line in first[after:]:
            if self._heading(line) is not None or abs(line.size - self.body) < 0.5:
                break
            taken.append(line)
            if re.search(r"\b(19|20)\d\d\b", line.text) or "@" in line.text:
                continue  # a date, an address
            authors.extend(_names(line))
        self.lines = [line for line in self.lines if not any(line is t for t in taken)]
        return " ".join(title.split()), authors

    def _heading(self, line: _Line) -> tuple[int, str, str] | None:
        """(level, number, title) when ``line`` is a heading."""
        if not line.fonts(BOLD_FONTS) or line.size < self.body - 0.5 or len(line.text) > 160:
            return None
        text = line.text.strip()
        if text.lower().rstrip(".") in _UNNUMBERED:
            return 1, "", text.rstrip(".")
        match = _HEADING.fullmatch(text)
        if match is None:
            return None
        number, title = match.groups()
        level = number.count(".") + 1
        if number[0].isalpha() and level == 1:
            number = f"Appendix {number}"
        if line.size > self.body * 1.3:
            level = min(level, 1)
        return level, number, title

    def _line(self, line: _Line) -> None:
        text = line.text.strip()
        if not text:
            return
        previous = self.blocks[-1] if self.blocks else None
        if (
            previous is not None and previous.kind == model.HEADING and self.current is None
            and line.fonts(BOLD_FONTS) and self.previous is not None
            and self.previous.fonts(BOLD_FONTS) and abs(self.previous.size - line.size) < 0.5
            and 0 <= self.previous.bottom - line.top < line.size
        ):  # fmt: skip
            _join(previous.spans, line.spans)  # a heading on two lines
            return
        heading = self._heading(line)
        if heading is not None:
            self._end_paragraph()
            level, number, title = heading
            self.in_references = title.lower() in ("references", "bibliography")
            spans = _strip_number(line.spans, number.removeprefix("Appendix "))
            self.blocks.append(Block(model.HEADING, spans, level=level, label=number))
            return
        if line.size < self.body - 1 and self._note(line):
            return
        margin = self.margins.get((line.page, line.column), line.left)
        if self.in_references:
            match = _REFERENCE.match(text)
            if match:
                self._end_paragraph()
                block = Block(
                    model.REFERENCE, list(_strip_label(line.spans)), label=f"[{match.group(1)}]"
                )
                block.anchor = f"bib.bib{match.group(1)}"
                self.blocks.append(block)
                self.current, self.text_line = block, line
                return
        table = self.table if self._near(self.table_line, line) else None
        self.table_line = None
        caption = _CAPTION.fullmatch(text)
        if caption is not None:
            label, spans = caption.group(1), list(_strip_label(line.spans, caption.group(1)))
            if table is not None and not table.label and label.startswith("Table"):
                table.label, table.spans, block = label, spans, table  # the caption below
            else:
                kind = model.FIGURE if label.startswith("Fig") else model.TABLE
                block = Block(kind, spans, label=label)
                self._float(block)
                self.table = block if kind == model.TABLE else None
            self.table_line = line if block.kind == model.TABLE else None
            self.caption = block
            self._last_caption_line = line
            return
        if self._continues_caption(line):
            _join(self.caption.spans, line.spans)
            self._last_caption_line = line
            self.table_line = line if self.caption.kind == model.TABLE else None
            return
        if line.fonts(MONO_FONTS):
            self._code(line, margin)
            return
        if self._display(line, margin):
            self._equation(line)
            return
        if self._centred(line, margin):  # a table's row (its cells at spaces)
            if table is None:
                table = Block(model.TABLE)
                self._float(table)
                self.table = table
            table.rows.append([[Span(word)] for word in line.text.split()])
            self.table_line = line
            return
        self._text(line, margin)

    def _float(self, block: Block) -> None:
        """A figure or table: after the paragraph it interrupts, which goes on."""
        if self.current is not None and self.current.kind == model.PARAGRAPH:
            self.floats.append(block)
        else:
            self._end_paragraph()
            self.blocks.append(block)

    @staticmethod
    def _near(before: _Line | None, line: _Line) -> bool:
        return (
            before is not None and (before.page, before.column) == (line.page, line.column)
            and 0 <= before.bottom - line.top < line.size * 2.5
        )  # fmt: skip

    def _continues_caption(self, line: _Line) -> bool:
        last = getattr(self, "_last_caption_line", None)
        if last is None or last.page != line.page or last.column != line.column:
            return False
        close = 0 <= last.bottom - line.top < line.size * 0.8
        self._last_caption_line = None if not close else last
        return close

    def _note(self, line: _Line) -> bool:
        """A footnote's line (small type): a new note when it starts with its mark."""
        first = line.spans[0] if line.spans else None
        if first is not None and model.NOTE in first.style:
            self.notes.append(Block(model.FOOTNOTE, list(line.spans[1:]), label=first.text))
            return True
        first_piece = line.pieces[0]
        if first_piece.size < line.size * 0.85 and _NOTE_MARK.fullmatch(first_piece.text.strip()):
            label = first_piece.text.strip()
            rest = [Span(s.text, s.style) for s in line.spans]
            rest[0].text = (
                rest[0]
                .text.lstrip()
                .removeprefix("^" + label)
                .removeprefix(label.translate(_SUPERSCRIPT))
            )
            self.notes.append(Block(model.FOOTNOTE, rest, label=label))
            return True
        if self.notes and self.previous is not None and self.previous.size < self.body - 1:
            _join(self.notes[-1].spans, line.spans)
            return True
        return False

    def _centred(self, line: _Line, margin: float) -> bool:
        """Whether ``line`` stands narrow in the middle of its column, as a table's rows do."""
        right = self.rights.get((line.page, line.column), line.right)
        return line.left > margin + 2.5 * line.size and line.right < right - 2.5 * line.size

    def _display(self, line: _Line, margin: float) -> bool:
        """Centred math, or a line that ends in an equation number at the column's edge."""
        pieces = line.pieces
        numbered = len(pieces) > 1 and _EQUATION_NUMBER.fullmatch(pieces[-1].text.strip())
        if numbered and pieces[-1].left - pieces[-2].right > 8:
            return True
        characters = sum(len(p.text.strip()) for p in line.pieces)
        mathy = sum(len(p.text.strip()) for p in line.pieces if p.math or p.size < line.size * 0.85)
        return line.left > margin + 20 and characters > 0 and mathy * 2 >= characters

    def _equation(self, line: _Line) -> None:
        label = ""
        spans = line.spans
        last = line.pieces[-1].text.strip()
        if _EQUATION_NUMBER.fullmatch(last):
            label = last
            spans = [Span(s.text, s.style) for s in spans]
            spans[-1].text = spans[-1].text.rstrip().removesuffix(last)
        spans = [Span(s.text, model.MATH if s.style != model.NOTE else s.style) for s in spans]
        current = self.current
        joined = (
            current is not None and current.kind == model.EQUATION
            and not (current.label and label) and self.previous is not None
            and self.previous.bottom - line.top < line.size * 1.5
        )  # fmt: skip
        if joined:  # the lines of one display (a fraction's, a matrix's)
            _join(current.spans, [Span(" ", ""), *spans])
            current.label = current.label or label
            return
        self._end_paragraph()
        block = Block(model.EQUATION, spans, label=label)
        self.blocks.append(block)
        self.current = block

    def _code(self, line: _Line, margin: float) -> None:
        indent = " " * max(0, round((line.left - margin) / (line.size * 0.52)))
        if self.current is not None and self.current.kind == model.CODE_BLOCK:
            self.current.text += "\n" + indent + line.text.rstrip()
            return
        self._end_paragraph()
        block = Block(model.CODE_BLOCK, text=indent + line.text.rstrip())
        self.blocks.append(block)
        self.current = block

    def _text(self, line: _Line, margin: float) -> None:
        current, previous = self.current, self.text_line
        self.text_line = line
        indented = line.left > margin + line.size * 0.6
        bullet = _BULLET.match(line.text.lstrip())
        if indented and bullet:
            self._end_paragraph()
            label = bullet.group(1)
            spans = [Span(x.text, x.style, x.target) for x in line.spans]
            spans[0].text = spans[0].text.lstrip().removeprefix(label)
            self.current = Block(model.ITEM, spans, label=label)
            self.blocks.append(self.current)
            return
        if current is not None and current.kind == model.ITEM and indented:
            _join(current.spans, line.spans)
            return
        same_place = previous is not None and (previous.page, previous.column) == (
            line.page,
            line.column,
        )
        gap = same_place and previous.bottom - line.top > line.size * 0.9 and not self.floats
        ends_sentence = current is not None and _plain_end(current).endswith((".", ":", "?", "!"))
        fresh = (
            current is None
            or current.kind not in (model.PARAGRAPH, model.REFERENCE)
            or (indented and (same_place or ends_sentence))
            or gap
        )
        if current is not None and current.kind == model.REFERENCE and not gap:
            fresh = False
        if fresh:
            self._end_paragraph()
            block = Block(model.PARAGRAPH, list(line.spans))
            self.blocks.append(block)
            self.current = block
            return
        _join(current.spans, line.spans)

    def _end_paragraph(self) -> None:
        self.current = None
        if self.floats:
            self.blocks.extend(self.floats)
            self.floats = []


def _without_furniture(lines: list[_Line], pages: int) -> list[_Line]:
    """The lines without page numbers and running heads."""
    if not lines:
        return lines
    top = max(line.top for line in lines)
    bottom = min(line.bottom for line in lines)
    masked = Counter(
        re.sub(r"\d+", "#", line.text.strip()) for line in lines if line.top >= top - 30
    )
    kept = []
    for line in lines:
        text = line.text.strip()
        if line.bottom <= bottom + 30 and re.fullmatch(
            r"[\divxlcIVXLC]{1,5}|[-–]\s*\d+\s*[-–]|Page \d+( of \d+)?", text
        ):
            continue  # a page number
        if (
            line.top >= top - 30
            and pages > 2
            and masked[re.sub(r"\d+", "#", text)] >= max(2, pages // 2)
        ):
            continue  # a running head
        kept.append(line)
    return kept


def _names(line: _Line) -> list[str]:
    """Author names on a line: runs of text far apart (``\\and``), or split at commas."""
    names: list[str] = []
    current = ""
    previous: _Piece | None = None
    for piece in line.pieces:
        if piece.size < line.size * 0.85:
            continue  # affiliation marks
        if previous is not None and piece.left - previous.right > line.size * 1.5:
            names.append(current)
            current = ""
        current += piece.text
        previous = piece
    names.append(current)
    out = []
    for name in names:
        out.extend(part.strip() for part in re.split(r",|\band\b", name) if part.strip())
    return out


def _join(spans: list[Span], more: list[Span]) -> None:
    """``more`` (the next line) after ``spans``: a hyphenated word joined again, a line's
    end a space."""
    if not more:
        return
    if spans:
        last = spans[-1]
        stripped = last.text.rstrip()
        if stripped.endswith(SOFT_HYPHEN):
            last.text = stripped[:-1]
        elif stripped.endswith("-") and more[0].text[:1].islower():
            last.text = stripped
        elif last.target:  # a footnote mark ends the line
            spans.append(Span(" "))
        else:
            last.text = stripped + " "
    for span in more:
        if spans and spans[-1].style == span.style and spans[-1].target == span.target:
            spans[-1].text += span.text
        else:
            spans.append(Span(span.text, span.style, span.target))


def _tidy(spans: list[Span]) -> list[Span]:
    out: list[Span] = []
    for span in spans:
        text = re.sub(r"\s+", " ", span.text.replace(SOFT_HYPHEN, "-"))
        if out and out[-1].text.endswith(" ") and text.startswith(" "):
            text = text[1:]
        if text:
            out.append(Span(text, span.style, span.target))
    if out:
        out[0].text = out[0].text.lstrip()
        out[-1].text = out[-1].text.rstrip()
    return [span for span in out if span.text]


def _strip_number(spans: list[Span], number: str) -> list[Span]:
    out = [Span(s.text, s.style) for s in spans]
    if number and out:
        out[0].text = out[0].text.lstrip().removeprefix(number).lstrip(". ")
    return out


def _strip_label(spans: list[Span], label: str | None = None) -> list[Span]:
    """A reference's or caption's text without its label (``[12]``, ``Figure 3:``)."""
    out = [Span(s.text, s.style) for s in spans]
    if out:
        text = out[0].text.lstrip()
        if label is None:
            text = re.sub(r"^\[\d+\]\s*", "", text)
        else:
            text = re.sub(rf"^{re.escape(label)}\s*[:.]\s*", "", text)
        out[0].text = text
    return out


def _plain_end(block: Block) -> str:
    return block.spans[-1].text.rstrip() if block.spans else ""
