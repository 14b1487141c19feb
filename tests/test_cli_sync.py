"""`paperdeck sync`: exit codes, progress on stderr, the summary on stdout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from paperdeck.tui.cli import main
from tests.support.arxiv_stub import ArxivStub, Entry, generated
from tests.support.loopback import LoopbackServer, Reply, in_turn

ROOT = Path(__file__).resolve().parents[1]
API = "/api/query"


def write_config(tmp_path: Path, text: str) -> None:
    (tmp_path / "config.toml").write_text(text)


def topics_config(api_url: str, *names: str, digests: tuple[str, ...] = ()) -> str:
    text = f'[arxiv]\napi_url = "{api_url}"\ndelay_seconds = 0\npage_size = 10\n'
    for name in names:
        text += f'\n[[topics]]\nname = "{name}"\nquery = "ti:{name.lower()}"\nmax_results = 30\n'
    for url in digests:
        text += f'\n[[digests]]\nurl = "{url}"\n'
    return text


def test_sync_prints_progress_on_stderr_and_the_summary_on_stdout(tmp_path: Path, capsys):
    with LoopbackServer({API: ArxivStub(generated(12))}) as server:
        write_config(tmp_path, topics_config(server.url(API), "LLM"))
        code = main(["sync"])
    out, err = capsys.readouterr()
    assert code == 0
    assert out == "arXiv topic LLM: 12 new, 0 updated\n1 source: 12 new, 0 updated\n"
    assert err.splitlines() == [
        "arXiv topic LLM: syncing…",
        "arXiv topic LLM: page 1: 10 new, 0 updated so far",
        "arXiv topic LLM: page 2: 12 new, 0 updated so far",
        "arXiv topic LLM: done",
    ]


def test_sync_exits_1_when_a_source_failed_and_still_runs_the_others(tmp_path: Path, capsys):
    with LoopbackServer({API: ArxivStub(generated(2)), "/gone.md": Reply(404)}) as server:
        write_config(
            tmp_path, topics_config(server.url(API), "LLM", digests=(server.url("/gone.md"),))
        )
        code = main(["sync"])
    out, err = capsys.readouterr()
    assert code == 1
    assert out.splitlines() == [
        "arXiv topic LLM: 2 new, 0 updated",
        f"digest {server.url('/gone.md')}: failed — {server.url('/gone.md')} answered 404 Not Found",
        "2 sources: 2 new, 0 updated, 1 failed",
    ]
    assert f"digest {server.url('/gone.md')}: failed — " in err and "Traceback" not in err


def test_sync_with_nothing_configured_says_so(tmp_path: Path, capsys):
    write_config(tmp_path, '[ui]\ntheme = "nord"\n')  # a file's lists replace the default topic
    assert main(["sync"]) == 0
    assert (
        capsys.readouterr().out == "nothing to sync: no topics, feeds or digests are configured\n"
    )


def test_sync_of_one_topic_and_of_an_unknown_one(tmp_path: Path, capsys):
    with LoopbackServer({API: ArxivStub(generated(2))}) as server:
        write_config(tmp_path, topics_config(server.url(API), "LLM", "Vision"))
        assert main(["sync", "--topic", "Vision"]) == 0
        assert capsys.readouterr().out.splitlines()[0] == "arXiv topic Vision: 2 new, 0 updated"
        assert main(["sync", "--topic", "Robots"]) == 1
    assert capsys.readouterr().err == "paperdeck: no topic named 'Robots' (topics: LLM, Vision)\n"
    assert len(server.requests) == 1


def test_sync_with_an_invalid_config_names_file_and_line(tmp_path: Path, capsys):
    write_config(tmp_path, "[arxiv]\npage_size = 0\n")
    assert main(["sync"]) == 1
    assert capsys.readouterr().err == (
        f"paperdeck: {tmp_path / 'config.toml'}:2: [arxiv]: page_size must be between 1 and 2000\n"
    )


def paperdeck(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "paperdeck", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, env=os.environ.copy())  # fmt: skip


def test_the_installed_command_end_to_end(tmp_path: Path):
    """Through a 503, a version bump of a starred paper, then a second sync that adds nothing."""
    stub = ArxivStub(generated(15))
    busy = Reply(503, "busy", {"Retry-After": "0"})
    with LoopbackServer({API: in_turn(busy, stub)}) as server:
        write_config(tmp_path, topics_config(server.url(API), "LLM"))
        first = paperdeck("sync")
        assert first.returncode == 0, first.stderr
        assert paperdeck("star", "2611.00015").returncode == 0
        stub.entries[0] = Entry(
            id="2611.00015", version=2, title="Revised", summary="Code: github.com/a/b."
        )
        second = paperdeck("sync")
        third = paperdeck("sync")
        listed = json.loads(paperdeck("list", "--starred", "--format", "json").stdout)
    assert first.stdout.startswith("arXiv topic LLM: 15 new, 0 updated\n")
    assert second.stdout.splitlines()[0] == "arXiv topic LLM: 0 new, 1 updated, 14 unchanged"
    assert third.stdout.splitlines()[0] == "arXiv topic LLM: nothing new (10 unchanged)"
    assert [p["id"] for p in listed] == ["2611.00015"]
    assert (listed[0]["version"], listed[0]["title"], listed[0]["code_urls"]) == (
        2, "Revised", ["https://github.com/a/b"])  # fmt: skip
    assert len(server.requests) == 1 + 2 + 2 + 1  # a 503 and two pages, two pages, one page
