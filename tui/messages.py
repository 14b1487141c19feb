"""Messages that workers send back to the screen."""

from __future__ import annotations

from textual.message import Message

from storage.views import View


class ViewCounted(Message):
    """A worker counted a view: its papers (None: not counted here) and unread ones."""

    def __init__(self, view: View, total: int | None, unread: int) -> None:
        super().__init__()
        self.view = view
        self.total = total
        self.unread = unread
