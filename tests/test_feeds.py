"""arXiv new-submission feeds: the recorded real feeds (RSS 2.0, the empty and the error
channel, the legacy RSS 1.0/RDF), an Atom variant, and syncs against a loopback server."""

from __future__ import annotations

from pathlib import Path

import pytest

from paperdeck.storage.cache.database import Cache
from paperdeck.storage.config import Feed, Topic
from paperdeck.storage.parsers.tex import tex_to_unicode
from paperdeck.storage.sources import feeds
from paperdeck.storage.sources.base import SourceError
from paperdeck.storage.sources.feeds import ArxivFeed, parse_feed
from paperdeck.storage.sources.runner import run_sync
from tests.support.arxiv_stub import ArxivStub, generated
from tests.support.loopback import LoopbackServer, Reply, in_turn
from tests.support.sync_setup import Events, config

URL = "https://rss.arxiv.org/rss/test"
ALL_TYPES = ("new", "cross", "replace", "replace-cross")
ALL_ARCHIVES = "rss.arxiv.org__all-archives__2024-11-28__first1000of1504items.xml"
RDF = "export.arxiv.org__rss_hep-ex__2018-05-23__rss1.0-rdf__trimmed-3-items.xml"


def recorded(shared_data: Path, name: str) -> bytes:
    return (shared_data / "arxiv_rss" / name).read_bytes()


def papers_of(parsed):
    return {record.paper.id: record.paper for record in parsed.records}


def test_the_real_feed_keeps_the_announce_types_asked_for(shared_data: Path):
    content = recorded(shared_data, ALL_ARCHIVES)
    assert len(parse_feed(content, URL, "all", ["new", "cross"]).records) == 926 + 9
    assert len(parse_feed(content, URL, "all", ["replace"]).records) == 65
    everything = parse_feed(content, URL, "all", ALL_TYPES)
    assert len(everything.records) == 1000 and everything.skipped == 0
    assert all(r.topics == ("all",) and r.paper.source == "feed" for r in everything.records)


def test_every_field_of_a_real_item(shared_data: Path):
    papers = papers_of(parse_feed(recorded(shared_data, ALL_ARCHIVES), URL, "all", ALL_TYPES))
    first = papers["2411.17700"]
    assert first.version == 1 and first.published == "2024-11-28" and first.updated is None
    assert first.title.startswith("Exploring the Impact of Generative AI on Cross-Border")
    assert first.abstract.startswith("This study investigates the influence of generative")
    assert first.authors == ["Jun Cui"] and first.categories == ["cs.CY"]
    doi = papers["2411.17758"]
    assert doi.doi == "10.1016/j.segan.2024.101477"
    assert doi.journal_ref.startswith("Sustainable Energy, Grids and Networks, Volume 39")
    assert doi.authors == ["Kamil Erdayandi", "Mustafa Asan Mustafa"]
    assert doi.categories == ["cs.GT", "cs.CR"]
    replaced = papers["1401.3665"]
    assert replaced.version == 4 and replaced.updated == "2024-11-28"
    assert replaced.abstract.startswith("We prove the existence conjecture")
    accented = next(p for p in papers.values() if "Przemysław Olbratowski" in p.authors)
    assert "Jarosław Żygierewicz" in accented.authors
    assert not any(set("\\{}") & set(name) for p in papers.values() for name in p.authors)


def test_code_links_in_real_abstracts(shared_data: Path):
    papers = papers_of(parse_feed(recorded(shared_data, ALL_ARCHIVES), URL, "all", ALL_TYPES))
    linked = [p for p in papers.values() if p.code_urls]
    assert len(linked) >= 25
    urls = {url for p in linked for url in p.code_urls}
    assert "https://github.com/JokerJohn/Cloud_Map_Evaluation" in urls
    assert "https://github.com/SPARC-X" not in urls
    assert all(not url.endswith((".", ",", ")", "}", ".git")) for url in urls)


def test_the_empty_channel_is_an_empty_day_not_an_error(shared_data: Path):
    empty = "rss.arxiv.org__test__2024-11-28__empty-channel.xml"
    parsed = parse_feed(recorded(shared_data, empty), URL, "test", ["new"])
    assert parsed.records == [] and parsed.skipped == 0


def test_the_error_channel_is_a_clear_error_quoting_arxiv(shared_data: Path):
    error = "rss.arxiv.org__astroph__2024-11-28__bad-archive-error.xml"
    with pytest.raises(SourceError) as raised:
        parse_feed(
            recorded(shared_data, error), "https://rss.arxiv.org/rss/astroph", "astroph", ["new"]
        )
    assert str(raised.value).startswith(
        "https://rss.arxiv.org/rss/astroph: arXiv says: Bad archive 'astroph'. "
        "Valid archive names are: astro-ph, cond-mat,"
    )


