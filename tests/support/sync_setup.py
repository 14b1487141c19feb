"""Configurations and event recording for sync tests (never the real endpoints)."""

from __future__ import annotations

from paperdeck.storage.config import (
    ArxivSettings,
    CodelinkSettings,
    Config,
    DigestSource,
    Feed,
    Topic,
)
from paperdeck.storage.sources.base import SyncEvent


def config(
    api_url: str = "http://127.0.0.1:9/api/query",
    *,
    topics: list[Topic] | None = None,
    feeds: list[Feed] | None = None,
    digests: list[str] = (),
    page_size: int = 10,
    delay: float = 0.0,
    lookup: bool = False,
) -> Config:
    return Config(
        arxiv=ArxivSettings(api_url=api_url, delay_seconds=delay, page_size=page_size),
        topics=[Topic("T", "ti:test", max_results=50)] if topics is None else topics,
        feeds=feeds or [],
        digests=[DigestSource(url) for url in digests],
        codelinks=CodelinkSettings(lookup=lookup),
    )


class Events(list):
    """A progress callback that keeps every event."""

    def __call__(self, event: SyncEvent) -> None:
        self.append(event)

    def kinds(self, source: str | None = None) -> list[str]:
        return [e.kind for e in self if source is None or e.source == source]
