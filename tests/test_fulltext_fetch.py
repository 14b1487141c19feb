"""Fetching renderings from a loopback server laid out as arxiv.org and ar5iv: the URLs
asked, the fallback, "no rendering", politeness (spacing, retries, User-Agent), and
nothing fetched beyond the page."""

from __future__ import annotations

import time

import pytest

from paperdeck.storage.config import ConfigError, FulltextSettings, parse_config
from paperdeck.storage.fulltext.fetch import NoRendering, fetch_page, page_urls
from paperdeck.storage.http import USER_AGENT, FetchError
from tests.support.fulltext import HTML_TYPE, NO_HTML_ID, SYNTHETIC, SYNTHETIC_ID, routes
from tests.support.loopback import LoopbackServer, Reply, in_turn


def settings(server: LoopbackServer, delay: float = 0) -> FulltextSettings:
    return FulltextSettings(
        html_url=server.url("/html/"),
        ar5iv_url=server.url("/ar5iv/html/"),
        pdf_url=server.url("/pdf/"),
        delay_seconds=delay,
    )


def no_sleep(seconds: float) -> None:
    pass


def test_the_versioned_page_without_a_trailing_slash():
    with LoopbackServer(routes(None)) as server:
        page = fetch_page(SYNTHETIC_ID, 2, settings(server), sleep=no_sleep)
    assert page.body == SYNTHETIC.read_bytes()
    assert page.url == server.url(f"/html/{SYNTHETIC_ID}v2")
    assert [r.path for r in server.requests] == [f"/html/{SYNTHETIC_ID}v2"]
    assert server.requests[0].headers["User-Agent"] == USER_AGENT


def test_an_unknown_version_follows_arxivs_redirect_to_the_latest():
    with LoopbackServer(routes(None)) as server:
        page = fetch_page(SYNTHETIC_ID, None, settings(server), sleep=no_sleep)
    assert page.url.endswith(f"/html/{SYNTHETIC_ID}v2")
    assert [r.path for r in server.requests] == [f"/html/{SYNTHETIC_ID}", f"/html/{SYNTHETIC_ID}v2"]


def test_ar5iv_when_arxiv_has_none():
    table = {"/ar5iv/html/1701.00001": Reply(200, SYNTHETIC.read_bytes(), HTML_TYPE)}
    with LoopbackServer(table) as server:
        page = fetch_page("1701.00001", 1, settings(server), sleep=no_sleep)
    assert page.url == server.url("/ar5iv/html/1701.00001")
    assert [r.path for r in server.requests] == ["/html/1701.00001v1", "/ar5iv/html/1701.00001"]


def test_no_rendering_anywhere_is_one_sentence_with_the_pdf_link():
    with LoopbackServer(routes(None)) as server, pytest.raises(NoRendering) as caught:
        fetch_page(NO_HTML_ID, 1, settings(server), sleep=no_sleep)
    message = str(caught.value)
    assert message == (
        f"arXiv has no HTML rendering of {NO_HTML_ID} (nor has ar5iv); "
        f"read its PDF instead: https://arxiv.org/pdf/{NO_HTML_ID}v1"
    )
    # ar5iv's redirect to the abstract page is not followed: nothing more is fetched.
    assert [r.path for r in server.requests] == [
        f"/html/{NO_HTML_ID}v1",
        f"/ar5iv/html/{NO_HTML_ID}",
    ]


def test_images_are_never_fetched():
    with LoopbackServer(routes(None)) as server:
        fetch_page(SYNTHETIC_ID, 2, settings(server), sleep=no_sleep)
    assert not any(r.path.endswith(".png") for r in server.requests)


def test_requests_are_spaced_by_delay_seconds():
    with LoopbackServer(routes(None)) as server, pytest.raises(NoRendering):
        fetch_page(NO_HTML_ID, 1, settings(server, delay=0.3))
    first, second = server.requests
    assert second.at - first.at >= 0.29


def test_429_and_503_are_retried_honouring_retry_after():
    waits: list[float] = []
    answers = in_turn(
        Reply(429, "slow down", {"Retry-After": "2"}),
        Reply(503, "busy"),
        Reply(200, SYNTHETIC.read_bytes(), HTML_TYPE),
    )
    with LoopbackServer({f"/html/{SYNTHETIC_ID}v2": answers}) as server:
        page = fetch_page(SYNTHETIC_ID, 2, settings(server), sleep=waits.append)
    assert page.body == SYNTHETIC.read_bytes()
    assert len(server.requests) == 3
    assert 2.0 in waits  # the server's Retry-After


