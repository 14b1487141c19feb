"""Messages that workers send back to the screen."""

from __future__ import annotations

from textual.message import Message

from paperdeck.storage.cache.views import View
from paperdeck.storage.models import PaperRow, Translation
from paperdeck.storage.sources.runner import SyncEvent, SyncSummary


class ViewCounted(Message):
    """A worker counted the unread papers of a view. ``asked``: the count's number, so
    an older count that ends last is not shown."""

    def __init__(self, view: View, unread: int, asked: int) -> None:
        super().__init__()
        self.view = view
        self.unread = unread
        self.asked = asked


class FirstPage(Message):
    """A worker's first page of a view slow to count (a search, the unread papers), the
    rows known so far, and the row for the cursor. ``asked``: the load's number;
    ``reload``: the same view loaded again (not the reader's move); ``keep``: the paper
    the cursor was asked to stay on; ``kept``: papers kept in the view (``PaperList.keep``)."""

    def __init__(
        self,
        view: View,
        rows: list[PaperRow],
        kept: frozenset[str],
        total: int,
        cursor: int,
        asked: int,
        reload: bool,
        keep: PaperRow | None = None,
    ) -> None:
        super().__init__()
        self.view = view
        self.rows = rows
        self.kept = kept
        self.total = total
        self.cursor = cursor
        self.asked = asked
        self.reload = reload
        self.keep = keep


class ViewTotal(Message):
    """A worker counted the rows of a view it loaded; ``asked``: the load's number."""

    def __init__(self, view: View, total: int, asked: int) -> None:
        super().__init__()
        self.view = view
        self.total = total
        self.asked = asked


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


class SyncProgress(Message):
    """A sync worker's progress; a newer one replaces an older one still queued."""

    def __init__(self, event: SyncEvent) -> None:
        super().__init__()
        self.event = event

    def can_replace(self, message: Message) -> bool:
        return (
            isinstance(message, SyncProgress)
            and message.event.kind == "page"
            and self.event.source == message.event.source
        )


class SyncFinished(Message):
    """A sync worker finished: its summary (every source's result)."""

    def __init__(self, summary: SyncSummary) -> None:
        super().__init__()
        self.summary = summary
