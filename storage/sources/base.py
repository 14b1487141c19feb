"""What every sync source is: something that fetches papers and hands them over a page at
a time. The arXiv API topics, the new-submission feeds and the remote digests are each one
:class:`Source`; :func:`paperdeck.storage.sources.runner.run_sync` runs them alike and is
the only one that writes what they bring into the cache.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlsplit

from paperdeck.storage.cache.database import Cache
from paperdeck.storage.cache.sync_state import SyncState
from paperdeck.storage.http import FetchError, make_client
from paperdeck.storage.models import Incoming

if TYPE_CHECKING:
    import httpx


@dataclass(frozen=True)
class SyncEvent:
    """Progress of one source, for a progress line or bar."""

    source: str
    """e.g. "arXiv topic LLM", "feed cs.CL", "digest https://…"."""
    kind: str
    """"start" | "page" | "done" | "failed"."""
    page: int | None = None
    new: int = 0
    """Cumulative for this source."""
    updated: int = 0
    message: str = ""
    """For "failed": the reason, one sentence (a note for "done")."""


@dataclass
class SourceResult:
    """How one source's sync went."""

    source: str
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    requests: int = 0
    error: str | None = None


NOT_MODIFIED = "not modified since the last sync"


class SourceError(Exception):
    """A source failed for good; the message says what, where (URL, status) and why."""


class Unreachable(SourceError):
    """A host did not answer at all (after retries): offline, refused, timed out."""


class Cancelled(Exception):
    """The sync was asked to stop."""


def sleep_unless_cancelled(cancel: threading.Event, seconds: float) -> None:
    """Sleep, or raise :class:`Cancelled` as soon as ``cancel`` is set."""
    if cancel.wait(max(0.0, seconds)) or cancel.is_set():
        raise Cancelled


class Pacer:
    """Spacing between requests to one service (arXiv asks for 3 s), and sleeps that
    a cancel request interrupts."""

    def __init__(self, delay: float, cancel: threading.Event):
        self.delay = delay
        self.cancel = cancel
        self._next = 0.0

    def wait(self) -> None:
        """Block until the next request may go out; raise :class:`Cancelled` if asked to stop."""
        self.sleep(self._next - time.monotonic())

    def sent(self, not_before: float = 0.0) -> None:
        """A request just went out: the next waits ``delay`` (or ``not_before``) seconds."""
        self._next = time.monotonic() + max(self.delay, not_before)

    def sleep(self, seconds: float) -> None:
        sleep_unless_cancelled(self.cancel, seconds)


@dataclass
class Page:
    """One answer of a source, for the runner to store: its records and the sync state
    that goes with them are written in one transaction — both, or neither.

    ``records`` is consumed once, inside that transaction, so a large digest streams
    through its parser; a source that streams may fill in ``skipped`` and ``note`` as the
    records are read (the runner reads both after them), and raise :class:`SourceError`
    from them to store nothing of the page.
    """

    records: Iterable[Incoming] = ()
    state: SyncState | None = None
    """What to remember about the source once these records are stored (validators,
    how far a query went, a lookup's answer)."""
    skipped: int = 0
    """Entries of the answer that could not be read, or papers left for later."""
    note: str = ""
    """For the source's "done" event; a later page's note replaces an earlier one."""
    numbered: bool = True
    """Whether a "page" event reports it: False for what only marks something (the end
    of a query, "not modified", a lookup's answer)."""


class Context:
    """What a source works with during one sync: the cache to read (never to write), one
    HTTP client, the arXiv pacer, cancellation, and a count of the requests made."""

    def __init__(self, cache: Cache, arxiv_pacer: Pacer):
        self.cache = cache
        self.arxiv_pacer = arxiv_pacer
        self.cancel = arxiv_pacer.cancel
        self._http: httpx.Client | None = None
        self.requests = 0
        """HTTP requests made so far (through ``http``, or counted with :meth:`count_request`)."""
        self.unreachable: dict[str, str] = {}
        """Hosts that did not answer during this sync, with the reason."""

    @property
    def http(self) -> httpx.Client:
        """The httpx client for feeds, digests and lookups, made when first needed."""
        if self._http is None:
            self._http = make_client(event_hooks={"request": [self.count_request]})
        return self._http

    def close(self) -> None:
        if self._http is not None:
            self._http.close()

    def count_request(self, _request: object = None) -> None:
        """One more request went out (the arXiv package's session counts its own here)."""
        self.requests += 1

    @contextmanager
    def reaching(self, url: str) -> Iterator[None]:
        """Around requests to ``url``'s host: once a host has not answered, the next
        sources on it fail at once instead of retrying all over again (offline)."""
        host = urlsplit(url).netloc
        if host in self.unreachable:
            raise Unreachable(
                f"{host} did not answer earlier in this sync: {self.unreachable[host]}"
            )
        try:
            yield
        except Unreachable as exc:
            self.unreachable[host] = str(exc)
            raise
        except FetchError as exc:
            if exc.status is None:  # no answer at all, not an error status
                self.unreachable[host] = str(exc)
            raise

    def sleep(self, seconds: float) -> None:
        sleep_unless_cancelled(self.cancel, seconds)

    def check_cancel(self) -> None:
        if self.cancel.is_set():
            raise Cancelled


class Source(Protocol):
    name: str
    """How progress lines and the summary name this source."""

    def pages(self, ctx: Context) -> Iterator[Page]:
        """Fetch papers and yield them a page at a time, reading ``ctx.cache`` where need
        be but never writing to it; raise :class:`SourceError` (or :class:`Cancelled`) to
        stop — the pages yielded before are kept."""
