"""The query language of ``/`` and ``list --search``: words (with notes and tags), every
filter, negation, nesting of tags, bad queries named in one line; saved views from
``[[views]]`` checked like the rest of the config."""

from __future__ import annotations

from pathlib import Path

import pytest

from paperdeck.storage.cache import library
from paperdeck.storage.cache.database import Cache
from paperdeck.storage.cache.query import SMALL_SET
from paperdeck.storage.cache.views import PaperList, View, count_view
from paperdeck.storage.config import ConfigError, load_config
from paperdeck.storage.models import Incoming, Paper
from paperdeck.storage.parsers.query import QueryError, parse

P = {
    "a": Paper("2401.00001", "Attention for retrieval", "2024-01-01", authors=["Ada Lovelace", "Alan Turing"],
               abstract="We study retrieval augmented generation.", code_urls=["https://github.com/a/b"]),
    "b": Paper("2401.00002", "Diffusion models", "2024-01-02", authors=["Grace Hopper"],
               abstract="Sampling images with diffusion."),
    "c": Paper("2401.00003", "Graph attention networks", "2024-02-03", authors=["Alan Turing"],
               abstract="Attention over graphs."),
    "d": Paper("2312.00004", "Quantum agents", "2023-12-04", authors=["Emmy Noether"],
               abstract="Agents in Hilbert space."),
}


@pytest.fixture
def stocked(cache: Cache) -> Cache:
    cache.upsert(
        [Incoming(P["a"], topics=("LLM",)), Incoming(P["b"], topics=("Vision",)),
         Incoming(P["c"], topics=("LLM",)), Incoming(P["d"])]
    )
    library.change_tags(cache, [P["a"].id], ["proj/rag", "cite"])
    library.change_tags(cache, [P["b"].id], ["proj"])
    library.change_tags(cache, [P["c"].id], ["project"])  # not nested under proj
    library.set_note(cache, P["d"].id, "Zebrafish idea for the thesis")
    library.set_later(cache, [P["b"].id, P["d"].id], True)
    cache.set_starred(P["c"].id, True)
    cache.set_read(P["a"].id, True)
    return cache


def ids(cache: Cache, query: str, **view) -> list[str]:
    papers = PaperList(cache, View(search=query, **view))
    found = [row.id for row in papers.window(0, 100)]
    assert len(papers) == len(found) == count_view(cache, View(search=query, **view))
    return found


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("attention", ["c", "a"]),
        ("atten", ["c", "a"]),  # the last word matches as a prefix
        ("atten* graphs", ["c"]),  # and any word written with a star
        ('"retrieval augmented"', ["a"]),
        ('"augmented retrieval"', []),
        ("attention -graphs", ["a"]),
        ("zebrafish", ["d"]),  # the note is searchable
        ("thesis agents", ["d"]),  # a word of the note and one of the abstract
        ("rag", ["a"]),  # and the tags
        ("tag:proj", ["b", "a"]),  # proj and proj/rag, not project
        ("tag:proj/rag", ["a"]),
        ("tag:proj -tag:cite", ["b"]),
        ("-tag:proj", ["c", "d"]),
        ("tag:PROJ", ["b", "a"]),
        ("is:starred", ["c"]),
        ("-is:starred", ["b", "a", "d"]),
        ("is:read", ["a"]),
        ("is:unread", ["c", "b", "d"]),
        ("is:later", ["b", "d"]),
        ("is:later -is:read", ["b", "d"]),
        ("has:code", ["a"]),
        ("-has:code is:later", ["b", "d"]),
        ("has:note", ["d"]),
        ("has:fulltext", []),
        ('author:"Alan Turing"', ["c", "a"]),
        ('author:"alan turing" graph', ["c"]),
        ('author:"Alan Turing', ["c", "a"]),  # the closing quote is still being typed
        ('-author:"Alan Turing"', ["b", "d"]),
        ("topic:LLM", ["c", "a"]),
        ("topic:LLM -is:read", ["c"]),
        ("after:2024-01-02", ["c", "b"]),
        ("before:2024-01-02", ["a", "d"]),
        ("after:2024-01-01 before:2024-02-01 tag:proj", ["b", "a"]),
        ("tag:proj after:2024-01-02", ["b"]),
        ('author:"Alan Turing" after:2024-02-01', ["c"]),
        ("author:Turing", ["c", "a"]),  # a family name
        ("author:hopper", ["b"]),
        ("author:Ada", ["a"]),  # any part of a name
        ("author:Turin", []),  # whole words
        ("-author:Turing", ["b", "d"]),
        ("!!!", []),  # nothing searchable: nothing found
    ],
)
def test_queries(stocked: Cache, query: str, expected: list[str]):
    assert ids(stocked, query) == [P[name].id for name in expected]


def test_a_query_combines_with_the_view(stocked: Cache):
    assert ids(stocked, "attention", starred=True) == [P["c"].id]
    assert ids(stocked, "is:later", unread=True, code=False) == [P["b"].id, P["d"].id]
    assert ids(stocked, "tag:proj", topic="LLM") == [P["a"].id]


