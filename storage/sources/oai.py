"""arXiv's OAI-PMH interface: harvest whole categories (``paperdeck harvest cs.CL``), page
by page, politely, and resumably.

``verb=ListRecords&metadataPrefix=arXiv&set=cs:cs:CL[&from=YYYY-MM-DD]``, then
``verb=ListRecords&resumptionToken=…`` until the token comes back empty. One request at a
time, ``delay_seconds`` apart (arXiv's rule, retries included); a 503's ``Retry-After`` is
waited out; read timeouts are minutes (a big page takes long to build). Each page is stored
with the token that asks for the next one and the latest datestamp seen (``sync_state``
``oai:<category>``, in the page's transaction): a killed harvest asks, when run again, for
the page it was asking for; a finished one remembers the latest datestamp, and the next
harvest asks ``from`` that day (OAI-PMH days are inclusive, so nothing falls between).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from paperdeck.storage.cache import sync_state
from paperdeck.storage.cache.sync_state import HARVEST_PREFIX, SyncState
from paperdeck.storage.categories import set_spec
from paperdeck.storage.config import ArxivSettings
from paperdeck.storage.http import (
    RETRY_STATUSES,
    FetchError,
    describe_error,
    make_client,
    retry_after_seconds,
)
from paperdeck.storage.ids import parse_id, valid_date
from paperdeck.storage.models import Incoming, Paper
from paperdeck.storage.parsers.codelinks import find_code_urls
from paperdeck.storage.parsers.tex import tex_to_unicode
from paperdeck.storage.parsers.text import clean_line, reflow
from paperdeck.storage.sources.base import Context, Page, SourceError

if TYPE_CHECKING:
    import httpx

READ_TIMEOUT_S = 600.0
"""A page of 2,500 records can take minutes to its first byte."""
RETRIES = 5
"""Tries after the first for 429, 5xx and connection failures."""
MAX_WAIT_S = 3600.0
"""A Retry-After longer than this fails the harvest (run it again later)."""

_OAI = "{http://www.openarchives.org/OAI/2.0/}"
_ARXIV = "{http://arxiv.org/OAI/arXiv/}"


@dataclass(frozen=True)
class Checkpoint:
    """How far a category's harvest went (``sync_state.result``, as JSON)."""

    token: str = ""
    """The resumption token of the page to ask for next ("" when the last run finished)."""
    last: str = ""
    """The latest datestamp stored (``YYYY-MM-DD``): the next harvest asks from it."""
    start: str = ""
    """The ``from`` of the run in progress (to start it again if its token expired)."""

    @classmethod
    def load(cls, text: str) -> Checkpoint:
        try:
            data = json.loads(text or "{}")
        except ValueError:
            return cls()
        if not isinstance(data, dict):
            return cls()
        return cls(*(str(data.get(k) or "") for k in ("token", "last", "start")))

    def dump(self) -> str:
        return json.dumps({"token": self.token, "last": self.last, "start": self.start})


