"""Passages of a laid-out paper: the text of selected lines, and the lines a highlight
covers at the width the paper is laid out for now (a highlight is kept as its blocks and
its words, so it is found again at any width)."""

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
    """The lines ``highlight`` covers: those its words run over within its blocks, or —
    when the words are not found (a newer converter changed the text) — its blocks."""
    starts = layout.starts
    if not starts or highlight.block >= len(starts):
        return set()
    last = min(highlight.end_block, len(starts) - 1)
    begin = starts[highlight.block]
    end = starts[last + 1] if last + 1 < len(starts) else len(layout.lines)
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
    at = joined.lower().find(highlight.quote.lower()) if highlight.quote else -1
    if at < 0:
        return {line for line, _, _ in spans}
    stop = at + len(highlight.quote)
    return {line for line, lo, hi in spans if lo < stop and at < hi}