def test_the_legacy_rss_1_0_format(shared_data: Path):
    content = recorded(shared_data, RDF)
    assert sorted(papers_of(parse_feed(content, URL, "hep-ex", ["new", "cross"]))) == [
        "1805.08875",
        "1805.09166",
    ]
    papers = papers_of(parse_feed(content, URL, "hep-ex", ALL_TYPES))
    first = papers["1805.08875"]
    assert first.title == "Measurement of Transverse Single Spin Asymmetries"
    assert (first.version, first.published, first.primary_category) == (1, "2018-05-23", "hep-ex")
    assert first.authors == ["Christopher Dilks (STAR Collaboration)"]
    assert first.abstract.startswith("In 2015 the first collisions between polarized protons")
    assert "<p>" not in first.abstract and "$2.6<\\eta<4$" in first.abstract
    assert "\n" not in first.abstract
    updated = papers["1805.06430"]
    assert updated.version == 2 and updated.primary_category == "nucl-th"
    assert updated.authors[:2] == ["Shu-Sheng Xu", "Zhu-Fang Cui"] and len(updated.authors) == 6


ATOM_FEED = b"""<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom"
      xmlns:dc="http://purl.org/dc/elements/1.1/">
  <title>cs.CL updates on arXiv.org</title>
  <updated>2026-11-26T00:00:00-05:00</updated>
  <entry>
    <id>oai:arXiv.org:2611.00001v2</id>
    <title>Cross-listed in &lt;b&gt;bold&lt;/b&gt;</title>
    <updated>2026-11-26T00:00:00-05:00</updated>
    <link rel="alternate" href="https://arxiv.org/abs/2611.00001"/>
    <summary>arXiv:2611.00001v2 Announce Type: replace-cross
Abstract: We study &lt;i&gt;parsing&lt;/i&gt;. Code: https://github.com/lab/parse).</summary>
    <category term="cs.CL"/>
    <category term="cs.LG"/>
    <published>2026-11-26T00:00:00-05:00</published>
    <arxiv:announce_type>replace-cross</arxiv:announce_type>
    <dc:creator>Fran\\c{c}ois Barth\\'elemy, {\\AA}sa Lind</dc:creator>
    <arxiv:DOI>10.1000/xyz</arxiv:DOI>
  </entry>
</feed>
"""


def test_the_atom_variant_with_html_in_the_description():
    parsed = parse_feed(ATOM_FEED, URL, "cs.CL", ALL_TYPES)
    (paper,) = [r.paper for r in parsed.records]
    assert (paper.id, paper.version, paper.published, paper.updated) == (
        "2611.00001",
        2,
        "2026-11-26",
        "2026-11-26",
    )
    assert paper.abstract == "We study *parsing*. Code: https://github.com/lab/parse)."
    assert paper.code_urls == ["https://github.com/lab/parse"]
    assert paper.authors == ["François Barthélemy", "Åsa Lind"] and paper.doi == "10.1000/xyz"
    assert parse_feed(ATOM_FEED, URL, "cs.CL", ["new", "cross"]).records == []


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"<html><body>Access Denied</body></html>", "did not send a readable RSS or Atom feed"),
        (
            b"<?xml version='1.0'?><rss version='2.0'><channel><title>x</title><item><title>a",
            "did not send a readable RSS or Atom feed (<unknown>:1:",
        ),
        (b"", "did not send a readable RSS or Atom feed"),
    ],
)
def test_what_is_not_a_feed_is_a_clear_error(content: bytes, reason: str):
    with pytest.raises(SourceError, match=f"^{URL} {reason}".replace("(", r"\(")):
        parse_feed(content, URL, "test", ["new"])


def test_an_item_without_an_id_is_skipped_and_the_rest_kept():
    content = ATOM_FEED.replace(
        b"</feed>", b"<entry><title>No id</title><summary>x</summary></entry></feed>"
    )
    parsed = parse_feed(content, URL, "cs.CL", ALL_TYPES)
    assert len(parsed.records) == 1 and parsed.skipped == 1


@pytest.mark.parametrize(
    ("tex", "text"),
    [
        ("Barth\\'elemy", "Barthélemy"),
        ("Jos\\'{e} Ra\\'ul", "José Raúl"),
        ("Jaros{\\l}aw \\.Zygierewicz", "Jarosław Żygierewicz"),
        ("Fran\\c{c}ois, Fran\\c cois", "François, François"),
        ("Erd\\H{o}s, Ji\\v{r}\\'i, Mar\\'{\\i}a", "Erdős, Jiří, María"),
        ('{\\"U}mit M\\"uller, Gro{\\ss}, {\\AA}ke', "Ümit Müller, Groß, Åke"),
        ("Gu{\\dh}mundur, \\TH ora", "Guðmundur, Þora"),
        ("Plain Name", "Plain Name"),
    ],
)
def test_tex_accents_become_unicode(tex: str, text: str):
    assert tex_to_unicode(tex) == text


