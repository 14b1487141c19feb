"""The abstract pane: a paper's metadata, links and reflowed abstract (or its translation).

Everything from the paper is set as plain ``rich.text.Text``: never parsed as markup.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from paperdeck.storage.models import PaperDetail, Translation

MAX_AUTHORS = 100
"""Names listed in the pane: a collaboration's 3,000 would take half a second to lay out
at every move of the cursor, and nobody reads them there (``paperdeck list --format
json`` has them all)."""
MAX_BODY_CHARS = 20_000
"""Characters of an abstract shown: arXiv allows 1,920, so only a broken or hostile
source sends more, and laying out 100 KB takes half a second."""


def _line(*parts: tuple[str, str] | str) -> Text:
    """A line of (text, style) parts; plain strings are unstyled."""
    line = Text()
    for part in parts:
        line.append(*((part, "") if isinstance(part, str) else part))
    return line


class AbstractPane(VerticalScroll, can_focus=True):
    """Shows one paper in full; ``t`` in the screen toggles original and translation."""

    DEFAULT_CSS = """
    AbstractPane { padding: 0 1; background: $surface; }
    AbstractPane > #pane-title { text-style: bold; color: $text; padding-top: 1; }
    AbstractPane > #pane-authors { color: $text-accent; }
    AbstractPane > #pane-meta { color: $text-muted; }
    AbstractPane > #pane-links {
        color: $text-muted;
        padding-bottom: 1;
        border-bottom: hkey $panel-lighten-2;
    }
    AbstractPane > #pane-note { color: $warning; padding-top: 1; }
    AbstractPane > #pane-body { padding-top: 1; }
    AbstractPane > #pane-summary { color: $text-muted; padding-top: 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.detail: PaperDetail | None = None
        self.translation: Translation | None = None
        """The translation on show, or None when the original is."""

    def compose(self) -> ComposeResult:
        for part in ("title", "authors", "meta", "links", "note", "body", "summary"):
            yield Static(id=f"pane-{part}")

    @property
    def paper_id(self) -> str | None:
        return self.detail.paper.id if self.detail else None

    def show(self, detail: PaperDetail) -> None:
        """Show a paper in its original language."""
        self.detail, self.translation = detail, None
        paper = detail.paper
        authors = ", ".join(paper.authors[:MAX_AUTHORS])
        if len(paper.authors) > MAX_AUTHORS:
            authors += f" … and {len(paper.authors) - MAX_AUTHORS:,} more"
        elif not paper.authors_complete:
            authors += " et al."
        self._set("authors", Text(authors or "Unknown authors"))
        meta = [f"{paper.id}" + (f"v{paper.version}" if paper.version else "")]
        meta.append(f"published {paper.published}")
        if paper.updated and paper.updated != paper.published:
            meta.append(f"updated {paper.updated}")
        categories = [f"{paper.primary_category} (primary)"] if paper.primary_category else []
        categories += [c for c in paper.categories if c != paper.primary_category]
        if categories:
            meta.append(", ".join(categories))
        if detail.topics:
            meta.append("topics: " + ", ".join(detail.topics))
        lines = [Text(" · ".join(meta))]
        if paper.comment:
            lines.append(Text(f"Comment: {paper.comment}"))
        if paper.journal_ref:
            lines.append(Text(f"Journal ref: {paper.journal_ref}"))
        if paper.doi:
            lines.append(Text(f"DOI: {paper.doi}"))
        self._set("meta", Text("\n").join(lines))
        links = [_line(("arXiv ", "bold"), paper.abs_url), _line(("PDF   ", "bold"), paper.pdf_url)]
        links += [_line(("Code  ", "bold"), url) for url in paper.code_urls]
        self._set("links", Text("\n").join(links))
        summary = Text(f"Summary: {paper.summary}") if paper.summary else Text()
        self._set("summary", summary)
        self._show_text(paper.title, paper.abstract or "(no abstract in the cache)", note=None)
        self.scroll_home(animate=False)

    def show_translation(self, translation: Translation, note: str) -> None:
        """Show ``translation`` with a line saying what it is."""
        if self.detail is None:
            return
        self.translation = translation
        self._show_text(translation.title or self.detail.paper.title, translation.abstract, note)

    def show_note(self, note: str) -> None:
        """A line above the abstract (how to get a translation, an error, progress)."""
        self._set("note", Text(note))
        self.query_one("#pane-note").display = True

    def _show_text(self, title: str, body: str, note: str | None) -> None:
        if len(body) > MAX_BODY_CHARS:
            body = f"{body[:MAX_BODY_CHARS]} … ({len(body) - MAX_BODY_CHARS:,} more characters)"
        self._set("title", Text(title))
        self._set("body", Text(body))
        self._set("note", Text(note or ""))
        self.query_one("#pane-note").display = bool(note)

    def _set(self, part: str, text: Text) -> None:
        widget = self.query_one(f"#pane-{part}", Static)
        widget.update(text)
        widget.display = bool(text.plain)
