"""A soak of real ``paperdeck`` commands on one cache: N processes at a time, each driver
running M random writes — star, tag, note, dismiss, import, sync from a loopback arXiv —
some killed with SIGKILL at a random moment. After each run: ``PRAGMA integrity_check``,
every paper's library as the commands left it (a killed command's change is there whole
or not at all), every imported or synced batch whole, and the journal beside the cache
replayed into a fresh cache giving the same library.

Used by ``tests/test_soak.py`` (a size CI affords) and ``tests/benchmarks/soak.py``.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.arxiv_stub import ArxivStub, generated
from tests.support.big_digest import write_digest
from tests.support.loopback import LoopbackServer

ROOT = Path(__file__).resolve().parents[2]
API = "/api/query"
PAPERS = 60
SYNCED = 40
DIGEST_PAPERS = 400


@dataclass
class Figures:
    processes: int = 0
    writes: int = 0
    kills: int = 0
    runs: int = 0
    failures: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"processes {self.processes}, writes {self.writes}, kills {self.kills}, "
            f"runs {self.runs}, failures {len(self.failures)}"
        )


class Soak:
    """One cache in ``folder`` and the model of what its library may hold."""

    def __init__(self, folder: Path, drivers: int, writes: int, kill_share: float, seed: int):
        self.folder, self.drivers, self.writes = folder, drivers, writes
        self.kill_share, self.random = kill_share, random.Random(seed)
        self.db = folder / "data" / "paperdeck.db"
        self.env = {
            **os.environ,
            "PAPERDECK_DATA_DIR": str(folder / "data"),
            "PAPERDECK_CONFIG": str(folder / "config.toml"),
        }
        self.ids = write_digest(folder / "seed.md", 0, PAPERS)
        self.digest_ids = write_digest(folder / "more.md", 10_000, DIGEST_PAPERS)
        self.synced_ids = [entry.id for entry in generated(SYNCED, prefix="2612")]
        self.allowed: dict[tuple[str, str], set] = {}
        """(paper, field) -> the values it may hold now."""
        self.batches: dict[str, set[bool]] = {"import": {False}, "sync": {False}}
        self.figures = Figures()
        self.lock = threading.Lock()

    def run_all(self, runs: int) -> Figures:
        stub = ArxivStub(generated(SYNCED, prefix="2612"))
        with LoopbackServer({API: stub}) as server:
            (self.folder / "config.toml").write_text(
                f'[arxiv]\napi_url = "{server.url(API)}"\ndelay_seconds = 0\npage_size = 10\n\n'
                f'[[topics]]\nname = "Soak"\nquery = "ti:soak"\nmax_results = {SYNCED}\n'
            )
            self._command(["import", str(self.folder / "seed.md")])
            for _ in range(runs):
                self._run()
        return self.figures

    def _run(self) -> None:
        threads = [
            threading.Thread(target=self._drive, args=(n, self.random.random()))
            for n in range(self.drivers)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.figures.runs += 1
        self._command(["list", "--limit", "1"])  # any command catches the journal up
        self._check()

    def _drive(self, number: int, seed: float) -> None:
        chooser = random.Random(seed)
        mine = self.ids[number :: self.drivers]
        for n in range(self.writes):
            paper = chooser.choice(mine)
            kind = chooser.choice(("star", "tag", "note", "dismiss", "import", "sync"))
            if kind == "star":
                value = chooser.random() < 0.6
                key, args = (paper, "starred"), ["star" if value else "unstar", paper]
            elif kind == "tag":
                value = chooser.random() < 0.6
                tag = f"soak{number}"
                key, args = (paper, f"tag:{tag}"), ["tag", paper, ("+" if value else "-") + tag]
            elif kind == "note":
                value = f"note {number}.{n} of {paper}"
                key, args = (paper, "note"), ["note", paper, "--set", value]
            elif kind == "dismiss":
                value = chooser.random() < 0.6
                key, args = (paper, "dismissed"), ["dismiss", paper, *([] if value else ["--off"])]
            elif kind == "import":
                key, value, args = None, True, ["import", str(self.folder / "more.md")]
            else:
                key, value, args = None, True, ["sync"]
            kill_after = chooser.uniform(0.05, 1.5) if chooser.random() < self.kill_share else None
            done = self._command(args, kill_after)
            with self.lock:
                self.figures.writes += 1
                if key is None:
                    target = self.batches[kind]
                    self.batches[kind] = {value} if done else target | {value}
                else:
                    before = self.allowed.get(key, {_blank(key[1])})
                    self.allowed[key] = {value} if done else before | {value}

    def _command(self, args: list[str], kill_after: float | None = None) -> bool:
        """Run a command; True when it finished, False when it was killed first."""
        process = subprocess.Popen(
            [sys.executable, "-m", "paperdeck", *args], cwd=ROOT, env=self.env,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        with self.lock:
            self.figures.processes += 1
        try:
            _, err = process.communicate(timeout=kill_after)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
            process.communicate()
            with self.lock:
                self.figures.kills += 1
            return False
        if process.returncode != 0:
            with self.lock:
                self.figures.failures.append(f"paperdeck {' '.join(args)}: {err.strip()}")
        return True

    def _check(self) -> None:
        problems = self.figures.failures
        conn = sqlite3.connect(f"{self.db.as_uri()}?mode=ro", uri=True, timeout=30)
        try:
            verdict = conn.execute("PRAGMA integrity_check").fetchone()[0]
            if verdict != "ok":
                problems.append(f"run {self.figures.runs}: integrity_check says {verdict}")
            held = _library(conn)
            present = {row[0] for row in conn.execute("SELECT id FROM papers")}
        finally:
            conn.close()
        for key, allowed in sorted(self.allowed.items()):
            if held.get(key, _blank(key[1])) not in allowed:
                problems.append(
                    f"run {self.figures.runs}: {key} is {held.get(key)!r}, expected one of "
                    f"{sorted(map(repr, allowed))}"
                )
        for kind, ids in (("import", self.digest_ids), ("sync", self.synced_ids)):
            have = len(present & set(ids))
            if have not in (0, len(ids)) and kind == "import":
                problems.append(f"run {self.figures.runs}: part of the digest ({have} papers)")
            if self.batches[kind] == {True} and have != len(ids):
                problems.append(f"run {self.figures.runs}: a finished {kind} kept {have} papers")
        replayed = self._replayed()
        if replayed != {k: v for k, v in held.items() if v != _blank(k[1])}:
            missing = set(held.items()) ^ set(replayed.items())
            problems.append(f"run {self.figures.runs}: the journal differs: {sorted(missing)[:5]}")

    def _replayed(self) -> dict[tuple[str, str], object]:
        """The library a fresh cache gets from the journal alone."""
        fresh = self.folder / f"fresh{self.figures.runs}" / "paperdeck.db"
        fresh.parent.mkdir()
        shutil.copytree(f"{self.db}.library", f"{fresh}.library")
        shutil.copy(self.folder / "data" / "machine-id", fresh.parent / "machine-id")
        env = {**self.env, "PAPERDECK_DATA_DIR": str(fresh.parent)}
        subprocess.run(
            [sys.executable, "-m", "paperdeck", "list", "--limit", "1"],
            cwd=ROOT, env=env, capture_output=True, check=True,
        )  # fmt: skip
        conn = sqlite3.connect(fresh)
        try:
            return {k: v for k, v in _library(conn).items() if v != _blank(k[1])}
        finally:
            conn.close()


def _blank(name: str):
    return None if name == "note" else False


def _library(conn: sqlite3.Connection) -> dict[tuple[str, str], object]:
    held: dict[tuple[str, str], object] = {}
    for paper_id, starred, note, dismissed in conn.execute(
        "SELECT paper_id, starred, note, dismissed FROM user_state"
    ):
        held[paper_id, "starred"] = bool(starred)
        held[paper_id, "note"] = note
        held[paper_id, "dismissed"] = bool(dismissed)
    for paper_id, tag, tagged in conn.execute("SELECT paper_id, tag, tagged FROM paper_tags"):
        held[paper_id, f"tag:{tag}"] = bool(tagged)
    return held
