"""The search field: it asks for a search once typing pauses, or at once on Enter."""

from __future__ import annotations

from textual import on
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input

DEBOUNCE_S = 0.15


class SearchBox(Input):
    """Hidden until ``/``; each pause in typing (or Enter) posts a :class:`Search`."""

    DEFAULT_CSS = """
    SearchBox { display: none; }
    """

    class Search(Message):
        """Search for ``text`` (empty: no search); ``submitted``: Enter was pressed."""

        def __init__(self, text: str, submitted: bool = False) -> None:
            super().__init__()
            self.text = text
            self.submitted = submitted

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(placeholder="Search titles, authors and abstracts…", id=id)
        self._timer: Timer | None = None

    def open(self) -> None:
        self.display = True
        self.focus()

    def close(self) -> None:
        """Empty and hide the field (the caller ends the search)."""
        self.value = ""
        self.display = False

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        if self._timer is not None:
            self._timer.stop()
        value = event.value
        self._timer = self.set_timer(DEBOUNCE_S, lambda: self.post_message(self.Search(value)))

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self._timer is not None:
            self._timer.stop()
        self.post_message(self.Search(event.value, submitted=True))
