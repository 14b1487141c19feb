"""Watch and mute rules in the cache: the papers each rule matches, worked out in SQL once
and kept in ``rule_matches``, so that marking watched papers and hiding muted ones costs
the reader one index probe per row shown, whatever the size of the cache.

A rule matches a paper by any of its parts: an author's exact name (any position, case
folded: the ``authors`` index), a keyword query in the full-text syntax (the ``papers_fts``
index), a category (primary or cross-listed). :func:`refresh` makes the table again when
the rules or the papers changed (after a sync, an import, an edit of the config); the
table's signature says which rules and which papers it was made for.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from paperdeck.storage.cache.database import Cache, now

WATCH, MUTE = "watch", "mute"
_MARK_ON, _MARK_OFF = "\x02", "\x03"
"""Around the words a query matched in :func:`hits` (control characters never reach the
cache: they are stripped at ingest)."""
_WORD = re.compile(r"[^\W_]+")


class RuleLike(Protocol):
    name: str
    authors: list[str]
    keywords: list[str]
    categories: list[str]


def rule_name(rule: RuleLike, kind: str, index: int) -> str:
    """A rule's name, or ``mute 2`` for an unnamed one (only mute rules may lack one)."""
    return rule.name.strip() or f"{kind} {index + 1}"


def keyword_query(keywords: Sequence[str]) -> str | None:
    """One full-text query that matches what any of ``keywords`` matches."""
    parts = [k.strip() for k in keywords if k.strip()]
    return " OR ".join(f"({part})" for part in parts) if parts else None


def _signature(cache: Cache, rules: dict[str, Sequence[RuleLike]]) -> str:
    described = {
        kind: [
            [rule_name(r, kind, n), sorted(r.authors), list(r.keywords), sorted(r.categories)]
            for n, r in enumerate(found)
        ]
        for kind, found in rules.items()
    }
    count, top = cache.conn.execute(
        "SELECT count(*), (SELECT max(key) FROM papers) FROM papers"
    ).fetchone()
    text = json.dumps([described, count, top or 0], sort_keys=True)
    return hashlib.sha1(text.encode()).hexdigest()


def refresh(
    cache: Cache, watch: Sequence[RuleLike], mute: Sequence[RuleLike], force: bool = False
) -> bool:
    """Work out again which papers each rule matches, unless the table already fits
    these rules and these papers. True when the matches changed (the views then change):
    a rebuild that finds what was there, or no rules where none matched, writes nothing
    a reader would have to load again for."""
    before = _fingerprint(cache)
    if not watch and not mute and not before:
        return False
    signature = _signature(cache, {WATCH: watch, MUTE: mute})
    row = cache.conn.execute("SELECT signature FROM rule_state WHERE kind = 'all'").fetchone()
    if row is not None and row[0] == signature and not force:
        return False
    with cache.transaction() as conn:
        conn.execute("DELETE FROM rule_matches")
        for kind, rules in ((WATCH, watch), (MUTE, mute)):
            for index, rule in enumerate(rules):
                _materialise(cache, kind, rule_name(rule, kind, index), rule)
        conn.execute(
            "INSERT INTO rule_state(kind, signature, refreshed_at) VALUES ('all', ?, ?) "
            "ON CONFLICT(kind) DO UPDATE SET signature = excluded.signature, "
            "refreshed_at = excluded.refreshed_at",
            (signature, now()),
        )
    return _fingerprint(cache) != before


def _fingerprint(cache: Cache) -> list[tuple]:
    """The matches in brief: per rule, how many papers and the sum of their keys."""
    return cache.conn.execute(
        "SELECT kind, rule, count(*), total(paper_key) FROM rule_matches GROUP BY kind, rule"
    ).fetchall()


