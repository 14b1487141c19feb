"""arXiv API topics through the ``arxiv`` package: one query per configured topic,
newest submissions first, page by page, incremental and polite.

The package does the Atom work (request URLs, paging, parsing entries into
``arxiv.Result``). It sends no timeout, sleeps with a blocking ``time.sleep``, retries
without backoff and raises raw ``requests`` errors, so paperdeck gives it a session of its
own (:class:`PoliteSession`) that spaces, times out, retries and explains every request,
and leaves the package's own delay at zero.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from paperdeck.storage.cache import sync_state
from paperdeck.storage.cache.sync_state import SyncState
from paperdeck.storage.config import ArxivSettings, Topic
from paperdeck.storage.http import (
    RETRY_STATUSES,
    USER_AGENT,
    retry_after_seconds,
    timeouts,
    unreachable,
)
from paperdeck.storage.ids import parse_id, valid_date
from paperdeck.storage.models import Incoming, Paper
from paperdeck.storage.parsers.codelinks import find_code_urls
from paperdeck.storage.parsers.text import clean_line, reflow
from paperdeck.storage.sources.base import Context, Pacer, Page, SourceError, Unreachable

if TYPE_CHECKING:
    import arxiv
    import requests

RETRIES = 3
"""Tries after the first for 429, 5xx and connection failures."""
EMPTY_PAGE_RETRIES = 2
"""Tries after the first for a page that came back empty where results were due."""
MAX_WAIT_S = 120.0
"""A Retry-After longer than this fails the source instead of blocking the sync."""

_ATOM = "{http://www.w3.org/2005/Atom}"
COMPLETE = "complete to {}"
"""What sync_state records for a query whose last sync reached its end: how deep it went
(its ``max_results``), so raising the limit fetches the older papers once."""


def build_query(topic: Topic) -> str:
    """The topic's ``search_query``, restricted to its categories when it names any."""
    if not topic.categories:
        return topic.query
    categories = " OR ".join(f"cat:{category}" for category in topic.categories)
    return f"({topic.query}) AND ({categories})"


def to_paper(result: arxiv.Result) -> Paper | None:
    """A paper from one API entry (None when the entry carries no arXiv id, no title or
    no publication date between 1900 and 2999)."""
    parsed = parse_id(result.entry_id)
    title = clean_line(result.title)
    published = valid_date(result.published.date().isoformat())
    if parsed is None or not title or published is None:
        return None
    paper_id, version = parsed
    if version is None:  # the PDF link is versioned even when the id is not
        pdf = next(
            (
                link.href
                for link in result.links
                if link.content_type == "application/pdf" or "/pdf/" in link.href
            ),
            "",
        )
        version = (parse_id(pdf) or (None, None))[1]
    abstract = reflow(result.summary or "")
    comment = clean_line(result.comment or "")
    return Paper(
        id=paper_id,
        version=version,
        title=title,
        authors=[name for name in (clean_line(a.name) for a in result.authors) if name],
        abstract=abstract,
        published=published,
        updated=valid_date(result.updated.date().isoformat()),
        comment=comment,
        journal_ref=clean_line(result.journal_ref or ""),
        doi=clean_line(result.doi or ""),
        primary_category=clean_line(result.primary_category or ""),
        categories=[name for name in map(clean_line, result.categories) if name],
        code_urls=find_code_urls(comment, abstract),
        source="arxiv",
    )


def _root(content: bytes) -> ET.Element:
    """The parsed page. A document type declaration is refused before parsing: arXiv
    sends none, and its entities could expand a small page into a huge tree (expat stops
    a "billion laughs" only after megabytes of it)."""
    if b"<!DOCTYPE" in content:
        raise ET.ParseError("a document type declaration, which arXiv never sends")
    return ET.fromstring(content)


def page_problem(content: bytes) -> str | None:
    """Why ``content`` is not a usable page of API results (None when it is): not XML,
    not an Atom feed, or arXiv's error entry (``<id>…/api/errors#…</id>``)."""
    try:
        root = _root(content)
    except ET.ParseError as exc:
        return f"a malformed page ({exc})"
    if root.tag != f"{_ATOM}feed":
        return f"a page that is not an Atom feed (<{root.tag.rpartition('}')[2]}>)"
    error = _error_entry(root)
    return None if error is None else f"an error instead of results: {error}"


def _error_reason(content: bytes) -> str:
    """The reason arXiv's error entry gives, if ``content`` holds one."""
    try:
        return _error_entry(_root(content)) or ""
    except ET.ParseError:
        return ""


