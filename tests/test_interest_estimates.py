"""The interest order's document frequencies on a cache whose papers grow in number
over the years (as arXiv's do): a common word's count, estimated beyond the cap, comes
out near the truth, and the budget of a pass stops growing with the cache."""

from __future__ import annotations

from paperdeck.storage.cache import interest as store
from paperdeck.storage.cache.database import Cache
from paperdeck.storage.models import Incoming, Paper
from paperdeck.storage.ranking import interest


def growing(old: int = 40, new: int = 400) -> list[Incoming]:
    """``old`` papers over 2000-2019, ``new`` in 2024; every third one says "alpha"."""
    papers = []
    for n in range(old + new):
        day = f"{2000 + n // 2:04d}-01-{1 + n % 2:02d}" if n < old else f"2024-06-{1 + n % 28:02d}"
        words = "alpha beta" if n % 3 == 0 else "beta gamma"
        papers.append(Paper(id=f"2406.{n:05d}", title=f"On {words} {n}", published=day,
                            abstract=f"We study {words}."))
    return [Incoming(p) for p in papers]


def test_a_common_word_is_counted_near_the_truth_beyond_the_cap(tmp_path, monkeypatch):
    with Cache(tmp_path / "c.db") as cache:
        cache.upsert(growing())
        papers = cache.count_papers()
        truth = sum(1 for n in range(papers) if n % 3 == 0)
        exact = store.doc_freqs(cache, ['"alpha"', '"beta"', '"nowhere"'], cap=10_000,
                                papers=papers)
        assert exact == {'"alpha"': truth, '"beta"': papers}
        found = store.doc_freqs(cache, ['"alpha"', '"beta"'], cap=30, papers=papers)
        assert abs(found['"alpha"'] - truth) <= 0.2 * truth  # the days' span said 30
        assert found['"beta"'] == papers
        monkeypatch.setattr(store, "SAMPLE", 60)  # the cap's matches reach past the sample
        sampled = store.doc_freqs(cache, ['"alpha"', '"beta"'], cap=30, papers=papers)
        assert abs(sampled['"alpha"'] - truth) <= 0.2 * truth
        assert sampled['"beta"'] == papers


def test_a_pass_adds_up_no_more_matches_on_millions_of_papers():
    cap = interest.BUDGET_PAPERS
    assert interest._budget(interest.BUDGET, 3_000_000) == interest._budget(interest.BUDGET, cap)
    assert interest._budget(interest.BUDGET, cap // 2) < interest._budget(interest.BUDGET, cap)
    assert interest._budget(interest.BUDGET, 10) == interest.MIN_BUDGET
