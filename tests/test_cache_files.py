"""A cache file paperdeck cannot use: a clear message naming the file, the file kept as it
is unless the user agrees (``--reset-cache``, or "y" on a terminal), then moved aside with
its -wal and -shm and a fresh cache started — keeping the stars and read marks it can read.
"""

from __future__ import annotations

import os
import pty
import re
import select
import sqlite3
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest

from paperdeck.storage.cache.database import Cache, CacheInaccessible, CacheTooNew, CacheUnusable
from paperdeck.storage.cache.migrations import SCHEMA_VERSION
from paperdeck.storage.cache.recovery import aside_path, set_aside
from paperdeck.storage.config import cache_path
from paperdeck.tui.cli import main
from tests.support.synthetic import papers

ROOT = Path(__file__).resolve().parents[1]
STARRED = ["2611.00000", "2611.00010", "2611.00020"]
READ = ["2611.00001", "2611.00011"]


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def real_cache(path: Path, count: int = 2000) -> None:
    """A closed cache of ``count`` papers with a few stars and read marks."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with Cache(path) as cache:
        cache.upsert(papers(count, abstract_words=60))
        for paper_id in STARRED:
            cache.set_starred(paper_id, True)
        for paper_id in READ:
            cache.set_read(paper_id, True)


def truncated(path: Path) -> None:
    real_cache(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def garbage(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(os.urandom(64 * 1024))


def foreign(path: Path, user_version: int = 0) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE customers(id INTEGER PRIMARY KEY, name TEXT)")
    conn.execute("INSERT INTO customers(name) VALUES ('Ada')")
    conn.execute(f"PRAGMA user_version={user_version}")
    conn.commit()
    conn.close()


def newer(path: Path) -> None:
    real_cache(path, count=10)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    conn.close()


WITH_JOURNAL = ["machine-id", "paperdeck.db", "paperdeck.db.library"]
"""The cache, the library's journal beside it, and the machine's name for the journal."""


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file in ``folder``: its bytes and modification time."""
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir())}


BROKEN = {
    "truncated": (truncated, "corrupt", "is damaged and cannot be read as a paperdeck cache (database disk image is malformed)"),
    "garbage": (garbage, "corrupt", "is damaged and cannot be read as a paperdeck cache"),
    "foreign": (foreign, "foreign", "is not a paperdeck cache: it is another program's SQLite"),
    "foreign-versioned": (
        lambda path: foreign(path, user_version=3),
        "foreign",
        "is not a paperdeck cache: it is another program's SQLite database (tables: customers)",
    ),
}


@pytest.mark.parametrize("kind", BROKEN)
@pytest.mark.parametrize("command", [["list"], ["star", "2611.00001"], ["import", "x.md"], []])
def test_without_agreement_the_file_is_untouched_and_the_message_says_what_to_do(
    capsys, kind, command
):
    make, _, said = BROKEN[kind]
    make(cache_path())
    before = snapshot(cache_path().parent)
    code, out, err = run(capsys, *command)
    assert code == 1 and out == "" and err.count("\n") == 1
    assert err.startswith(f"paperdeck: {cache_path()} {said}")
    assert err.endswith(
        ". The file was left as it is; `paperdeck --reset-cache` moves it aside and "
        "starts a fresh cache\n"
    )
    assert snapshot(cache_path().parent) == before  # not even a -wal or -shm beside it


@pytest.mark.parametrize("kind", BROKEN)
def test_reset_cache_moves_it_aside_with_a_timestamp_and_carries_on(capsys, kind):
    make, label, said = BROKEN[kind]
    make(cache_path())
    original = cache_path().read_bytes()
    code, out, err = run(capsys, "--reset-cache", "list", "--format", "json")
    assert (code, out) == (0, "[]\n")
    moved = re.search(rf"moved it aside to (\S+\.{label}-\d{{8}}T\d{{6}}) ", err)
    assert moved and said in err and "started a fresh cache at" in err, err
    assert Path(moved.group(1)).read_bytes() == original
    with Cache(cache_path()) as fresh:
        assert fresh.quick_check() == "ok" and fresh.count_papers() == 0
    assert run(capsys, "list")[0] == 0  # the next command needs no flag


