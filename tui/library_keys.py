"""The library keys of the reader's table: ``#`` and ``1``–``9`` (tags), ``l`` (read later)
and ``e`` (the note) for the highlighted paper, ``*`` and ``L`` for every paper of the view
(asking first; ``u`` undoes the last of them).

One paper's tags and later mark go through :class:`Marks` like stars (shown at once, saved
by the writer); the whole-view changes and the note through :class:`LibraryBulk`. The
screen routes the keys and the answers here and shows the view again when it changed.
"""

from __future__ import annotations

from textual.screen import Screen

from paperdeck.storage.cache import library as library_store
from paperdeck.storage.config import config_path
from paperdeck.storage.models import PaperRow
from paperdeck.tui.library import LATER_VIEW, LibraryBulk, changed, toggled
from paperdeck.tui.marks import Marks
from paperdeck.tui.screens.confirm import ConfirmScreen
from paperdeck.tui.screens.library import NoteEditor, TagLine
from paperdeck.tui.widgets.paper_table import PaperTable
from paperdeck.tui.workers import run_thread, worker_cache


class LibraryKeys:
    """What the library keys do on ``host``'s table; ``host`` gets the writer's answers."""

    def __init__(self, host: Screen, marks: Marks) -> None:
        self.host = host
        self.marks = marks
        self.bulk = LibraryBulk(host.app.writer, host)

    # --- the highlighted paper --------------------------------------------------------

    def tag(self, table: PaperTable) -> None:
        """#: a line of +tag -tag for the highlighted paper."""
        if (row := table.current) is None:
            return
        index = table.cursor
        self.host.app.push_screen(
            TagLine(f"Tags of “{row.title}”", self._tags_in_use(), row.tags),
            lambda change: change and self._retag(table, index, row, changed(row.tags, change)),
        )

    def quick_tag(self, table: PaperTable, number: int) -> None:
        """1–9: the [library] quick_tags, on or off for the highlighted paper."""
        config = self.host.app.config
        quick = config.library.quick_tags
        if number > len(quick):
            where = config.path or config_path()
            self.host.notify(
                f"No quick tag {number}: list tags in [library] quick_tags in {where}.",
                markup=False,
            )
            return
        if (row := table.current) is not None:
            tag = quick[number - 1]
            tags = toggled(row.tags, tag)
            self._retag(table, table.cursor, row, tags)
            said = "+" if tag in tags else "-"
            self.host.notify(f"{said}{tag}: {row.title}", markup=False, timeout=2)

    def _retag(self, table: PaperTable, index: int, row: PaperRow, tags: tuple[str, ...]) -> None:
        if tags != row.tags:
            self.marks.mark(table, index, row, "tags", tags)

    def later(self, table: PaperTable) -> None:
        """l: on or off the read-later list."""
        if (row := table.current) is not None:
            self.marks.mark(table, table.cursor, row, "later", not row.later)

    def edit_note(self, table: PaperTable) -> None:
        """e: the highlighted paper's note in an editor (the pane shows it), read from the
        cache in a worker first."""
        if (row := table.current) is None:
            return
        app, path = self.host.app, self.host.app.cache.path
        run_thread(
            self.host,
            "Reading the note",
            lambda: app.call_from_thread(
                self._open_note, row, worker_cache(path).state(row.id).note or ""
            ),
            group="note",
        )

    def _open_note(self, row: PaperRow, note: str) -> None:
        self.host.app.push_screen(
            NoteEditor(f"Note on “{row.title}”", note),
            lambda text: text is not None
            and text != note
            and self.bulk.save_note(row.id, note, text),  # a change made meanwhile is kept
        )

    # --- every paper of the view ------------------------------------------------------

    def tag_view(self, table: PaperTable) -> None:
        """*: a line of +tag -tag for every paper of the view (asks first; u undoes it)."""
        papers = table.papers
        if papers is None or papers.total == 0:
            return
        label = papers.view.label
        self.host.app.push_screen(
            TagLine(f"Tags of all {papers.total:,} papers in “{label}”", self._tags_in_use()),
            lambda change: (
                change
                and self._confirm(
                    f"{change.describe()} on all {papers.total:,} papers in “{label}”?",
                    lambda: self.bulk.tag_view(papers.view, change),
                )
            ),
        )

    def later_view(self, table: PaperTable) -> None:
        """L: every paper of the view on the read-later list (off it, in that list)."""
        papers = table.papers
        if papers is None or papers.total == 0:
            return
        on = papers.view.query != LATER_VIEW.query
        what = "on the read-later list" if on else "off the read-later list"
        self._confirm(
            f"Put all {papers.total:,} papers in “{papers.view.label}” {what}?",
            lambda: self.bulk.later_view(papers.view, on),
        )

    def _confirm(self, question: str, then) -> None:
        self.host.app.push_screen(ConfirmScreen(question, yes="Yes"), lambda yes: yes and then())

    def _tags_in_use(self) -> list[str]:
        return [tag for tag, _ in library_store.all_tags(self.host.app.cache)]

    # --- the writer's answers ---------------------------------------------------------

    def done(self, message: LibraryBulk.Done) -> None:
        """A whole-view change is saved: ``u`` undoes it now (not the last mark-all-read)."""
        self.bulk.done(message)
        self.marks.undo_batch = None
        self.host.notify(
            f"{message.write.what}: {message.count:,} papers changed. Press u to undo.",
            markup=False,
        )

    def undone(self, message: LibraryBulk.Undone) -> None:
        self.host.notify(f"Undone for {message.count:,} papers.")

    def note_saved(self, message: LibraryBulk.NoteSaved) -> None:
        if message.merged:
            self.host.notify("Note saved, merged with a change made to it meanwhile.")
        elif message.changed:
            self.host.notify("Note saved.", timeout=2)