# --- syncing feeds -------------------------------------------------------------------------


def feed_reply(content: bytes, **headers: str) -> Reply:
    return Reply(200, content, {"Content-Type": "application/rss+xml", **headers})


def test_the_feed_url_is_arxivs_unless_overridden(monkeypatch):
    monkeypatch.delenv("PAPERDECK_FEEDS_URL")
    assert ArxivFeed(Feed("cs.CL")).url == "https://rss.arxiv.org/rss/cs.CL"
    assert ArxivFeed(Feed("cs.CL"), base_url="http://mirror/rss").url == "http://mirror/rss/cs.CL"
    monkeypatch.setenv("PAPERDECK_FEEDS_URL", "http://127.0.0.1:8/feeds/")
    assert ArxivFeed(Feed("math")).url == "http://127.0.0.1:8/feeds/math"


def test_a_feed_syncs_once_then_costs_one_304(shared_data: Path, cache: Cache, monkeypatch):
    content = recorded(shared_data, RDF)

    def rss(request):
        if request.headers.get("If-None-Match") == '"day-1"':
            return Reply(304)
        return feed_reply(content, ETag='"day-1"')

    with LoopbackServer({"/rss/hep-ex": rss}) as server:
        monkeypatch.setenv("PAPERDECK_FEEDS_URL", server.url("/rss/"))
        setup = config(topics=[], feeds=[Feed("hep-ex")])
        first = run_sync(setup, cache)
        events = Events()
        second = run_sync(setup, cache, progress=events)
    assert first.ok and first.results[0].new == 2 and first.results[0].source == "feed hep-ex"
    assert second.ok and second.results[0].new == 0 and second.results[0].requests == 1
    assert server.requests[1].headers["If-None-Match"] == '"day-1"'
    assert events[-1].message == "not modified since the last sync"
    assert cache.detail("1805.08875").topics == ["hep-ex"]


def test_a_broken_feed_fails_alone(shared_data: Path, cache: Cache, monkeypatch):
    error = recorded(shared_data, "rss.arxiv.org__astroph__2024-11-28__bad-archive-error.xml")
    routes = {
        "/rss/astroph": feed_reply(error),
        "/rss/down": Reply(503, headers={"Retry-After": "0"}),
        "/api/query": ArxivStub(generated(3)),
    }
    with LoopbackServer(routes) as server:
        monkeypatch.setenv("PAPERDECK_FEEDS_URL", server.url("/rss"))
        setup = config(server.url("/api/query"), feeds=[Feed("astroph"), Feed("down")])
        summary = run_sync(setup, cache)
    topic, bad, down = summary.results
    assert topic.error is None and topic.new == 3
    assert bad.error.startswith(f"{server.url('/rss/astroph')}: arXiv says: Bad archive 'astroph'.")
    assert (
        down.error == f"{server.url('/rss/down')} answered 503 Service Unavailable"
        and down.requests == 4
    )
    assert not summary.ok


def test_an_endless_feed_is_not_read_into_memory(cache: Cache, monkeypatch):
    monkeypatch.setattr(feeds, "MAX_FEED_BYTES", 1000)
    with LoopbackServer({"/rss/cs.CL": Reply(200, b"<rss>" + b" " * 5000)}) as server:
        monkeypatch.setenv("PAPERDECK_FEEDS_URL", server.url("/rss"))
        summary = run_sync(config(topics=[], feeds=[Feed("cs.CL")]), cache)
    assert summary.results[0].error == (
        f"{server.url('/rss/cs.CL')} sent more than 1,000 bytes; stopped reading"
    )


def test_feeds_keep_arxivs_spacing_after_the_api(shared_data: Path, cache: Cache, monkeypatch):
    routes = {
        "/rss/hep-ex": feed_reply(recorded(shared_data, RDF)),
        "/api/query": in_turn(Reply(503, headers={"Retry-After": "0"}), ArxivStub(generated(3))),
    }
    with LoopbackServer(routes) as server:
        monkeypatch.setenv("PAPERDECK_FEEDS_URL", server.url("/rss/"))
        setup = config(
            server.url("/api/query"), feeds=[Feed("hep-ex")], delay=0.2, topics=[Topic("T", "ti:x")]
        )
        summary = run_sync(setup, cache)
    times = [r.at for r in server.requests]
    assert summary.ok and len(times) == 3
    assert all(b - a >= 0.2 for a, b in zip(times, times[1:], strict=False))
