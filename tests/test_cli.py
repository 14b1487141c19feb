"""The scripting CLI: contract keys, exit codes and messages, through the real entry point."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from paperdeck.tui.cli import main
from tests.support.loopback import LoopbackServer, Reply

ROOT = Path(__file__).resolve().parents[1]
CONTRACT_KEYS = {"id", "version", "title", "authors", "published", "code_urls", "starred",
                 "read", "translations", "topics"}
ROW = "|**2024-06-04**|**T{n}**|A{n} et.al.|[2406.0000{n}v1](http://arxiv.org/abs/2406.0000{n}v1)|null|"


def paperdeck(*args: str, input: str | None = None) -> subprocess.CompletedProcess:
    """Run the installed entry point in a child process (environment from the fixtures)."""
    return subprocess.run([sys.executable, "-m", "paperdeck", *args], cwd=ROOT, capture_output=True,
                          text=True, input=input, timeout=60, env=os.environ.copy())


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def small_digest(tmp_path: Path, rows: int = 3, extra: str = "") -> Path:
    path = tmp_path / "digest.md"
    lines = ["## Topic", "|Publish Date|Title|Authors|PDF|Code|", "|---|---|---|---|---|"]
    lines += [ROW.format(n=n) for n in range(1, rows + 1)]
    path.write_text("\n".join(lines) + "\n" + extra)
    return path


def test_seed_import_then_list_json_shows_the_hundred_papers(seed_digest: Path):
    result = paperdeck("import", str(seed_digest))
    assert result.returncode == 0, result.stderr
    assert "100 new, 0 updated, 0 unchanged, 100 translations stored, 0 rows skipped" in result.stdout
    listed = paperdeck("list", "--format", "json")
    assert listed.returncode == 0
    papers = json.loads(listed.stdout)
    assert len(papers) == 100
    assert all(set(p) >= CONTRACT_KEYS for p in papers)
    first = papers[0]
    assert first["id"] == "2406.02543" and first["version"] == 1
    assert first["authors"][0] == "Yasin Abbasi Yadkori" and len(first["authors"]) == 4
    assert first["published"] == "2024-06-04" and first["topics"] == ["LLM"]
    assert first["translations"] == ["zh"] and first["starred"] is False and first["read"] is False
    assert sum(1 for p in papers if p["code_urls"]) == 33
    assert all(len(p["authors"]) >= 1 and p["translations"] == ["zh"] for p in papers)


def test_reimport_changes_nothing_and_a_star_survives(seed_digest: Path, capsys):
    assert run(capsys, "import", str(seed_digest))[0] == 0
    code, out, _ = run(capsys, "star", "2406.02543v1")
    assert code == 0 and out.startswith("★ starred 2406.02543")
    code, out, _ = run(capsys, "import", str(seed_digest))
    assert code == 0 and "0 new, 0 updated, 100 unchanged, 0 translations stored" in out
    code, out, _ = run(capsys, "list", "--starred", "--format", "json")
    starred = json.loads(out)
    assert [p["id"] for p in starred] == ["2406.02543"] and starred[0]["starred"] is True


def test_list_filters_formats_and_limit(tmp_path: Path, capsys):
    assert run(capsys, "import", str(small_digest(tmp_path)))[0] == 0
    run(capsys, "mark", "2406.00002")
    run(capsys, "star", "2406.00003")
    code, out, _ = run(capsys, "list", "--unread", "--format", "json")
    assert [p["id"] for p in json.loads(out)] == ["2406.00003", "2406.00001"]
    code, out, _ = run(capsys, "list", "--starred", "--unread", "--format", "json")
    assert [p["id"] for p in json.loads(out)] == ["2406.00003"]
    code, out, _ = run(capsys, "list", "--limit", "1", "--format", "tsv")
    lines = out.splitlines()
    assert lines[0].split("\t")[:4] == ["id", "version", "published", "title"]
    assert len(lines) == 2 and lines[1].startswith("2406.00003\t1\t2024-06-04\tT3")
    code, out, _ = run(capsys, "list", "--search", "T2", "--format", "json")
    assert [p["id"] for p in json.loads(out)] == ["2406.00002"]
    code, out, _ = run(capsys, "list", "--topic", "Topic")
    assert code == 0 and len(out.splitlines()) == 3 and "★" in out
    code, out, _ = run(capsys, "list", "--format", "json", "--search", "nothing-matches")
    assert json.loads(out) == []
    code, out, err = run(capsys, "list", "--search", "nothing-matches")
    assert (code, out, err) == (0, "", "No papers match.\n")
    assert run(capsys, "list", "--limit", "0") == (0, "", "")


def test_mark_unread_and_unstar(tmp_path: Path, capsys):
    run(capsys, "import", str(small_digest(tmp_path)))
    run(capsys, "mark", "2406.00001")
    run(capsys, "star", "2406.00001")
    assert run(capsys, "mark", "2406.00001", "--unread")[1].startswith("marked unread 2406.00001")
    assert run(capsys, "unstar", "https://arxiv.org/abs/2406.00001v1")[0] == 0
    paper = json.loads(run(capsys, "list", "--format", "json")[1])[-1]
    assert paper["id"] == "2406.00001" and not paper["read"] and not paper["starred"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["star", "2406.99999"], "paperdeck: 2406.99999 is not in the cache (import or sync it first)"),
        (["star", "not-an-id"], "paperdeck: 'not-an-id' is not an arXiv id"),
        (["import", "/no/such/digest.md"], "paperdeck: /no/such/digest.md: no such file"),
        (["list", "--topic", "Nope"], "paperdeck: no topic named 'Nope' (topics: none yet)"),
    ],
)
def test_user_errors_exit_1_with_one_clear_line(capsys, args, message):
    code, _, err = run(capsys, *args)
    assert code == 1
    assert err.strip().startswith(message)
    assert "Traceback" not in err


def test_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["list", "--limit", "many"])
    assert exit_.value.code == 2
    assert "is not a whole number" in capsys.readouterr().err


def test_import_reports_skipped_rows_and_still_imports(tmp_path: Path, capsys):
    path = small_digest(tmp_path, extra="|**2024-02-30**|**Bad**|X et.al.|[2406.00009](http://arxiv.org/abs/2406.00009)|null|\n")
    code, out, _ = run(capsys, "import", str(path))
    assert code == 0
    assert "3 new" in out and "1 rows skipped" in out
    assert "line 7: skipped: impossible date 2024-02-30" in out


@pytest.mark.parametrize("header", ["# arxiv-daily", "## Updated on 2026.06.29"])
def test_an_empty_days_digest_imports_nothing_and_succeeds(tmp_path: Path, capsys, header: str):
    empty = tmp_path / "empty.md"
    empty.write_text(f"{header}\n\nNo papers today.\n")
    code, out, err = run(capsys, "import", str(empty))
    assert (code, err) == (0, "") and "0 new, 0 updated" in out
    assert out.rstrip().endswith("(a daily-arXiv page with no topics: nothing announced that day)")


def test_import_of_a_file_with_no_readable_row_fails(tmp_path: Path, capsys):
    nothing = tmp_path / "notes.md"
    nothing.write_text("# My notes\nNothing here.\n")
    code, _, err = run(capsys, "import", str(nothing))
    assert code == 1 and "no digest table found" in err
    bad = tmp_path / "bad.md"
    bad.write_text("|Publish Date|Title|Authors|PDF|Code|\n|---|---|---|---|---|\n|x|y|\n")
    code, out, err = run(capsys, "import", str(bad))
    assert code == 1 and "none of the 1 rows could be read" in err and "line 3" in out


def test_import_from_a_url_and_its_http_errors(tmp_path: Path, capsys):
    digest = small_digest(tmp_path).read_bytes()
    routes = {"/digest.md": Reply(200, digest, {"Content-Type": "text/markdown"}),
              "/gone.md": Reply(404, "not here")}
    with LoopbackServer(routes) as server:
        code, out, _ = run(capsys, "import", server.url("/digest.md"))
        assert code == 0 and "3 new" in out and server.url("/digest.md") in out
        code, _, err = run(capsys, "import", server.url("/gone.md"))
        assert code == 1 and f"{server.url('/gone.md')} answered 404 Not Found" in err


def test_a_digest_url_that_inflates_past_the_cap_is_refused(capsys, monkeypatch):
    """#12: 1.1 MB of gzip became a 512 MiB file; now it stops at the cap, in words."""
    from paperdeck.storage.library import importer

    monkeypatch.setattr(importer, "MAX_DIGEST_BYTES", 1 << 20)
    bomb = gzip.compress(b"\n" * (8 << 20))
    routes = {"/bomb.md": Reply(200, bomb, {"Content-Encoding": "gzip"})}
    with LoopbackServer(routes) as server:
        code, out, err = run(capsys, "import", server.url("/bomb.md"))
    assert code == 1 and f"{server.url('/bomb.md')} sent more than 1,048,576 bytes" in err
    assert "Traceback" not in err


