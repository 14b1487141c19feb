"""arXiv API topics through the `arxiv` package, against a real HTTP server on 127.0.0.1
that serves recorded API responses and generated pages."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from paperdeck.storage.cache.database import Cache
from paperdeck.storage.config import Topic
from paperdeck.storage.library.importer import import_lines
from paperdeck.storage.models import Incoming, Paper, Translation
from paperdeck.storage.sources.runner import run_sync
from tests.support.arxiv_stub import ATOM_TYPE, ArxivStub, Entry, atom, generated
from tests.support.loopback import LoopbackServer, Reply, in_turn
from tests.support.sync_setup import Events, config
from tests.support.synthetic import digest_text

API = "/api/query"


def recorded(shared_data: Path, name: str, status: int = 200) -> Reply:
    return Reply(status, (shared_data / "arxiv_api" / name).read_bytes(), ATOM_TYPE)


def sync(server: LoopbackServer, cache: Cache, **options):
    events = Events()
    summary = run_sync(config(server.url(API), **options), cache, progress=events)
    return summary, events


# --- recorded responses -----------------------------------------------------------------


def test_a_recorded_page_maps_every_field(shared_data: Path, cache: Cache):
    page = recorded(shared_data, "2026-04__search_query_testing_max10__200.xml")
    with LoopbackServer({API: page}) as server:
        summary, _ = sync(server, cache, topics=[Topic("Testing", "all:testing", max_results=10)])
    assert summary.ok and summary.results[0].new == 10 and summary.results[0].requests == 1
    paper = cache.paper("2202.12139")
    assert paper.version == 1 and paper.source == "arxiv"
    assert (
        paper.title
        == "Testing Deep Learning Models: A First Comparative Study of Multiple Testing Techniques"
    )
    assert paper.authors == ["Mohit Kumar Ahuja", "Arnaud Gotlieb", "Helge Spieker"]
    assert (
        paper.abstract.startswith("Deep Learning (DL) has revolutionized")
        and "\n" not in paper.abstract
    )
    assert paper.comment == "Artificial Intelligence in Software Testing 2022 workshop @ ICST 2022"
    assert paper.journal_ref.startswith("Artificial Intelligence in Software Testing @ 2022 IEEE")
    assert paper.doi == "10.1109/ICSTW55395.2022.00035"
    assert (paper.primary_category, paper.categories) == ("cs.SE", ["cs.SE", "cs.LG"])
    assert (paper.published, paper.updated) == ("2022-02-24", "2022-02-24")
    assert cache.detail("2202.12139").topics == ["Testing"]
    names = [name for p in map(cache.paper, ["2405.13786"]) for name in p.authors]
    assert "Aurora Ramírez" in names and "José Raúl Romero" in names  # UTF-8, not mojibake


@pytest.mark.parametrize(
    ("name", "ids"),
    [
        ("2026-04__id_list_1605.08386__200.xml", ["1605.08386"]),
        ("2026-05__id_list_astro-ph_0601001__200_journal_ref.xml", ["astro-ph/0601001"]),
        ("legacy-2016__id_list_1111.2011v2__doi_journal_ref.xml", ["1111.2011"]),
    ],
)
def test_recorded_single_entries_in_both_formats(
    shared_data: Path, cache: Cache, name: str, ids: list[str]
):
    with LoopbackServer({API: recorded(shared_data, name)}) as server:
        summary, _ = sync(server, cache)
    assert summary.ok and [p.id for p in map(cache.paper, ids)] == ids


def test_old_style_id_affiliations_and_an_indented_summary(shared_data: Path, cache: Cache):
    page = recorded(shared_data, "2026-05__id_list_astro-ph_0601001__200_journal_ref.xml")
    with LoopbackServer({API: page}) as server:
        sync(server, cache)
    paper = cache.paper("astro-ph/0601001")
    assert paper.version == 1 and paper.authors[0] == "Andrew Gould"
    assert paper.abstract.startswith("We derive the frequencies")
    assert paper.journal_ref == "ActaAstron.56:1-50,2006" and paper.code_urls == []
    assert (paper.published, paper.primary_category) == ("2006-01-02", "astro-ph")


def test_the_legacy_hard_wrapped_format_is_reflowed(shared_data: Path, cache: Cache):
    page = recorded(shared_data, "legacy-2016__search_query_au_del_maestro.xml")
    with LoopbackServer({API: page}) as server:
        summary, _ = sync(server, cache, topics=[Topic("T", "au:del_maestro", max_results=10)])
    assert summary.results[0].new == 10
    abstracts = [
        cache.paper(row[0]).abstract for row in cache.conn.execute("SELECT id FROM papers")
    ]
    assert all(a and "\n" not in a.replace("\n\n", "") for a in abstracts)


def test_the_400_error_entry_is_a_clear_error_not_a_paper(shared_data: Path, cache: Cache):
    page = recorded(shared_data, "2026-04__id_list_abc__400_error.xml", status=400)
    with LoopbackServer({API: page}) as server:
        summary, events = sync(server, cache)
    error = summary.results[0].error
    assert error.startswith(server.url(API)) and "answered 400 Bad Request" in error
    assert error.endswith("arXiv says: incorrect id format for abc")
    assert cache.count_papers() == 0 and len(server.requests) == 1  # a 400 is not retried
    assert events[-1].kind == "failed" and events[-1].message == error


def test_an_error_entry_answered_with_200_is_an_error_too(shared_data: Path, cache: Cache):
    page = recorded(shared_data, "2026-04__id_list_abc__400_error.xml", status=200)
    with LoopbackServer({API: page}) as server:
        summary, _ = sync(server, cache)
    assert "an error instead of results: incorrect id format for abc" in summary.results[0].error
    assert cache.count_papers() == 0


def test_an_empty_page_is_retried_then_reported(shared_data: Path, cache: Cache):
    empty = recorded(shared_data, "2026-04__id_list_0000.0000__200_empty.xml")
    with LoopbackServer({API: empty}) as server:
        summary, _ = sync(server, cache)
    error = summary.results[0].error
    assert error.startswith("arXiv returned no papers for 'ti:test' (3 tries, http://127.0.0.1")
    assert len(server.requests) == 3


def test_an_anomalous_empty_first_page_is_retried(cache: Cache):
    stub = ArxivStub(generated(4))
    with LoopbackServer({API: in_turn(Reply(200, atom([], total=0), ATOM_TYPE), stub)}) as server:
        summary, _ = sync(server, cache)
    assert summary.ok and summary.results[0].new == 4 and summary.results[0].requests == 2


# --- generated pages ---------------------------------------------------------------------


def test_paging_newest_first_across_several_pages(cache: Cache):
    stub = ArxivStub(generated(23))
    with LoopbackServer({API: stub}) as server:
        summary, events = sync(server, cache, topics=[Topic("T", "ti:x", ["cs.CL", "cs.LG"], 50)])
    result = summary.results[0]
    assert (result.new, result.requests) == (23, 3)
    assert [r.query["start"] for r in server.requests] == [["0"], ["10"], ["20"]]
    first = server.requests[0]
    assert first.query["search_query"] == ["(ti:x) AND (cat:cs.CL OR cat:cs.LG)"]
    assert first.query["sortBy"] == ["submittedDate"] and first.query["sortOrder"] == ["descending"]
    assert first.headers["User-Agent"].startswith("paperdeck/")
    assert [(e.kind, e.page, e.new) for e in events] == [
        ("start", None, 0),
        ("page", 1, 10),
        ("page", 2, 20),
        ("page", 3, 23),
        ("done", None, 23),
    ]
    assert (
        cache.paper("2611.00023").abstract
        == "We study problem 23. It is hard.\n\nA second paragraph."
    )


def test_max_results_bounds_the_pages_asked_for(cache: Cache):
    with LoopbackServer({API: ArxivStub(generated(40))}) as server:
        summary, _ = sync(server, cache, topics=[Topic("T", "ti:x", max_results=15)])
    assert summary.results[0].new == 15 and len(server.requests) == 2
    with LoopbackServer({API: ArxivStub(generated(40))}) as server:
        sync(server, cache, topics=[Topic("T", "ti:x", max_results=5)])
    assert server.requests[0].query["max_results"] == ["5"]


def test_a_second_sync_adds_nothing_and_stops_after_the_first_page(cache: Cache):
    stub = ArxivStub(generated(23))
    with LoopbackServer({API: stub}) as server:
        sync(server, cache)
        server.requests.clear()
        summary, events = sync(server, cache)
    result = summary.results[0]
    assert (result.new, result.updated, result.unchanged, result.requests) == (0, 0, 10, 1)
    assert len(server.requests) == 1
    assert events[-1].message == "page 1 held nothing new: stopped there"
    assert summary.describe().splitlines()[0] == "arXiv topic T: nothing new (10 unchanged)"


def test_new_submissions_on_top_are_fetched_until_a_page_holds_nothing_new(cache: Cache):
    stub = ArxivStub(generated(30))
    with LoopbackServer({API: stub}) as server:
        sync(server, cache)
        stub.entries[:0] = [Entry(id=f"2611.{90000 + n}", published="2026-11-02") for n in range(3)]
        server.requests.clear()
        summary, _ = sync(server, cache)
    assert summary.results[0].new == 3 and len(server.requests) == 2


def test_raising_max_results_fetches_the_older_papers_once(cache: Cache):
    with LoopbackServer({API: ArxivStub(generated(40))}) as server:
        sync(server, cache, topics=[Topic("T", "ti:x", max_results=10)])
        deeper, _ = sync(server, cache, topics=[Topic("T", "ti:x", max_results=30)])
        server.requests.clear()
        again, _ = sync(server, cache, topics=[Topic("T", "ti:x", max_results=30)])
    assert (deeper.results[0].new, deeper.results[0].unchanged) == (20, 10)
    assert again.results[0].new == 0 and len(server.requests) == 1


def test_the_same_papers_under_a_second_topic_are_paged_through(cache: Cache):
    with LoopbackServer({API: ArxivStub(generated(25))}) as server:
        sync(server, cache, topics=[Topic("A", "ti:x")])
        server.requests.clear()
        summary, _ = sync(server, cache, topics=[Topic("B", "ti:x")])
    assert len(server.requests) == 3 and summary.results[0].unchanged == 25
    assert cache.detail("2611.00001").topics == ["A", "B"]


def test_a_transient_503_does_not_fail_the_sync(cache: Cache):
    busy = Reply(503, "busy", {"Retry-After": "0"})
    with LoopbackServer({API: in_turn(busy, ArxivStub(generated(5)))}) as server:
        summary, _ = sync(server, cache)
    assert summary.ok and summary.results[0].new == 5 and summary.results[0].requests == 2


def test_a_503_without_retry_after_is_retried_with_backoff(cache: Cache):
    with LoopbackServer({API: in_turn(Reply(503), Reply(502), ArxivStub(generated(2)))}) as server:
        summary, _ = sync(server, cache, delay=0.05)
    gaps = [b.at - a.at for a, b in zip(server.requests, server.requests[1:], strict=False)]
    assert summary.ok and gaps[0] >= 0.05 and gaps[1] >= 0.1  # delay × 2^attempt


def test_a_persistent_503_fails_clearly_and_the_other_topics_still_run(cache: Cache):
    stub = ArxivStub(generated(3))

    def api(request):
        broken = request.query["search_query"] == ["ti:broken"]
        return Reply(503, "down", {"Retry-After": "0"}) if broken else stub(request)

    topics = [Topic("Broken", "ti:broken"), Topic("Fine", "ti:fine")]
    with LoopbackServer({API: api}) as server:
        summary, events = sync(server, cache, topics=topics)
    failed, fine = summary.results
    assert failed.error == (
        f"{server.url(API)}?search_query=ti%3Abroken&id_list=&sortBy=submittedDate"
        "&sortOrder=descending&start=0&max_results=10 answered 503 Service Unavailable (4 tries)"
    )
    assert failed.requests == 4 and not summary.ok
    assert fine.error is None and fine.new == 3
    assert events.kinds(failed.source) == ["start", "failed"]
    assert summary.describe().splitlines()[-1] == "2 sources: 3 new, 0 updated, 1 failed"


def test_a_retry_after_beyond_what_a_sync_waits_fails_at_once(cache: Cache):
    with LoopbackServer({API: Reply(429, "slow down", {"Retry-After": "3600"})}) as server:
        summary, _ = sync(server, cache)
    assert summary.results[0].error.endswith("answered 429 Too Many Requests: retry in 3600 s")
    assert len(server.requests) == 1


def test_retry_after_is_honoured(cache: Cache):
    slow = Reply(429, "slow down", {"Retry-After": "0.3"})
    with LoopbackServer({API: in_turn(slow, ArxivStub(generated(2)))}) as server:
        summary, _ = sync(server, cache)
    assert summary.ok and server.requests[1].at - server.requests[0].at >= 0.3


def test_requests_are_spaced_by_the_polite_delay(cache: Cache):
    with LoopbackServer({API: ArxivStub(generated(25))}) as server:
        summary, _ = sync(server, cache, delay=0.2)
    times = [r.at for r in server.requests]
    assert summary.ok and len(times) == 3
    assert all(b - a >= 0.2 for a, b in zip(times, times[1:], strict=False))


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (
            b"<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'><entry><id>http://arx",
            "a malformed page (no element found: line 1",
        ),
        (b"<html><body>Access Denied</body></html>", "a page that is not an Atom feed (<html>)"),
        (b"", "a malformed page (no element found"),
    ],
)
def test_a_malformed_page_is_a_clear_error(cache: Cache, body: bytes, reason: str):
    with LoopbackServer({API: Reply(200, body, ATOM_TYPE)}) as server:
        summary, _ = sync(server, cache)
    assert summary.results[0].error.startswith(f"arXiv sent {reason}")
    assert server.url(API) in summary.results[0].error and cache.count_papers() == 0


def test_an_unreadable_date_in_an_entry_is_a_clear_error(cache: Cache):
    page = atom([Entry(id="2611.00001", published="yesterday")])
    with LoopbackServer({API: Reply(200, page, ATOM_TYPE)}) as server:
        summary, _ = sync(server, cache)
    assert summary.results[0].error.startswith("arXiv sent an entry that cannot be read")


def test_an_unreachable_api_says_so(cache: Cache):
    summary = run_sync(config("http://127.0.0.1:9/api/query"), cache)
    assert summary.results[0].error.startswith(
        "arXiv cannot be reached (offline?): http://127.0.0.1:9/api/query?"
    )
    assert summary.results[0].error.endswith("(4 tries)")


def test_an_unusable_api_url_fails_at_once(cache: Cache):
    summary = run_sync(config("http://exa mple.org/api/query"), cache)
    result = summary.results[0]
    assert result.error.startswith("http://exa mple.org/api/query?search_query=ti%3Atest")
    assert "is not a usable URL (Failed to parse: Host 'exa mple.org'" in result.error
    assert result.requests == 1


def test_the_version_comes_from_the_pdf_link_when_the_id_has_none(cache: Cache):
    entry = Entry(id="2611.00001", version=3, versioned_id=False, pdf_title=False)
    with LoopbackServer({API: Reply(200, atom([entry]), ATOM_TYPE)}) as server:
        sync(server, cache)
    assert cache.paper("2611.00001").version == 3


def test_code_links_in_the_abstract_and_comment(cache: Cache):
    entry = Entry(
        id="2611.00001",
        summary="We release our tool (https://github.com/lab/tool). Weights: huggingface.co/lab/model-7b.",
        comment="12 pages; code at https://gitlab.com/lab/extras, and github.com/lab/tool.",
    )
    with LoopbackServer({API: Reply(200, atom([entry]), ATOM_TYPE)}) as server:
        sync(server, cache)
    assert cache.paper("2611.00001").code_urls == [
        "https://gitlab.com/lab/extras",
        "https://github.com/lab/tool",
        "https://huggingface.co/lab/model-7b",
    ]


def test_a_new_version_keeps_the_star_and_the_digest_translation(cache: Cache):
    v1 = Paper(
        id="2611.00001",
        title="Old title",
        published="2026-11-01",
        version=1,
        authors=["Ada Lovelace"],
        abstract="Old abstract.",
        code_urls=["https://github.com/o/r"],
    )
    translation = Translation("2611.00001", "zh", "旧摘要")
    import_lines(
        cache, digest_text([Incoming(v1, ("LLM",), (translation,))]).splitlines(), "digest"
    )
    cache.set_starred("2611.00001", True)
    cache.set_read("2611.00001", True)
    v2 = Entry(
        id="2611.00001",
        version=2,
        title="New title",
        summary="New abstract.",
        published="2026-11-01",
        updated="2026-11-20",
    )
    with LoopbackServer({API: Reply(200, atom([v2]), ATOM_TYPE)}) as server:
        summary, _ = sync(server, cache)
    assert summary.results[0].updated == 1
    detail = cache.detail("2611.00001")
    paper = detail.paper
    assert (paper.version, paper.title, paper.abstract) == (2, "New title", "New abstract.")
    assert (paper.updated, paper.source, paper.code_urls) == (
        "2026-11-20",
        "arxiv",
        ["https://github.com/o/r"],
    )
    assert paper.authors == ["Ada Lovelace", "Alan Turing"]
    # The star stays; the new version of a kept paper turns it unread (DESIGN §15).
    assert detail.state.starred and not detail.state.read
    assert detail.translation_langs == ["zh"] and detail.topics == ["LLM", "T"]


def test_cancel_interrupts_the_polite_delay(cache: Cache):
    cancel = threading.Event()

    def progress(event):
        if event.kind == "page":
            cancel.set()

    with LoopbackServer({API: ArxivStub(generated(25))}) as server:
        started = time.monotonic()
        summary = run_sync(
            config(server.url(API), delay=30), cache, progress=progress, cancel=cancel
        )
    assert time.monotonic() - started < 5
    assert summary.results[0].error == "cancelled" and summary.results[0].new == 10
    assert len(server.requests) == 1 and cache.count_papers() == 10
