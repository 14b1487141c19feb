"""``[hooks] after_sync``: a command of the user's, run after each sync.

The command is split like a shell would split it (``shlex``) and run directly — never
through a shell, so nothing in it is expanded or chained — with ``PAPERDECK_NEW_PAPERS``
set to the number of papers the sync brought. Its output is kept from the screen; a
command that fails, cannot start or runs longer than :data:`TIMEOUT_S` is reported in
one line, and the sync stands.
"""

from __future__ import annotations

import os
import shlex
import subprocess

NEW_PAPERS_ENV = "PAPERDECK_NEW_PAPERS"
TIMEOUT_S = 300


def run_after_sync(command: str, new_papers: int) -> str | None:
    """Run ``command``; None when it succeeded (or none is set), else what went wrong."""
    if not command.strip():
        return None
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        return f"[hooks] after_sync cannot be split into a command: {exc}"
    env = {**os.environ, NEW_PAPERS_ENV: str(new_papers)}
    try:
        done = subprocess.run(
            argv,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=TIMEOUT_S,
            check=False,
        )
    except FileNotFoundError:
        return f"[hooks] after_sync: {argv[0]!r} was not found"
    except PermissionError:
        return f"[hooks] after_sync: {argv[0]!r} cannot be run (permission denied)"
    except subprocess.TimeoutExpired:
        return f"[hooks] after_sync: {argv[0]!r} ran longer than {TIMEOUT_S} s and was stopped"
    except OSError as exc:
        return f"[hooks] after_sync: {argv[0]!r} cannot be run ({exc.strerror or exc})"
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace").strip().splitlines()
        last = f": {said[-1][:200]}" if said else ""
        return f"[hooks] after_sync: {argv[0]!r} exited with status {done.returncode}{last}"
    return None
