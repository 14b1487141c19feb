"""arXiv's metadata snapshot (Kaggle's ``arxiv-metadata-oai-snapshot.json``): one JSON
object a line, ``id, submitter, authors, title, comments, journal-ref, doi, report-no,
categories, license, abstract, versions, update_date, authors_parsed``.

Titles and abstracts come hard-wrapped, names with TeX accents, version dates in RFC 2822
(``Mon, 2 Apr 2007 19:18:42 GMT``), v1 first; ``authors_parsed`` is missing on some old
records and any field but ``id`` may be null.
"""

from __future__ import annotations

import json
from datetime import date

from paperdeck.storage.ids import parse_id
from paperdeck.storage.models import Paper
from paperdeck.storage.parsers.codelinks import find_code_urls
from paperdeck.storage.parsers.tex import tex_to_unicode
from paperdeck.storage.parsers.text import clean_line, reflow

_KEYS = frozenset({"id", "authors", "title", "categories", "abstract", "versions"})
_MONTHS = {m: i for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), 1)}
_ID_START = b'{"id":"'


class BadRecord(ValueError):
    """A line that is not a readable snapshot record; the message says why."""


def looks_like_snapshot(first_line: bytes) -> bool:
    """Whether the first line of a file is a snapshot record (by its keys, not the file's name)."""
    try:
        record = json.loads(first_line)
    except ValueError:
        return False
    return isinstance(record, dict) and record.keys() >= _KEYS


def line_id(line: bytes) -> str | None:
    """The record's arXiv id read off the start of its line without parsing it (the file
    writes ``{"id":"…",`` first), or None when the line does not start so."""
    if not line.startswith(_ID_START):
        return None
    end = line.find(b'"', len(_ID_START))
    return line[len(_ID_START) : end].decode("ascii", "replace") if end > 0 else None


def parse_line(line: bytes) -> Paper:
    """The paper one line holds; :class:`BadRecord` when it holds none."""
    try:
        record = json.loads(line)
    except ValueError as exc:
        raise BadRecord(f"not a JSON object ({exc.args[0].split(':')[0]})") from None
    if not isinstance(record, dict):
        raise BadRecord("not a JSON object")
    return to_paper(record)


def to_paper(record: dict) -> Paper:
    """A paper from one decoded snapshot record."""
    parsed = parse_id(str(record.get("id") or ""))
    if parsed is None:
        raise BadRecord(f"no arXiv id (id {str(record.get('id'))[:40]!r})")
    paper_id = parsed[0]
    title = clean_line(_text(record, "title"))
    if not title:
        raise BadRecord(f"{paper_id}: no title")
    versions = record.get("versions") or []
    if not isinstance(versions, list):
        versions = []
    first = _version_date(versions[0]) if versions else None
    last = _version_date(versions[-1]) if versions else None
    published = first or _day(record.get("update_date"))
    if published is None:
        raise BadRecord(f"{paper_id}: no version date")
    categories = _text(record, "categories").split()
    abstract = reflow(_text(record, "abstract"))
    comment = _line(record, "comments")
    return Paper(
        id=paper_id,
        version=len(versions) or None,
        title=title,
        authors=_authors(record),
        abstract=abstract,
        published=published,
        updated=last or published,
        comment=comment,
        journal_ref=_line(record, "journal-ref"),
        doi=_line(record, "doi"),
        primary_category=categories[0] if categories else "",
        categories=list(dict.fromkeys(categories)),
        license=_line(record, "license"),
        code_urls=find_code_urls(comment, abstract),
        source="arxiv",
    )


def _text(record: dict, key: str) -> str:
    value = record.get(key)
    return value if isinstance(value, str) else ""


def _line(record: dict, key: str) -> str:
    """A one-line field, "" when null (most are)."""
    value = record.get(key)
    return clean_line(value) if value and isinstance(value, str) else ""


def _authors(record: dict) -> list[str]:
    """Names as ``First Last Suffix``, TeX accents resolved: from ``authors_parsed`` when
    the record has it, else split off the submitted string."""
    names = _parsed_names(record.get("authors_parsed"))
    if names is None:
        text = _text(record, "authors").replace("\n", " ")
        names = [n for part in text.split(", ") for n in part.split(" and ")]
    joined = "\n".join(names)
    if "\\" in joined or "{" in joined or not joined.replace("\n", " ").isprintable():
        names = [clean_line(tex_to_unicode(name)) for name in names]
    elif (
        "  " in joined
        or " \n" in joined
        or "\n " in joined
        or joined[:1] == " "
        or joined[-1:] == " "
    ):
        names = [" ".join(name.split()) for name in names]
    return [name for name in names if name]


def _parsed_names(parsed: object) -> list[str] | None:
    """``First Last Suffix`` from ``authors_parsed``'s ``[last, first, suffix]`` triples
    (None when the record has none, or they are not triples of text)."""
    if not isinstance(parsed, list) or not parsed:
        return None
    try:
        return [f"{p[1]} {p[0]} {p[2]}" if p[2] else f"{p[1]} {p[0]}" for p in parsed]
    except (TypeError, IndexError, KeyError):
        names = []
        for parts in parsed:
            if isinstance(parts, list) and parts:
                last, first, suffix = ([*map(str, parts), "", ""])[:3]
                names.append(" ".join(p for p in (first, last, suffix) if p))
        return names


def _version_date(version: object) -> str | None:
    """``YYYY-MM-DD`` of a version's RFC 2822 ``created`` (``Mon, 2 Apr 2007 19:18:42 GMT``)."""
    created = version.get("created") if isinstance(version, dict) else None
    parts = created.split() if isinstance(created, str) else []
    try:
        return date(int(parts[3]), _MONTHS[parts[2]], int(parts[1])).isoformat()
    except (IndexError, KeyError, ValueError):
        return None


def _day(text: object) -> str | None:
    try:
        return date.fromisoformat(text).isoformat() if isinstance(text, str) else None
    except ValueError:
        return None
