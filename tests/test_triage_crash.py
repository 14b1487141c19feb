"""A reader killed in the middle of a triage session (SIGKILL: no clean-up runs) loses no
decision it made: each is saved, in its own transaction, as it is made."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from paperdeck.storage.cache import triage
from paperdeck.storage.cache.database import Cache
from paperdeck.storage.cache.library import tags_of
from tests.tui_support import SAMPLE_ORDER, sample_cache

ROOT = Path(__file__).resolve().parents[1]

CHILD = textwrap.dedent(
    """
    import asyncio, sys
    from paperdeck.storage.cache.database import Cache
    from paperdeck.storage.config import LibrarySettings
    from tests.tui_support import make_app, settle

    async def main(path):
        app = make_app(Cache(path), library=LibrarySettings(quick_tags=["cite"]))
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(app, pilot)
            await pilot.press("T")
            await settle(app, pilot)
            for key, decision in (("y", "star"), ("l", "later"), ("x", "dismiss"),
                                  ("1", "tag"), ("space", "skip"), ("y", "star")):
                paper = app.screen.current.id
                await pilot.press(key)
                await asyncio.to_thread(app.writer.join)  # saved (the writer answered)
                print("DECIDED", paper, decision, flush=True)
            print("MID-SESSION", flush=True)
            await asyncio.sleep(120)  # the parent kills the reader here

    asyncio.run(main(sys.argv[1]))
    """
)


@pytest.mark.slow
def test_sigkill_in_the_middle_of_a_session_loses_no_decision(tmp_path: Path):
    path = tmp_path / "c.db"
    sample_cache(path).close()
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    decided: list[tuple[str, str]] = []
    try:
        for line in child.stdout:
            if line.startswith("DECIDED"):
                _, paper, decision = line.split()
                decided.append((paper, decision))
            elif line.startswith("MID-SESSION"):
                break
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL, child.stderr.read()
    assert [d for _, d in decided] == ["star", "later", "dismiss", "tag", "skip", "star"]
    with Cache(path) as reopened:
        assert reopened.quick_check() == "ok"
        for paper, decision in decided:
            state = reopened.state(paper)
            assert state.read == (decision != "skip"), (paper, decision)
            assert state.starred == (decision == "star")
            assert state.later == (decision == "later")
            assert (paper in triage.dismissed(reopened, [paper])) == (decision == "dismiss")
            assert tags_of(reopened, [paper]).get(paper, []) == (["cite"] if decision == "tag" else [])
        untouched = [pid for pid in SAMPLE_ORDER if pid not in {p for p, _ in decided}]
        assert untouched and not any(reopened.state(pid).read for pid in untouched)
