"""Messages that cross widgets: what any part of the reader tells the app."""

from __future__ import annotations

from textual.message import Message


class WorkerFailed(Message):
    """A worker (``what`` it was doing) raised an exception nobody expected; it bubbles
    up to the app, which says so in one line and keeps the reader running."""

    def __init__(self, what: str, error: BaseException) -> None:
        super().__init__()
        self.what = what
        self.error = error

    @property
    def note(self) -> str:
        """One line for the user."""
        lines = str(self.error).splitlines()
        reason = f": {lines[0]}" if lines else ""
        return f"{self.what} failed ({type(self.error).__name__}{reason}); the reader goes on."
