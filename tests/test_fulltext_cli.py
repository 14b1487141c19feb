"""``paperdeck read`` and ``paperdeck prefetch`` against a loopback copy of arxiv.org, and
``list --format json``'s ``fulltext`` key."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from paperdeck.storage.cache import library
from paperdeck.storage.cache.database import Cache
from paperdeck.storage.config import cache_path, config_path
from paperdeck.tui.cli import main
from tests.support.fulltext import (
    LONG_ID,
    NO_HTML_ID,
    SHORT_ID,
    SYNTHETIC_ID,
    arxiv_server,
    fill,
    write_config,
)


@pytest.fixture
def cached() -> Path:
    with Cache(cache_path()) as cache:
        fill(cache)
    return cache_path()


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_read_fetches_stores_and_prints_then_works_offline(capsys, cached):
    with arxiv_server(None) as server:
        write_config(config_path(), server)
        code, first, err = run(capsys, "read", SYNTHETIC_ID)
        assert code == 0, err
        assert f"Fetching {server.url(f'/html/{SYNTHETIC_ID}v2')}" in err
    assert first.startswith("# A Synthetic Paper for the Converter\n")
    assert "## 2 Limits of 𝒪(n) memory" in first
    # The server is gone: the same paper, from the cache.
    code, again, err = run(capsys, "read", SYNTHETIC_ID)
    assert (code, again, err) == (0, first, "")


def test_read_as_plain_text(capsys, cached):
    with arxiv_server(None) as server:
        write_config(config_path(), server)
        code, out, _ = run(
            capsys, "read", f"https://arxiv.org/abs/{SYNTHETIC_ID}", "--format", "text"
        )
    assert code == 0
    assert out.startswith("A Synthetic Paper for the Converter\n===")
    assert "**" not in out and "[^1]" not in out


def test_a_paper_with_no_rendering_exits_1_with_one_sentence_and_the_pdf_link(capsys, cached):
    with arxiv_server(None) as server:
        write_config(config_path(), server)
        code, out, err = run(capsys, "read", NO_HTML_ID)
    assert code == 1 and out == ""
    last = err.strip().splitlines()[-1]
    assert last == (
        f"paperdeck: arXiv has no HTML rendering of {NO_HTML_ID} (nor has ar5iv); "
        f"read its PDF instead: https://arxiv.org/pdf/{NO_HTML_ID}v1"
    )


def test_read_offline_without_a_stored_copy_says_so(capsys, cached):
    write_config_text = (
        '[fulltext]\nhtml_url = "http://127.0.0.1:9/html/"\n'
        'ar5iv_url = "http://127.0.0.1:9/ar5iv/"\ndelay_seconds = 0\n'
    )
    config_path().write_text(write_config_text)
    code, out, err = run(capsys, "read", SYNTHETIC_ID)
    assert code == 1 and out == ""
    assert "cannot reach http://127.0.0.1:9/html/2501.00001v2" in err
    assert "Traceback" not in err


def test_read_refuses_what_is_not_an_id(capsys, cached):
    code, _, err = run(capsys, "read", "not-an-id")
    assert code == 1 and "is not an arXiv id" in err


def test_list_json_says_which_papers_have_their_full_text(capsys, cached):
    with arxiv_server(None) as server:
        write_config(config_path(), server)
        assert run(capsys, "read", SYNTHETIC_ID)[0] == 0
    code, out, _ = run(capsys, "list", "--format", "json")
    assert code == 0
    flags = {paper["id"]: paper["fulltext"] for paper in json.loads(out)}
    assert flags == {SYNTHETIC_ID: True, LONG_ID: False, SHORT_ID: False, NO_HTML_ID: False}


def test_prefetch_is_polite_and_skips_what_is_stored(capsys, cached):
    with arxiv_server(None) as server:
        write_config(config_path(), server, delay=0.2)
        code, out, err = run(capsys, "prefetch", SYNTHETIC_ID, NO_HTML_ID)
        assert code == 0, err
        assert out.splitlines()[0] == "1 stored, 0 already stored, 1 without an HTML rendering"
        assert f"[1/2] {SYNTHETIC_ID}: stored" in err
        assert f"[2/2] {NO_HTML_ID}: no HTML rendering (PDF: https://arxiv.org/pdf/" in err
        times = [request.at for request in server.requests]
        assert all(b - a >= 0.19 for a, b in zip(times, times[1:], strict=False))
        asked = len(server.requests)
        code, out, _ = run(capsys, "prefetch", "--topic", "LLM")
        assert code == 0
        # The stored paper is skipped; the others are asked for (the fixtures are absent).
        assert f"/html/{SYNTHETIC_ID}v2" not in [r.path for r in server.requests[asked:]]
        assert "1 already stored" in out


def test_prefetch_starred(capsys, cached):
    with Cache(cache_path()) as cache:
        cache.set_starred(SYNTHETIC_ID, True)
    with arxiv_server(None) as server:
        write_config(config_path(), server)
        code, out, _ = run(capsys, "prefetch", "--starred")
    assert code == 0 and out.startswith("1 stored, 0 already stored")
    assert [r.path for r in server.requests] == [f"/html/{SYNTHETIC_ID}v2"]


@pytest.mark.parametrize(
    ("mark", "argv"),
    [
        (lambda cache: library.set_later(cache, [SYNTHETIC_ID], True), ["--later"]),
        (lambda cache: library.change_tags(cache, [SYNTHETIC_ID], ["proj/rag"]), ["--tag", "proj"]),
    ],
)
def test_prefetch_the_later_list_and_a_tag(capsys, cached, mark, argv):
    with Cache(cache_path()) as cache:
        mark(cache)
    with arxiv_server(None) as server:
        write_config(config_path(), server)
        code, out, _ = run(capsys, "prefetch", *argv)
    assert code == 0 and out.startswith("1 stored, 0 already stored")
    assert [r.path for r in server.requests] == [f"/html/{SYNTHETIC_ID}v2"]


def test_prefetch_needs_something_to_fetch(capsys, cached):
    with pytest.raises(SystemExit) as caught:
        main(["prefetch"])
    assert caught.value.code == 2
    code, _, err = run(capsys, "prefetch", "--topic", "Nope")
    assert code == 1 and "no topic named 'Nope'" in err
    code, _, err = run(capsys, "prefetch", "--tag", "Not A Tag")
    assert code == 1 and "bad tag" in err


# --- the done-when of issue 11, on the long fixture ---------------------------------------


@pytest.mark.shared
def test_read_the_long_paper_whole_then_offline(capsys, cached, shared_data: Path):
    page = (shared_data / "fulltext" / f"{LONG_ID}v1" / "index.html").read_text()
    with arxiv_server(shared_data / "fulltext") as server:
        write_config(config_path(), server)
        code, markdown, err = run(capsys, "read", LONG_ID, "--format", "markdown")
        assert code == 0, err
    # Every section heading, in order.
    titles = re.findall(
        r'<h2 class="ltx_title ltx_title_(?:section|appendix)">\s*<span class="ltx_tag[^"]*">'
        r"([^<]+)</span>(.*?)</h2>",
        page,
        flags=re.S,
    )
    headings = re.findall(r"^## (.+)$", markdown, flags=re.M)
    numbered = [h for h in headings if h[0].isdigit() or h.startswith("Appendix")]
    assert [h.split(" ")[0] for h in numbered] == [t[0].split()[0] for t in titles]
    assert numbered[0] == "1 Encoder Optimizer Signal"
    assert headings[0] == "Abstract" and headings[-2:] == ["References", "Notes"]
    # Every figure caption, the tables, the footnotes, all 168 references.
    captions = re.findall(r'<span class="ltx_tag ltx_tag_figure">Figure (\d+): </span>', page)
    for number in captions:
        assert f"**Figure {number}:** " in markdown
    assert len(captions) == 7
    assert markdown.count("| Method ") == 7
    assert len(re.findall(r"^\[\^\d+\]: \S", markdown, flags=re.M)) == 22
    assert len(re.findall(r"^- \[\d+\] ", markdown, flags=re.M)) == 168
    # Readable math, display equations with their numbers.
    assert "𝒪(n²)" in markdown and "α_i" in markdown and "∑_{i=1}^n x_i" in markdown
    assert "$$\\mathrm{Attn}(Q,K,V)=\\operatorname{softmax}\\left(\\frac{QK^{\\top}}" in markdown
    assert "\\right)V \\tag{8}$$" in markdown
    # None of the chrome.
    for chrome in ("Table of Contents", "Back to abstract page", "experimental HTML", "LaTeXML"):
        assert chrome not in markdown
    # The server is stopped: the same, from the cache.
    code, again, err = run(capsys, "read", LONG_ID, "--format", "markdown")
    assert (code, err) == (0, "") and again == markdown
