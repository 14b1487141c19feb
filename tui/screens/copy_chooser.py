"""The second key of ``y``: what of the paper to copy."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static


class CopyChooser(ModalScreen[str | None]):
    """``l`` the link, ``b`` the BibTeX entry, ``k`` the citation key; ``Escape`` nothing."""

    BINDINGS = [
        Binding("l", "choose('link')", "Link", id="copy_link"),
        Binding("b", "choose('bibtex')", "BibTeX", id="copy_bibtex"),
        Binding("k", "choose('citekey')", "Citation key", id="copy_citekey"),
        Binding("escape,y", "choose(None)", "Cancel", id="copy_cancel"),
    ]

    def __init__(self, paper_id: str) -> None:
        super().__init__()
        self.paper_id = paper_id

    def compose(self) -> ComposeResult:
        with Vertical(id="copy-box"):
            yield Static(Text(f"Copy of {self.paper_id}:"), id="copy-question")
            yield Static(
                Text("l  the link   b  the BibTeX entry   k  the citation key   Escape  nothing"),
                id="copy-keys",
            )

    def action_choose(self, what: str | None) -> None:
        self.dismiss(what)
