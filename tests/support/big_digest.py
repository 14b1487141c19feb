"""Large digests written fast (plain rows and long abstracts), for crash and locking tests."""

from __future__ import annotations

from pathlib import Path


def write_digest(path: Path, first: int, count: int) -> list[str]:
    """A digest of ``count`` papers with long abstracts; returns their ids."""
    words = "language model graph vision transformer diffusion sparse attention".split()
    ids = [f"2501.{n:05d}" for n in range(first, first + count)]
    rows, blocks = [], []
    for n, pid in zip(range(first, first + count), ids, strict=True):
        rows.append(
            f"|**2025-01-{1 + n % 28:02d}**|**Paper {n} on {words[n % 8]}**|Ada Lovelace et.al.|"
            f"[{pid}v1](http://arxiv.org/abs/{pid}v1)|null|"
        )
        abstract = " ".join(f"{words[(n + i) % 8]}{i % 7}" for i in range(120))
        blocks += [
            f"##### **Paper {n}**",
            f"{pid}v1 by Ada Lovelace, Alan Turing",
            "",
            abstract,
            "",
        ]
    head = ["### Crash", "|Publish Date|Title|Authors|PDF|Code|", "|---|---|---|---|---|"]
    path.write_text("\n".join(head + rows + ["", "#### Abstracts"] + blocks) + "\n")
    return ids
