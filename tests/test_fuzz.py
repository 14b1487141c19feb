"""Parsers never crash and never hang on hostile input: Hypothesis feeds the digest parser,
arXiv API pages, new-submission feeds and translators' answers random, truncated and
mangled input. Each answers with papers, a report of what it skipped, or its own error
(SourceError, TranslationError) — never another exception. Entity bombs and inputs built
to make a regex backtrack finish in well under a second.
"""

from __future__ import annotations

import functools
import io
import json
import tempfile
import time
import tracemalloc
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paperdeck.storage.cache.database import Cache
from paperdeck.storage.config import TranslationSettings
from paperdeck.storage.ids import parse_id, valid_date
from paperdeck.storage.library.importer import import_lines
from paperdeck.storage.models import Incoming, Paper
from paperdeck.storage.parsers.digest import DigestParser
from paperdeck.storage.sources import codelink_lookup
from paperdeck.storage.sources.base import SourceError
from paperdeck.storage.sources.codelink_lookup import code_link_from
from paperdeck.storage.sources.feeds import parse_feed
from paperdeck.storage.sources.runner import run_sync
from paperdeck.storage.translate import TranslationError, fetch_translation
from tests.conftest import SHARED_DATA
from tests.support.arxiv_stub import ATOM_TYPE, ArxivStub, Entry
from tests.support.hostile import leftovers
from tests.support.loopback import LoopbackServer, Reply
from tests.support.sync_setup import config

