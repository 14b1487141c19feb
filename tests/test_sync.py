"""run_sync as a whole: remote digests with ETag, sources failing alone, progress events,
the summary, code-link lookups — against real HTTP servers on 127.0.0.1."""

from __future__ import annotations

import traceback
from contextlib import contextmanager
from pathlib import Path

import pytest

from paperdeck.storage.cache import sync_state
from paperdeck.storage.cache.database import Cache
from paperdeck.storage.cache.sync_state import SyncState
from paperdeck.storage.config import Topic
from paperdeck.storage.models import Incoming, Paper, Translation
from paperdeck.storage.sources import codelink_lookup, remote_digests, runner
from paperdeck.storage.sources.base import Page, SourceError
from paperdeck.storage.sources.runner import SourceResult, SyncSummary, UnknownTopic, run_sync
from tests.support.arxiv_stub import ATOM_TYPE, ArxivStub, Entry, atom, generated
from tests.support.loopback import LoopbackServer, Reply
from tests.support.sync_setup import Events, config
from tests.support.synthetic import digest_text

API = "/api/query"


def digest(*numbers: int, title: str = "Paper") -> str:
    records = [
        Incoming(
            Paper(
                id=f"2406.{n:05d}",
                title=f"{title} {n}",
                published="2024-06-04",
                version=1,
                authors=["Ada Lovelace", "Alan Turing"],
                abstract="An abstract.",
            ),
            topics=("Digest",),
            translations=(Translation(f"2406.{n:05d}", "zh", "摘要"),),
        )
        for n in numbers
    ]
    return digest_text(records)


def markdown(text: str, **headers: str) -> Reply:
    return Reply(200, text, {"Content-Type": "text/markdown", **headers})


# --- remote digests ------------------------------------------------------------------------


def test_an_unchanged_digest_costs_one_304_and_is_not_imported_again(cache: Cache):
    validators = {"ETag": '"v1"', "Last-Modified": "Wed, 25 Nov 2026 10:00:00 GMT"}

    def serve(request):
        if request.headers.get("If-None-Match") == '"v1"':
            return Reply(304, headers={"ETag": '"v1"'})
        return markdown(digest(1, 2, 3), **validators)

    with LoopbackServer({"/digest.md": serve}) as server:
        setup = config(topics=[], digests=[server.url("/digest.md")])
        first = run_sync(setup, cache)
        cache.set_starred("2406.00001", True)
        events = Events()
        second = run_sync(setup, cache, progress=events)
    assert first.ok and (first.results[0].new, first.results[0].requests) == (3, 1)
    assert "If-None-Match" not in server.requests[0].headers
    assert server.requests[1].headers["If-None-Match"] == '"v1"'
    assert server.requests[1].headers["If-Modified-Since"] == validators["Last-Modified"]
    result = second.results[0]
    assert second.ok and (result.new, result.updated, result.unchanged, result.requests) == (
        0,
        0,
        0,
        1,
    )
    assert (
        events.kinds() == ["start", "done"]
        and events[-1].message == "not modified since the last sync"
    )
    assert second.describe().splitlines()[0] == f"digest {server.url('/digest.md')}: nothing new"
    assert cache.state("2406.00001").starred and cache.count_papers() == 3


def test_a_changed_digest_is_imported_and_its_new_validators_kept(cache: Cache):
    answers = [markdown(digest(1), ETag='"v1"'), markdown(digest(1, 2), ETag='"v2"')]
    with LoopbackServer({"/d.md": lambda request: answers.pop(0)}) as server:
        setup = config(topics=[], digests=[server.url("/d.md")])
        run_sync(setup, cache)
        summary = run_sync(setup, cache)
    assert (summary.results[0].new, summary.results[0].unchanged) == (1, 1)
    assert sync_state.load(cache, server.url("/d.md")).etag == '"v2"'
    assert cache.detail("2406.00002").translation_langs == ["zh"]


