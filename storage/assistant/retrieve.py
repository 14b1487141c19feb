"""The passages that bear on a question, within a token budget.

The paper's passages go into an in-memory FTS5 index
(:mod:`paperdeck.storage.cache.passage_index`) with their section's title beside them;
the question's words, less common English ones, are OR-ed and ranked by bm25, and so are
its pairs of neighbouring words (in a paper whose every paragraph uses the same few
dozen words, their order is what tells one from another); the two scores add. What is
sent, in this order until the budget is spent: the abstract (what the paper is about),
the passages the question names by number ("Section 4.2", "Equation 5"; those its words
match first), the strong hits each with its neighbours (an answer often runs into the
next paragraph, and the one before says what "this" is), then the weaker hits. The
passages go out in reading order, under their section titles.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from itertools import pairwise

from paperdeck.storage.assistant.passages import Passage
from paperdeck.storage.cache import passage_index
from paperdeck.storage.fulltext import model

CHARS_PER_TOKEN = 3
"""A cautious estimate (English runs ~4 characters a token, math and other scripts
fewer): a prompt counted this way fits the model's context."""
ABSTRACT_SHARE = 0.25
"""At most this share of the budget goes to the abstract."""
PASSAGE_SHARE = 0.3
"""A passage longer than this share of the budget (a huge table) is cut to it."""
STRONG = 0.5
"""A hit scoring at least this fraction of the best one brings its neighbours."""
MAX_HITS = 80
NEIGHBOURS = 1

_WORD = re.compile(r"\w+", re.UNICODE)
_STOP = frozenset(
    """a about above after again all also an and any are as at be been being below between
    both but by can could did do does doing done each few for from further had has have
    having how i if in into is it its itself just me more most my no nor not now of off on
    once only or other our out over own paper same say says she should so some such than
    that the their them then there these they this those through to too under until up
    us very was we were what when where which while who whom why will with would you your
    authors author study work describe described explain tell show shown""".split()
)


def tokens(text: str) -> int:
    """An estimate of ``text``'s tokens (never low for English)."""
    return len(text) // CHARS_PER_TOKEN + 1


_NUMBERED = re.compile(
    r"\b(fig(?:ure)?|table|tab|section|sec|eq(?:uation)?|theorem|lemma|appendix|algorithm)"
    r"\.?\s*\(?([A-Z]?\d+(?:\.\d+)*|(?-i:[A-Z])\b(?:\.\d+)*)",
    re.IGNORECASE,
)
_FULL = {"fig": "figure", "tab": "table", "sec": "section", "eq": "equation"}


def query_terms(question: str) -> list[str]:
    """The question's words that say something, lower case, each once; "Figure 3" and
    the like as phrases (a lone number says nothing)."""
    phrases = [
        f"{_FULL.get(kind.lower(), kind.lower())} {number}"
        for kind, number in _NUMBERED.findall(question)
    ]
    words = (w.lower() for w in _WORD.findall(_NUMBERED.sub(" ", question)))
    kept = (w for w in words if len(w) > 1 and w not in _STOP and not w.isdigit())
    return list(dict.fromkeys([*phrases, *kept]))


_BREAK = re.compile(r"[.,;:!?()\[\]{}\"“”]")


def query_pairs(question: str) -> list[str]:
    """Neighbouring words of the question, one at least saying something ("learning
    rate", "their loss"), each pair once: a passage holding the words as the question
    wrote them ranks above one that has them apart."""
    pairs: list[str] = []
    for stretch in _BREAK.split(_NUMBERED.sub(".", question)):
        words = [w.lower() for w in _WORD.findall(stretch)]
        pairs += [f"{a} {b}" for a, b in pairwise(words) if a not in _STOP or b not in _STOP]
    return list(dict.fromkeys(pairs))


