"""Parser for "daily arXiv" markdown digests (the cv-arxiv-daily family).

A digest holds one table per topic — ``|Publish Date|Title|Authors|PDF|Code|`` under a
heading — and sometimes an ``#### Abstracts`` section of ``##### **Title**`` blocks
(``ID by Full, Author, List``, the abstract, an optional ``摘要：`` translation).

The input is cut at heading lines into sections. Table sections are read row by row;
an abstract block is one section, handled as a whole. Only the current topic's rows are
held in memory: a row waits for its abstract block and is handed out as soon as the
block is read (or when the topic ends), so a digest of any size streams through. Bad
rows are reported with their line number and skipped; nothing here raises on bad input.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO

from paperdeck.storage.ids import parse_id, valid_date
from paperdeck.storage.models import Incoming, Paper, Skipped, Translation
from paperdeck.storage.parsers.codelinks import safe_url
from paperdeck.storage.parsers.text import clean_generated, clean_line, reflow

_HEADING_LINE = re.compile(rb"\n([ \t]*#{1,6}[ \t][^\n]*)")
_PAGE_HEADER = re.compile(r"arxiv[-_ ]?daily|^updated on\b", re.IGNORECASE)
"""A daily-arXiv page's own heading (``# arxiv-daily``, ``## Updated on 2026.06.29``)."""
_ALIGN_CELL = re.compile(r"^:?-{1,}:?$")
_DATE = re.compile(r"^\**\s*(\d{4}-\d{1,2}-\d{1,2})\s*\**$")
# The link text holds no '[': a cell of a thousand '[' must not cost a million steps.
_LINK = re.compile(r"\[([^\[\]]*)\]\(\s*([^)\s]+)\s*\)")
_URL = re.compile(r"https?://[^\s)\]|>\"']+")
_BOLD = re.compile(r"^\*\*(.*)\*\*$", re.DOTALL)
_MD_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_ET_AL = re.compile(r"\s*,?\s*et\.?\s*al\.?\s*$", re.IGNORECASE)
_BY_LINE = re.compile(r"^(?P<id>\S+)\s+by\s+(?P<authors>.+)$")
_TRANSLATION = re.compile(r"^[ \t]*摘要[ \t]*[：:][ \t]*", re.MULTILINE)
_TABLE_HEADER = re.compile(r"^[ \t]*\|.*publish date", re.MULTILINE | re.IGNORECASE)
_NOISE_LINE = re.compile(
    r"^[ \t]*(?:<p align.*|</?details>.*|\[[^\]\n]+\]:[ \t]*https?://\S*[ \t]*)$", re.MULTILINE
)
_SPLIT = re.compile(r"(?<!\\)\|")
# The row every generator writes for the usual header, matched in one step; anything
# else (a '|' in a title, other column orders, bad cells) takes the general path.
_STANDARD_ROW = re.compile(
    r"\|\s*\*\*(\d{4}-\d\d-\d\d)\*\*\s*\|\s*\*\*([^|]*?)\*\*\s*\|([^|]*)\|"
    r"\s*\[[^\]|]*\]\((https?://(?:www\.|export\.)?arxiv\.org/abs/[^)\s|]+)\)\s*\|"
    r"([^|]*)(?:\|(.*?))?\|?$"
)
_STANDARD_COLUMNS = {"date": 0, "title": 1, "authors": 2, "link": 3, "code": 4}

_COLUMN_NAMES = {
    "publish date": "date",
    "date": "date",
    "title": "title",
    "authors": "authors",
    "author": "authors",
    "pdf": "link",
    "homepage": "link",
    "url": "link",
    "abs": "link",
    "code": "code",
    "abstract": "summary",
    "summary": "summary",
    "摘要": "summary",
    "tl;dr": "summary",
}
_TRANSLATION_LANG = "zh"
_SECTION_BYTES = 1 << 20
_CHUNK_BYTES = 1 << 20


@dataclass(slots=True)
class _Row:
    paper: Paper
    topic: str | None
    line: int


@dataclass(slots=True)
class _Section:
    """A heading line (None at the top of the file) and the text up to the next one."""

    heading: str | None
    number: int
    """Line number of the heading (of the first body line when there is none)."""
    body: str
    bad_lines: frozenset[int]
    """Lines whose bytes were not UTF-8 (decoded with replacement characters)."""


