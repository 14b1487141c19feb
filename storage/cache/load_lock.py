"""Whether a bulk load is running on a cache, told apart from one that was killed.

A big load drops indexes and notes them in ``bulk_dropped`` (see :mod:`bulk`); an opening
that finds such notes puts them back — but only when no load is running, or it would
rebuild them in the middle of one. The loader holds an exclusive ``flock`` on a file of
its own beside the cache (``paperdeck.db.load``) from start to end. The lock is never
taken on the database or its companions: ``flock`` on another file leaves SQLite's POSIX
locks alone, and the kernel drops it the moment the loader dies, ``kill -9`` included.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def lock_path(cache_path: Path) -> Path:
    return cache_path.with_name(cache_path.name + ".load")


@contextmanager
def loading(cache_path: Path) -> Iterator[None]:
    """Held by the loader while it loads."""
    fd = os.open(lock_path(cache_path), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def load_running(cache_path: Path) -> bool:
    """Whether a loader (in any process, this one included) holds the lock now."""
    try:
        fd = os.open(lock_path(cache_path), os.O_RDWR | os.O_CLOEXEC)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False