FUZZ = settings(
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
ALL_TYPES = ("new", "cross", "replace", "replace-cross")
ITEM = (
    "<item><title>{title}</title><link>https://arxiv.org/abs/2411.00001</link>"
    "<description>{description}</description><pubDate>Thu, 28 Nov 2024 00:00:00 -0500</pubDate>"
    "</item>"
)


@functools.cache
def recorded(folder: str) -> tuple[bytes, ...]:
    """The real payloads in ``../shared/data/<folder>`` (the big ones cut to 200 KB)."""
    paths = sorted((SHARED_DATA / folder).glob("*.[mx][dm]*"))
    return tuple(path.read_bytes()[:200_000] for path in paths)


def real(folder: str) -> tuple[bytes, ...]:
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not present")
    return recorded(folder)


# Bytes that hurt parsers: invalid UTF-8, a NUL, every line ending, table and heading
# starts, markdown and XML punctuation, half a CJK character, an escape.
DAMAGE = st.sampled_from(
    [b"\xff", b"\xc3", b"\xe6\x91", b"\x00", b"\r", b"\r\n", b"\n", b"|", b"\n## T\n",
     b"\n#### Abstracts\n", b"\n##### **T**\n", b"**", b"[", b"](", b"\\|", b"<", b">", b"&",
     b"]]>", b"<!--", b"\x1b[2J", b"\xef\xbb\xbf", b"&#0;", b"&lol;", b"\t"]
)  # fmt: skip


def mangle(data: bytes, cuts: tuple[int, int], damage: list[tuple[int, bytes]], eol: bytes):
    """``data`` cut to a window, with ``damage`` inserted, its line endings replaced."""
    start = cuts[0] % (len(data) + 1)
    out = bytearray(data[start : start + cuts[1]])
    for at, piece in damage:
        at %= len(out) + 1
        out[at:at] = piece
    return bytes(out).replace(b"\n", eol)


MANGLED = st.tuples(
    st.integers(0, 10**6),
    st.tuples(st.integers(0, 10**6), st.integers(0, 60_000)),
    st.lists(st.tuples(st.integers(0, 10**6), DAMAGE), max_size=12),
    st.sampled_from([b"\n", b"\r\n", b"\r", b"\n\r"]),
)


def mangled(folder: str, choice) -> bytes:
    files = real(folder)
    index, cuts, damage, eol = choice
    return mangle(files[index % len(files)], cuts, damage, eol)


def assert_good_paper(paper: Paper) -> None:
    """What every parser promises about a paper it hands out."""
    assert parse_id(paper.id) == (paper.id, None)
    assert paper.title and valid_date(paper.published) == paper.published
    for text in (paper.title, paper.abstract, paper.comment, paper.summary, *paper.authors):
        assert leftovers(text) == [], text
    assert all(url.startswith(("http://", "https://")) for url in paper.code_urls)


# --- the digest parser -------------------------------------------------------------------------


def parse_digest(data: bytes) -> tuple[list[Incoming], DigestParser]:
    """Parse as a file (large reads) and as lines: both must agree."""
    parser = DigestParser()
    records = list(parser.parse(io.BytesIO(data)))
    by_line = DigestParser()
    assert list(by_line.parse(data.splitlines(keepends=True))) == records
    return records, parser


def check_digest(data: bytes) -> list[Incoming]:
    records, parser = parse_digest(data)
    for record in records:
        assert_good_paper(record.paper)
    lines = data.count(b"\n") + data.count(b"\r") + 1
    assert all(1 <= skipped.line <= lines and skipped.reason for skipped in parser.skipped)
    return records


@FUZZ
@given(MANGLED)
def test_truncated_and_mangled_real_digests_parse_or_report(choice):
    data = mangled("digests", choice)
    records = check_digest(data)
    with tempfile.TemporaryDirectory() as tmp, Cache(Path(tmp) / "c.db") as cache:
        import_lines(cache, data.splitlines(keepends=True), "fuzz.md")
        assert cache.count_papers() == len({record.paper.id for record in records})
        assert cache.quick_check() == "ok"


HEADER = "|Publish Date|Title|Authors|PDF|Code|"
ROW = "|**2024-06-04**|**{title}**|A et.al.|[2406.{n:05d}v1](http://arxiv.org/abs/2406.{n:05d}v1)|{code}|"
BLOCK = "##### **T**\n2406.{n:05d}v1 by A, B\n\n{abstract}\n\n摘要：{translation}\n"
CELL = st.one_of(
    st.text(max_size=30),
    st.builds(lambda c, n: c * n, st.sampled_from("a |*[]()\\#-:<>"), st.integers(0, 50_000)),
)  # an ordinary cell, or an enormous one made of one character


NUMBER = st.integers(1, 20)
PIECE = st.one_of(
    st.builds("## {}\n".format, CELL),
    st.builds("#{}{}   ###\n".format, st.integers(1, 5000).map(" ".__mul__), CELL),
    st.just(HEADER + "\n|---|---|---|---|---|\n"),
    st.just(HEADER + "\n"),  # no alignment row
    st.just("| :---: | :-- |\n"),
    st.builds(
        lambda title, n, code: ROW.format(title=title, n=n, code=code) + "\n", CELL, NUMBER, CELL
    ),
    st.lists(CELL, max_size=9).map(lambda cells: "|" + "|".join(cells) + "|\n"),
    st.just("#### Abstracts\n"),
    st.builds(lambda n, a, t: BLOCK.format(n=n, abstract=a, translation=t), NUMBER, CELL, CELL),
    st.builds(  # a table inside an abstract block
        lambda n: BLOCK.format(
            n=n, abstract=f"{HEADER}\n{ROW}".format(title="T", n=n, code="null"), translation=""
        ),
        NUMBER,
    ),
    CELL.map(lambda cell: cell + "\n"),
)
"""Digest-shaped text with the shapes that break parsers: tables inside abstract blocks
and blocks inside tables, misaligned and ragged rows, headers without alignment rows,
enormous cells, headings padded with spaces."""


@FUZZ
@given(st.lists(PIECE, min_size=1, max_size=12).map("".join), st.sampled_from(["\n", "\r\n", "\r"]))
def test_hostile_digest_shapes_parse_or_report(text: str, eol: str):
    started = time.perf_counter()
    check_digest(text.replace("\n", eol).encode("utf-8", errors="surrogatepass"))
    assert time.perf_counter() - started < 5


@pytest.mark.parametrize(
    "line",
    [
        "## Topic" + " " * 1_500 + "x",  # cubic for a lazy (.*?)\s*#*\s*$: 10 s
        ROW.format(title="T", n=1, code="[" * 40_000 + "](x)"),
        ROW.format(title="T", n=1, code="[" * 40_000),
        ROW.format(title="[" * 40_000, n=1, code="null"),
        ROW.format(title=" " * 40_000, n=1, code="null"),
        "|" * 40_000,
        HEADER + "|" * 40_000,
    ],
    ids=["spaced heading", "code links", "code brackets", "title brackets", "blank title",
         "pipes", "wide header"],
)  # fmt: skip
def test_lines_built_to_backtrack_parse_in_linear_time(line: str):
    data = f"## T\n{HEADER}\n|---|---|---|---|---|\n{line}\n".encode()
    started = time.perf_counter()
    check_digest(data)
    assert time.perf_counter() - started < 1


# --- arXiv API pages, through the real request path ---------------------------------------------


@pytest.fixture(scope="module")
def api():
    """A loopback arXiv that answers every query with ``api.page``, and a cache."""
    state = {"page": b""}
    with (
        tempfile.TemporaryDirectory() as tmp,
        Cache(Path(tmp) / "c.db") as cache,
        LoopbackServer(
            {"/api/query": lambda request: Reply(200, state["page"], ATOM_TYPE)}
        ) as server,
    ):
        yield state, server, cache


def sync_page(api, page: bytes) -> None:
    """One sync of a topic whose every page is ``page``: papers or a SourceError, and
    whatever was stored is sound."""
    state, server, cache = api
    state["page"] = page
    summary = run_sync(config(server.url("/api/query"), page_size=5), cache)
    result = summary.results[0]
    assert result.error is None or result.error.strip(), result
    assert leftovers(result.error or "") == []
    for (paper_id,) in cache.conn.execute("SELECT id FROM papers"):
        assert_good_paper(cache.paper(paper_id))


DATES = st.one_of(
    st.sampled_from(
        ["2024-06-04T00:00:00Z", "0001-01-01T00:00:00+05:00", "9999-12-31T23:00:00-05:00",
         "0001-01-01T00:00:00Z", "9999-12-31T00:00:00Z", "2024-02-30T00:00:00Z", "", "x",
         "2024-06-04T25:00:00Z", "1899-12-31T00:00:00Z"]
    ),
    st.text(max_size=25),
)  # fmt: skip
XML_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40).map(
    lambda t: t.replace("&", "&amp;").replace("<", "&lt;")
)


