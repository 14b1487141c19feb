"""The personal library in the reader: tags and the read-later list over a whole view (with
undo), notes, and the merge with the other machines when the reader opens.

A single paper's tags and later mark go through :class:`paperdeck.tui.marks.Marks` like
stars (shown at once, saved by the writer); what is here also runs on the app's
:class:`CacheWriter`, so the UI thread never waits on the cache.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message
from textual.message_pump import MessagePump

from paperdeck.storage.cache import library
from paperdeck.storage.cache.database import Cache
from paperdeck.storage.cache.views import PaperList, View
from paperdeck.storage.parsers.tags import TagChange
from paperdeck.tui.writer import CacheWriter, Write

LATER_VIEW = View(query="is:later", name="Read later")


@dataclass(frozen=True)
class Step:
    """One change over a view, as stamped: ``tag`` None for the later list."""

    tag: str | None
    on: bool
    batch: str


class ViewWrite(Write):
    """Tags (``change``) or the later mark (``later``) for every paper of ``view``."""

    def __init__(self, view: View, change: TagChange | None = None, later: bool | None = None):
        what = change.describe() if change else ("later" if later else "not later")
        super().__init__(f"{what} on every paper of “{view.label}”", self._write)
        self.view, self.change, self.later = view, change, later

    def _write(self, cache: Cache) -> Message:
        ids = PaperList(cache, self.view, total=0).ids_sql()
        steps: list[Step] = []
        if self.change is not None:
            for tag in self.change.add:
                steps.append(Step(tag, True, library.tag_view(cache, ids, tag, True)))
            for tag in self.change.remove:
                steps.append(Step(tag, False, library.tag_view(cache, ids, tag, False)))
        else:
            steps.append(Step(None, bool(self.later), library.later_view(cache, ids, self.later)))
        count = library.changed_in(cache, [step.batch for step in steps])
        return LibraryBulk.Done(self, steps, count)


class UndoViewWrite(Write):
    def __init__(self, steps: list[Step]) -> None:
        super().__init__("the undo of the last change to a whole view", self._write)
        self.steps = steps

    def _write(self, cache: Cache) -> Message:
        count = 0
        for step in self.steps:
            if step.tag is None:
                count += library.undo_later_view(cache, step.on, step.batch)
            else:
                count += library.undo_tag_view(cache, step.tag, step.on, step.batch)
        return LibraryBulk.Undone(count)


class NoteWrite(Write):
    def __init__(self, paper_id: str, base: str, text: str) -> None:
        super().__init__(f"the note of {paper_id}", self._write)
        self.paper_id, self.base, self.text = paper_id, base, text

    def _write(self, cache: Cache) -> Message:
        changed, merged = library.save_edited_note(cache, self.paper_id, self.base, self.text)
        return LibraryBulk.NoteSaved(self.paper_id, changed, merged)


class LibraryBulk:
    """Changes over a whole view, and the undo of the last one."""

    class Done(Message):
        def __init__(self, write: ViewWrite, steps: list[Step], count: int) -> None:
            super().__init__()
            self.write, self.steps, self.count = write, steps, count

    class Undone(Message):
        def __init__(self, count: int) -> None:
            super().__init__()
            self.count = count

    class NoteSaved(Message):
        def __init__(self, paper_id: str, changed: bool, merged: bool = False) -> None:
            super().__init__()
            self.paper_id, self.changed, self.merged = paper_id, changed, merged

    def __init__(self, writer: CacheWriter, host: MessagePump) -> None:
        self.writer = writer
        self.host = host
        self.undo_steps: list[Step] | None = None
        """What ``u`` undoes, once the change is saved."""

    def tag_view(self, view: View, change: TagChange) -> None:
        self.writer.submit(ViewWrite(view, change=change), self.host)

    def later_view(self, view: View, on: bool) -> None:
        self.writer.submit(ViewWrite(view, later=on), self.host)

    def done(self, message: Done) -> None:
        self.undo_steps = message.steps

    def undo(self) -> None:
        if self.undo_steps is not None:
            self.writer.submit(UndoViewWrite(self.undo_steps), self.host)
            self.undo_steps = None

    def save_note(self, paper_id: str, base: str, text: str) -> None:
        """Save a note edited from ``base`` (a change made meanwhile is merged in)."""
        self.writer.submit(NoteWrite(paper_id, base, text), self.host)


def toggled(tags: tuple[str, ...], tag: str) -> tuple[str, ...]:
    """``tags`` with ``tag`` added, or taken away when it is there."""
    return tuple(sorted(set(tags) ^ {tag}))


def changed(tags: tuple[str, ...], change: TagChange) -> tuple[str, ...]:
    return tuple(sorted((set(tags) | set(change.add)) - set(change.remove)))