def test_a_digest_without_a_table_fails_and_is_asked_again_in_full(cache: Cache):
    with LoopbackServer({"/notes.md": markdown("# Notes\n", ETag='"n"')}) as server:
        setup = config(topics=[], digests=[server.url("/notes.md")])
        summary = run_sync(setup, cache)
        run_sync(setup, cache)
    assert (
        summary.results[0].error == f"{server.url('/notes.md')}: no digest table found "
        "(expected a header row like |Publish Date|Title|Authors|PDF|Code|)"
    )
    assert "If-None-Match" not in server.requests[1].headers


def test_an_empty_days_remote_digest_is_not_a_failure(cache: Cache):
    events = Events()
    with LoopbackServer({"/d.md": markdown("# arxiv-daily\n\nNothing today.\n")}) as server:
        summary = run_sync(config(topics=[], digests=[server.url("/d.md")]), cache, progress=events)
    assert summary.results[0].error is None and summary.results[0].new == 0
    assert events[-1].message == "a daily-arXiv page with no topics: nothing announced that day"


def test_a_broken_digest_does_not_stop_the_topics(cache: Cache):
    routes = {
        API: ArxivStub(generated(4)),
        "/gone.md": Reply(404, "no"),
        "/ok.md": markdown(digest(7)),
    }
    with LoopbackServer(routes) as server:
        setup = config(server.url(API), digests=[server.url("/gone.md"), server.url("/ok.md")])
        events = Events()
        summary = run_sync(setup, cache, progress=events)
    topic, gone, ok = summary.results
    assert (topic.new, ok.new) == (4, 1) and topic.error is ok.error is None
    assert gone.error == f"{server.url('/gone.md')} answered 404 Not Found"
    assert not summary.ok
    assert summary.describe().splitlines() == [
        "arXiv topic T: 4 new, 0 updated",
        f"digest {server.url('/gone.md')}: failed — {server.url('/gone.md')} answered 404 Not Found",
        f"digest {server.url('/ok.md')}: 1 new, 0 updated",
        "3 sources: 5 new, 0 updated, 1 failed",
    ]
    assert [(e.source.split()[0], e.kind) for e in events] == [
        ("arXiv", "start"), ("arXiv", "page"), ("arXiv", "done"),
        ("digest", "start"), ("digest", "failed"),
        ("digest", "start"), ("digest", "page"), ("digest", "done"),
    ]  # fmt: skip


def test_a_source_that_breaks_unexpectedly_fails_alone(cache: Cache, monkeypatch):
    def broken(self, ctx):
        raise KeyError("a field no digest ever lacked")
        yield

    monkeypatch.setattr(remote_digests.RemoteDigest, "pages", broken)
    with LoopbackServer({API: ArxivStub(generated(3))}) as server:
        summary = run_sync(config(server.url(API), digests=[server.url("/d.md")]), cache)
    topic, digest_result = summary.results
    assert topic.new == 3 and topic.error is None
    assert digest_result.error == "failed unexpectedly (KeyError: 'a field no digest ever lacked')"


@pytest.fixture
def no_digest_backoff(monkeypatch):
    monkeypatch.setattr(remote_digests, "RETRY_BACKOFF_S", 0)


def test_an_unreachable_digest_host_fails_alone(cache: Cache, no_digest_backoff):
    summary = run_sync(config(topics=[], digests=["http://127.0.0.1:9/d.md"]), cache)
    assert (
        summary.results[0].error
        == "cannot reach http://127.0.0.1:9/d.md: the connection was refused "
        "(offline, or nothing listens there)"
    )
    assert summary.results[0].requests == 1  # a refused connection is not worth retrying


def test_a_host_that_did_not_answer_is_not_asked_again_in_the_same_sync(
    cache: Cache, no_digest_backoff
):
    with LoopbackServer({"/ok.md": markdown(digest(1))}) as server:
        other = "http://localhost:9"  # another closed port under another name
        setup = config("http://127.0.0.1:9/api/query", topics=[Topic("A", "a"), Topic("B", "b")],
                       digests=[f"{other}/one.md", server.url("/ok.md"), f"{other}/two.md"])  # fmt: skip
        summary = run_sync(setup, cache)
    a, b, one, ok, two = summary.results
    assert a.requests == 1 and a.error.startswith("arXiv cannot be reached (offline?)")
    assert (
        b.requests == 0 and b.error == f"127.0.0.1:9 did not answer earlier in this sync: {a.error}"
    )
    assert one.requests == 1 and one.error.startswith("cannot reach http://localhost:9/one.md")
    assert ok.error is None and ok.new == 1
    assert two.requests == 0 and two.error.startswith("localhost:9 did not answer earlier")


