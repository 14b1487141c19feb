"""What the reader keeps up to date in the background for triage: the papers each watch and
mute rule matches, and the interest order (when it is the order on show).

:func:`upkeep` runs in a worker thread (:class:`Upkeeper` starts it for a screen). Two
may be asked for at once (a sync ends while the sort changes): they take turns, and the
second finds the work done — each step is a no-op when what is stored still fits the
config, the papers and the user's signals.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from textual.dom import DOMNode
from textual.message import Message

from paperdeck.storage.cache import rules
from paperdeck.storage.cache.database import Cache
from paperdeck.storage.config import Config
from paperdeck.storage.ranking import interest
from paperdeck.tui.workers import run_thread, worker_cache

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


class Upkeeper:
    """Runs :func:`upkeep` in a thread worker of ``host``, which gets :class:`Upkeeper.Done`
    when the matches or the order changed (or when it asked to be told)."""

    class Done(Message, bubble=False):
        def __init__(self, done: Upkept, announce: bool) -> None:
            super().__init__()
            self.done = done
            self.announce = announce

    def __init__(self, host: DOMNode, path: Path, config: Config) -> None:
        self.host = host
        self.path = path
        self.config = config

    def start(self, rank: bool, announce: bool = False) -> None:
        """Rule matches (and, with ``rank``, the interest order) made fresh."""
        run_thread(
            self.host,
            "Updating the watch rules and the interest order",
            partial(self._run, rank, announce),
            group="upkeep",
            exclusive=False,
        )

    def _run(self, rank: bool, announce: bool) -> None:
        done = upkeep(worker_cache(self.path), self.config, rank)
        if done.changed or announce:
            self.host.post_message(self.Done(done, announce))
