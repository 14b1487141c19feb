"""Compilation of the query language (:mod:`paperdeck.storage.parsers.query`: ``/`` in the
reader, ``paperdeck list --search``) to SQL over the cache's indexes.

Compilation picks the table that drives the walk so that the first page costs a few index
steps: a small set of the user's papers (a tag, the stars, the later list, the notes) when
the query names one, else the full-text index for words (and authors), else one arXiv
category's, a topic's, or all papers — each walked newest first by the key that orders
the cache. Dates are ranges of that key (it begins with the publication day).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date

from paperdeck.storage.cache.updates import UPDATED_SET
from paperdeck.storage.categories import sql_condition as category_condition
from paperdeck.storage.parsers.query import PREFIX_FROM, Query, Term

SMALL_SET = 5_000
"""A set of the user's papers (a tag, the stars…) up to this size drives the walk itself:
sorting it costs less than walking the whole cache for it."""
_DAY_SHIFT = 40  # paperdeck.storage.ids.sort_key: days since 1900 << 40 | id rank
_EPOCH = date(1900, 1, 1).toordinal()


def fts_term(term: Term) -> str | None:
    """The FTS5 expression of one word term (None when it holds nothing searchable)."""
    words = re.findall(r"\w+", term.value)
    if not words:
        return None
    if term.phrase:
        return '"' + " ".join(words) + '"'
    parts = [f'"{word}"' for word in words]
    if term.prefix and len(words[-1]) >= (PREFIX_FROM if term.typed else 2):
        parts[-1] += "*"
    return " AND ".join(parts) if len(parts) > 1 else parts[0]


def author_match(name: str) -> str | None:
    """The FTS5 expression for ``author:NAME``: its words, in order, among the authors
    (``Yang`` finds Li Yang and Yang Li; ``"Li Yang"`` the full name); None when the name
    holds nothing searchable."""
    words = re.findall(r"\w+", name)
    return f'authors : "{" ".join(words)}"' if words else None


def day_key(day: str) -> int:
    """The smallest cache key of a paper published on ``day``."""
    return (date.fromisoformat(day).toordinal() - _EPOCH) << _DAY_SHIFT


# --- compilation ------------------------------------------------------------------------------

STATE_JOIN = "LEFT JOIN user_state s ON s.paper_id = p.id"
_TAG_MATCH = "tagged AND (tag = ? OR (tag > ? AND tag < ?))"
"""A tag and its children: ``proj``, and ``proj/…`` (the names between ``proj/`` and
``proj0``, ``0`` being the character after ``/``)."""


def _tag_params(tag: str) -> list[str]:
    return [tag, tag + "/", tag + "0"]


_STATE_SETS = {
    ("is", "starred"): "SELECT paper_id FROM user_state WHERE starred",
    ("is", "later"): "SELECT paper_id FROM user_state WHERE later",
    ("is", "dismissed"): "SELECT paper_id FROM user_state WHERE dismissed",
    ("has", "note"): "SELECT paper_id FROM user_state WHERE note IS NOT NULL",
    ("is", "updated"): UPDATED_SET,
}
_STATE_CONDITIONS = {
    "starred": "coalesce(s.starred, 0) = 1",
    "unread": "coalesce(s.read, 0) = 0",
    "read": "coalesce(s.read, 0) = 1",
    "later": "coalesce(s.later, 0) = 1",
    "updated": f"p.id IN ({UPDATED_SET})",
    "dismissed": "coalesce(s.dismissed, 0) = 1",
}


@dataclass
class Plan:
    """The FROM and WHERE of a query, as :class:`paperdeck.storage.cache.views` runs them:
    ``source`` is walked in ``key`` order (descending: newest first)."""

    source: str
    key: str
    where: list[str] = field(default_factory=list)
    params: list = field(default_factory=list)
    words: bool = False
    """The query has words: results come newest first whatever the sort."""

    def add(self, condition: str, *params) -> None:
        self.where.append(condition)
        self.params.extend(params)


def compile_query(cache, query: Query, kept: frozenset[str] = frozenset()) -> Plan:
    """The :class:`Plan` of ``query`` over ``cache``. ``kept``: papers that stay whatever
    their user state (a paper starred or read while its view is shown stays in it)."""
    kept_json = json.dumps(sorted(kept)) if kept else None
    words = [fts for t in query.terms if t.kind == "word" and not t.negated if (fts := fts_term(t))]
    empty = any(t.kind == "word" and not t.negated and fts_term(t) is None for t in query.terms)
    names = [author_match(t.value) for t in query.terms if t.kind == "author" and not t.negated]
    empty = empty or None in names
    # Tags and notes are indexed with the papers' words (as marks): with them the index
    # finds the first page at once. A kept paper may have lost its tag: then only the
    # exact conditions below can keep it.
    marks = [] if kept else _marks(cache, query)
    marks += [name for name in names if name]  # authors are in the index too (kept or not)
    chosen = None if words or marks else _small_set(cache, query)
    if chosen is not None:
        term, subquery, params = chosen
        if kept_json:
            subquery = f"{subquery} UNION SELECT value FROM json_each(?)"
            params = [*params, kept_json]
        # The set's keys, in order: the rows are read only for the page asked for.
        plan = Plan(f"papers p {STATE_JOIN}", "p.key")
        plan.add(
            "p.key IN (SELECT p2.key FROM "
            f"({subquery}) d CROSS JOIN papers p2 ON p2.id = d.paper_id)",
            *params,
        )
    elif words or marks:
        plan = Plan(f"papers_fts f CROSS JOIN papers p ON p.key = f.rowid {STATE_JOIN}", "f.rowid")
        plan.add("papers_fts MATCH ?", " AND ".join(words + marks))
        term = None
    elif (cat := _first(query, "cat")) and "." in cat.value:  # one category: its rows, in order
        plan = Plan(
            f"paper_categories pc CROSS JOIN papers p ON p.key = pc.paper_key {STATE_JOIN}",
            "pc.paper_key",
        )
        plan.add("pc.category = ?", cat.value)
        term = cat
    elif topic := _first(query, "topic"):
        plan = Plan(
            f"paper_topics pt CROSS JOIN papers p ON p.key = pt.paper_key {STATE_JOIN}",
            "pt.paper_key",
        )
        plan.add("pt.topic_id = (SELECT id FROM topics WHERE name = ?)", topic.value)
        term = topic
    else:
        plan = Plan(f"papers p {STATE_JOIN}", "p.key")
        term = None
    plan.words = bool(words)
    if empty:
        plan.where.append("0")  # a word with nothing searchable in it matches nothing
    for t in query.terms:
        if t is term:
            continue
        _condition(cache, plan, t, kept_json)
    return plan


def _marks(cache, query: Query) -> list[str]:
    """The index's marks of the tags (each with its nested ones) and notes the query
    asks for (:func:`paperdeck.storage.cache.library.tag_mark`)."""
    from paperdeck.storage.cache.library import NOTE_MARK, tag_mark

    found = []
    for t in query.terms:
        if t.negated:
            continue
        if t.kind == "tag":
            mark = tag_mark(t.value)
            nested = cache.conn.execute(
                "SELECT 1 FROM paper_tags WHERE tagged AND tag > ? AND tag < ? LIMIT 1",
                _tag_params(t.value)[1:],
            ).fetchone()
            found.append(f'("{mark}" OR "{mark}0s"*)' if nested else f'"{mark}"')
        elif (t.kind, t.value) == ("has", "note"):
            found.append(f'"{NOTE_MARK}"')
    return found


def _first(query: Query, kind: str) -> Term | None:
    return next((t for t in query.terms if t.kind == kind and not t.negated), None)


def _small_set(cache, query: Query):
    """The smallest set of the user's papers the query requires, when it is small enough
    to drive the walk: (its term, its SELECT of paper ids, parameters) or None."""
    best = None
    for t in query.terms:
        if t.negated:
            continue
        if t.kind == "tag":
            sql = f"SELECT DISTINCT paper_id FROM paper_tags WHERE {_TAG_MATCH}"
            params = _tag_params(t.value)
        elif (t.kind, t.value) in _STATE_SETS:
            sql, params = _STATE_SETS[t.kind, t.value], []
        else:
            continue
        size = cache.conn.execute(
            f"SELECT count(*) FROM ({sql} LIMIT {SMALL_SET + 1})", params
        ).fetchone()[0]
        if size <= SMALL_SET and (best is None or size < best[0]):
            best = (size, t, sql, params)
    return None if best is None else best[1:]


def _kept(condition: str, kept_json: str | None, plan: Plan, *params) -> None:
    """A condition on user state, which a kept paper passes whatever its state."""
    if kept_json:
        plan.add(f"({condition} OR p.id IN (SELECT value FROM json_each(?)))", *params, kept_json)
    else:
        plan.add(condition, *params)


def _condition(cache, plan: Plan, t: Term, kept_json: str | None) -> None:
    no = "NOT " if t.negated else ""
    if t.kind == "word":
        if t.negated and (fts := fts_term(t)):
            plan.add("p.key NOT IN (SELECT rowid FROM papers_fts WHERE papers_fts MATCH ?)", fts)
    elif t.kind == "tag":
        _kept(
            f"{no}EXISTS (SELECT 1 FROM paper_tags WHERE paper_id = p.id AND {_TAG_MATCH})",
            kept_json,
            plan,
            *_tag_params(t.value),
        )
    elif t.kind == "is":
        _kept(f"{no}{_STATE_CONDITIONS[t.value]}", kept_json, plan)
    elif t.kind == "has":
        if t.value == "code":
            plan.add(f"p.has_code = {0 if t.negated else 1}")
        elif t.value == "note":
            _kept(f"s.note IS {'' if t.negated else 'NOT '}NULL", kept_json, plan)
        else:
            plan.add(f"{no}({fulltext_condition(cache)})")
    elif t.kind == "author":
        # (an author to find is part of the full-text MATCH that drives the walk)
        if t.negated and (match := author_match(t.value)):
            plan.add("p.key NOT IN (SELECT rowid FROM papers_fts WHERE papers_fts MATCH ?)", match)
    elif t.kind == "topic":
        plan.add(
            f"{no}EXISTS (SELECT 1 FROM paper_topics WHERE paper_key = p.key "
            "AND topic_id = (SELECT id FROM topics WHERE name = ?))",
            t.value,
        )
    elif t.kind == "cat":
        condition, params = category_condition(t.value, "category")
        plan.add(
            f"{no}EXISTS (SELECT 1 FROM paper_categories WHERE paper_key = p.key AND {condition})",
            *params,
        )
    elif t.kind in ("after", "before"):
        after = (t.kind == "after") != t.negated
        plan.add(f"{plan.key} {'>=' if after else '<'} ?", day_key(t.value))


def fulltext_condition(cache) -> str:
    """``has:fulltext``: the paper's full text is stored (storage/cache/fulltext.py)."""
    return "EXISTS (SELECT 1 FROM fulltext WHERE paper_id = p.id)"
