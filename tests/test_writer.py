"""The reader's writer without a screen: writes in the order given, a busy cache waited
out, a failure reported without stopping the writes after it, what a closing writer
could not save listed, and others' writes told from its own."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from paperdeck.storage.cache import database as cache_module
from paperdeck.storage.cache.database import Cache, CacheInaccessible
from paperdeck.tui.writer import CacheWriter, Write
from tests.tui_support import SAMPLE_ORDER, sample_cache

PAPER = SAMPLE_ORDER[0]


class Inbox:
    """Stands in for the widget a write answers (``post_message`` from any thread)."""

    def __init__(self) -> None:
        self.messages = []

    def post_message(self, message) -> bool:
        self.messages.append(message)
        return True

    def of(self, kind: type) -> list:
        return [message for message in self.messages if isinstance(message, kind)]


@pytest.fixture
def cache(tmp_path: Path):
    with sample_cache(tmp_path / "c.db") as opened:
        yield opened


@pytest.fixture
def writer(cache: Cache):
    started = CacheWriter(cache.path)
    started.start()
    yield started
    started.close()


def star(value: bool) -> Write:
    return Write(f"star {value}", lambda cache: cache.set_starred(PAPER, value))


def test_writes_are_saved_in_the_order_given(cache: Cache, writer: CacheWriter):
    inbox = Inbox()
    for value in (True, False, True, False):
        writer.submit(star(value), inbox)
    writer.join()
    assert not cache.state(PAPER).starred and inbox.messages == []


def test_a_busy_cache_is_waited_out_and_said_once(cache: Cache, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(cache_module, "BUSY_TIMEOUT_S", 0.1)  # each try waits 0.1 s
    waiting = CacheWriter(cache.path)
    inbox = Inbox()
    with Cache(cache.path) as other, other.transaction():  # a long import elsewhere
        waiting.submit(star(True), inbox)
        saved = threading.Thread(target=waiting.join)
        saved.start()
        saved.join(0.5)
        assert saved.is_alive()  # a few tries gave up; it waits on
    saved.join()
    waiting.close()
    assert cache.state(PAPER).starred
    assert [m.write.what for m in inbox.of(CacheWriter.Waiting)] == ["star True"]
    assert inbox.of(CacheWriter.Failed) == []


def test_a_write_that_fails_is_reported_and_the_next_one_still_runs(
    cache: Cache, writer: CacheWriter
):
    def refuse(cache: Cache) -> None:
        raise CacheInaccessible("the cache cannot be written (readonly)")

    inbox = Inbox()
    writer.submit(Write("a refused write", refuse), inbox)
    writer.submit(Write("a bug", lambda cache: 1 / 0), inbox)
    writer.submit(star(True), inbox)
    writer.join()
    failed = inbox.of(CacheWriter.Failed)
    assert [(m.write.what, type(m.error)) for m in failed] == [
        ("a refused write", CacheInaccessible),
        ("a bug", ZeroDivisionError),
    ]
    assert cache.state(PAPER).starred


def test_closing_while_the_cache_stays_busy_lists_what_was_not_saved(
    cache: Cache, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(cache_module, "BUSY_TIMEOUT_S", 0.2)
    closing = CacheWriter(cache.path)
    inbox = Inbox()
    with Cache(cache.path) as other, other.transaction():
        for value in (True, False, True):
            closing.submit(star(value), inbox)
        began = time.perf_counter()
        closing.close()
        took = time.perf_counter() - began
    assert closing.unsaved == ["star True", "star False", "star True"]
    assert not cache.state(PAPER).starred
    assert took < 1.0  # one busy timeout (0.2 s), not one per write


def test_a_look_for_changes_sees_others_writes_and_not_its_own(cache: Cache, writer: CacheWriter):
    inbox = Inbox()
    writer.submit(star(True), inbox)
    writer.check(inbox)
    writer.join()
    assert inbox.of(CacheWriter.Changed) == []
    cache.set_read(PAPER, True)  # another connection
    writer.check(inbox)
    writer.check(inbox)
    writer.join()
    assert len(inbox.of(CacheWriter.Changed)) == 1


def test_a_write_of_several_steps_retried_after_a_busy_cache_is_saved_once(
    cache: Cache, writer: CacheWriter, monkeypatch
):
    """#9: the steps saved before the busy one were run again with new batch stamps, so
    the undo (`u`) missed the papers the first run had tagged."""
    from paperdeck.storage.cache import library
    from paperdeck.storage.cache.database import CacheBusy
    from paperdeck.storage.cache.views import View
    from paperdeck.storage.parsers.tags import TagChange
    from paperdeck.tui.library import LibraryBulk, UndoViewWrite, ViewWrite

    plain, calls = library.tag_view, []

    def busy_once_on_the_second_tag(cache, ids_sql, tag, on):
        calls.append(tag)
        if len(calls) == 2:
            raise CacheBusy("another process kept the cache busy")
        return plain(cache, ids_sql, tag, on)

    monkeypatch.setattr(library, "tag_view", busy_once_on_the_second_tag)
    inbox = Inbox()
    writer.submit(ViewWrite(View(), change=TagChange(add=["one", "two"])), inbox)
    writer.join()
    [done] = inbox.of(LibraryBulk.Done)
    assert calls == ["one", "two", "one", "two"]
    writer.submit(UndoViewWrite(done.steps), inbox)
    writer.join()
    [undone] = inbox.of(LibraryBulk.Undone)
    assert undone.count == 2 * done.count > 0
    assert library.tags_of(cache, SAMPLE_ORDER) == {}


def test_a_worker_keeps_its_steps_through_the_writer_and_waits_for_them(
    cache: Cache, writer: CacheWriter
):
    keep = writer.keep("a worker's star", Inbox())
    ran_on: list[str] = []

    def step(into: Cache) -> None:
        ran_on.append(threading.current_thread().name)
        into.set_starred(PAPER, True)

    worker = threading.Thread(target=keep, args=(step,))
    worker.start()
    worker.join(60)
    assert not worker.is_alive()  # keep returned once the step was saved
    assert ran_on == ["paperdeck-writer"] and cache.state(PAPER).starred


def test_a_step_kept_after_the_writer_stopped_is_listed_not_waited_for_forever(
    cache: Cache, writer: CacheWriter
):
    keep = writer.keep("a late star", Inbox())
    writer.close()
    worker = threading.Thread(target=keep, args=(lambda into: into.set_starred(PAPER, True),))
    worker.start()
    worker.join(60)
    assert not worker.is_alive()
    assert writer.unsaved == ["a late star"] and not cache.state(PAPER).starred
