"""The library journaled beside the cache (DESIGN §12): nothing lost, ever.

Every change of the library — read, star, later, dismissal, tags, note, citation key — is
appended, as soon as its transaction commits, to ``<cache>.library/<machine>.jsonl`` beside
the cache file, in the line format of the ``sync_dir`` files
(:mod:`paperdeck.storage.library.machines`, whose code writes and merges it). Each cache
opened merges that folder's files: a cache made afresh — ``--reset-cache``, a lost or
damaged file — gets the whole library back, and a cache restored from a backup the
changes made since. A journal that cannot be written is logged and caught up at the next
commit; it never fails the change itself, which is already saved in the cache.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from paperdeck.storage.cache import journal
from paperdeck.storage.cache.database import Cache, CacheError
from paperdeck.storage.config import LibrarySettings
from paperdeck.storage.library.machines import (
    SUFFIX,
    LibrarySync,
    append_own,
    machine_id,
    merge_file,
)

log = logging.getLogger("paperdeck.journal")

FOLDER_SUFFIX = ".library"


def journal_folder(cache_path: Path) -> Path:
    """``paperdeck.db.library`` beside ``paperdeck.db``."""
    return cache_path.with_name(cache_path.name + FOLDER_SUFFIX)


class Journal:
    """The hook for :func:`paperdeck.storage.cache.database.on_open`: brings each cache
    opened up to date with the journal, then appends its changes as they commit."""

    def __init__(self, settings: LibrarySettings, data_dir: Path):
        self.settings, self.data_dir = settings, data_dir

    def __call__(self, cache: Cache) -> None:
        folder = journal_folder(cache.path)
        try:
            machine = machine_id(self.settings, self.data_dir)
        except OSError as exc:
            log.warning("%s: no machine name for the library journal (%s)", folder, exc)
            return
        own = folder / f"{machine}{SUFFIX}"
        try:
            append_own(cache, own, machine)
            replay(cache, folder, machine)
        except OSError as exc:  # tried again at each commit
            log.warning("%s: the library journal cannot be used now (%s)", folder, exc)
        cache.after_commit = _Appender(cache, own, machine)


def replay(cache: Cache, folder: Path, machine: str) -> LibrarySync:
    """Merge what the journal's files hold that the cache does not."""
    report = LibrarySync(machine, folder)
    for path in sorted(folder.glob(f"*{SUFFIX}")):
        merge_file(cache, path, machine, report)
    return report


class _Appender:
    """Appends a cache's new changes to its journal after each commit (not again while
    it appends: its own bookkeeping commits too). A failure never fails the change, which
    is saved: the next commit or opening appends what is missing."""

    def __init__(self, cache: Cache, own: Path, machine: str):
        self.cache, self.own, self.machine, self.busy = cache, own, machine, False
        self.appended = journal.last_seq(cache)

    def __call__(self) -> None:
        if self.busy or journal.last_seq(self.cache) <= self.appended:
            return  # appending already, or nothing new to append
        self.busy = True
        try:
            append_own(self.cache, self.own, self.machine)
            self.appended = journal.last_seq(self.cache)
        except (OSError, CacheError, sqlite3.Error) as exc:  # the change itself is saved
            log.warning("%s: the library journal cannot be written now (%s)", self.own, exc)
        finally:
            self.busy = False