@st.composite
def api_entries(draw) -> bytes:
    """A page of entries with random ids, dates, titles, names, links and categories."""
    entries = []
    for _ in range(draw(st.integers(0, 6))):
        ident = draw(
            st.sampled_from(["2406.00001v2", "hep-th/9901001", "2406.00002", ""]) | XML_TEXT
        )
        entries.append(
            f"<entry><id>http://arxiv.org/abs/{ident}</id>"
            f"<published>{draw(DATES)}</published><updated>{draw(DATES)}</updated>"
            f"<title>{draw(XML_TEXT)}</title><summary>{draw(XML_TEXT)}</summary>"
            f"<author><name>{draw(XML_TEXT)}</name></author>"
            f'<link href="{draw(XML_TEXT)}" type="application/pdf"/>'
            f'<category term="{draw(XML_TEXT)}"/><arxiv:comment>{draw(XML_TEXT)}</arxiv:comment>'
            "</entry>"
        )
    total = draw(st.sampled_from(["1", "0", "-5", "x", "99999999999999999999"]))
    return (
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom"'
        ' xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">'
        f"<opensearch:totalResults>{total}</opensearch:totalResults>" + "".join(entries) + "</feed>"
    ).encode("utf-8", errors="surrogatepass")


@FUZZ
@given(api_entries())
def test_api_pages_with_hostile_entries_sync_or_fail_clearly(api, page: bytes):
    sync_page(api, page)


@FUZZ
@given(MANGLED)
def test_truncated_and_mangled_real_api_pages_sync_or_fail_clearly(api, choice):
    sync_page(api, mangled("arxiv_api", choice))


XMLISH = st.lists(
    st.one_of(
        st.sampled_from(
            ["<feed xmlns='http://www.w3.org/2005/Atom'>", "</feed>", "<entry>", "</entry>",
             "<id>", "</id>", "<title>", "</title>", "<summary>", "</summary>", "<![CDATA[",
             "]]>", "&amp;", "&#27;", "&#x202e;", "&#0;", "&bogus;", "<!DOCTYPE x [<!ENTITY a 'b'>]>",
             "&a;", "<?xml version='1.0' encoding='latin-1'?>", "<rss version='2.0'>", "<channel>",
             "</channel>", "<item>", "</item>", "<description>", "</description>",
             "arXiv:2411.17700v1 Announce Type: new \nAbstract: ", "Title. (arXiv:1805.08875v1 [hep-ex])",
             "oai:arXiv.org:2406.00001v1", "Thu, 28 Nov 2024 00:00:00 -0500", "<pubDate>",
             "</pubDate>", "<dc:creator>", "</dc:creator>", "<p>", "</p>"]
        ),
        st.text(max_size=20),
    ),
    max_size=50,
).map(lambda parts: "".join(parts).encode("utf-8", errors="surrogatepass"))  # fmt: skip


