"""Checking an answer's citations: each ``[id] "quote"`` looked up in that block
(``"quote" [id]`` too, and ``[id1, id2] "quote"`` in either block).

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

_LABEL = r"[A-Za-z][\w.'\-]{0,80}?"
_IDS = rf"\[\s*({_LABEL}(?:\s*[,;]\s*{_LABEL}){{0,5}})\s*\]"
"""One block id in brackets, or a few separated by commas or semicolons."""
_QUOTED = (
    r"(?:\"((?:[^\"\n]|\n(?!\n)){1,1000})\"|“((?:[^”\n]|\n(?!\n)){1,1000})”"
    r"|„((?:[^“”\n]|\n(?!\n)){1,1000})[“”]|«((?:[^»\n]|\n(?!\n)){1,1000})»)"
)
"""A quote in straight, curly, low or angle quotes (one line break allowed inside it,
not a blank line)."""
_CITATION = re.compile(
    rf"{_IDS}\s*[:,–—-]?\s*{_QUOTED}"  # [S3.SS1.p4] "quote", as the model is asked
    rf"|{_QUOTED}\s*[:,–—-]?\s*{_IDS}(?!\s*[:,–—-]?\s*[\"“„«])"  # "quote" [S3.SS1.p4]
)
"""A citation as asked, or the other way round when the id is not followed by a quote
of its own (small models often write it so)."""
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
    """The block that holds the quote, else the (first) block cited."""
    quote: str
    found: bool
    elsewhere: str = ""
    """When not found in ``block``: the label of a block that does hold the quote."""

    def to_json(self) -> dict:
        return {"block": self.block, "quote": self.quote, "found": self.found}


def normalise(text: str) -> str:
    """``text`` as quotes are compared: NFKC, one kind of quote and dash, no soft
    hyphens, whitespace collapsed to one space."""
    text = unicodedata.normalize("NFKC", text).translate(_SAME)
    return " ".join(text.split())


def find_citations(answer: str) -> list[tuple[list[str], str]]:
    """(block ids, quote) of every citation in ``answer``, ``[id] "quote"`` or
    ``"quote" [id]``."""
    found = []
    for match in _CITATION.finditer(answer):
        groups = match.groups()
        ids = groups[0] if groups[0] is not None else groups[-1]
        quote = next(group for group in groups[1:-1] if group is not None)
        found.append(([i.strip() for i in re.split(r"[,;]", ids)], quote.strip()))
    return found


def check(answer: str, passages: list[Passage]) -> list[Citation]:
    """Every citation in ``answer``, looked up in the block it names (in one of the
    blocks, when it names a few)."""
    texts = {p.label: normalise(p.text) for p in passages}
    checked = []
    for blocks, quote in find_citations(answer):
        pieces = [p.strip(_PUNCT_EDGES) for p in _ELLIPSIS.split(normalise(quote))]
        pieces = [p for p in pieces if p]
        holding = [b for b in blocks if pieces and _holds(texts.get(b, ""), pieces)]
        elsewhere = ""
        if not holding and pieces:
            elsewhere = next((label for label, t in texts.items() if _holds(t, pieces)), "")
        checked.append(Citation((holding or blocks)[0], quote, bool(holding), elsewhere))
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