def _materialise(cache: Cache, kind: str, name: str, rule: RuleLike) -> None:
    insert = "INSERT OR IGNORE INTO rule_matches(kind, rule, paper_key) "
    query = keyword_query(rule.keywords)
    if query:
        cache.conn.execute(
            insert + "SELECT ?, ?, rowid FROM papers_fts WHERE papers_fts MATCH ?",
            (kind, name, query),
        )
    authors = [a.strip() for a in rule.authors if a.strip()]
    if authors:
        cache.conn.execute(
            insert + "SELECT DISTINCT ?, ?, paper_key FROM authors "
            f"WHERE name IN ({','.join('?' * len(authors))})",
            (kind, name, *authors),
        )
    categories = [c.strip() for c in rule.categories if c.strip()]
    if categories:
        marks = ",".join("?" * len(categories))
        cache.conn.execute(
            insert + f"""SELECT ?, ?, key FROM papers WHERE primary_category IN ({marks})
                OR (categories <> '[]' AND EXISTS (
                    SELECT 1 FROM json_each(categories) WHERE value IN ({marks})))""",
            (kind, name, *categories, *categories),
        )


def refresh_config(cache: Cache, config) -> bool:
    """:func:`refresh` with a :class:`~paperdeck.storage.config.Config`'s rules: its mute
    rules hide nothing while ``[ui] show_muted`` is on."""
    return refresh(cache, config.watch, [] if config.ui.show_muted else config.mute)


def has_muted(cache: Cache) -> bool:
    """True when a mute rule matches any paper (views then leave those out)."""
    return bool(
        cache.conn.execute(
            "SELECT EXISTS (SELECT 1 FROM rule_matches WHERE kind = 'mute')"
        ).fetchone()[0]
    )


def rules_of(cache: Cache, paper_id: str) -> dict[str, list[str]]:
    """The names of the rules that match a paper, by kind."""
    found: dict[str, list[str]] = {}
    for kind, rule in cache.conn.execute(
        """SELECT r.kind, r.rule FROM papers p JOIN rule_matches r ON r.paper_key = p.key
           WHERE p.id = ? ORDER BY r.kind, r.rule""",
        (paper_id,),
    ):
        found.setdefault(kind, []).append(rule)
    return found


@dataclass(slots=True)
class Hits:
    """What the watch rules matched in one paper, to show it: the rules, the phrases
    their keywords matched (each a tuple of words as the index folds them), the authors
    and categories."""

    rules: list[str] = field(default_factory=list)
    phrases: set[tuple[str, ...]] = field(default_factory=set)
    authors: set[str] = field(default_factory=set)
    categories: set[str] = field(default_factory=set)


def hits_of(cache: Cache, paper_id: str, watch: Sequence[RuleLike]) -> Hits:
    """The words, authors and categories of ``paper_id`` that the watch rules it
    matches found (the index marks the words: ``highlight()``)."""
    found = Hits()
    row = cache.conn.execute(
        "SELECT key, authors, primary_category, categories FROM papers WHERE id = ?",
        (paper_id,),
    ).fetchone()
    if row is None:
        return found
    key, authors, primary, categories = row
    matched = set(rules_of(cache, paper_id).get(WATCH, ()))
    names = {a.casefold(): a for a in (authors.split("\n") if authors else [])}
    cats = {primary, *json.loads(categories or "[]")} - {""}
    for index, rule in enumerate(watch):
        name = rule_name(rule, WATCH, index)
        if name not in matched:
            continue
        found.rules.append(name)
        found.authors |= {names[a.strip().casefold()] for a in rule.authors
                          if a.strip().casefold() in names}
        found.categories |= cats & {c.strip() for c in rule.categories}
        query = keyword_query(rule.keywords)
        if query:
            found.phrases |= _marked(cache, key, query)
    return found


def _marked(cache: Cache, key: int, query: str) -> set[tuple[str, ...]]:
    try:
        row = cache.conn.execute(
            "SELECT highlight(papers_fts, 0, ?, ?), highlight(papers_fts, 2, ?, ?) "
            "FROM papers_fts WHERE papers_fts MATCH ? AND rowid = ?",
            (_MARK_ON, _MARK_OFF, _MARK_ON, _MARK_OFF, query, key),
        ).fetchone()
    except sqlite3.Error:
        return set()
    phrases: set[tuple[str, ...]] = set()
    for text in row or ():
        for part in re.findall(f"{_MARK_ON}(.*?){_MARK_OFF}", text or "", flags=re.S):
            words = tuple(w.casefold() for w in _WORD.findall(part))
            if words:
                phrases.add(words)
    return phrases
