"""HTTP for every source: one client setup, timeouts, polite retries, plain-sentence errors."""

from __future__ import annotations

import email.utils
import json
import os
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # httpx is imported lazily: it costs start-up time
    import httpx

USER_AGENT = "paperdeck/0.1 (terminal arXiv reader)"
TIMEOUT_S = 30.0
CONNECT_TIMEOUT_S = 10.0
TIMEOUT_ENV = "PAPERDECK_HTTP_TIMEOUT"
BACKOFF_S = 1.0
"""First wait before retrying a request (it doubles), where the caller sets none."""
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


def timeout_s(default: float = TIMEOUT_S) -> float:
    """Seconds to wait for a connection or an answer: ``PAPERDECK_HTTP_TIMEOUT`` when it
    holds a positive number (slow links, tests), else ``default``."""
    try:
        seconds = float(os.environ.get(TIMEOUT_ENV) or "nan")
    except ValueError:
        return default
    return seconds if seconds > 0 else default


def timeouts(default: float = TIMEOUT_S) -> tuple[float, float]:
    """(connect, read) timeouts in seconds."""
    read = timeout_s(default)
    return min(read, CONNECT_TIMEOUT_S), read


class MissingKey(Exception):
    """The environment variable a setting names for an API key is not set."""


def api_key(env_name: str, setting: str) -> str | None:
    """The API key in the environment variable ``env_name`` (None when no variable is
    named); :class:`MissingKey` names the variable and the ``setting`` that names it
    (``[translation] api_key_env in …/config.toml``) when it is not set."""
    name = env_name.strip()
    if not name:
        return None
    key = os.environ.get(name, "").strip()
    if not key:
        raise MissingKey(f"the environment variable {name}, named by {setting}, is not set")
    return key


class FetchError(Exception):
    """A request that failed for good; the message says which URL and why."""

    def __init__(self, message: str, status: int | None = None, retry_after: float | None = None):
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


def make_client(timeout: float = TIMEOUT_S, **kwargs) -> httpx.Client:
    """A client with our User-Agent and ``timeout`` (or ``PAPERDECK_HTTP_TIMEOUT``)."""
    import httpx

    connect, read = timeouts(timeout)
    return httpx.Client(
        timeout=httpx.Timeout(read, connect=connect),
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
    if isinstance(exc, httpx.TooManyRedirects):
        return f"{url} redirects in a loop ({exc})"
    if isinstance(exc, httpx.DecodingError):
        return f"{url}: the answer could not be decoded ({exc})"
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


def _read_bounded(response: httpx.Response, limit: int) -> bytes:
    """The body of a streamed ``response`` (closed after), at most ``limit`` bytes: a
    larger one raises :class:`FetchError` before it fills the memory. A connection that
    breaks off raises ``httpx.TransportError``, a body that cannot be decoded
    ``httpx.DecodingError``."""
    chunks, size = [], 0
    try:
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > limit:
                raise FetchError(
                    f"{response.request.url} sent more than {limit:,} bytes; stopped reading",
                    status=response.status_code,
                )
            chunks.append(chunk)
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
    backoff: float | None = None,
    max_wait: float = 60.0,
    sleep: Callable[[float], None] = time.sleep,
    stream: bool = False,
    read_limit: int | None = None,
) -> httpx.Response:
    """Send ``request``; retry transport errors, 429 and 5xx with exponential backoff
    (honouring ``Retry-After`` up to ``max_wait``). Any other status comes back as is.

    With ``read_limit`` the answer is read within the same tries, at most that many bytes
    (more is a :class:`FetchError`), and comes back whole: an answer that breaks off
    mid-body is tried again like a refused connection."""
    import httpx

    url = str(request.url)
    backoff = BACKOFF_S if backoff is None else backoff
    for attempt in range(retries + 1):
        try:
            response = client.send(request, stream=stream or read_limit is not None)
            wait = retry_after_seconds(response)
            # Retry 429 and 5xx, unless tries are over or the server asks for longer than
            # we wait (then its answer is reported).
            retry = (
                response.status_code in RETRY_STATUSES
                and attempt < retries
                and (wait is None or wait <= max_wait)
            )
            if read_limit is not None and not retry:
                body = _read_bounded(response, read_limit)
                return httpx.Response(
                    response.status_code,
                    headers=response.headers,
                    content=body,
                    request=request,
                    extensions=response.extensions,
                )
        except httpx.TransportError as exc:
            if attempt == retries or isinstance(exc, httpx.UnsupportedProtocol):
                raise FetchError(describe_error(exc, url)) from None
            sleep(backoff * 2**attempt)
            continue
        except httpx.HTTPError as exc:  # a redirect loop, an undecodable body: no retry
            raise FetchError(describe_error(exc, url)) from None
        if not retry:
            return response
        response.close()
        sleep(backoff * 2**attempt if wait is None else wait)
    raise AssertionError("unreachable")
