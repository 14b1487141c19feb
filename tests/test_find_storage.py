"""Storage for finding papers: "more like this" lists walked as views, and ``is:updated``
kept papers (a new version marks them; reading clears them)."""

from __future__ import annotations

import pytest

from paperdeck.storage.cache import lists
from paperdeck.storage.cache.database import Cache
from paperdeck.storage.cache.library import change_tags
from paperdeck.storage.cache.views import PaperList, View, count_view
from paperdeck.storage.models import Incoming, Paper
from paperdeck.storage.ranking import like


def updated(cache: Cache) -> set[str]:
    """The papers marked ``is:updated``."""
    return {pid for (pid,) in cache.conn.execute("SELECT paper_id FROM paper_updates")}


TOPICS = {
    "graphs": "graph neural network message passing node embedding",
    "speech": "speech recognition acoustic model spoken audio",
    "legal": "legal court judgment statute law contract",
}


def corpus() -> list[Incoming]:
    found = []
    n = 0
    for topic, words in TOPICS.items():
        vocab = words.split()
        for i in range(30):
            n += 1
            title = " ".join(vocab[(i + j) % len(vocab)] for j in range(4)) + f" study {i}"
            found.append(Incoming(Paper(
                id=f"2401.{n:05d}", title=title, published=f"2024-01-{1 + n % 28:02d}",
                version=1, authors=[f"{topic.title()} Author{i % 3}"],
                abstract=f"We study {words} in depth.",
            ), (topic,)))
    return found


@pytest.fixture
def filled(cache: Cache) -> Cache:
    cache.upsert(corpus())
    return cache


def test_more_like_one_paper_finds_its_topic_and_leaves_it_out(filled: Cache):
    found = like.like(filled, ["2401.00001"], limit=20)
    assert "2401.00001" not in found and len(found) == 20
    graphs = {f"2401.{n:05d}" for n in range(1, 31)}
    assert sum(pid in graphs for pid in found) >= 18


def test_the_list_is_a_view_in_its_own_order(filled: Cache):
    name, found = like.keep_like(filled, ["2401.00031"], limit=10)
    assert name == "Like: 2401.00031"
    view = View(ranked=name, name=name)
    rows = PaperList(filled, view).window(0, 10)
    assert [r.id for r in rows] == found == lists.ids(filled, name)
    assert count_view(filled, view) == 10
    # a search narrows the list and keeps to it
    narrowed = PaperList(filled, view.with_(search="acoustic")).window(0, 50)
    assert narrowed and {r.id for r in narrowed} <= set(found)
    # paging from an anchor continues in the list's order
    paged = PaperList(filled, view)
    assert [r.id for r in paged.window(0, 4) + paged.window(4, 6)] == found


def test_like_a_tag(filled: Cache):
    change_tags(filled, ["2401.00061", "2401.00062"], add=["law"], remove=[])
    name, found = like.keep_like(filled, tag="law", limit=20)
    assert name == "Like: tag law"
    legal = {f"2401.{n:05d}" for n in range(61, 91)}
    assert sum(pid in legal for pid in found) >= 18


def test_nothing_to_compare_is_said(filled: Cache):
    with pytest.raises(like.NothingToCompare, match="2501.99999"):
        like.like(filled, ["2501.99999"])
    with pytest.raises(like.NothingToCompare, match="no paper is tagged nope"):
        like.keep_like(filled, tag="nope")


def test_a_new_version_of_a_kept_paper_marks_it_updated_until_read(filled: Cache):
    starred, plain = "2401.00001", "2401.00002"
    filled.set_starred(starred, True)
    for pid in (starred, plain):
        filled.set_read(pid, True)
    v2 = [Incoming(Paper(id=pid, title="Revised", published="2024-01-02", version=2))
          for pid in (starred, plain)]
    filled.upsert(v2)
    assert updated(filled) == {starred}
    assert not filled.state(starred).read and filled.state(plain).read
    filled.upsert(v2)  # the same version again changes nothing
    assert updated(filled) == {starred}
    filled.set_read(starred, True)
    assert updated(filled) == set()


