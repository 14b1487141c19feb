"""Messages that workers send back to the screen."""

from __future__ import annotations

from textual.message import Message

from storage.models import Translation
from storage.views import View


class ViewCounted(Message):
    """A worker counted a view: its papers (None: not counted here) and unread ones."""

    def __init__(self, view: View, total: int | None, unread: int) -> None:
        super().__init__()
        self.view = view
        self.total = total
        self.unread = unread


class TranslationReady(Message):
    """A worker fetched (and stored) a translation."""

    def __init__(self, translation: Translation) -> None:
        super().__init__()
        self.translation = translation


class TranslationFailed(Message):
    """A worker could not get a translation; ``reason`` is one sentence."""

    def __init__(self, paper_id: str, reason: str) -> None:
        super().__init__()
        self.paper_id = paper_id
        self.reason = reason
