"""Highlights of passages: made from the reading screen's selection, listed and exported
per paper (``paperdeck highlights ID``) with deep links into arXiv's HTML rendering.

A deep link is ``https://arxiv.org/html/<id>v<N>#<anchor>``: the anchor is the id of the
passage's first paragraph on arXiv's page (``S2.p3``), or of the element nearest before it
that has one (a section, an equation, a figure). A paper read from its PDF has no
anchors: its link is the PDF's.
The SQL and the way highlights travel with the library are in
:mod:`paperdeck.storage.cache.highlights`.
"""

from __future__ import annotations

import json

from paperdeck.storage.cache import fulltext as stored_texts
from paperdeck.storage.cache import highlights as store
from paperdeck.storage.cache.database import Cache
from paperdeck.storage.cache.highlights import Highlight
from paperdeck.storage.fulltext.model import Document
from paperdeck.storage.library.export import md_text, md_url
from paperdeck.storage.parsers.text import strip_controls

PDF_ANCHOR = "pdf"
"""The anchor of a passage of a paper read from its PDF: the link is the PDF's."""


def anchor_before(document: Document, block: int) -> str:
    """The anchor of ``block`` or of the nearest block before it that has one ("" when
    none has: the top of the page); :data:`PDF_ANCHOR` for a paper read from its PDF."""
    if document.from_pdf:
        return PDF_ANCHOR
    for index in range(min(block, len(document.blocks) - 1), -1, -1):
        if document.blocks[index].anchor:
            return document.blocks[index].anchor
    return ""


def deep_link(highlight: Highlight) -> str:
    versioned = highlight.paper_id + (f"v{highlight.version}" if highlight.version else "")
    if highlight.anchor == PDF_ANCHOR:
        return f"https://arxiv.org/pdf/{versioned}"
    fragment = f"#{highlight.anchor}" if highlight.anchor else ""
    return f"https://arxiv.org/html/{versioned}{fragment}"


def keep_passage(
    cache: Cache,
    paper_id: str,
    document: Document,
    blocks: tuple[int, int],
    quote: str,
    comment: str = "",
) -> Highlight:
    """Keep the passage ``quote`` of ``document`` (blocks ``blocks[0]`` to ``blocks[1]``)
    as a highlight of ``paper_id``, with ``comment``."""
    stored = stored_texts.info(cache, paper_id)
    version = stored.version if stored is not None else None
    if version is None and (paper := cache.paper(paper_id)) is not None:
        version = paper.version
    first, last = sorted(blocks)
    return store.add(
        cache,
        paper_id,
        version,
        (first, last),
        anchor_before(document, first),
        " ".join(strip_controls(quote).split()),
        strip_controls(comment).strip(),
    )


def to_markdown(title: str, highlights: list[Highlight]) -> str:
    """The highlights of one paper as Markdown: a heading, then each passage quoted, its
    comment, and its deep link. Paper text and comments are inert (never a link)."""
    if not highlights:
        return ""
    paper_id = highlights[0].paper_id
    out = [f"## {md_text(title or paper_id)} (arXiv:{paper_id})", ""]
    for item in highlights:
        out.append(f"> {md_text(item.quote)}")
        out.append("")
        if item.comment:
            out += [md_text(line) for line in item.comment.splitlines()]
            out.append("")
        out += [f"[{md_text(_where(item))}]({md_url(deep_link(item))}) · {item.made_at[:10]}", ""]
    return "\n".join(out)


def to_json(highlights: list[Highlight]) -> str:
    return json.dumps(
        [
            {
                "id": item.hid,
                "paper": item.paper_id,
                "version": item.version,
                "quote": item.quote,
                "comment": item.comment,
                "link": deep_link(item),
                "made": item.made_at,
            }
            for item in highlights
        ],
        ensure_ascii=False,
        indent=2,
    )


def _where(item: Highlight) -> str:
    if item.anchor == PDF_ANCHOR:
        return "the PDF"
    return f"§ {item.anchor}" if item.anchor else "the paper"
