"""A paper's summary by the assistant, one line in the abstract pane (and in triage),
when ``[assistant] summaries = true``.

A stored summary shows at once; a paper with none gets one made once it has been on
show for :data:`DELAY_S` (running down the list asks nothing), in a worker, through
:func:`paperdeck.storage.assistant.service.summarize`, which keeps it per paper and model.
Moving on cancels the request on its way. Triage names the paper that comes next
(:meth:`SummaryLine.make_ahead`): its summary is made once this one's is done, so a slow
local model keeps ahead of the reader. The summary is plain text, never markup.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Static

from paperdeck.storage.assistant.providers import AssistantError, Chat
from paperdeck.storage.assistant.service import summarize
from paperdeck.storage.cache import assistant as kept
from paperdeck.tui.workers import thread_worker, worker_cache

DELAY_S = 0.8
"""How long a paper stays on show before its summary is asked for."""


class SummaryLine(Static):
    """The assistant's summary of the paper on show."""

    DEFAULT_CSS = """
    SummaryLine { color: $text-accent; padding-top: 1; }
    """

    class _Shown(Message):
        def __init__(self, paper_id: str, text: str | None, failed: bool = False) -> None:
            super().__init__()
            self.paper_id = paper_id
            self.text = text
            self.failed = failed

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.paper_id: str | None = None
        self.chat: Chat | None = None
        self._timer: Timer | None = None
        self._next: str | None = None
        """The paper to summarise ahead, once the one on show has its summary."""
        self._ahead: str | None = None
        """The paper whose summary is being made ahead (its request is not cancelled)."""
        self.display = False

    def show_for(self, paper_id: str) -> None:
        """The summary of ``paper_id``: stored, or made (when summaries are on)."""
        settings = self.app.config.assistant
        if not settings.summaries or settings.provider == "none":
            self.display = False
            return
        if paper_id == self.paper_id:
            return
        self._stop()
        self.paper_id = paper_id
        self.update(Text(f"Summary ({settings.model}): …"))
        self.display = True
        self._look_up(self.app.cache.path, paper_id, settings.model)

    def make_ahead(self, paper_id: str) -> None:
        """Summarise ``paper_id`` (the next paper) after the paper on show."""
        settings = self.app.config.assistant
        if settings.summaries and settings.provider != "none":
            self._next = paper_id
            self._start_next()

    def _start_next(self) -> None:
        paper_id = self._next
        if paper_id is None or paper_id == self.paper_id or self._ahead is not None:
            return
        if self.chat is not None or self._timer is not None:
            return  # after the paper on show
        self._next = None
        try:
            chat = Chat(self.app.config.assistant)
        except AssistantError:
            return  # the paper on show says why
        self._ahead = paper_id
        self._summarize(self.app.cache.path, paper_id, chat)

    def _stop(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self.chat is not None:
            self.chat.cancel()
            self.chat = None

    @thread_worker("Reading the stored summary", group="summary-look-up")
    def _look_up(self, path, paper_id: str, model: str) -> None:
        self.post_message(self._Shown(paper_id, kept.summary(worker_cache(path), paper_id, model)))

    @on(_Shown)
    def _shown(self, message: _Shown) -> None:
        if message.paper_id == self._ahead and message.text is not None:
            self._ahead = None
        if message.paper_id == self.paper_id:
            model = self.app.config.assistant.model
            if message.text is not None:
                self.chat = None
                label = "Summary not made" if message.failed else f"Summary ({model})"
                self.update(Text(f"{label}: {message.text}"))
            elif self.chat is None and self._timer is None and self._ahead != message.paper_id:
                self._timer = self.set_timer(DELAY_S, lambda: self._make(message.paper_id))
        self._start_next()

    def _make(self, paper_id: str) -> None:
        self._timer = None
        if paper_id != self.paper_id:
            return
        try:
            self.chat = Chat(self.app.config.assistant)
        except AssistantError as exc:
            self.post_message(self._Shown(paper_id, str(exc), failed=True))
            return
        self._summarize(self.app.cache.path, paper_id, self.chat)

    @thread_worker("Summarising the paper", group="summary-make", exclusive=False)
    def _summarize(self, path, paper_id: str, chat: Chat) -> None:
        keep = self.app.writer.keep(f"the summary of {paper_id}", self)
        try:
            text, _ = summarize(
                worker_cache(path), paper_id, self.app.config.assistant, chat=chat, keep=keep
            )
        except AssistantError as exc:
            self.post_message(self._Shown(paper_id, str(exc), failed=True))
            return
        if not chat.cancelled:
            self.post_message(self._Shown(paper_id, text))
