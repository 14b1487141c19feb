"""Text is data: hostile titles, authors, abstracts, comments, topics, summaries and
translations from every source — a digest file, a remote digest, the arXiv API, a feed,
a translator — lose their escape and control characters on the way into the cache and
show their markup literally on the screen (checked end to end: source → cache → screen).
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperdeck.storage.cache.database import Cache
from paperdeck.storage.config import Feed, TranslationSettings
from paperdeck.storage.library.importer import import_file
from paperdeck.storage.models import Incoming, Paper
from paperdeck.storage.parsers.text import clean_generated, clean_line, reflow, strip_controls
from paperdeck.storage.sources.base import SourceError
from paperdeck.storage.sources.feeds import parse_feed
from paperdeck.storage.sources.runner import run_sync
from paperdeck.storage.translate import fetch_translation
from tests.support.arxiv_stub import ATOM_TYPE, ArxivStub, Entry, error_page
from tests.support.hostile import (
    ESCAPES,
    XML_ESCAPES,
    assert_markup_literal,
    hostile,
    leftovers,
)
from tests.support.loopback import LoopbackServer, Reply
from tests.support.sync_setup import config
from tests.tui_support import make_app, pane_text, table_lines

SIZE = (140, 40)
DIGEST_ESCAPES = tuple(e.replace("\r", "") for e in ESCAPES)
"""A carriage return ends a digest line (CR line endings exist): not inside a row."""

# --- the cleaning functions themselves --------------------------------------------------

ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=200)
"""Every code point: controls, escapes, bidi overrides, surrogates."""


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(ANY_TEXT, st.sampled_from(ESCAPES)), max_size=12).map("".join))
def test_cleaned_text_keeps_no_control_escape_bidi_or_surrogate(text: str):
    assert leftovers(strip_controls(text)) == []
    assert strip_controls(strip_controls(text)) == strip_controls(text)
    for cleaned in (clean_line(text), reflow(text), clean_generated(text)):
        assert leftovers(cleaned) == []


@settings(max_examples=300, deadline=None)
@given(ANY_TEXT.filter(lambda t: "\x1b" not in t and "\x9b" not in t))
def test_cleaning_removes_only_what_a_terminal_would_obey(text: str):
    unified = text.replace("\r\n", "\n").replace("\r", "\n")
    bad = set(leftovers(unified, keep="\n\t"))
    expected = "".join(c for c in unified if c not in bad).replace("\t", " ")
    assert strip_controls(text) == expected


def test_a_lone_surrogate_from_a_json_answer_is_dropped():
    assert strip_controls("a\ud800b\udfffc") == "abc"


# --- every source, end to end ------------------------------------------------------------

PAPER = "2406.00001"


def hostile_digest() -> bytes:
    def mark(text: str) -> str:
        return hostile(text, DIGEST_ESCAPES)

    title = mark("Tokens")
    lines = [
        f"## {mark('Topic')}",
        "|Publish Date|Title|Authors|PDF|Code|Abstract|",
        "|---|---|---|---|---|---|",
        f"|**2024-06-04**|**{title}**|{mark('Ada')} et.al.|"
        f"[{PAPER}v1](http://arxiv.org/abs/{PAPER}v1)|[link](https://github.com/o/r)|"
        f"{mark('Summary')}|",
        "",
        "#### Abstracts",
        f"##### **{title}**",
        f"{PAPER}v1 by {mark('Ada')}, {mark('Alan')}",
        "",
        mark("Abstract"),
        "",
        "摘要：" + mark("譯文"),
        "",
    ]
    return "\n".join(lines).encode()


def from_digest_file(cache: Cache, tmp_path: Path) -> None:
    path = tmp_path / "digest.md"
    path.write_bytes(hostile_digest())
    assert import_file(cache, str(path)).ok


def from_remote_digest(cache: Cache, tmp_path: Path) -> None:
    with LoopbackServer({"/d.md": Reply(200, hostile_digest())}) as server:
        assert run_sync(config(topics=[], digests=[server.url("/d.md")]), cache).ok


def from_arxiv_api(cache: Cache, tmp_path: Path) -> None:
    def mark(text: str) -> str:
        return hostile(text, XML_ESCAPES)

    entry = Entry(
        id=PAPER,
        title=mark("Tokens"),
        authors=(mark("Ada"), mark("Alan")),
        summary=mark("Abstract"),
        comment=mark("Comment"),
        journal_ref=mark("Journal"),
        categories=("cs.CL\u202e", "cs.LG"),
    )
    with LoopbackServer({"/api/query": ArxivStub([entry])}) as server:
        assert run_sync(config(server.url("/api/query")), cache).ok


def hostile_feed() -> bytes:
    def mark(text: str) -> str:
        return hostile(text, XML_ESCAPES).replace("&", "&amp;").replace("<", "&lt;")

    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/"
  version="2.0"><channel>
<title>cs.CL updates on arXiv.org</title><link>https://rss.arxiv.org/rss/cs.CL</link>
<description>cs.CL updates</description><pubDate>Thu, 28 Nov 2024 00:00:00 -0500</pubDate>
<item><title>{mark("Tokens")}</title><link>https://arxiv.org/abs/{PAPER}</link>
<description>arXiv:{PAPER}v1 Announce Type: new
Abstract: {mark("Abstract")}</description>
<guid isPermaLink="false">oai:arXiv.org:{PAPER}v1</guid><category>cs.CL&#x202e;</category>
<pubDate>Thu, 28 Nov 2024 00:00:00 -0500</pubDate><arxiv:announce_type>new</arxiv:announce_type>
<arxiv:journal_reference>{mark("Journal")}</arxiv:journal_reference>
<dc:creator>{mark("Ada")}, {mark("Alan")}</dc:creator>
</item></channel></rss>
""".encode()


