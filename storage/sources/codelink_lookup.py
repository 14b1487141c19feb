"""Code links from a lookup service, for papers that came without one.

With ``[codelinks] lookup = true``, after the sources have run, the papers this sync
brought in or changed that still have no code link are looked up in the Hugging Face
papers API (``GET {base}{id}`` → ``githubRepo``, else a ``projectPage`` on a code host).
Each answer — a link or none — is remembered for a week, at most
:data:`LOOKUP_LIMIT` papers are asked about per sync, one request every
:data:`LOOKUP_INTERVAL_S` seconds, and the first refusal (429, an error, no answer) ends
the lookups for this sync without failing it: the papers left wait for the next one.

``PAPERDECK_HF_API_URL`` overrides the base URL (for mirrors and tests).
"""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from paperdeck.storage.cache import sync_state
from paperdeck.storage.http import FetchError, json_body, send
from paperdeck.storage.models import Incoming
from paperdeck.storage.parsers.codelinks import code_url
from paperdeck.storage.sources.base import Context, Pacer, SourceResult

HF_API_URL = "https://huggingface.co/api/papers/"
LOOKUP_INTERVAL_S = 0.6
"""Hugging Face allows 500 anonymous API requests per 5 minutes."""
LOOKUP_LIMIT = 50
RECHECK_AFTER = timedelta(days=7)
"""A paper Hugging Face knew nothing about may have a page a few days later."""
NAME = "code links (Hugging Face)"
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
    name = NAME

    def __init__(self, since: str, base_url: str | None = None):
        self.since = since
        """Papers stored or changed from this UTC timestamp on are candidates."""
        self.base_url = (base_url or hf_api_url()).rstrip("/") + "/"

    def candidates(self, ctx: Context) -> list[str]:
        """Papers of this sync without a code link and not looked up lately, newest first."""
        recent = (datetime.now(UTC) - RECHECK_AFTER).isoformat(timespec="microseconds")
        rows = ctx.cache.conn.execute(
            "SELECT p.id FROM papers p LEFT JOIN sync_state s ON s.source = 'hf:' || p.id "
            "WHERE p.fetched_at >= ? AND p.code_urls = '[]' "
            "AND (s.synced_at IS NULL OR s.synced_at < ?) ORDER BY p.key DESC",
            (self.since, recent),
        )
        return [paper_id for (paper_id,) in rows]

    def run(self, ctx: Context, result: SourceResult) -> str:
        papers = self.candidates(ctx)
        pacer = Pacer(LOOKUP_INTERVAL_S, ctx.cancel)
        note = ""
        for index, paper_id in enumerate(papers):
            if index == LOOKUP_LIMIT:
                note = f"at most {LOOKUP_LIMIT} lookups per sync"
            else:
                pacer.wait()
                note = self._lookup(ctx, result, paper_id)
                pacer.sent()
            if note:
                result.skipped = len(papers) - index
                return f"{note}; {result.skipped} papers left for the next sync"
        return ""

    def _lookup(self, ctx: Context, result: SourceResult, paper_id: str) -> str:
        """Ask about one paper; a non-empty reason when lookups should stop."""
        url = self.base_url + paper_id
        try:
            request = ctx.http.build_request("GET", url)
            response = send(ctx.http, request, retries=0, read_limit=MAX_ANSWER_BYTES)
            body = response.content
        except FetchError as exc:
            return str(exc)
        if response.status_code == 404:  # Hugging Face does not know the paper (yet)
            found = None
        elif response.status_code == 200:
            try:
                found = code_link_from(json_body(body))
            except ValueError:
                return f"{url} answered with something other than JSON"
        else:
            return f"{url} answered {response.status_code} {response.reason_phrase}".rstrip()
        with ctx.cache.transaction():
            paper = ctx.cache.paper(paper_id)
            if found and paper is not None:
                ctx.cache.upsert([Incoming(replace(paper, code_urls=[found]))])
                result.updated += 1
            else:
                result.unchanged += 1
            sync_state.save(ctx.cache, f"hf:{paper_id}", result=found or "")
        return ""
