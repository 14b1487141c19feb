"""Papers asked for by name: by arXiv id (``paperdeck add``, an id typed in the reader) and
by an arXiv API search (``paperdeck arxiv-search``, ``A`` in the reader).

Both go through the same ``arxiv`` client and :class:`PoliteSession` as the topics
(:func:`paperdeck.storage.sources.arxiv_api.polite_client`): our User-Agent, timeouts,
arXiv's spacing, retries that honour ``Retry-After``, errors in plain words. Whatever comes
back is kept in the cache (user state untouched) and returned.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from paperdeck.storage.cache.database import Cache
from paperdeck.storage.config import ArxivSettings
from paperdeck.storage.ids import parse_id
from paperdeck.storage.models import Incoming, Paper
from paperdeck.storage.parsers.text import clean_line
from paperdeck.storage.sources.arxiv_api import (
    EMPTY_PAGE_RETRIES,
    _result_pages,
    polite_client,
    to_paper,
)
from paperdeck.storage.sources.base import Pacer

MAX_IDS = 200
"""Ids one ``add`` asks for (one request; arXiv's ``id_list`` takes this many easily)."""
MAX_SEARCH = 500
"""Results one search may ask for."""
SEARCH_TOPIC = "arXiv: {}"
"""The topic (and view) a search's results are kept under."""


class BadLookup(ValueError):
    """Input that names no paper (the message says which and why)."""


@dataclass
class Fetched:
    """What a lookup brought: the papers (in the answer's order), the ids asked for that
    arXiv did not know, and how the cache took them."""

    papers: list[Paper] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    new: int = 0
    updated: int = 0
    requests: int = 0
    topic: str | None = None


def parse_ids(texts: Iterable[str]) -> list[str]:
    """The arXiv ids (without version) named by ``texts`` — ids, ``arXiv:ID`` or arXiv
    URLs — in order, once each; :class:`BadLookup` names the first that is none."""
    found: list[str] = []
    for text in texts:
        parsed = parse_id(text)
        if parsed is None:
            raise BadLookup(
                f"{text.strip()!r} is not an arXiv id (2406.02543, arXiv:2406.02543, "
                "hep-th/9901001) or an arXiv URL"
            )
        if parsed[0] not in found:
            found.append(parsed[0])
    return found


class _Counter:
    def __init__(self) -> None:
        self.requests = 0

    def __call__(self, _request: object = None) -> None:
        self.requests += 1


def _pacer(settings: ArxivSettings, cancel: threading.Event | None) -> Pacer:
    return Pacer(settings.delay_seconds, cancel or threading.Event())


def fetch_ids(
    settings: ArxivSettings, ids: Sequence[str], cancel: threading.Event | None = None
) -> tuple[list[Paper], int]:
    """The papers of ``ids`` from one API request (``id_list``), and the requests it took
    (one; more only when a 429 or 5xx is retried). Raises ``SourceError``."""
    import arxiv

    if not ids:
        return [], 0
    if len(ids) > MAX_IDS:
        raise BadLookup(f"{len(ids)} ids: at most {MAX_IDS} at a time")
    count = _Counter()
    client, session = polite_client(
        settings.api_url, len(ids), EMPTY_PAGE_RETRIES, _pacer(settings, cancel), count
    )
    try:
        search = arxiv.Search(id_list=list(ids), max_results=len(ids))
        page = next(_result_pages(client, search, len(ids)), [])  # the first answer only
    finally:
        session.close()
    papers = [paper for paper in map(to_paper, page) if paper is not None]
    return papers, count.requests


def search(
    settings: ArxivSettings, query: str, max_results: int, cancel: threading.Event | None = None
) -> tuple[list[Paper], int]:
    """The papers arXiv's search finds for ``query`` (its ``search_query`` syntax; plain
    words search everywhere), most relevant first, and the requests it took."""
    import arxiv

    query = query.strip()
    if not query:
        raise BadLookup("the search is empty")
    if not 1 <= max_results <= MAX_SEARCH:
        raise BadLookup(f"--max must be between 1 and {MAX_SEARCH}, not {max_results}")
    count = _Counter()
    page_size = min(settings.page_size, max_results)
    client, session = polite_client(
        settings.api_url, page_size, EMPTY_PAGE_RETRIES, _pacer(settings, cancel), count
    )
    papers: list[Paper] = []
    try:
        asked = arxiv.Search(query=_api_query(query), max_results=max_results)
        for page in _result_pages(client, asked, page_size):
            papers.extend(paper for paper in map(to_paper, page) if paper is not None)
            if len(papers) >= max_results:
                break
    finally:
        session.close()
    return papers[:max_results], count.requests


def _api_query(query: str) -> str:
    """Plain words become ``all:`` terms joined by AND (the API would OR them); a query
    that already uses the API's fields (``ti:``, ``au:``, ``cat:``…) or its operators
    goes as it is."""
    if ":" in query or any(op in query.split() for op in ("AND", "OR", "ANDNOT")):
        return query
    return " AND ".join(f"all:{word}" for word in query.split())


def add_papers(
    cache: Cache, settings: ArxivSettings, ids: Sequence[str], cancel: threading.Event | None = None
) -> Fetched:
    """Fetch ``ids`` (one request) and keep them."""
    papers, requests = fetch_ids(settings, ids, cancel)
    fetched = _keep(cache, papers, ())
    got = {paper.id for paper in papers}
    fetched.missing = [paper_id for paper_id in ids if paper_id not in got]
    fetched.requests = requests
    return fetched


def search_and_keep(
    cache: Cache,
    settings: ArxivSettings,
    query: str,
    max_results: int,
    cancel: threading.Event | None = None,
) -> Fetched:
    """Search arXiv and keep the results under the topic "arXiv: QUERY" (their view)."""
    papers, requests = search(settings, query, max_results, cancel)
    topic = search_topic(query)
    fetched = _keep(cache, papers, (topic,))
    fetched.requests, fetched.topic = requests, topic
    return fetched


def search_topic(query: str) -> str:
    """The topic a search's results are kept under (one line, printable)."""
    return SEARCH_TOPIC.format(clean_line(query))


def _keep(cache: Cache, papers: list[Paper], topics: tuple[str, ...]) -> Fetched:
    counts = cache.upsert(Incoming(paper, topics=topics) for paper in papers)
    return Fetched(papers=papers, new=counts.new, updated=counts.updated)
