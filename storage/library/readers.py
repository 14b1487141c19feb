"""Reading library files — BibTeX/BibLaTeX (``.bib``), RIS (``.ris``) and CSL-JSON
(``.json``) — as Zotero, Better BibTeX, papis, pubs, DBLP and arXiv itself write them,
into :class:`Entry` records: the key, the arXiv id where the entry names one, the tags
and what the file says about the paper.

BibTeX is read by bibtexparser 2 (a maintained parser that tells where a malformed entry
starts); LaTeX in the values is turned into text by pylatexenc, the decoder it uses.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field

from paperdeck.storage.ids import parse_id
from paperdeck.storage.parsers.tags import tag_from_keyword
from paperdeck.storage.parsers.text import clean_line

KINDS = ("bibtex", "ris", "csl-json")


@dataclass
class Entry:
    """One entry of a library file."""

    line: int
    """Where it starts (1-based)."""
    key: str = ""
    arxiv: tuple[str, int | None] | None = None
    """(id without version, version) when the entry names an arXiv paper."""
    title: str = ""
    authors: list[str] = field(default_factory=list)
    authors_complete: bool = True
    date: str = ""
    """``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY`` as the file gives it."""
    abstract: str = ""
    doi: str = ""
    """A DOI other than arXiv's own."""
    journal_ref: str = ""
    primary_category: str = ""
    tags: list[str] = field(default_factory=list)
    note: str = ""
    problem: str = ""
    """Why the entry cannot be imported (set for malformed entries)."""


@dataclass
class Parsed:
    kind: str
    entries: list[Entry] = field(default_factory=list)
    error: str = ""
    """Set when nothing at all could be read."""


# --- finding the arXiv id ---------------------------------------------------------------------

_ID = r"(\d{4}\.\d{4,5}|[a-z]+(?:-[a-z]+)?(?:\.[A-Z]{2})?/\d{7})(v\d+)?"
_ARXIV_TEXT = re.compile(rf"\barXiv\s*:\s*{_ID}", re.IGNORECASE)
_ARXIV_URL = re.compile(rf"arxiv\.org/(?:abs|pdf|html)/{_ID}", re.IGNORECASE)
_ARXIV_DOI = re.compile(rf"10\.48550/arXiv\.{_ID}", re.IGNORECASE)
_CORR = re.compile(rf"^abs/{_ID}$")
_ARXIV_NOTE = re.compile(rf"\s*{_ARXIV_TEXT.pattern}(?:\s*\[[\w.-]+\])?\s*", re.IGNORECASE)
"""A note that only names the paper: ``arXiv:ID`` (arXiv's own export), ``arXiv:ID [cs]``
(Zotero's): no note of the user's."""


def _id(match: re.Match | None) -> tuple[str, int | None] | None:
    if match is None:
        return None
    return parse_id(match.group(1) + (match.group(2) or ""))


def find_arxiv(fields: dict[str, str]) -> tuple[str, int | None] | None:
    """The arXiv paper an entry names, by its fields (lowercase names): ``eprint`` with
    ``archivePrefix``/``eprinttype`` arXiv (or none), an ``arxiv``/``arxivid`` field, a
    ``10.48550/arXiv.`` DOI, an arXiv URL, DBLP's ``volume = {abs/…}`` of CoRR, or
    ``arXiv:ID`` in a note, journal or other field."""
    prefix = (fields.get("archiveprefix") or fields.get("eprinttype") or "arxiv").lower()
    eprint = fields.get("eprint", "").strip()
    if eprint and prefix == "arxiv":
        found = parse_id(re.sub(r"^arxiv\s*:\s*", "", eprint, flags=re.IGNORECASE))
        if found:
            return found
    for name in ("arxiv", "arxivid", "arxiv_id", "eprintarxiv"):
        found = parse_id(fields.get(name, "").strip().removeprefix("arXiv:"))
        if found:
            return found
    found = _id(_ARXIV_DOI.search(fields.get("doi", "")))
    if found:
        return found
    if fields.get("journal", "").strip().lower() in ("corr", "arxiv"):
        found = _id(_CORR.match(fields.get("volume", "").strip()))
        if found:
            return found
    for name in ("url", "eprint", "howpublished", "note", "pdf", "link", "file", "ee"):
        found = _id(_ARXIV_URL.search(fields.get(name, "")))
        if found:
            return found
    for name in (
        "journal",
        "journaltitle",
        "note",
        "howpublished",
        "number",
        "publisher",
        "annote",
        "addendum",
        "booktitle",
        "volume",
        "series",
        "pages",
    ):
        found = _id(_ARXIV_TEXT.search(fields.get(name, "")))
        if found:
            return found
    return None