def _error_entry(root: ET.Element) -> str | None:
    for entry in root.iter(f"{_ATOM}entry"):
        if "/api/errors" in (entry.findtext(f"{_ATOM}id") or ""):
            return clean_line(entry.findtext(f"{_ATOM}summary") or "") or "no reason given"
    return None


def polite_client(
    api_url: str,
    page_size: int,
    retries: int,
    pacer: Pacer,
    count: Callable[[], None],
    connection_retries: int | None = None,
) -> tuple[arxiv.Client, requests.Session]:
    """An ``arxiv`` package client that asks ``api_url`` through a polite session (see
    below); the caller closes the session when done. ``connection_retries``: how often a
    connection that fails is tried again (default :data:`RETRIES`; 0 says "offline" at
    once, for a reader waiting on one look-up)."""
    import arxiv

    client = arxiv.Client(page_size=page_size, delay_seconds=0, num_retries=retries)
    client.query_url_format = api_url + "?{}"
    session = _session_class()(pacer, count)
    if connection_retries is not None:
        session.connection_retries = connection_retries
    client._session.close()
    client._session = session  # the package offers no other way to set its session
    return client, session


def _session_class():
    import requests

    _NOT_TRANSIENT = (requests.TooManyRedirects, requests.exceptions.ContentDecodingError)

    class PoliteSession(requests.Session):
        """The ``arxiv`` package's session: our User-Agent, a timeout on every request,
        arXiv's spacing, retries with backoff on 429/5xx and connection failures (honouring
        Retry-After) but none for a refused connection or a host name that does not resolve
        (said at once), and a :class:`SourceError` in plain words for anything else."""

        def __init__(self, pacer: Pacer, count: Callable[[], None]):
            super().__init__()
            self.pacer = pacer
            self.count = count
            """Called for every request that goes out."""
            self.last_url = ""
            self.connection_retries = RETRIES

        def request(self, method, url, *args, **kwargs) -> requests.Response:
            kwargs["timeout"] = timeouts()
            kwargs["headers"] = {"User-Agent": USER_AGENT}  # not the package's own
            self.last_url = url
            for attempt in range(RETRIES + 1):
                backoff = self.pacer.delay * 2**attempt
                self.pacer.wait()
                self.count()
                try:
                    response = super().request(method, url, *args, **kwargs)
                except requests.RequestException as exc:
                    if unreachable(exc):  # refused, no such host: nothing reached arXiv
                        raise Unreachable(_describe(exc, url, attempt + 1)) from None
                    self.pacer.sent(backoff)
                    # A bad URL, a redirect loop, an undecodable answer: the same again.
                    if isinstance(exc, (ValueError, *_NOT_TRANSIENT)):
                        raise SourceError(_describe(exc, url, attempt + 1)) from None
                    if attempt >= min(RETRIES, self.connection_retries):
                        raise Unreachable(_describe(exc, url, attempt + 1)) from None
                    continue
                if response.status_code in RETRY_STATUSES and attempt < RETRIES:
                    wait = retry_after_seconds(response)
                    if wait is not None and wait > MAX_WAIT_S:
                        raise SourceError(_status(response, attempt + 1, f"retry in {wait:.0f} s"))
                    self.pacer.sent(max(backoff, wait or 0.0))
                    continue
                self.pacer.sent()
                if response.status_code != 200:
                    reason = _error_reason(response.content)
                    raise SourceError(
                        _status(response, attempt + 1, reason and f"arXiv says: {reason}")
                    )
                problem = page_problem(response.content)
                if problem:
                    raise SourceError(f"arXiv sent {problem} ({url})")
                return response
            raise AssertionError("unreachable")

    return PoliteSession


def _status(response: requests.Response, tries: int, detail: str = "") -> str:
    reason = clean_line(response.reason or "")  # requests keeps C1 bytes (an 8-bit CSI)
    said = f"{response.url} answered {response.status_code} {reason}".rstrip()
    if tries > 1:
        said += f" ({tries} tries)"
    return f"{said}: {detail}" if detail else said


def _describe(exc: Exception, url: str, tries: int) -> str:
    import requests

    if isinstance(exc, requests.TooManyRedirects):
        return f"arXiv redirects in a loop ({exc}): {url}"
    if isinstance(exc, requests.exceptions.ContentDecodingError):
        return f"arXiv's answer could not be decoded: {url}"
    if isinstance(exc, ValueError):
        return f"{url} is not a usable URL ({exc})"
    if isinstance(exc, requests.Timeout):
        what = "did not answer in time"
    elif isinstance(exc, requests.ConnectionError) and "Failed to resolve" in str(exc):
        what = "cannot be reached: the host name could not be resolved (offline?)"
    elif isinstance(exc, requests.ConnectionError):
        what = "cannot be reached (offline?)"
    elif isinstance(exc, requests.exceptions.ChunkedEncodingError):
        what = "broke the connection off in the middle of an answer"
    else:
        what = f"failed ({type(exc).__name__})"
    return f"arXiv {what}: {url}" + (f" ({tries} tries)" if tries > 1 else "")


