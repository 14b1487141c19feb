"""The references of the paper being read: ``Enter`` on one returns its block."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from paperdeck.storage.fulltext.model import Block, plain

MAX_CHARS = 300
"""A reference longer than this is cut in the list (the text shows it whole)."""


class ReferenceList(ModalScreen[int | None]):
    """Chooses one reference; dismisses with its block index (None on Escape)."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="fulltext_close_references")]

    def __init__(self, references: list[tuple[int, Block]]) -> None:
        super().__init__()
        self.references = references

    def compose(self) -> ComposeResult:
        with_ids = sum(1 for _, block in self.references if block.arxiv)
        title = Text(f"References ({len(self.references)}", style="bold")
        title.append(f", {with_ids} with an arXiv id)", style="bold")
        title.append(" — Enter opens an arXiv paper, or shows the reference", style="dim")
        with Vertical(id="references-box"):
            yield Static(title)
            yield OptionList(
                *(Option(_prompt(block), id=str(index)) for index, block in self.references),
                id="references",
            )

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id))


def _prompt(block: Block) -> Text:
    text = " ".join(plain(block.spans).split())
    if len(text) > MAX_CHARS:
        text = text[: MAX_CHARS - 1] + "…"
    prompt = Text(f"{block.label} ", style="dim")
    prompt.append(text)  # the paper's text, never markup
    if block.arxiv:
        prompt.append(f"  ↗ arXiv:{block.arxiv}", style="bold")
    return prompt
