"""The reader open while another process writes the same cache: ``paperdeck sync`` (short
transactions, one per page) or ``paperdeck import`` (one long transaction per digest).
Both finish, the user stars and marks papers meanwhile, no "database is locked" reaches
anyone, and the reader shows the new papers — by itself (the data_version poll) or on R.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from paperdeck.storage.cache import database as cache_module
from paperdeck.storage.cache.database import Cache
from paperdeck.tui.widgets.paper_table import PaperTable
from tests.support.arxiv_stub import ArxivStub, generated
from tests.support.big_digest import write_digest
from tests.support.loopback import LoopbackServer
from tests.tui_support import main_screen, make_app, notes, sample_cache, settle

ROOT = Path(__file__).resolve().parents[1]
API = "/api/query"
SIZE = (140, 40)
NEW = 150
IMPORTED = 1500
DIGESTS = 6
RUNS = [("sync", "poll"), ("sync", "R"), ("sync", "poll"), ("sync", "R"), ("import", "R")]


def other_process(command: str, folder: Path, api_url: str) -> subprocess.Popen:
    if command == "sync":
        (folder / "config.toml").write_text(
            f'[arxiv]\napi_url = "{api_url}"\ndelay_seconds = 0\npage_size = 25\n\n'
            f'[[topics]]\nname = "Other"\nquery = "ti:other"\nmax_results = {NEW}\n'
        )
        args = ["sync"]
    else:  # one transaction per digest, each of about a quarter of a second
        args = ["import"]
        for n in range(DIGESTS):
            write_digest(folder / f"{n}.md", n * IMPORTED, IMPORTED)
            args.append(str(folder / f"{n}.md"))
    return subprocess.Popen(
        [sys.executable, "-m", "paperdeck", *args], cwd=ROOT, env=os.environ.copy(),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("writer", "refresh"), RUNS, ids=[f"{w}-{r}-{n}" for n, (w, r) in enumerate(RUNS)]
)
async def test_the_reader_works_while_another_process_writes(
    private_paths: Path, tmp_path: Path, writer: str, refresh: str
):
    stub = ArxivStub(generated(NEW))

    def slowly(request):  # pages spread over about a second
        reply = stub(request)
        reply.delay = 0.15
        return reply

    private_paths.mkdir(parents=True)
    starred, read, waits = set(), set(), []
    with (
        LoopbackServer({API: slowly}) as server,
        sample_cache(private_paths / "paperdeck.db") as cache,
    ):
        app = make_app(cache)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            table = main_screen(app).query_one(PaperTable)
            process = other_process(writer, tmp_path, server.url(API))
            while process.poll() is None:  # the user works on meanwhile
                for key, chosen in (("s", starred), ("m", read)):
                    row = table.current
                    began = time.monotonic()
                    await pilot.press(key)
                    waits.append(time.monotonic() - began)
                    chosen.symmetric_difference_update({row.id})
                await pilot.press("j" if table.cursor < 8 else "g")
                await pilot.pause(0.02)
            out, err = process.communicate()
            expected = 9 + (NEW if writer == "sync" else DIGESTS * IMPORTED)
            if refresh == "R":
                await pilot.press("R")
            deadline = time.monotonic() + 5
            while table.total != expected:  # the poll runs every two seconds
                assert time.monotonic() < deadline, f"the reader still shows {table.total}"
                await pilot.pause(0.05)
            await settle(app, pilot)
            said = notes(app)
    assert process.returncode == 0, err
    assert "locked" not in err and "Traceback" not in err
    assert not [note for note in said if "locked" in note or "error" in note.lower()], said
    # Back-to-back digest transactions keep a waiting write out for several of them (the
    # busy handler polls; SQLite has no queue), so fewer keys get in during an import.
    assert len(waits) >= (4 if writer == "sync" else 2), "the writer finished too soon"
    with Cache(private_paths / "paperdeck.db") as after:
        got = {r[0] for r in after.conn.execute("SELECT paper_id FROM user_state WHERE starred")}
        seen = {r[0] for r in after.conn.execute("SELECT paper_id FROM user_state WHERE read")}
        assert (got, seen) == (starred, read)
        assert after.count_papers() == expected and after.quick_check() == "ok"
    print(f"{writer}: {len(waits)} key presses, the slowest {max(waits) * 1000:.0f} ms")


async def test_marks_kept_waiting_past_the_busy_timeout_show_at_once_and_are_saved_later(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(cache_module, "BUSY_TIMEOUT_S", 0.2)  # instead of waiting 15 s
    with sample_cache(tmp_path / "c.db") as cache:
        app = make_app(cache)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            table = main_screen(app).query_one(PaperTable)
            first = table.current.id
            with Cache(cache.path) as other, other.transaction():  # a long write elsewhere
                await pilot.press("s", "m")
                await pilot.pause(0.5)  # longer than a try: the writer says it waits
                assert table.current.starred and table.current.read
                assert [note.split(":")[0] for note in notes(app, "warning")] == [
                    "The cache is busy (another paperdeck process is writing)"
                ]
            await settle(app, pilot)  # the lock is free again
            assert notes(app, "error") == []
            await pilot.press("m")
            await settle(app, pilot)
    with Cache(tmp_path / "c.db") as after:
        assert after.state(first).starred and not after.state(first).read


async def test_mark_all_read_kept_waiting_past_the_busy_timeout_runs_when_the_lock_frees(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(cache_module, "BUSY_TIMEOUT_S", 0.2)  # instead of waiting 15 s
    with sample_cache(tmp_path / "c.db") as cache:
        app = make_app(cache)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            with Cache(cache.path) as other, other.transaction():  # a long import elsewhere
                await pilot.press("M", "y")
                await pilot.pause(0.5)
                assert app.is_running and cache.count_read() == 0
                assert "The cache is busy" in " ".join(notes(app, "warning"))
            await settle(app, pilot)
            assert cache.count_read() == cache.count_papers()
            assert notes(app, "error") == []
            assert "Marked every paper in “All papers” read. Press u to undo." in notes(app)