# --- what runs ---------------------------------------------------------------------------------


def test_nothing_configured_means_nothing_to_sync(cache: Cache):
    summary = run_sync(config(topics=[]), cache)
    assert summary.results == [] and summary.ok


def test_one_topic_alone(cache: Cache):
    topics = [Topic("A", "ti:a"), Topic("B", "ti:b")]
    with LoopbackServer({API: ArxivStub(generated(2))}) as server:
        setup = config(server.url(API), topics=topics, digests=[server.url("/never.md")])
        summary = run_sync(setup, cache, topic="B")
    assert [r.source for r in summary.results] == ["arXiv topic B"]
    assert [r.query["search_query"] for r in server.requests] == [["ti:b"]]


def test_an_unknown_topic_names_the_known_ones(cache: Cache):
    with pytest.raises(UnknownTopic, match=r"^no topic named 'C' \(topics: A, B\)$"):
        run_sync(config(topics=[Topic("A", "a"), Topic("B", "b")]), cache, topic="C")


def test_the_reader_can_star_while_a_sync_runs(tmp_path: Path):
    path = tmp_path / "shared.db"
    starred = []

    def star_from_another_connection(event):
        if event.kind == "page":
            with Cache(path) as reader:
                reader.conn.execute("PRAGMA busy_timeout=200")
                reader.set_starred("2611.00025", True)
                starred.append(event.page)

    with Cache(path) as cache, LoopbackServer({API: ArxivStub(generated(25))}) as server:
        summary = run_sync(config(server.url(API)), cache, progress=star_from_another_connection)
        assert summary.ok and starred == [1, 2, 3] and cache.state("2611.00025").starred


def test_the_summary_says_what_was_saved_before_a_failure():
    summary = SyncSummary([
        SourceResult("arXiv topic A", new=12, updated=3, unchanged=85, requests=2),
        SourceResult("arXiv topic B", new=10, skipped=1, error="cancelled"),
        SourceResult("feed cs.CL", unchanged=4),
    ])  # fmt: skip
    assert summary.describe() == (
        "arXiv topic A: 12 new, 3 updated, 85 unchanged\n"
        "arXiv topic B: failed — cancelled (10 new, 0 updated, 1 skipped before that)\n"
        "feed cs.CL: nothing new (4 unchanged)\n"
        "3 sources: 22 new, 3 updated, 1 failed"
    )
    assert not summary.ok and SyncSummary(summary.results[::2]).ok


# --- the runner: the only writer, a page at a time -----------------------------------------


def test_only_the_runner_writes_each_page_with_its_state_in_one_transaction(
    cache: Cache, monkeypatch, no_lookup_pause
):
    monkeypatch.setattr(codelink_lookup, "LOOKUP_LIMIT", 2)
    storing: list[Page] = []
    per_page: list[int] = []  # transactions begun while each page was stored, in order
    elsewhere: list[str] = []
    store, transaction = runner._store, Cache.transaction

    def watched_store(cache: Cache, page: Page, result: SourceResult) -> None:
        storing.append(page)
        per_page.append(0)
        try:
            store(cache, page, result)
        finally:
            storing.pop()

    @contextmanager
    def watched_transaction(self: Cache):
        if not self.conn.in_transaction:
            if storing:
                per_page[-1] += 1
            else:
                elsewhere.append("".join(traceback.format_stack(limit=6)))
        with transaction(self) as conn:
            yield conn

    monkeypatch.setattr(runner, "_store", watched_store)
    monkeypatch.setattr(Cache, "transaction", watched_transaction)
    routes = {API: ArxivStub(generated(15)), "/d.md": markdown(digest(1, 2), ETag='"d"')}
    with LoopbackServer(routes) as server:
        monkeypatch.setenv("PAPERDECK_HF_API_URL", server.url("/hf/"))
        summary = run_sync(config(server.url(API), digests=[server.url("/d.md")], lookup=True), cache)
    assert summary.ok and [r.new for r in summary.results] == [15, 2] and summary.lookup.unchanged == 2
    assert elsewhere == []
    assert sorted(per_page) == [0] + [1] * 6  # 2 pages + the end, 1 digest, 2 lookups; "2 left"
    assert sync_state.load(cache, "arxiv-query:ti:test").result == "complete to 50"
    assert sync_state.load(cache, server.url("/d.md")).etag == '"d"'


