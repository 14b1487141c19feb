"""A paper's text as passages the assistant can send and cite, each with its label.

The label is the id LaTeXML gave the block (``S3.SS1.p4``, ``S2.E3``, ``S1.F2``): the
paper's own name for it, the fragment of its arXiv HTML page, and stable across
conversions. Blocks LaTeXML left without one (the abstract, unnumbered equations) are
named after their section: ``abstract``, ``abstract.2``, ``S4.x1``.
"""

from __future__ import annotations

from dataclasses import dataclass

from paperdeck.storage.fulltext import model
from paperdeck.storage.fulltext.model import Document
from paperdeck.storage.models import Paper

ABSTRACT = "abstract"
_SKIPPED = frozenset({model.TITLE, model.AUTHORS})


@dataclass(frozen=True, slots=True)
class Passage:
    label: str
    """What the model cites: ``S3.SS1.p4``."""
    index: int
    """The block's place in the document (-1 for an abstract from the metadata)."""
    kind: str
    text: str
    """The block's text, its whitespace collapsed (a table's cells joined by spaces)."""
    section: str
    """The title of the section it stands in (``3.1 Method``), "" before the first."""
    heading: int = -1
    """The index of that section's heading block (-1 before the first): two sections
    may share a title."""

    @property
    def is_heading(self) -> bool:
        return self.kind == model.HEADING


def from_document(document: Document) -> list[Passage]:
    """Every block with text, in reading order, labelled (headings included: they name
    the sections the other passages stand in)."""
    passages: list[Passage] = []
    used: set[str] = set()
    base, section, heading, count = "", "", -1, 0
    for index, block in enumerate(document.blocks):
        if block.kind in _SKIPPED:
            continue
        text = " ".join(_text(block).split())
        if block.kind == model.HEADING:
            section, heading = f"{block.label} {text}".strip(), index
            base = block.anchor or (ABSTRACT if text.lower() == ABSTRACT else f"b{index}")
            count = 0
        if not text:
            continue
        label = block.anchor
        if label in used or not label and block.kind == model.HEADING:
            label = f"{base}.title"
        elif not label:
            count += 1
            if base == ABSTRACT:
                label = ABSTRACT if count == 1 else f"{ABSTRACT}.{count}"
            else:
                label = f"{base or 'front'}.x{count}"
        while label in used:
            label += "'"
        used.add(label)
        passages.append(Passage(label, index, block.kind, text, section, heading))
    return passages


def from_abstract(paper: Paper) -> list[Passage]:
    """The abstract from the paper's metadata (no full text stored): its paragraphs,
    labelled ``abstract``, ``abstract.2``, …"""
    paragraphs = [" ".join(p.split()) for p in (paper.abstract or "").split("\n\n")]
    paragraphs = [p for p in paragraphs if p]
    return [
        Passage(ABSTRACT if n == 1 else f"{ABSTRACT}.{n}", -1, model.PARAGRAPH, text, "Abstract")
        for n, text in enumerate(paragraphs, start=1)
    ]


def _text(block: model.Block) -> str:
    if block.kind in (model.FIGURE, model.TABLE) and block.label:
        return f"{block.label}: {block.plain}"
    if block.kind == model.EQUATION and block.label:
        return f"{block.plain} {block.label}"
    return block.plain
