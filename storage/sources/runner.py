"""Run the configured sources into the cache — arXiv API topics, new-submission feeds,
remote digests — then, when asked for, the code-link lookups.

The runner is the only writer of a sync. Sources yield pages; each page's records and
the sync state that goes with them are stored in one short transaction, so the reader can
star papers meanwhile, and a crash loses at most the page in flight — never leaving a
state that says a page was stored when it was not. User state is never written. Each
source fails alone: its error is recorded and the next one runs. :func:`run_sync` is
meant for a worker thread with its own :class:`Cache`; ``cancel`` stops it between
requests, also during the polite delay.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass

from paperdeck.storage.cache import sync_state
from paperdeck.storage.cache.database import Cache, now
from paperdeck.storage.cache.library import papers_to_fill
from paperdeck.storage.config import Config
from paperdeck.storage.hooks import run_after_sync
from paperdeck.storage.http import FetchError
from paperdeck.storage.models import UpsertCounts
from paperdeck.storage.sources.arxiv_api import ArxivTopic
from paperdeck.storage.sources.base import (
    Cancelled,
    Context,
    Pacer,
    Page,
    Source,
    SourceError,
    SourceResult,
    SyncEvent,
)
from paperdeck.storage.sources.codelink_lookup import HuggingFaceLookup
from paperdeck.storage.sources.feeds import ArxivFeed
from paperdeck.storage.sources.library import FillAbstracts, merge_library
from paperdeck.storage.sources.remote_digests import RemoteDigest

__all__ = [
    "SourceResult",
    "SyncEvent",
    "SyncSummary",
    "UnknownTopic",
    "plan",
    "run_harvest",
    "run_sync",
]

CANCELLED = "cancelled"


class UnknownTopic(ValueError):
    """``--topic`` named no configured topic; the message lists the known ones."""


@dataclass
class SyncSummary:
    results: list[SourceResult]
    """One per source, in the order they ran."""
    lookup: SourceResult | None = None
    """The code-link lookups after the sources (None when not configured): papers
    ``updated`` with a link found, ``unchanged`` without one, ``skipped`` left for later."""
    hook_error: str | None = None
    """What went wrong with ``[hooks] after_sync`` (None: it ran, or none is set)."""

    @property
    def ok(self) -> bool:
        steps = [*self.results, *([self.lookup] if self.lookup else [])]
        return all(result.error is None for result in steps)

    def describe(self) -> str:
        """One line per source, their totals, then the lookups."""
        lines = [_describe(result) for result in self.results]
        new = sum(r.new for r in self.results)
        updated = sum(r.updated for r in self.results)
        failed = sum(r.error is not None for r in self.results)
        sources = f"{len(self.results)} source{'s' if len(self.results) > 1 else ''}"
        total = f"{sources}: {new} new, {updated} updated"
        lines.append(total + (f", {failed} failed" if failed else ""))
        if self.lookup is not None:
            lines.append(_describe_lookup(self.lookup))
        if self.hook_error:
            lines.append(self.hook_error)
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


def _describe_lookup(result: SourceResult) -> str:
    asked = result.updated + result.unchanged
    said = f"{_count(asked, 'paper')} looked up, {_count(result.updated, 'link')} found"
    if result.skipped:
        said += f", {result.skipped} left for the next sync"
    if result.error is not None:
        return f"{result.source}: failed — {result.error} ({said} before that)"
    return f"{result.source}: {said}"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


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
    """Sync every configured source (or one topic) into ``cache``, then look up code
    links for the papers it brought when ``[codelinks] lookup`` is on.

    ``progress`` is called on the calling thread (a worker's: hand events to the UI
    thread from there). An empty summary means nothing is configured. Raises
    :class:`UnknownTopic` when ``topic`` names no configured topic.
    """
    sources = plan(config, topic)
    if topic is None and papers_to_fill(cache, 1):  # imported from a library file
        sources.append(FillAbstracts(config.arxiv))
    shared = topic is None and bool(config.library.sync_dir)
    if not sources and not shared:
        return SyncSummary([])
    since = now()
    ctx = Context(cache, Pacer(config.arxiv.delay_seconds, cancel or threading.Event()))
    report = progress if progress is not None else (lambda event: None)
    try:
        results = []
        if shared:  # the library merged with the other machines' (one more source)
            results.append(merge_library(config, cache, report)[0])
        results += [_run(source, ctx, report) for source in sources]
        lookup = None
        if config.codelinks.lookup:
            lookup = _run(HuggingFaceLookup(since), ctx, report)
    finally:
        ctx.close()
    hook = run_after_sync(config.hooks.after_sync, sum(r.new for r in results))
    return SyncSummary(results, lookup, hook)


def run_harvest(
    config: Config,
    cache: Cache,
    categories: list[str],
    *,
    since: str | None = None,
    progress: Callable[[SyncEvent], None] | None = None,
    cancel: threading.Event | None = None,
) -> SyncSummary:
    """Harvest each category through arXiv's OAI-PMH (see storage/sources/oai.py), one
    after the other on the arXiv pacer, each page stored with its checkpoint."""
    from paperdeck.storage.sources.oai import OaiHarvest

    sources = [OaiHarvest(category, config.arxiv, since) for category in categories]
    ctx = Context(cache, Pacer(config.arxiv.delay_seconds, cancel or threading.Event()))
    report = progress if progress is not None else (lambda event: None)
    try:
        return SyncSummary([_run(source, ctx, report) for source in sources])
    finally:
        ctx.close()


def _run(
    source: Source | HuggingFaceLookup, ctx: Context, report: Callable[[SyncEvent], None]
) -> SourceResult:
    """Store the pages of one source (or of the lookups) as they come; say how it went."""
    result = SourceResult(source.name)
    if ctx.cancel.is_set():
        result.error = CANCELLED
        return result
    report(SyncEvent(source.name, "start"))
    before = ctx.requests
    note, pages = "", 0
    try:
        with closing(source.pages(ctx)) as answers:
            for page in answers:
                _store(ctx.cache, page, result)
                note = page.note or note
                if page.numbered:
                    pages += 1
                    report(SyncEvent(source.name, "page", pages, result.new, result.updated))
    except (SourceError, FetchError) as exc:
        result.error = str(exc)
    except Cancelled:
        result.error = CANCELLED
    except sqlite3.Error as exc:
        result.error = f"the cache could not be written ({exc})"
    except Exception as exc:  # a bug in one source must not stop the others
        result.error = f"failed unexpectedly ({type(exc).__name__}: {exc})"
    result.requests = ctx.requests - before
    if result.error is None:
        report(SyncEvent(source.name, "done", None, result.new, result.updated, note))
    else:
        report(SyncEvent(source.name, "failed", None, result.new, result.updated, result.error))
    return result


def _store(cache: Cache, page: Page, result: SourceResult) -> None:
    """Write a page's records and its sync state in one transaction, then count them."""
    counts = UpsertCounts()
    if page.state is not None or page.records:
        with cache.transaction():
            counts = cache.upsert(page.records)
            if page.state is not None:
                sync_state.save(cache, page.state)
    result.new += counts.new
    result.updated += counts.updated
    result.unchanged += counts.unchanged
    result.skipped += page.skipped
