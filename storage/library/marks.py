"""One paper's mark as the reader sets it — star, read, later, tags — with what goes with
it: a first star pins the paper's citation key."""

from __future__ import annotations

from paperdeck.storage.cache import library
from paperdeck.storage.cache.database import Cache
from paperdeck.storage.library.citekeys import pin_keys


def set_mark(cache: Cache, paper_id: str, field: str, value) -> None:
    """``field``: ``starred``, ``read`` or ``later`` (a bool), or ``tags`` (the paper's
    tags as they should be from now on)."""
    if field == "starred":
        cache.set_starred(paper_id, value)
        if value:
            pin_keys(cache, [paper_id])
    elif field == "read":
        cache.set_read(paper_id, value)
    elif field == "later":
        library.set_later(cache, [paper_id], value)
    elif field == "tags":
        now = set(library.tags_of(cache, [paper_id]).get(paper_id, ()))
        wanted = set(value)
        library.change_tags(cache, [paper_id], sorted(wanted - now), sorted(now - wanted))
    else:
        raise ValueError(f"no mark named {field!r}")
