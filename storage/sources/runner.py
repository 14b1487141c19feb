"""Run the configured sources into the cache: arXiv API topics, new-submission feeds,
remote digests, then (when asked for) code-link lookups.

Each source fails alone — its error is recorded and the next one runs — and writes in
short transactions (one per page), so the reader can star papers meanwhile. User state is
never written. :func:`run_sync` is meant for a worker thread with its own :class:`Cache`;
``cancel`` stops it between requests, also during the polite delay.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass

from paperdeck.storage.cache.database import Cache, now
from paperdeck.storage.config import Config
from paperdeck.storage.http import FetchError
from paperdeck.storage.sources.arxiv_api import ArxivTopic
from paperdeck.storage.sources.base import (
    Cancelled,
    Context,
    Pacer,
    Source,
    SourceError,
    SourceResult,
    SyncEvent,
)
from paperdeck.storage.sources.codelink_lookup import HuggingFaceLookup
from paperdeck.storage.sources.feeds import ArxivFeed
from paperdeck.storage.sources.remote_digests import RemoteDigest

__all__ = ["SourceResult", "SyncEvent", "SyncSummary", "UnknownTopic", "plan", "run_sync"]

CANCELLED = "cancelled"


class UnknownTopic(ValueError):
    """``--topic`` named no configured topic; the message lists the known ones."""


@dataclass
class SyncSummary:
    results: list[SourceResult]

    @property
    def ok(self) -> bool:
        return all(result.error is None for result in self.results)

    def describe(self) -> str:
        """One line per source, then the totals."""
        lines = [_describe(result) for result in self.results]
        new = sum(r.new for r in self.results)
        updated = sum(r.updated for r in self.results)
        failed = sum(r.error is not None for r in self.results)
        sources = f"{len(self.results)} source{'s' if len(self.results) > 1 else ''}"
        total = f"{sources}: {new} new, {updated} updated"
        lines.append(total + (f", {failed} failed" if failed else ""))
        return "\n".join(lines)


def _describe(result: SourceResult) -> str:
    counts = [f"{result.new} new", f"{result.updated} updated"]
    counts += [f"{result.unchanged} unchanged"] if result.unchanged else []
    counts += [f"{result.skipped} skipped"] if result.skipped else []
    said = ", ".join(counts) if result.new or result.updated or result.skipped else ""
    if result.error is not None:
        saved = f" ({said} before that)" if said else ""
        return f"{result.source}: failed — {result.error}{saved}"
    if not said and result.unchanged:
        said = f"nothing new ({result.unchanged} unchanged)"
    return f"{result.source}: {said or 'nothing new'}"


def plan(config: Config, topic: str | None = None) -> list[Source]:
    """The sources a sync runs, in order: topics, feeds, digests (only ``topic`` if given)."""
    if topic is not None:
        chosen = [t for t in config.topics if t.name == topic]
        if not chosen:
            known = ", ".join(t.name for t in config.topics) or "none configured"
            raise UnknownTopic(f"no topic named {topic!r} (topics: {known})")
        return [ArxivTopic(chosen[0], config.arxiv)]
    return [
        *(ArxivTopic(t, config.arxiv) for t in config.topics),
        *(ArxivFeed(feed) for feed in config.feeds),
        *(RemoteDigest(digest.url) for digest in config.digests),
    ]


def run_sync(
    config: Config,
    cache: Cache,
    *,
    topic: str | None = None,
    progress: Callable[[SyncEvent], None] | None = None,
    cancel: threading.Event | None = None,
) -> SyncSummary:
    """Sync every configured source (or one topic) into ``cache``.

    ``progress`` is called on the calling thread (a worker's: hand events to the UI
    thread from there). An empty summary means nothing is configured. Raises
    :class:`UnknownTopic` when ``topic`` names no configured topic.
    """
    sources: list[Source] = plan(config, topic)
    if not sources:
        return SyncSummary([])
    if config.codelinks.lookup:
        sources.append(HuggingFaceLookup(since=now()))
    cancel = cancel or threading.Event()
    results = []
    ctx = Context(cache, Pacer(config.arxiv.delay_seconds, cancel), progress)
    try:
        for source in sources:
            if cancel.is_set():
                results.append(SourceResult(source.name, error=CANCELLED))
            else:
                results.append(_run(source, ctx))
    finally:
        ctx.close()
    return SyncSummary(results)


def _run(source: Source, ctx: Context) -> SourceResult:
    result = SourceResult(source.name)
    ctx.report(SyncEvent(source.name, "start"))
    before = ctx.requests
    note = ""
    try:
        note = source.run(ctx, result)
    except (SourceError, FetchError) as exc:
        result.error = str(exc)
    except Cancelled:
        result.error = CANCELLED
    except sqlite3.Error as exc:
        result.error = f"the cache could not be written ({exc})"
    except Exception as exc:  # a bug in one source must not stop the others
        result.error = f"failed unexpectedly ({type(exc).__name__}: {exc})"
    result.requests += ctx.requests - before
    if result.error is None:
        ctx.report(SyncEvent(source.name, "done", None, result.new, result.updated, note))
    else:
        ctx.report(SyncEvent(source.name, "failed", None, result.new, result.updated, result.error))
    return result