@FUZZ
@given(XMLISH)
def test_random_xmlish_pages_sync_or_fail_clearly(api, page: bytes):
    sync_page(api, page)


# --- new-submission feeds ---------------------------------------------------------------------


def check_feed(content: bytes) -> None:
    try:
        parsed = parse_feed(content, "https://rss.example/x", "T", ALL_TYPES)
    except SourceError as exc:
        assert str(exc) and leftovers(str(exc)) == []
        return
    assert parsed.skipped >= 0
    for record in parsed.records:
        assert_good_paper(record.paper)
        assert all(leftovers(c) == [] for c in record.paper.categories)


@FUZZ
@given(XMLISH)
def test_random_xmlish_feeds_parse_or_fail_clearly(content: bytes):
    check_feed(content)


@FUZZ
@given(MANGLED)
def test_truncated_and_mangled_real_feeds_parse_or_fail_clearly(choice):
    check_feed(mangled("arxiv_rss", choice))


@pytest.mark.parametrize(
    "content",
    [
        b'<?xml version="1.0" encoding="\x80UTF-8"?><rss version="2.0"/>',
        b'<?xml version="1.0" encoding="\x00UTF-8"?><rss version="2.0"/>',
    ],
    ids=["C1 in encoding", "NUL in encoding"],
)
def test_declarations_that_trip_feedparser_are_clear_errors(content: bytes):
    with pytest.raises(SourceError, match="did not send a readable RSS or Atom feed"):
        parse_feed(content, "https://rss.example/x", "T", ALL_TYPES)


def test_a_body_naming_a_local_file_is_not_read_from_disk(tmp_path: Path):
    """feedparser opens bytes that name a file (a body of ``/dev/zero`` would be read
    forever): a feed sitting on this disk must not come in through a body naming it."""
    local = tmp_path / "feed.xml"
    local.write_text(
        '<rss version="2.0"><channel><title>local</title>'
        + ITEM.format(
            title="From disk", description="arXiv:2411.00001v1 Announce Type: new \nAbstract: x"
        )
        + "</channel></rss>"
    )
    with pytest.raises(SourceError, match="did not send a readable RSS or Atom feed"):
        parse_feed(str(local).encode(), "https://rss.example/x", "T", ALL_TYPES)


@pytest.mark.parametrize(
    ("title", "description"),
    [
        ("T", "arXiv:2411.00001v1 Announce Type: new" + " " * 40_000 + "x"),
        ("T", "arXiv:2411.00001v1 Announce Type: new" + "\n" * 40_000 + "x"),
        ("x (arXiv:1 [a]" + " " * 40_000 + "y", "d"),
        ("x" + " " * 40_000 + "y", "d"),
        ("x" + " (arXiv:1 [a]" * 5_000, "d"),
    ],
    ids=["spaced description", "blank lines", "spaced legacy title", "spaced title", "many marks"],
)
def test_items_built_to_backtrack_parse_in_linear_time(title: str, description: str):
    content = f'<rss version="2.0"><channel><title>x</title>{ITEM}</channel></rss>'.format(
        title=title, description=description
    )
    started = time.perf_counter()
    check_feed(content.encode())
    assert time.perf_counter() - started < 1


# --- entity bombs -------------------------------------------------------------------------------


def billion_laughs(body: str) -> bytes:
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)
    ]
    return f'<?xml version="1.0"?>\n<!DOCTYPE x [{"".join(entities)}]>\n{body}'.encode()


def quadratic_blowup(body: str) -> bytes:
    """50 KB of entity used 2,000 times: 100 MB once expanded, from a 60 KB page."""
    return f'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "{"a" * 50_000}">]>\n{body}'.replace(
        "&lol9;", "&a;" * 2_000
    ).encode()


