"""Staying current: a sync bringing v2 of a starred paper (is:updated), the digest of the
papers published in a window, and the after_sync hook — against a loopback arXiv API."""

from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from paperdeck.storage.cache.database import Cache
from paperdeck.storage.cache.rules import refresh
from paperdeck.storage.config import HookSettings, Rule
from paperdeck.storage.library import digest_report
from paperdeck.storage.models import Incoming, Paper
from paperdeck.storage.sources.runner import run_sync
from tests.support.arxiv_stub import ArxivStub, Entry
from tests.support.loopback import LoopbackServer
from tests.support.sync_setup import config


def updated(cache: Cache) -> set[str]:
    """The papers marked ``is:updated``."""
    return {pid for (pid,) in cache.conn.execute("SELECT paper_id FROM paper_updates")}

API = "/api/query"
TODAY = date.today()


def day(ago: int) -> str:
    return (TODAY - timedelta(days=ago)).isoformat()


def entries(version: int = 1) -> list[Entry]:
    return [
        Entry("2611.00003", version=version, title="Retrieval <b>augmented</b> & more",
              published=day(0), authors=("Percy Liang",)),
        Entry("2611.00002", title="Yesterday's paper", published=day(1)),
        Entry("2611.00001", title="Old news", published=day(30)),
    ]


def sync(server, cache, **extra):
    settings = config(server.url(API))
    for name, value in extra.items():
        setattr(settings, name, value)
    return run_sync(settings, cache)


def test_a_sync_bringing_v2_of_a_starred_paper_marks_it_updated_and_unread(cache: Cache):
    stub = ArxivStub(entries())
    with LoopbackServer({API: stub}) as server:
        sync(server, cache)
        cache.set_starred("2611.00003", True)
        cache.set_read("2611.00003", True)
        cache.set_read("2611.00002", True)
        stub.entries = [entries(version=2)[0], *entries()[1:]]
        stub.entries[1].version = 2  # not kept: stays read
        sync(server, cache)
    assert updated(cache) == {"2611.00003"}
    assert not cache.state("2611.00003").read and cache.state("2611.00002").read
    cache.set_read("2611.00003", True)
    assert updated(cache) == set()


@pytest.mark.parametrize(
    "text, first", [("1d", day(1)), ("2w", day(14)), ("1m", day(30)), ("2026-01-05", "2026-01-05")]
)
def test_windows(text, first):
    assert digest_report.since_day(text) == first


def test_a_bad_window_is_one_sentence():
    with pytest.raises(digest_report.BadWindow, match="'yesterday' is not a window"):
        digest_report.since_day("yesterday")


def test_the_digest_groups_by_watch_rule_and_topic_and_escapes(cache: Cache):
    with LoopbackServer({API: ArxivStub(entries())}) as server:
        sync(server, cache)
    refresh(cache, [Rule(name="RAG", authors=["Percy Liang"])], [])
    digest = digest_report.build(cache, digest_report.since_day("1d"))
    assert [(g.title, [d.paper.id for d in g.papers]) for g in digest.groups] == [
        ("Watch: RAG", ["2611.00003"]),
        ("Topic: T", ["2611.00002"]),
    ]
    md = digest_report.render(digest, "markdown")
    assert "## Watch: RAG (1)" in md and "(https://arxiv.org/abs/2611.00003)" in md
    assert "Old news" not in md
    page = digest_report.render(digest, "html")
    assert "Retrieval &lt;b&gt;augmented&lt;/b&gt; &amp; more" in page and "<b>" not in page
    assert '<a href="https://arxiv.org/abs/2611.00002">' in page


def test_the_hook_runs_without_a_shell_with_the_count(cache: Cache, tmp_path: Path):
    out = tmp_path / "hook out.txt"
    script = tmp_path / "hook.py"
    script.write_text(
        "import os, sys\n"
        "open(sys.argv[1], 'w').write(os.environ['PAPERDECK_NEW_PAPERS'] + '|' + sys.argv[2])\n"
    )
    command = f'{sys.executable} {script} "{out}" "$HOME;rm -rf x"'
    with LoopbackServer({API: ArxivStub(entries())}) as server:
        summary = sync(server, cache, hooks=HookSettings(after_sync=command))
    assert summary.hook_error is None
    assert out.read_text() == "3|$HOME;rm -rf x"  # no shell: nothing expanded


def test_a_failing_hook_is_reported_and_the_sync_stands(cache: Cache):
    with LoopbackServer({API: ArxivStub(entries())}) as server:
        summary = sync(server, cache, hooks=HookSettings(after_sync="no-such-command-xyz --go"))
    assert summary.ok and summary.results[0].new == 3
    assert "'no-such-command-xyz' was not found" in summary.describe()


def test_the_digest_is_in_interest_order_within_a_group(cache: Cache):
    """Papers like the starred ones come first in their group, whatever their date."""
    words = {"graph": "graph neural network message passing", "speech": "speech audio acoustic"}
    papers = [
        Incoming(Paper(id=f"2611.{n:05d}", title=f"{words[kind]} {n}", published=day(ago),
                       version=1, abstract=f"We study {words[kind]}."), ("T",))
        for n, (kind, ago) in enumerate(
            [("graph", 40), ("graph", 41), ("graph", 42),  # starred, before the window
             ("speech", 0), ("speech", 0), ("graph", 1), ("speech", 0)], start=1)
    ]
    cache.upsert(papers)
    for n in (1, 2, 3):
        cache.set_starred(f"2611.{n:05d}", True)
    digest = digest_report.build(cache, digest_report.since_day("1d"))
    [group] = digest.groups
    assert group.title == "Topic: T"
    assert [d.paper.id for d in group.papers][0] == "2611.00006"  # the graph paper, a day old
    assert len(group.papers) == 4
