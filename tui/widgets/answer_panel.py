"""The answer panel of the reading screen: a question line, the answer as it streams,
and its citations — each checked against the block it names — to jump to.

Everything the model says is set as plain ``rich.text.Text`` (controls already stripped
by storage): never markup, never run. The question goes to storage in a worker
(:func:`paperdeck.storage.assistant.service.ask`); the panel keeps the request's
:class:`~paperdeck.storage.assistant.providers.Chat` so that ``Escape`` cancels it at once.
Earlier questions about the paper come back from the cache when the panel first opens.
"""

from __future__ import annotations

import re

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from paperdeck.storage.assistant.passages import from_document
from paperdeck.storage.assistant.providers import AssistantError, Chat
from paperdeck.storage.assistant.service import Answer, ask
from paperdeck.storage.cache import assistant as kept
from paperdeck.storage.cache.assistant import Exchange
from paperdeck.storage.fulltext.model import Document
from paperdeck.tui.messages import WorkerFailed
from paperdeck.tui.widgets.paper_text import PaperText
from paperdeck.tui.workers import thread_worker, worker_cache

_ELLIPSIS = re.compile(r"\.\.\.|…")
QUOTE_CELLS = 70
"""Cells of a quote shown in the list of citations (the rest is cut)."""


class AnswerPanel(Vertical):
    """Questions and answers about one paper, beside (or below) its text."""

    class CitationChosen(Message):
        """The reader chose a citation: show block ``block`` and the quote in it."""

        def __init__(self, block: str, quote: str, found: bool) -> None:
            super().__init__()
            self.block = block
            self.quote = quote
            self.found = found

    class _Streamed(Message):
        def __init__(self, chat: Chat, text: str) -> None:
            super().__init__()
            self.chat = chat
            self.text = text

    class _Done(Message):
        def __init__(self, chat: Chat, answer: Answer | None, error: str = "") -> None:
            super().__init__()
            self.chat = chat
            self.answer = answer
            self.error = error

    class _History(Message):
        def __init__(self, exchanges: list[Exchange]) -> None:
            super().__init__()
            self.exchanges = exchanges

    def __init__(self, paper_id: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.paper_id = paper_id
        self.chat: Chat | None = None
        """The request on its way (None when none is)."""
        self.exchanges: list[Exchange] = []
        self._question = ""
        self._loaded = False
        self._citations: list[dict] = []

    def compose(self) -> ComposeResult:
        yield Input(placeholder="Ask the paper… (Enter asks, Escape closes)", id="ask-question")
        with VerticalScroll(id="ask-log"):
            yield Static(id="ask-history")
            yield Static(id="ask-answer")
        yield OptionList(id="ask-citations")

    def on_mount(self) -> None:
        self.display = False
        self.query_one("#ask-citations").display = False

    @property
    def asking(self) -> bool:
        return self.chat is not None

    # --- what the screen calls ------------------------------------------------------------

    def open(self) -> None:
        """Show the panel with the cursor on the question line."""
        self.display = True
        self.query_one("#ask-question", Input).focus()
        if not self._loaded:
            self._loaded = True
            self._load_history(self.app.cache.path)

    def escape(self) -> bool:
        """Escape: cancel the request on its way, else close the panel. False when the
        panel is closed (the key is the screen's)."""
        if self.chat is not None:
            self.chat.cancel()
            self.chat = None
            self._show_answer("Cancelled.", final=True)
            return True
        if self.display:
            self.display = False
            return True
        return False

    # --- asking ---------------------------------------------------------------------------

    @on(Input.Submitted, "#ask-question")
    def _submitted(self, event: Input.Submitted) -> None:
        question = event.value.strip()
        if not question or self.chat is not None:
            return
        try:
            chat = Chat(self.app.config.assistant)
        except AssistantError as exc:
            self._question = question
            self._show_answer(str(exc), final=True)
            return
        event.input.value = ""
        self.chat, self._question = chat, question
        self._show_answer("…", final=False)
        self._ask(self.app.cache.path, question, chat)

    @thread_worker("Asking the paper", group="assistant-ask")
    def _ask(self, path, question: str, chat: Chat) -> None:
        settings = self.app.config.assistant
        try:
            answer = ask(
                worker_cache(path),
                self.paper_id,
                question,
                settings,
                on_text=lambda text: self.post_message(self._Streamed(chat, text)),
                chat=chat,
                keep=self.app.writer.keep("the answer", self),
            )
        except AssistantError as exc:
            self.post_message(self._Done(chat, None, str(exc)))
        else:
            self.post_message(self._Done(chat, answer))

    @on(_Streamed)
    def _streamed(self, message: _Streamed) -> None:
        if message.chat is self.chat and not message.chat.cancelled:
            self._show_answer(message.text or "…", final=False)

    @on(_Done)
    def _done(self, message: _Done) -> None:
        if message.chat is not self.chat:
            return  # cancelled: the panel said so already
        self.chat = None
        answer = message.answer
        if answer is None:
            self._show_answer(message.error, final=True)
            return
        citations = [c.to_json() | {"elsewhere": c.elsewhere} for c in answer.citations]
        self.exchanges.append(Exchange(answer.question, answer.text, citations, "", ""))
        self.query_one("#ask-answer", Static).update("")
        self._render_history()
        if answer.source != "fulltext":
            self.notify("No full text stored: the answer is from the abstract.", timeout=4)

    def on_worker_failed(self, message: WorkerFailed) -> None:
        """The question broke down for a reason nobody foresaw (the app says which, the
        message goes on up to it): the panel takes questions again."""
        if self.chat is not None:
            self.chat = None
            self._show_answer(message.note, final=True)

    def _show_answer(self, text: str, *, final: bool) -> None:
        """The question and the answer so far (or what went wrong), as plain text."""
        shown = Text()
        shown.append(f"Q: {self._question}\n", style="bold")
        shown.append(text, style="" if final or text != "…" else "dim")
        self.query_one("#ask-answer", Static).update(shown)
        self.query_one("#ask-log", VerticalScroll).scroll_end(animate=False)

    # --- earlier questions ---------------------------------------------------------------

    @thread_worker("Reading earlier questions", group="assistant-history")
    def _load_history(self, path) -> None:
        self.post_message(self._History(kept.answers(worker_cache(path), self.paper_id)))

    @on(_History)
    def _history(self, message: _History) -> None:
        self.exchanges = [*message.exchanges, *self.exchanges]
        self._render_history()

    def _render_history(self) -> None:
        history = Text()
        options: list[Option] = []
        self._citations = []
        for exchange in self.exchanges:
            history.append(f"Q: {exchange.question}\n", style="bold")
            history.append(exchange.answer + "\n\n")
            for citation in exchange.citations:
                options.append(Option(_citation_line(citation), id=str(len(self._citations))))
                self._citations.append(citation)
        self.query_one("#ask-history", Static).update(history)
        listing = self.query_one("#ask-citations", OptionList)
        listing.clear_options()
        listing.add_options(options)
        listing.display = bool(options)
        if options:  # the latest answer's first citation
            latest = len(self.exchanges[-1].citations)
            listing.highlighted = min(len(options) - 1, len(options) - latest)
        self.query_one("#ask-log", VerticalScroll).scroll_end(animate=False)

    @on(OptionList.OptionSelected, "#ask-citations")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        citation = self._citations[int(event.option.id)]
        self.post_message(
            self.CitationChosen(citation["block"], citation["quote"], citation["found"])
        )


def show_citation(text: PaperText, document: Document, label: str, quote: str) -> bool:
    """Put block ``label`` at the top of ``text`` with the quote highlighted in it (as a
    find would: ``n`` goes on from there); False when the paper has no such block."""
    index = next((p.index for p in from_document(document) if p.label == label), None)
    if index is None or index < 0:
        return False
    text.jump_to_block(index)
    first = _ELLIPSIS.split(quote.strip())[0].strip()
    if first and text.find(first) and text.find_next() and text.cursor_block == index:
        return True
    text.find("")  # not in this block: the block alone, with the cursor on it
    text.jump_to_block(index)
    return True


def _citation_line(citation: dict) -> Text:
    """``✓ [S3.SS1.p4] “quote”``, or ``✗`` and why for a quote not in its block."""
    line = Text(no_wrap=True, overflow="ellipsis")
    if citation["found"]:
        line.append("✓ ", style="bold green")
    else:
        line.append("✗ ", style="bold red")
    line.append(f"[{citation['block']}] ", style="bold")
    quote = citation["quote"]
    if len(quote) > QUOTE_CELLS:
        quote = quote[: QUOTE_CELLS - 1] + "…"
    line.append(f"“{quote}”")
    if not citation["found"]:
        elsewhere = citation.get("elsewhere")
        why = f" — not in this block (it is in {elsewhere})" if elsewhere else " — not in the paper"
        line.append(why, style="red")
    return line
