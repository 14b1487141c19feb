"""Synthetic papers and digests, for tests and benchmarks."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta

from paperdeck.storage.models import Incoming, Paper, Translation

WORDS = (
    "language model learning neural graph vision transformer diffusion robust efficient "
    "sparse attention benchmark reasoning agent retrieval alignment quantum stochastic "
    "optimal control policy gradient federated privacy causal inference generative "
    "adversarial contrastive representation embedding kernel bayesian uncertainty"
).split()
NAMES = (
    "Ada Lovelace,Alan Turing,Grace Hopper,Claude Shannon,Emmy Noether,John Tukey,"
    "Barbara Liskov,Donald Knuth,Frances Allen,Edsger Dijkstra,Katherine Johnson,Tony Hoare"
).split(",")


def vocabulary(size: int = 20_000, seed: int = 1) -> tuple[list[str], list[float]]:
    """Pseudo-words with Zipf weights: about as many distinct terms per abstract as real
    English text has, which is what a full-text index's cost depends on."""
    rng = random.Random(seed)
    words = list(WORDS)
    while len(words) < size:
        words.append("".join(rng.choice("etaoinshrdlucmfwypvbgkqjxz"[: rng.randint(8, 26)])
                             for _ in range(rng.randint(3, 11))))
    weights = [1.0 / (rank + 1) for rank in range(size)]
    return words, weights


def paper_id(n: int, day: date) -> str:
    """A new-style id in the month of ``day`` (unique for n < 100000 per month)."""
    return f"{day:%y%m}.{n % 100000:05d}"


def papers(
    count: int, seed: int = 7, start: date = date(2026, 11, 1), abstract_words: int = 160
) -> Iterator[Incoming]:
    """``count`` distinct papers, newest first, about 40 a day, with abstracts of
    ``abstract_words`` words (the default is about 1.3 KB, like real ones)."""
    rng = random.Random(seed)
    words, weights = vocabulary()
    for n in range(count):
        day = start - timedelta(days=n // 40)
        title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 12))).capitalize()
        authors = rng.sample(NAMES, rng.randint(1, 6))
        abstract = " ".join(rng.choices(words, weights, k=abstract_words)).capitalize() + "."
        code = [f"https://github.com/lab{n % 97}/repo{n}"] if n % 3 == 0 else []
        pid = paper_id(n, day)
        yield Incoming(
            Paper(
                id=pid, title=title, published=day.isoformat(), version=1, authors=authors,
                abstract=abstract, code_urls=code, source="digest",
            ),
            topics=(("LLM",) if n % 2 else ("Vision",)),
            translations=((Translation(pid, "zh", "摘要" * 50),) if n % 5 == 0 else ()),
        )


def digest_text(records: list[Incoming], topic: str = "LLM") -> str:
    """A digest in the seed's format (table, then an Abstracts section)."""
    lines = [f"### {topic}", "|Publish Date|Title|Authors|Homepage|Code|",
             "| :---: | :---: | :---: | :---: | :---: |"]
    for record in records:
        p = record.paper
        code = f"[link]({p.code_urls[0]})" if p.code_urls else "null"
        lines.append(
            f"|**{p.published}**|**{p.title}**|{p.authors[0]} et.al.|"
            f"[{p.id}v{p.version}](http://arxiv.org/abs/{p.id}v{p.version})|{code}|"
        )
    lines += ["", "#### Abstracts"]
    for record in records:
        p = record.paper
        lines += [f"##### **{p.title}**", f"{p.id}v{p.version} by {', '.join(p.authors)}", ""]
        lines += _wrap(p.abstract)
        lines.append("")
        if record.translations:
            lines += ["摘要：" + record.translations[0].abstract, ""]
    return "\n".join(lines) + "\n"


def _wrap(text: str, width: int = 80) -> list[str]:
    out, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return out + ([line] if line else [])
