"""Triage below the screen: decisions and their undo, dismissals, the interest order and
the views that walk it, watch and mute rules — on small caches, no terminal."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import pytest

from paperdeck.storage.cache import interest as interest_store
from paperdeck.storage.cache import rules, triage
from paperdeck.storage.cache.database import Cache
from paperdeck.storage.cache.library import change_tags, set_later, set_note, tags_of
from paperdeck.storage.cache.views import PaperList, View, count_unread, count_view
from paperdeck.storage.models import Incoming, Paper
from paperdeck.storage.parsers.query import check_query
from paperdeck.storage.ranking import interest

TOPICS = {
    "graphs": "graph neural networks message passing node classification over molecules",
    "sentiment": "sentiment analysis of product reviews with polarity lexicons and aspects",
    "quantum": "quantum error correction surface codes with logical qubits and decoders",
}


def topical(count: int = 20, seed: int = 3) -> list[Incoming]:
    """``count`` papers per topic, their dates interleaved (so date order mixes them)."""
    rng = random.Random(seed)
    filler = "study method results data approach evaluation large scale".split()
    records = []
    for n in range(count):
        for t, (topic, words) in enumerate(TOPICS.items()):
            vocab = words.split()
            title = " ".join(rng.sample(vocab, 4)).capitalize()
            abstract = " ".join(rng.choice(vocab + filler) for _ in range(40))
            day = 1 + (n * 3 + t) % 28
            pid = f"2406.{(t + 1) * 1000 + n:05d}"
            paper = Paper(id=pid, title=f"{title} {n}", published=f"2024-06-{day:02d}",
                          authors=[f"{topic.title()} Author{n % 4}"], abstract=abstract)
            records.append(Incoming(paper, topics=(topic,)))
    return records


@pytest.fixture
def corpus(tmp_path):
    with Cache(tmp_path / "t.db") as cache:
        cache.upsert(topical())
        yield cache


def ids_of(cache: Cache, topic: str) -> list[str]:
    return [r.id for r in PaperList(cache, View(topic=topic)).window(0, 100)]


INTEREST = View(sort="interest")


def order(cache: Cache, view: View = INTEREST) -> list[str]:
    papers = PaperList(cache, view)
    return [row.id for row in papers.window(0, papers.total)]


# --- decisions -------------------------------------------------------------------------------


def test_each_decision_marks_read_and_its_undo_restores_the_paper_exactly(corpus):
    star, later, dismiss, tag, skip = ids_of(corpus, "graphs")[:5]
    corpus.set_starred(star, True)
    kept_at = corpus.state(star).starred_at
    befores = [
        triage.decide(corpus, star, "star"),
        triage.decide(corpus, later, "later"),
        triage.decide(corpus, dismiss, "dismiss"),
        triage.decide(corpus, tag, "tag", "cite"),
        triage.decide(corpus, skip, "skip"),
    ]
    assert all(corpus.state(pid).read for pid in (star, later, dismiss, tag))
    assert corpus.state(star).starred and corpus.state(later).later
    assert triage.dismissed(corpus, [dismiss, tag]) == {dismiss}
    assert tags_of(corpus, [tag]) == {tag: ["cite"]}
    assert not corpus.state(skip).read
    for before in reversed(befores):
        triage.undo(corpus, before)
    assert corpus.state(star).starred and corpus.state(star).starred_at == kept_at
    assert not any(corpus.state(pid).read for pid in (star, later, dismiss, tag, skip))
    assert not corpus.state(later).later
    assert triage.dismissed(corpus, [dismiss]) == set()
    assert tags_of(corpus, [tag]) == {}


def test_a_tag_decision_on_a_tagged_paper_untags_it_and_undo_tags_it_again(corpus):
    pid = ids_of(corpus, "graphs")[0]
    change_tags(corpus, [pid], add=["cite"])
    before = triage.decide(corpus, pid, "tag", "cite")
    assert tags_of(corpus, [pid]) == {}
    triage.undo(corpus, before)
    assert tags_of(corpus, [pid]) == {pid: ["cite"]}


def test_starring_a_dismissed_paper_takes_the_dismissal_back(corpus):
    pid = ids_of(corpus, "graphs")[0]
    assert triage.set_dismissed(corpus, [pid], True) == [pid]
    assert triage.set_dismissed(corpus, [pid], True) == []
    before = triage.decide(corpus, pid, "star")
    assert triage.dismissed(corpus, [pid]) == set()
    triage.undo(corpus, before)
    assert triage.dismissed(corpus, [pid]) == {pid}


def test_an_unknown_decision_is_refused(corpus):
    with pytest.raises(ValueError, match="unknown decision"):
        triage.decide(corpus, ids_of(corpus, "graphs")[0], "burn")


# --- the interest order ------------------------------------------------------------------------


def test_with_no_signal_the_interest_sort_keeps_date_order(corpus):
    outcome = interest.compute(corpus)
    assert outcome.positives == 0
    assert not interest_store.has_order(corpus)
    assert order(corpus) == order(corpus, View())
    assert interest.explain(corpus, ids_of(corpus, "graphs")[0]) is None
    assert interest.is_fresh(corpus)


def test_papers_like_the_starred_ones_come_first(corpus):
    graphs = ids_of(corpus, "graphs")
    for pid in graphs[:3]:
        corpus.set_starred(pid, True)
    assert not interest.is_fresh(corpus)
    outcome = interest.ensure(corpus)
    assert outcome is not None and outcome.positives == 3 and outcome.scored > 0
    assert interest.ensure(corpus) is None  # fresh: nothing to do
    ranked = order(corpus)
    assert len(ranked) == corpus.count_papers()
    assert set(ranked[:20]) == set(graphs)
    reason = interest.explain(corpus, graphs[10])
    assert reason.rank <= 20 and reason.total == 60
    assert set(reason.liked) & set(TOPICS["graphs"].split())


@pytest.mark.parametrize("signal", ["later", "tag", "note"])
def test_later_tags_and_notes_are_signals_too(corpus, signal):
    sentiment = ids_of(corpus, "sentiment")
    for pid in sentiment[:3]:
        if signal == "later":
            set_later(corpus, [pid], True)
        elif signal == "tag":
            change_tags(corpus, [pid], add=["reviews"])
        else:
            set_note(corpus, pid, "read this for the thesis")
    interest.compute(corpus)
    assert set(order(corpus)[:20]) == set(sentiment)


def test_papers_like_the_dismissed_ones_sink(corpus):
    graphs, quantum = ids_of(corpus, "graphs"), ids_of(corpus, "quantum")
    corpus.set_starred(graphs[0], True)
    triage.set_dismissed(corpus, quantum[:3], True)
    interest.compute(corpus)
    ranked = order(corpus)
    assert set(ranked[-20:]) == set(quantum)
    assert interest.explain(corpus, quantum[5]).disliked


def test_the_interest_view_pages_and_finds_papers_like_any_view(corpus):
    for pid in ids_of(corpus, "graphs")[:3]:
        corpus.set_starred(pid, True)
    interest.compute(corpus)
    ranked = order(corpus)
    papers = PaperList(corpus, View(sort="interest"))
    assert [r.id for r in papers.window(25, 10)] == ranked[25:35]
    assert [r.id for r in papers.window(5, 10)] == ranked[5:15]  # from an anchor, backwards
    assert papers.index_of(ranked[40]) == 40
    unread = PaperList(corpus, View(sort="interest", unread=True))
    assert [r.id for r in unread.window(0, unread.total)] == [
        pid for pid in ranked if not corpus.state(pid).read
    ]
    topic = [r.id for r in PaperList(corpus, View(sort="interest", topic="graphs")).window(0, 99)]
    assert topic == [pid for pid in ranked if pid in set(ids_of(corpus, "graphs"))]


def test_a_new_paper_makes_the_order_stale(corpus):
    corpus.set_starred(ids_of(corpus, "graphs")[0], True)
    interest.compute(corpus)
    assert interest.is_fresh(corpus)
    corpus.upsert([Incoming(Paper(id="2407.00001", title="Late graph paper",
                                  published="2024-07-01"))])
    assert not interest.is_fresh(corpus)


def test_the_reason_names_the_matched_features(corpus):
    liked, disliked = interest.matched(
        {"features": [{"label": "graph", "words": ["graph", "graphs"], "weight": 2.0},
                      {"label": "Ada Lovelace", "author": "Ada Lovelace", "words": [],
                       "weight": 1.0},
                      {"label": "blockchain", "words": ["blockchain"], "weight": -1.0}]},
        "Graphs of [bold]blockchain[/bold]", ["ada lovelace"], "",
    )
    assert liked == ["graph", "Ada Lovelace"] and disliked == ["blockchain"]


# --- watch and mute rules ---------------------------------------------------------------------


@dataclass
class Rule:
    name: str = ""
    authors: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)


def test_rules_are_materialised_once_per_change(corpus):
    watch = [Rule("qec", keywords=['"surface codes"']), Rule("author", authors=["graphs author1"])]
    mute = [Rule(keywords=["sentiment"])]
    assert rules.refresh(corpus, watch, mute)
    assert not rules.refresh(corpus, watch, mute)  # nothing changed
    assert count_view(corpus, View(watch="author")) == 5
    assert count_view(corpus, View(watch="qec")) >= 1
    assert count_view(corpus, View()) == 40
    corpus.upsert([Incoming(Paper(id="2407.00001", title="More surface codes",
                                  published="2024-07-01"))])
    assert rules.refresh(corpus, watch, mute)  # a new paper: made again


def test_watch_views_marks_and_mute_filters(corpus):
    watch = [Rule("qec", keywords=['"surface codes"'])]
    rules.refresh(corpus, watch, [Rule(keywords=["sentiment"])])
    watched = PaperList(corpus, View(watch="qec"))
    assert watched.total >= 1
    assert all(row.watched for row in watched.window(0, watched.total))
    every = PaperList(corpus, View()).window(0, 60)
    assert sum(row.watched for row in every) == watched.total
    assert count_view(corpus, View()) == 40
    assert count_unread(corpus, View()) == 40
    assert count_view(corpus, View(search="sentiment")) == 20  # a search shows them
    assert count_view(corpus, View(unread=True, topic="sentiment")) == 0
    rules.refresh(corpus, watch, [])  # [ui] show_muted: no mute rule hides anything
    assert count_view(corpus, View()) == 60


def test_hits_name_the_rule_and_the_words_it_matched(corpus):
    watch = [Rule("qec", keywords=['"surface codes"', "qubit*"]), Rule("g", authors=["GRAPHS AUTHOR1"])]
    rules.refresh(corpus, watch, [])
    quantum = ids_of(corpus, "quantum")
    found = [rules.hits_of(corpus, pid, watch) for pid in quantum]
    assert any(("surface", "codes") in hit.phrases for hit in found)
    assert all(hit.rules == ["qec"] for hit in found if hit.phrases)
    author = next(r.id for r in PaperList(corpus, View(author="Graphs Author1")).window(0, 1))
    assert rules.hits_of(corpus, author, watch).authors == {"Graphs Author1"}


def test_a_bad_keyword_query_is_named():
    assert check_query('"open') is not None
    assert check_query("nosuchcolumn: x") is not None
    assert check_query('"retrieval augmented" OR RAG') is None
