"""Talking to the model: OpenAI-compatible ``/v1/chat/completions`` (server-sent
events) and Ollama's native ``/api/chat`` (one JSON object a line), both streamed.

Ollama's own endpoint is used rather than its OpenAI-compatible one because only the
native API takes ``options.num_ctx``: without it Ollama silently cuts the prompt to its
default context (a few thousand tokens), and the passages with it.

A :class:`Chat` is one request; :meth:`Chat.cancel` (from any thread) stops it and
closes the connection. Every failure is an :class:`AssistantError`: one sentence that
names the URL — and never the API key.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from paperdeck.storage.config import AssistantSettings, config_path
from paperdeck.storage.http import FetchError, MissingKey, describe_error, make_client, send
from paperdeck.storage.http import api_key as env_key
from paperdeck.storage.parsers.text import clean_line
from paperdeck.storage.translate.base import server_message, status_text

if TYPE_CHECKING:
    import httpx

READ_TIMEOUT_S = 300.0
"""Seconds to wait for the next bytes: a local model on a laptop may read an 8,000-token
prompt for minutes before its first word (``PAPERDECK_HTTP_TIMEOUT`` overrides)."""
ANSWER_TOKENS = 1024
"""Room for the answer beyond the prompt, in Ollama's ``num_ctx``."""
MAX_ANSWER_CHARS = 200_000
"""An answer longer than this is no answer: reading stops there."""
MAX_ERROR_BYTES = 64 * 1024


class AssistantError(Exception):
    """One sentence saying what failed and where."""


