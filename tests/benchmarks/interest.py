"""How good and how fast the interest order is (targets: DESIGN.md §10, §11).

    python -m tests.benchmarks.interest [--seeds 10] [--quality-only | --speed-only]
                                        [--sizes 100000,1000000] [--dir DIR]

**Quality**, over the real digests in ``../shared/data/digests`` (skipped, with a message,
when they are absent): nlp-arxiv-daily, whose topics are distinct, and cv-arxiv-daily,
whose topics overlap, each reported apart. For every topic with at least
``--min-topic`` papers and every seed: star 10 random papers of the topic (the ranking
never sees the topics), compute the order, and count how many of the first 20 of the
other papers belong to the topic (precision@20). Beside it, two baselines over the same
stars: date order (newest first), and a plain TF-IDF centroid of the starred titles
ranked by cosine similarity. These digests hold titles and first authors only, no
abstracts, so every method sees titles and authors.

**Speed**, on synthetic caches (``tests/support/synthetic.py``: Zipf-distributed words,
160-word abstracts; built once per size in ``--dir`` and reused): 20 starred papers, then
the time until the first page is known and until the whole order is stored, and again
after one more star (a recomputation).
"""

from __future__ import annotations

import argparse
import math
import random
import re
import statistics
import sys
import tempfile
import time
import zlib
from collections import Counter
from pathlib import Path

from paperdeck.storage.cache.database import Cache
from paperdeck.storage.library.importer import import_file
from paperdeck.storage.ranking import interest

ROOT = Path(__file__).resolve().parents[2]
DIGESTS = ROOT.parent / "shared" / "data" / "digests"
SETS = {
    "nlp-arxiv-daily (distinct topics)": "monologg__nlp-arxiv-daily__README__2024-01-08.md",
    "cv-arxiv-daily (overlapping topics)": "Vincentqyw__cv-arxiv-daily__README__2026-06-29.md",
}
STARS = 10
AT = 20


# --- quality -------------------------------------------------------------------------------


class Corpus:
    """A digest in a cache, with its topics kept apart from the ranking."""

    def __init__(self, cache: Cache):
        self.cache = cache
        self.rows = {
            key: (pid, title, authors)
            for key, pid, title, authors in cache.conn.execute(
                "SELECT key, id, title, authors FROM papers"
            )
        }
        self.topics: dict[str, set[int]] = {}
        for name, key in cache.conn.execute(
            "SELECT t.name, pt.paper_key FROM paper_topics pt JOIN topics t ON t.id = pt.topic_id"
        ):
            self.topics.setdefault(name, set()).add(key)
        self._centroid = _TfIdf({key: row[1] for key, row in self.rows.items()})

    def interest(self, starred: list[int]) -> list[int]:
        ids = [self.rows[key][0] for key in starred]
        for pid in ids:
            self.cache.set_starred(pid, True)
        try:
            interest.compute(self.cache)
            return [
                key
                for (key,) in self.cache.conn.execute(
                    "SELECT paper_key FROM interest_order ORDER BY pos DESC LIMIT ?",
                    (len(starred) + AT,),
                )
            ]
        finally:
            for pid in ids:
                self.cache.set_starred(pid, False)

    def date(self, starred: list[int]) -> list[int]:
        return sorted(self.rows, reverse=True)[: len(starred) + AT]

    def centroid(self, starred: list[int]) -> list[int]:
        return self._centroid.rank(starred)[: len(starred) + AT]


class _TfIdf:
    """The baseline: TF-IDF vectors of the titles (scikit-learn's defaults: words of two
    or more characters, smooth idf, l2 norm), ranked by cosine with the centroid."""

    def __init__(self, titles: dict[int, str]):
        counts = {key: Counter(re.findall(r"(?u)\b\w\w+\b", t.lower())) for key, t in titles.items()}
        df = Counter(term for c in counts.values() for term in c)
        n = len(titles)
        idf = {term: math.log((1 + n) / (1 + d)) + 1 for term, d in df.items()}
        self.vectors = {}
        for key, c in counts.items():
            v = {term: tf * idf[term] for term, tf in c.items()}
            norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
            self.vectors[key] = {term: x / norm for term, x in v.items()}

    def rank(self, starred: list[int]) -> list[int]:
        centroid: Counter = Counter()
        for key in starred:
            for term, x in self.vectors[key].items():
                centroid[term] += x / len(starred)
        score = {
            key: sum(x * centroid.get(term, 0.0) for term, x in v.items())
            for key, v in self.vectors.items()
        }
        return sorted(score, key=lambda key: (-score[key], -key))


def precision(ranked: list[int], starred: list[int], members: set[int]) -> float:
    top = [key for key in ranked if key not in set(starred)][:AT]
    return sum(key in members for key in top) / AT


