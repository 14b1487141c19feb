"""The full-text screen: a paper's text beside its table of contents.

It opens at once with a loading line; a worker brings the document — from the cache, or
fetched, converted and stored by the reader's writer
(:func:`paperdeck.storage.fulltext.store.open_document`) — and lays it out for the text's
width, so the UI never waits. A paper reopens where it was left: the position is written
(by the writer) when the screen closes.

The screen routes: the text widget owns moving, finding and drawing; the screen wires
keys to it, keeps the contents in step and opens links, figures and referenced papers.
"""

from __future__ import annotations

import bisect
from dataclasses import replace

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.css.query import NoMatches
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from paperdeck.storage.cache import fulltext as stored_texts
from paperdeck.storage.cache import highlights as stored_highlights
from paperdeck.storage.cache.database import CacheError
from paperdeck.storage.cache.highlights import Highlight
from paperdeck.storage.fulltext import model
from paperdeck.storage.fulltext.fetch import pdf_url
from paperdeck.storage.fulltext.model import Document
from paperdeck.storage.models import Paper
from paperdeck.tui.copying import copy_paper
from paperdeck.tui.highlighting import Highlighting, HighlightsChanged
from paperdeck.tui.marks import StarToggle
from paperdeck.tui.pdf_keeping import keep_paper_pdf
from paperdeck.tui.screens.figure import FigureScreen
from paperdeck.tui.screens.help import HelpScreen
from paperdeck.tui.screens.references import ReferenceList
from paperdeck.tui.widgets.answer_panel import AnswerPanel, show_citation
from paperdeck.tui.widgets.contents import Contents
from paperdeck.tui.widgets.paper_text import PaperText
from paperdeck.tui.widgets.text_layout import Layout, lay_out
from paperdeck.tui.workers import thread_worker, worker_cache
from paperdeck.tui.writer import Write

FOOTER_AFTER_S = 0.4
"""When the footer comes while a paper is still being fetched."""
TOC_CELLS = 31
"""Cells of a heading shown in the contents (one line each: the rest is cut)."""