ATOM_BOMB = (
    '<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>http://arxiv.org/abs/2406.00001v1</id>'
    "<title>&lol9;</title><summary>&lol9;</summary><published>2024-06-04T00:00:00Z</published>"
    "<updated>2024-06-04T00:00:00Z</updated></entry></feed>"
)
RSS_BOMB = ITEM.format(
    title="&lol9;", description="arXiv:2411.00001v1 Announce Type: new \nAbstract: &lol9;"
).join(['<rss version="2.0"><channel><title>&lol9;</title>', "</channel></rss>"])


@pytest.mark.parametrize("bomb", [billion_laughs, quadratic_blowup])
@pytest.mark.parametrize("target", ["api", "feed"])
def test_entity_bombs_neither_blow_up_memory_nor_take_time(api, bomb, target: str):
    before = api[2].paper("2406.00001")  # the cache is the module's: fuzzing came first

    def parse() -> None:
        if target == "api":
            sync_page(api, bomb(ATOM_BOMB))
            assert api[2].paper("2406.00001") == before  # the bomb stored nothing
        else:
            check_feed(bomb(RSS_BOMB))

    started = time.perf_counter()
    parse()
    assert time.perf_counter() - started < 2
    tracemalloc.start()
    try:
        parse()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20 * 2**20, f"{peak / 2**20:.0f} MB"


# --- translators' answers -----------------------------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(
        st.sampled_from(
            ["translatedText", "translations", "text", "choices", "message", "content", "error",
             "code", "targets", "finish_reason", "detected_source_language"]
        )
        | st.text(max_size=5),
        inner,
        max_size=5,
    ),
    max_leaves=20,
)  # fmt: skip
BODIES = st.one_of(
    JSON.map(lambda data: json.dumps(data).encode()),
    st.binary(max_size=60),
    st.integers(1, 200_000).map(lambda n: b"[" * n),  # nesting too deep for the decoder
    st.just(b'"' + b"x" * (2 << 20) + b'"'),  # larger than any translation
    st.just(b'{"choices": [{"message": {"content": "\\ud800\\u001b[2J"}}]}'),
    st.just(b'[{"code": "en", "targets": 5}]'),
)
ANSWERS = st.lists(
    st.tuples(
        st.sampled_from([200, 200, 200, 400, 401, 403, 404, 413, 429, 456, 500, 503]),
        BODIES,
        st.sampled_from([None, "0", "1e400", "nan", "-1", "soon", "Thu, 01 Jan 1970 00:00:00 GMT"]),
    ),
    min_size=1,
    max_size=5,
)


@pytest.fixture(scope="module")
def paper_cache():
    with tempfile.TemporaryDirectory() as tmp, Cache(Path(tmp) / "c.db") as cache:
        cache.upsert([Incoming(Paper("2406.00001", "A title", "2024-06-04", abstract="Text."))])
        yield cache


@settings(FUZZ, max_examples=1500)
@given(st.sampled_from(["libretranslate", "deepl", "openai"]), ANSWERS)
def test_any_translator_answer_is_a_translation_or_a_translation_error(
    paper_cache: Cache, translator_key, provider: str, answers
):
    queue = list(answers)

    def answer(request: httpx.Request) -> httpx.Response:
        status, body, retry_after = queue.pop(0) if len(queue) > 1 else queue[0]
        headers = {"Content-Type": "application/json"}
        if retry_after is not None:
            headers["Retry-After"] = retry_after
        return httpx.Response(status, content=body, headers=headers)

    settings_ = TranslationSettings(
        provider=provider, url="http://translator.invalid", model="m", api_key_env="FUZZ_KEY"
    )
    with httpx.Client(transport=httpx.MockTransport(answer)) as client:
        try:
            translation = fetch_translation(
                paper_cache, settings_, "2406.00001", "de", client=client, sleep=lambda s: None
            )
        except TranslationError as exc:
            assert str(exc) and leftovers(str(exc)) == []
            assert "fuzz-secret" not in str(exc)
        else:
            assert translation.abstract and leftovers(translation.abstract) == []
            assert leftovers(translation.title) == []
            paper_cache.conn.execute("DELETE FROM translations")


