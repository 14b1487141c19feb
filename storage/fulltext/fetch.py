"""Fetching a paper's HTML rendering, politely: arXiv's own (``[fulltext] html_url``), then
ar5iv's (``ar5iv_url``), one request at a time, ``delay_seconds`` apart.

Only the page itself is fetched — never its images, never the abstract page a redirect
points at. A 404 (arXiv, ar5iv), a 410, or ar5iv's redirect to ``/abs/`` means "no
rendering there"; when neither service has one, :class:`NoRendering` says so in one
sentence with the PDF link. The body is read at most :data:`MAX_PAGE_BYTES` after
decompression (a gzip bomb stops there too), and 429/5xx are retried with backoff,
honouring ``Retry-After`` (:func:`paperdeck.storage.http.send`).
"""

from __future__ import annotations

import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from paperdeck.storage.config import FulltextSettings
from paperdeck.storage.http import FetchError, make_client, send, status_error

if TYPE_CHECKING:
    import httpx

MAX_PAGE_BYTES = 64 * 1024 * 1024
"""The largest page read (decompressed). arXiv's longest renderings, math-heavy books,
reach a few tens of megabytes; beyond this a page is refused with a message."""
MAX_PDF_BYTES = 128 * 1024 * 1024
"""The largest PDF read: arXiv refuses submissions much larger than this."""
MAX_REDIRECTS = 5
RETRIES = 2
"""Tries after the first for 429, 5xx and broken connections."""
NOT_THERE = frozenset({404, 410})
HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True, slots=True)
class Page:
    url: str
    """Where the page came from, after redirects."""
    body: bytes
    content_type: str = ""


class NoRendering(Exception):
    """Neither arXiv nor ar5iv has an HTML rendering of the paper."""

    def __init__(self, paper_id: str, pdf_url: str):
        super().__init__(
            f"arXiv has no HTML rendering of {paper_id} (nor has ar5iv); "
            f"read its PDF instead: {pdf_url}"
        )
        self.paper_id = paper_id
        self.pdf_url = pdf_url


class _Spacing:
    """One full-text request at a time per process, ``delay`` seconds apart."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._next = 0.0

    def wait(self, delay: float, sleep: Callable[[float], None]) -> None:
        with self._lock:
            now = time.monotonic()
            wait = self._next - now
            self._next = max(now, self._next) + delay
        if wait > 0:
            sleep(wait)

    def unsent(self, delay: float) -> None:
        """The request just spaced never reached a server: the next need not wait for it."""
        with self._lock:
            self._next -= delay

    def answered(self, delay: float) -> None:
        """A server answered just now: the next request waits ``delay`` from here (a
        request slow to leave or to be answered does not eat into the spacing)."""
        with self._lock:
            self._next = max(self._next, time.monotonic() + delay)


SPACING = _Spacing()


def pdf_url(paper_id: str, version: int | None, settings: FulltextSettings | None = None) -> str:
    base = (settings or FulltextSettings()).pdf_url
    return f"{base.rstrip('/')}/{paper_id}" + (f"v{version}" if version else "")


def page_urls(paper_id: str, version: int | None, settings: FulltextSettings) -> list[str]:
    """Where a rendering may be, in the order asked: arXiv's (versioned when the version
    is known; never with a trailing slash), then ar5iv's."""
    versioned = f"{paper_id}v{version}" if version else paper_id
    html, ar5iv = (url.rstrip("/") + "/" for url in (settings.html_url, settings.ar5iv_url))
    return [f"{html}{versioned}", f"{ar5iv}{paper_id}"]


def fetch_page(
    paper_id: str,
    version: int | None,
    settings: FulltextSettings,
    *,
    client: httpx.Client | None = None,
    sleep: Callable[[float], None] = time.sleep,
    limit: int = MAX_PAGE_BYTES,
    progress: Callable[[str], None] | None = None,
) -> Page:
    """The paper's rendering; :class:`NoRendering` when there is none, a
    :class:`FetchError` (one sentence: which URL, what happened) when a service failed."""
    own = client is None
    client = client or make_client()
    client.follow_redirects = False  # each redirect is looked at before it is followed
    failure: FetchError | None = None
    try:
        for url in page_urls(paper_id, version, settings):
            if progress is not None:
                progress(f"Fetching {url}")
            try:
                page = _fetch(client, url, settings, sleep, limit)
            except FetchError as exc:
                failure = failure or exc
                continue
            if page is not None:
                return page
    finally:
        if own:
            client.close()
    if failure is not None:
        raise failure
    raise NoRendering(paper_id, pdf_url(paper_id, version))


