"""Code links from a lookup service, for papers that came without one: a step after the
sources, not a source — it brings no papers, it completes those the sources brought.

With ``[codelinks] lookup = true``, after the sources have run, the papers this sync
brought in or changed that still have no code link are looked up in the Hugging Face
papers API (``GET {base}{id}`` → ``githubRepo``, else a ``projectPage`` on a code host).
Each answer — a link or none — is remembered for a week, at most
:data:`LOOKUP_LIMIT` papers are asked about per sync, one request every
:data:`LOOKUP_INTERVAL_S` seconds, and the first refusal (429, an error, no answer) ends
the lookups for this sync without failing it: the papers left wait for the next one.
Like a source, it hands each answer to the runner as a page to store.

``PAPERDECK_HF_API_URL`` overrides the base URL (for mirrors and tests).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from paperdeck.storage.cache import sync_state
from paperdeck.storage.cache.database import Cache
from paperdeck.storage.cache.sync_state import SyncState
from paperdeck.storage.http import FetchError, json_body, send
from paperdeck.storage.models import Incoming
from paperdeck.storage.parsers.codelinks import code_url
from paperdeck.storage.sources.base import Context, Pacer, Page

HF_API_URL = "https://huggingface.co/api/papers/"
LOOKUP_INTERVAL_S = 0.6
"""Hugging Face allows 500 anonymous API requests per 5 minutes."""
LOOKUP_LIMIT = 50
RECHECK_AFTER = timedelta(days=7)
"""A paper Hugging Face knew nothing about may have a page a few days later."""
NAME = "code links (Hugging Face)"
PREFIX = "hf:"
"""Answers are remembered in the sync state as ``hf:<paper id>``."""
MAX_ANSWER_BYTES = 1 << 20
"""A paper's record is a few kilobytes; a larger answer is not read further."""


def hf_api_url() -> str:
    return os.environ.get("PAPERDECK_HF_API_URL") or HF_API_URL


def code_link_from(answer: object) -> str | None:
    """The repository in a papers-API answer: ``githubRepo``, or a code-host
    ``projectPage``."""
    if not isinstance(answer, dict):
        return None
    for key in ("githubRepo", "projectPage"):
        value = answer.get(key)
        if isinstance(value, str) and (url := code_url(value)):
            return url
    return None


class HuggingFaceLookup:
    """The lookups of one sync, run by the runner after every source."""

    name = NAME

    def __init__(self, since: str, base_url: str | None = None):
        self.since = since
        """Papers stored or changed from this UTC timestamp on are candidates."""
        self.base_url = (base_url or hf_api_url()).rstrip("/") + "/"

    def pages(self, ctx: Context) -> Iterator[Page]:
        """One page per paper asked about (its link, and the answer to remember), then,
        when lookups stop early, one that says how many papers are left."""
        recent = (datetime.now(UTC) - RECHECK_AFTER).isoformat(timespec="microseconds")
        papers = sync_state.papers_to_look_up(ctx.cache, PREFIX, self.since, recent)
        pacer = Pacer(LOOKUP_INTERVAL_S, ctx.cancel)
        for index, paper_id in enumerate(papers):
            if index == LOOKUP_LIMIT:
                found, stop = None, f"at most {LOOKUP_LIMIT} lookups per sync"
            else:
                pacer.wait()
                found, stop = self._ask(ctx, paper_id)
                pacer.sent()
            if stop:
                left = len(papers) - index
                note = f"{stop}; {left} papers left for the next sync"
                yield Page(skipped=left, note=note, numbered=False)
                return
            answer = SyncState(PREFIX + paper_id, result=found or "")
            yield Page(_linked(ctx.cache, paper_id, found), answer, numbered=False)

    def _ask(self, ctx: Context, paper_id: str) -> tuple[str | None, str]:
        """The code link Hugging Face knows for one paper (None: none), and a non-empty
        reason when lookups should stop instead."""
        url = self.base_url + paper_id
        try:
            request = ctx.http.build_request("GET", url)
            response = send(ctx.http, request, retries=0, read_limit=MAX_ANSWER_BYTES)
        except FetchError as exc:
            return None, str(exc)
        if response.status_code == 404:  # Hugging Face does not know the paper (yet)
            return None, ""
        if response.status_code != 200:
            return None, f"{url} answered {response.status_code} {response.reason_phrase}".rstrip()
        try:
            return code_link_from(json_body(response.content)), ""
        except ValueError:
            return None, f"{url} answered with something other than JSON"


def _linked(cache: Cache, paper_id: str, url: str | None) -> Iterator[Incoming]:
    """The paper with the code link found (as it is when none was), read in the page's
    transaction so that nothing written to it meanwhile is undone."""
    paper = cache.paper(paper_id)
    if paper is not None:
        yield Incoming(replace(paper, code_urls=[url]) if url else paper)
