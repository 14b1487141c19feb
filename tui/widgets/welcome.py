"""What an empty cache shows: how to get papers in."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from paperdeck.storage.config import Config


class Welcome(Static):
    DEFAULT_CSS = """
    Welcome { padding: 2 4; color: $text; }
    """

    def __init__(self, config: Config, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.config = config

    def on_mount(self) -> None:
        self.update(self.message())

    def message(self, note: str = "") -> Text:
        topics = ", ".join(topic.name for topic in self.config.topics) or "none configured"
        text = Text()
        text.append("Welcome to paperdeck.\n\n", "bold")
        text.append("Your cache has no papers yet. To get some:\n\n")
        text.append("  r", "bold")
        text.append(f"  sync your sources now (arXiv topics: {topics})\n")
        text.append("  paperdeck import FILE", "bold")
        text.append("  import a daily-arXiv digest in another terminal; it shows up here\n\n")
        text.append("Press ? for every key, q to quit.")
        if note:
            text.append("\n\n")
            text.append(note, "bold")
        return text

    def show_note(self, note: str) -> None:
        self.update(self.message(note))
