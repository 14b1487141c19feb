"""The view loader without a screen: which answers of its workers still count, and where
the cursor goes. Each test runs the jobs a worker would run, on a second connection, and
hands their answers back in the order a race could bring them."""

from __future__ import annotations

from pathlib import Path

import pytest

from paperdeck.storage.cache.database import Cache
from paperdeck.storage.cache.views import PaperList, View
from paperdeck.tui.view_loader import (
    FIRST_PAGE,
    Count,
    Fetch,
    FirstPage,
    Show,
    Total,
    ViewLoader,
    cycled_views,
)
from tests.support.synthetic import papers
from tests.tui_support import SAMPLE_ORDER, sample_cache


@pytest.fixture
def cache(tmp_path: Path):
    with sample_cache(tmp_path / "c.db") as opened:
        yield opened


@pytest.fixture
def worker(cache: Cache):
    """The connection a worker thread would use."""
    with Cache(cache.path) as other:
        yield other


@pytest.fixture
def many(tmp_path: Path):
    with Cache(tmp_path / "many.db") as opened:
        opened.upsert(papers(300, abstract_words=8))
        yield opened


def run(job: Fetch, cache: Cache) -> tuple[FirstPage, Total]:
    """The first page a worker would post (the last one, when it posts two) and the total."""
    *pages, total = job.run(cache)
    return pages[-1], total


def test_a_view_quick_to_count_shows_at_once_with_its_count(cache: Cache):
    loader = ViewLoader(cache, View())
    step = loader.load()
    assert isinstance(step, Show)
    assert step.papers.total == 9 and step.counted and step.by_user and step.at is None


def test_a_search_shows_its_first_page_before_its_count(many: Cache):
    loader = ViewLoader(many, View())
    assert loader.search("model")
    job = loader.load()
    assert isinstance(job, Fetch) and job.view.search == "model"
    first, total = job.run(many)  # no paper to keep: the first page comes before the count
    assert (first.total, len(first.rows)) == (FIRST_PAGE, FIRST_PAGE)
    shown = loader.first_page(first, None, None)
    assert isinstance(shown, Show) and not shown.counted and shown.at == 0
    assert [row.id for row in shown.rows] == [row.id for row in first.rows]
    hits = PaperList(many, View(search="model")).total
    assert hits > FIRST_PAGE and loader.total(total) == hits


def test_a_late_answer_for_an_old_view_is_dropped(cache: Cache, worker: Cache):
    loader = ViewLoader(cache, View())
    loader.search("language")
    old = loader.load()
    loader.search("okafor")  # typed on before the worker answered
    new = loader.load()
    old_page, old_total = run(old, worker)
    new_page, new_total = run(new, worker)
    assert loader.first_page(old_page, None, None) is None
    assert loader.total(old_total) is None
    shown = loader.first_page(new_page, None, None)
    assert [row.id for row in shown.rows] == ["2406.10012"]
    assert loader.total(new_total) == 1


def test_an_answer_overtaken_by_another_load_of_the_same_view_is_dropped(
    cache: Cache, worker: Cache
):
    loader = ViewLoader(cache, View(unread=True))
    first = loader.load()
    second = loader.load()
    assert loader.first_page(run(first, worker)[0], None, None) is None
    assert isinstance(loader.first_page(run(second, worker)[0], None, None), Show)


def test_an_answer_after_leaving_for_a_view_quick_to_count_is_dropped(
    cache: Cache, worker: Cache
):
    loader = ViewLoader(cache, View())
    loader.next_view(cycled_views([]))  # All → Unread: a worker loads it
    job = loader.load()
    loader.next_view(cycled_views([]))  # → Starred, shown at once
    assert isinstance(loader.load(), Show)
    page, total = run(job, worker)
    assert loader.first_page(page, None, None) is None and loader.total(total) is None


def shown_unread(loader: ViewLoader, worker: Cache) -> PaperList:
    """The unread view as the table holds it once its first load is shown."""
    step = loader.first_page(run(loader.load(), worker)[0], None, None)
    return step.papers