class OaiHarvest:
    """One category's harvest, as a :class:`~paperdeck.storage.sources.base.Source`."""

    def __init__(self, category: str, settings: ArxivSettings, since: str | None = None):
        self.category = category
        self.spec = set_spec(category)
        self.settings = settings
        self.since = since
        """``--from``: asks from this day instead of where the last harvest got to."""
        self.name = f"OAI-PMH {category}"
        self.state_key = HARVEST_PREFIX + category

    def pages(self, ctx: Context) -> Iterator[Page]:
        saved = sync_state.load(ctx.cache, self.state_key)
        mark = Checkpoint.load(saved.result) if saved else Checkpoint()
        if self.since is not None or not mark.token:
            start = self.since or mark.last
            mark = Checkpoint("", mark.last, start)
        client = make_client(timeout=READ_TIMEOUT_S, event_hooks={"request": [ctx.count_request]})
        try:
            restarted = False
            while True:
                params = self._params(mark)
                root = self._fetch(ctx, client, params)
                error = root.find(f"{_OAI}error")
                if error is not None:
                    code = error.get("code", "")
                    if code == "noRecordsMatch":
                        yield Page(state=self._state(mark), note="nothing new", numbered=False)
                        return
                    if code == "badResumptionToken" and mark.token and not restarted:
                        restarted = True  # expired (at 00:00 UTC): ask again from the last day
                        mark = Checkpoint("", mark.last, mark.last or mark.start)
                        continue
                    raise SourceError(
                        f"{self.settings.oai_url}: OAI-PMH error {code or '?'}: "
                        f"{clean_line(error.text or '')}".rstrip(": ")
                    )
                listing = root.find(f"{_OAI}ListRecords")
                if listing is None:
                    raise SourceError(f"{self.settings.oai_url}: an answer without ListRecords")
                records, skipped, last = _records(listing)
                token_element = listing.find(f"{_OAI}resumptionToken")
                token = (token_element.text or "").strip() if token_element is not None else ""
                mark = Checkpoint(token, max(mark.last, last), mark.start)
                yield Page(records=records, state=self._state(mark), skipped=skipped)
                if not token:
                    return
        finally:
            client.close()

    def _params(self, mark: Checkpoint) -> dict[str, str]:
        if mark.token:
            return {"verb": "ListRecords", "resumptionToken": mark.token}
        params = {"verb": "ListRecords", "metadataPrefix": "arXiv", "set": self.spec}
        if mark.start:
            params["from"] = mark.start
        return params

    def _state(self, mark: Checkpoint) -> SyncState:
        return SyncState(self.state_key, result=mark.dump())

    def _backoff(self, attempt: int) -> float:
        """Wait before retrying a failure that came without Retry-After (it doubles)."""
        return max(self.settings.delay_seconds, 1.0) * 2**attempt

    def _fetch(self, ctx: Context, client: httpx.Client, params: dict[str, str]):
        """The parsed answer to one request, paced, with 503s and failures retried."""
        import httpx

        url = self.settings.oai_url
        pacer = ctx.arxiv_pacer
        for attempt in range(RETRIES + 1):
            pacer.wait()
            try:
                response = client.get(url, params=params)
            except httpx.TransportError as exc:
                pacer.sent(self._backoff(attempt))
                if attempt == RETRIES:
                    raise FetchError(describe_error(exc, url)) from None
                continue
            wait = retry_after_seconds(response)
            pacer.sent(wait or 0.0)
            if response.status_code in RETRY_STATUSES and attempt < RETRIES:
                if wait is not None and wait > MAX_WAIT_S:
                    break
                if wait is None:
                    pacer.sent(self._backoff(attempt))
                continue
            if response.status_code != 200:
                break
            return _parse(response.content, url)
        hint = f" (asked to wait {wait:.0f} s)" if wait else ""
        raise FetchError(
            f"{response.request.url} answered {response.status_code} "
            f"{response.reason_phrase}".rstrip()
            + hint,
            status=response.status_code,
        )


def _parse(content: bytes, url: str):
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        return etree.fromstring(content, parser)
    except etree.XMLSyntaxError as exc:
        raise SourceError(f"{url}: an answer that is not XML ({exc})") from None


def _records(listing) -> tuple[list[Incoming], int, str]:
    """The page's papers, how many records could not be read (or were deleted), and the
    latest datestamp on it."""
    records, skipped, last = [], 0, ""
    for record in listing.iterfind(f"{_OAI}record"):
        header = record.find(f"{_OAI}header")
        stamp = (
            valid_date(header.findtext(f"{_OAI}datestamp") or "") if header is not None else None
        )
        last = max(last, stamp or "")
        paper = None
        if header is not None and header.get("status") != "deleted":
            meta = record.find(f"{_OAI}metadata/{_ARXIV}arXiv")
            paper = to_paper(meta) if meta is not None else None
        if paper is None:
            skipped += 1
        else:
            records.append(Incoming(paper))
    return records, skipped, last


def to_paper(meta) -> Paper | None:
    """A paper from one ``<arXiv>`` record (None without an id, a title or a date)."""

    def text(name: str) -> str:
        return meta.findtext(f"{_ARXIV}{name}") or ""

    parsed = parse_id(text("id"))
    title = clean_line(text("title"))
    published = valid_date(text("created"))
    if parsed is None or not title or published is None:
        return None
    authors = []
    for author in meta.iterfind(f"{_ARXIV}authors/{_ARXIV}author"):
        parts = (author.findtext(f"{_ARXIV}{n}") or "" for n in ("forenames", "keyname", "suffix"))
        name = clean_line(tex_to_unicode(" ".join(p for p in parts if p)))
        if name:
            authors.append(name)
    categories = list(dict.fromkeys(text("categories").split()))
    abstract = reflow(text("abstract"))
    comment = clean_line(text("comments"))
    return Paper(
        id=parsed[0],
        title=title,
        authors=authors,
        abstract=abstract,
        published=published,
        updated=valid_date(text("updated")) or published,
        comment=comment,
        journal_ref=clean_line(text("journal-ref")),
        doi=clean_line(text("doi")),
        primary_category=categories[0] if categories else "",
        categories=categories,
        license=clean_line(text("license")),
        code_urls=find_code_urls(comment, abstract),
        source="arxiv",
    )
