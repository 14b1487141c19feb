"""The abstract pane: a paper's metadata, links and reflowed abstract (or its translation).

Everything from the paper is set as plain ``rich.text.Text``: never parsed as markup.
The pane fetches a missing translation itself, in a worker; an answer that comes after
the pane moved on to another paper is only stored.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static

from paperdeck.storage.config import TranslationSettings
from paperdeck.storage.models import PaperDetail, Translation
from paperdeck.storage.translate import (
    TranslationError,
    any_translation,
    cached_translation,
    fetch_translation,
)
from paperdeck.tui.messages import WorkerFailed
from paperdeck.tui.widgets.summary_line import SummaryLine
from paperdeck.tui.workers import thread_worker, worker_cache
from paperdeck.tui.writer import Write

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


def library_text(detail: PaperDetail) -> Text:
    """The paper's place in the library: tags, the later list, its key, and its note."""
    state = detail.state
    facts = [" ".join(f"#{tag}" for tag in state.tags)] if state.tags else []
    facts += ["◷ read later"] if state.later else []
    facts += [f"key {state.citekey}"] if state.citekey else []
    lines = [Text(" · ".join(facts))] if facts else []
    if state.note:
        lines.append(_line(("Note: ", "bold"), state.note))
    return Text("\n").join(lines)


class AbstractPane(VerticalScroll, can_focus=True):
    """Shows one paper in full, in the original or (``t``) translated."""

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
    AbstractPane > #pane-library { color: $text-accent; padding-bottom: 1; }
    AbstractPane > #pane-note { color: $warning; padding-top: 1; }
    AbstractPane > #pane-body { padding-top: 1; }
    AbstractPane > #pane-summary { color: $text-muted; padding-top: 1; }
    """

    class Translated(Message, bubble=False):
        def __init__(self, translation: Translation) -> None:
            super().__init__()
            self.translation = translation

    class TranslationFailed(Message, bubble=False):
        def __init__(self, paper_id: str, reason: str) -> None:
            super().__init__()
            self.paper_id = paper_id
            self.reason = reason

    def __init__(
        self, settings: TranslationSettings, config_file: Path, *, id: str | None = None
    ) -> None:
        """``config_file``: where a translation provider is set (named in a note)."""
        super().__init__(id=id)
        self.settings = settings
        self.config_file = config_file
        self.detail: PaperDetail | None = None
        self.translation: Translation | None = None
        """The translation on show, or None when the original is."""
        self.translating = False
        """Papers show translated (``t`` toggles; moving to another paper keeps it on)."""
        self._fetched: dict[str, Translation] = {}
        """Translations fetched here, shown again even while the cache is too busy to store them."""

    def compose(self) -> ComposeResult:
        for part in ("title", "authors", "meta", "links", "library", "note"):
            yield Static(id=f"pane-{part}")
        yield SummaryLine(id="pane-assistant")
        for part in ("body", "summary"):
            yield Static(id=f"pane-{part}")

    @property
    def paper_id(self) -> str | None:
        return self.detail.paper.id if self.detail else None

    def show_paper(self, detail: PaperDetail) -> None:
        """Show a paper: translated while :attr:`translating`, else as written."""
        self.query_one("#pane-body").loading = False
        self.show(detail)
        if self.translating:
            self._show_translation(detail.paper.id)

    def toggle_translation(self) -> None:
        """Translations on or off; a closed pane opens with them on."""
        self.translating = not self.translating or not self.display
        self.display = True

    def close(self) -> None:
        self.display = False
        self.translating = False

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
        self._set("library", library_text(detail))
        summary = Text(f"Summary: {paper.summary}") if paper.summary else Text()
        self._set("summary", summary)
        self.query_one(SummaryLine).show_for(paper.id)
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

    # --- translations ---------------------------------------------------------------------

    def _show_translation(self, paper_id: str) -> None:
        """The stored translation, else one fetched through the provider, else (with
        no provider) one in any language, else how to configure a provider."""
        cache, settings = self.app.cache, self.settings
        try:
            stored = cached_translation(cache, paper_id, settings.target)
        except TranslationError as exc:
            self.show_note(str(exc))
            return
        stored = stored or self._fetched.get(paper_id)
        if stored is not None:
            self._present(stored)
        elif settings.provider != "none":
            self.show_note(f"Translating into {settings.target} with {settings.provider}…")
            self.query_one("#pane-body").loading = True
            self._fetch(paper_id)
        elif (other := any_translation(cache, paper_id)) is not None:
            self._present(other, f"none in {settings.target}; no provider to fetch one")
        else:
            self.show_note(
                "No translation stored for this paper. To fetch one, set "
                f"[translation] provider in {self.config_file}."
            )

    def _present(self, translation: Translation, extra: str = "") -> None:
        note = f"Translation ({translation.lang}, from {translation.source})"
        note += f"; {extra}" if extra else ""
        self.show_translation(translation, note + " — t for the original")

    @thread_worker("Fetching the translation", group="translate")
    def _fetch(self, paper_id: str) -> None:
        cache = worker_cache(self.app.cache.path)
        try:
            result = fetch_translation(cache, self.settings, paper_id, save=self._save)
        except TranslationError as exc:
            self.post_message(self.TranslationFailed(paper_id, str(exc)))
        else:
            self.post_message(self.Translated(result))

    def _save(self, translation: Translation) -> None:
        """Stored by the app's writer: a busy cache delays the save, never the translation."""
        what = f"the {translation.lang} translation of {translation.paper_id}"
        self.app.writer.submit(Write(what, lambda cache: cache.put_translation(translation)), self)

    def on_abstract_pane_translated(self, message: Translated) -> None:
        translation = message.translation
        self._fetched[translation.paper_id] = translation
        # An answer for a paper no longer on show (the cursor moved on) is only stored.
        if self.translating and self.paper_id == translation.paper_id:
            self.query_one("#pane-body").loading = False
            self._present(translation)

    def on_worker_failed(self, message: WorkerFailed) -> None:
        """The fetch broke down (the app says how): stop the loading indicator."""
        self.query_one("#pane-body").loading = False

    def on_abstract_pane_translation_failed(self, message: TranslationFailed) -> None:
        if self.paper_id == message.paper_id:
            self.query_one("#pane-body").loading = False
            self.show_note(message.reason)
            self.notify(message.reason, severity="error", markup=False)

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
