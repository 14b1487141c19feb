"""The personal library in a sync: the merge with the other machines' files (the source
named ``library``), and the abstracts of papers imported from library files, asked of the
arXiv API by id (``id_list``) a page at a time.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from paperdeck.storage.cache import library as store
from paperdeck.storage.config import ArxivSettings, Config, data_dir
from paperdeck.storage.models import Incoming
from paperdeck.storage.sources.base import Context, Page, SourceError, SourceResult, SyncEvent

if TYPE_CHECKING:
    from paperdeck.storage.library.machines import LibrarySync

LIBRARY = "library"
FILL_AT_MOST = 2000
"""Papers one sync asks the API about (the rest wait for the next)."""


def merge_library(
    config: Config, cache, report: Callable[[SyncEvent], None] | None = None
) -> tuple[SourceResult, LibrarySync | None] | None:
    """Merge the library with ``[library] sync_dir`` (None when it is not set), reported
    like a source named ``library`` (``updated``: the changes merged from other machines,
    ``skipped``: the lines that could not be merged), with what the merge did."""
    from paperdeck.storage.library.machines import LibrarySyncError, sync_library

    if not config.library.sync_dir:
        return None
    say = report if report is not None else (lambda event: None)
    result = SourceResult(LIBRARY)
    say(SyncEvent(LIBRARY, "start"))
    merged = None
    try:
        merged = sync_library(
            cache,
            config.library,
            data_dir(),
            lambda text: say(SyncEvent(LIBRARY, "page", message=text)),
        )
    except LibrarySyncError as exc:
        result.error = str(exc)
    except sqlite3.Error as exc:
        result.error = f"the cache could not be written ({exc})"
    if merged is not None:
        result.updated = merged.applied
        result.skipped = len(merged.skipped)
        say(SyncEvent(LIBRARY, "done", None, 0, result.updated, merged.describe()))
    else:
        say(SyncEvent(LIBRARY, "failed", None, 0, 0, result.error or ""))
    return result, merged


class FillAbstracts:
    """Papers imported from a BibTeX, RIS or CSL-JSON file come without the abstract when
    the file has none: ask the arXiv API for them by id, ``page_size`` ids a request."""

    name = "library papers"

    def __init__(self, settings: ArxivSettings):
        self.settings = settings

    def pages(self, ctx: Context) -> Iterator[Page]:
        import arxiv

        from paperdeck.storage.sources.arxiv_api import (
            EMPTY_PAGE_RETRIES,
            _result_pages,
            polite_client,
            to_paper,
        )

        ids = store.papers_to_fill(ctx.cache, FILL_AT_MOST)
        if not ids:
            return
        size = max(1, min(self.settings.page_size, 100))
        client, session = polite_client(
            self.settings.api_url, size, EMPTY_PAGE_RETRIES, ctx.arxiv_pacer, ctx.count_request
        )
        try:
            with ctx.reaching(self.settings.api_url):
                for start in range(0, len(ids), size):
                    batch = ids[start : start + size]
                    search = arxiv.Search(id_list=batch, max_results=len(batch))
                    records, skipped = [], 0
                    for entries in _result_pages(client, search, size):
                        for entry in entries:
                            paper = to_paper(entry)
                            if paper is None or paper.id not in batch:
                                skipped += 1
                            else:
                                records.append(Incoming(paper))
                    if not records:
                        raise SourceError(
                            f"arXiv returned none of the {len(batch)} papers asked for by id "
                            f"({', '.join(batch[:3])}…)"
                        )
                    yield Page(records, skipped=skipped + len(batch) - len(records))
                    ctx.check_cancel()
        finally:
            session.close()
