"""``y`` then a key, in the table and on the reading screen: a paper's link, BibTeX entry
or citation key to the clipboard (OSC 52 through Textual, so it works over SSH).

The text is made by the app's writer (copying an entry or a key pins the key, a write);
the app copies it when :class:`Copied` comes back and says what was copied."""

from __future__ import annotations

from textual.message import Message
from textual.screen import Screen

from paperdeck.storage.cache.database import Cache
from paperdeck.storage.library.copies import WHAT, CopyError, copy_text
from paperdeck.tui.screens.copy_chooser import CopyChooser
from paperdeck.tui.writer import Write


class Copied(Message):
    """The text to put on the clipboard (None: nothing, ``note`` says why)."""

    def __init__(self, text: str | None, note: str) -> None:
        super().__init__()
        self.text = text
        self.note = note


def copy_paper(screen: Screen, paper_id: str) -> None:
    """Ask what to copy of ``paper_id``, then have it made and copied."""
    app = screen.app

    def chosen(what: str | None) -> None:
        if what is None:
            return

        def run(cache: Cache) -> Message:
            try:
                text = copy_text(cache, paper_id, what)
            except CopyError as error:
                return Copied(None, str(error))
            return Copied(text, f"Copied the {WHAT[what]} of {paper_id}")

        app.writer.submit(Write(f"copying the {WHAT[what]}", run), app)

    app.push_screen(CopyChooser(paper_id), chosen)
