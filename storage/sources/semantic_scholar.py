"""Citations from Semantic Scholar's Graph API (``[citations] url``).

One request per paper: ``GET {url}/paper/arXiv:{id}?fields=citationCount,
references.externalIds,references.title,citations.externalIds,citations.title`` answers
``{"paperId", "citationCount", "references": [{"paperId", "externalIds", "title"}],
"citations": [...]}``; an entry's ``externalIds`` (null for papers Semantic Scholar could
not match) holds ``"ArXiv": "2406.02543"`` for an arXiv paper. Without a key the API
shares a low rate among everyone and answers 429 with ``Retry-After``: that wait is
waited out (up to :data:`MAX_WAIT_S`), then the request is tried again. With
``api_key_env`` naming a variable that holds a key, it goes in the ``x-api-key`` header.

Answers are kept a week (:mod:`paperdeck.storage.cache.citations`): asking again within
it costs no request.
"""

from __future__ import annotations

import os
import threading
import time
from urllib.parse import quote

from paperdeck.storage.cache import citations as store
from paperdeck.storage.cache import lists
from paperdeck.storage.cache.citations import Citations
from paperdeck.storage.cache.database import Cache
from paperdeck.storage.config import ArxivSettings, CitationSettings
from paperdeck.storage.http import FetchError, json_body, make_client, send, status_error
from paperdeck.storage.ids import parse_id
from paperdeck.storage.sources import arxiv_lookup

FIELDS = (
    "citationCount,references.externalIds,references.title,"
    "citations.externalIds,citations.title"
)
MAX_WAIT_S = 120.0
"""A Retry-After longer than this is reported instead of waited out."""
RETRIES = 4
MAX_ANSWER_BYTES = 32 << 20
"""A paper with thousands of citations answers a few megabytes."""
SPACING_S = 1.0
"""At most one request a second from this process (the API's rate with a key)."""

_last_request = 0.0
_lock = threading.Lock()
_wait = time.sleep
"""How the client waits (Retry-After, spacing); tests put a recorder here."""


class CitationError(Exception):
    """Semantic Scholar could not say (the message: what, which URL, why)."""


def paper_url(settings: CitationSettings, paper_id: str) -> str:
    return f"{settings.url.rstrip('/')}/paper/arXiv:{quote(paper_id, safe='/')}"


def citations(
    cache: Cache,
    settings: CitationSettings,
    paper_id: str,
    *,
    refresh: bool = False,
    sleep=None,
) -> Citations:
    """The paper's citations: kept ones younger than a week, else asked for and kept."""
    if not refresh:
        kept = store.load(cache, paper_id)
        if kept is not None:
            return kept
    found = fetch(settings, paper_id, sleep=sleep)
    store.save(cache, found)
    return found


def citations_as_views(
    cache: Cache, settings: CitationSettings, arxiv: ArxivSettings, paper_id: str
) -> Citations:
    """The paper's citations, with the arXiv papers among them that the cache lacks
    brought in (one arXiv request, at most ``MAX_IDS`` papers), and its references and
    citing papers kept as two ranked lists (:func:`lists.keep_citations`: their views)."""
    found = citations(cache, settings, paper_id)
    wanted = [pid for pid in found.references + found.cited_by if cache.paper(pid) is None]
    if wanted:
        arxiv_lookup.add_papers(cache, arxiv, wanted[: arxiv_lookup.MAX_IDS])
    lists.keep_citations(cache, paper_id, found.references, found.cited_by)
    return found


def fetch(settings: CitationSettings, paper_id: str, *, sleep=None) -> Citations:
    """Ask Semantic Scholar (one request, retried on 429/5xx as the server asks)."""
    sleep = sleep or _wait
    url = paper_url(settings, paper_id)
    headers = {}
    key = os.environ.get(settings.api_key_env, "") if settings.api_key_env else ""
    if key:
        headers["x-api-key"] = key
    _space(sleep)
    with make_client() as client:
        request = client.build_request("GET", url, params={"fields": FIELDS}, headers=headers)
        try:
            response = send(
                client,
                request,
                retries=RETRIES,
                max_wait=MAX_WAIT_S,
                sleep=sleep,
                read_limit=MAX_ANSWER_BYTES,
            )
        except FetchError as exc:
            raise CitationError(f"Semantic Scholar: {exc}") from None
    if response.status_code == 404:
        raise CitationError(f"Semantic Scholar does not know arXiv:{paper_id} ({url} answered 404)")
    if response.status_code != 200:
        raise CitationError(f"Semantic Scholar: {status_error(response)}")
    try:
        answer = json_body(response.content)
    except ValueError as exc:
        raise CitationError(
            f"Semantic Scholar sent something that is not JSON ({url}: {exc})"
        ) from None
    if not isinstance(answer, dict):
        raise CitationError(f"Semantic Scholar sent an answer without a paper ({url})")
    count = answer.get("citationCount")
    return Citations(
        paper_id,
        count if isinstance(count, int) and not isinstance(count, bool) else None,
        _arxiv_ids(answer.get("references")),
        _arxiv_ids(answer.get("citations")),
    )


def _arxiv_ids(entries: object) -> list[str]:
    """The arXiv ids (without version) among ``entries``, once each, in order."""
    found: dict[str, None] = {}
    if not isinstance(entries, list):
        return []
    for entry in entries:
        ids = entry.get("externalIds") if isinstance(entry, dict) else None
        arxiv = ids.get("ArXiv") if isinstance(ids, dict) else None
        parsed = parse_id(arxiv) if isinstance(arxiv, str) else None
        if parsed:
            found[parsed[0]] = None
    return list(found)


def _space(sleep) -> None:
    """Keep this process's requests :data:`SPACING_S` apart."""
    global _last_request
    with _lock:
        wait = _last_request + SPACING_S - time.monotonic()
        if wait > 0:
            sleep(wait)
        _last_request = time.monotonic()
