"""The query language of ``/`` in the reader, ``paperdeck list --search`` and the
config's ``[[views]]``: text in, terms out (:mod:`paperdeck.storage.cache.query` compiles
the terms to SQL).

    attention tag:proj/rag -is:read author:"Ashish Vaswani" after:2017-01-01

Free words and ``"quoted phrases"`` are matched by the full-text index (title, authors,
abstract, and the paper's note and tags); the last word of the query also matches as a
prefix, so results follow typing. Filters: ``tag:NAME`` (a nested name also matches its
children), ``is:starred|unread|read|later|dismissed|updated``, ``has:code|note|fulltext``,
``author:NAME`` (a full name, a family name or any part of a name, as whole words),
``topic:NAME``, ``cat:cs.CL`` (any of a paper's arXiv categories; ``cat:cs`` the group,
``cat:hep-th`` the archive), ``after:YYYY-MM-DD`` (published on or after),
``before:YYYY-MM-DD`` (published before), either also a span back from today
(``after:7d``, ``2w``, ``1m``). A ``-`` in front of any term negates it. Terms combine
with AND. An unclosed quote runs to the end of the query (it is being typed).

:func:`check_query` checks the other query language, the full-text index's own (the
keywords of ``[[watch]]`` and ``[[mute]]`` rules).
"""

from __future__ import annotations

import difflib
import re
import sqlite3
from dataclasses import dataclass
from datetime import date

from paperdeck.storage.categories import UnknownCategory
from paperdeck.storage.categories import check as check_category
from paperdeck.storage.ids import valid_date
from paperdeck.storage.parsers.tags import TagError, check_tag

FILTERS = ("tag", "is", "has", "author", "topic", "after", "before", "cat")
IS_VALUES = ("starred", "unread", "read", "later", "dismissed", "updated")
HAS_VALUES = ("code", "note", "fulltext")
PREFIX_FROM = 3
"""The last word matches as a prefix from this many characters on (shorter ones, such as
"RL", match whole words: a one- or two-letter prefix matches nearly every paper)."""


class QueryError(ValueError):
    """A query that cannot be run; the message (one line) names the bad term."""


@dataclass(frozen=True, slots=True)
class Term:
    kind: str
    """"word" or one of :data:`FILTERS`."""
    value: str
    negated: bool = False
    phrase: bool = False
    """A word term written in quotes: matched as a phrase."""
    prefix: bool = False
    """Matched as a prefix: written ``word*``, or the query's last word."""
    typed: bool = False
    """The prefix is only the query's last word, still being typed (see :func:`parse`)."""


@dataclass(frozen=True, slots=True)
class Query:
    terms: tuple[Term, ...] = ()

    @property
    def words(self) -> list[Term]:
        return [t for t in self.terms if t.kind == "word" and not t.negated]

    def __bool__(self) -> bool:
        return bool(self.terms)

    def __add__(self, other: Query) -> Query:
        return Query(self.terms + other.terms)


_TOKEN = re.compile(r'(-?)(?:([A-Za-z]+):)?(?:"([^"]*)("?)|([^\s"]*))')


def parse(text: str, typing: bool = True) -> Query:
    """The terms of ``text``; :class:`QueryError` names the first bad one. ``typing``:
    the text is being typed, so its last word matches as a prefix too (a saved query's
    words match whole unless written ``word*``)."""
    terms: list[Term] = []
    at = 0
    while True:
        while at < len(text) and text[at].isspace():
            at += 1
        if at >= len(text):
            break
        match = _TOKEN.match(text, at)
        assert match is not None  # every alternative may match empty; a quote ends a run
        end = match.end()
        if end == at:  # a lone '"' inside a word: skip it as punctuation
            at += 1
            continue
        minus, key, quoted, closed, bare = match.groups()
        token = text[at:end]
        at = end
        # An unclosed quote runs to the end (the closing one is still being typed).
        value = quoted if quoted is not None else (bare or "")
        if key is None:
            if not value and minus:
                continue  # a lone "-"
            star = quoted is None and value.endswith("*") and len(value.rstrip("*")) > 1
            terms.append(
                Term(
                    "word",
                    value.rstrip("*") if star else value,
                    bool(minus),
                    phrase=quoted is not None,
                    prefix=star,
                )
            )
            continue
        terms.append(_filter(key.lower(), value, bool(minus), token))
    # The query's last word, written without quotes and not negated, matches as a prefix.
    if (
        typing
        and terms
        and terms[-1].kind == "word"
        and not terms[-1].phrase
        and not terms[-1].negated
    ):
        last = terms[-1]
        if not last.prefix and re.search(rf"\w{{{PREFIX_FROM},}}$", last.value):
            terms[-1] = Term("word", last.value, prefix=True, typed=True)
    return Query(tuple(terms))


def _filter(key: str, value: str, negated: bool, token: str) -> Term:
    if key not in FILTERS:
        close = difflib.get_close_matches(key, FILTERS, n=1)
        hint = f" (did you mean {close[0]}:?)" if close else ""
        known = " ".join(f"{name}:" for name in FILTERS)
        raise QueryError(
            f"{token}: unknown filter {key}:{hint}; filters are {known} "
            '(put words with a colon in quotes: "re:invent")'
        )
    value = value.strip()
    if not value:
        raise QueryError(f"{token}: {key}: needs a value")
    if key == "tag":
        try:
            value = check_tag(value)
        except TagError as exc:
            raise QueryError(f"{token}: {exc}") from None
    elif key == "is":
        value = value.lower()
        if value not in IS_VALUES:
            raise QueryError(f"{token}: is: takes {'|'.join(IS_VALUES)}")
    elif key == "has":
        value = value.lower()
        if value not in HAS_VALUES:
            raise QueryError(f"{token}: has: takes {'|'.join(HAS_VALUES)}")
    elif key == "cat":
        try:
            check_category(value)
        except UnknownCategory as exc:
            raise QueryError(f"{token}: {exc}") from None
    elif key in ("after", "before"):
        day = relative_day(value) or (
            valid_date(value) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) else None
        )
        if day is None:
            raise QueryError(
                f"{token}: {key}: takes a date written YYYY-MM-DD, or a span back from "
                "today: 7d, 2w, 1m, 1y"
            )
        value = day
    return Term(key, value, negated)


_SPAN = re.compile(r"(\d{1,4})([dwmy])")
_SPAN_DAYS = {"d": 1, "w": 7, "m": 30, "y": 365}


def relative_day(text: str, today: date | None = None) -> str | None:
    """The day ``7d``, ``2w``, ``1m`` (30 days) or ``1y`` (365 days) before ``today``, as
    ``YYYY-MM-DD``; None for anything else."""
    span = _SPAN.fullmatch(text.strip())
    if span is None:
        return None
    days = int(span.group(1)) * _SPAN_DAYS[span.group(2)]
    return date.fromordinal((today or date.today()).toordinal() - days).isoformat()


def check_query(text: str) -> str | None:
    """Why ``text`` is not a full-text query the index accepts, or None when it is."""
    scratch = sqlite3.connect(":memory:")
    try:
        scratch.execute(
            "CREATE VIRTUAL TABLE t USING fts5(title, authors, abstract, "
            "tokenize='unicode61 remove_diacritics 2')"
        )
        scratch.execute("SELECT rowid FROM t WHERE t MATCH ?", (text,)).fetchall()
    except sqlite3.Error as exc:
        return str(exc)
    finally:
        scratch.close()
    return None