def test_a_page_is_stored_whole_with_its_state_or_not_at_all(cache: Cache, monkeypatch):
    def paper(n: int) -> Incoming:
        return Incoming(Paper(id=f"2406.{n:05d}", title=f"Paper {n}", published="2024-06-04"))

    class Breaking:
        name = "breaking"

        def pages(self, ctx):
            yield Page([paper(1), paper(2)], SyncState("breaking", result="page 1"))
            yield Page(self.broken(), SyncState("breaking", result="page 2"))

        def broken(self):
            yield paper(3)
            raise SourceError("the answer broke off")

    monkeypatch.setattr(runner, "plan", lambda config, topic=None: [Breaking()])
    events = Events()
    summary = run_sync(config(), cache, progress=events)
    assert summary.results[0].new == 2 and summary.results[0].error == "the answer broke off"
    assert cache.count_papers() == 2 and cache.paper("2406.00003") is None
    assert sync_state.load(cache, "breaking").result == "page 1"
    assert [(e.kind, e.page, e.new) for e in events] == [
        ("start", None, 0), ("page", 1, 2), ("failed", None, 2)
    ]


# --- code-link lookups -----------------------------------------------------------------------


@pytest.fixture
def no_lookup_pause(monkeypatch):
    monkeypatch.setattr(codelink_lookup, "LOOKUP_INTERVAL_S", 0)


def three_papers() -> ArxivStub:
    return ArxivStub([
        Entry(id="2611.00003", summary="Code: https://github.com/lab/three."),
        Entry(id="2611.00002"),
        Entry(id="2611.00001"),
    ])  # fmt: skip


def test_lookups_find_links_for_papers_without_one(cache: Cache, monkeypatch, no_lookup_pause):
    answers = {
        "/hf/2611.00002": Reply.json(
            {"id": "2611.00002", "githubRepo": "https://github.com/lab/two"}
        ),
        "/hf/2611.00001": Reply(404, '{"error":"Paper not found"}'),
    }
    with LoopbackServer({API: three_papers(), **answers}) as server:
        monkeypatch.setenv("PAPERDECK_HF_API_URL", server.url("/hf/"))
        setup = config(server.url(API), lookup=True)
        first = run_sync(setup, cache)
        lookups = [r.path for r in server.requests if r.path.startswith("/hf/")]
        second = run_sync(setup, cache)
    found = first.lookup
    assert [r.source for r in first.results] == ["arXiv topic T"]
    assert found.source == "code links (Hugging Face)" and found.error is None
    assert (found.updated, found.unchanged, found.requests) == (1, 1, 2)
    assert first.describe().splitlines()[1:] == [
        "1 source: 3 new, 0 updated",
        "code links (Hugging Face): 2 papers looked up, 1 link found",
    ]
    assert lookups == ["/hf/2611.00002", "/hf/2611.00001"]
    assert cache.paper("2611.00002").code_urls == ["https://github.com/lab/two"]
    assert cache.paper("2611.00003").code_urls == ["https://github.com/lab/three"]
    assert cache.paper("2611.00001").code_urls == []
    assert sync_state.load(cache, "hf:2611.00001").result == ""
    assert second.lookup.requests == 0  # nothing new, nothing asked again


