"""Thread workers: one policy for their errors, and one connection to the cache per thread.

An unexpected exception in a worker never closes the reader: it is logged, and a
:class:`~paperdeck.tui.messages.WorkerFailed` message bubbles up to the app, which says it
in one line.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from functools import partial, wraps
from pathlib import Path

from textual import work
from textual.dom import DOMNode

from paperdeck.storage.cache.database import Cache
from paperdeck.tui.messages import WorkerFailed

log = logging.getLogger("paperdeck.tui")

_local = threading.local()


def thread_worker(what: str, *, group: str, exclusive: bool = True) -> Callable:
    """``@work(thread=True)`` for a method of a widget or screen, under the reader's policy
    for errors; ``what`` names the work in the note ("Counting unread papers")."""

    def decorate(method: Callable) -> Callable:
        @wraps(method)
        def guarded(node, *args, **kwargs):
            return _guarded(node, what, partial(method, node, *args, **kwargs))

        return work(thread=True, group=group, exclusive=exclusive)(guarded)

    return decorate


def run_thread(
    node: DOMNode, what: str, job: Callable[[], object], *, group: str, exclusive: bool = True
) -> None:
    """``job()`` in a thread worker of ``node`` (for a part of a screen that is not a node
    itself), under the same policy as :func:`thread_worker`."""
    node.run_worker(
        partial(_guarded, node, what, job), thread=True, group=group, exclusive=exclusive
    )


def _guarded(node: DOMNode, what: str, job: Callable[[], object]):
    try:
        return job()
    except Exception as error:
        log.exception("%s failed", what)
        node.post_message(WorkerFailed(what, error))


def worker_cache(path: Path) -> Cache:
    """This worker thread's connection to the cache at ``path``: opened on first use and
    kept for the thread's next jobs (thread workers run on the event loop's executor
    threads, so a few connections serve every load, count, fetch and sync)."""
    caches: dict[Path, Cache] = _local.__dict__.setdefault("caches", {})
    cache = caches.get(path)
    if cache is None:
        cache = caches[path] = Cache(path)
    return cache
