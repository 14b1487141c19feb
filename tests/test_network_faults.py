"""Network faults, for every command that goes to the network — sync (arXiv API, a feed, a
remote digest), import from a URL, translate — through the real CLI entry point against
real sockets: offline, a name that does not resolve, a connection reset mid-body, a server
slower than the timeout, and storms of 429 and 503. Each ends in one clear sentence naming
the URL (and the status), exit status 1, no traceback, within the configured timeout and
retries, and a cache exactly as it was: user state, metadata and translations, with no
temporary file left behind.

DNS: a ``.invalid`` name fails at once on this machine, but a resolver with no network
may take seconds per lookup on another, so the resolver's answer for ``.invalid`` names
is given at the socket layer (``socket.getaddrinfo`` raises what glibc raises). Everything
above it — httpcore/httpx and urllib3/requests, and paperdeck — runs unchanged; and the
name is one that no real host can answer, should the patch ever not apply.
"""

from __future__ import annotations

import socket
import tempfile
import time
from pathlib import Path

import pytest

from paperdeck.storage import http
from paperdeck.storage.cache.database import Cache
from paperdeck.storage.config import LibrarySettings, cache_path, config_path
from paperdeck.storage.library.journal_file import Journal
from paperdeck.storage.models import Incoming, Paper, Translation
from paperdeck.storage.sources import remote_digests
from paperdeck.tui.cli import main
from tests.support.loopback import LoopbackServer, Reply

TIMEOUT = 0.4
PAPER = "2406.00001"
OPERATIONS = {
    # name: (config, arguments, paths asked, tries of a failing request)
    "sync arXiv API": (
        '[arxiv]\napi_url = "{base}/api/query"\ndelay_seconds = 0\npage_size = 10\n\n'
        '[[topics]]\nname = "LLM"\nquery = "ti:llm"\nmax_results = 20\n',
        ["sync"], ["/api/query"], 4,
    ),
    "sync feed": (
        '[arxiv]\ndelay_seconds = 0\n\n[[feeds]]\ncategory = "cs.CL"\n', ["sync"], ["/rss/cs.CL"], 4,
    ),
    "sync digest": ('[[digests]]\nurl = "{base}/digest.md"\n', ["sync"], ["/digest.md"], 4),
    "import URL": ("", ["import", "{base}/digest.md"], ["/digest.md"], 4),
    "translate": (
        '[translation]\nprovider = "libretranslate"\nurl = "{base}"\ntarget = "de"\n',
        ["translate", PAPER], ["/languages", "/translate"], 3,
    ),
}  # fmt: skip
BODY = b"<feed>" + b"x" * 20000 + b"</feed>"
FAULTS = {
    # name: (reply, what the message says)
    "reset mid-body": (Reply(200, BODY, truncate=True), "broke"),
    "slow server": (Reply(200, BODY, delay=TIMEOUT * 3), "did not answer in time"),
    "429 storm": (Reply(429, "slow down", {"Retry-After": "0"}), "429 Too Many Requests"),
    "503 storm": (Reply(503, "busy"), "503 Service Unavailable"),
    "Retry-After of an hour": (Reply(503, "later", {"Retry-After": "3600"}), "3600 s"),
}


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch, tmp_path: Path):
    """A short timeout through the environment (as a user on a slow link would set a
    longer one), short backoffs, and a private temporary folder to find leftovers in."""
    monkeypatch.setenv(http.TIMEOUT_ENV, str(TIMEOUT))
    monkeypatch.setattr(http, "BACKOFF_S", 0.01)
    monkeypatch.setattr(remote_digests, "RETRY_BACKOFF_S", 0.01)
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))


@pytest.fixture
def no_dns_for_invalid(monkeypatch):
    real = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name.endswith(".invalid"):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def user_cache() -> list[str]:
    """A cache with papers, a star, a read mark and a translation, its library journaled
    (a command's first opening does that once); returns its dump."""
    cache_path().parent.mkdir(parents=True, exist_ok=True)
    with Cache(cache_path()) as cache:
        cache.upsert(
            Incoming(
                Paper(id=f"2406.{n:05d}", title=f"Paper {n}", published="2024-06-04",
                      abstract="An abstract.", version=1),
                ("LLM",),
                (Translation(f"2406.{n:05d}", "zh", "摘要"),) if n == 2 else (),
            )
            for n in range(1, 6)
        )  # fmt: skip
        cache.set_starred(PAPER, True)
        cache.set_read("2406.00003", True)
        Journal(LibrarySettings(), cache_path().parent)(cache)  # as any command opened it
    return dump()


def dump() -> list[str]:
    with Cache(cache_path()) as cache:
        return list(cache.conn.iterdump())


