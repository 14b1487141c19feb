"""Papers asked for by id or by an arXiv search, against a loopback arXiv API that answers
``id_list`` and ``search_query`` as arXiv does (Atom)."""

from __future__ import annotations

import pytest

from paperdeck.storage.cache.database import Cache
from paperdeck.storage.config import ArxivSettings
from paperdeck.storage.ids import parse_id
from paperdeck.storage.sources import arxiv_lookup
from paperdeck.storage.sources.base import SourceError
from tests.support.arxiv_stub import ArxivStub, Entry, error_page
from tests.support.loopback import LoopbackServer, Reply

API = "/api/query"
ENTRIES = [
    Entry("2406.02543", version=2, title="Attention to ids", authors=("Li Yang", "Ada Byron")),
    Entry("hep-th/9901001", title="Old strings", published="1999-01-04", categories=("hep-th",)),
    Entry("2401.00001", title="Another one"),
]


def settings(server: LoopbackServer) -> ArxivSettings:
    return ArxivSettings(api_url=server.url(API), delay_seconds=0)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2406.02543", ("2406.02543", None)),
        ("arXiv:2406.02543v2", ("2406.02543", 2)),
        ("ARXIV: hep-th/9901001", ("hep-th/9901001", None)),
        ("https://arxiv.org/abs/2406.02543v3", ("2406.02543", 3)),
        ("arxiv.org/pdf/2406.02543.pdf", ("2406.02543", None)),
        ("https://arxiv.org/abs/2406.02543?context=cs", ("2406.02543", None)),
        ("https://arxiv.org/html/2406.02543v1/", ("2406.02543", 1)),
        ("attention", None),
        ("https://example.org/abs/2406.02543", None),
    ],
)
def test_every_way_of_naming_a_paper(text, expected):
    assert parse_id(text) == expected


def test_add_brings_ids_and_urls_in_with_one_request(cache: Cache):
    with LoopbackServer({API: ArxivStub(ENTRIES)}) as server:
        ids = arxiv_lookup.parse_ids(
            ["arXiv:2406.02543", "https://arxiv.org/abs/hep-th/9901001v1", "2406.02543v2"]
        )
        fetched = arxiv_lookup.add_papers(cache, settings(server), ids)
        sent = server.requests_to(API)
    assert len(sent) == 1 and sent[0].query["id_list"] == ["2406.02543,hep-th/9901001"]
    assert [p.id for p in fetched.papers] == ["2406.02543", "hep-th/9901001"]
    assert (fetched.new, fetched.missing, fetched.requests) == (2, [], 1)
    assert cache.paper("2406.02543").version == 2
    assert cache.paper("hep-th/9901001").title == "Old strings"


def test_an_id_arxiv_does_not_know_is_reported_missing(cache: Cache):
    with LoopbackServer({API: ArxivStub(ENTRIES)}) as server:
        fetched = arxiv_lookup.add_papers(cache, settings(server), ["2406.02543", "2501.99999"])
    assert fetched.missing == ["2501.99999"] and cache.paper("2501.99999") is None


def test_what_is_not_an_id_is_refused_before_any_request():
    with pytest.raises(arxiv_lookup.BadLookup, match="'attention' is not an arXiv id"):
        arxiv_lookup.parse_ids(["2406.02543", "attention"])


def test_arxivs_refusal_is_one_sentence(cache: Cache):
    refusal = Reply(400, error_page("incorrect id format for 1234.x"), {})
    with LoopbackServer({API: refusal}) as server, pytest.raises(SourceError) as caught:
        arxiv_lookup.add_papers(cache, settings(server), ["2406.02543"])
    assert "400" in str(caught.value) and "incorrect id format" in str(caught.value)


def test_a_search_is_kept_under_its_own_topic(cache: Cache):
    with LoopbackServer({API: ArxivStub(ENTRIES)}) as server:
        fetched = arxiv_lookup.search_and_keep(cache, settings(server), "attention ids", 2)
        sent = server.requests_to(API)
    assert sent[0].query["search_query"] == ["all:attention AND all:ids"]
    assert fetched.topic == "arXiv: attention ids" and len(fetched.papers) == 2
    assert cache.detail("2406.02543").topics == ["arXiv: attention ids"]
    assert "arXiv: attention ids" in cache.topics()


def test_a_search_in_the_apis_own_syntax_goes_as_it_is(cache: Cache):
    with LoopbackServer({API: ArxivStub(ENTRIES)}) as server:
        arxiv_lookup.search_and_keep(cache, settings(server), 'ti:"old strings" AND cat:hep-th', 5)
        sent = server.requests_to(API)
    assert sent[0].query["search_query"] == ['ti:"old strings" AND cat:hep-th']
