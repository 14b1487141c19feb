"""What a hostile source sends, and the checks that none of its tricks survived.

``MARKUP`` must reach the screen literally. The escapes and control characters must
never reach the cache: a terminal would obey them (Textual passes them through).
"""

from __future__ import annotations

import unicodedata

MARKUP = (
    "[bold red]Red[/] [link=https://evil.example]link[/link] "
    "[@click=app.quit]quit[/] [on red]bg[/on red] [/] [b"
)
"""Rich/Textual markup: styles, a hyperlink, an action, a background, an unbalanced close."""

MARKUP_PARTS = (
    "[bold red]Red[/]",
    "[link=https://evil.example]link[/link]",
    "[@click=app.quit]quit[/]",
    "[on red]bg[/on red]",
    "[/] [b",
)

ESCAPES = (
    "\x1b[2J",  # CSI: clear the screen
    "\x1b[31m",  # CSI: red
    "\x1b]8;;https://evil.example\x1b\\",  # OSC 8: a hyperlink
    "\x1b]0;pwned\x07",  # OSC 0: the window title
    "\x9b31m",  # 8-bit CSI
    "\x00\x07\x08\x0b\x0c\r\x7f\x85",  # NUL, bell, backspace, VT, FF, CR, DEL, NEL
    "\u202e\u202d\u202c\u2066\u2067\u2068\u2069",  # bidi overrides and isolates
    "\ufeff",  # a byte-order mark in the middle of a field
)
"""Everything, for sources that carry any character (digests, JSON answers)."""

XML_ESCAPES = ("\x7f", "\x85", "\x9b31m", "\u202e", "\u2066", "\u2069", "\ufeff")
"""What XML 1.0 lets through (it forbids the C0 controls, ESC included)."""

_BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def hostile(text: str, escapes: tuple[str, ...] = ESCAPES) -> str:
    """``text`` with every escape and every piece of markup woven in:
    ``"Tokens ESC[2J [bold red]Red[/] ESC[31m [link=…]…"``."""
    parts = [f"{e} {MARKUP_PARTS[n % len(MARKUP_PARTS)]}" for n, e in enumerate(escapes)]
    return " ".join([text, *parts])


def leftovers(text: str, keep: str = "\n") -> list[str]:
    """Characters of ``text`` a terminal would obey or cannot show: controls (C0, DEL,
    C1) other than ``keep``, bidi overrides and isolates, byte-order marks, surrogates."""
    return [
        c
        for c in text
        if c not in keep
        and (unicodedata.category(c) in ("Cc", "Cs") or c in _BIDI or c == "\ufeff")
    ]


def assert_markup_literal(text: str) -> None:
    """Every piece of ``MARKUP`` shows as written (markup parsed would lose its tags)."""
    for part in MARKUP_PARTS:
        assert part in text, f"{part!r} not shown literally in {text[:300]!r}"
