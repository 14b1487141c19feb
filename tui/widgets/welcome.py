"""What an empty cache shows: how to get papers in, and why a sync brought none."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from paperdeck.storage.config import Config
from paperdeck.storage.sources.runner import SyncSummary


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

    def sync_finished(self, summary: SyncSummary | None) -> None:
        """When every source failed, say the first one's reason under the welcome."""
        if summary is not None and not summary.ok and all(r.error for r in summary.results):
            self.show_note(
                f"Could not sync: {summary.results[0].error}. The cache keeps working "
                "offline; press r to try again."
            )
