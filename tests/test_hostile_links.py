"""Links are safe: only plain http(s) URLs are stored as code links or handed to the
browser; scheme, whitespace, control, credentials and look-alike tricks are refused; and
nothing from a paper ever reaches a shell."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperdeck.storage.cache.database import Cache
from paperdeck.storage.library.export import markdown
from paperdeck.storage.models import Incoming, Paper
from paperdeck.storage.parsers.codelinks import code_url, find_code_urls, safe_url
from paperdeck.tui.screens.link_chooser import LinkChooser
from tests.support.hostile import leftovers
from tests.tui_support import make_app, notes, settle

ROOT = Path(__file__).resolve().parents[1]

REFUSED = {
    "javascript": "javascript:alert(1)",
    "javascript, mixed case": "JaVaScRiPt:alert(document.cookie)",
    "javascript after a space": " javascript:alert(1)",
    "javascript split by a tab": "java\tscript:alert(1)",
    "javascript split by a newline": "java\nscript:alert(1)",
    "vbscript": "vbscript:msgbox(1)",
    "file": "file:///etc/passwd",
    "data": "data:text/html,<script>alert(1)</script>",
    "data, base64": "data:text/html;base64,PHNjcmlwdD4=",
    "ftp": "ftp://github.com/o/r",
    "mailto": "mailto:someone@example.org",
    "protocol-relative": "//evil.example/o/r",
    "no slashes": "https:evil.example/o/r",
    "one slash": "https:/evil.example/o/r",
    "three slashes": "https:///evil.example/o/r",
    "no host": "https://",
    "a dot for a host": "http://./",
    "user before the host": "https://github.com@evil.example/o/r",
    "user and password": "https://user:secret@github.com/o/r",
    "backslash before @": "https://evil.example\\@github.com/o/r",
    "percent in the host": "https://git%68ub.com/o/r",
    "look-alike host (Cyrillic i)": "https://g\u0456thub.com/o/r",
    "port out of range": "https://github.com:99999/o/r",
    "control before the scheme": "\x01https://github.com/o/r",
    "escape in the path": "https://github.com/o/\x1b[2Jr",
    "NUL in the path": "https://github.com/o/r\x00.exe",
    "C1 in the path": "https://github.com/o/r\x85",
    "right-to-left override": "https://evil.example/\u202egpj.exe",
    "no-break space": "https://github.com/o/r\u00a0x",
    "line separator": "https://github.com/o/r\u2028x",
    "too long": "https://github.com/" + "a" * 3000,
}


@pytest.mark.parametrize("url", REFUSED.values(), ids=REFUSED.keys())
def test_tricks_are_refused(url: str):
    assert safe_url(url) is None
    assert code_url(url) is None
    for found in find_code_urls(f"Code: {url} and more."):  # a plain link next to the trick
        assert safe_url(found) == found and "evil" not in found and "@" not in found


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("https://github.com/o/r", "https://github.com/o/r"),
        ("HTTPS://GitHub.com/o/r.git", "https://github.com/o/r"),
        ("  https://gitlab.com/o/r  ", "https://gitlab.com/o/r"),
        ("http://127.0.0.1:8080/x", "http://127.0.0.1:8080/x"),
        ("http://[::1]:8080/x", "http://[::1]:8080/x"),
        ("https://xn--80ak6aa92e.com/x", "https://xn--80ak6aa92e.com/x"),
        ("https://github.com/o/r?tab=readme#top", "https://github.com/o/r?tab=readme#top"),
    ],
)
def test_plain_http_links_are_kept_and_normalised(url: str, kept: str):
    assert safe_url(url) == kept


URLISH = st.lists(
    st.one_of(
        st.sampled_from(
            ["https://", "http://", "javascript:", "file:", "//", "@", ":", "/", "\\", "%", "github.com",
             "evil.example", "user:pw@", "[::1]", ":99999", "\t", "\n", "\x00", "\x1b", "\u202e", "\u0456",
             " ", "#", "?", ".git", "]", ")", "."]
        ),
        st.text(max_size=6),
    ),
    max_size=12,
).map("".join)  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(URLISH)
def test_whatever_is_kept_is_a_plain_http_url(url: str):
    kept = safe_url(url)
    if kept is None:
        return
    parts = urlsplit(kept)
    assert parts.scheme in ("http", "https") and parts.hostname
    assert "@" not in parts.netloc and "\\" not in kept
    assert kept.isprintable() and leftovers(kept) == []
    assert parts.hostname.isascii()
    assert safe_url(kept) == kept


# --- what the reader opens -------------------------------------------------------------------



def cache_with_links(path: Path, urls: list[str]) -> Cache:
    """A paper whose stored code links bypassed ingest (an old cache, a bug elsewhere)."""
    cache = Cache(path)
    paper = Paper("2406.00001", "A paper", "2024-06-04", version=1, code_urls=urls)
    cache.upsert([Incoming(paper)])
    return cache


async def test_c_never_opens_a_stored_link_that_is_not_plain_http(tmp_path, opened):
    bad = [REFUSED["javascript"], REFUSED["file"], REFUSED["user before the host"]]
    with cache_with_links(tmp_path / "c.db", bad) as cache:
        app = make_app(cache)
        async with app.run_test(size=(120, 30), notifications=True) as pilot:
            await pilot.press("c")
            await settle(app, pilot)
            assert opened == []
            assert notes(app) == ["No code link for this paper."]


async def test_the_chooser_offers_only_the_plain_http_links(tmp_path, opened):
    urls = [
        REFUSED["data"],
        "https://github.com/o/a",
        REFUSED["protocol-relative"],
        "https://gitlab.com/o/b",
    ]
    with cache_with_links(tmp_path / "c.db", urls) as cache:
        app = make_app(cache)
        async with app.run_test(size=(120, 30)) as pilot:
            await pilot.press("c")
            assert isinstance(app.screen, LinkChooser)
            assert app.screen.urls == ["https://github.com/o/a", "https://gitlab.com/o/b"]
            await pilot.press("down", "enter")
            await settle(app, pilot)
            assert opened == ["https://gitlab.com/o/b"]


async def test_the_last_gate_before_the_browser_refuses_every_trick(tmp_path, opened):
    with cache_with_links(tmp_path / "c.db", []) as cache:
        app = make_app(cache)
        async with app.run_test(size=(120, 30), notifications=True) as pilot:
            for url in REFUSED.values():
                app.open_link(url)
            await settle(app, pilot)
            assert opened == []
            said = notes(app, "warning")
            assert sum("only http and https links are opened" in s for s in said) == len(REFUSED)


# --- nothing reaches a shell --------------------------------------------------------------------

SHELL_MODULES = {"subprocess", "pty", "commands", "popen2"}
SHELL_CALLS = {"system", "popen", "startfile"} | {
    f"{verb}{suffix}"
    for verb in ("exec", "spawn")
    for suffix in ("l", "le", "lp", "lpe", "v", "ve", "vp", "vpe")
}
BROWSER_CALLS = {"open", "open_new", "open_new_tab"}


def code_files() -> list[Path]:
    return sorted([*(ROOT / "storage").rglob("*.py"), *(ROOT / "tui").rglob("*.py")])


STARTERS = ("tui/cli/library.py", "storage/hooks.py")
"""The modules that start a process, as the contracts ask: ``paperdeck note`` runs
``$EDITOR``, and ``[hooks] after_sync`` its command — each as an argument list, never
through a shell (``shell=`` is still refused)."""


def test_no_module_of_the_app_starts_a_shell_or_a_process():
    found = []
    for path in code_files():
        editor = path.relative_to(ROOT).as_posix() in STARTERS
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}"
            if editor and isinstance(node, ast.Import) and [a.name for a in node.names] == [
                "subprocess"
            ]:
                continue
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [alias.name for alias in node.names]
                module = getattr(node, "module", None) or ""
                if SHELL_MODULES & {module.split(".")[0], *(n.split(".")[0] for n in names)}:
                    found.append(f"{where}: imports {module or names}")
            elif isinstance(node, ast.Call):
                func = node.func
                if any(keyword.arg == "shell" for keyword in node.keywords):
                    found.append(f"{where}: shell=")
                if (
                    isinstance(func, ast.Attribute)
                    and isinstance(func.value, ast.Name)
                    and func.value.id == "os"
                    and func.attr in SHELL_CALLS
                ):
                    found.append(f"{where}: os.{func.attr}")
    assert found == []


def test_the_browser_is_reached_from_one_place_and_only_with_a_checked_url():
    calls = []
    for path in code_files():
        tree = ast.parse(path.read_text(), str(path))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and (
                        (
                            isinstance(node.func.value, ast.Name)
                            and node.func.value.id == "webbrowser"
                        )
                        or node.func.attr == "open_url"
                    )
                    and node.func.attr in BROWSER_CALLS | {"open_url"}
                ):
                    calls.append((path.name, function.name))
    assert calls == [("app.py", "_browse")]
    source = (ROOT / "tui" / "app.py").read_text()
    callers = [line.strip() for line in source.splitlines() if "self._browse(" in line]
    assert callers == ["self._browse(safe)"]
    assert "safe = safe_url(url)" in source


# --- exports ---------------------------------------------------------------------------------------


def link_targets(markdown_text: str) -> list[str]:
    """Where the links of ``markdown_text`` go, as a Markdown renderer sees them
    (``[text](target)`` and ``<scheme:target>``; escaped characters are inert)."""
    plain, at = [], 0
    while at < len(markdown_text):
        if markdown_text[at] == "\\" and at + 1 < len(markdown_text):
            plain.append("__")
            at += 2
        else:
            plain.append(markdown_text[at])
            at += 1
    text = "".join(plain)
    return re.findall(r"\]\(([^)]*)\)", text) + re.findall(r"<([A-Za-z]+:[^>]*)>", text)


def test_the_markdown_export_turns_no_paper_text_into_a_link(tmp_path: Path):
    paper = Paper(
        "2406.00001",
        title=r"[click](javascript:alert(1)) <javascript:alert(2)> \[x](javascript:alert(3))",
        published="2024-06-04",
        authors=["[Ada](javascript:alert(4))", "B"],
        code_urls=["https://github.com/o/r)(javascript:alert(5)"],
    )
    with Cache(tmp_path / "c.db") as cache:
        cache.upsert([Incoming(paper)])
        line = markdown(cache.detail("2406.00001"))
    assert link_targets(line) == [
        "https://arxiv.org/abs/2406.00001",
        "https://github.com/o/r%29%28javascript:alert%285%29",
    ]
    assert "[click]" in line.replace("\\", "") and "<javascript:alert(2)>" in line.replace("\\", "")
