"""Remote digests: each ``[[digests]] url`` fetched on sync and imported like a file.

The request carries the ``ETag`` and ``Last-Modified`` of the last answer, so an
unchanged digest costs one 304 and is not parsed again.
"""

from __future__ import annotations

import os

from paperdeck.storage.cache import sync_state
from paperdeck.storage.library.importer import download, import_file
from paperdeck.storage.sources.base import (
    NOT_MODIFIED,
    Context,
    SourceError,
    SourceResult,
    SyncEvent,
)

RETRY_BACKOFF_S = 1.0
"""First wait before retrying a digest host (it doubles); a Retry-After replaces it."""


class RemoteDigest:
    def __init__(self, url: str):
        self.url = url
        self.name = f"digest {url}"

    def run(self, ctx: Context, result: SourceResult) -> str:
        state = sync_state.load(ctx.cache, self.url)
        headers = state.conditional_headers() if state else {}
        with ctx.reaching(self.url):
            path, response = download(
                self.url, ctx.http, headers, backoff=RETRY_BACKOFF_S, sleep=ctx.sleep
            )
        if path is None:
            return NOT_MODIFIED
        try:
            report = import_file(ctx.cache, path, source=self.url)
        finally:
            os.unlink(path)
        counts = report.counts
        result.new, result.updated, result.unchanged = counts.new, counts.updated, counts.unchanged
        result.skipped = len(report.skipped)
        if report.error:
            raise SourceError(report.error)
        sync_state.save_validators(ctx.cache, self.url, response.headers)
        ctx.report(SyncEvent(self.name, "page", 1, result.new, result.updated))
        return report.note
