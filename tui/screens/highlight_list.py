"""A paper's highlights, listed: ``Enter`` goes to one in the text, ``d`` deletes it."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from paperdeck.storage.cache.highlights import Highlight

QUOTE_CHARS = 160
"""How much of each passage the list shows."""


class HighlightList(ModalScreen[tuple[str, Highlight] | None]):
    """Dismissed with ("go", highlight), ("delete", highlight) or None."""

    BINDINGS = [
        Binding("escape,H", "dismiss(None)", "Close", id="highlights_close"),
        Binding("d", "delete", "Delete", id="highlights_delete"),
    ]

    def __init__(self, highlights: list[Highlight]) -> None:
        super().__init__()
        self.highlights = highlights

    def compose(self) -> ComposeResult:
        with Vertical(id="highlights-box"):
            count = len(self.highlights)
            yield Static(Text(f"Highlights ({count}) — Enter: go there, d: delete", style="bold"))
            yield OptionList(*(_option(n, item) for n, item in enumerate(self.highlights)))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(("go", self.highlights[int(event.option.id)]))

    def action_delete(self) -> None:
        index = self.query_one(OptionList).highlighted
        if index is not None:
            self.dismiss(("delete", self.highlights[index]))


def _option(number: int, item: Highlight) -> Option:
    quote = item.quote if len(item.quote) <= QUOTE_CHARS else item.quote[:QUOTE_CHARS] + "…"
    prompt = Text(f"“{quote}”")  # paper text and comments: never markup
    if item.comment:
        prompt.append(f"\n  {item.comment}", style="italic")
    return Option(prompt, id=str(number))
