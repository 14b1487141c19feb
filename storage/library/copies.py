"""What the copy keys (``y`` then ``l``, ``b`` or ``k``) put on the clipboard: a paper's
arXiv link, its BibTeX entry or its citation key. Copying an entry or a key pins the
paper's key (the user asked for it, as an export does)."""

from __future__ import annotations

from dataclasses import replace

from paperdeck.storage.cache.database import Cache
from paperdeck.storage.library.citekeys import pin_keys
from paperdeck.storage.library.export import bibtex

WHAT = {"link": "link", "bibtex": "BibTeX entry", "citekey": "citation key"}
"""The things a paper can be copied as, and how a note names them."""


class CopyError(Exception):
    """A paper cannot be copied as asked (one line, for the user)."""


def copy_text(cache: Cache, paper_id: str, what: str) -> str:
    """The text to copy of ``paper_id`` as ``what`` (a key of :data:`WHAT`)."""
    if what == "link":
        return f"https://arxiv.org/abs/{paper_id}"
    detail = cache.detail(paper_id)
    if detail is None:
        raise CopyError(f"{paper_id} is not in the cache: no {WHAT[what]} to copy")
    key = pin_keys(cache, [paper_id])[paper_id]
    if what == "citekey":
        return key
    return bibtex(replace(detail, state=replace(detail.state, citekey=key)), key)
