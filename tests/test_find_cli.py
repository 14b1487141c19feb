"""The commands that find papers and keep one current (DESIGN.md §15), run as a user
would (``main([...])``) against loopback arXiv-API and Semantic Scholar stand-ins."""

from __future__ import annotations

import json
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from paperdeck.storage.sources import semantic_scholar
from paperdeck.tui.cli import main
from tests.support.arxiv_stub import ArxivStub, Entry
from tests.support.loopback import LoopbackServer
from tests.support.semantic_scholar_stub import PATH, Graph, entry

API = "/api/query"
TODAY = date.today()


def day(ago: int) -> str:
    return (TODAY - timedelta(days=ago)).isoformat()


ENTRIES = [
    Entry("2406.02543", version=2, title="Attention to ids", authors=("Li Yang", "Ada Byron"),
          published=day(0)),
    Entry("hep-th/9901001", title="Old strings", published="1999-01-04", categories=("hep-th",)),
    Entry("2611.00001", title="Week-old graph paper", published=day(6),
          authors=("Chen Yangzi",)),
]


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def server():
    graph = Graph({"2406.02543": (3, [entry("1706.03762")], [entry("2611.00001v1")])})
    with LoopbackServer({API: ArxivStub(list(ENTRIES)), PATH + "*": graph}) as running:
        yield running