def test_import_from_an_unreachable_host_says_so(capsys):
    code, _, err = run(capsys, "import", "http://127.0.0.1:9/digest.md")
    assert code == 1 and "cannot reach http://127.0.0.1:9/digest.md" in err


def test_export_formats(seed_digest: Path, capsys):
    run(capsys, "import", str(seed_digest))
    run(capsys, "star", "2406.02543")
    run(capsys, "star", "2406.02528")
    code, out, _ = run(capsys, "export", "--starred")
    assert code == 0 and out.count("@misc{") == 2
    assert "@misc{yadkori2024believe," in out and "eprint = {2406.02543}" in out
    assert "author = {Yasin Abbasi Yadkori and Ilja Kuzborskij and András György and Csaba Szepesvári}" in out
    code, out, _ = run(capsys, "export", "--starred", "--format", "markdown")
    assert out.splitlines()[1].startswith("- [Scalable MatMul-free Language Modeling](https://arxiv.org/abs/2406.02528)")
    assert "[code](https://github.com/ridgerchu/matmulfreellm)" in out
    code, out, _ = run(capsys, "export", "--starred", "--format", "json")
    assert [p["id"] for p in json.loads(out)] == ["2406.02543", "2406.02528"]


def test_list_into_a_closed_pipe_is_not_an_error(seed_digest: Path):
    paperdeck("import", str(seed_digest))
    result = subprocess.run(f"{sys.executable} -m paperdeck list | head -1", shell=True, cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.stdout.count("\n") == 1 and "Traceback" not in result.stderr


def test_an_invalid_config_stops_the_app_with_file_line_key(tmp_path: Path):
    (tmp_path / "config.toml").write_text('[ui]\nauto_mark_read = "sometimes"\n')
    result = paperdeck()
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"paperdeck: {tmp_path / 'config.toml'}:2: [ui]: auto_mark_read must be true or false, "
        "not 'sometimes'"
    )
