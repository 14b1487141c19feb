"""What the reader keeps up to date in the background for triage: the papers each watch and
mute rule matches, and the interest order (when it is the order on show).

:func:`upkeep` runs in a worker thread. Two may be asked for at once (a sync ends while
the sort changes): they take turns, and the second finds the work done — each step is a
no-op when what is stored still fits the config, the papers and the user's signals.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from paperdeck.storage.cache import rules
from paperdeck.storage.cache.database import Cache
from paperdeck.storage.config import Config
from paperdeck.storage.ranking import interest

_TURNS = threading.Lock()


@dataclass(frozen=True, slots=True)
class Upkept:
    """What changed: ``rules`` (the watch and mute matches), ``ranked`` (the interest
    order, made again from ``positives`` papers)."""

    rules: bool = False
    ranked: bool = False
    positives: int = 0
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return self.rules or self.ranked


def upkeep(cache: Cache, config: Config, rank: bool) -> Upkept:
    """Make the rule matches (and, with ``rank``, the interest order) fit the cache."""
    with _TURNS:
        refreshed = rules.refresh_config(cache, config)
        outcome = interest.ensure(cache) if rank else None
    if outcome is None:
        return Upkept(rules=refreshed)
    return Upkept(refreshed, True, outcome.positives, outcome.seconds)