def _is_preprint_journal(text: str) -> bool:
    return bool(re.match(r"^\s*(arxiv|corr)\b", text, re.IGNORECASE))


_ARXIV_SUBJECT = re.compile(
    r"\s*(?:(?:Computer Science|Mathematics|Physics|Statistics|Quantitative Biology"
    r"|Quantitative Finance|Electrical Engineering and Systems Science|Economics"
    r"|Condensed Matter|Astrophysics|High Energy Physics|Nonlinear Sciences) - [A-Z][^,;]*"
    r"|Quantum Physics|Mathematical Physics|Nuclear Theory|Nuclear Experiment"
    r"|General Relativity and Quantum Cosmology)\s*"
)
"""The keywords Zotero makes of an arXiv paper's subjects (``Computer Science - Computation
and Language``), as it writes them: the user's own keywords are the tags."""


def _split_tags(*values: str) -> list[str]:
    tags: list[str] = []
    for value in values:
        if _ARXIV_SUBJECT.fullmatch(value):  # the only keyword (its spaces separate nothing)
            continue
        parts = re.split(r"[,;]", value) if re.search(r"[,;]", value) else value.split()
        for part in parts:
            if _ARXIV_SUBJECT.fullmatch(part):
                continue
            tag = tag_from_keyword(part)
            if tag and tag not in tags:
                tags.append(tag)
    return tags


def _one_line(text: str) -> str:
    return clean_line(" ".join(text.split()))


def _person(name: str) -> str:
    """``Last, First`` (or ``Last, Jr, First``) as ``First Last``."""
    name = _one_line(name)
    parts = [part.strip() for part in name.split(",")]
    if len(parts) == 2 and parts[1]:
        return f"{parts[1]} {parts[0]}"
    if len(parts) == 3 and parts[2]:
        return f"{parts[2]} {parts[0]}, {parts[1]}"
    return name


# --- BibTeX -----------------------------------------------------------------------------------


def _latex_text(value: str) -> str:
    from pylatexenc.latex2text import LatexNodes2Text

    value = value.replace(r"\textasciicircum{}", "^").replace(r"\^{}", "^")
    try:
        text = LatexNodes2Text(math_mode="verbatim", strict_latex_spaces=True).latex_to_text(value)
    except Exception:  # pylatexenc gives up on some malformed TeX: keep the text as written
        text = value.replace("{", "").replace("}", "")
    return text


def _bib_authors(value: str) -> tuple[list[str], bool]:
    names, complete = [], True
    depth, start, parts = 0, 0, []
    lowered = value
    i = 0
    while i < len(value):  # split on " and " outside braces
        char = value[i]
        if char == "{":
            depth += 1
        elif char == "}":
            depth = max(0, depth - 1)
        elif depth == 0 and lowered[i : i + 5].lower() == " and " and i >= start:
            parts.append(value[start:i])
            start = i + 5
            i += 5
            continue
        i += 1
    parts.append(value[start:])
    for part in parts:
        part = part.strip()
        if not part:
            continue
        if part.lower() == "others":
            complete = False
            continue
        name = _person(_latex_text(part))
        if name:
            names.append(name)
    return names, complete


_KEY_IN_RAW = re.compile(r"@\s*\w+\s*[{(]\s*([^,\s{}()]+)\s*,")


def read_bibtex(text: str) -> Parsed:
    import bibtexparser
    from bibtexparser import model

    logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)
    parsed = Parsed("bibtex")
    try:
        library = bibtexparser.parse_string(text)
    except Exception as exc:  # a bug or a limit of the parser: say so, do not crash
        parsed.error = f"cannot be read as BibTeX ({type(exc).__name__}: {exc})"
        return parsed
    for block in library.blocks:
        line = (getattr(block, "start_line", 0) or 0) + 1
        if isinstance(block, model.DuplicateBlockKeyBlock):
            entry = Entry(line, key=block.key)
            entry.problem = f"a second entry with the key {block.key!r}"
            parsed.entries.append(entry)
        elif isinstance(block, model.ParsingFailedBlock):
            raw = getattr(block, "raw", "") or ""
            found = _KEY_IN_RAW.search(raw)
            entry = Entry(line, key=found.group(1) if found else "")
            error = getattr(block, "error", None)
            reason = getattr(error, "abort_reason", "") or str(error or "") or "cannot be read"
            entry.problem = f"malformed entry: {_one_line(reason)[:200]}"
            parsed.entries.append(entry)
        elif isinstance(block, model.Entry):
            parsed.entries.append(_bib_entry(block, line))
    return parsed


