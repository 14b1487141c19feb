"""Dialogs of the personal library: the tag line (``#``: ``+a -b`` with completion from
the tags in use) and the note editor (``e``)."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Button, Input, Static, TextArea

from paperdeck.storage.parsers.tags import TagChange, TagError, parse_change


class TagSuggester(Suggester):
    """Completes the word being typed — after ``+`` or ``-`` — from the tags in use."""

    def __init__(self, tags: list[str]) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.tags = sorted(tags)

    async def get_suggestion(self, value: str) -> str | None:
        head, _, word = value.rpartition(" ")
        sign = word[:1] if word[:1] in "+-" else ""
        stem = word[len(sign) :].lower()
        if not stem:
            return None
        for tag in self.tags:
            if tag.startswith(stem) and tag != stem:
                return f"{head} {sign}{tag}" if head else f"{sign}{tag}"
        return None


class TagLine(ModalScreen[TagChange | None]):
    """One line of ``+tag -tag`` (a bare name adds); Enter applies, Escape cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", show=False)]

    def __init__(self, title: str, tags: list[str], current: tuple[str, ...] = ()) -> None:
        """``title``: what is tagged (a paper, or every paper of a view); ``tags``: the
        tags in use, for completion; ``current``: the paper's tags now."""
        super().__init__()
        self.what = title
        self.tags = tags
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="tag-dialog"):
            yield Static(Text(self.what), id="tag-title")
            now = " ".join(self.current) if self.current else "none"
            yield Static(Text(f"Tags now: {now}"), id="tag-now")
            yield Input(
                placeholder="+tag -tag   (→ completes; / nests: proj/rag)",
                suggester=TagSuggester(self.tags),
                id="tag-input",
            )
            yield Static(Text("Enter applies · Escape cancels"), id="tag-hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _apply(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            change = parse_change(event.value)
        except TagError as exc:
            hint = self.query_one("#tag-hint", Static)
            hint.update(Text(str(exc)))
            hint.add_class("-error")
            return
        self.dismiss(change)

    def action_cancel(self) -> None:
        self.dismiss(None)


class NoteEditor(ModalScreen[str | None]):
    """A paper's note in a text area: Ctrl+S (or Save) keeps it, Escape (or Cancel)
    leaves it as it was; an emptied note is deleted."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", show=False),
        Binding("escape", "cancel", "Cancel", show=False),
    ]

    def __init__(self, title: str, note: str) -> None:
        super().__init__()
        self.what = title
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical(id="note-dialog"):
            yield Static(Text(self.what), id="note-title")
            yield TextArea(self.note, id="note-text", soft_wrap=True, show_line_numbers=False)
            with Horizontal(id="note-buttons"):
                yield Button("Save (Ctrl+S)", variant="primary", id="note-save")
                yield Button("Cancel (Esc)", id="note-cancel")

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    @on(Button.Pressed, "#note-save")
    def action_save(self) -> None:
        self.dismiss(self.query_one(TextArea).text)

    @on(Button.Pressed, "#note-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
