"""Requests and time of an arXiv topic sync, first and second, against a loopback server.

    python -m tests.benchmarks.sync_requests [--papers 250] [--page-size 100]

Serves a generated topic of ``--papers`` papers in the current API format from a real
HTTP server on 127.0.0.1, syncs it into a fresh cache file through ``run_sync`` (the
``arxiv`` package, the polite session, per-page transactions), then syncs again. The
polite delay is set to 0, so the times are the sync's own work; the line after each says
what arXiv's 3-second rule adds on top (one wait between consecutive requests). The lazy
imports of ``arxiv``, ``requests`` and ``httpx`` are timed apart (once per process).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from paperdeck.storage.cache.database import Cache
from paperdeck.storage.config import Topic
from paperdeck.storage.sources.runner import run_sync
from tests.support.arxiv_stub import ArxivStub, generated
from tests.support.loopback import LoopbackServer
from tests.support.sync_setup import config

ARXIV_DELAY_S = 3.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=250)
    parser.add_argument("--page-size", type=int, default=100)
    args = parser.parse_args()
    topic = Topic("Bench", "ti:bench", max_results=args.papers)
    started = time.perf_counter()
    import arxiv  # noqa: F401
    import httpx  # noqa: F401

    print(
        f"imports of arxiv, requests, httpx (once per process): {time.perf_counter() - started:.3f} s"
    )
    with (
        LoopbackServer({"/api/query": ArxivStub(generated(args.papers))}) as server,
        tempfile.TemporaryDirectory() as tmp,
        Cache(Path(tmp) / "bench.db") as cache,
    ):
        setup = config(server.url("/api/query"), topics=[topic], page_size=args.page_size)
        print(f"topic: {args.papers} papers, page_size {args.page_size}, delay excluded")
        for label in ("first sync", "second sync"):
            before = len(server.requests)
            started = time.perf_counter()
            summary = run_sync(setup, cache)
            elapsed = time.perf_counter() - started
            requests = len(server.requests) - before
            result = summary.results[0]
            assert summary.ok, summary.describe()
            print(
                f"{label}: {requests} requests, {result.new} new, {result.unchanged} unchanged, "
                f"{elapsed:.3f} s"
            )
            print(f"  + arXiv's 3 s rule: {max(0, requests - 1) * ARXIV_DELAY_S:.0f} s of waiting")


if __name__ == "__main__":
    main()