def rank(passages: list[Passage], question: str) -> list[tuple[int, float]]:
    """(position in ``passages``, score: higher is better) of the passages that match
    the question, best first: its words, and its pairs of words as written."""
    terms = query_terms(question)
    if not terms or not passages:
        return []
    matches = [_any(terms)]
    if pairs := query_pairs(question):
        matches.append(_any(pairs))
    rows = ((n, p.text, "" if p.is_heading else p.section) for n, p in enumerate(passages))
    return passage_index.rank(rows, matches, MAX_HITS)


def _any(phrases: list[str]) -> str:
    """An FTS5 query matching any of ``phrases``."""
    return " OR ".join('"' + phrase.replace('"', '""') + '"' for phrase in phrases)


def named(passages: list[Passage], question: str) -> list[int]:
    """Positions of the passages the question names by number, which its words may not
    find: "Section 4.2" and "Appendix A" (their passages, in order), "Equation 5" (and
    the passage after it, which says what it means)."""
    found: list[int] = []
    for kind, number in _NUMBERED.findall(question):
        kind = _FULL.get(kind.lower(), kind.lower())
        if kind in ("section", "appendix"):
            starts = tuple(f"{prefix}{number}{end}" for prefix in ("", "Appendix ") for end in " .")
            found += [n for n, p in enumerate(passages) if p.section.startswith(starts)]
        elif kind == "equation":
            for n, p in enumerate(passages):
                if p.kind == model.EQUATION and p.text.endswith(f"({number})"):
                    found += [m for m in (n, n + 1) if m < len(passages)]
    return [n for n in found if not passages[n].is_heading]


def select(passages: list[Passage], question: str, budget: int) -> list[Passage]:
    """The passages to send for ``question``, in reading order, together at most
    ``budget`` tokens (as :func:`render` writes them)."""
    hits = rank(passages, question)
    order = [n for n, p in enumerate(passages) if p.section == "Abstract" and not p.is_heading]
    abstract = set(order)
    ranked = {n: place for place, (n, _) in enumerate(hits)}
    order += sorted(named(passages, question), key=lambda n: ranked.get(n, len(hits)))
    best = hits[0][1] if hits else 0.0
    for n, score in hits:
        if passages[n].is_heading:  # a matching title: its first passage instead
            n = min(n + 1, len(passages) - 1)
        order.append(n)
        if score >= STRONG * best:
            order.extend(
                m
                for m in range(n - NEIGHBOURS, n + NEIGHBOURS + 1)
                if 0 <= m < len(passages) and not passages[m].is_heading
            )
    chosen: dict[int, Passage] = {}
    spent, abstract_spent = 0, 0
    cap = max(1, int(budget * PASSAGE_SHARE))
    sections: set[int] = set()
    for n in dict.fromkeys(order):
        passage = cut(passages[n], cap)
        cost = tokens(line(passage))
        if passage.heading not in sections:
            cost += tokens(heading_line(passage.section))
        if n in abstract:
            if abstract_spent + cost > budget * ABSTRACT_SHARE:
                continue
            abstract_spent += cost
        if spent + cost > budget:
            continue
        chosen[n] = passage
        sections.add(passage.heading)
        spent += cost
    return [chosen[n] for n in sorted(chosen)]


def cut(passage: Passage, cap: int) -> Passage:
    """``passage`` with its text cut to about ``cap`` tokens (marked with "…")."""
    limit = cap * CHARS_PER_TOKEN
    if len(passage.text) <= limit:
        return passage
    text = passage.text[:limit].rsplit(" ", 1)[0] + " …"
    return replace(passage, text=text)


def line(passage: Passage) -> str:
    return f"[{passage.label}] {passage.text}\n\n"


def heading_line(section: str) -> str:
    return f"## {section}\n\n" if section else ""


def render(passages: Iterable[Passage]) -> str:
    """The passages as the prompt shows them: under their section titles, each line
    starting with its label."""
    out: list[str] = []
    heading = None
    for passage in passages:
        if passage.heading != heading:
            heading = passage.heading
            out.append(heading_line(passage.section))
        out.append(line(passage))
    return "".join(out).rstrip("\n")
