"""The line above the table: which view, how many papers, how many unread, the order."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class StatusLine(Static):
    DEFAULT_CSS = """
    StatusLine { height: 1; background: $primary-background; color: $text; padding: 0 1; }
    """

    def show_view(self, label: str, total: int | None, unread: int | None, sort: str) -> None:
        """``None`` for a count still being made."""
        total_text = "… papers" if total is None else f"{total:,} papers"
        unread_text = "… unread" if unread is None else f"{unread:,} unread"
        line = Text()
        line.append("paperdeck", "bold")
        line.append("  ")
        line.append(label, "bold")  # holds the user's search text: plain Text, never markup
        line.append(f"  ·  {total_text}  ·  {unread_text}  ·  sorted by {sort}")
        self.update(line)