def fetch_pdf(
    paper_id: str,
    version: int | None,
    settings: FulltextSettings,
    *,
    client: httpx.Client | None = None,
    sleep: Callable[[float], None] = time.sleep,
    limit: int = MAX_PDF_BYTES,
    progress: Callable[[str], None] | None = None,
) -> Page | None:
    """The paper's PDF from ``[fulltext] pdf_url`` (politely, like the pages), or None
    when there is none; a :class:`FetchError` when the service failed."""
    url = pdf_url(paper_id, version, settings)
    own = client is None
    client = client or make_client()
    client.follow_redirects = False
    if progress is not None:
        progress(f"No HTML rendering; fetching the PDF {url}")
    try:
        SPACING.wait(settings.delay_seconds, sleep)  # a redirect hop is part of the request
        for _ in range(MAX_REDIRECTS + 1):
            request = client.build_request("GET", url, headers={"Accept": "application/pdf"})
            response = _send(client, request, settings, sleep)
            try:
                status = response.status_code
                if status in NOT_THERE:
                    return None
                if status in (301, 302, 303, 307, 308):
                    url = urljoin(url, response.headers.get("Location", ""))
                    if urlsplit(url).scheme not in ("http", "https"):
                        return None
                    continue
                if status != 200:
                    raise status_error(response)
                body = read_limited(response, limit)
                if not body.startswith(b"%PDF-"):
                    return None  # arXiv's page about a withdrawn paper, not a PDF
                return Page(str(response.url), body, response.headers.get("Content-Type", ""))
            finally:
                response.close()
        raise FetchError(f"{url} redirects more than {MAX_REDIRECTS} times")
    finally:
        if own:
            client.close()


def _fetch(client, url: str, settings, sleep, limit: int) -> Page | None:
    """The page at ``url`` (following redirects that stay among renderings), or None
    when there is no rendering there."""
    SPACING.wait(settings.delay_seconds, sleep)  # a redirect hop is part of the request
    for _ in range(MAX_REDIRECTS + 1):
        request = client.build_request(
            "GET", url, headers={"Accept": "text/html", "Accept-Encoding": "gzip, deflate"}
        )
        response = _send(client, request, settings, sleep)
        try:
            status = response.status_code
            if status in NOT_THERE:
                return None
            if status in (301, 302, 303, 307, 308):
                target = urljoin(url, response.headers.get("Location", ""))
                parts = urlsplit(target)
                if parts.scheme not in ("http", "https") or not _is_rendering(parts.path):
                    return None  # ar5iv sends papers it does not hold to /abs/
                url = target
                continue
            if status != 200:
                raise status_error(response)
            content_type = response.headers.get("Content-Type", "")
            if content_type and not content_type.lower().startswith(HTML_TYPES):
                return None  # a PDF, an image: not a rendering
            body = read_limited(response, limit)
            return Page(str(response.url), body, content_type)
        finally:
            response.close()
    raise FetchError(f"{url} redirects more than {MAX_REDIRECTS} times")


def _send(client, request, settings, sleep) -> httpx.Response:
    """:func:`send`, telling the spacing what came of it."""
    try:
        response = send(client, request, retries=RETRIES, stream=True, sleep=sleep)
    except FetchError as exc:
        if exc.unreachable:  # nothing reached the service: the next need not wait
            SPACING.unsent(settings.delay_seconds)
        else:
            SPACING.answered(settings.delay_seconds)
        raise
    SPACING.answered(settings.delay_seconds)
    return response


def _is_rendering(path: str) -> bool:
    return "/abs/" not in path and "/pdf/" not in path


def read_limited(response: httpx.Response, limit: int) -> bytes:
    """The body of a streamed ``response``, decompressed as it comes (gzip, deflate), at
    most ``limit`` bytes: more is a :class:`FetchError`, before it fills the memory —
    a compressed body is never inflated past the limit either."""
    import httpx

    encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
    decoder = None
    if encoding in ("gzip", "x-gzip", "deflate"):
        decoder = zlib.decompressobj(zlib.MAX_WBITS | 32)  # gzip or zlib, detected
    elif encoding not in ("", "identity"):
        raise FetchError(
            f"{response.request.url} sent its page in an encoding we did not ask for ({encoding})"
        )
    out = bytearray()

    def too_big() -> FetchError:
        return FetchError(
            f"{response.request.url} sent a page larger than {limit // (1024 * 1024)} MB; "
            "stopped reading (no paper's rendering is that large)",
            status=response.status_code,
        )

    try:
        for chunk in response.iter_raw(65536):
            if decoder is None:
                out += chunk
            else:
                data = decoder.decompress(chunk, limit + 1 - len(out))
                out += data
                while decoder.unconsumed_tail and len(out) <= limit:
                    out += decoder.decompress(decoder.unconsumed_tail, limit + 1 - len(out))
            if len(out) > limit:
                raise too_big()
    except zlib.error as exc:
        url = response.request.url
        raise FetchError(f"{url}: the page could not be decompressed ({exc})") from None
    except httpx.TransportError as exc:
        reason = str(exc) or type(exc).__name__
        raise FetchError(f"{response.request.url}: the connection broke off ({reason})") from None
    return bytes(out)
