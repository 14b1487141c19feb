"""Tag names and the ``+a -b`` syntax that changes them (the CLI's ``tag`` and the
reader's ``#`` line share it).

A tag is a lowercase name of letters, digits and ``. _ - /``; ``/`` nests (``proj/rag``
is a child of ``proj``, and ``tag:proj`` finds both).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

_TAG = re.compile(r"[a-z0-9._-]+(?:/[a-z0-9._-]+)*")
MAX_TAG = 100


class TagError(ValueError):
    """A tag name or a ``+a -b`` line that cannot be used; the message names it."""


def check_tag(name: str) -> str:
    """``name`` as a tag (capitals lowered), or :class:`TagError` saying what is wrong."""
    tag = name.strip().lower()
    if not tag:
        raise TagError("a tag needs a name")
    if len(tag) > MAX_TAG:
        raise TagError(f"tag {tag[:20]!r}… is longer than {MAX_TAG} characters")
    if not _TAG.fullmatch(tag):
        raise TagError(
            f"{name!r} is not a tag name: use lowercase letters, digits and . _ - "
            "(and / to nest, as in proj/rag)"
        )
    return tag


def tag_from_keyword(keyword: str) -> str | None:
    """A tag made from a keyword of an imported file (``Machine Learning`` becomes
    ``machine-learning``, ``Zotero/Read`` ``zotero/read``); None when nothing is left."""
    plain = unicodedata.normalize("NFKD", keyword).encode("ascii", "ignore").decode()
    plain = re.sub(r"\s+", "-", plain.strip().lower())
    plain = re.sub(r"[^a-z0-9._/-]", "", plain)
    plain = re.sub(r"-{2,}", "-", plain)
    plain = re.sub(r"/+", "/", plain).strip("/")
    plain = "/".join(part for part in plain.split("/") if part)
    if not plain or not _TAG.fullmatch(plain):
        return None
    return plain[:MAX_TAG]


@dataclass
class TagChange:
    """What a ``+a -b`` line asks for."""

    add: list[str] = field(default_factory=list)
    remove: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.add or self.remove)

    def describe(self) -> str:
        return " ".join([*(f"+{t}" for t in self.add), *(f"-{t}" for t in self.remove)])


def parse_change(text: str | list[str]) -> TagChange:
    """``+a -b c`` (a bare name adds) as a :class:`TagChange`; :class:`TagError` names the
    first bad word. A tag both added and removed is an error."""
    words = text.split() if isinstance(text, str) else [w for part in text for w in part.split()]
    change = TagChange()
    for word in words:
        sign, name = (word[0], word[1:]) if word[:1] in "+-" else ("+", word)
        if not name:
            raise TagError(f"{word!r}: a tag name must follow {sign}")
        try:
            tag = check_tag(name)
        except TagError as exc:
            raise TagError(f"{word!r}: {exc}") from None
        target = change.add if sign == "+" else change.remove
        if tag not in target:
            target.append(tag)
    both = set(change.add) & set(change.remove)
    if both:
        raise TagError(f"{sorted(both)[0]!r} is both added and removed")
    if not change:
        raise TagError("no tags given (write +name to add, -name to remove)")
    return change
