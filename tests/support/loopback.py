"""A real HTTP server on 127.0.0.1 for tests: real sockets, real protocol, scripted answers.

Routes map a path to a handler ``handler(request) -> Reply``; every request is recorded
so tests can check what the client sent (and that a cached answer sent nothing).
``in_turn`` scripts a sequence of answers (a 429, then the real one).
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    at: float = field(default_factory=time.monotonic)
    """When the request arrived (``time.monotonic``), to check the spacing of requests."""

    def json(self):
        return json.loads(self.body)


@dataclass
class Reply:
    status: int = 200
    body: bytes | str = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    """Seconds to wait before answering (for timeouts)."""
    truncate: bool = False
    """Promise the whole body, send half, then close (a connection reset mid-body)."""
    stream: Callable[[], Iterable[bytes]] | None = None
    """Send the body in chunks as this yields them (chunked transfer encoding, each chunk
    flushed at once): a streamed answer, which may wait between chunks."""

    @classmethod
    def json(cls, data, status: int = 200, **headers: str) -> Reply:
        return cls(status, json.dumps(data), {"Content-Type": "application/json", **headers})


Handler = Callable[[Request], Reply]


class _QuietServer(ThreadingHTTPServer):
    """A client that hangs up early (a timeout, a reset, a streamed answer closed unread)
    is part of what tests do: not worth a traceback on stderr, which tests read."""

    def handle_error(self, request, client_address) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def in_turn(*replies: Reply | Handler) -> Handler:
    """A handler that answers with ``replies`` one after the other, then the last forever."""
    queue = list(replies)

    def handle(request: Request) -> Reply:
        reply = queue.pop(0) if len(queue) > 1 else queue[0]
        return reply if isinstance(reply, Reply) else reply(request)

    return handle


class LoopbackServer:
    """``with LoopbackServer({"/path": handler}) as server: server.url("/path")``; a route
    ending in ``*`` serves every path that starts with what precedes it."""

    def __init__(self, routes: dict[str, Handler | Reply] | None = None):
        self.routes: dict[str, Handler | Reply] = dict(routes or {})
        self.requests: list[Request] = []
        self.in_flight = 0
        self.max_in_flight = 0
        """The most requests ever handled at once."""
        self._lock = threading.Lock()
        self._server = _QuietServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        # A short poll interval: shutting down waits for one poll, in every test.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def base(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str = "/") -> str:
        return self.base + path

    def route(self, path: str) -> Handler | Reply | None:
        """The route of ``path``: its own, or that of the longest ``prefix*`` it starts with."""
        if path in self.routes:
            return self.routes[path]
        prefixes = [p for p in self.routes if p.endswith("*") and path.startswith(p[:-1])]
        return self.routes[max(prefixes, key=len)] if prefixes else None

    def requests_to(self, path: str) -> list[Request]:
        return [request for request in self.requests if request.path == path]

    def __enter__(self) -> LoopbackServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler_class(self):
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # keep test output quiet
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                request = Request(
                    self.command, parts.path, parse_qs(parts.query), dict(self.headers), body
                )
                with server._lock:
                    server.requests.append(request)
                    server.in_flight += 1
                    server.max_in_flight = max(server.max_in_flight, server.in_flight)
                try:
                    route = server.route(parts.path)
                    if route is None:
                        reply = Reply(404, "not found")
                    else:
                        reply = route if isinstance(route, Reply) else route(request)
                    self._send(reply)
                finally:
                    with server._lock:
                        server.in_flight -= 1

            def _send(self, reply: Reply) -> None:
                if reply.delay:
                    threading.Event().wait(reply.delay)
                if reply.stream is not None:
                    self._send_stream(reply)
                    return
                body = reply.body.encode() if isinstance(reply.body, str) else reply.body
                try:
                    self.send_response(reply.status)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    if reply.truncate:
                        self.wfile.write(body[: len(body) // 2])
                        self.wfile.flush()
                        self.close_connection = True
                        return
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True

            def _send_stream(self, reply: Reply) -> None:
                try:
                    self.send_response(reply.status)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    for chunk in reply.stream():
                        if chunk:
                            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                            self.wfile.flush()
                    self.wfile.write(b"0\r\n\r\n")
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True

            do_GET = do_POST = do_HEAD = _handle

        return _Handler
