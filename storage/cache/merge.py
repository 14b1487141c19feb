"""How a newly seen record of a paper combines with the one already cached.

Rules: a newer version, or an equally new record from a more authoritative source
(arXiv API > feed > digest), wins every field it has; the other record fills the gaps.
A complete author list always beats a first-author-only one. ``published`` is the first
version's date: the arXiv API's word on it is final, otherwise the earliest date seen
wins. Code links accumulate. User state is not metadata and never passes through here.
"""

from __future__ import annotations

from dataclasses import replace

from paperdeck.storage.models import Paper

_RANK = {"digest": 1, "feed": 2, "arxiv": 3}


def _authority(paper: Paper) -> tuple[int, int]:
    return (paper.version or 0, _RANK.get(paper.source, 0))


def merge(old: Paper, new: Paper) -> Paper:
    """The cached record after seeing ``new``; equal to ``old`` when nothing is learnt."""
    strong, weak = (new, old) if _authority(new) >= _authority(old) else (old, new)

    def pick(name: str):
        return getattr(strong, name) or getattr(weak, name)

    # A full list beats a partial one; among equals the stronger record's list wins.
    ranked = sorted((strong, weak), key=lambda p: (p.authors_complete, p is strong), reverse=True)
    chosen = next((p for p in ranked if p.authors), strong)

    if new.source == "arxiv":
        published = new.published
    elif old.source == "arxiv":
        published = old.published
    else:  # digests may give a later version's date: the earliest is the first version's
        published = min(old.published, new.published)

    updated = max(filter(None, (old.updated, new.updated)), default=None)
    code_urls = list(dict.fromkeys([*old.code_urls, *new.code_urls]))
    source = max(old.source, new.source, key=lambda s: _RANK.get(s, 0))

    return replace(
        old,
        version=max(old.version or 0, new.version or 0) or None,
        title=pick("title"),
        authors=list(chosen.authors),
        authors_complete=chosen.authors_complete,
        abstract=pick("abstract"),
        published=published,
        updated=updated,
        comment=pick("comment"),
        journal_ref=pick("journal_ref"),
        doi=pick("doi"),
        primary_category=pick("primary_category"),
        categories=list(pick("categories")),
        license=pick("license"),
        code_urls=code_urls,
        summary=pick("summary"),
        source=source,
    )
