""""More like this": the papers most like a few given ones (``list --like ID``), or like a
tag's papers (``--like-tag NAME``), ranked the way the interest order ranks papers like
the starred ones (:func:`paperdeck.storage.ranking.interest.score_like`: the seeds' words
by Porter stem and their authors, weighed by idf from the full-text index, with one round
of feedback) — offline, no model. The result is kept as a ranked list
(:mod:`paperdeck.storage.cache.lists`) that a view walks."""

from __future__ import annotations

from collections.abc import Sequence

from paperdeck.storage.cache import interest as store
from paperdeck.storage.cache import lists
from paperdeck.storage.cache.database import Cache
from paperdeck.storage.ranking.interest import score_like

LIMIT = 200
"""Papers a "more like this" list holds."""
FEEDBACK_PAPERS = 80
FEEDBACK_WEIGHT = 3.0
"""One seed paper says little: the best papers of the first pass count for more than in
the interest order (measured on the nlp-arxiv-daily digest, ``tests/benchmarks/like.py``)."""


class NothingToCompare(ValueError):
    """No seed paper is in the cache (the message says which were asked for)."""


def like(cache: Cache, paper_ids: Sequence[str], limit: int = LIMIT) -> list[str]:
    """The ids of the ``limit`` papers most like ``paper_ids`` (those left out), best first."""
    keys = lists.keys_of(cache, paper_ids)
    if not keys:
        raise NothingToCompare(f"not in the cache: {', '.join(paper_ids)}")
    papers = store.census(cache)[0]
    score_like(
        cache, keys, [], papers, feedback_papers=FEEDBACK_PAPERS, feedback_weight=FEEDBACK_WEIGHT
    )
    best = store.best(cache, limit, skip=keys)
    return lists.ids_of(cache, best)


def list_name(paper_ids: Sequence[str] = (), tag: str | None = None) -> str:
    """The name of a "more like this" list (and the label of its view)."""
    parts = [f"tag {tag}"] if tag is not None else []
    return "Like: " + ", ".join([*paper_ids, *parts])


def keep_like(
    cache: Cache, paper_ids: Sequence[str] = (), tag: str | None = None, limit: int = LIMIT
) -> tuple[str, list[str]]:
    """Rank papers like ``paper_ids`` and those tagged ``tag``, keep them as a list;
    returns its name and the ids."""
    seeds = list(paper_ids)
    if tag is not None:
        tagged = lists.tagged(cache, tag)
        if not tagged:
            raise NothingToCompare(f"no paper is tagged {tag}")
        seeds += tagged[: store.CHUNK]
    name = list_name(paper_ids, tag)
    found = like(cache, seeds, limit)
    lists.store(cache, name, found)
    return name, found
