"""Watched words and names laid over a paper's text as styling spans.

The text stays plain ``rich.text.Text``: what a paper says is never read as markup
(``[bold]`` in a title shows as written); only the spans found here get a style.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rich.text import Text

WATCH_STYLE = "bold reverse"
"""How a watched word looks (the theme's colours, inverted: readable in every theme)."""

_WORD = re.compile(r"[^\W_]+")


def with_phrases(text: Text | str, phrases: Iterable[tuple[str, ...]], style: str = WATCH_STYLE):
    """``text`` with every run of words that spells one of ``phrases`` (each a tuple of
    case-folded words, as :func:`paperdeck.storage.cache.rules.hits_of` gives them) styled."""
    text = Text(text) if isinstance(text, str) else text.copy()
    phrases = [p for p in phrases if p]
    if not phrases:
        return text
    found = [(m.start(), m.end(), m.group().casefold()) for m in _WORD.finditer(text.plain)]
    folded = [word for _, _, word in found]
    for phrase in phrases:
        size = len(phrase)
        for at in range(len(found) - size + 1):
            if tuple(folded[at : at + size]) == phrase:
                text.stylize(style, found[at][0], found[at + size - 1][1])
    return text


def with_names(text: Text | str, names: Iterable[str], style: str = WATCH_STYLE) -> Text:
    """``text`` (a list of authors) with each of ``names`` styled where it appears whole."""
    text = Text(text) if isinstance(text, str) else text.copy()
    plain = text.plain.lower()
    same = len(plain) == len(text.plain)  # else offsets would not line up: match as written
    plain = plain if same else text.plain
    for name in names:
        wanted = name.lower() if same else name
        if not wanted:
            continue
        start = plain.find(wanted)
        while start >= 0:
            end = start + len(wanted)
            before = plain[start - 1] if start else ","
            after = plain[end] if end < len(plain) else ","
            if not (before.isalnum() or after.isalnum()):
                text.stylize(style, start, end)
            start = plain.find(wanted, end)
    return text