@pytest.fixture(scope="module")
def translator_key():
    """The API key DeepL needs, which no error may show."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FUZZ_KEY", "fuzz-secret:fx")
        yield


@FUZZ
@given(JSON)
def test_any_code_link_answer_gives_a_safe_link_or_none(answer):
    found = code_link_from(answer)
    assert found is None or found.startswith("https://")


DEEP = b"[" * 100_000


@pytest.mark.parametrize(
    ("provider", "status", "body", "said"),
    [
        ("libretranslate", 200, b'[{"code": "en", "targets": 5}]', "targets of English are not a list"),
        ("libretranslate", 200, b'[{"code": "en", "targets": true}]', "targets of English are not a list"),
        ("openai", 200, DEEP, "instead of JSON"),
        ("openai", 500, DEEP, "answered 500 Internal Server Error"),
        ("deepl", 200, b'{"translations": "' + b"x" * (2 << 20) + b'"}', "sent more than 1,048,576 bytes"),
        ("openai", 200, b'{"choices": [{"message": {"content": "\\ud800\\u001b[2J"}}]}', "sent an empty translation"),
    ],
    ids=["targets a number", "targets a boolean", "nested too deeply", "an error nested too deeply",
         "two megabytes", "nothing but a surrogate and an escape"],
)  # fmt: skip
def test_answers_that_broke_providers_are_translation_errors(
    paper_cache: Cache, translator_key, provider: str, status: int, body: bytes, said: str
):
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=body, headers={"Content-Type": "application/json"})

    settings_ = TranslationSettings(
        provider=provider, url="http://translator.invalid", model="m", api_key_env="FUZZ_KEY"
    )
    with (
        httpx.Client(transport=httpx.MockTransport(answer)) as client,
        pytest.raises(TranslationError, match=said),
    ):
        fetch_translation(
            paper_cache, settings_, "2406.00001", "de", client=client, sleep=lambda s: None
        )


@pytest.mark.parametrize(
    "body", [DEEP, b'{"githubRepo": "' + b"x" * (2 << 20) + b'"}'], ids=["deep", "huge"]
)
def test_a_code_link_answer_nested_too_deeply_or_too_large_ends_lookups_calmly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: bytes
):
    monkeypatch.setattr(codelink_lookup, "LOOKUP_INTERVAL_S", 0)
    routes = {"/api/query": ArxivStub([Entry(id="2611.00001")]), "/hf/2611.00001": Reply(200, body)}
    with Cache(tmp_path / "c.db") as cache, LoopbackServer(routes) as server:
        monkeypatch.setenv("PAPERDECK_HF_API_URL", server.url("/hf/"))
        summary = run_sync(config(server.url("/api/query"), lookup=True), cache)
        assert summary.ok and summary.lookup.skipped == 1
        assert cache.paper("2611.00001").code_urls == []


def dated_entry(published: str) -> bytes:
    return (
        '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">'
        "<opensearch:totalResults>1</opensearch:totalResults><entry>"
        "<id>http://arxiv.org/abs/2406.00001v1</id><title>T</title>"
        f"<published>{published}</published><updated>{published}</updated></entry></feed>"
    ).encode()


def sync_dated(tmp_path: Path, published: str):
    page = Reply(200, dated_entry(published), ATOM_TYPE)
    with Cache(tmp_path / "c.db") as cache, LoopbackServer({"/api/query": page}) as server:
        result = run_sync(config(server.url("/api/query")), cache).results[0]
        return result, cache.paper("2406.00001")


@pytest.mark.parametrize(
    "published",
    ["0001-01-01T00:00:00+05:00", "9999-12-31T23:00:00-05:00"],
    ids=["year 0", "year 10000"],
)
def test_an_entry_dated_beyond_the_calendar_is_a_clear_error(tmp_path: Path, published: str):
    result, _ = sync_dated(tmp_path, published)
    assert result.error == "arXiv sent an entry that cannot be read (date value out of range)"


@pytest.mark.parametrize("published", ["0001-01-01T00:00:00Z", "9999-12-31T00:00:00Z"])
def test_an_entry_dated_outside_1900_to_2999_is_skipped(tmp_path: Path, published: str):
    result, paper = sync_dated(tmp_path, published)
    assert paper is None and result.skipped == 1