def _bib_entry(block, line: int) -> Entry:
    fields = {f.key.lower(): str(f.value) for f in block.fields}
    entry = Entry(line, key=block.key, arxiv=find_arxiv(fields))
    text = {name: _one_line(_latex_text(value)) for name, value in fields.items()}
    entry.title = text.get("title", "")
    entry.authors, entry.authors_complete = _bib_authors(fields.get("author", ""))
    entry.date = _date(text.get("date", ""), text.get("year", ""), text.get("month", ""))
    entry.abstract = text.get("abstract", "")
    doi = text.get("doi", "")
    entry.doi = "" if _ARXIV_DOI.search(doi) else doi
    journal = text.get("journal", "") or text.get("journaltitle", "")
    entry.journal_ref = "" if _is_preprint_journal(journal) else journal
    entry.primary_category = text.get("primaryclass", "") or text.get("eprintclass", "")
    entry.tags = _split_tags(text.get("keywords", ""), text.get("tags", ""))
    entry.note = _latex_text(fields.get("note", "")).strip()
    if entry.arxiv and _ARXIV_NOTE.fullmatch(entry.note):
        entry.note = ""
    return entry


_MONTHS = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)}


def _date(date: str, year: str, month: str) -> str:
    found = re.match(r"(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?", date.strip())
    if found:
        y, m, d = found.groups()
        return "-".join([y] + [f"{int(x):02d}" for x in (m, d) if x])
    if re.fullmatch(r"\d{4}", year.strip()):
        m = month.strip().lower()[:3]
        number = _MONTHS.get(m) or (int(m) if m.isdigit() and 1 <= int(m) <= 12 else None)
        return f"{year.strip()}-{number:02d}" if number else year.strip()
    return ""


# --- RIS --------------------------------------------------------------------------------------

_RIS_LINE = re.compile(r"^([A-Z][A-Z0-9])  -(?: (.*))?$")


def read_ris(text: str) -> Parsed:
    parsed = Parsed("ris")
    record: dict[str, list[str]] | None = None
    start, last = 0, ""
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip("\r").lstrip("\ufeff")
        match = _RIS_LINE.match(line)
        if match is None:
            if not line.strip():
                continue
            if record is not None and last:  # a continuation of the field above
                record[last][-1] += " " + line.strip()
                continue
            entry = Entry(number)
            entry.problem = f"not a RIS line: {line.strip()[:60]!r}"
            parsed.entries.append(entry)
            continue
        tag, value = match.group(1), (match.group(2) or "").strip()
        if tag == "TY":
            if record is not None:
                entry = _ris_entry(record, start)
                entry.problem = entry.problem or "the record before has no ER line"
                parsed.entries.append(entry)
            record, start, last = {"TY": [value]}, number, "TY"
        elif record is None:
            entry = Entry(number)
            entry.problem = f"{tag} line outside a record (a record starts with TY)"
            parsed.entries.append(entry)
        elif tag == "ER":
            parsed.entries.append(_ris_entry(record, start))
            record, last = None, ""
        else:
            record.setdefault(tag, []).append(value)
            last = tag
    if record is not None:
        entry = _ris_entry(record, start)
        entry.problem = "the file ends inside this record (no ER line)"
        parsed.entries.append(entry)
    if not parsed.entries and text.strip():
        parsed.error = "no RIS records found (a record starts with a TY line)"
    return parsed


def _ris_entry(record: dict[str, list[str]], line: int) -> Entry:
    def one(*tags: str) -> str:
        return next((_one_line(v) for t in tags for v in record.get(t, ()) if v.strip()), "")

    fields = {
        "doi": one("DO"),
        "url": " ".join(record.get("UR", []) + record.get("L1", []) + record.get("L2", [])),
        "note": " ".join(record.get("N1", []) + record.get("AN", []) + record.get("M1", [])),
        "journal": one("JO", "JF", "T2"),
    }
    entry = Entry(line, key=one("ID"), arxiv=find_arxiv(fields))
    entry.title = one("TI", "T1")
    entry.authors = [_person(a) for a in record.get("AU", []) + record.get("A1", []) if a.strip()]
    date = one("DA", "Y1", "PY").replace("/", "-").strip("-")
    entry.date = _date(date, "", "")
    entry.abstract = one("AB", "N2")
    doi = fields["doi"]
    entry.doi = "" if _ARXIV_DOI.search(doi) else doi
    entry.journal_ref = "" if _is_preprint_journal(fields["journal"]) else fields["journal"]
    entry.primary_category = one("M3") if re.fullmatch(r"[a-z-]+(\.[A-Za-z-]+)?", one("M3")) else ""
    entry.tags = _split_tags(*(f"{kw};" for kw in record.get("KW", [])))
    notes = [n.strip() for n in record.get("N1", []) if n.strip()]
    entry.note = "\n".join(n for n in notes if not _ARXIV_NOTE.fullmatch(n))
    return entry


