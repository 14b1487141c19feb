"""Passages of a laid-out paper: the text of selected lines, and the lines a highlight
covers at the width the paper is laid out for now (a highlight is kept as its blocks and
its words, so it is found again at any width, and after a newer converter)."""

from __future__ import annotations

from paperdeck.storage.cache.highlights import Highlight
from paperdeck.tui.widgets.text_layout import Layout


def quote_of(layout: Layout, first: int, last: int) -> tuple[tuple[int, int], str]:
    """(first block, last block) and the words of lines ``first`` to ``last``."""
    first, last = sorted((first, last))
    lines = layout.lines[first : last + 1]
    words = " ".join(" ".join(line.text.split()) for line in lines if line.text.strip())
    return (lines[0].block, lines[-1].block), words


def covered(layout: Layout, highlight: Highlight) -> set[int]:
    """The lines ``highlight``'s words run over: within its blocks, else (a newer
    converter numbered the blocks differently) anywhere in the paper; none when the words
    are gone from it."""
    starts = layout.starts
    if not starts or not highlight.quote:
        return set()
    first = min(highlight.block, len(starts) - 1)
    last = min(highlight.end_block, len(starts) - 1)
    end = starts[last + 1] if last + 1 < len(starts) else len(layout.lines)
    return _find(layout, starts[first], end, highlight.quote) or _find(
        layout, 0, len(layout.lines), highlight.quote
    )


def _find(layout: Layout, begin: int, end: int, quote: str) -> set[int]:
    """The lines from ``begin`` to ``end`` that ``quote`` runs over (words compared
    without case, whatever the line breaks)."""
    spans: list[tuple[int, int, int]] = []  # (line, start, end) in the joined words
    joined = ""
    for index in range(begin, end):
        words = " ".join(layout.lines[index].text.split())
        if not words:
            continue
        if joined:
            joined += " "
        spans.append((index, len(joined), len(joined) + len(words)))
        joined += words
    at = joined.lower().find(quote.lower())
    if at < 0:
        return set()
    stop = at + len(quote)
    return {line for line, lo, hi in spans if lo < stop and at < hi}
