"""The reader's writes to the cache, off the UI thread, in the order they were asked for.

One thread with its own connection runs them one after another, each in one transaction
(a write of several steps is saved whole or not at all). While another process holds the
cache's write lock a write waits (SQLite's busy timeout) and is tried again until it is
saved; only a write that fails for another reason is reported. The UI thread
never waits: it hands a write over and goes on.
"""

from __future__ import annotations

import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path

from textual.message import Message
from textual.message_pump import MessagePump

from paperdeck.storage.cache.database import Cache, CacheBusy, CacheError, describe_sqlite_error
from paperdeck.tui.workers import log

RETRY_PAUSE_S = 0.05
"""A breath between two tries of a write the cache kept busy (each try already waited)."""


class Write:
    """A write for the :class:`CacheWriter`: ``run`` does it on the writer's connection
    and may return a message for whoever asked; ``what`` names it in a note."""

    def __init__(
        self,
        what: str,
        run: Callable[[Cache], Message | None],
        done: threading.Event | None = None,
    ) -> None:
        self.what = what
        self.run = run
        self.done = done
        """Set once the write is saved, reported or given up."""


class CacheWriter:
    """Runs :class:`Write` s in order on a thread of its own; answers with messages."""

    class Failed(Message):
        """A write could not be saved (for a reason other than a busy cache)."""

        def __init__(self, write: Write, error: Exception) -> None:
            super().__init__()
            self.write = write
            self.error = error

    class Waiting(Message):
        """A write found the cache busy (another process is writing): it waits its turn."""

        def __init__(self, write: Write) -> None:
            super().__init__()
            self.write = write

    class Changed(Message):
        """Another connection (a sync worker, another process) wrote to the cache."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.unsaved: list[str] = []
        """What could not be saved before the writer closed."""
        self._queue: queue.Queue[tuple[Write | None, MessagePump | None]] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._closing = False
        self._stopped = False
        self._lock = threading.Lock()
        self._cache: Cache | None = None
        self._seen_version = 0

    def start(self) -> None:
        """Start the writer's thread. It opens its connection and notes the cache's state
        first (this waits that moment), so :meth:`check` counts only what others write
        from now on."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="paperdeck-writer", daemon=True)
            self._thread.start()
            self._ready.wait()

    def submit(self, write: Write, reply_to: MessagePump) -> None:
        """Save ``write`` after every write submitted before it (any thread may call this);
        once the writer has stopped, it is logged and listed as unsaved."""
        self.start()
        with self._lock:
            if not self._stopped:
                self._queue.put((write, reply_to))
                return
        self._give_up(write, "the reader had quit")  # a worker's, after the quit

    def keep(self, what: str, reply_to: MessagePump) -> Callable[[Callable[[Cache], object]], None]:
        """A ``keep`` for the storage functions a worker thread runs: each storing step is
        saved by this writer, in turn with the reader's other writes, and the worker waits
        until it is saved or reported (never call it on the UI thread)."""

        def keep(step: Callable[[Cache], object]) -> None:
            def run(cache: Cache) -> None:
                step(cache)

            done = threading.Event()
            self.submit(Write(what, run, done), reply_to)
            done.wait()

        return keep

    def check(self, reply_to: MessagePump) -> None:
        """Post :class:`Changed` to ``reply_to`` if another connection wrote since the last
        look. The writer's connection sees only others' commits: the reader's own marks
        never count as a change."""
        self.submit(Write("a look for changes", self._changed), reply_to)

    def join(self) -> None:
        """Wait until every write submitted so far is done (saved or reported)."""
        if self._thread is not None:
            self._queue.join()

    def close(self) -> None:
        """Save what is queued, then stop. Once a write finds the cache busy for a whole
        busy timeout, it and those after it are not tried again: they are logged and
        listed in :attr:`unsaved`."""
        self._closing = True
        if self._thread is not None:
            self._queue.put((None, None))
            self._thread.join()

    # --- the writer's thread ------------------------------------------------------------

    def _run(self) -> None:
        with suppress(CacheError, sqlite3.Error):  # the first write says what is wrong
            self._open()
        self._ready.set()
        try:
            while True:
                write, reply_to = self._queue.get()
                try:
                    if write is None:
                        return
                    self._save(write, reply_to)
                finally:
                    if write is not None and write.done is not None:
                        write.done.set()
                    self._queue.task_done()
        finally:
            with self._lock:
                self._stopped = True
            while not self._queue.empty():  # submitted while the writer stopped
                write, _ = self._queue.get()
                if write is not None:
                    self._give_up(write, "the reader had quit")
                self._queue.task_done()
            if self._cache is not None:
                self._cache.close()

    def _open(self) -> Cache:
        if self._cache is None:
            self._cache = Cache(self.path)
            self._seen_version = self._cache.data_version()
        return self._cache

    def _save(self, write: Write, reply_to: MessagePump) -> None:
        if self._closing and self.unsaved:
            return self._give_up(write)  # the cache stayed busy a whole timeout at quit
        waited = False
        while True:
            try:
                cache = self._open()
                with cache.transaction():  # all or nothing: a retry never redoes a saved step
                    answer = write.run(cache)
            except (CacheError, sqlite3.Error) as exc:
                error = (
                    exc if isinstance(exc, CacheError) else describe_sqlite_error(self.path, exc)
                )
                if not isinstance(error, CacheBusy):
                    return _tell(reply_to, self.Failed(write, error))
                if self._closing:
                    return self._give_up(write)
                if not waited:
                    waited = True
                    _tell(reply_to, self.Waiting(write))
                time.sleep(RETRY_PAUSE_S)
            except Exception as error:  # a bug: logged, and said in one line
                log.exception("saving %s failed", write.what)
                return _tell(reply_to, self.Failed(write, error))
            else:
                if answer is not None:
                    _tell(reply_to, answer)
                return

    def _give_up(self, write: Write, why: str = "the cache stayed busy") -> None:
        log.error("not saved, %s: %s", why, write.what)
        self.unsaved.append(write.what)
        if write.done is not None:
            write.done.set()

    def _changed(self, cache: Cache) -> Message | None:
        version = cache.data_version()
        changed = version != self._seen_version
        self._seen_version = version
        return self.Changed() if changed else None


def _tell(node: MessagePump, message: Message) -> None:
    """Post ``message`` to ``node`` unless it has left the app (the reader is closing)."""
    with suppress(RuntimeError):  # Textual's NoActiveAppError: no app to post through
        node.post_message(message)
