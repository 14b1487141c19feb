"""Model servers on a loopback port that speak the real streaming protocols:
OpenAI-compatible ``/v1/chat/completions`` (server-sent events, ``data: [DONE]``) and
Ollama's ``/api/chat`` (one JSON object a line, the last ``"done": true``).

``answer`` is the text to stream, or a function of the request (to answer from the
prompt it was sent). ``gate``: the stream sends its first piece, then waits for the
event before the rest (a slow model, for cancelling).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable

from paperdeck.storage.cache.database import Cache
from tests.support.fulltext import SYNTHETIC, SYNTHETIC_ID, fill
from tests.support.fulltext_reader import store
from tests.support.loopback import LoopbackServer, Reply, Request

Answer = str | Callable[[Request], str]
OPENAI_PATH = "/v1/chat/completions"
OLLAMA_PATH = "/api/chat"
GATE_WAIT_S = 30.0
"""How long a gated stream waits at most (a test that never opens the gate ends)."""


def pieces(text: str, size: int = 7) -> list[str]:
    return [text[n : n + size] for n in range(0, len(text), size)] or [""]


def _streamed(chunks: list[bytes], gate: threading.Event | None):
    def stream():
        for number, chunk in enumerate(chunks):
            if number == 1 and gate is not None:
                gate.wait(GATE_WAIT_S)
            yield chunk

    return stream


def sse_reply(text: str, gate: threading.Event | None = None) -> Reply:
    chunks = [
        b"data: "
        + json.dumps(
            {"object": "chat.completion.chunk", "choices": [{"index": 0, "delta": {"content": p}}]}
        ).encode()
        + b"\n\n"
        for p in pieces(text)
    ]
    chunks[0] = b": keep-alive\n\n" + chunks[0]  # a comment line, as llama.cpp sends
    chunks.append(
        b'data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n'
    )
    return Reply(200, headers={"Content-Type": "text/event-stream"}, stream=_streamed(chunks, gate))


def ndjson_reply(text: str, gate: threading.Event | None = None) -> Reply:
    line = {"model": "m", "created_at": "2026-12-07T00:00:00Z", "done": False}
    chunks = [
        json.dumps({**line, "message": {"role": "assistant", "content": p}}).encode() + b"\n"
        for p in pieces(text)
    ]
    chunks.append(
        json.dumps(
            {**line, "message": {"role": "assistant", "content": ""}, "done": True,
             "done_reason": "stop", "prompt_eval_count": 10, "eval_count": 5}
        ).encode() + b"\n"
    )  # fmt: skip
    return Reply(
        200, headers={"Content-Type": "application/x-ndjson"}, stream=_streamed(chunks, gate)
    )


def model_server(
    answer: Answer, *, ollama: bool = False, gate: threading.Event | None = None
) -> LoopbackServer:
    """A server answering every chat request with ``answer``, streamed."""
    make = ndjson_reply if ollama else sse_reply

    def handle(request: Request) -> Reply:
        text = answer(request) if callable(answer) else answer
        return make(text, gate)

    return LoopbackServer({OLLAMA_PATH if ollama else OPENAI_PATH: handle})


def config_text(server: LoopbackServer, *, ollama: bool = False, **more) -> str:
    """An ``[assistant]`` section pointing at ``server``."""
    settings = {
        "provider": "ollama" if ollama else "openai",
        "url": server.base if ollama else server.url("/v1"),
        "model": "test-model",
        **more,
    }
    lines = ["[assistant]"]
    for key, value in settings.items():
        lines.append(f"{key} = {json.dumps(value)}")
    return "\n".join(lines) + "\n"


def prompt_of(request: Request) -> str:
    """The user message a chat request sent (the passages and the question)."""
    return request.json()["messages"][-1]["content"]


def store_synthetic(cache: Cache) -> None:
    """The test papers in ``cache``, the synthetic one with its full text stored."""
    fill(cache)
    store(cache, SYNTHETIC_ID, SYNTHETIC.read_bytes(), f"https://arxiv.org/html/{SYNTHETIC_ID}v2")
