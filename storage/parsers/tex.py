"""TeX accents and special letters in names (``Barth\\'elemy``, ``Przemys{\\l}aw``) to Unicode.

arXiv's feeds give author names as their submitters typed them, TeX included.
"""

from __future__ import annotations

import re
import unicodedata

# Accent commands and the combining character each puts on the next letter.
_ACCENTS = {
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    '"': "\u0308",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
    "u": "\u0306",
    "v": "\u030c",
    "H": "\u030b",
    "c": "\u0327",
    "k": "\u0328",
    "r": "\u030a",
}
_LETTERS = {
    "l": "ł", "L": "Ł", "o": "ø", "O": "Ø", "ss": "ß", "ae": "æ", "AE": "Æ",
    "oe": "œ", "OE": "Œ", "aa": "å", "AA": "Å", "i": "ı", "j": "ȷ",
    "dh": "ð", "DH": "Ð", "th": "þ", "TH": "Þ", "dj": "đ", "DJ": "Đ", "ng": "ŋ", "NG": "Ŋ",
}  # fmt: skip
# \'e  \'{e}  \v{c}  \c c  \'\i  — symbol accents may touch the letter, letter accents need
# a brace or a space.
_BASE = r"\\[ij](?![A-Za-z])|[A-Za-z]"
_ACCENT = re.compile(
    rf"\\(?:([`'^\"~=.])|([uvHckr])(?=[\s{{]))\s*(?:\{{\s*({_BASE})\s*\}}|({_BASE}))"
)
_LETTER = re.compile(rf"\\({'|'.join(sorted(_LETTERS, key=len, reverse=True))})(?![A-Za-z])\s?")


def tex_to_unicode(text: str) -> str:
    """Replace TeX accent commands and special letters with Unicode; drop grouping braces."""
    if "\\" not in text:
        return text

    def accent(match: re.Match) -> str:
        mark = _ACCENTS[match.group(1) or match.group(2)]
        letter = match.group(3) or match.group(4)
        base = letter.removeprefix("\\")  # an accented dotless i or j is a plain i or j
        return unicodedata.normalize("NFC", base + mark)

    text = _ACCENT.sub(accent, text)
    text = _LETTER.sub(lambda m: _LETTERS[m.group(1)], text)
    return re.sub(r"\{([^{}\\]*)\}", r"\1", text)