# --- CSL-JSON ---------------------------------------------------------------------------------


def read_csl(text: str) -> Parsed:
    parsed = Parsed("csl-json")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        parsed.error = f"line {exc.lineno}: not valid JSON ({exc.msg})"
        return parsed
    items = data if isinstance(data, list) else [data]
    lines = _item_lines(text)
    for index, item in enumerate(items):
        line = lines[index] if index < len(lines) else 1
        if not isinstance(item, dict):
            entry = Entry(line)
            entry.problem = f"item {index + 1} is not an object"
            parsed.entries.append(entry)
            continue
        parsed.entries.append(_csl_entry(item, line))
    return parsed


def _item_lines(text: str) -> list[int]:
    """The line where each top-level item of a JSON array starts."""
    lines, depth, number, in_string, escaped = [], 0, 1, False, False
    for char in text:
        if char == "\n":
            number += 1
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
            continue
        if char == '"':
            in_string = True
            if depth == 1:
                lines.append(number)
        elif char in "[{":
            if depth == 1:
                lines.append(number)
            depth += 1
        elif char in "]}":
            depth -= 1
        elif depth == 1 and not char.isspace() and char != "," and lines[-1:] != [number]:
            lines.append(number)
    return lines


def _text(value) -> str:
    if isinstance(value, str):
        return _one_line(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


def _csl_entry(item: dict, line: int) -> Entry:
    key = _text(item.get("citation-key")) or _text(item.get("id"))
    fields = {
        "doi": _text(item.get("DOI")),
        "url": _text(item.get("URL")),
        "note": " ".join(_text(item.get(k)) for k in ("note", "number", "archive_location")),
        "journal": _text(item.get("container-title")),
    }
    entry = Entry(line, key=key, arxiv=find_arxiv(fields))
    entry.title = _text(item.get("title"))
    authors = item.get("author") if isinstance(item.get("author"), list) else []
    for person in authors:
        if isinstance(person, dict):
            name = _text(person.get("literal")) or " ".join(
                part for part in (_text(person.get("given")), _text(person.get("family"))) if part
            )
            if name:
                entry.authors.append(name)
    issued = item.get("issued") if isinstance(item.get("issued"), dict) else {}
    parts = issued.get("date-parts") if isinstance(issued.get("date-parts"), list) else []
    if parts and isinstance(parts[0], list) and parts[0]:
        numbers = [int(p) for p in parts[0][:3] if isinstance(p, int | str) and str(p).isdigit()]
        if numbers:
            entry.date = "-".join([f"{numbers[0]:04d}", *(f"{n:02d}" for n in numbers[1:])])
    entry.abstract = _text(item.get("abstract"))
    doi = fields["doi"]
    entry.doi = "" if _ARXIV_DOI.search(doi) else doi
    journal = fields["journal"]
    entry.journal_ref = "" if _is_preprint_journal(journal) else journal
    keywords = item.get("keyword")
    if isinstance(keywords, list):
        keywords = ", ".join(k for k in keywords if isinstance(k, str))
    entry.tags = _split_tags(keywords if isinstance(keywords, str) else "")
    note = item.get("note") if isinstance(item.get("note"), str) else ""
    entry.note = "" if _ARXIV_NOTE.fullmatch(note) else note.strip()
    return entry


# --- choosing the reader ------------------------------------------------------------------------


def kind_of(path: str, head: str) -> str | None:
    """Which reader a file needs, by its extension, else by its first characters."""
    lowered = path.lower()
    if lowered.endswith((".bib", ".bibtex", ".biblatex")):
        return "bibtex"
    if lowered.endswith((".ris", ".txt")) and re.search(r"^TY  -", head, re.MULTILINE):
        return "ris"
    if lowered.endswith(".ris"):
        return "ris"
    if lowered.endswith((".json", ".csl", ".csljson")):
        return "csl-json"
    stripped = head.lstrip("\ufeff \t\r\n")
    if re.match(r"@\w+\s*[{(]", stripped):
        return "bibtex"
    if stripped.startswith("TY  -"):
        return "ris"
    return None  # a digest (Markdown), whatever its name


def read(kind: str, text: str) -> Parsed:
    return {"bibtex": read_bibtex, "ris": read_ris, "csl-json": read_csl}[kind](text)
