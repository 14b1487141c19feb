"""Stars, read marks, later marks and tags, mark-all-read and its undo.

A mark shows at once and is saved by the app's :class:`CacheWriter`, after every write
asked for before it: a star then an unstar of a paper ends unstarred, a mark made while
mark-all-read runs lands after it. Until a view loaded after its save is shown, the
table lays the mark over what the cache said (:attr:`Marks.pending`), so a reload that
read the cache a moment before the save cannot take it back.
"""

from __future__ import annotations

from collections import Counter

from textual.message import Message
from textual.message_pump import MessagePump

from paperdeck.storage.cache.database import Cache
from paperdeck.storage.cache.views import PaperList, View
from paperdeck.storage.library.marks import set_mark
from paperdeck.storage.models import PaperRow
from paperdeck.tui.widgets.paper_table import PaperTable
from paperdeck.tui.writer import CacheWriter, Write

_WORDS = {
    ("starred", True): "star",
    ("starred", False): "unstar",
    ("read", True): "read mark",
    ("read", False): "unread mark",
    ("later", True): "read-later mark",
    ("later", False): "removal from the read-later list",
}


class MarkWrite(Write):
    """One paper's star, read mark, later mark or tags (the set it should have)."""

    def __init__(self, paper_id: str, field: str, value) -> None:
        what = _WORDS.get((field, value), field)
        super().__init__(f"the {what} of {paper_id}", self._write)
        self.paper_id, self.field, self.value = paper_id, field, value

    def _write(self, cache: Cache) -> Message:
        set_mark(cache, self.paper_id, self.field, self.value)  # a first star pins its key
        return Marks.Saved(self)


class StarToggle(Write):
    """A paper's star turned over where the table is not at hand (the full-text screen),
    on the app's writer like every mark; the app says it and the table shows it."""

    class Done(Message):
        def __init__(self, paper_id: str, starred: bool) -> None:
            super().__init__()
            self.paper_id, self.starred = paper_id, starred

    def __init__(self, paper_id: str) -> None:
        super().__init__(f"the star of {paper_id}", self._write)
        self.paper_id = paper_id

    def _write(self, cache: Cache) -> Message:
        starred = not cache.state(self.paper_id).starred
        set_mark(cache, self.paper_id, "starred", starred)
        return StarToggle.Done(self.paper_id, starred)


class AllReadWrite(Write):
    def __init__(self, view: View) -> None:
        super().__init__(f"marking “{view.label}” read", self._write)
        self.view = view

    def _write(self, cache: Cache) -> Message:
        return Marks.AllRead(self.view, PaperList(cache, self.view, total=0).mark_all_read())


class UndoWrite(Write):
    def __init__(self, batch: str) -> None:
        super().__init__("marking the papers unread again", self._write)
        self.batch = batch

    def _write(self, cache: Cache) -> Message:
        return Marks.Undone(cache.undo_mark_read(self.batch))


class Marks:
    """The reader's marks: what is shown before it is saved, and the undo of mark-all."""

    class Saved(Message):
        def __init__(self, write: MarkWrite) -> None:
            super().__init__()
            self.write = write

    class AllRead(Message):
        """Every paper of ``view`` is marked read; ``batch`` undoes it."""

        def __init__(self, view: View, batch: str) -> None:
            super().__init__()
            self.view = view
            self.batch = batch

    class Undone(Message):
        def __init__(self, count: int) -> None:
            super().__init__()
            self.count = count

    def __init__(self, writer: CacheWriter, host: MessagePump) -> None:
        """``host`` gets the messages (the screen that shows the marks)."""
        self.writer = writer
        self.host = host
        self.pending: dict[str, dict[str, bool]] = {}
        """Per paper, the state shown that a view loaded after its save has not shown yet."""
        self.undo_batch: str | None = None
        """What ``u`` undoes: the last mark-all-read, once saved."""
        self._unsaved: Counter[tuple[str, str]] = Counter()
        self._saved_at: dict[tuple[str, str], int] = {}

    def mark(self, table: PaperTable, index: int, row: PaperRow, field: str, value: bool) -> None:
        """Show paper ``row``'s new ``field`` at row ``index`` now (it stays in the view
        until the view is loaded afresh) and save it."""
        self.pending.setdefault(row.id, {})[field] = value
        self._unsaved[row.id, field] += 1
        self._saved_at.pop((row.id, field), None)
        self.writer.submit(MarkWrite(row.id, field, value), self.host)
        # A row loaded since (another view, a reload) holds another paper: nothing to keep.
        if table.update_row(index, row.id, **{field: value}) and table.papers is not None:
            table.papers.keep(row.id)

    def saved(self, write: MarkWrite, loads: int) -> None:
        """``write`` is in the cache; ``loads``: how many views were asked for so far
        (the next one shows it from the cache)."""
        key = (write.paper_id, write.field)
        self._unsaved[key] -= 1
        if not self._unsaved[key]:
            del self._unsaved[key]
            self._saved_at[key] = loads

    def failed(self, write: MarkWrite) -> None:
        """``write`` could not be saved: unless a later mark of the same is on its way,
        show what the cache holds again (the caller reloads the view)."""
        key = (write.paper_id, write.field)
        self._unsaved[key] -= 1
        if not self._unsaved[key]:
            del self._unsaved[key]
            self._forget(key)

    def shown(self, asked: int) -> None:
        """View load number ``asked`` is on screen: marks saved before it was asked for
        come from the cache now."""
        for key, at in list(self._saved_at.items()):
            if at < asked:
                del self._saved_at[key]
                self._forget(key)

    def _forget(self, key: tuple[str, str]) -> None:
        paper_id, field = key
        state = self.pending.get(paper_id, {})
        state.pop(field, None)
        if not state:
            self.pending.pop(paper_id, None)

    # --- every paper of a view ---------------------------------------------------------

    def mark_all_read(self, view: View) -> None:
        self.writer.submit(AllReadWrite(view), self.host)

    def all_read(self, message: AllRead) -> None:
        self.undo_batch = message.batch

    def undo(self) -> None:
        """Mark unread again what the last mark-all-read marked (``u`` works once)."""
        if self.undo_batch is not None:
            self.writer.submit(UndoWrite(self.undo_batch), self.host)
            self.undo_batch = None

    def undo_failed(self, write: UndoWrite) -> None:
        self.undo_batch = write.batch