@pytest.fixture
def configured(server, tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setattr(semantic_scholar, "_last_request", 0.0)
    monkeypatch.setattr(semantic_scholar, "SPACING_S", 0.0)
    config = tmp_path / "config.toml"
    config.write_text(
        f'[arxiv]\napi_url = "{server.url(API)}"\ndelay_seconds = 0\n\n'
        f'[citations]\nurl = "{server.url("/graph/v1")}"\n\n'
        '[[topics]]\nname = "T"\nquery = "all:x"\n'
    )
    return config


def listed(capsys, *args: str) -> list[dict]:
    code, out, err = run(capsys, "list", "--format", "json", *args)
    assert code == 0, err
    return json.loads(out)


def test_add_by_id_and_url_in_one_request(capsys, server, configured):
    code, out, err = run(capsys, "add", "arXiv:2406.02543", "https://arxiv.org/abs/hep-th/9901001v1")
    assert code == 0, err
    assert out.splitlines()[0].startswith("2406.02543v2  ") and "Old strings" in out
    assert "2 new, 0 updated, 0 not found (1 request)" in err
    assert len(server.requests_to(API)) == 1
    assert server.requests_to(API)[0].query["id_list"] == ["2406.02543,hep-th/9901001"]
    for typed in ("2406.02543", "arXiv:2406.02543", "https://arxiv.org/abs/2406.02543v2"):
        assert [p["id"] for p in listed(capsys, "--search", typed)] == ["2406.02543"]
    assert [p["id"] for p in listed(capsys, "--search", "hep-th/9901001")] == ["hep-th/9901001"]


def test_add_says_what_arxiv_does_not_know(capsys, configured):
    code, out, err = run(capsys, "add", "2501.99999")
    assert code == 1 and out == "" and "arXiv does not know 2501.99999" in err
    code, _, err = run(capsys, "add", "attention")
    assert code == 1 and "'attention' is not an arXiv id" in err


def test_arxiv_search_keeps_the_results_as_a_view(capsys, server, configured):
    code, out, err = run(capsys, "arxiv-search", "graph", "papers", "--max", "2")
    assert code == 0, err
    assert len(out.splitlines()) == 2 and "kept as the view “arXiv: graph papers”" in err
    kept = listed(capsys, "--topic", "arXiv: graph papers")
    assert len(kept) == 2 and all("arXiv: graph papers" in p["topics"] for p in kept)
    assert server.requests_to(API)[0].query["max_results"] == ["2"]


def test_citations_json_with_a_429_waited_out(capsys, server, configured, monkeypatch):
    waits: list[float] = []
    monkeypatch.setattr(semantic_scholar, "_wait", waits.append)
    graph = server.routes[PATH + "*"]
    graph.busy, graph.retry_after = 1, "2"
    code, out, err = run(capsys, "citations", "arXiv:2406.02543", "--format", "json")
    assert code == 0, err
    assert json.loads(out) == {"count": 3, "references": ["1706.03762"],
                               "cited_by": ["2611.00001"]}
    assert 2.0 in waits and len(server.requests) == 2
    run(capsys, "citations", "2406.02543", "--format", "json")
    assert len(server.requests) == 2  # kept a week


def test_citations_of_an_unknown_paper(capsys, configured):
    code, _, err = run(capsys, "citations", "2501.99999")
    assert code == 1 and "does not know arXiv:2501.99999" in err


def test_list_like(capsys, configured):
    run(capsys, "add", "2406.02543", "hep-th/9901001", "2611.00001")
    found = listed(capsys, "--like", "2406.02543")
    assert "2406.02543" not in [p["id"] for p in found]
    found = listed(capsys, "--like", "arXiv:2406.02543", "--like", "2611.00001")
    assert [p["id"] for p in found] == ["hep-th/9901001"]  # both seeds left out
    run(capsys, "tag", "2611.00001", "graphs")
    found = listed(capsys, "--like-tag", "graphs")
    assert "2611.00001" not in [p["id"] for p in found] and found
    code, _, err = run(capsys, "list", "--like-tag", "nothing")
    assert code == 1 and "no paper is tagged nothing" in err


def test_digest_since(capsys, configured):
    run(capsys, "add", "2406.02543", "hep-th/9901001", "2611.00001")
    code, out, err = run(capsys, "digest", "--since", "1d")
    assert code == 0, err
    assert "Attention to ids" in out and "Week-old" not in out
    code, out, _ = run(capsys, "digest", "--since", "7d", "--format", "html")
    assert "Week-old graph paper" in out and "Old strings" not in out and out.startswith("<!DOCTYPE")
    code, _, err = run(capsys, "digest", "--since", "soon")
    assert code == 1 and "--since: 'soon' is not a window" in err


def hook_writing_the_count(config: Path, tmp_path: Path) -> Path:
    """Set ``[hooks] after_sync`` to a script that writes ``PAPERDECK_NEW_PAPERS`` to the
    file returned."""
    out = tmp_path / "count.txt"
    script = tmp_path / "hook.py"
    script.write_text("import os, sys\nopen(sys.argv[1], 'w').write(os.environ['PAPERDECK_NEW_PAPERS'])\n")
    with config.open("a") as file:
        file.write(f"\n[hooks]\nafter_sync = '{sys.executable} {script} \"{out}\"'\n")
    return out


def test_sync_runs_the_hook_with_the_count(capsys, configured, tmp_path: Path):
    out = hook_writing_the_count(configured, tmp_path)
    code, _, err = run(capsys, "sync")
    assert code == 0, err
    assert out.read_text() == "3"


def test_a_bad_hook_line_is_a_config_error(capsys, configured):
    with configured.open("a") as config:
        config.write("\n[hooks]\nafter_sync = 'notify \"unclosed'\n")
    code, _, err = run(capsys, "sync")
    assert code == 1 and "after_sync cannot be split" in err and "config.toml:" in err


def test_staying_current_as_a_user_would(capsys, server, configured, tmp_path: Path):
    """A starred, read paper that a sync brings v2 of is unread and ``is:updated`` until
    ``mark`` reads it; the hook hears how many papers were new; ``after:7d`` is relative."""
    stub = server.routes[API]
    stub.entries[0].version = 1
    assert run(capsys, "add", "2406.02543")[0] == 0
    run(capsys, "star", "2406.02543")
    run(capsys, "mark", "2406.02543")
    assert listed(capsys, "--search", "is:updated") == []
    stub.entries[0].version = 2
    heard = hook_writing_the_count(configured, tmp_path)
    code, _, err = run(capsys, "sync")
    assert code == 0, err
    assert heard.read_text() == "2"  # the two papers the cache lacked; v2 is not new
    [paper] = listed(capsys, "--search", "is:updated")
    assert (paper["id"], paper["version"], paper["starred"], paper["read"]) == (
        "2406.02543", 2, True, False)
    assert [p["id"] for p in listed(capsys, "--search", "after:7d")] == ["2406.02543", "2611.00001"]
    assert [p["id"] for p in listed(capsys, "--search", "before:1m")] == ["hep-th/9901001"]
    run(capsys, "mark", "2406.02543")
    assert listed(capsys, "--search", "is:updated") == []
    assert [p["id"] for p in listed(capsys, "--unread")] == ["2611.00001", "hep-th/9901001"]
