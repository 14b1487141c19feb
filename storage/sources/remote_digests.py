"""Remote digests: each ``[[digests]] url`` fetched on sync and read like a digest file.

The request carries the ``ETag`` and ``Last-Modified`` of the last answer, so an
unchanged digest costs one 304 and is not parsed again. A digest is one page: stored
whole with its new validators, or not at all.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from paperdeck.storage.cache import sync_state
from paperdeck.storage.cache.sync_state import SyncState
from paperdeck.storage.library.importer import digest_outcome, download
from paperdeck.storage.models import Incoming
from paperdeck.storage.parsers.digest import DigestParser
from paperdeck.storage.sources.base import NOT_MODIFIED, Context, Page, SourceError

RETRY_BACKOFF_S = 1.0
"""First wait before retrying a digest host (it doubles); a Retry-After replaces it."""


class RemoteDigest:
    def __init__(self, url: str):
        self.url = url
        self.name = f"digest {url}"

    def pages(self, ctx: Context) -> Iterator[Page]:
        state = sync_state.load(ctx.cache, self.url)
        headers = state.conditional_headers() if state else {}
        with ctx.reaching(self.url):
            path, response = download(
                self.url, ctx.http, headers, backoff=RETRY_BACKOFF_S, sleep=ctx.sleep
            )
        if path is None:
            yield Page(note=NOT_MODIFIED, numbered=False)
            return
        try:
            page = Page(state=SyncState.answered(self.url, response.headers))
            page.records = self._read(path, page)
            yield page
        finally:
            os.unlink(path)

    def _read(self, path: str, page: Page) -> Iterator[Incoming]:
        """The digest's papers, streamed from the downloaded file as the runner stores
        them; then its skipped rows and note on ``page`` — or, when it is no usable
        digest, a :class:`SourceError` that stores nothing of it."""
        parser = DigestParser()
        papers = False
        with open(path, "rb") as handle:
            for record in parser.parse(handle):
                papers = True
                yield record
        page.skipped = len(parser.skipped)
        page.note, error = digest_outcome(parser, self.url, papers)
        if error:
            raise SourceError(error)