def split_cells(line: str, strip: bool = True) -> list[str]:
    """The cells of a markdown table row; ``\\|`` stays inside its cell."""
    body = line.strip()
    body = body[1:] if body.startswith("|") else body
    body = body[:-1] if body.endswith("|") and not body.endswith("\\|") else body
    if "\\|" in body:
        cells = [cell.replace("\\|", "|") for cell in _SPLIT.split(body)]
    else:
        cells = body.split("|")
    return [cell.strip() for cell in cells] if strip else cells


def _heading(line: str) -> tuple[int, str] | None:
    """The level and text of a markdown heading line (closing '#'s dropped), or None.

    String methods rather than a regex: ``(.*?)\\s*#*\\s*$`` takes cubic time on a
    heading padded with spaces."""
    level = len(line) - len(line.lstrip("#"))
    rest = line[level:]
    if not 1 <= level <= 6 or not rest[:1].isspace():
        return None
    return level, rest.strip().rstrip("#").rstrip()


def _unbold(cell: str) -> str:
    cell = cell.strip()
    if cell.startswith("**"):
        match = _BOLD.match(cell)
        if match:
            return match.group(1).strip()
    return cell


def _inline(cell: str) -> str:
    """A table cell as plain text: bold markers and markdown escapes removed."""
    cell = _unbold(cell)
    if "\\" in cell:
        cell = _MD_ESCAPE.sub(r"\1", cell)
    return clean_line(cell)


def _unify(raw: bytes) -> bytes:
    """CRLF and lone CR (old Mac files) line endings as LF."""
    return raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n") if b"\r" in raw else raw


def _chunks(source: IO[bytes] | Iterable[bytes | str]) -> Iterator[bytes]:
    """The input as pieces of about a megabyte, each ending at a line boundary, every
    line ending made LF (headings are found after an LF, whatever the file used)."""
    if hasattr(source, "read"):
        carry = b""
        while block := source.read(_CHUNK_BYTES):
            block = carry + block
            cr = block.endswith(b"\r")  # the LF of a CRLF may come with the next read
            block = _unify(block[:-1] if cr else block)
            cut = block.rfind(b"\n") + 1
            carry = block[cut:] + (b"\r" if cr else b"")
            if cut:
                yield block[:cut]
        if carry:
            yield _unify(carry).removesuffix(b"\n") + b"\n"
        return
    parts: list[bytes] = []
    size = 0
    for line in source:
        if isinstance(line, str):
            line = line.encode("utf-8", errors="surrogateescape")
        if not line.endswith(b"\n"):
            line += b"\n"
        parts.append(line)
        size += len(line)
        if size >= _CHUNK_BYTES:
            yield _unify(b"".join(parts))
            parts, size = [], 0
    if parts:
        yield _unify(b"".join(parts))


def _decode(raw: bytes, first_line: int) -> tuple[str, frozenset[int]]:
    """UTF-8 text, and the numbers of lines that were not valid UTF-8 (replaced)."""
    try:
        return raw.decode("utf-8"), frozenset()
    except UnicodeDecodeError:
        pass
    texts, bad = [], set()
    for offset, line in enumerate(raw.split(b"\n")):
        try:
            texts.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            texts.append(line.decode("utf-8", errors="replace"))
            bad.add(first_line + offset)
    return "\n".join(texts), frozenset(bad)


def _sections(source: IO[bytes] | Iterable[bytes | str]) -> Iterator[_Section]:
    """Cut the input at heading lines; each section's body is decoded as a whole."""
    heading: str | None = None
    number = 1  # line of the heading, or of the first body line
    body: list[bytes] = []
    body_size = 0
    body_line = 1  # line number where the body starts
    line = 1  # line number at the start of the current chunk position

    def section() -> _Section:
        text, bad = _decode(b"".join(body), body_line)
        return _Section(heading, number, text, bad)

    for index, chunk in enumerate(_chunks(source)):
        if index == 0:
            chunk = chunk.removeprefix(b"\xef\xbb\xbf")
        # A newline in front lets the chunk's first line be a heading too (chunks end at
        # line boundaries, so that line may be any heading of the file).
        chunk, pos = b"\n" + chunk, 1
        for match in _HEADING_LINE.finditer(chunk):
            start = match.start() + 1  # the heading's first character, after the newline
            body.append(chunk[pos:start])
            body_size += start - pos
            line += chunk.count(b"\n", pos, start)
            yield section()
            heading = match.group(1).decode("utf-8", errors="replace").strip()
            number, body, body_size = line, [], 0
            pos = match.end() + 1  # past the heading's own newline
            line += 1
            body_line = line
        body.append(chunk[pos:])
        body_size += len(chunk) - pos
        line += chunk.count(b"\n", pos)
        if body_size > _SECTION_BYTES:
            # A long stretch without headings (a huge table) is handed out in parts so it
            # never sits in memory whole; tables read on across parts.
            yield section()
            heading, number, body, body_size, body_line = None, line, [], 0, line
    yield section()


