""""More like this" against a TF-IDF cosine of the same titles (DESIGN.md §15).

    python -m tests.benchmarks.like [--seeds 10] [--min-topic 100]

On the real nlp-arxiv-daily digest in ``../shared/data/digests`` (8,086 papers; titles
and first authors only, as the digest gives them; its topics are never shown to the
ranking): for every topic with at least ``--min-topic`` papers and every seed, one random
paper of the topic is the seed; both methods rank every other paper, and the figure is
how many of each method's first 20 belong to the seed's topic (precision@20), averaged.
``--like`` is :func:`paperdeck.storage.ranking.like.like`; the baseline is the cosine of
TF-IDF vectors of the titles (scikit-learn's defaults) with the seed's title.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import zlib
from pathlib import Path

from paperdeck.storage.cache.database import Cache
from paperdeck.storage.library.importer import import_file
from paperdeck.storage.ranking.like import like
from tests.benchmarks.interest import AT, DIGESTS, SETS, Corpus, precision

DIGEST = SETS["nlp-arxiv-daily (distinct topics)"]


def run(seeds: int, min_topic: int, path: Path = DIGESTS / DIGEST) -> dict[str, tuple[float, float]] | None:
    """Per topic: (mean precision@20 of --like, of the TF-IDF cosine); None without data."""
    if not path.exists():
        print(f"like: skipped — {path} is not here (the real digest is needed)")
        return None
    with tempfile.TemporaryDirectory() as tmp, Cache(Path(tmp) / "like.db") as cache:
        report = import_file(cache, str(path))
        assert report.ok, report.error
        corpus = Corpus(cache)
        topics = {n: k for n, k in sorted(corpus.topics.items()) if len(k) >= min_topic}
        per: dict[str, tuple[float, float]] = {}
        times: list[float] = []
        for topic, members in topics.items():
            ours, theirs = [], []
            for seed in range(seeds):
                rng = random.Random(zlib.crc32(f"like:{topic}:{seed}".encode()))
                key = rng.choice(sorted(members))
                started = time.perf_counter()
                found = like(cache, [corpus.rows[key][0]], AT)
                times.append(time.perf_counter() - started)
                keys = [k for k, row in corpus.rows.items() if row[0] in set(found)]
                order = {pid: n for n, pid in enumerate(found)}
                keys.sort(key=lambda k: order[corpus.rows[k][0]])
                ours.append(precision(keys, [key], members))
                theirs.append(precision(corpus.centroid([key]), [key], members))
            per[topic] = (statistics.mean(ours), statistics.mean(theirs))
        print(
            f"nlp-arxiv-daily: {len(corpus.rows):,} papers, {len(topics)} topics with "
            f"≥ {min_topic} papers, {seeds} seeds (one seed paper each); precision@{AT}"
        )
        width = max(len(t) for t in topics)
        print(f"  {'topic':<{width}}  papers      --like  TF-IDF cosine")
        for topic, (a, b) in per.items():
            print(f"  {topic:<{width}}  {len(topics[topic]):>6}  {a:>10.3f}  {b:>13.3f}")
        mean_ours = statistics.mean(a for a, _ in per.values())
        mean_theirs = statistics.mean(b for _, b in per.values())
        print(f"  mean: --like {mean_ours:.3f}, TF-IDF cosine {mean_theirs:.3f}")
        print(f"  --like took {statistics.median(times) * 1000:.0f} ms (median)")
        return per


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--min-topic", type=int, default=100)
    args = parser.parse_args(argv)
    run(args.seeds, args.min_topic)
    return 0


if __name__ == "__main__":
    sys.exit(main())
