"""What every provider shares: a polite request, its JSON answer, and any failure as one
calm sentence that names the URL and the status — and never the API key."""

from __future__ import annotations

import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from paperdeck.storage.config import TranslationSettings, config_path
from paperdeck.storage.http import FetchError, json_body, retry_after_seconds, send
from paperdeck.storage.parsers.text import clean_line
from paperdeck.storage.translate.errors import TooLong, TranslationError

if TYPE_CHECKING:  # httpx is imported lazily: it costs start-up time
    import httpx

log = logging.getLogger(__name__)

_REASONS = {456: "Quota Exceeded"}  # DeepL's own status: HTTP has no phrase for it
MAX_ANSWER_BYTES = 1 << 20
"""An answer larger than this is no translation of an abstract: it is not read further."""


class Provider(ABC):
    """A translation service bound to its settings, its key and an HTTP client.

    :meth:`translate` takes several texts and returns as many translations, in order;
    a request the service finds too large raises :class:`TooLong` (``split`` cuts it).
    """

    name: ClassVar[str]
    timeout: ClassVar[float] = 30.0
    """Seconds to wait for an answer."""
    retries: ClassVar[int] = 2
    """Retries of transport errors, 429 and 5xx when someone waits for the answer."""

    def __init__(
        self,
        settings: TranslationSettings,
        key: str | None,
        client: httpx.Client,
        *,
        sleep: Callable[[float], None] = time.sleep,
        patient: bool = False,
    ):
        self.settings = settings
        self.key = key
        self.client = client
        self.sleep = sleep
        # A batch may wait as long as the translator asks; a reader waits ten seconds at most.
        self.send_retries, self.max_wait = (4, 300.0) if patient else (self.retries, 10.0)
        self.limit: int | None = None
        """Characters per request, once the translator has refused a larger one."""

    @property
    def url(self) -> str:
        """The service's base URL."""
        return self.settings.url.rstrip("/")

    @abstractmethod
    def translate(self, texts: list[str], code: str) -> list[str]:
        """Translate English ``texts`` into ``code`` (as configured: ``zh-TW``, ``de``)."""

    # --- requests ----------------------------------------------------------------------

    def request(self, method: str, url: str, **kwargs) -> Any:
        """Send a request (retrying 429 and 5xx politely) and return its decoded JSON."""
        import httpx

        try:
            request = self.client.build_request(method, url, **kwargs)
        except httpx.InvalidURL:
            raise self.error(
                f"{url} is not a usable URL; check [translation] url in {config_path()}"
            ) from None
        log.debug("translation request: %s %s", method, url)
        try:
            response = send(
                self.client,
                request,
                retries=self.send_retries,
                max_wait=self.max_wait,
                sleep=self.sleep,
                read_limit=MAX_ANSWER_BYTES,
            )
            body = response.content
        except FetchError as exc:
            raise self.error(f"translation failed: {exc}") from None
        log.debug("translation answer: %s %s", response.status_code, url)
        if response.status_code >= 400:
            raise self.failure(response, server_message(body))
        try:
            return json_body(body)
        except ValueError:
            kind = response.headers.get("Content-Type", "no content type").split(";")[0]
            start = clean_line(body.decode("utf-8", errors="replace"))[:60]
            body = f"“{start}”" if start else "an empty body"
            raise self.error(
                f"translator at {url} answered {response.status_code} with {kind} instead of "
                f"JSON ({body}); check [translation] url in {config_path()}"
            ) from None

    def failure(self, response: httpx.Response, message: str) -> TranslationError:
        """The error for an answer of 400 or more; providers refine it for their statuses."""
        status, url = response.status_code, response.request.url
        said = status_text(response) + (f": {message}" if message else "")
        answered = f"translator at {url} answered {status_text(response)}" + (
            f" ({message})" if message else ""
        )
        retry_after = retry_after_seconds(response)
        if status in (401, 403):
            if self.key:
                return self.error(
                    f"translator at {url} rejected the API key in "
                    f"${self.settings.api_key_env} ({said})"
                )
            return self.error(
                f"{answered}; if it needs an API key, name the environment variable that "
                f"holds it in [translation] api_key_env in {config_path()}"
            )
        if status == 429:
            when = f"in {retry_after:.0f} s" if retry_after is not None else "later"
            return self.error(f"{answered}; try again {when}", retry_after)
        if status >= 500:
            when = f"in {retry_after:.0f} s" if retry_after else "later"
            return self.error(f"{answered}; the translator failed, try again {when}", retry_after)
        return self.error(answered, retry_after)

    # --- errors ------------------------------------------------------------------------

    def mask(self, text: str) -> str:
        """``text`` without the key (a server or proxy may echo it back)."""
        return text.replace(self.key, "***") if self.key else text

    def error(self, message: str, retry_after: float | None = None) -> TranslationError:
        return TranslationError(self.mask(message), retry_after)

    def too_long(self, response: httpx.Response, message: str, limit: int | None) -> TooLong:
        said = status_text(response) + (f": {message}" if message else "")
        return TooLong(self.mask(f"translator at {response.request.url} refused ({said})"), limit)

    def unexpected(self, url: str, what: str) -> TranslationError:
        return self.error(f"translator at {url} sent an answer paperdeck cannot read ({what})")


def status_text(response: httpx.Response) -> str:
    """``429 Too Many Requests``; ``456 Quota Exceeded``."""
    status = response.status_code
    reason = response.reason_phrase or _REASONS.get(status, "")
    return f"{status} {reason}".rstrip()


def server_message(body: bytes) -> str:
    """What the server said about an error, from any of the usual shapes:
    ``{"error": "…"}`` (LibreTranslate), ``{"message": "…"}`` (DeepL, older vLLM),
    ``{"error": {"message": "…"}}`` (OpenAI, Ollama, llama.cpp, newer vLLM), or a short
    plain-text body. An HTML error page says nothing worth repeating."""
    try:
        data = json_body(body)
    except ValueError:
        text = body.decode("utf-8", errors="replace").strip()
        return "" if text.startswith("<") else clean_line(text)[:200]
    if not isinstance(data, dict):
        return ""
    error = data.get("error")
    if isinstance(error, dict):
        error = error.get("message")
    message = error if isinstance(error, str) else data.get("message")
    return clean_line(message)[:300] if isinstance(message, str) else ""