def run(capsys, operation: str, base: str) -> tuple[int, str, float]:
    text, args, _, _ = OPERATIONS[operation]
    config_path().write_text(text.format(base=base))
    began = time.monotonic()
    code = main([arg.format(base=base) for arg in args])
    elapsed = time.monotonic() - began
    out, err = capsys.readouterr()
    return code, out + err, elapsed


def fail_with(capsys, monkeypatch, operation: str, handler, expected: str) -> tuple[float, int]:
    """Run ``operation`` against a server answering every path it asks with ``handler``,
    check that it failed in one sentence saying ``expected`` with the cache untouched,
    and return the seconds it took and the requests it made."""
    before = user_cache()
    _, _, paths, _ = OPERATIONS[operation]
    with LoopbackServer({path: handler for path in paths}) as server:
        monkeypatch.setenv("PAPERDECK_FEEDS_URL", server.url("/rss/"))
        code, said, elapsed = run(capsys, operation, server.base)
        asked = len(server.requests)
    check_failure(said, code, before, expected, server.base)
    return elapsed, asked


def check_failure(said: str, code: int, before: list[str], expected: str, url: str) -> None:
    assert code == 1
    assert "Traceback" not in said
    failures = [line for line in said.splitlines() if expected in line]
    assert failures, said
    assert all(url in line for line in failures), said
    assert dump() == before
    assert list(Path(tempfile.tempdir).iterdir()) == []


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("operation", OPERATIONS)
def test_a_failing_server_is_one_sentence_and_the_cache_is_untouched(
    capsys, monkeypatch, operation: str, fault: str
):
    reply, expected = FAULTS[fault]
    _, _, paths, tries = OPERATIONS[operation]
    elapsed, asked = fail_with(capsys, monkeypatch, operation, reply, expected)
    # Said at once: a Retry-After longer than anyone waits, and a digest download broken
    # off mid-body (it is streamed to a file; a retry would start it all over).
    once = fault == "Retry-After of an hour" or (fault == "reset mid-body" and "digest" in paths[0])
    assert asked == (1 if once else tries), f"{asked} requests"
    waited = tries * (TIMEOUT if fault == "slow server" else 0.05)
    assert elapsed < waited + 1.5, f"{elapsed:.1f} s"  # never much past timeout × tries


BROKEN_ANSWERS = {
    # name: (handler, what the message says, most requests: neither is tried again)
    "redirect loop": (
        lambda request: Reply(302, b"", {"Location": request.path}), "redirect", 31,
    ),
    "undecodable gzip": (
        Reply(200, b"not gzip at all", {"Content-Encoding": "gzip"}), "could not be decoded", 1,
    ),
}  # fmt: skip


@pytest.mark.parametrize("answer", BROKEN_ANSWERS)
@pytest.mark.parametrize("operation", OPERATIONS)
def test_a_broken_answer_is_one_sentence_and_the_cache_is_untouched(
    capsys, monkeypatch, operation: str, answer: str
):
    handler, expected, most = BROKEN_ANSWERS[answer]
    _, asked = fail_with(capsys, monkeypatch, operation, handler, expected)
    assert asked <= most, f"{asked} requests"  # one redirect chain, not one per retry


@pytest.mark.parametrize("operation", OPERATIONS)
def test_offline_is_one_sentence_and_the_cache_is_untouched(capsys, monkeypatch, operation: str):
    before = user_cache()
    base = "http://127.0.0.1:9"  # nothing listens on the discard port
    monkeypatch.setenv("PAPERDECK_FEEDS_URL", f"{base}/rss/")
    code, said, elapsed = run(capsys, operation, base)
    check_failure(said, code, before, "reach", base)
    assert elapsed < 2


@pytest.mark.parametrize("operation", OPERATIONS)
def test_a_name_that_does_not_resolve_says_so(capsys, monkeypatch, no_dns_for_invalid, operation):
    before = user_cache()
    base = "http://arxiv-mirror.invalid"
    monkeypatch.setenv("PAPERDECK_FEEDS_URL", f"{base}/rss/")
    code, said, elapsed = run(capsys, operation, base)
    check_failure(said, code, before, "could not be resolved", base)
    assert elapsed < 2


def test_the_timeout_comes_from_the_environment_or_the_default(monkeypatch):
    assert http.timeouts() == (TIMEOUT, TIMEOUT)
    monkeypatch.setenv(http.TIMEOUT_ENV, "45")
    assert http.timeouts() == (http.CONNECT_TIMEOUT_S, 45.0)
    assert http.timeout_s(120.0) == 45.0
    for unset in ("", "soon", "-1", "0"):
        monkeypatch.setenv(http.TIMEOUT_ENV, unset)
        assert http.timeouts(120.0) == (http.CONNECT_TIMEOUT_S, 120.0)
