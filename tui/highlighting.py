"""Highlights on the reading screen: ``v`` selects a passage (``j``/``k`` extend it,
``Enter`` asks for a comment and keeps it, ``Escape`` drops it); ``H`` lists the paper's
highlights. They are saved, and deleted, through the app's writer (the UI thread never
waits on the cache), and travel with the library."""

from __future__ import annotations

from textual.message import Message
from textual.screen import Screen

from paperdeck.storage.cache import highlights as store
from paperdeck.storage.cache.database import Cache
from paperdeck.storage.cache.highlights import Highlight
from paperdeck.storage.library.highlights import keep_passage
from paperdeck.tui.screens.highlight_list import HighlightList
from paperdeck.tui.screens.highlight_prompt import HighlightPrompt
from paperdeck.tui.widgets.paper_text import PaperText
from paperdeck.tui.writer import Write


class HighlightsChanged(Message):
    """The paper's highlights as saved now; ``note`` says what changed."""

    def __init__(self, highlights: list[Highlight], note: str) -> None:
        super().__init__()
        self.highlights = highlights
        self.note = note


class Highlighting:
    """What the highlight keys do on ``screen``'s ``text`` for ``paper_id``; ``screen``
    gets :class:`HighlightsChanged` and passes it to :meth:`changed`."""

    def __init__(self, screen: Screen, text: PaperText, paper_id: str) -> None:
        self.screen, self.text, self.paper_id = screen, text, paper_id

    def toggle(self) -> None:
        """``v``: start selecting at the cursor, or stop."""
        if self.text.document is None:
            return
        selecting = self.text.selecting is None
        self.text.select(selecting)
        if selecting:
            self.screen.notify(
                "Select a passage: j/k extend it, Enter keeps it, Escape drops it", timeout=4
            )

    def cancel(self) -> bool:
        """Drop the selection; False when there was none."""
        if self.text.selecting is None:
            return False
        self.text.select(False)
        return True

    def chosen(self, blocks: tuple[int, int], quote: str) -> None:
        """A passage was selected: ask for a comment, then keep it."""
        document, paper_id = self.text.document, self.paper_id

        def answered(comment: str | None) -> None:
            if comment is None or document is None:
                return

            def write(cache: Cache) -> Message:
                keep_passage(cache, paper_id, document, blocks, quote, comment)
                return HighlightsChanged(store.of_paper(cache, paper_id), "Highlighted")

            self._submit("the highlight", write)

        self.screen.app.push_screen(HighlightPrompt(quote), answered)

    def list(self) -> None:
        """``H``: the paper's highlights; go to one, or delete it."""
        if not self.text.highlights:
            self.screen.notify("No highlights in this paper yet: v selects a passage.")
            return
        self.screen.app.push_screen(HighlightList(self.text.highlights), self._listed)

    def _listed(self, answer: tuple[str, Highlight] | None) -> None:
        if answer is None:
            return
        what, item = answer
        if what == "go":
            self.text.jump_to_block(item.block)
            return

        def write(cache: Cache) -> Message:
            store.delete(cache, item.paper_id, item.hid)
            return HighlightsChanged(store.of_paper(cache, item.paper_id), "Highlight deleted")

        self._submit("deleting the highlight", write)

    def changed(self, message: HighlightsChanged) -> None:
        self.text.show_highlights(message.highlights)
        self.screen.notify(f"{message.note} ({len(message.highlights)} in this paper)", timeout=3)

    def _submit(self, what: str, write) -> None:
        self.screen.app.writer.submit(Write(what, write), self.screen)
