"""Texts through translators that limit the size of a request: cut at paragraph breaks
(else at sentence ends, else at spaces), translate the pieces, join them back."""

from __future__ import annotations

import re
from collections.abc import Iterator

from paperdeck.storage.translate.base import Provider
from paperdeck.storage.translate.errors import TooLong

MIN_LIMIT = 50
"""Below this many characters a request is not worth cutting further: the error stands."""

_CUTS = (
    (re.compile(r"\n\s*\n"), "\n\n"),  # paragraphs
    (re.compile(r"(?<=[.!?])\s+"), " "),  # sentences
    (re.compile(r"\s+"), " "),  # words
)
_CJK_END = re.compile(r"[\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]$")


def translate_texts(provider: Provider, texts: list[str], code: str) -> list[str]:
    """Translate ``texts`` in as few requests as the translator accepts, one at a time."""
    return _translate(provider, texts, code, provider.limit)


def _translate(provider: Provider, texts: list[str], code: str, limit: int | None) -> list[str]:
    if limit is None:
        try:
            return provider.translate(texts, code)
        except TooLong as exc:
            return _translate(provider, texts, code, _smaller(provider, exc, texts))
    translated: list[str] = []
    for batch in _batches(texts, limit):
        if len(batch[0]) > limit:  # one text too long on its own: cut it
            pieces = split_text(batch[0], limit)
            parts = _translate(provider, [piece for _, piece in pieces], code, limit)
            translated.append(join([sep for sep, _ in pieces], parts))
            continue
        try:
            translated.extend(provider.translate(batch, code))
        except TooLong as exc:
            translated.extend(_translate(provider, batch, code, _smaller(provider, exc, batch)))
    return translated


def _smaller(provider: Provider, exc: TooLong, texts: list[str]) -> int:
    """The next limit: the translator's own when it said one below this request's size,
    else half that size. Remembered for the provider's next requests."""
    size = sum(len(text) for text in texts)
    limit = exc.limit if exc.limit is not None and exc.limit < size else size // 2
    if limit < MIN_LIMIT:
        raise exc
    provider.limit = limit if provider.limit is None else min(provider.limit, limit)
    return limit


def _batches(texts: list[str], limit: int) -> Iterator[list[str]]:
    """Consecutive texts grouped up to ``limit`` characters; a longer text stands alone."""
    batch: list[str] = []
    size = 0
    for text in texts:
        if batch and size + len(text) > limit:
            yield batch
            batch, size = [], 0
        batch.append(text)
        size += len(text)
    if batch:
        yield batch


def split_text(text: str, limit: int) -> list[tuple[str, str]]:
    """``(separator, piece)`` pairs with pieces of at most ``limit`` characters, cut at
    paragraph breaks where possible, else at sentence ends, else at spaces, else anywhere;
    ``"".join(sep + piece)`` gives the text back (its breaks normalised)."""
    return _split(text.strip(), limit, 0)


def _split(text: str, limit: int, level: int) -> list[tuple[str, str]]:
    if len(text) <= limit:
        return [("", text)]
    if level == len(_CUTS):
        return [("", text[start : start + limit]) for start in range(0, len(text), limit)]
    pattern, sep = _CUTS[level]
    pieces: list[tuple[str, str]] = []
    for part in pattern.split(text):
        if not part.strip():
            continue
        first, *rest = _split(part.strip(), limit, level + 1)
        if pieces and len(pieces[-1][1]) + len(sep) + len(first[1]) <= limit:
            pieces[-1] = (pieces[-1][0], pieces[-1][1] + sep + first[1])
        else:
            pieces.append((sep if pieces else "", first[1]))
        pieces.extend(rest)
    return pieces


def join(separators: list[str], parts: list[str]) -> str:
    """Translated pieces joined by their separators; no space after CJK text."""
    out = ""
    for sep, part in zip(separators, parts, strict=True):
        if sep == " " and _CJK_END.search(out):
            sep = ""
        out += sep + part
    return out
