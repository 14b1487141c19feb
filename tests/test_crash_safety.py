"""Crash safety: ``paperdeck sync`` and ``paperdeck import`` killed with SIGKILL in the middle
of their work, at many points; each time the cache opens, passes SQLite's integrity check
and its full-text index's, keeps every star and read mark written before the kill (and one
written while the killed process held the write lock), and holds whole pages or whole
digests only — never part of one. Then a second run completes on the same file.

The kill points are listed in ``SYNC_KILLS`` and ``IMPORT_KILLS``. A SIGKILL models a
crashed or killed process (the kernel keeps what was written); ``synchronous=FULL`` is
what covers a power cut, which no test here simulates.
"""

from __future__ import annotations

import os
import queue
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from paperdeck.storage.cache.database import Cache
from paperdeck.storage.config import Topic
from paperdeck.storage.library.importer import import_file
from paperdeck.storage.models import Incoming, Paper
from paperdeck.storage.sources.runner import run_sync
from tests.support.arxiv_stub import ArxivStub, generated
from tests.support.big_digest import write_digest
from tests.support.loopback import LoopbackServer, Request
from tests.support.sync_setup import config as sync_config

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
API = "/api/query"
PAGE = 50
PAGES = 10
BASE = [f"2401.{n:05d}" for n in range(60)]
CLI_STARRED, CLI_READ = BASE[:3], BASE[3:5]
API_STARRED, API_READ = ["2611.00400", BASE[10]], [BASE[11]]
"""Written through ``paperdeck star``/``mark`` and through the Cache API, before the runs."""
DURING = "2401.00059"
"""Starred from another process while the killed one runs (it waits for the lock if need be)."""
DIGESTS = {"a.md": (0, 1500), "b.md": (1500, 8000), "c.md": (9500, 1500)}
"""Digest files imported by one command: first number and how many papers each holds."""


def environment(folder: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PAPERDECK_DATA_DIR": str(folder / "data"),
        "PAPERDECK_CONFIG": str(folder / "config.toml"),
    }


def paperdeck(folder: Path, *args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "paperdeck", *args],
        cwd=ROOT, env=environment(folder), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, **kwargs,
    )  # fmt: skip


def cli(folder: Path, *args: str) -> None:
    process = paperdeck(folder, *args)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """A cache with 60 papers, stars and read marks set through the CLI and the API."""
    folder = tmp_path_factory.mktemp("template")
    path = folder / "data" / "paperdeck.db"
    path.parent.mkdir()
    with Cache(path) as cache:
        cache.upsert(
            Incoming(Paper(id=pid, title=f"Base {pid}", published="2024-01-02"), ("Base",))
            for pid in BASE
        )
        for pid in API_STARRED:
            cache.set_starred(pid, True)
        for pid in API_READ:
            cache.set_read(pid, True)
    for pid in CLI_STARRED:
        cli(folder, "star", pid)
    for pid in CLI_READ:
        cli(folder, "mark", pid)
    assert sorted(p.name for p in path.parent.iterdir()) == [
        "machine-id", "paperdeck.db", "paperdeck.db.library"
    ]  # fmt: skip
    return path


@pytest.fixture
def folder(tmp_path: Path, template: Path) -> Path:
    (tmp_path / "data").mkdir()
    shutil.copy(template, tmp_path / "data" / "paperdeck.db")
    return tmp_path


def star_meanwhile(path: Path) -> threading.Thread:
    """Star ``DURING`` from this process while the other one works (waiting for the lock
    when it holds it: the kill releases it)."""

    def star() -> None:
        with Cache(path) as cache:
            cache.set_starred(DURING, True)

    thread = threading.Thread(target=star)
    thread.start()
    return thread


def wal_tail(path: Path) -> int:
    """Frames at the end of the write-ahead log that no commit frame closes: the pages
    of a transaction that was being written when the process died (0 if none). For the
    printed figures only: the star written meanwhile may already have reused the log. Read
    with a plain open(), so only while this process holds no connection to the cache
    (closing it would drop that connection's locks: DESIGN §12)."""
    wal = Path(f"{path}-wal")
    data = wal.read_bytes() if wal.exists() else b""
    if len(data) < 32:
        return 0
    page_size, salts = int.from_bytes(data[8:12], "big"), data[16:24]
    tail, offset = 0, 32
    while offset + 24 + page_size <= len(data) and data[offset + 8 : offset + 16] == salts:
        committed = int.from_bytes(data[offset + 4 : offset + 8], "big")
        tail = 0 if committed else tail + 1
        offset += 24 + page_size
    return tail


def check_after_kill(path: Path) -> set[str]:
    """What every kill must leave: a cache that opens, whole, with every mark. Returns
    the ids of the papers in it."""
    with Cache(path) as cache:
        assert cache.quick_check() == "ok"
        cache.conn.execute("INSERT INTO papers_fts(papers_fts, rank) VALUES ('integrity-check', 1)")
        starred = {
            r[0] for r in cache.conn.execute("SELECT paper_id FROM user_state WHERE starred")
        }
        read = {r[0] for r in cache.conn.execute("SELECT paper_id FROM user_state WHERE read")}
        ids = {r[0] for r in cache.conn.execute("SELECT id FROM papers")}
    assert starred == {*CLI_STARRED, *API_STARRED, DURING}
    assert read == {*CLI_READ, *API_READ}
    assert set(BASE) <= ids
    return ids


