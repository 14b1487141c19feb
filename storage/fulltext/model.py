"""The document model of a paper's full text: blocks of styled text runs.

The converter (:mod:`paperdeck.storage.fulltext.convert`) makes a :class:`Document` from
arXiv's HTML; the Markdown and plain-text output (:mod:`paperdeck.storage.fulltext.render`)
and the reading screen all draw from it, so they show the same paper. It is stored in the
cache as compact JSON (:meth:`Document.to_json`).

Text in a :class:`Span` is the page's text, cleaned of control characters: it is never
markup, for any renderer.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

FROM_PDF = (
    "Taken from the PDF (the paper has no HTML rendering): formulas and tables are approximate"
)
"""The line that says so, on the reading screen and from ``paperdeck read``."""

_CITATION = re.compile(r"\[(\d{1,4}(?:\s*[-–,;]\s*\d{1,4})*)\]")

# Span styles: a string of these letters (a span can be bold and italic: "bi").
BOLD = "b"
ITALIC = "i"
CODE = "c"
MATH = "m"
"""Math converted to Unicode."""
TEX = "t"
"""Math that could not be converted: its TeX, shown as such."""
CITE = "r"
"""A citation (``[12]``); ``target`` is the reference's anchor (``bib.bib12``)."""
NOTE = "n"
"""A footnote mark; ``target`` is the footnote's number."""
ERROR = "e"
"""What LaTeXML could not convert (an unknown macro, ``ltx_ERROR``), shown as it was."""
LINK = "l"
"""A link to an http(s) page; ``target`` is the URL (only http and https are kept)."""

# Block kinds.
TITLE = "title"
AUTHORS = "authors"
HEADING = "heading"
"""``level`` 1 (section, appendix, abstract, references, notes) to 4; ``label`` its number."""
PARAGRAPH = "paragraph"
ITEM = "item"
"""A list item: ``level`` its depth (0 for a top-level list), ``label`` its bullet or number."""
CODE_BLOCK = "code"
"""``text`` holds the lines as they are."""
EQUATION = "equation"
"""A display equation on its own line; ``label`` its number (``(3)``); ``spans`` its
linear reading. ``rows`` holds one row: the TeX of its cells (an ``align`` row has two or
more), for the two-dimensional layout; ``level`` 1 means the row is aligned with the
equation above it (one ``align`` group)."""
FIGURE = "figure"
"""``label`` ("Figure 1:"), the caption in ``spans``, the image URL in ``url`` (http(s) or "")."""
TABLE = "table"
"""``rows``: cells of spans; ``head``: how many rows are headers; ``label`` and caption."""
REFERENCE = "reference"
"""``label`` ("[12]"), ``anchor`` ("bib.bib12"), ``arxiv`` the arXiv id it cites, if any."""
FOOTNOTE = "footnote"
"""``label`` its mark (``1``), ``spans`` its text."""


@dataclass(slots=True)
class Span:
    text: str
    style: str = ""
    target: str = ""

    def to_json(self) -> list | str:
        if not self.style and not self.target:
            return self.text
        return [self.text, self.style, self.target] if self.target else [self.text, self.style]

    @classmethod
    def from_json(cls, data: list | str) -> Span:
        if isinstance(data, str):
            return cls(data)
        return cls(*data)


@dataclass(slots=True)
class Block:
    kind: str
    spans: list[Span] = field(default_factory=list)
    level: int = 0
    label: str = ""
    anchor: str = ""
    url: str = ""
    arxiv: str = ""
    text: str = ""
    rows: list[list[list[Span]]] = field(default_factory=list)
    head: int = 0

    @property
    def plain(self) -> str:
        """The block's text without styles (a table's cells joined by spaces)."""
        if self.kind == CODE_BLOCK:
            return self.text
        if self.kind == TABLE:
            cells = (plain(cell) for row in self.rows for cell in row)
            return " ".join(c for c in cells if c) + (" " + plain(self.spans) if self.spans else "")
        return plain(self.spans)

    def to_json(self) -> dict:
        data: dict = {"k": self.kind}
        if self.spans:
            data["s"] = [span.to_json() for span in self.spans]
        for key, value in (
            ("v", self.level),
            ("l", self.label),
            ("a", self.anchor),
            ("u", self.url),
            ("x", self.arxiv),
            ("t", self.text),
            ("h", self.head),
        ):
            if value:
                data[key] = value
        if self.rows:
            data["r"] = [[[span.to_json() for span in cell] for cell in row] for row in self.rows]
        return data

    @classmethod
    def from_json(cls, data: dict) -> Block:
        return cls(
            kind=data["k"],
            spans=[Span.from_json(s) for s in data.get("s", ())],
            level=data.get("v", 0),
            label=data.get("l", ""),
            anchor=data.get("a", ""),
            url=data.get("u", ""),
            arxiv=data.get("x", ""),
            text=data.get("t", ""),
            rows=[[[Span.from_json(s) for s in cell] for cell in row] for row in data.get("r", ())],
            head=data.get("h", 0),
        )


@dataclass(slots=True)
class Document:
    """A paper's full text: its title, authors and blocks in reading order."""

    title: str
    authors: list[str]
    blocks: list[Block]
    source_url: str = ""
    """Where the page came from (after redirects)."""
    converter: int = 0
    """The converter version that made it."""
    notes: list[str] = field(default_factory=list)
    """What the converter wants the reader to know (a page cut short, math kept as TeX)."""

    @property
    def from_pdf(self) -> bool:
        """Whether the text was taken from the paper's PDF (it has no HTML rendering)."""
        return is_pdf_url(self.source_url)

    def headings(self) -> list[tuple[int, Block]]:
        """(block index, block) of every heading, in order: the table of contents."""
        return [(n, b) for n, b in enumerate(self.blocks) if b.kind == HEADING]

    def references(self) -> list[tuple[int, Block]]:
        return [(n, b) for n, b in enumerate(self.blocks) if b.kind == REFERENCE]

    def cited_in(self, text: str) -> list[Block]:
        """The references ``text`` cites (``[12]``, ``[3, 7]``, ``[4–6]``), in its order."""
        labels = {b.label: b for b in self.blocks if b.kind == REFERENCE and b.label}
        found: list[Block] = []
        for group in _CITATION.findall(text):
            for part in re.split(r"\s*[,;]\s*", group):
                first, _, last = part.partition("–" if "–" in part else "-")
                numbers = [first]
                if last.isdigit() and first.isdigit() and 0 < int(last) - int(first) < 20:
                    numbers = [str(n) for n in range(int(first), int(last) + 1)]
                for number in numbers:
                    block = labels.get(f"[{number.strip()}]")
                    if block is not None and block not in found:
                        found.append(block)
        return found

    def to_json(self) -> str:
        return json.dumps(
            {
                "title": self.title,
                "authors": self.authors,
                "source_url": self.source_url,
                "converter": self.converter,
                "notes": self.notes,
                "blocks": [block.to_json() for block in self.blocks],
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> Document:
        data = json.loads(text)
        return cls(
            title=data["title"],
            authors=data["authors"],
            blocks=[Block.from_json(b) for b in data["blocks"]],
            source_url=data.get("source_url", ""),
            converter=data.get("converter", 0),
            notes=data.get("notes", []),
        )


def is_pdf_url(url: str) -> bool:
    """Whether ``url`` names a PDF (``…/pdf/<id>v<N>`` or ``….pdf``)."""
    path = urlsplit(url).path
    return "/pdf/" in path or path.endswith(".pdf")


def plain(spans: list[Span]) -> str:
    return "".join(span.text for span in spans)
