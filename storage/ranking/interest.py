"""The interest order: papers most like the ones the user starred, put on the later list,
tagged or noted, and least like the ones dismissed — learned from the full-text index,
offline, with no model.

How a paper's score is made (the README's "How the interest order works" says it too):

1. **Features.** The words of the positives' titles and abstracts (stop words dropped),
   grouped by their Porter stem as FTS5's ``porter`` tokenizer makes it (*recommender*,
   *recommendation*), and their authors' full names. A word counts once per paper.
2. **Profile.** Each feature's mass is its share of the positives that hold it (a long
   abstract counts for less: each paper weighs ``1 / tokens^0.35``), minus half its share
   of the dismissed papers, times its *idf* — ``ln((N + 1) / (df + 1)) + 1`` with the
   document frequency ``df`` read from the index (``fts5vocab``): words every paper uses
   weigh little, the words that set the positives apart weigh most.
3. **Matching.** The 60 heaviest features (and the 20 most negative) each become one
   full-text query; a paper's score is the sum of ``mass × idf`` over the features it
   matches, divided by its length in tokens to the power 0.35 (from the index's
   ``docsize``), so a long abstract does not win by size alone. SQLite adds the hits up.
4. **Feedback.** The 50 best papers of that first pass (not the positives) are added to
   the profile at half weight, and the papers are scored again: the words that go with
   the positives' words (*collaborative filtering* with *recommender*) join in.
5. **Order.** Scored papers by score, then the papers no feature matched newest first,
   then those that are more like the dismissed ones, stored with the reason (the
   features and the words that match them) so the reader can say why a paper ranks
   where it does.

On the real digests in ``../shared/data/digests`` this finds a topic's papers from ten
of them better than a TF-IDF centroid of their titles (``python -m
tests.benchmarks.interest`` prints the figures).
"""

from __future__ import annotations

import hashlib
import math
import re
import time
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from paperdeck.storage.cache import interest as store
from paperdeck.storage.cache.database import Cache

ALGORITHM = 1
"""Changes when the score does: an order stored by another version is made again."""
MAX_POSITIVES = 300
"""The most recent signals that make the profile (more would only slow it down)."""
TOP_FEATURES = 60
NEGATIVE_FEATURES = 20
FIRST_PASS_FEATURES = 30
"""The first pass only has to find the feedback papers: its heaviest features do."""
CANDIDATES = 120
"""Features whose document frequency is looked up, the heaviest first."""
FEEDBACK_PAPERS = 50
FEEDBACK_WEIGHT = 0.5
FEEDBACK_SHARE = 100
"""…and at most one paper in this many: in a small cache the best 50 would be all of it."""
NEGATIVE_WEIGHT = 0.5
LENGTH_POWER = 0.35
BUDGET = 1.0
"""Matches a pass may add up, as a multiple of the number of papers: a feature that
would pass it (a word half the papers use) is left out, it says little anyway."""
FIRST_PASS_BUDGET = 0.2
MIN_BUDGET = 50_000
"""…but never fewer matches than this (a small cache is quick whatever its features)…"""
BUDGET_PAPERS = 600_000
"""…and the budgets are shares of at most this many papers: a pass on all of arXiv adds
up as many matches as on 600,000 papers, so its first page comes as soon."""
COUNT_CAP = 3000
"""Papers a word's document frequency is counted up to; beyond, it is estimated (see
:func:`paperdeck.storage.cache.interest.doc_freqs`): counting a common word costs as
much as it is common, and an estimate a little off hardly moves its weight."""
REASONS = 6
"""Features named in a paper's reason."""

STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each few
    for from further had has have having he her here hers herself him himself his how however
    i if in into is it its itself just me more most my myself no nor not now of off on once
    only or other our ours ourselves out over own same she should so some such than that the
    their theirs them themselves then there these they this those through thus to too under
    until up upon very via was we were what when where which while who whom why will with
    within without would you your yours yourself yourselves
    paper papers propose proposed proposes present presents presented show shows shown
    novel new results result based using use used uses existing approach approaches towards
    toward find finds found limited enhance enhances enhanced enhancing include includes
    including mainly significant significantly various different however moreover furthermore
    therefore specifically particular particularly provide provides provided demonstrate
    demonstrates demonstrated achieve achieves achieved show showing well many much often
    first second one two three several recent recently current currently key main make makes
    made effective effectively efficient improve improves improved improving""".split()
)
_TOKEN = re.compile(r"[^\W_]+")


def tokens(text: str) -> list[str]:
    """The words of ``text`` as the full-text index splits them (``unicode61``, case
    folded, diacritics removed)."""
    folded = text.casefold()
    if not folded.isascii():
        folded = unicodedata.normalize("NFKD", folded)
        folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return _TOKEN.findall(folded)


def words(text: str) -> list[str]:
    """The words of ``text`` that can be features: no stop words, no bare numbers."""
    return _featured(tokens(text))


def _featured(found: list[str]) -> list[str]:
    return [w for w in found if w not in STOPWORDS and len(w) > 1 and not w.isdigit()]


def _author_match(name: str) -> str | None:
    parts = tokens(name)
    return f'authors : "{" ".join(parts)}"' if parts else None


@dataclass(slots=True)
class Feature:
    """A stem group of words, or an author."""

    key: str
    """``w:<stem>`` or ``a:<name tokens>``."""
    forms: Counter = field(default_factory=Counter)
    """The words (or the author's name as written) seen for it, with how often."""
    titles: int = 0
    """Positives that hold it in their title (title words are always candidates)."""
    mass: float = 0.0
    negative: float = 0.0
    papers: int = 0
    """Positives that hold it."""
    df: int = 0
    rank: float = 0.0
    """How much it sets the positives apart (mass × idf): the heaviest are chosen."""
    weight: float = 0.0
    """What a paper that matches it gains (mass × idf²; below zero: like the dismissed)."""

    @property
    def author(self) -> bool:
        return self.key.startswith("a:")

    @property
    def label(self) -> str:
        return self.forms.most_common(1)[0][0]

    def match(self) -> str | None:
        if self.author:
            return _author_match(self.label)
        return " OR ".join(f'"{word}"' for word in sorted(self.forms))


class _Profile:
    def __init__(self) -> None:
        self.features: dict[str, Feature] = {}
        self._stems: dict[str, str] = {}

    def stem_words(self, texts: Iterable[tuple[str, list[str], str]]) -> None:
        new = {w for title, _, abstract in texts for w in words(f"{title} {abstract}")}
        new -= self._stems.keys()
        if new:
            self._stems.update(store.stems(new))

    def add(self, doc: tuple[str, list[str], str], scale: float, *, negative: bool = False):
        title, authors, abstract = doc
        in_title, in_abstract = tokens(title), tokens(abstract)
        names = [(name, tokens(name)) for name in authors]
        length = len(in_title) + len(in_abstract) + sum(len(parts) for _, parts in names)
        share = scale * max(length, 1) ** -LENGTH_POWER
        seen: dict[str, str] = {}
        stems_in_title = {self._stems.get(w, w) for w in _featured(in_title)}
        for word in _featured(in_title + in_abstract):
            seen.setdefault(f"w:{self._stems.get(word, word)}", word)
        for name, parts in names:
            if parts:
                seen.setdefault("a:" + " ".join(parts), name.strip())
        for key, form in seen.items():
            feature = self.features.get(key)
            if feature is None:
                feature = self.features[key] = Feature(key)
            feature.forms[form] += 1
            if negative:
                feature.negative += share
            else:
                feature.mass += share
                feature.papers += 1
                feature.titles += key[2:] in stems_in_title


@dataclass(slots=True)
class Outcome:
    """What a computation did."""

    positives: int
    negatives: int
    papers: int
    scored: int = 0
    features: int = 0
    seconds: float = 0.0
    first_page_seconds: float = 0.0
    """Until the best papers were known (before the whole order was written)."""


def signature(
    cache: Cache,
    signals: store.Signals | None = None,
    census: tuple[int, int, int] | None = None,
) -> str:
    """What the order depends on: the signals, the papers (how many, the largest key)
    and this algorithm; a stored order with another signature is stale."""
    signals = signals or store.signals(cache)
    papers, _, top = census or store.census(cache)
    digest = hashlib.sha1()
    digest.update(f"{ALGORITHM}:{papers}:{top}:".encode())
    digest.update(",".join(map(str, sorted(signals.positives))).encode())
    digest.update(b"|")
    digest.update(",".join(map(str, sorted(signals.negatives))).encode())
    return digest.hexdigest()


def is_fresh(cache: Cache) -> bool:
    """True when the stored order (or the lack of one) still fits the cache."""
    stored = store.stored(cache)
    return stored is not None and stored.signature == signature(cache)


def ensure(cache: Cache) -> Outcome | None:
    """Compute the order when the stored one is stale; None when it was fresh."""
    return None if is_fresh(cache) else compute(cache)


def compute(cache: Cache) -> Outcome:
    """Score every paper and store the order (a second on 100,000 papers; see
    ``tests/benchmarks/interest.py``)."""
    started = time.perf_counter()
    signals = store.signals(cache)
    census = store.census(cache)
    papers = census[0]
    sig = signature(cache, signals, census)
    positives = list(signals.positives)[:MAX_POSITIVES]
    negatives = signals.negatives[:MAX_POSITIVES]
    outcome = Outcome(len(signals.positives), len(signals.negatives), papers)
    if not positives:
        store.store_order(cache, sig, papers, 0, len(negatives), {})
        outcome.seconds = time.perf_counter() - started
        return outcome
    chosen, outcome.scored = score_like(cache, positives, negatives, papers)
    outcome.features = len(chosen)
    outcome.first_page_seconds = time.perf_counter() - started
    store.store_order(
        cache, sig, papers, len(signals.positives), len(signals.negatives),
        _described(chosen, signals),
    )
    outcome.seconds = time.perf_counter() - started
    return outcome


def score_like(
    cache: Cache,
    positives: Sequence[int],
    negatives: Sequence[int],
    papers: int,
    feedback_papers: int = FEEDBACK_PAPERS,
    feedback_weight: float = FEEDBACK_WEIGHT,
    feedback_share: int = FEEDBACK_SHARE,
) -> tuple[list[Feature], int]:
    """Score every paper by how like ``positives`` (and unlike ``negatives``) it is, into
    ``temp.interest_scores`` (steps 1–4 above); returns the features chosen and how many
    papers were scored. The interest order and "more like this" both rank with it."""
    positives, negatives = list(positives), list(negatives)
    texts = store.texts(cache, positives + negatives)
    profile = _Profile()
    profile.stem_words(texts.values())
    for key in positives:
        if key in texts:
            profile.add(texts[key], 1 / len(positives))
    for key in negatives:
        if key in texts:
            profile.add(texts[key], NEGATIVE_WEIGHT / len(negatives), negative=True)
    _weigh(cache, profile, papers, len(positives))
    first = _select(profile, FIRST_PASS_FEATURES, 0, _budget(FIRST_PASS_BUDGET, papers))
    store.score(cache, [(f.match(), f.weight) for f in first], LENGTH_POWER)
    feedback = store.best(
        cache, min(feedback_papers, papers // feedback_share), skip=set(positives) | set(negatives)
    )
    if feedback:
        more = store.texts(cache, feedback)
        profile.stem_words(more.values())
        for key in feedback:
            profile.add(more[key], feedback_weight / len(feedback))
        _weigh(cache, profile, papers, len(positives))
    chosen = _select(profile, TOP_FEATURES, NEGATIVE_FEATURES, _budget(BUDGET, papers))
    return chosen, store.score(cache, [(f.match(), f.weight) for f in chosen], LENGTH_POWER)


def _budget(share: float, papers: int) -> float:
    return max(share * min(papers, BUDGET_PAPERS), MIN_BUDGET)


def _weigh(cache: Cache, profile: _Profile, papers: int, positives: int) -> None:
    """Look up the document frequency of the candidate features and weigh them all."""
    shared = 2 if positives >= 4 else 1
    candidates = [
        f
        for f in profile.features.values()
        if f.df == 0 and (f.papers >= shared or f.titles or f.negative > 0)
    ]
    candidates.sort(key=lambda f: max(f.mass, f.negative), reverse=True)
    candidates = candidates[:CANDIDATES]
    queries = {f'"{w}"' for f in candidates if not f.author for w in f.forms}
    queries |= {f.match() for f in candidates if f.author and f.match()}
    found = store.doc_freqs(cache, queries, cap=COUNT_CAP, papers=papers)
    for feature in candidates:
        if feature.author:
            feature.df = found.get(feature.match() or "", 0)
        else:
            feature.df = max((found.get(f'"{w}"', 0) for w in feature.forms), default=0)
        if feature.df == 0:  # the index does not know it: never a feature
            feature.df = -1
    for feature in profile.features.values():
        if feature.df > 0:
            idf = math.log((papers + 1) / (feature.df + 1)) + 1
            feature.rank = (feature.mass - feature.negative) * idf
            feature.weight = feature.rank * idf


def _select(
    profile: _Profile, count: int, negative: int, budget: float
) -> list[Feature]:
    """The heaviest features (and the most negative), as long as their matches fit
    the budget."""
    weighed = [f for f in profile.features.values() if f.df > 0 and f.weight != 0]
    chosen: list[Feature] = []
    for wanted, ordered in (
        (count, sorted((f for f in weighed if f.weight > 0), key=lambda f: -f.rank)),
        (negative, sorted((f for f in weighed if f.weight < 0), key=lambda f: f.rank)),
    ):
        used = taken = 0
        for feature in ordered:
            if taken >= wanted:
                break
            if used + feature.df > budget or feature.match() is None:
                continue
            chosen.append(feature)
            used += feature.df
            taken += 1
    return chosen


def _described(features: Sequence[Feature], signals: store.Signals) -> dict:
    return {
        "algorithm": ALGORITHM,
        "kinds": signals.kinds(),
        "negatives": len(signals.negatives),
        "features": [
            {
                "label": f.label,
                "words": sorted(f.forms) if not f.author else [],
                "author": f.label if f.author else None,
                "weight": round(f.weight, 6),
            }
            for f in features
        ],
    }


# --- why a paper ranks where it does -------------------------------------------------------


@dataclass(slots=True)
class Reason:
    """Why a paper stands where it does in the interest order."""

    rank: int | None
    total: int
    liked: list[str]
    """Features of the positives it matches, the heaviest first."""
    disliked: list[str]
    """Features of the dismissed papers it matches."""


def explain(cache: Cache, paper_id: str) -> Reason | None:
    """The paper's rank and the features it matches, from the stored order; None when
    no order is stored (no signal yet)."""
    stored = store.stored(cache)
    if stored is None or not stored.positives:
        return None
    paper = cache.paper(paper_id)
    if paper is None:
        return None
    ranked = store.rank_of(cache, paper_id)
    liked, disliked = matched(stored.profile, paper.title, paper.authors, paper.abstract)
    rank, total = ranked if ranked else (None, stored.papers)
    return Reason(rank, total, liked, disliked)


def matched(
    profile: dict, title: str, authors: Sequence[str], abstract: str
) -> tuple[list[str], list[str]]:
    """The labels of the profile's features that a paper matches: (liked, disliked)."""
    present = set(tokens(f"{title} {abstract}"))
    names = {" ".join(tokens(name)) for name in authors}
    hits: list[tuple[float, str]] = []
    for feature in profile.get("features", ()):
        author = feature.get("author")
        if author:
            hit = " ".join(tokens(author)) in names
        else:
            hit = any(word in present for word in feature.get("words", ()))
        if hit:
            hits.append((feature.get("weight", 0.0), feature.get("label", "")))
    hits.sort(key=lambda hit: -abs(hit[0]))
    liked = [label for weight, label in hits if weight > 0][:REASONS]
    disliked = [label for weight, label in hits if weight < 0][:REASONS]
    return liked, disliked