def lines_of(stream) -> queue.Queue:
    """The lines of a child's stream as they come, read by a thread."""
    lines: queue.Queue = queue.Queue()

    def pump() -> None:
        for line in stream:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    return lines


# --- sync ------------------------------------------------------------------------------------

SYNC_KILLS = [
    *(("after page", page, 0.0) for page in (1, 4, 8)),
    *(("answer + delay", page, ms / 1000) for page, ms in ((2, 0), (3, 10), (5, 20), (6, 40))),
    *(("random page", random.Random(seed).randint(2, PAGES - 1), 0.0) for seed in (1, 2, 3)),
]
"""After the progress line of page N; N ms after the server answered page N (while the
page is parsed and written); while the sync waits for a seeded random page N (its request
seen, the answer held until the kill: an event, never a clock, so the sync cannot end
first)."""


def write_sync_config(folder: Path, api_url: str) -> None:
    (folder / "config.toml").write_text(
        f'[arxiv]\napi_url = "{api_url}"\ndelay_seconds = 0\npage_size = {PAGE}\n\n'
        f'[[topics]]\nname = "Crash"\nquery = "ti:crash"\nmax_results = {PAGE * PAGES}\n'
    )


@pytest.mark.parametrize(("how", "at", "delay"), SYNC_KILLS, ids=lambda v: str(v))
def test_a_sync_killed_midway_keeps_the_cache_whole(folder: Path, how: str, at: int, delay: float):
    path = folder / "data" / "paperdeck.db"
    stub = ArxivStub(generated(PAGE * PAGES, prefix="2611"))
    answered, killed = threading.Event(), threading.Event()

    def serve(request: Request):
        reply = stub(request)
        page = int(request.query["start"][0]) // PAGE + 1
        if page == at and how == "answer + delay":
            answered.set()
        elif page == at and how == "random page":
            answered.set()
            killed.wait(60)  # the answer comes after the kill (to no one)
        else:
            reply.delay = 0.05  # time for the other kill points to land between pages
        return reply

    with LoopbackServer({API: serve}) as server:
        write_sync_config(folder, server.url(API))
        process = paperdeck(folder, "sync")
        progress = lines_of(process.stderr)
        if how == "after page":
            while f": page {at}:" not in (line := progress.get(timeout=30)):
                assert "Traceback" not in line
        else:
            assert answered.wait(60)
            time.sleep(delay)
        assert process.poll() is None, "the sync ended before the kill"
        meanwhile = star_meanwhile(path)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        killed.set()
        meanwhile.join(timeout=30)
        torn = wal_tail(path)  # read raw only once this process holds no connection to it
        said = "".join(iter(progress.get, None))
        reported = said.count(": page ") + (at if how == "after page" else 0)
        ids = check_after_kill(path)
        synced = len(ids) - len(BASE)
        assert synced % PAGE == 0, f"part of a page was kept ({synced} papers)"
        assert synced >= reported * PAGE  # every page reported done was kept
        print(f"kill {how} {at}: {synced // PAGE} pages kept, {torn} uncommitted WAL frames")
        with Cache(path) as cache:  # and the cache syncs on
            topic = Topic("Crash", "ti:crash", max_results=PAGE * PAGES)
            summary = run_sync(sync_config(server.url(API), topics=[topic], page_size=PAGE), cache)
    assert summary.ok


# --- import ----------------------------------------------------------------------------------

IMPORT_KILLS = [
    *(("log bytes", size) for size in (64 << 10, 1 << 20, 4 << 20, 12 << 20)),
    *(("log bytes", random.Random(seed).randint(16 << 10, 12 << 20)) for seed in (1, 2, 3)),
]
"""When the write-ahead log has grown past N bytes (pages of a digest being written), N
fixed or seeded random: the kill waits on what the import has done, never on a clock."""


@pytest.fixture(scope="module")
def digests(tmp_path_factory) -> dict[Path, list[str]]:
    folder = tmp_path_factory.mktemp("digests")
    return {folder / name: write_digest(folder / name, *span) for name, span in DIGESTS.items()}


@pytest.mark.parametrize(("how", "at"), IMPORT_KILLS, ids=lambda v: str(v))
def test_an_import_killed_midway_keeps_whole_digests_only(
    folder: Path, digests: dict[Path, list[str]], how: str, at: int
):
    path = folder / "data" / "paperdeck.db"
    wal = Path(f"{path}-wal")
    process = paperdeck(folder, "import", *map(str, digests))
    started = time.monotonic()
    while not wal.exists() or wal.stat().st_size < at:
        assert process.poll() is None, "the import ended before the kill"
        assert time.monotonic() - started < 120
        time.sleep(0.001)
    meanwhile = star_meanwhile(path)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    meanwhile.join(timeout=30)
    torn = wal_tail(path)  # read raw only once this process holds no connection to it
    ids = check_after_kill(path) - set(BASE)
    whole = [name for name, wanted in digests.items() if set(wanted) <= ids]
    assert ids == {pid for name in whole for pid in digests[name]}, "part of a digest was kept"
    assert whole == list(digests)[: len(whole)]  # in order: a digest, then the next
    print(f"kill {how} {at}: {len(whole)} digests kept, {torn} uncommitted WAL frames")
    with Cache(path) as cache:  # and the cache imports on
        for name in digests:
            assert import_file(cache, str(name)).ok
        assert cache.count_papers() == len(BASE) + sum(count for _, count in DIGESTS.values())
