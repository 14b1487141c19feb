"""The comment of a new highlight: the passage shown, one line to write (or leave empty)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

SHOWN_CHARS = 300
"""How much of the passage the prompt shows."""


class HighlightPrompt(ModalScreen[str | None]):
    """``Enter`` keeps the highlight with the comment typed (none when empty);
    ``Escape`` keeps nothing."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="highlight_cancel")]

    def __init__(self, quote: str) -> None:
        super().__init__()
        self.quote = quote

    def compose(self) -> ComposeResult:
        shown = self.quote if len(self.quote) <= SHOWN_CHARS else self.quote[:SHOWN_CHARS] + "…"
        with Vertical(id="highlight-box"):
            yield Static(Text("Highlight this passage?", style="bold"))
            yield Static(Text(f"“{shown}”"), id="highlight-quote")  # paper text, never markup
            yield Input(placeholder="A comment (optional); Enter keeps it, Escape drops it")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)
