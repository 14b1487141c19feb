"""Text hygiene at ingest: strip control characters, reflow hard-wrapped paragraphs."""

from __future__ import annotations

import html
import re

# ANSI escape sequences (CSI, OSC, and two-character escapes), then any other control
# character: C0 except tab and newline, DEL, C1, the bidirectional overrides and isolates
# that can reorder what a terminal shows, a byte-order mark, and lone surrogates (a JSON
# answer can carry "\ud800"; no terminal can show one and SQLite cannot store one).
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI ... final byte
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC ... BEL or ST
    r"|\x1b[@-_]"  # other two-character escapes
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
)
_CONTROLS = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]"
)
_THINK = re.compile(r"<think>.*?(?:</think>|$)", re.DOTALL | re.IGNORECASE)
_PARAGRAPH_TAGS = re.compile(r"</?paragraph>|<lb\s*/?>|<br\s*/?>", re.IGNORECASE)

_CJK = re.compile(
    r"[\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3400-\u4dbf"
    r"\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]"
)


_ASCII_CONTROLS = bytes(c for c in range(32) if c not in (9, 10, 13)) + b"\x7f"


def _has_controls(text: str) -> bool:
    if text.isascii():  # the common case, checked in C without a regex scan
        raw = text.encode("ascii")
        return len(raw.translate(None, _ASCII_CONTROLS)) != len(raw)
    return _CONTROLS.search(text) is not None


def strip_controls(text: str) -> str:
    """Remove escape sequences and control characters; keep newlines, turn tabs to spaces."""
    if text.isprintable():  # a single clean line: nothing to do
        return text
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _has_controls(text):  # escape sequences start with a control character too
        text = _CONTROLS.sub("", _ESCAPES.sub("", text))
    return text.replace("\t", " ") if "\t" in text else text


def clean_line(text: str) -> str:
    """A single-line field (title, author, comment): controls stripped, spaces collapsed."""
    return " ".join(strip_controls(text).split())


_PARAGRAPH_BREAK = re.compile(r"\n[ \u00a0\u3000]*\n\s*|\n(?=  \S)")
_CJK_BREAK = re.compile(rf"(?<={_CJK.pattern})\n|\n(?={_CJK.pattern})")


def reflow(text: str) -> str:
    """Undo hard wrapping: paragraphs joined into single lines, separated by a blank line.

    A blank line, or a line indented by two or more spaces (arXiv's convention), starts a
    new paragraph. Lines join with a space (arXiv wraps at spaces, so a line ending in
    "-" is a real hyphen: "single- and multi-answer"), or with nothing next to CJK text.
    """
    text = strip_controls(text)
    if text.isascii():  # the common case: no paragraph break, one line (no regex scan)
        body = text.strip()
        if "\n\n" not in body and "\n " not in body:
            return " ".join(body.split())
    paragraphs = []
    for paragraph in _PARAGRAPH_BREAK.split(text):
        if "\n" in paragraph and not paragraph.isascii() and _CJK.search(paragraph):
            lines = "\n".join(line.strip() for line in paragraph.split("\n"))
            paragraph = _CJK_BREAK.sub("", lines)
        paragraph = " ".join(paragraph.split())  # str.split knows every Unicode space
        if paragraph:
            paragraphs.append(paragraph)
    return "\n\n".join(paragraphs)


def without_reasoning(text: str) -> str:
    """A model's answer without its reasoning (``<think>…</think>``) and its controls;
    its lines kept as they are (an answer's lists stay lists)."""
    return strip_controls(_THINK.sub("", text)).strip()


def clean_generated(text: str) -> str:
    """Machine-written text (a translation, a summary): HTML entities decoded, reasoning
    (``<think>``) removed, prompt artefacts (``<paragraph>``, ``<lb/>``) turned into paragraphs."""
    text = _THINK.sub("", html.unescape(text))
    text = _PARAGRAPH_TAGS.sub("\n\n", text)
    return reflow(text)