class DigestParser:
    """Turns digest lines into papers; ``skipped`` collects the rows it could not use."""

    def __init__(self) -> None:
        self.skipped: list[Skipped] = []
        self.tables = 0
        """How many digest tables were found (none means: not a digest)."""
        self.page_header = False
        """The page's own heading was seen: with no tables, an empty day's digest."""
        self._heading: str | None = None
        self._columns: dict[str, int] | None = None
        self._standard = False
        """The table has the usual columns, so rows can take the one-regex path."""
        self._expect_alignment = False
        self._topic: str | None = None
        self._pending: dict[str, _Row] = {}
        self._in_abstracts = False
        self._out: list[Incoming] = []
        """Papers completed by the current section, handed out by :meth:`parse`."""

    def parse(self, source: IO[bytes] | Iterable[bytes | str]) -> Iterator[Incoming]:
        """Yield a paper per usable row, with its topic and translation.

        ``source`` is a binary file (read in large pieces) or an iterable of lines."""
        out = self._out
        for section in _sections(source):
            body_start = section.number + (section.heading is not None)
            in_block = False
            if section.heading is not None:
                heading = _heading(section.heading)
                in_block = heading is not None and self._heading_line(*heading)
            if in_block:
                table = _TABLE_HEADER.search(section.body) if "|" in section.body else None
                block = section.body[: table.start()] if table else section.body
                self._block(block)
                if table:
                    before = section.body.count("\n", 0, table.start())
                    self._lines(
                        section.body[table.start() :], body_start + before, section.bad_lines
                    )
            else:
                self._lines(section.body, body_start, section.bad_lines)
            if out:
                yield from out
                out.clear()
        self._end_section()
        yield from out
        out.clear()

    # --- tables ----------------------------------------------------------------------

    def _lines(self, text: str, start: int, bad_lines: frozenset[int]) -> None:
        lines = text.split("\n")
        if lines[-1] == "":
            lines.pop()  # the text ends with a newline: no line follows it
        for number, line in enumerate(lines, start=start):
            stripped = line.strip()
            first = stripped[:1]
            if self._columns is not None:
                if self._expect_alignment:
                    self._expect_alignment = False
                    if first == "|" and all(
                        _ALIGN_CELL.match(c.replace(" ", "")) for c in split_cells(stripped) if c
                    ):
                        continue
                if first == "|":
                    if number in bad_lines:
                        self.skipped.append(Skipped(number, "invalid UTF-8 in the row"))
                    else:
                        self._row(stripped, number)
                    continue
                self._columns = None  # the table ended
            if first == "|" and self._is_header(stripped):
                self._end_section()
                self._start_table(stripped)

    @staticmethod
    def _is_header(line: str) -> bool:
        return any(_unbold(cell).lower() == "publish date" for cell in split_cells(line))

    def _start_table(self, line: str) -> None:
        columns: dict[str, int] = {}
        for index, cell in enumerate(split_cells(line)):
            name = _COLUMN_NAMES.get(_unbold(cell).lower())
            if name and name not in columns:
                columns[name] = index
        self._columns = columns
        self._standard = {k: v for k, v in columns.items() if k != "summary"} == _STANDARD_COLUMNS
        self.tables += 1
        self._expect_alignment = True
        self._topic = self._heading
        self._heading = None
        self._in_abstracts = False

    def _skip(self, number: int, reason: str) -> None:
        self.skipped.append(Skipped(number, reason))

    def _row(self, line: str, number: int) -> None:
        if self._standard and self._standard_row(line, number):
            return
        self._general_row(line, number)

    def _standard_row(self, line: str, number: int) -> bool:
        """The one-regex path; False sends the row to the general path."""
        match = _STANDARD_ROW.match(line)
        if match is None:
            return False
        date, title, authors, url, code, summary = match.groups()
        published = valid_date(date)
        parsed = parse_id(url)
        title = _inline(title)
        if published is None or parsed is None or not title:
            return False  # let the general path say what is wrong
        self._add_row(parsed, title, published, authors, code, summary or "", number)
        return True

    def _add_row(self, parsed, title, published, authors, code, summary, number) -> None:
        paper_id, version = parsed
        first_author = _ET_AL.sub("", _inline(authors))
        paper = Paper(
            id=paper_id,
            version=version,
            title=title,
            published=published,
            authors=[first_author] if first_author else [],
            authors_complete=False,
            code_urls=_code_urls(code),
            summary=clean_generated(summary) if summary.strip() else "",
            source="digest",
        )
        if paper_id not in self._pending:
            self._pending[paper_id] = _Row(paper, self._topic, number)

    def _general_row(self, line: str, number: int) -> None:
        columns = self._columns or {}
        if "date" not in columns or "link" not in columns:
            return self._skip(number, "table has no Publish Date or link column")
        raw = split_cells(line, strip=False)
        cells = [cell.strip() for cell in raw]
        date_at, link_at = columns["date"], columns["link"]
        if date_at >= len(cells) or not cells[date_at]:
            return self._skip(number, "missing cells: no publish date")
        date_match = _DATE.match(cells[date_at])
        if not date_match:
            return self._skip(number, f"no date in the date cell: {cells[date_at]!r:.60}")
        published = valid_date(date_match.group(1))
        if published is None:
            return self._skip(number, f"impossible date {date_match.group(1)}")
        # A '|' inside a title shifts every later cell: find the link cell from where the
        # header puts it, and shift the columns after the title by the same amount.
        for found in range(link_at, len(cells)):
            link = _arxiv_link(cells[found])
            if link:
                break
        else:
            return self._skip(number, "no arXiv link in the row")
        shift = found - link_at
        title_at = columns.get("title")

        def cell(name: str) -> str:
            at = columns.get(name)
            if at is None:
                return ""
            if title_at is not None and at > title_at:
                at += shift
            return cells[at] if at < len(cells) else ""

        title = "" if title_at is None else _inline("|".join(raw[title_at : title_at + shift + 1]))
        if not title:
            return self._skip(number, f"{link[0]}: empty title")
        self._add_row(
            link, title, published, cell("authors"), cell("code"), cell("summary"), number
        )

    # --- headings and abstract blocks -----------------------------------------------

    def _heading_line(self, level: int, text: str) -> bool:
        """Track topics and the Abstracts section; True when an abstract block starts."""
        plain = _inline(text)
        if not self.tables and _PAGE_HEADER.search(plain):
            self.page_header = True
        if plain.lower() == "abstracts":
            self._in_abstracts = True
            return False
        if self._in_abstracts and level >= 4:
            return True
        if self._in_abstracts:
            self._end_section()
        self._heading = plain or None
        return False

    def _block(self, body: str) -> None:
        """One abstract block: ``ID by Authors``, the abstract, an optional translation."""
        body = body.lstrip()
        first, _, rest = body.partition("\n")
        by = _BY_LINE.match(first.strip())
        parsed = parse_id(by.group("id")) if by else None
        if parsed is None:
            return  # not an abstract block this parser understands
        row = self._pending.pop(parsed[0], None)
        if row is None:
            return
        if "<" in rest or "]:" in rest:
            rest = _NOISE_LINE.sub("", rest)
        at = rest.find("摘要")
        marker = _TRANSLATION.search(rest, rest.rfind("\n", 0, at) + 1) if at >= 0 else None
        abstract = rest[: marker.start()] if marker else rest
        paper = row.paper
        authors = [a for a in (a.strip() for a in clean_line(by.group("authors")).split(",")) if a]
        if authors:
            paper.authors, paper.authors_complete = authors, True
        paper.abstract = reflow(abstract)
        translations: tuple[Translation, ...] = ()
        if marker:
            text = clean_generated(rest[marker.end() :])
            if text:
                translations = (Translation(paper.id, _TRANSLATION_LANG, text, source="digest"),)
        self._emit(row, translations)

    def _end_section(self) -> None:
        """The topic ended: hand out its rows that had no abstract block."""
        self._in_abstracts = False
        rows, self._pending = self._pending, {}
        for row in rows.values():
            self._emit(row, ())

    def _emit(self, row: _Row, translations: tuple[Translation, ...]) -> None:
        topics = (row.topic,) if row.topic else ()
        self._out.append(Incoming(row.paper, topics, translations))


def _arxiv_link(cell: str) -> tuple[str, int | None] | None:
    if "](" not in cell:
        return None
    for _, url in _LINK.findall(cell):
        parsed = parse_id(url)
        if parsed:
            return parsed
    return None


def _code_urls(cell: str) -> list[str]:
    text = _unbold(cell)
    if not text or text.lower() in ("null", "none", "-", "n/a"):
        return []
    urls = [url for _, url in _LINK.findall(text)] or _URL.findall(text)
    return list(dict.fromkeys(filter(None, (safe_url(url) for url in urls))))
