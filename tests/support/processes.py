"""Real ``paperdeck`` processes on one cache: the reader in a tmux pane, commands beside it,
and what the kernel says about the files they hold open."""

from __future__ import annotations

import os
import pty
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WAIT_S = 60.0
"""How long a condition may take on a loaded machine before the test gives up."""


def paperdeck(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run one command to its end (failing the test when it fails)."""
    done = subprocess.run(
        [sys.executable, "-m", "paperdeck", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=WAIT_S * 2,
    )  # fmt: skip
    assert done.returncode == 0, f"paperdeck {' '.join(args)}: {done.stderr}"
    return done


def start(*args: str, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "paperdeck", *args], cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def wait_for(condition, what: str, timeout: float = WAIT_S):
    """Poll ``condition`` until it returns something true; fail saying ``what`` if never."""
    deadline = time.monotonic() + timeout
    while True:
        found = condition()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting: {what}")
        time.sleep(0.05)


def deleted_files(pid: int, cache: Path) -> list[str]:
    """The cache's files that process ``pid`` holds open although they were deleted."""
    found = []
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue  # closed meanwhile
        if target.startswith(str(cache)) and target.endswith("(deleted)"):
            found.append(target)
    return found


def holds(pid: int, name: str) -> bool:
    """Whether process ``pid`` has the file ``name`` open."""
    try:
        return any(os.readlink(fd) == name for fd in Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return False


def integrity(path: Path) -> str:
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def starred(path: Path) -> set[str]:
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=30)
    try:
        return {row[0] for row in conn.execute("SELECT paper_id FROM user_state WHERE starred")}
    finally:
        conn.close()


class Tmux:
    """One tmux server of its own (``-L``) holding the reader in a pane."""

    def __init__(self, socket: str):
        if shutil.which("tmux") is None:
            raise RuntimeError("tmux is not installed")
        self.socket = socket

    def run(self, *args: str) -> str:
        return subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=True
        ).stdout

    def open(self, command: list[str], env: dict[str, str]) -> int:
        """Start ``command`` in a 140x40 pane; returns its process id."""
        setting = [f"{key}={value}" for key, value in env.items() if key.startswith("PAPERDECK")]
        line = " ".join(["exec", "env", *setting, *command])
        self.run("new-session", "-d", "-s", "reader", "-x", "140", "-y", "40", line)
        return int(self.run("display-message", "-p", "-t", "reader", "#{pane_pid}").strip())

    def screen(self) -> str:
        try:
            return self.run("capture-pane", "-p", "-t", "reader")
        except subprocess.CalledProcessError:
            return ""

    def keys(self, *keys: str) -> None:
        self.run("send-keys", "-t", "reader", *keys)

    def alive(self, pid: int) -> bool:
        return os.path.exists(f"/proc/{pid}")  # tmux reaps it

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)


class Pty:
    """The same as :class:`Tmux` where tmux is not installed: the reader on a
    pseudo-terminal of its own, its output drained by a thread (so it never blocks)."""

    def __init__(self, socket: str):
        self.process: subprocess.Popen | None = None
        self.seen = bytearray()

    def open(self, command: list[str], env: dict[str, str]) -> int:
        master, slave = pty.openpty()
        env = {**env, "TERM": "xterm-256color", "COLUMNS": "140", "LINES": "40"}
        self.process = subprocess.Popen(
            command, cwd=ROOT, stdin=slave, stdout=slave, stderr=slave, env=env,
            start_new_session=True,
        )  # fmt: skip
        os.close(slave)
        self.master, self.seen = master, bytearray()
        threading.Thread(target=self._drain, daemon=True).start()
        return self.process.pid

    def _drain(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:  # EIO: the reader has gone
                return
            if not chunk:
                return
            self.seen += chunk

    def screen(self) -> str:
        return self.seen.decode(errors="replace")

    def alive(self, pid: int) -> bool:
        return self.process is not None and self.process.poll() is None

    def keys(self, *keys: str) -> None:
        for key in keys:
            os.write(self.master, key.encode())

    def close(self) -> None:
        if self.process is not None:
            if self.process.poll() is None:
                self.process.kill()
            self.process.wait(timeout=60)
            self.process = None
            os.close(self.master)


def terminal(socket: str) -> Tmux | Pty:
    """tmux when installed (as a user runs the reader), else a pseudo-terminal."""
    return Tmux(socket) if shutil.which("tmux") else Pty(socket)