class Chat:
    """One streamed chat request to the configured server."""

    def __init__(self, settings: AssistantSettings, client: httpx.Client | None = None):
        if settings.provider not in ("openai", "ollama"):
            raise AssistantError(
                "no assistant is configured — set [assistant] provider (openai or ollama), "
                f"url and model in {config_path()}"
            )
        if not settings.model.strip():
            raise AssistantError(
                f"no model configured for the assistant — set [assistant] model in "
                f"{config_path()} (for example qwen2.5:7b)"
            )
        self.settings = settings
        self.key = api_key(settings)
        self.url = endpoint(settings)
        self._client = client
        self._cancel = threading.Event()
        self._response: httpx.Response | None = None
        self._lock = threading.Lock()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        """Stop the request: the stream ends at once (the text so far is kept). Its
        socket is shut down, which wakes the thread waiting on it (closing the response
        from another thread would wait for the next bytes)."""
        self._cancel.set()
        with self._lock:
            response = self._response
        stream = response.extensions.get("network_stream") if response is not None else None
        sock = stream.get_extra_info("socket") if stream is not None else None
        if sock is not None:
            with contextlib.suppress(OSError):  # already closed
                sock.shutdown(socket.SHUT_RDWR)

    def complete(self, messages: list[dict], on_text: Callable[[str], None] | None = None) -> str:
        """The model's answer to ``messages``; ``on_text`` gets each piece as it comes.
        After :meth:`cancel`, the text received until then."""
        import httpx

        own = self._client is None
        client = make_client(timeout=READ_TIMEOUT_S) if own else self._client
        pieces: list[str] = []
        try:
            request = client.build_request(
                "POST", self.url, json=self._payload(messages), headers=self._headers()
            )
            if self.cancelled:
                return ""
            response = send(client, request, retries=1, stream=True, max_wait=30.0)
            with self._lock:
                self._response = response
            try:
                if self.cancelled:  # while it was being sent
                    return ""
                if response.status_code >= 400:
                    raise self._failure(response)
                self._read(response, pieces, on_text)
            finally:
                response.close()
        except httpx.InvalidURL:
            raise self._error(f"{self.url} is not a usable URL; check [assistant] url") from None
        except FetchError as exc:
            raise self._error(f"the assistant could not be asked: {exc}") from None
        except httpx.TransportError as exc:
            if not self.cancelled:
                raise self._error(describe_error(exc, self.url)) from None
        except httpx.HTTPError as exc:
            raise self._error(describe_error(exc, self.url)) from None
        finally:
            if own:
                client.close()
        answer = "".join(pieces)
        if not answer.strip() and not self.cancelled:
            raise self._error(f"the assistant at {self.url} sent an empty answer")
        return answer

    # --- the two protocols ---------------------------------------------------------------

    def _payload(self, messages: list[dict]) -> dict:
        payload: dict = {"model": self.settings.model, "messages": messages, "stream": True}
        if self.settings.provider == "ollama":
            payload["options"] = {
                "num_ctx": self.settings.context_tokens + ANSWER_TOKENS,
                "temperature": 0.2,
            }
        else:
            payload["temperature"] = 0.2
        return payload

    def _headers(self) -> dict[str, str]:
        headers = {"Accept": "application/x-ndjson, text/event-stream, application/json"}
        if self.key:
            headers["Authorization"] = f"Bearer {self.key}"
        return headers

    def _read(self, response: httpx.Response, pieces: list[str], on_text) -> None:
        kind = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if kind == "text/html":
            raise self._unreadable("an HTML page instead of an answer; is this its API URL?")
        ollama = self.settings.provider == "ollama"
        if kind == "application/json":  # a server that does not stream: the whole answer
            data = self._json(_bounded(response, MAX_ANSWER_CHARS * 4))
            piece = self._ollama_data(data)[0] if ollama else self._openai_data(data)
            pieces.append(piece)
            if on_text is not None:
                on_text(piece)
            return
        size = 0
        for line in response.iter_lines():
            if self.cancelled:
                return
            if ollama:
                piece, done = self._ollama_line(line)
            else:
                piece, done = self._openai_line(line, kind)
            if piece:
                size += len(piece)
                if size > MAX_ANSWER_CHARS:
                    return
                pieces.append(piece)
                if on_text is not None:
                    on_text(piece)
            if done:
                return

    def _openai_line(self, line: str, kind: str) -> tuple[str, bool]:
        line = line.strip()
        if not line or line.startswith(":") or line.startswith(("event:", "id:", "retry:")):
            return "", False
        if line.startswith("data:"):
            line = line[5:].strip()
            if line == "[DONE]":
                return "", True
        elif kind == "text/event-stream":
            raise self._unreadable(f"a line that is no server-sent event: {line[:60]!r}")
        return self._openai_data(self._json(line)), False

    def _openai_data(self, data: dict) -> str:
        choices = data.get("choices")
        if not isinstance(choices, list) or not choices:
            return ""  # a usage or keep-alive chunk
        choice = choices[0]
        if not isinstance(choice, dict):
            raise self._unreadable("choices[0] is not an object")
        # A streamed chunk holds a delta; a server that ignores "stream" sends the message.
        part = choice.get("delta") or choice.get("message") or {}
        content = part.get("content") if isinstance(part, dict) else None
        if content is not None and not isinstance(content, str):
            raise self._unreadable("the content is not text")
        return content or ""

    def _ollama_line(self, line: str) -> tuple[str, bool]:
        if not line.strip():
            return "", False
        return self._ollama_data(self._json(line))

    def _ollama_data(self, data: dict) -> tuple[str, bool]:
        message = data.get("message")
        content = message.get("content") if isinstance(message, dict) else None
        if content is not None and not isinstance(content, str):
            raise self._unreadable("message.content is not text")
        return content or "", bool(data.get("done"))

    def _json(self, line: str | bytes) -> dict:
        try:
            data = json.loads(line)
        except (ValueError, RecursionError):
            start = line.decode("utf-8", "replace") if isinstance(line, bytes) else line
            raise self._unreadable(f"{clean_line(start)[:60]!r} is not JSON") from None
        if not isinstance(data, dict):
            raise self._unreadable("a line is not a JSON object")
        error = data.get("error")
        if error:
            said = error.get("message") if isinstance(error, dict) else error
            said = clean_line(str(said))[:300]
            raise self._error(f"the assistant at {self.url} stopped with an error: {said}")
        return data

    # --- errors --------------------------------------------------------------------------

    def _failure(self, response: httpx.Response) -> AssistantError:
        said = server_message(_bounded(response, MAX_ERROR_BYTES))
        answered = f"the assistant at {self.url} answered {status_text(response)}" + (
            f" ({said})" if said else ""
        )
        status = response.status_code
        if status in (401, 403):
            if self.key:
                return self._error(
                    f"{answered}: it rejected the key in ${self.settings.api_key_env}"
                )
            return self._error(
                f"{answered}; if it needs a key, name the environment variable that holds it "
                f"in [assistant] api_key_env in {config_path()}"
            )
        if status == 404:
            if "model" in said.lower():
                return self._error(f"{answered}; check [assistant] model in {config_path()}")
            hint = "…/v1 base" if self.settings.provider == "openai" else "base (no /api)"
            return self._error(
                f"{answered}; [assistant] url in {config_path()} should be its {hint}"
            )
        return self._error(answered)

    def _unreadable(self, what: str) -> AssistantError:
        return self._error(
            f"the assistant at {self.url} sent an answer paperdeck cannot read ({what})"
        )

    def _error(self, message: str) -> AssistantError:
        return AssistantError(message.replace(self.key, "***") if self.key else message)


def _bounded(response: httpx.Response, limit: int) -> bytes:
    """At most ``limit`` bytes of the body."""
    body = bytearray()
    for chunk in response.iter_bytes():
        body += chunk
        if len(body) > limit:
            break
    return bytes(body[:limit])


def endpoint(settings: AssistantSettings) -> str:
    """The URL a question goes to."""
    base = settings.url.rstrip("/")
    if settings.provider == "ollama":
        base = base.removesuffix("/v1").removesuffix("/api")
        return f"{base}/api/chat"
    return f"{base}/chat/completions"


def api_key(settings: AssistantSettings) -> str | None:
    """The key from the environment variable ``api_key_env`` names (None when it names
    none)."""
    try:
        return env_key(settings.api_key_env, f"[assistant] api_key_env in {config_path()}")
    except MissingKey as exc:
        raise AssistantError(str(exc)) from None
