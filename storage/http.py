"""HTTP for every source: one client setup, timeouts, polite retries, plain-sentence errors."""

from __future__ import annotations

import email.utils
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # httpx is imported lazily: it costs start-up time
    import httpx

USER_AGENT = "paperdeck/0.1 (terminal arXiv reader)"
TIMEOUT_S = 30.0
CONNECT_TIMEOUT_S = 10.0
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class FetchError(Exception):
    """A request that failed for good; the message says which URL and why."""

    def __init__(self, message: str, status: int | None = None, retry_after: float | None = None):
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


def make_client(timeout: float = TIMEOUT_S, **kwargs) -> httpx.Client:
    import httpx

    return httpx.Client(
        timeout=httpx.Timeout(timeout, connect=min(timeout, CONNECT_TIMEOUT_S)),
        headers={"User-Agent": USER_AGENT},
        follow_redirects=True,
        **kwargs,
    )


def describe_error(exc: Exception, url: str) -> str:
    """One sentence for a transport failure: what happened, to which URL."""
    import httpx

    if isinstance(exc, httpx.TimeoutException):
        return f"{url} did not answer in time ({type(exc).__name__})"
    if isinstance(exc, httpx.ConnectError):
        reason = str(exc) or "connection failed"
        if "Name or service not known" in reason or "nodename nor servname" in reason:
            reason = "the host name could not be resolved (offline?)"
        return f"cannot reach {url}: {reason}"
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError):
        return f"{url}: the connection broke off ({exc or type(exc).__name__})"
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return f"{url} is not a usable http(s) URL"
    return f"{url}: {exc or type(exc).__name__}"


def status_error(response: httpx.Response) -> FetchError:
    reason = response.reason_phrase or ""
    retry_after = retry_after_seconds(response)
    hint = f"; try again in {retry_after:.0f} s" if retry_after else ""
    return FetchError(
        f"{response.request.url} answered {response.status_code} {reason}".rstrip() + hint,
        status=response.status_code,
        retry_after=retry_after,
    )


def retry_after_seconds(response: httpx.Response) -> float | None:
    """``Retry-After`` as seconds (it may be a number or an HTTP date)."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def read_body(response: httpx.Response, limit: int) -> bytes:
    """The body of a streamed ``response`` (closed after), at most ``limit`` bytes: a
    larger one raises :class:`FetchError` before it fills the memory."""
    import httpx

    url = str(response.request.url)
    chunks, size = [], 0
    try:
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > limit:
                raise FetchError(
                    f"{url} sent more than {limit:,} bytes; stopped reading",
                    status=response.status_code,
                )
            chunks.append(chunk)
    except httpx.HTTPError as exc:  # the connection broke, or the encoding is bad
        raise FetchError(describe_error(exc, url), status=response.status_code) from None
    finally:
        response.close()
    return b"".join(chunks)


def json_body(body: bytes) -> object:
    """``body`` decoded as JSON; ValueError for anything else, nesting too deep for the
    decoder included (that would be a RecursionError)."""
    try:
        return json.loads(body)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


def send(
    client: httpx.Client,
    request: httpx.Request,
    *,
    retries: int = 3,
    backoff: float = 1.0,
    max_wait: float = 60.0,
    sleep: Callable[[float], None] = time.sleep,
    stream: bool = False,
) -> httpx.Response:
    """Send ``request``; retry transport errors, 429 and 5xx with exponential backoff
    (honouring ``Retry-After`` up to ``max_wait``). Any other status comes back as is."""
    import httpx

    url = str(request.url)
    for attempt in range(retries + 1):
        last = attempt == retries
        try:
            response = client.send(request, stream=stream)
        except httpx.TransportError as exc:
            if last or isinstance(exc, httpx.UnsupportedProtocol):
                raise FetchError(describe_error(exc, url)) from None
            sleep(backoff * 2**attempt)
            continue
        if response.status_code not in RETRY_STATUSES or last:
            return response
        wait = retry_after_seconds(response)
        if wait is not None and wait > max_wait:
            return response  # the server asks for longer than we wait: report it
        response.close()
        sleep(backoff * 2**attempt if wait is None else wait)
    raise AssertionError("unreachable")