def quality(seeds: int, min_topic: int) -> None:
    if not DIGESTS.is_dir():
        print(f"quality: skipped — {DIGESTS} is not here (the real digests are needed)")
        return
    for label, name in SETS.items():
        path = DIGESTS / name
        if not path.exists():
            print(f"quality: {label}: skipped — {path} is not here")
            continue
        with tempfile.TemporaryDirectory() as tmp, Cache(Path(tmp) / "q.db") as cache:
            report = import_file(cache, str(path))
            assert report.ok, report.error
            corpus = Corpus(cache)
            _report_quality(label, corpus, seeds, min_topic)


def _report_quality(label: str, corpus: Corpus, seeds: int, min_topic: int) -> None:
    methods = {"interest": corpus.interest, "date order": corpus.date, "centroid": corpus.centroid}
    per: dict[str, dict[str, float]] = {m: {} for m in methods}
    times: list[float] = []
    topics = {n: keys for n, keys in sorted(corpus.topics.items()) if len(keys) >= min_topic}
    for topic, members in topics.items():
        scores: dict[str, list[float]] = {m: [] for m in methods}
        for seed in range(seeds):
            rng = random.Random(zlib.crc32(f"{topic}:{seed}".encode()))
            starred = rng.sample(sorted(members), STARS)
            for method, rank in methods.items():
                started = time.perf_counter()
                ranked = rank(starred)
                if method == "interest":
                    times.append(time.perf_counter() - started)
                scores[method].append(precision(ranked, starred, members))
        for method in methods:
            per[method][topic] = statistics.mean(scores[method])
    print(f"\n{label}: {len(corpus.rows):,} papers, {len(topics)} topics with ≥ {min_topic} "
          f"papers, {seeds} seeds, {STARS} stars each; precision@{AT} of the other papers")
    width = max(len(t) for t in topics)
    print(f"  {'topic':<{width}}  papers  " + "  ".join(f"{m:>10}" for m in methods))
    for topic in topics:
        print(f"  {topic:<{width}}  {len(topics[topic]):>6}  "
              + "  ".join(f"{per[m][topic]:>10.3f}" for m in methods))
    for method in methods:
        worst = min(per[method], key=per[method].get)
        print(f"  {method:>10}: mean {statistics.mean(per[method].values()):.3f}, "
              f"worst {per[method][worst]:.3f} ({worst})")
    print(f"  interest order computed in {statistics.median(times) * 1000:.0f} ms (median)")


# --- speed ---------------------------------------------------------------------------------


def speed(sizes: list[int], folder: Path) -> None:
    from tests.benchmarks.reader import build

    folder.mkdir(parents=True, exist_ok=True)
    for size in sizes:
        path = folder / f"interest-{size}.db"
        build(path, size)
        with Cache(path) as cache:
            _clear_signals(cache)
            keys = [pid for (pid,) in cache.conn.execute(
                "SELECT id FROM papers WHERE key % 1009 = 7 LIMIT 400")]
            rng = random.Random(size)
            for pid in rng.sample(keys, 20):
                cache.set_starred(pid, True)
            first = interest.compute(cache)
            cache.set_starred(rng.choice(keys), True)
            again = interest.compute(cache)
            started = time.perf_counter()
            page = cache.conn.execute(
                "SELECT p.id, p.title FROM interest_order i CROSS JOIN papers p "
                "ON p.key = i.paper_key ORDER BY i.pos DESC LIMIT 100"
            ).fetchall()
            read = time.perf_counter() - started
        print(f"\n{size:,} papers: 20 stars, {first.features} features, "
              f"{first.scored:,} papers matched")
        for name, outcome in (("first computation", first), ("after one more star", again)):
            print(f"  {name}: first page known in {outcome.first_page_seconds:.2f} s, "
                  f"whole order stored in {outcome.seconds:.2f} s")
        print(f"  first page read from the stored order: {read * 1000:.1f} ms ({len(page)} rows)")


def _clear_signals(cache: Cache) -> None:
    """No star, later, note, tag or dismissal left from an earlier run (or another
    benchmark that used the same cache)."""
    with cache.transaction() as conn:
        conn.execute(
            "UPDATE user_state SET starred = 0, later = 0, dismissed = 0, note = NULL "
            "WHERE starred OR later OR dismissed OR note IS NOT NULL"
        )
        conn.execute("UPDATE paper_tags SET tagged = 0 WHERE tagged")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--min-topic", type=int, default=100)
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "paperdeck-bench")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--quality-only", action="store_true")
    group.add_argument("--speed-only", action="store_true")
    args = parser.parse_args(argv)
    if not args.speed_only:
        quality(args.seeds, args.min_topic)
    if not args.quality_only:
        speed([int(s) for s in args.sizes.split(",") if s], args.dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