def test_a_saved_query_matches_whole_words(stocked: Cache):
    assert [r.id for r in PaperList(stocked, View(query="atten")).window(0, 9)] == []
    assert len(PaperList(stocked, View(query="atten*"))) == 2


def test_saved_view_queries_and_their_sort(stocked: Cache):
    view = View(query="is:later", name="Read later", sort="title")
    assert [r.id for r in PaperList(stocked, view).window(0, 10)] == [P["b"].id, P["d"].id]
    assert view.label == "Read later" and view.effective_sort == "title"
    assert View(query="attention", sort="title").effective_sort == "date"


def test_papers_kept_in_a_query_view_stay(stocked: Cache):
    papers = PaperList(stocked, View(query="is:later"))
    assert len(papers) == 2
    library.set_later(stocked, [P["b"].id], False)
    papers.keep(P["b"].id)
    assert [r.id for r in papers.window(0, 10)] == [P["b"].id, P["d"].id]
    assert len(PaperList(stocked, View(query="is:later"))) == 1


def test_a_big_tag_walks_the_papers_instead(stocked: Cache):
    many = [f"2301.{n:05d}" for n in range(SMALL_SET + 5)]
    stocked.upsert(Incoming(Paper(pid, "Bulk", "2023-01-01")) for pid in many)
    library.tag_view(stocked, PaperList(stocked, View(search="bulk")).ids_sql(), "big", True)
    papers = PaperList(stocked, View(search="tag:big"))
    assert papers._sql.key == "f.rowid" and len(papers) == SMALL_SET + 5  # by the tag's mark
    assert len(PaperList(stocked, View(search="tag:big bulk"))) == SMALL_SET + 5


@pytest.mark.parametrize(
    ("query", "said"),
    [
        ("is:starrred", "is:starrred: is: takes starred|unread|read|later"),
        ("has:pdf", "has:pdf: has: takes code|note|fulltext"),
        ("tags:cite", "tags:cite: unknown filter tags: (did you mean tag:?)"),
        ("is:", "is:: is: needs a value"),
        ("after:2024-02-30", "after:2024-02-30: after: takes a date written YYYY-MM-DD"),
        ("before:yesterday", "before:yesterday: before: takes a date"),
        ("tag:", "tag:: tag: needs a value"),
        ("tag:a*b", "tag:a*b: 'a*b' is not a tag name"),
    ],
)
def test_bad_queries_name_the_bad_term(stocked: Cache, query: str, said: str):
    with pytest.raises(QueryError) as error:
        parse(query)
    assert str(error.value).startswith(said) and "\n" not in str(error.value)
    with pytest.raises(QueryError):
        PaperList(stocked, View(search=query))


def test_bad_query_in_the_cli_is_one_line(capsys):
    from paperdeck.tui.cli import main

    assert main(["list", "--search", "is:nope"]) == 1
    err = capsys.readouterr().err
    assert err == "paperdeck: bad search: is:nope: is: takes starred|unread|read|later|dismissed|updated\n"
    assert main(["list", "--tag", "Bad Tag!"]) == 1
    assert "not a tag name" in capsys.readouterr().err


def test_views_and_library_in_the_config(tmp_path: Path):
    path = tmp_path / "config.toml"
    path.write_text(
        '[library]\nquick_tags = ["to-read", "Cite"]\nsync_dir = "~/Sync/pd"\nmachine = "laptop"\n\n'
        '[[views]]\nname = "To cite"\nquery = "tag:cite -is:read"\n'
    )
    config = load_config(path)
    assert config.library.quick_tags == ["to-read", "cite"]
    assert config.views[0].name == "To cite" and config.views[0].query == "tag:cite -is:read"


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ('[[views]]\nname = "x"\nquery = "is:nope"\n', ":3: [[views]] #1: query: is:nope: is: takes"),
        ('[[views]]\nname = "x"\n', ":1: [[views]] #1: missing required key 'query'"),
        ('[[views]]\nname = "x"\nquery = "a"\n[[views]]\nname = "x"\nquery = "b"\n',
         ":5: [[views]] #2: view 'x' is defined twice"),
        ('[library]\nquick_tags = ["ok", "not ok"]\n', ":2: [library]: quick_tags: 'not ok' is not"),
        ('[library]\nmachine = "my laptop"\n', ":2: [library]: machine 'my laptop' must be"),
        ('[library]\nsync = "x"\n', ":2: [library]: unknown key 'sync' (did you mean 'sync_dir'?)"),
        ("[library]\nquick_tags = [" + ", ".join(f'"t{n}"' for n in range(10)) + "]\n",
         ":2: [library]: quick_tags holds at most 9 tags"),
    ],
)
def test_config_errors_name_file_line_and_key(tmp_path: Path, text: str, said: str):
    path = tmp_path / "config.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert str(error.value).startswith(f"{path}{said}")
