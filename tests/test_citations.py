"""Citations from Semantic Scholar's Graph API, against a loopback stand-in that answers as
it does (nested references and citations, 404, 429 with Retry-After)."""

from __future__ import annotations

import pytest

from paperdeck.storage.cache import citations as store
from paperdeck.storage.cache.database import Cache
from paperdeck.storage.config import CitationSettings
from paperdeck.storage.sources import semantic_scholar as s2
from tests.support.loopback import LoopbackServer
from tests.support.semantic_scholar_stub import PATH, Graph, entry

PAPER = "2406.02543"
GRAPH = {
    PAPER: (
        42,
        [entry("1706.03762", "Attention is all you need"), entry(None, "A book"),
         entry(None, "A journal paper", doi="10.1/x"), entry("1706.03762v5")],
        [entry("2501.00001v2", "A follow-up"), entry("hep-th/9901001", "Old")],
    )
}


@pytest.fixture
def waits(monkeypatch) -> list[float]:
    """The waits the client asked for (none really taken)."""
    slept: list[float] = []
    monkeypatch.setattr(s2, "_last_request", 0.0)
    return slept


def settings(server: LoopbackServer, **extra) -> CitationSettings:
    return CitationSettings(url=server.url("/graph/v1"), **extra)


def test_count_references_and_citing_papers_as_arxiv_ids(cache: Cache, waits):
    with LoopbackServer({PATH + "*": Graph(dict(GRAPH))}) as server:
        found = s2.citations(cache, settings(server), PAPER, sleep=waits.append)
        sent = server.requests
    assert found.as_json() == {
        "count": 42,
        "references": ["1706.03762"],
        "cited_by": ["2501.00001", "hep-th/9901001"],
    }
    assert sent[0].path == f"{PATH}arXiv:{PAPER}"
    assert sent[0].query["fields"] == [s2.FIELDS]
    assert "x-api-key" not in {k.lower() for k in sent[0].headers}


def test_kept_a_week_then_asked_again(cache: Cache, waits):
    with LoopbackServer({PATH + "*": Graph(dict(GRAPH))}) as server:
        s2.citations(cache, settings(server), PAPER, sleep=waits.append)
        s2.citations(cache, settings(server), PAPER, sleep=waits.append)
        assert len(server.requests) == 1
        cache.conn.execute("UPDATE citations SET fetched_at = '2020-01-01T00:00:00+00:00'")
        s2.citations(cache, settings(server), PAPER, sleep=waits.append)
        assert len(server.requests) == 2
    assert store.load(cache, PAPER).count == 42


def test_a_429_is_waited_out_as_retry_after_says(cache: Cache, waits):
    graph = Graph(dict(GRAPH), busy=2, retry_after="7")
    with LoopbackServer({PATH + "*": graph}) as server:
        found = s2.citations(cache, settings(server), PAPER, sleep=waits.append)
        assert len(server.requests) == 3
    assert found.count == 42 and waits.count(7.0) == 2


def test_a_wait_too_long_is_one_sentence(cache: Cache, waits):
    graph = Graph(dict(GRAPH), busy=99, retry_after="3600")
    with LoopbackServer({PATH + "*": graph}) as server:
        with pytest.raises(s2.CitationError, match=r"answered 429 .*try again in 3600 s"):
            s2.citations(cache, settings(server), PAPER, sleep=waits.append)
        assert len(server.requests) == 1
    assert store.load(cache, PAPER) is None


def test_an_unknown_paper_is_a_clear_error(cache: Cache, waits):
    with (
        LoopbackServer({PATH + "*": Graph({})}) as server,
        pytest.raises(s2.CitationError, match="does not know arXiv:2406.02543.*404"),
    ):
        s2.citations(cache, settings(server), PAPER, sleep=waits.append)


def test_the_key_goes_in_its_header(cache: Cache, waits, monkeypatch):
    monkeypatch.setenv("S2_KEY", "secret-key")
    with LoopbackServer({PATH + "*": Graph(dict(GRAPH))}) as server:
        s2.citations(cache, settings(server, api_key_env="S2_KEY"), PAPER, sleep=waits.append)
        headers = {k.lower(): v for k, v in server.requests[0].headers.items()}
    assert headers["x-api-key"] == "secret-key"


def test_requests_are_spaced_politely(cache: Cache, waits, monkeypatch):
    """A second request soon after the first waits out the rest of ``SPACING_S`` (a long
    one here, so that no load on the machine could use it up)."""
    monkeypatch.setattr(s2, "SPACING_S", 1000.0)
    monkeypatch.setattr(s2, "_last_request", float("-inf"))
    with LoopbackServer({PATH + "*": Graph(dict(GRAPH))}) as server:
        s2.citations(cache, settings(server), PAPER, sleep=waits.append)
        assert waits == []
        s2.citations(cache, settings(server), PAPER, refresh=True, sleep=waits.append)
        assert len(server.requests) == 2
    assert len(waits) == 1 and 900 < waits[0] <= 1000
