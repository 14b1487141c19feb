"""Checking an answer's citations: each ``[id] "quote"`` looked up in that block.

Both sides are normalised first — Unicode (NFKC), typographic quotes, dashes and
hyphens, whitespace — so a quote copied faithfully matches however the model spaced
it. A quote with an ellipsis (``"we freeze … the encoder"``) must hold each piece, in
order. A quote that is in the paper but in another block is *not found* for the block
it cites (and :attr:`Citation.elsewhere` says where it is).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from paperdeck.storage.assistant.passages import Passage

_CITATION = re.compile(
    r"\[\s*([A-Za-z][\w.'\-]{0,80}?)\s*\]\s*[:,–—-]?\s*"  # [S3.SS1.p4], then the quote:
    r"(?:\"((?:[^\"\n]|\n(?!\n)){1,1000})\"|“((?:[^”\n]|\n(?!\n)){1,1000})”"
    r"|„((?:[^“”\n]|\n(?!\n)){1,1000})[“”]|«((?:[^»\n]|\n(?!\n)){1,1000})»)"
)
"""An id in brackets, then a quote in straight, curly, low or angle quotes (one line
break allowed inside it, not a blank line)."""
_SAME = str.maketrans(
    {
        "‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'",
        "“": '"', "”": '"', "„": '"', "‟": '"', "″": '"',
        "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "―": "-", "−": "-",
        "\u00ad": None, "\u200b": None, "\u200c": None, "\u200d": None, "\ufeff": None,
    }
)  # fmt: skip
_ELLIPSIS = re.compile(r"\s*(?:\.\s?\.\s?\.|…)\s*")
_PUNCT_EDGES = " .,;:!?'\"()[]"


@dataclass(frozen=True, slots=True)
class Citation:
    block: str
    quote: str
    found: bool
    elsewhere: str = ""
    """When not found in ``block``: the label of a block that does hold the quote."""
    start: int = 0
    """Where the citation stands in the answer (characters)."""
    end: int = 0

    def to_json(self) -> dict:
        return {"block": self.block, "quote": self.quote, "found": self.found}


def normalise(text: str) -> str:
    """``text`` as quotes are compared: NFKC, one kind of quote and dash, no soft
    hyphens, whitespace collapsed to one space."""
    text = unicodedata.normalize("NFKC", text).translate(_SAME)
    return " ".join(text.split())


def find_citations(answer: str) -> list[tuple[str, str, int, int]]:
    """(block id, quote, start, end) of every ``[id] "quote"`` in ``answer``."""
    found = []
    for match in _CITATION.finditer(answer):
        quote = next(group for group in match.groups()[1:] if group is not None)
        found.append((match.group(1), quote.strip(), match.start(), match.end()))
    return found


def check(answer: str, passages: list[Passage]) -> list[Citation]:
    """Every citation in ``answer``, looked up in the block it names."""
    texts = {p.label: normalise(p.text) for p in passages}
    checked = []
    for block, quote, start, end in find_citations(answer):
        pieces = [p.strip(_PUNCT_EDGES) for p in _ELLIPSIS.split(normalise(quote))]
        pieces = [p for p in pieces if p]
        found = bool(pieces) and _holds(texts.get(block, ""), pieces)
        elsewhere = ""
        if not found and pieces:
            elsewhere = next((label for label, t in texts.items() if _holds(t, pieces)), "")
        checked.append(Citation(block, quote, found, elsewhere, start, end))
    return checked


def _holds(text: str, pieces: list[str]) -> bool:
    """Whether ``text`` holds each of ``pieces``, in order."""
    at = 0
    for piece in pieces:
        at = text.find(piece, at)
        if at < 0:
            return False
        at += len(piece)
    return True
