"""Hypothesis properties of the parser, the merge rules, imports and windows."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from paperdeck.storage.cache.database import Cache
from paperdeck.storage.cache.merge import merge
from paperdeck.storage.cache.views import PaperList, View
from paperdeck.storage.ids import parse_id
from paperdeck.storage.library.importer import import_lines
from paperdeck.storage.models import Incoming, Paper
from paperdeck.storage.parsers.digest import DigestParser

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Pieces that look like digests, so random text reaches deep into the parser.
FRAGMENTS = st.sampled_from([
    "## Topic\n", "### LLM\n", "#### Abstracts\n", "##### **T**\n", "\n",
    "|Publish Date|Title|Authors|PDF|Code|\n", "|---|---|---|---|---|\n",
    "|**2024-06-04**|**T**|A et.al.|[2406.00001v1](http://arxiv.org/abs/2406.00001v1)|null|\n",
    "|**2024-13-45**|**T**|A|[x](y)|\n", "2406.00001v1 by A, B\n", "摘要：譯文\n", "Abstract text\n",
    "|**2024-06-04**|**A | B**|C et.al.|[2406.00002](https://arxiv.org/abs/2406.00002)|**[link](https://github.com/o/r)**|\n",
    "<details>\n", "</details>\n", "<p align=right>(<a href=#x>back to top</a>)</p>\n", "\r\n",
])
DIGESTISH = st.lists(st.one_of(FRAGMENTS, st.text(max_size=40).map(lambda t: t + "\n")), max_size=40)


def parse_all(data: bytes):
    parser = DigestParser()
    return list(parser.parse(data.splitlines(keepends=True))), parser


@FAST
@given(st.binary(max_size=2000))
def test_the_parser_never_raises_on_arbitrary_bytes(data: bytes):
    records, parser = parse_all(data)
    assert all(record.paper.id and record.paper.title and record.paper.published for record in records)
    assert all(skipped.line >= 1 and skipped.reason for skipped in parser.skipped)


@FAST
@given(DIGESTISH)
def test_the_parser_never_yields_a_paper_without_id_title_and_date(pieces: list[str]):
    records, parser = parse_all("".join(pieces).encode("utf-8", errors="surrogatepass"))
    for record in records:
        paper = record.paper
        assert parse_id(paper.id) == (paper.id, None)
        assert paper.title.strip() == paper.title and paper.title
        assert len(paper.published) == 10
        assert all(url.startswith(("http://", "https://")) for url in paper.code_urls)
    lines = "".join(pieces).count("\n") + 1
    assert all(1 <= skipped.line <= lines for skipped in parser.skipped)


# --- imports and user state ----------------------------------------------------------------

ROWS = st.lists(
    st.tuples(
        st.integers(1, 99),  # id number
        st.dates(min_value=date(1991, 1, 1), max_value=date(2998, 12, 31)),
        st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30)
        .filter(lambda t: t.strip() and "|" not in t and "*" not in t and "\\" not in t),
        st.sampled_from(["null", "[link](https://github.com/o/r)", "**[link](https://gitlab.com/a/b)**"]),
        st.integers(1, 4),  # version
    ),
    min_size=1, max_size=12,
)


def digest(rows, topic: str = "T") -> bytes:
    lines = [f"## {topic}", "|Publish Date|Title|Authors|PDF|Code|", "|---|---|---|---|---|"]
    for number, day, title, code, version in rows:
        pid = f"2406.{number:05d}"
        lines.append(f"|**{day.isoformat()}**|**{title}**|Ann et.al.|[{pid}v{version}](http://arxiv.org/abs/{pid}v{version})|{code}|")
    return ("\n".join(lines) + "\n").encode()


def snapshot(cache: Cache):
    tables = ("papers", "authors", "topics", "paper_topics", "translations", "user_state")
    return {t: sorted(map(repr, cache.conn.execute(f"SELECT * FROM {t}"))) for t in tables}


@FAST
@given(ROWS)
def test_import_is_idempotent(rows):
    with tempfile.TemporaryDirectory() as tmp, Cache(Path(tmp) / "c.db") as cache:
        data = digest(rows).splitlines(keepends=True)
        first = import_lines(cache, data, "d.md")
        state = snapshot(cache)
        again = import_lines(cache, data, "d.md")
        assert (again.counts.new, again.counts.updated) == (0, 0)
        assert again.counts.unchanged == first.counts.new + first.counts.updated + first.counts.unchanged - (
            first.counts.total - len({r[0] for r in rows}))
        assert snapshot(cache)["papers"] == [
            row for row in state["papers"]]  # fetched_at included: nothing was rewritten
        assert snapshot(cache) == state


@FAST
@given(ROWS, st.data())
def test_user_state_survives_reimport_and_version_bumps(rows, data):
    with tempfile.TemporaryDirectory() as tmp, Cache(Path(tmp) / "c.db") as cache:
        import_lines(cache, digest(rows).splitlines(keepends=True), "d.md")
        ids = sorted({f"2406.{number:05d}" for number, *_ in rows})
        starred = data.draw(st.sets(st.sampled_from(ids)))
        read = data.draw(st.sets(st.sampled_from(ids)))
        for paper_id in starred:
            cache.set_starred(paper_id, True)
        for paper_id in read:
            cache.set_read(paper_id, True)
        bumped = [(n, day, title + " v2", code, version + 1) for n, day, title, code, version in rows]
        import_lines(cache, digest(bumped, topic="Other").splitlines(keepends=True), "d2.md")
        for paper_id in ids:
            state = cache.state(paper_id)
            # Every paper got a new version: a kept (starred) one turns unread (DESIGN §15).
            assert state.starred == (paper_id in starred)
            assert state.read == (paper_id in read and paper_id not in starred)
        assert cache.quick_check() == "ok"


# --- merge rules ------------------------------------------------------------------------------

PAPERS = st.builds(
    Paper,
    id=st.just("2406.00001"),
    title=st.text(min_size=1, max_size=10),
    published=st.dates().map(lambda d: d.isoformat()),
    version=st.one_of(st.none(), st.integers(1, 5)),
    authors=st.lists(st.text(min_size=1, max_size=5), max_size=4),
    authors_complete=st.booleans(),
    abstract=st.text(max_size=10),
    code_urls=st.lists(st.sampled_from(["https://github.com/a/b", "https://gitlab.com/c/d"]), unique=True),
    source=st.sampled_from(["digest", "feed", "arxiv"]),
)


@FAST
@given(PAPERS, PAPERS)
def test_merge_keeps_what_is_known(old: Paper, new: Paper):
    merged = merge(old, new)
    assert merge(merged, new) == merged  # seeing the same record again changes nothing
    assert merge(old, old) == old
    assert set(old.code_urls) | set(new.code_urls) == set(merged.code_urls)
    assert merged.version == (max(old.version or 0, new.version or 0) or None)
    if (old.authors_complete and old.authors) or (new.authors_complete and new.authors):
        assert merged.authors_complete and merged.authors
    assert merged.abstract in (old.abstract, new.abstract)
    assert merged.abstract or not (old.abstract or new.abstract)


# --- windows --------------------------------------------------------------------------------


@FAST
@given(st.lists(st.tuples(st.integers(0, 400), st.integers(1, 60)), min_size=1, max_size=12),
       st.sampled_from(["date", "title", "author"]))
def test_any_sequence_of_windows_equals_slices_of_the_whole(requests, sort):
    with tempfile.TemporaryDirectory() as tmp, Cache(Path(tmp) / "c.db") as cache:
        from tests.support.synthetic import papers

        cache.upsert(papers(300))
        whole = [r.id for r in PaperList(cache, View(sort=sort)).window(0, 300)]
        assume(len(whole) == 300)
        view = PaperList(cache, View(sort=sort))
        for offset, limit in requests:
            assert [r.id for r in view.window(offset, limit)] == whole[offset:offset + limit]


def test_incoming_records_are_plain_data():
    record = Incoming(Paper(id="2406.00001", title="t", published="2024-06-04"))
    assert record.topics == () and record.translations == ()