@pytest.mark.parametrize(
    "refusal",
    [Reply(429, "slow down", {"Retry-After": "300"}), Reply(500, "oops"), Reply(200, "<html>")],
)
def test_a_refusing_lookup_service_never_fails_the_sync(
    cache: Cache, monkeypatch, no_lookup_pause, refusal
):
    with LoopbackServer({API: three_papers(), "/hf/2611.00002": refusal}) as server:
        monkeypatch.setenv("PAPERDECK_HF_API_URL", server.url("/hf"))
        events = Events()
        summary = run_sync(config(server.url(API), lookup=True), cache, progress=events)
    found = summary.lookup
    assert summary.ok and found.error is None and (found.skipped, found.requests) == (2, 1)
    assert summary.describe().endswith(
        "code links (Hugging Face): 0 papers looked up, 0 links found, 2 left for the next sync"
    )
    assert events[-1].kind == "done" and events[-1].message.startswith(server.url("/hf/2611.00002"))
    assert events[-1].message.endswith("; 2 papers left for the next sync")
    assert sync_state.load(cache, "hf:2611.00002") is None  # asked again next time


def test_an_unreachable_lookup_service_never_fails_the_sync(
    cache: Cache, monkeypatch, no_lookup_pause
):
    monkeypatch.setenv("PAPERDECK_HF_API_URL", "http://127.0.0.1:9/api/papers/")
    with LoopbackServer({API: three_papers()}) as server:
        summary = run_sync(config(server.url(API), lookup=True), cache)
    assert summary.ok and summary.lookup.skipped == 2


def test_lookups_per_sync_are_limited(cache: Cache, monkeypatch, no_lookup_pause):
    monkeypatch.setattr(codelink_lookup, "LOOKUP_LIMIT", 1)
    with LoopbackServer({API: three_papers()}) as server:
        monkeypatch.setenv("PAPERDECK_HF_API_URL", server.url("/hf/"))
        events = Events()
        summary = run_sync(config(server.url(API), lookup=True), cache, progress=events)
    assert (summary.lookup.unchanged, summary.lookup.skipped) == (1, 1)
    assert events[-1].message == "at most 1 lookups per sync; 1 papers left for the next sync"


def test_lookups_are_spaced(cache: Cache, monkeypatch):
    monkeypatch.setattr(codelink_lookup, "LOOKUP_INTERVAL_S", 0.2)
    with LoopbackServer({API: three_papers()}) as server:
        monkeypatch.setenv("PAPERDECK_HF_API_URL", server.url("/hf/"))
        run_sync(config(server.url(API), lookup=True), cache)
    times = [r.at for r in server.requests if r.path.startswith("/hf/")]
    assert len(times) == 2 and times[1] - times[0] >= 0.2


def test_without_lookup_no_service_is_asked(cache: Cache):
    with LoopbackServer({API: Reply(200, atom([Entry(id="2611.00001")]), ATOM_TYPE)}) as server:
        summary = run_sync(config(server.url(API)), cache)
    assert [r.source for r in summary.results] == ["arXiv topic T"] and summary.lookup is None
    assert len(server.requests) == 1


def test_a_sync_cut_off_midway_is_finished_by_the_next_one_not_skipped(tmp_path: Path):
    """Stopping at the first page with nothing new is only safe after a sync that reached
    its end: here the first one is cut off at page 3, so the second goes past page 1."""
    stub = ArxivStub(generated(50))
    cut_off = {"on": True}

    def arxiv(request):
        start = int(request.query.get("start", ["0"])[0])
        if cut_off["on"] and start >= 20:
            return Reply(503, "Service Unavailable")
        return stub(request)

    with Cache(tmp_path / "c.db") as cache, LoopbackServer({API: arxiv}) as server:
        first = run_sync(config(server.url(API), page_size=10), cache)
        assert not first.ok and first.results[0].new == 20
        cut_off["on"] = False
        second = run_sync(config(server.url(API), page_size=10), cache)
        assert second.ok and second.results[0].new == 30
        assert cache.count_papers() == 50
        asked = len(server.requests)
        third = run_sync(config(server.url(API), page_size=10), cache)
        assert third.results[0].new == 0 and len(server.requests) == asked + 1  # complete now