def test_the_stars_and_read_marks_that_can_be_read_are_kept(capsys):
    """Garbage over some of the papers' pages: the command
    fails calmly, and --reset-cache (which reads every page) finds it and keeps the marks."""
    real_cache(cache_path(), count=3000)
    with open(cache_path(), "r+b") as handle:
        size = handle.seek(0, os.SEEK_END)
        handle.seek(size // 3)
        handle.write(os.urandom(size // 3))
    code, _, err = run(capsys, "list", "--format", "json")
    assert code == 1 and "Traceback" not in err
    assert err.startswith(
        f"paperdeck: {cache_path()} is damaged and cannot be read as a paperdeck cache ("
    ) and err.endswith("`paperdeck --reset-cache` moves it aside and starts a fresh cache\n")
    code, _, err = run(capsys, "--reset-cache", "list")
    assert code == 0
    assert "kept 3 stars and 2 read marks from it" in err
    with Cache(cache_path()) as fresh:
        fresh.upsert(papers(100, abstract_words=5))  # the papers come back with a sync
        assert [fresh.state(i).starred for i in STARRED] == [True] * 3
        assert [fresh.state(i).read for i in READ] == [True] * 2


def test_set_aside_moves_the_wal_and_shm_along_under_sqlites_names(tmp_path: Path):
    path = tmp_path / "paperdeck.db"
    real_cache(path, count=10)
    with Cache(path) as cache:  # keep a connection open so the -wal and -shm stay
        cache.set_starred("2611.00005", True)
        when = datetime(2026, 11, 26, 15, 30, 0)
        aside, moved = set_aside(path, "corrupt", when)
        assert aside == tmp_path / "paperdeck.db.corrupt-20261126T153000"
        assert sorted(p.name for p in tmp_path.iterdir()) == [
            "paperdeck.db.corrupt-20261126T153000",
            "paperdeck.db.corrupt-20261126T153000-shm",
            "paperdeck.db.corrupt-20261126T153000-wal",
        ]
        assert moved[0] == aside
    assert aside_path(path, "corrupt", when) == aside.with_name(aside.name + "-2")
    with Cache(aside) as kept:  # the pair still opens: the star in the log is there
        assert kept.state("2611.00005").starred


@pytest.mark.parametrize("flag", [[], ["--reset-cache"]])
def test_a_newer_cache_is_never_moved_aside(capsys, flag):
    newer(cache_path())
    before = snapshot(cache_path().parent)
    code, _, err = run(capsys, *flag, "list")
    assert code == 1
    assert err == (
        f"paperdeck: {cache_path()}: made by a newer paperdeck (schema {SCHEMA_VERSION + 1}, "
        f"this one knows {SCHEMA_VERSION}); upgrade paperdeck to open it — the file was left "
        "as it is\n"
    )
    assert snapshot(cache_path().parent) == before


def test_a_zero_byte_file_is_just_a_fresh_cache(capsys):
    cache_path().parent.mkdir(parents=True)
    cache_path().touch()
    assert run(capsys, "list", "--format", "json") == (0, "[]\n", "")
    assert sorted(p.name for p in cache_path().parent.iterdir()) == WITH_JOURNAL


def test_a_healthy_cache_is_left_alone_by_reset_cache(capsys):
    real_cache(cache_path(), count=50)
    code, out, err = run(capsys, "--reset-cache", "list", "--starred", "--format", "tsv")
    assert code == 0 and err == "" and len(out.splitlines()) == 1 + len(STARRED)
    assert sorted(p.name for p in cache_path().parent.iterdir()) == WITH_JOURNAL


def test_opening_a_foreign_file_writes_nothing_to_it(tmp_path: Path):
    path = tmp_path / "other.db"
    foreign(path)
    before = path.read_bytes()
    with pytest.raises(CacheUnusable) as refused:
        Cache(path)
    assert refused.value.label == "foreign"
    assert path.read_bytes() == before  # still in its own journal mode, not switched to WAL
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.db"]


def test_a_paperdeck_cache_missing_a_table_is_damaged_not_foreign(tmp_path: Path):
    path = tmp_path / "c.db"
    real_cache(path, count=5)
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE translations")
    conn.close()
    with pytest.raises(CacheUnusable, match=r"tables of the paperdeck cache are missing \("):
        Cache(path)


def test_a_newer_cache_with_tables_this_version_lacks_is_still_newer(tmp_path: Path):
    path = tmp_path / "c.db"
    newer(path)
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE topics")  # a later schema may well have reshaped some
    conn.close()
    with pytest.raises(CacheTooNew):
        Cache(path)


# --- places paperdeck cannot read or write --------------------------------------------------


@pytest.fixture
def read_only(tmp_path: Path):
    """Makes a path read-only in a way that holds even for root (the immutable
    attribute), else by its mode; undone afterwards so the folder can be removed."""
    made: list[Path] = []

    def make(path: Path) -> None:
        if os.geteuid() == 0:
            done = subprocess.run(["chattr", "+i", str(path)], capture_output=True)
            if done.returncode != 0:
                pytest.skip(f"cannot make {path} immutable here: {done.stderr.decode()}")
        else:
            path.chmod(0o555 if path.is_dir() else 0o444)
        made.append(path)

    yield make
    for path in made:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(path)], check=True)
        else:
            path.chmod(0o755 if path.is_dir() else 0o644)


@pytest.mark.parametrize(
    ("where", "said"),
    [
        ("file", "no permission to read and write the cache file; check its owner and mode"),
        ("folder", "is not writable (SQLite keeps the cache's -wal and -shm files beside it)"),
    ],
)
def test_a_read_only_cache_or_folder_is_named_and_never_moved(capsys, read_only, where, said):
    real_cache(cache_path(), count=10)
    read_only(cache_path() if where == "file" else cache_path().parent)
    before = snapshot(cache_path().parent)
    for flag in ([], ["--reset-cache"]):
        code, _, err = run(capsys, *flag, "list")
        assert code == 1 and err.startswith(f"paperdeck: {cache_path()}") and said in err, err
    assert snapshot(cache_path().parent) == before
    with pytest.raises(CacheInaccessible):
        Cache(cache_path())


def test_a_data_dir_that_cannot_be_made_is_named(capsys, monkeypatch, tmp_path: Path):
    (tmp_path / "a-file").write_text("")
    monkeypatch.setenv("PAPERDECK_DATA_DIR", str(tmp_path / "a-file" / "data"))
    code, _, err = run(capsys, "--reset-cache", "list")
    assert code == 1
    assert err == (
        f"paperdeck: {cache_path()}: cannot create the folder for the cache (Not a directory)\n"
    )


def test_a_cache_path_that_is_a_folder_is_named(capsys):
    cache_path().mkdir(parents=True)
    code, _, err = run(capsys, "--reset-cache", "list")
    assert (code, err) == (1, f"paperdeck: {cache_path()} is a directory, not a cache file\n")
    assert cache_path().is_dir()


# --- asking on a terminal -------------------------------------------------------------------


class Terminal:
    """``python -m paperdeck ARGS`` on a pseudo-terminal, as a user at a keyboard runs it."""

    def __init__(self, *args: str):
        master, slave = pty.openpty()
        env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "100", "LINES": "30"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "paperdeck", *args],
            cwd=ROOT, stdin=slave, stdout=slave, stderr=slave, env=env,
        )  # fmt: skip
        os.close(slave)
        self.master = master
        self.seen = b""

    def wait_for(self, text: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while text.encode() not in self.seen:
            assert time.monotonic() < deadline, f"never saw {text!r} in {self.seen[-2000:]!r}"
            if not self._read(deadline - time.monotonic()):
                raise AssertionError(f"ended before {text!r}: {self.seen[-2000:]!r}")

    def type(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def finish(self, timeout: float = 30) -> int:
        deadline = time.monotonic() + timeout
        while self._read(deadline - time.monotonic()):
            pass
        code = self.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        os.close(self.master)
        return code

    def _read(self, timeout: float) -> bool:
        """Read what is there; False at the end of the output."""
        ready, _, _ = select.select([self.master], [], [], max(0.0, timeout))
        if not ready:
            return self.process.poll() is None
        try:
            chunk = os.read(self.master, 65536)
        except OSError:  # EIO: the other side has closed
            return False
        self.seen += chunk
        return bool(chunk)


@pytest.mark.slow
@pytest.mark.parametrize("answer", ["n\r", "\r", "\x04"])  # no, Enter alone, end of input
def test_on_a_terminal_anything_but_yes_leaves_the_file(answer):
    truncated(cache_path())
    before = snapshot(cache_path().parent)
    terminal = Terminal("list")
    terminal.wait_for("[y/N] ")
    terminal.type(answer)
    assert terminal.finish() == 1
    said = terminal.seen.decode(errors="replace")
    assert f"{cache_path()} is damaged and cannot be read as a paperdeck cache (database disk image is malformed)" in said
    assert "`paperdeck --reset-cache` moves it aside" in said and "Traceback" not in said
    assert snapshot(cache_path().parent) == before


@pytest.mark.slow
def test_on_a_terminal_yes_moves_it_aside_and_opens_the_reader():
    garbage(cache_path())
    terminal = Terminal()  # the reader itself
    terminal.wait_for("Move it aside as paperdeck.db.corrupt-")
    terminal.wait_for("[y/N] ")
    terminal.type("y\r")
    terminal.wait_for("started a fresh cache")
    terminal.wait_for("paperdeck import")  # the reader's welcome panel on the empty cache
    terminal.type("q")
    assert terminal.finish() == 0
    names = sorted(p.name for p in cache_path().parent.iterdir() if p.name != "machine-id")
    assert names[0] == "paperdeck.db" and re.fullmatch(
        r"paperdeck\.db\.corrupt-\d{8}T\d{6}", names[1]
    )


def test_the_reader_opens_the_cache_through_the_same_checks(capsys, monkeypatch):
    garbage(cache_path())
    opened: list[Cache] = []
    monkeypatch.setattr("paperdeck.tui.app.run_app", lambda config, cache: opened.append(cache) or 0)
    assert run(capsys, "--reset-cache")[0] == 0
    assert opened[0].path == cache_path() and opened[0].count_papers() == 0
    opened[0].close()


def test_reset_cache_is_listed_in_the_help(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "--reset-cache" in capsys.readouterr().out
    assert "| `paperdeck --reset-cache [COMMAND]` |" in (ROOT / "README.md").read_text("utf-8")


def test_reset_cache_refuses_while_another_process_has_the_cache_open(capsys):
    """#4: the files were renamed under a process that kept writing into them."""
    real_cache(cache_path(), count=50)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_OPEN, str(cache_path())],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline() == "open\n"
        with open(cache_path(), "r+b") as handle:  # damage on disk under it
            handle.write(os.urandom(4096))
        before = sorted(p.name for p in cache_path().parent.iterdir())
        code, _, err = run(capsys, "--reset-cache", "list")
        assert code == 1 and f"is open in process {holder.pid} (python" in err
        assert "nothing was moved" in err and err.count("\n") == 1
        assert sorted(p.name for p in cache_path().parent.iterdir()) == before
    finally:
        holder.communicate("quit\n", timeout=60)


HOLD_OPEN = """
import sys
from paperdeck.storage.cache.database import Cache
with Cache(sys.argv[1]) as cache:
    cache.set_starred("2611.00001", True)
    print("open", flush=True)
    sys.stdin.readline()
"""
