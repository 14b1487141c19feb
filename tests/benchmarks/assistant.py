"""The assistant's figures (target: DESIGN.md §17, ``ask`` ≤ 0.3 s before the request).

    python -m tests.benchmarks.assistant [--runs N]

For the long fixture (``../shared/data/fulltext/2406.99002v1``, ~740 KB of HTML) and a
950 KB page made by repeating its sections, each stored in a cache: the time from the
question to the prompt ready to send — the stored document read and decompressed, its
blocks labelled, the FTS5 index built and asked, the passages chosen within
``context_tokens`` and written out — and the prompt's size. The baseline, measured in
the same run, is reading the stored document alone (what opening the paper costs).
Without ``../shared`` the synthetic test page is grown to both sizes.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from paperdeck.storage.assistant.service import prepare_question
from paperdeck.storage.cache.database import Cache
from paperdeck.storage.config import AssistantSettings
from paperdeck.storage.fulltext.convert import convert
from paperdeck.storage.fulltext.store import stored_document
from tests.benchmarks.fulltext import LONG, _store, grown
from tests.support.fulltext import LONG_ID, SYNTHETIC, fill

QUESTIONS = (
    "What does Figure 3 show about the memory budget?",
    "Which optimizer and learning rate schedule do they use for training?",
    "How does the retrieval latency scale with the context window?",
)
TARGET_S = 0.3


def sized(page: str, size: int) -> str:
    """``page`` with whole sections of its body repeated, before its appendix, until it
    holds about ``size`` bytes of UTF-8 (the sections keep their ids: the copies' blocks
    are labelled apart, ``S3.p1'``)."""
    size = int(size * len(page) / len(page.encode()))  # in characters
    start, end = page.find('<section id="S1"'), page.find('<section id="A1"')
    if start < 0 or end < 0:  # the synthetic test page
        start, end = page.find("<section"), page.find('<section id="bib"')
    body, extra = page[start:end], ""
    while len(page) + len(extra) < size:
        extra += body
    room = size - len(page)
    cuts = [m.start() for m in _SECTION.finditer(extra)] or [room]
    cut = min(cuts, key=lambda at: abs(at - room))  # the section boundary nearest the size
    return page[:end] + extra[:cut] + page[end:]


_SECTION = re.compile(r'<section id="S\d+"')


def measure(path: Path, runs: int, budget: int) -> dict:
    settings = AssistantSettings(provider="openai", model="m", context_tokens=budget)
    load, prepare, tokens, chars, passages = [], [], [], [], []
    with Cache(path) as cache:
        for _ in range(runs):
            started = time.perf_counter()
            stored_document(cache, LONG_ID)
            load.append(time.perf_counter() - started)
            for question in QUESTIONS:
                started = time.perf_counter()
                _, prompt = prepare_question(cache, LONG_ID, question, settings)
                prepare.append(time.perf_counter() - started)
                tokens.append(prompt.tokens)
                chars.append(sum(len(m["content"]) for m in prompt.messages))
                passages.append(len(prompt.passages))
    return {
        "load_s": statistics.median(load),
        "ask_s": statistics.median(prepare),
        "ask_max_s": max(prepare),
        "tokens": max(tokens),
        "chars": max(chars),
        "passages": statistics.median(passages),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each question")
    parser.add_argument("--context-tokens", type=int, default=8000)
    args = parser.parse_args()
    if LONG.exists():
        long_page, label = LONG.read_text(encoding="utf-8"), "long fixture"
    else:
        print("../shared is absent: the synthetic test page stands in", file=sys.stderr)
        long_page, label = grown(SYNTHETIC.read_text(encoding="utf-8"), 740_000), "synthetic"
    pages = [(label, long_page), ("grown to 950 KB", sized(long_page, 950_000))]
    print(
        f"{'page':<18} {'size':>7} {'baseline: load':>15} {'ask: prompt built':>18} "
        f"{'(max)':>8} {'prompt':>14} {'passages':>9}"
    )
    for number, (name, page) in enumerate(pages):
        body = page.encode()
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"ask-{number}.db"
            with Cache(path) as cache:
                fill(cache)
                _store(cache, body, convert(body, f"https://arxiv.org/html/{LONG_ID}v1").to_json())
            f = measure(path, args.runs, args.context_tokens)
        print(
            f"{name:<18} {len(body) / 1024:>4.0f} KB {f['load_s']:>13.3f} s {f['ask_s']:>16.3f} s "
            f"{f['ask_max_s']:>6.3f} s {f['tokens']:>5} tok {f['chars'] / 1024:>4.0f} KB "
            f"{f['passages']:>9.0f}"
        )
    print(
        f"target (DESIGN §17): retrieval and prompt ≤ {TARGET_S} s for the 950 KB paper; "
        f"prompt ≤ context_tokens = {args.context_tokens} (tokens estimated at 3 characters)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