def test_a_reload_keeps_the_cursor_on_its_paper(cache: Cache, worker: Cache):
    loader = ViewLoader(cache, View(unread=True))
    shown = shown_unread(loader, worker)
    paper = shown.row(5)
    worker.upsert(papers(3, seed=7))  # a sync page: three newer papers come first
    job = loader.refresh(shown, paper)
    assert job.reload and job.keep == paper
    step = loader.first_page(run(job, worker)[0], shown, paper)
    assert step.papers.row(step.at).id == paper.id and step.at == 8
    assert not step.by_user  # where the cursor lands is not the reader's move


def test_a_reload_puts_the_cursor_where_a_paper_that_left_stood(cache: Cache, worker: Cache):
    loader = ViewLoader(cache, View(unread=True))
    shown = shown_unread(loader, worker)
    paper = shown.row(3)
    worker.set_read(paper.id, True)  # read in another terminal
    step = loader.first_page(run(loader.load(paper, reload=True), worker)[0], shown, paper)
    assert step.at == 3 and step.papers.row(3).id == SAMPLE_ORDER[4]


def test_papers_read_while_a_reload_runs_stay_and_it_loads_again(cache: Cache, worker: Cache):
    loader = ViewLoader(cache, View(unread=True))
    shown = shown_unread(loader, worker)
    paper = shown.row(0)
    job = loader.refresh(shown, paper)
    worker.set_read(paper.id, True)  # the reader reads it before the reload answers
    shown.keep(paper.id)
    again = loader.first_page(run(job, worker)[0], shown, paper)
    assert isinstance(again, Fetch) and paper.id in again.kept and again.reload
    step = loader.first_page(run(again, worker)[0], shown, paper)
    assert step.papers.total == 9 and step.at == 0


def test_a_move_while_a_reload_runs_loads_again_from_the_new_place(cache: Cache, worker: Cache):
    loader = ViewLoader(cache, View(unread=True))
    shown = shown_unread(loader, worker)
    job = loader.refresh(shown, shown.row(0))
    moved_to = shown.row(2)
    again = loader.first_page(run(job, worker)[0], shown, moved_to)
    assert isinstance(again, Fetch) and again.keep == moved_to
    assert loader.first_page(run(again, worker)[0], shown, moved_to).at == 2


def test_a_refresh_during_a_new_views_first_load_asks_for_that_load_again(cache: Cache):
    loader = ViewLoader(cache, View())
    shown = loader.load().papers
    loader.next_view(cycled_views([]))  # Unread, still loading: the table holds the last view
    job = loader.refresh(shown, shown.row(1))
    assert isinstance(job, Fetch) and not job.reload and job.keep == shown.row(1)


def test_an_older_count_never_replaces_a_newer_one(cache: Cache, worker: Cache):
    loader = ViewLoader(cache, View())
    older, newer = loader.count(), loader.count()
    assert isinstance(older, Count)
    worker.set_read(SAMPLE_ORDER[0], True)
    assert loader.counted(newer.run(worker)) == 8
    assert loader.counted(older.run(cache)) is None  # it ended last, with the older figure


def test_a_count_of_another_view_is_dropped(cache: Cache):
    loader = ViewLoader(cache, View())
    job = loader.count()
    loader.next_view(cycled_views([]))
    assert loader.counted(job.run(cache)) is None


def test_views_cycle_keeping_the_search_and_the_order(cache: Cache):
    loader = ViewLoader(cache, View(search="model", sort="title"))
    seen = []
    for _ in range(6):
        loader.next_view(cycled_views(["LLM", "Vision"]))
        seen.append(loader.view.label)
    assert seen[:3] == [
        "Unread — search “model”",
        "Starred — search “model”",
        "With code — search “model”",
    ]
    assert seen[5] == "All papers — search “model”" and loader.view.sort == "title"
    assert not loader.sort_by("author")  # search results are always newest first
    assert loader.search("") and loader.sort_by("date")
    assert loader.next_sort() == "title"
    assert not loader.search("  ")  # nothing new to search for