class ArxivTopic:
    """One ``[[topics]]`` entry: its query's newest submissions, up to ``max_results``.

    Paging stops early at the first page that brings nothing new — every paper already
    cached in this topic at the same version — so a second sync of an unchanged topic
    costs one request. That shortcut is only taken when the previous sync of the same
    query ran to its end: after one that was cut off (killed, offline, cancelled) the
    older pages it never reached are fetched too. The first page is stored with the mark
    "cut off", the last with how deep the query went.
    """

    def __init__(self, topic: Topic, settings: ArxivSettings):
        self.topic = topic
        self.settings = settings
        self.name = f"arXiv topic {topic.name}"

    def pages(self, ctx: Context) -> Iterator[Page]:
        import arxiv

        if self.topic.max_results == 0:
            yield Page(note="max_results is 0", numbered=False)
            return
        page_size = min(self.settings.page_size, self.topic.max_results)
        client, session = polite_client(
            self.settings.api_url, page_size, EMPTY_PAGE_RETRIES, ctx.arxiv_pacer, ctx.count_request
        )
        search = arxiv.Search(
            query=build_query(self.topic),
            max_results=self.topic.max_results,
            sort_by=arxiv.SortCriterion.SubmittedDate,
            sort_order=arxiv.SortOrder.Descending,
        )
        try:
            with ctx.reaching(self.settings.api_url):
                yield from self._pages(ctx, client, search, page_size, session)
        finally:
            session.close()

    def _pages(self, ctx, client, search, page_size, session) -> Iterator[Page]:
        marker = f"arxiv-query:{search.query}"
        previous = sync_state.load(ctx.cache, marker)
        complete = SyncState(marker, result=COMPLETE.format(search.max_results))
        may_stop_early = previous is not None and _depth(previous.result) >= search.max_results
        pages = 0
        for _attempt in range(EMPTY_PAGE_RETRIES + 1):  # an empty first page may be a hiccup
            for entries in _result_pages(client, search, page_size):
                pages += 1
                page, fresh = self._page(ctx, entries)
                if pages == 1:
                    page.state = SyncState(marker, result="cut off")
                if not fresh and may_stop_early:  # the pages after it are known already
                    page.state = complete
                    page.note = f"page {pages} held nothing new: stopped there"
                    yield page
                    return
                yield page
                ctx.check_cancel()
            if pages:
                yield Page(state=complete, numbered=False)
                return
        raise SourceError(
            f"arXiv returned no papers for {search.query!r} ({EMPTY_PAGE_RETRIES + 1} tries, "
            f"{session.last_url}); check the query, or try later if it matched papers before"
        )

    def _page(self, ctx: Context, entries: list) -> tuple[Page, bool]:
        """The page of ``entries``, and whether it brings anything new to the topic."""
        records, skipped = [], 0
        for entry in entries:
            paper = to_paper(entry)
            if paper is None:
                skipped += 1
            else:
                records.append(Incoming(paper, topics=(self.topic.name,)))
        known = ctx.cache.versions_in_topic(self.topic.name, [r.paper.id for r in records])
        fresh = any(known.get(r.paper.id, -1) != (r.paper.version or 0) for r in records)
        return Page(records, skipped=skipped), fresh


def _depth(result: str | None) -> int:
    """How many results the sync that recorded ``result`` reached (0: it was cut off)."""
    prefix = COMPLETE.format("")
    if result and result.startswith(prefix) and result[len(prefix) :].isdigit():
        return int(result[len(prefix) :])
    return 0


def _result_pages(client: arxiv.Client, search: arxiv.Search, page_size: int) -> Iterator[list]:
    """The package's results cut into the pages they came in (``page_size`` each; the
    last may be shorter). The next request goes out only when the next page is asked for."""
    import arxiv

    results = client.results(search)
    page: list = []
    while True:
        try:
            entry = next(results, None)
        except arxiv.UnexpectedEmptyPageError as exc:
            raise SourceError(
                f"arXiv returned an empty page where more results were due "
                f"({EMPTY_PAGE_RETRIES + 1} tries, {exc.url}); the pages before it were saved"
            ) from None
        except (ValueError, TypeError, OverflowError) as exc:  # a date or field it cannot read
            raise SourceError(f"arXiv sent an entry that cannot be read ({exc})") from None
        if entry is None:
            break
        page.append(entry)
        if len(page) == page_size:
            yield page
            page = []
    if page:
        yield page
