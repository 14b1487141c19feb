"""Papers as JSON records, BibTeX and BibLaTeX entries, RIS records, CSL-JSON items
and Markdown lines.

Every format that names papers by key uses the pinned citation key, or the one a paper
would get (:mod:`paperdeck.storage.library.citekeys`): an export only reads, it pins none.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import TextIO

from paperdeck.storage.cache.database import Cache
from paperdeck.storage.cache.views import PaperList, View
from paperdeck.storage.library.citekeys import keys_for
from paperdeck.storage.models import PaperDetail

WINDOW = 500
FORMATS = ("bibtex", "biblatex", "ris", "csl-json", "markdown", "json")
KEYED = frozenset({"bibtex", "biblatex", "ris", "csl-json", "json"})
"""Formats that carry the citation key."""


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
        "tags": list(state.tags),
        "later": state.later,
        "note": state.note,
        "citekey": state.citekey,
    }


def arxiv_doi(paper_id: str) -> str:
    """The DOI arXiv gives every paper (``10.48550/arXiv.2406.02543``)."""
    return f"10.48550/arXiv.{paper_id}"


# --- BibTeX and BibLaTeX ---------------------------------------------------------------------

_MATH = re.compile(r"(?<!\\)\$")
_SPECIAL = re.compile(r"(?<!\\)([&%#_])")
_SYMBOLS = str.maketrans({"~": r"\textasciitilde{}", "^": r"\textasciicircum{}"})
_BRACES = {
    False: {"{": r"\textbraceleft{}", "}": r"\textbraceright{}"},
    True: {"{": r"\lbrace{}", "}": r"\rbrace{}"},
}
_STRAY = re.compile(r"\\(?![A-Za-z&%#_$'\"`^~.=\-{}])|\\(?=\\)")


def tex(text: str) -> str:
    """Text as a TeX-safe BibTeX value that every BibTeX reader splits alike: ``& % # _``
    escaped outside ``$math$`` (a lone ``$`` escaped too), ``~`` and ``^`` spelled out,
    escaped braces (``\\{``) written as commands and the others balanced (BibTeX counts
    every brace, escaped or not, other parsers skip escaped ones: neither may differ), a
    stray backslash spelled out. Accented letters stay as they are: BibTeX files are read
    as UTF-8 by biber, bibtexparser and pybtex."""
    if "\\" in text:
        text = _STRAY.sub(r"\\textbackslash{}", text)
    if "$" in text:
        dollars = len(_MATH.findall(text))
        parts = _MATH.split(text) if dollars % 2 == 0 else [text.replace("$", r"\$")]
    else:
        parts = [text]
    out = []
    for index, part in enumerate(parts):
        math = index % 2 == 1
        if "\\{" in part or "\\}" in part:
            braces = _BRACES[math]
            part = re.sub(r"\\([{}])", lambda m, braces=braces: braces[m.group(1)], part)
        if not math:
            part = _SPECIAL.sub(r"\\\1", part)
            part = part.translate(_SYMBOLS)
        out.append(part)
    return _balanced("$".join(out))


def _balanced(text: str) -> str:
    if "{" not in text and "}" not in text:
        return text
    opened = text.count("{")
    if opened == text.count("}") and _never_below_zero(text):
        return text
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


def _never_below_zero(text: str) -> bool:
    depth = 0
    for match in re.finditer(r"[{}]", text):
        depth += 1 if match.group() == "{" else -1
        if depth < 0:
            return False
    return True


def _name(author: str) -> str:
    name = tex(author)
    return f"{{{name}}}" if re.search(r"\band\b", name, re.IGNORECASE) else name


def _one_line(text: str) -> str:
    return " ".join(text.split())


def bibtex(detail: PaperDetail, key: str, dialect: str = "bibtex") -> str:
    """One ``@misc`` entry (``@online`` for BibLaTeX) with the arXiv fields."""
    paper, state = detail.paper, detail.state
    biblatex = dialect == "biblatex"
    fields = [
        ("title", "{" + tex(_one_line(paper.title)) + "}"),
        ("author", " and ".join(_name(a) for a in paper.authors) or "Unknown"),
        *([("date", paper.published)] if biblatex else [("year", paper.published[:4])]),
        ("eprint", paper.id),
        *(
            [("eprinttype", "arXiv"), ("eprintclass", paper.primary_category)]
            if biblatex
            else [("archivePrefix", "arXiv"), ("primaryClass", paper.primary_category)]
        ),
        ("doi", arxiv_doi(paper.id)),
        ("url", paper.abs_url),
        ("howpublished" if not biblatex else "addendum", tex(_one_line(paper.journal_ref))),
        ("keywords", ", ".join(state.tags)),
        ("note", tex(_one_line(state.note or ""))),
        ("abstract", tex(_one_line(paper.abstract))),
    ]
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields if value)
    kind = "online" if biblatex else "misc"
    return f"@{kind}{{{key},\n{body}\n}}\n"


# --- RIS --------------------------------------------------------------------------------------


def _ris_name(author: str) -> str:
    first, _, last = author.rpartition(" ")
    return f"{last}, {first}" if first else last


def ris(detail: PaperDetail, key: str) -> str:
    """One RIS record: ``TY  - UNPB`` (an unpublished work: a preprint), tags as ``KW``,
    the note as ``N1``."""
    paper, state = detail.paper, detail.state
    lines = [("TY", "UNPB"), ("ID", key), ("TI", _one_line(paper.title))]
    lines += [("AU", _ris_name(_one_line(a))) for a in paper.authors]
    lines += [
        ("PY", paper.published[:4]),
        ("DA", paper.published.replace("-", "/")),
        ("AB", _one_line(paper.abstract)),
        ("DO", arxiv_doi(paper.id)),
        ("UR", paper.abs_url),
        ("AN", f"arXiv:{paper.id}"),
        ("DB", "arXiv.org"),
        ("M3", paper.primary_category),
    ]
    lines += [("KW", tag) for tag in state.tags]
    lines += [("N1", _one_line(state.note or ""))]
    body = "".join(f"{tag}  - {value}\n" for tag, value in lines if value)
    return body + "ER  - \n"


# --- CSL-JSON ---------------------------------------------------------------------------------


def _csl_name(author: str) -> dict:
    given, _, family = _one_line(author).rpartition(" ")
    return {"family": family, "given": given} if given else {"literal": family}


def csl(detail: PaperDetail, key: str) -> dict:
    """One CSL-JSON item (valid against the CSL-JSON 1.0.2 schema), as Zotero writes a
    preprint: ``article`` from the publisher arXiv, numbered ``arXiv:ID``."""
    paper, state = detail.paper, detail.state
    year, month, day = (int(part) for part in paper.published.split("-"))
    item: dict = {
        "id": key,
        "citation-key": key,
        "type": "article",
        "title": paper.title,
        "author": [_csl_name(a) for a in paper.authors if a.strip()],
        "issued": {"date-parts": [[year, month, day]]},
        "publisher": "arXiv",
        "number": f"arXiv:{paper.id}",
        "DOI": arxiv_doi(paper.id),
        "URL": paper.abs_url,
    }
    if paper.abstract:
        item["abstract"] = paper.abstract
    if state.tags:
        item["keyword"] = ", ".join(state.tags)
    if state.note:
        item["note"] = state.note
    return item


# --- export -----------------------------------------------------------------------------------


def export(cache: Cache, view: View, fmt: str, out: TextIO) -> int:
    """Write every paper of ``view`` to ``out`` in format ``fmt`` (one of :data:`FORMATS`),
    a window at a time; returns how many."""
    count = 0
    unpinned: dict[str, str] = {}
    if fmt in ("json", "csl-json"):
        out.write("[")
    for details in _windows(cache, view):
        ids = [d.paper.id for d in details]
        keys = keys_for(cache, ids, unpinned) if fmt in KEYED else {}
        for detail in details:
            if fmt in KEYED:
                detail.state = _with_key(detail, keys.get(detail.paper.id))
            key = detail.state.citekey or detail.paper.id
            if fmt in ("json", "csl-json"):
                item = record(detail) if fmt == "json" else csl(detail, key)
                out.write(",\n" if count else "\n")
                out.write(json.dumps(item, ensure_ascii=False))
            elif fmt in ("bibtex", "biblatex"):
                out.write(("\n" if count else "") + bibtex(detail, key, fmt))
            elif fmt == "ris":
                out.write(("\n" if count else "") + ris(detail, key))
            else:
                out.write(markdown(detail))
            count += 1
    if fmt in ("json", "csl-json"):
        out.write("\n]\n" if count else "]\n")
    return count


def _windows(cache: Cache, view: View) -> Iterator[list[PaperDetail]]:
    window: list[PaperDetail] = []
    for detail in iter_details(cache, view):
        window.append(detail)
        if len(window) == WINDOW:
            yield window
            window = []
    if window:
        yield window


def _with_key(detail: PaperDetail, key: str | None):
    from dataclasses import replace

    return replace(detail.state, citekey=key) if key else detail.state


_MD_ACTIVE = re.compile(r"([\\\[\]<>`])")


def md_text(text: str) -> str:
    """Paper text as inert Markdown: a title or an author name of ``[x](javascript:…)``
    or ``<javascript:…>`` must not become a link wherever the export is rendered."""
    return _MD_ACTIVE.sub(r"\\\1", text)


def md_url(url: str) -> str:
    """A link target that ends where it should, however many parentheses it holds."""
    return url.replace("(", "%28").replace(")", "%29")


def markdown(detail: PaperDetail) -> str:
    paper = detail.paper
    title = md_text(paper.title)
    authors = md_text(paper.authors[0]) if paper.authors else "Unknown"
    if len(paper.authors) > 1 or not paper.authors_complete:
        authors += " et al."
    line = f"- [{title}]({paper.abs_url}) — {authors} ({paper.published})"
    if paper.code_urls:
        line += " · " + ", ".join(f"[code]({md_url(url)})" for url in paper.code_urls)
    if detail.state.starred:
        line += " ★"
    return line + "\n"
