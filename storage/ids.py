"""arXiv identifiers: parsing, normalising, and the integer key that orders the cache."""

from __future__ import annotations

import re
from datetime import date

NEW_STYLE = re.compile(r"(?P<id>\d{4}\.\d{4,5})(?:v(?P<v>\d+))?")
OLD_STYLE = re.compile(
    r"(?P<archive>[a-z]+(?:-[a-z]+)?)(?:\.[A-Z]{2})?/(?P<num>\d{7})(?:v(?P<v>\d+))?"
)
_URL = re.compile(
    r"(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/(?P<rest>[^\s?#)]+?)/?"
    r"(?:[?#]\S*)?"
)
_PREFIX = re.compile(r"^arxiv\s*:\s*", re.IGNORECASE)

# Archives of the old identifier scheme, in alphabetical order: their index orders
# old-style ids among themselves inside the integer key.
_ARCHIVES = [
    "acc-phys",
    "adap-org",
    "alg-geom",
    "ao-sci",
    "astro-ph",
    "atom-ph",
    "bayes-an",
    "chao-dyn",
    "chem-ph",
    "cmp-lg",
    "comp-gas",
    "cond-mat",
    "cs",
    "dg-ga",
    "funct-an",
    "gr-qc",
    "hep-ex",
    "hep-lat",
    "hep-ph",
    "hep-th",
    "math",
    "math-ph",
    "mtrl-th",
    "nlin",
    "nucl-ex",
    "nucl-th",
    "patt-sol",
    "physics",
    "plasm-ph",
    "q-alg",
    "q-bio",
    "q-fin",
    "quant-ph",
    "solv-int",
    "stat",
    "supr-con",
]

_ID_BITS = 40
_EPOCH = date(1900, 1, 1).toordinal()


def parse_id(text: str) -> tuple[str, int | None] | None:
    """The (id without version, version) in ``text`` — a bare id, ``arXiv:ID`` or an
    arXiv URL (abs, pdf or html page, with or without ``https://``, a query or a fragment).

    ``math.GT/0309136v2`` becomes ``("math/0309136", 2)``; anything else is None.
    """
    text = _PREFIX.sub("", text.strip(), count=1)
    url = _URL.fullmatch(text)
    if url:
        text = url.group("rest").removesuffix(".pdf")
    new = NEW_STYLE.fullmatch(text)
    if new:
        return new.group("id"), _version(new.group("v"))
    old = OLD_STYLE.fullmatch(text)
    if old:
        return f"{old.group('archive')}/{old.group('num')}", _version(old.group("v"))
    return None


def _version(text: str | None) -> int | None:
    return int(text) if text else None


def valid_date(text: str) -> str | None:
    """``text`` as ``YYYY-MM-DD`` when it is a real calendar date between 1900 and 2999."""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        return None
    if not 1900 <= day.year <= 2999:
        return None
    return day.isoformat()


def sort_key(paper_id: str, published: str) -> int:
    """An integer that orders papers by published date, then id, newest last.

    It is the rowid of the papers table (and of its full-text index), so "newest first"
    and "search, newest first" are plain descending rowid walks.
    """
    days = date.fromisoformat(published).toordinal() - _EPOCH
    return (days << _ID_BITS) | _id_rank(paper_id)


def first_key(day: str) -> int:
    """The smallest :func:`sort_key` of a paper published on ``day`` (``YYYY-MM-DD``)."""
    return (date.fromisoformat(day).toordinal() - _EPOCH) << _ID_BITS


def _id_rank(paper_id: str) -> int:
    """Order of ids as text (old-style after new-style), squeezed into 40 bits."""
    new = NEW_STYLE.fullmatch(paper_id)
    if new:
        yymm, number = new.group("id").split(".")
        return int(yymm) * 100_000 + int(number)
    archive, _, num = paper_id.partition("/")
    try:
        index = _ARCHIVES.index(archive)
    except ValueError:
        index = len(_ARCHIVES)
    return 10**9 + index * 10**7 + int(num or 0) % 10**7
