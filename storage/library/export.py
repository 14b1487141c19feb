"""Papers as JSON records, BibTeX entries and Markdown lines."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from paperdeck.storage.cache.database import Cache
from paperdeck.storage.cache.views import PaperList, View
from paperdeck.storage.models import PaperDetail

WINDOW = 500


def iter_details(cache: Cache, view: View, limit: int | None = None) -> Iterator[PaperDetail]:
    """Every paper of ``view`` in its order (up to ``limit``), a window at a time."""
    papers = PaperList(cache, view)
    total = len(papers) if limit is None else min(limit, len(papers))
    for start in range(0, total, WINDOW):
        for row in papers.window(start, min(WINDOW, total - start)):
            detail = cache.detail(row.id)
            if detail is not None:
                yield detail


def record(detail: PaperDetail) -> dict:
    """The JSON object of one paper (the keys of the CLI contract come first)."""
    paper, state = detail.paper, detail.state
    return {
        "id": paper.id,
        "version": paper.version,
        "title": paper.title,
        "authors": paper.authors,
        "published": paper.published,
        "code_urls": paper.code_urls,
        "starred": state.starred,
        "read": state.read,
        "translations": detail.translation_langs,
        "topics": detail.topics,
        "updated": paper.updated,
        "abstract": paper.abstract,
        "comment": paper.comment,
        "journal_ref": paper.journal_ref,
        "doi": paper.doi,
        "primary_category": paper.primary_category,
        "categories": paper.categories,
        "summary": paper.summary,
        "url": paper.abs_url,
        "pdf_url": paper.pdf_url,
        "starred_at": state.starred_at,
        "read_at": state.read_at,
    }


_BIB_SPECIAL = re.compile(r"([&%#])")


def _bib_text(text: str) -> str:
    """Escape BibTeX's specials outside math and keep braces balanced."""
    text = _BIB_SPECIAL.sub(r"\\\1", text)
    depth, out = 0, []
    for char in text:
        if char == "{":
            depth += 1
        elif char == "}":
            if depth == 0:
                continue
            depth -= 1
        out.append(char)
    return "".join(out) + "}" * depth


def _ascii_word(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]", "", plain).lower()


def bibtex_key(detail: PaperDetail, taken: set[str]) -> str:
    """``surname`` + year + first title word, as Google Scholar does; unique in ``taken``."""
    paper = detail.paper
    surname = _ascii_word(paper.authors[0].split()[-1]) if paper.authors else "anon"
    words = [w for w in (_ascii_word(w) for w in paper.title.split()) if len(w) > 3]
    base = f"{surname or 'anon'}{paper.published[:4]}{words[0] if words else ''}"
    key, n = base, 1
    while key in taken:
        n += 1
        key = f"{base}{chr(ord('a') + n - 2) if n <= 27 else n}"
    taken.add(key)
    return key


def bibtex(detail: PaperDetail, key: str) -> str:
    paper = detail.paper
    fields = [
        ("title", "{" + _bib_text(paper.title) + "}"),
        ("author", " and ".join(_bib_text(a) for a in paper.authors) or "Unknown"),
        ("year", paper.published[:4]),
        ("eprint", paper.id),
        ("archivePrefix", "arXiv"),
        ("primaryClass", paper.primary_category),
        ("doi", paper.doi),
        ("note", _bib_text(paper.journal_ref)),
        ("url", paper.abs_url),
    ]
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields if value)
    return f"@misc{{{key},\n{body}\n}}\n"


_MD_ACTIVE = re.compile(r"([\\\[\]<>`])")


def _md_text(text: str) -> str:
    """Paper text as inert Markdown: a title or an author name of ``[x](javascript:…)``
    or ``<javascript:…>`` must not become a link wherever the export is rendered."""
    return _MD_ACTIVE.sub(r"\\\1", text)


def _md_url(url: str) -> str:
    """A link target that ends where it should, however many parentheses it holds."""
    return url.replace("(", "%28").replace(")", "%29")


def markdown(detail: PaperDetail) -> str:
    paper = detail.paper
    title = _md_text(paper.title)
    authors = _md_text(paper.authors[0]) if paper.authors else "Unknown"
    if len(paper.authors) > 1 or not paper.authors_complete:
        authors += " et al."
    line = f"- [{title}]({paper.abs_url}) — {authors} ({paper.published})"
    if paper.code_urls:
        line += " · " + ", ".join(f"[code]({_md_url(url)})" for url in paper.code_urls)
    if detail.state.starred:
        line += " ★"
    return line + "\n"
