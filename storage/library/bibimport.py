"""Import a library file — BibTeX/BibLaTeX, RIS or CSL-JSON — into the cache, in one
transaction: each entry that names an arXiv paper becomes a starred paper, its keywords
its tags and its key the paper's pinned citation key; the rest are reported with their
key and the reason. Importing the same file again changes nothing.

A paper the cache does not hold yet is stored with what the file says (its abstract is
filled in by the next sync, through the arXiv API); a paper it holds keeps its metadata.
Stars and tags are only ever added, and a pinned key is never replaced.
"""

from __future__ import annotations

import re
from pathlib import Path

from paperdeck.storage.cache import library as store
from paperdeck.storage.cache.database import Cache
from paperdeck.storage.ids import valid_date
from paperdeck.storage.library import citekeys
from paperdeck.storage.library.readers import Entry, kind_of, read
from paperdeck.storage.models import ImportReport, Incoming, Paper, Skipped
from paperdeck.storage.parsers.text import clean_line, strip_controls

LIBRARY_SUFFIXES = (".bib", ".bibtex", ".biblatex", ".ris", ".json", ".csl", ".csljson")
MAX_BYTES = 200 << 20
NO_ID = "no arXiv id (no eprint, arXiv URL, 10.48550/arXiv DOI or arXiv:ID in it)"


def library_kind(path: str) -> str | None:
    """The kind of library file at ``path`` (None for a digest or an unreadable file)."""
    try:
        with open(path, encoding="utf-8-sig", errors="replace") as handle:
            head = handle.read(4096)
    except OSError:
        return "bibtex" if path.lower().endswith(LIBRARY_SUFFIXES[:3]) else None
    return kind_of(path, head)


def first_published(paper_id: str, date: str) -> str:
    """The first version's date as well as the file tells: its own full date when it
    falls in the month the id was given, else the first day of that month."""
    new = re.fullmatch(r"(\d{2})(\d{2})\.\d{4,5}", paper_id)
    old = re.fullmatch(r"[a-z-]+/(\d{2})(\d{2})\d{3}", paper_id)
    found = new or old
    if found:
        yy, mm = int(found.group(1)), found.group(2)
        year = 2000 + yy if new or yy < 91 else 1900 + yy
        month = f"{year}-{mm}"
        if date.startswith(month) and valid_date(date):
            return date
        if valid_date(f"{month}-01"):
            return f"{month}-01"
    if valid_date(date):
        return date
    year = date[:4] if re.fullmatch(r"\d{4}", date[:4]) else "2000"
    return valid_date(f"{year}-01-01") or "2000-01-01"


def to_paper(entry: Entry) -> Paper:
    paper_id, version = entry.arxiv
    return Paper(
        id=paper_id,
        version=version,
        title=clean_line(entry.title) or f"arXiv:{paper_id}",
        published=first_published(paper_id, entry.date),
        authors=[clean_line(a) for a in entry.authors if clean_line(a)],
        authors_complete=entry.authors_complete,
        abstract=entry.abstract,
        doi=entry.doi,
        comment=_comment(entry),
        journal_ref=entry.journal_ref,
        primary_category=entry.primary_category,
        source="library",
    )


_COMMENT = re.compile(r"^\s*Comment:\s*", re.IGNORECASE)


def _comment(entry: Entry) -> str:
    """arXiv's comment, which Zotero writes as ``note = {Comment: …}``."""
    return clean_line(_COMMENT.sub("", entry.note)) if _COMMENT.match(entry.note) else ""


def _user_note(entry: Entry) -> str:
    return "" if _COMMENT.match(entry.note) else strip_controls(entry.note).strip()


def import_library(cache: Cache, path: str, source: str | None = None) -> ImportReport:
    """Import the library file at ``path`` (``source`` names it in messages)."""
    source = source or path
    report = ImportReport(source=source, unit="entries")
    try:
        raw = Path(path).read_bytes()[: MAX_BYTES + 1]
    except FileNotFoundError:
        report.error = f"{source}: no such file"
        return report
    except IsADirectoryError:
        report.error = f"{source}: is a directory, not a library file"
        return report
    except OSError as exc:
        report.error = f"{source}: cannot read ({exc.strerror or exc})"
        return report
    if len(raw) > MAX_BYTES:
        report.error = f"{source}: larger than {MAX_BYTES >> 20} MB; not a library file"
        return report
    text = raw.decode("utf-8-sig", errors="replace")
    kind = kind_of(path, text[:4096]) or "bibtex"
    parsed = read(kind, text)
    if parsed.error:
        report.error = f"{source}: {parsed.error}"
        return report
    wanted: dict[str, Entry] = {}
    for entry in parsed.entries:
        name = f"entry {entry.key!r}" if entry.key else "an entry"
        if entry.problem:
            report.skipped.append(Skipped(entry.line, f"{name}: {entry.problem}"))
        elif entry.arxiv is None:
            report.skipped.append(Skipped(entry.line, f"{name}: {NO_ID}"))
        elif entry.arxiv[0] in wanted:
            first = wanted[entry.arxiv[0]]
            first.tags += [tag for tag in entry.tags if tag not in first.tags]
            report.skipped.append(
                Skipped(entry.line, f"{name}: the same paper as entry {first.key!r} (merged)")
            )
        else:
            wanted[entry.arxiv[0]] = entry
    if not wanted:
        if parsed.entries:
            count = len(parsed.entries)
            report.error = f"{source}: none of the {count} entries names an arXiv paper"
        else:
            report.note = f"no entries in this {kind} file"
        return report
    with cache.transaction():
        _store(cache, wanted, report)
    return report


def _store(cache: Cache, wanted: dict[str, Entry], report: ImportReport) -> None:
    ids = list(wanted)
    known = {paper_id for paper_id in ids if cache.paper(paper_id) is not None}
    counts = cache.upsert(Incoming(to_paper(wanted[i])) for i in ids if i not in known)
    counts.unchanged += len(known)
    report.counts = counts
    starred = [i for i in ids if not cache.state(i).starred]
    for paper_id in starred:
        cache.set_starred(paper_id, True)
    tagged = noted = 0
    for paper_id, entry in wanted.items():
        if entry.tags:
            tagged += len(store.change_tags(cache, [paper_id], entry.tags, []))
        note = _user_note(entry)
        if note and store.library_fields(cache, paper_id)[1] is None:
            noted += store.set_note(cache, paper_id, note)
    pinned, notes = 0, []
    held = store.citekeys(cache, ids)
    for paper_id, entry in wanted.items():
        if not entry.key:
            continue
        try:
            key = citekeys.check_key(entry.key)
        except citekeys.CitekeyError as exc:
            notes.append(f"line {entry.line}: {exc}; a key was made instead")
            continue
        if paper_id in held:
            if held[paper_id].lower() != key.lower():
                notes.append(
                    f"line {entry.line}: {paper_id} keeps its citation key {held[paper_id]!r} "
                    f"(the file says {key!r}; a pinned key never changes)"
                )
            continue
        holder = store.key_holder(cache, key)
        if holder is not None:
            notes.append(f"line {entry.line}: citation key {key!r} already belongs to {holder}")
            continue
        store.pin_citekey(cache, paper_id, key)
        held[paper_id] = key
        pinned += 1
    pinned += len([i for i in ids if i not in held and i in citekeys.pin_keys(cache, [i])])
    store.index_pending(cache)
    said = [f"{len(starred)} starred", f"{tagged} tags added", f"{pinned} keys pinned"]
    said += [f"{noted} notes added"] if noted else []
    report.note = ", ".join(said)
    report.notes += notes
