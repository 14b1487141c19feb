"""The reader's benchmark gate (DESIGN.md §5), at a size that fits CI's time: with 100,000
papers, first paint and memory stay within 1.5× of the 100-paper figures, measured in the
same run. The 1,000,000-paper figures come from ``python -m tests.benchmarks.reader``."""

from __future__ import annotations

from pathlib import Path

import pytest

from paperdeck.storage.cache.database import Cache
from tests.benchmarks.reader import LIMIT, gate, measure
from tests.support.synthetic import papers


@pytest.mark.slow
def test_first_paint_and_memory_at_100k_stay_within_the_limit(large_cache_path, tmp_path: Path):
    small = tmp_path / "hundred.db"
    with Cache(small) as cache:
        cache.upsert(papers(100, abstract_words=12))
    base, top = measure([small, large_cache_path], runs=3)
    assert top["cursor_ok"]
    ratios = gate(base, top)
    assert all(ratio <= LIMIT for ratio in ratios.values()), (ratios, base, top)