def from_feed(cache: Cache, tmp_path: Path) -> None:
    with LoopbackServer({"/rss/cs.CL": Reply(200, hostile_feed())}) as server:
        feeds = config(topics=[], feeds=[Feed("cs.CL")])
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("PAPERDECK_FEEDS_URL", server.url("/rss/"))
            assert run_sync(feeds, cache).ok


TRANSLATED = hostile("Übersetzung") + " \ud800 \udfff"
"""JSON carries any escape (``\\u001b``), lone surrogates too."""


def from_translator(cache: Cache, tmp_path: Path) -> None:
    cache.upsert([Incoming(Paper(PAPER, "Plain title", "2024-06-04", abstract="An abstract."))])
    answer = {"choices": [{"message": {"content": TRANSLATED}, "finish_reason": "stop"}]}
    with LoopbackServer({"/v1/chat/completions": Reply.json(answer)}) as server:
        fetch_translation(cache, translator(server.url("/v1")), PAPER)


def translator(url: str) -> TranslationSettings:
    return TranslationSettings(provider="openai", url=url, model="m", target="zh")


SOURCES: dict[str, Callable[[Cache, Path], None]] = {
    "digest file": from_digest_file,
    "remote digest": from_remote_digest,
    "arXiv API": from_arxiv_api,
    "feed": from_feed,
    "translator": from_translator,
}


def assert_clean(text: str) -> None:
    assert leftovers(text) == [], f"left in {text[:120]!r}: {leftovers(text)}"


def stored_texts(cache: Cache) -> list[str]:
    """Every text field of the paper as stored, its translations included."""
    detail = cache.detail(PAPER)
    paper = detail.paper
    texts = [paper.title, paper.abstract, paper.comment, paper.journal_ref, paper.summary]
    texts += [*paper.authors, *paper.categories, paper.primary_category, *detail.topics]
    for lang in detail.translation_langs:
        translation = cache.translation(PAPER, lang)
        texts += [translation.title, translation.abstract]
    return texts


@pytest.mark.parametrize("source", SOURCES)
async def test_hostile_text_is_stored_clean_and_shown_literally(source, tmp_path: Path):
    with Cache(tmp_path / "c.db") as cache:
        SOURCES[source](cache, tmp_path)
        texts = stored_texts(cache)
        for text in texts:
            assert_clean(text)
        assert sum("[@click=app.quit]quit[/]" in text for text in texts) >= 2
        assert all(url.startswith("https://") for url in cache.paper(PAPER).code_urls)

        app = make_app(cache, translation=translator("http://127.0.0.1:9/v1"))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("enter")
            row = table_lines(app)[0]
            assert_clean(row)
            pane = pane_text(app)
            assert_clean(pane)
            if source == "translator":
                await pilot.press("t")
                pane = pane_text(app)
                assert_clean(pane)
                assert "Translation (zh, from openai)" in pane
            else:
                assert "[bold red]Red[/]" in row
            assert_markup_literal(pane)
            assert app.is_running


# --- errors that quote a source ----------------------------------------------------------------


def test_a_feed_error_quoting_arxiv_loses_its_controls():
    channel = (
        '<rss version="2.0"><channel><title>Feed error for query: x</title>'
        f"<description>{hostile('Bad archive', XML_ESCAPES)}</description></channel></rss>"
    ).encode()
    with pytest.raises(SourceError) as error:
        parse_feed(channel, "https://rss.example/x", "T", ["new"])
    assert_clean(str(error.value))
    assert "arXiv says: Bad archive [bold red]Red[/]" in str(error.value)


def test_an_arxiv_error_entry_loses_its_controls(tmp_path: Path):
    page = error_page(hostile("incorrect id", XML_ESCAPES))
    with (
        Cache(tmp_path / "c.db") as cache,
        LoopbackServer({"/api/query": Reply(400, page, ATOM_TYPE)}) as server,
    ):
        error = run_sync(config(server.url("/api/query")), cache).results[0].error
    assert_clean(error)
    assert "arXiv says: incorrect id [bold red]Red[/]" in error


def test_a_reason_phrase_with_an_8_bit_escape_is_cleaned(tmp_path: Path):
    """``requests`` (under the arxiv package) keeps the C1 bytes of a status line."""
    listener = socket.create_server(("127.0.0.1", 0))
    answer = b"HTTP/1.1 400 Bad\x9b2J\xe2\x80\xae request\r\nContent-Length: 0\r\n\r\n"

    def serve() -> None:
        with listener:
            connection, _ = listener.accept()
            with connection:
                connection.recv(65536)
                connection.sendall(answer)

    threading.Thread(target=serve, daemon=True).start()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/api/query"
    with Cache(tmp_path / "c.db") as cache:
        error = run_sync(config(url), cache).results[0].error
    assert_clean(error)
    assert " answered 400 Bad" in error and "2J" not in error