class FullTextScreen(Screen):
    """One paper's full text; ``Escape`` returns to the screen below."""

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]

    BINDINGS = [
        Binding("escape,q", "back", "Back", id="fulltext_back"),
        Binding("tab", "switch_focus", "Contents", id="fulltext_contents"),
        Binding("right_square_bracket", "next_section", "Next section", id="fulltext_next_section"),
        Binding(
            "left_square_bracket",
            "previous_section",
            "Previous section",
            show=False,
            id="fulltext_previous_section",
        ),
        Binding("slash", "find", "Find", id="fulltext_find"),
        Binding("n", "find_next", "Next match", id="fulltext_find_next"),
        Binding("N", "find_previous", "Previous match", show=False, id="fulltext_find_previous"),
        Binding("b", "references", "References", id="fulltext_references"),
        Binding("a", "ask", "Ask", id="fulltext_ask"),
        Binding("o", "open_arxiv", "arXiv", show=False, id="open_arxiv"),
        Binding("p", "open_pdf", "PDF", id="open_pdf"),
        Binding("c", "open_code", "Code", show=False, id="open_code"),
        Binding("y", "copy", "Copy", show=False, id="copy"),
        Binding("P", "keep_pdf", "Keep the PDF", show=False, id="keep_pdf"),
        Binding("s", "star", "Star", show=False, id="star"),
        Binding("v", "highlight", "Highlight", show=False, id="highlight"),
        Binding("H", "highlights", "Highlights", show=False, id="highlights"),
        Binding("question_mark", "help", "Keys", id="help"),
    ]

    class Loaded(Message):
        def __init__(
            self,
            document: Document,
            position: tuple[int, int] | None,
            layout: Layout,
            note: str,
            highlights: list[Highlight],
        ) -> None:
            super().__init__()
            self.document = document
            self.highlights = highlights
            self.position = position
            self.layout = layout
            self.note = note

    class Failed(Message):
        def __init__(self, reason: str, pdf: str | None) -> None:
            super().__init__()
            self.reason = reason
            self.pdf = pdf

    class Progress(Message):
        def __init__(self, line: str) -> None:
            super().__init__()
            self.line = line

    def __init__(self, paper_id: str, *, look_up: bool = False) -> None:
        """``look_up``: bring the paper's metadata in from arXiv first when the cache
        does not hold it (a paper opened from a reference)."""
        super().__init__()
        self.paper_id = paper_id
        self.look_up = look_up
        self.paper: Paper | None = None
        self._saved = False
        self._heading_blocks: list[int] = []
        self._find_status = ""
        self._where = ""

    # --- layout -----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(id="ft-title")
        with Horizontal(id="ft-body"):
            yield Contents(id="toc")
            yield PaperText(id="text")
            yield AnswerPanel(self.paper_id, id="answer")
        yield Input(placeholder="Find in the paper…", id="find")
        yield Static(id="ft-status")
        # The footer comes once the text is drawn (or after FOOTER_AFTER_S): styling and
        # drawing its keys costs as much as the first lines of a stored paper.

    @property
    def text(self) -> PaperText:
        return self.query_one(PaperText)

    @property
    def toc(self) -> Contents:
        return self.query_one("#toc", Contents)

    def on_mount(self) -> None:
        self.highlighting = Highlighting(self, self.text, self.paper_id)
        self.paper = self.app.cache.paper(self.paper_id)
        title = self.paper.title if self.paper else self.paper_id
        self.query_one("#ft-title", Static).update(Text(f"{title}  ·  {self.paper_id}"))
        self.query_one("#find").display = False
        self.text.show_message(f"Opening the full text of {self.paper_id}…")
        self.text.focus()
        self._status("Loading…")
        self._load(self.paper_id)
        self.set_timer(FOOTER_AFTER_S, self._add_footer)

    def _add_footer(self) -> None:
        if not self.query(Footer):
            self.mount(Footer())
            self.call_after_refresh(self.refresh_bindings)  # the footer lists them then

    def _status(self, line: str, find: str | None = None) -> None:
        """The status line: where the reader is, then what a find found (kept as the
        reader moves on)."""
        if find is not None:
            self._find_status = find
        line = f"{line}  ·  {self._find_status}" if self._find_status else line
        self.query_one("#ft-status", Static).update(Text(line))

    # --- loading ----------------------------------------------------------------------

    @thread_worker("Opening the full text", group="fulltext-load")
    def _load(self, paper_id: str) -> None:
        from paperdeck.storage.fulltext.lookup import LookupFailed, bring_in
        from paperdeck.storage.fulltext.store import FullTextError, NoRendering, open_document

        config = self.app.config
        note = ""
        try:
            cache = worker_cache(self.app.cache.path)  # reads; the writer stores
            keep = self.app.writer.keep(f"Storing the full text of {paper_id}", self)
            if self.look_up and cache.paper(paper_id) is None:
                self.post_message(self.Progress(f"Asking arXiv about {paper_id}…"))
                try:
                    bring_in(cache, paper_id, config.arxiv, keep)
                except LookupFailed as exc:
                    note = str(exc)
                    if exc.unreachable and not stored_texts.has(cache, paper_id):
                        self.post_message(self.Failed(note, None))  # offline: no page either
                        return
            document = open_document(
                cache,
                paper_id,
                config.fulltext,
                progress=lambda line: self.post_message(self.Progress(line)),
                keep=keep,
            )
            position = stored_texts.position(cache, paper_id)
            highlights = stored_highlights.of_paper(cache, paper_id)
        except NoRendering as exc:
            self.post_message(self.Failed(str(exc), exc.pdf_url))
            return
        except (FullTextError, CacheError) as exc:
            self.post_message(self.Failed(str(exc), None))
            return
        except Exception as exc:  # a page no test foresaw: a sentence, never a crash
            reason = (
                f"the full text of {paper_id} could not be opened ({type(exc).__name__}: {exc})"
            )
            self.post_message(self.Failed(reason, None))
            return
        try:
            # Laid out here for the width the text has by now (the screen is up): the UI
            # thread only swaps it in (it lays out again if the terminal was resized).
            layout = lay_out(document, self.text.text_width, figures=self.text.figures_on)
        except NoMatches:
            return  # the reader left the screen meanwhile; the paper is stored for next time
        self.post_message(self.Loaded(document, position, layout, note, highlights))

    def on_full_text_screen_progress(self, message: Progress) -> None:
        if self.text.document is None:
            self.text.show_message(message.line + "…")
            self._status(message.line)

    def on_full_text_screen_failed(self, message: Failed) -> None:
        lines = ["", message.reason]
        if message.pdf:
            lines += ["", "Press p to open the PDF, Escape to go back."]
        else:
            lines += ["", "Press Escape to go back; f on the paper tries again."]
        self.text.show_message(*lines)
        self._status(message.reason)
        self.paper = self.app.cache.paper(self.paper_id) or self.paper
        self.call_after_refresh(self._add_footer)

    def on_full_text_screen_loaded(self, message: Loaded) -> None:
        document = message.document
        self.paper = self.app.cache.paper(self.paper_id) or self.paper
        if self.paper is None:
            title = document.title
            self.query_one("#ft-title", Static).update(Text(f"{title}  ·  {self.paper_id}"))
        self.text.show(document, message.position, message.layout, paper_id=self.paper_id)
        self.text.show_highlights(message.highlights)
        self.call_after_refresh(self._fill_contents, document)  # the text first
        self.call_after_refresh(self._add_footer)
        notes = [note for note in (message.note, *document.notes) if note]
        if notes:
            self.notify("; ".join(notes), title="Full text", markup=False, timeout=8)

    def _fill_contents(self, document: Document) -> None:
        options = []
        for index, block in document.headings():
            prompt = Text("  " * (block.level - 1), no_wrap=True, overflow="ellipsis")
            if block.label:
                prompt.append(block.label + " ", style="dim")
            prompt.append(" ".join(model.plain(block.spans).split()))  # text, never markup
            prompt.truncate(TOC_CELLS, overflow="ellipsis")
            options.append(Option(prompt, id=str(index)))
        self.toc.clear_options()
        self.toc.add_options(options)
        self._heading_blocks = [index for index, _ in document.headings()]
        self._sync_contents(self.text.cursor_block or 0)

    # --- following the text -----------------------------------------------------------

    def on_paper_text_cursor_moved(self, message: PaperText.CursorMoved) -> None:
        self._sync_contents(message.block)

    def _sync_contents(self, block: int) -> None:
        document = self.text.document
        if document is None:
            return
        blocks = self._heading_blocks
        at = bisect.bisect_right(blocks, block) - 1
        if at >= 0 and not self.toc.has_focus:
            self.toc.highlighted = at
        section = model.plain(document.blocks[blocks[at]].spans) if at >= 0 else ""
        label = document.blocks[blocks[at]].label if at >= 0 else ""
        total = max(1, self.text.line_count - 1)
        percent = round(100 * self.text.cursor / total)
        where = f"{label} {section}".strip() or document.title
        self._where = f"{where}  ·  {percent}%"
        self._status(self._where)

    @on(OptionList.OptionSelected, "#toc")
    def _chosen_in_contents(self, event: OptionList.OptionSelected) -> None:
        self.text.jump_to_block(int(event.option.id))
        self.text.focus()
        self.remove_class("-toc-shown")

    def on_paper_text_activated(self, message: PaperText.Activated) -> None:
        document = self.text.document
        if document is None:
            return
        block = document.blocks[message.block]
        if block.kind == model.FIGURE:
            if block.url and self.text.figures_on:
                caption = f"{block.label}: {model.plain(block.spans)}"
                self.app.push_screen(FigureScreen(self.paper_id, block.url, caption))
            elif block.url:
                self.app.open_link(block.url)
            else:
                self.notify("This figure's image has no http(s) link to open.")
        elif block.kind == model.REFERENCE and block.arxiv:
            self._open_paper(block.arxiv)
        elif cited := document.cited_in(message.line):  # the references, without leaving
            said = "\n".join(f"{ref.label} {' '.join(ref.plain.split())}" for ref in cited[:4])
            self.notify(said, title="Cited here", markup=False, timeout=12)

    def on_paper_text_passage_chosen(self, message: PaperText.PassageChosen) -> None:
        self.highlighting.chosen(message.blocks, message.quote)

    def on_highlights_changed(self, message: HighlightsChanged) -> None:
        self.highlighting.changed(message)

    # --- actions ----------------------------------------------------------------------

    def action_highlight(self) -> None:
        self.highlighting.toggle()

    def action_highlights(self) -> None:
        self.highlighting.list()

    def action_back(self) -> None:
        if self.highlighting.cancel():
            return
        if self.query_one(AnswerPanel).escape():
            self.text.focus()
            return
        find = self.query_one("#find", Input)
        if find.has_focus:
            find.display = False
            self.text.focus()
            return
        if self.has_class("-toc-shown"):
            self.remove_class("-toc-shown")
            self.text.focus()
            return
        self._save_position()
        self.app.pop_screen()

    def _save_position(self) -> None:
        if self._saved or self.text.document is None:
            return
        self._saved = True
        block, row = self.text.position()
        paper_id = self.paper_id
        self.app.writer.submit(  # the app's writer: saved even when the reader quits now
            Write(
                "the reading position",
                lambda cache: stored_texts.save_position(cache, paper_id, block, row),
            ),
            self.app,
        )

    def action_help(self) -> None:
        """Every key of this screen — the text's and the screen's — as the keymap has them."""
        found: dict[str, tuple[list[str], str]] = {}
        for key, active in self.active_bindings.items():
            binding = active.binding
            if binding.description and binding.id:  # ours, not Textual's scrolling keys
                keys, _ = found.setdefault(binding.id or binding.action, ([], binding.description))
                keys.append(self.app.get_key_display(replace(binding, key=key)))
        self.app.push_screen(
            HelpScreen([(" / ".join(keys), said) for keys, said in found.values()])
        )

    def action_switch_focus(self) -> None:
        if self.toc.has_focus:
            self.remove_class("-toc-shown")
            self.text.focus()
        else:
            self.add_class("-toc-shown")
            self.toc.focus()

    def action_next_section(self) -> None:
        if self.text.document is not None and not self.text.next_section():
            self.notify("This is the last section.", timeout=2)
        self.text.focus()

    def action_previous_section(self) -> None:
        if self.text.document is not None and not self.text.previous_section():
            self.notify("This is the first section.", timeout=2)
        self.text.focus()

    def action_find(self) -> None:
        if self.text.document is None:
            return
        find = self.query_one("#find", Input)
        find.display = True
        find.value = self.text.find_text
        find.focus()

    @on(Input.Changed, "#find")
    def _typed(self, event: Input.Changed) -> None:
        count = self.text.find(event.value)
        if event.value.strip():
            found = f"{count:,} matches for “{event.value}”" if count else "no match"
        else:
            found = ""
        self._status(self._where, find=found)

    @on(Input.Submitted, "#find")
    def _submitted(self, event: Input.Submitted) -> None:
        event.input.display = False
        self.text.focus()
        if event.value.strip():
            self.action_find_next()

    def action_find_next(self, backwards: bool = False) -> None:
        if not self.text.find_text.strip():
            self.notify("Press / to find text in the paper first.", timeout=3)
            return
        found = self.text.find_next(backwards=backwards)
        if found is None:
            self.notify(f"No match for “{self.text.find_text}”.", markup=False, timeout=3)
            return
        number, total = found
        self._status(self._where, find=f"match {number} of {total} for “{self.text.find_text}”")

    def action_find_previous(self) -> None:
        self.action_find_next(backwards=True)

    def action_ask(self) -> None:
        if self.text.document is None:
            self.notify("The paper's text is not here yet.", timeout=3)
            return
        self.query_one(AnswerPanel).open()

    def on_answer_panel_citation_chosen(self, message: AnswerPanel.CitationChosen) -> None:
        document = self.text.document
        if document is not None:
            show_citation(self.text, document, message.block, message.quote)
            if not message.found:
                self.notify(
                    f"This quote is not in {message.block}.", severity="warning", markup=False
                )

    def action_references(self) -> None:
        document = self.text.document
        if document is None:
            return
        references = document.references()
        if not references:
            self.notify("This paper lists no references.")
            return
        self.app.push_screen(ReferenceList(references), self._reference_chosen)

    def _reference_chosen(self, block_index: int | None) -> None:
        document = self.text.document
        if block_index is None or document is None:
            return
        block = document.blocks[block_index]
        if block.arxiv:
            self._open_paper(block.arxiv)
        else:
            self.text.jump_to_block(block_index)
            self.text.focus()
            self.notify("This reference names no arXiv paper; here it is in the list.")

    def _open_paper(self, paper_id: str) -> None:
        if paper_id == self.paper_id:
            self.notify("That is this paper.")
            return
        self._save_position()
        self._saved = False  # this screen stays: its position is written again when it closes
        self.app.push_screen(FullTextScreen(paper_id, look_up=True))

    def action_open_arxiv(self) -> None:
        self.app.open_link(
            self.paper.abs_url if self.paper else f"https://arxiv.org/abs/{self.paper_id}"
        )

    def action_open_pdf(self) -> None:
        self.app.open_link(self.paper.pdf_url if self.paper else pdf_url(self.paper_id, None))

    def action_open_code(self) -> None:
        self.app.open_code(self.paper.code_urls if self.paper else [])

    def action_copy(self) -> None:
        copy_paper(self, self.paper_id)

    def action_keep_pdf(self) -> None:
        keep_paper_pdf(self, self.paper_id)

    def action_star(self) -> None:
        if self.paper is None:
            self.notify("This paper is not in the cache, so it cannot be starred.")
            return
        self.app.writer.submit(StarToggle(self.paper_id), self.app)  # as the table's stars