def test_the_author_sort_goes_by_family_name(cache: Cache):
    names = ["Zoe Adams", "Al Zimmer", "Li Yang", "Plato", "Maria de la Cruz"]
    cache.upsert(Incoming(Paper(id=f"2402.{n:05d}", title=f"P{n}", published="2024-02-01",
                                authors=[name])) for n, name in enumerate(names, 1))
    rows = PaperList(cache, View(sort="author"))
    firsts = [r.first_author for r in rows.window(0, 2) + rows.window(2, 3)]
    assert firsts == ["Zoe Adams", "Maria de la Cruz", "Plato", "Li Yang", "Al Zimmer"]


@pytest.mark.parametrize(
    "typed",
    ["2401.00005", "arXiv:2401.00005", "arxiv:2401.00005v3", "https://arxiv.org/abs/2401.00005v1"],
)
def test_a_search_for_an_id_finds_that_paper_in_any_view(filled: Cache, typed: str):
    for view in (View(search=typed), View(starred=True, search=typed),
                 View(query="tag:nothing", search=typed)):
        view.terms()  # not a bad query
        assert [r.id for r in PaperList(filled, view).window(0, 5)] == ["2401.00005"]
        assert count_view(filled, view) == 1


def test_a_search_for_an_id_not_in_the_cache_is_empty(filled: Cache):
    assert count_view(filled, View(search="hep-th/9901001")) == 0


def test_relative_days():
    from datetime import date

    from paperdeck.storage.parsers.query import QueryError, parse, relative_day

    today = date(2026, 3, 10)
    assert relative_day("7d", today) == "2026-03-03"
    assert relative_day("2w", today) == "2026-02-24"
    assert relative_day("1m", today) == "2026-02-08"
    assert relative_day("1y", today) == "2025-03-10"
    assert relative_day("7", today) is None and relative_day("d7", today) is None
    assert parse("after:7d").terms[0].value == relative_day("7d")
    with pytest.raises(QueryError, match="after:soon: after: takes a date .* 7d, 2w, 1m"):
        parse("after:soon")


def test_after_7d_and_is_updated_in_a_search(cache: Cache):
    from datetime import date, timedelta

    def ago(days: int) -> str:
        return (date.today() - timedelta(days=days)).isoformat()

    cache.upsert(Incoming(Paper(id=f"2403.{n:05d}", title=f"Paper {n}", published=ago(days),
                                version=1)) for n, days in ((1, 0), (2, 6), (3, 8), (4, 40)))
    assert [r.id for r in PaperList(cache, View(search="after:7d")).window(0, 9)] == [
        "2403.00001", "2403.00002"]
    assert [r.id for r in PaperList(cache, View(search="before:1m")).window(0, 9)] == [
        "2403.00004"]
    cache.set_starred("2403.00003", True)
    cache.set_read("2403.00003", True)
    cache.upsert([Incoming(Paper(id="2403.00003", title="Paper 3", published=ago(8),
                                 version=2))])
    view = View(query="is:updated", name="Updated")
    assert [r.id for r in PaperList(cache, view).window(0, 9)] == ["2403.00003"]
    assert count_view(cache, View(search="-is:updated")) == 3
    cache.set_read("2403.00003", True)
    assert count_view(cache, view) == 0


def test_the_new_config_sections_are_checked(tmp_path):
    from pathlib import Path

    from paperdeck.storage.config import ConfigError, parse_config

    path = Path(tmp_path / "config.toml")
    config = parse_config(
        '[citations]\nurl = "http://127.0.0.1:9/graph/v1"\napi_key_env = "S2_KEY"\n'
        '[hooks]\nafter_sync = "notify-send paperdeck"\n', path)
    assert (config.citations.api_key_env, config.hooks.after_sync) == (
        "S2_KEY", "notify-send paperdeck")
    with pytest.raises(ConfigError, match=r"config.toml:2: .*url must be an http\(s\) URL"):
        parse_config('[citations]\nurl = "ftp://x"\n', path)
    with pytest.raises(ConfigError, match=r"config.toml:2: .*unknown key"):
        parse_config('[hooks]\nbefore_sync = "x"\n', path)


@pytest.mark.shared
@pytest.mark.slow
def test_more_like_this_beats_a_tfidf_cosine_on_the_real_digest(shared_data):
    from tests.benchmarks.like import DIGEST, run

    per = run(seeds=3, min_topic=100, path=shared_data / "digests" / DIGEST)
    ours = sum(a for a, _ in per.values()) / len(per)
    theirs = sum(b for _, b in per.values()) / len(per)
    assert ours > theirs * 1.05, (ours, theirs)