def test_a_failing_service_is_reported_with_its_url_and_status():
    table = {
        f"/html/{SYNTHETIC_ID}v2": Reply(500, "broken"),
        f"/ar5iv/html/{SYNTHETIC_ID}": Reply(404, "No document"),
    }
    with LoopbackServer(table) as server, pytest.raises(FetchError) as caught:
        fetch_page(SYNTHETIC_ID, 2, settings(server), sleep=no_sleep)
    assert f"/html/{SYNTHETIC_ID}v2 answered 500" in str(caught.value)


def test_offline_is_a_sentence_not_a_traceback():
    closed = FulltextSettings(
        html_url="http://127.0.0.1:9/html/", ar5iv_url="http://127.0.0.1:9/ar5iv/",
    pdf_url="http://127.0.0.1:9/pdf/",
    delay_seconds=0,
    )
    started = time.monotonic()
    with pytest.raises(FetchError) as caught:
        fetch_page(SYNTHETIC_ID, 2, closed, sleep=no_sleep)
    assert "cannot reach http://127.0.0.1:9/html/2501.00001v2" in str(caught.value)
    assert time.monotonic() - started < 10


def test_a_refused_connection_is_said_at_once_not_retried_nor_spaced():
    waits: list[float] = []  # the retries' backoff and the spacing would both sleep here
    refused = FulltextSettings(
        html_url="http://127.0.0.1:9/html/", ar5iv_url="http://127.0.0.1:9/ar5iv/", delay_seconds=3
    )
    with pytest.raises(FetchError, match="connection was refused"):
        fetch_page(SYNTHETIC_ID, 2, refused, sleep=waits.append)
    assert waits == []


def test_a_host_that_does_not_resolve_is_said_at_once_not_retried_nor_spaced(no_such_host):
    waits: list[float] = []
    nowhere = FulltextSettings(
        html_url=f"http://{no_such_host}/html/", ar5iv_url=f"http://{no_such_host}/ar5iv/",
        delay_seconds=3,
    )
    with pytest.raises(FetchError, match="the host name could not be resolved"):
        fetch_page(SYNTHETIC_ID, 2, nowhere, sleep=waits.append)
    assert waits == []


def test_a_redirect_hop_is_not_spaced_by_delay_seconds():
    waits: list[float] = []
    with LoopbackServer(routes(None)) as server:
        fetch_page(SYNTHETIC_ID, None, settings(server, delay=30), sleep=waits.append)
    assert len(server.requests) == 2  # the page, then where it redirects
    assert waits == []  # no 30 s before the hop


def test_a_page_that_is_not_html_is_no_rendering():
    table = {
        f"/html/{SYNTHETIC_ID}v2": Reply(200, b"%PDF-1.5", {"Content-Type": "application/pdf"}),
        f"/ar5iv/html/{SYNTHETIC_ID}": Reply(404, "No document"),
    }
    with LoopbackServer(table) as server, pytest.raises(NoRendering):
        fetch_page(SYNTHETIC_ID, 2, settings(server), sleep=no_sleep)


def test_urls_whatever_the_trailing_slash_in_the_config():
    plain = FulltextSettings(html_url="https://arxiv.org/html", ar5iv_url="https://ar5iv.org/html/")
    assert page_urls("2406.99002", 3, plain) == [
        "https://arxiv.org/html/2406.99002v3",
        "https://ar5iv.org/html/2406.99002",
    ]


def test_the_fulltext_section_of_the_config(tmp_path):
    path = tmp_path / "config.toml"
    config = parse_config(
        '[fulltext]\nhtml_url = "http://mirror.example/html/"\ndelay_seconds = 5\n', path
    )
    assert config.fulltext == FulltextSettings(
        html_url="http://mirror.example/html/", delay_seconds=5.0
    )
    with pytest.raises(ConfigError) as caught:
        parse_config('[ui]\n\n[fulltext]\nar5iv_url = "ftp://x/"\n', path)
    assert str(caught.value) == (
        f"{path}:4: [fulltext]: ar5iv_url must be an http(s) URL, not 'ftp://x/'"
    )
    with pytest.raises(ConfigError, match=r":2: \[fulltext\]: unknown key 'delay'"):
        parse_config("[fulltext]\ndelay = 3\n", path)
