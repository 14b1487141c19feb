"""The abstract pane with what triage knows about the paper: the watch rules it matches
(their words highlighted in the title, the abstract and the authors) and why it stands
where it does in the interest order.

Everything from the paper stays plain ``Text``; the highlights are styling spans laid
over it (:mod:`paperdeck.tui.widgets.marks_text`), never markup.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from paperdeck.storage.cache import citations as citations_store
from paperdeck.storage.cache import interest as interest_store
from paperdeck.storage.cache.database import Cache
from paperdeck.storage.cache.rules import Hits, hits_of
from paperdeck.storage.config import Config
from paperdeck.storage.models import PaperDetail
from paperdeck.storage.ranking.interest import Reason, explain
from paperdeck.tui.widgets.abstract_pane import AbstractPane
from paperdeck.tui.widgets.marks_text import WATCH_STYLE, with_names, with_phrases


def describe(hits: Hits | None, reason: Reason | None, *, no_signal: bool = False) -> Text:
    """The pane's line about watch rules and interest (empty when there is nothing)."""
    lines: list[Text] = []
    if hits is not None and hits.rules:
        line = Text("◉ Watch: ", "bold")
        line.append(", ".join(hits.rules))
        found = [" ".join(p) for p in sorted(hits.phrases)]
        found += sorted(hits.authors) + sorted(hits.categories)
        if found:
            line.append(" — ")
            line.append(", ".join(found), WATCH_STYLE)
        lines.append(line)
    if reason is not None:
        line = Text("Interest: ", "bold")
        line.append(f"#{reason.rank:,} of {reason.total:,}" if reason.rank else "not ranked yet")
        if reason.liked:
            line.append(" · like your papers in ")
            line.append(", ".join(reason.liked), "italic")
        if reason.disliked:
            line.append(" · like dismissed ones in ")
            line.append(", ".join(reason.disliked), "italic")
        if not reason.liked and not reason.disliked:
            line.append(" · shares no word with your papers")
        lines.append(line)
    elif no_signal:
        lines.append(Text(NO_SIGNAL, "italic"))
    return Text("\n").join(lines)


NO_SIGNAL = (
    "Interest order: nothing starred, on the later list, tagged or noted yet — "
    "newest first until there is"
)


def extras(cache: Cache, config: Config, paper_id: str, ranked: bool) -> tuple[Hits | None, Text]:
    """What the pane says about a paper besides the paper: its watch hits, and (when
    the view is in interest order, ``ranked``) why it stands where it does."""
    hits = hits_of(cache, paper_id, config.watch) if config.watch else None
    reason = explain(cache, paper_id) if ranked else None
    why = describe(hits, reason, no_signal=ranked and reason is None)
    cited = citations_store.load(cache, paper_id, fresh_only=False)
    if cited is not None and cited.count is not None:
        line = (f"Cited by {cited.count:,} (Semantic Scholar, {cited.fetched_at[:10]}); "
                f"{len(cited.references)} arXiv references, {len(cited.cited_by)} arXiv "
                "citing papers — C shows them")
        why = Text.assemble(why, "\n" if why.plain else "", line)
    return hits, why


class MarkedPane(AbstractPane):
    """:class:`AbstractPane` plus a line of reasons and highlighted watched words."""

    DEFAULT_CSS = """
    MarkedPane > #pane-why { color: $text-accent; padding-top: 1; }
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.hits: Hits | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="pane-why")
        yield from super().compose()

    def show_marked(self, detail: PaperDetail, hits: Hits | None, why: Text) -> None:
        """Show a paper with its watch hits highlighted and ``why`` above it."""
        self.hits = hits
        self._set("why", why)
        self.show_paper(detail)

    @staticmethod
    def interest_note(cache: Cache) -> str:
        """What the interest order was made from, in one line (or why there is none)."""
        stored = interest_store.stored(cache)
        if stored is None or not stored.positives:
            return NO_SIGNAL
        kinds = stored.profile.get("kinds", {})
        said = ", ".join(f"{count:,} {kind}" for kind, count in sorted(kinds.items()))
        dismissed = f", {stored.negatives:,} dismissed" if stored.negatives else ""
        return f"Interest order from {said}{dismissed}: papers like them first."

    def _set(self, part: str, text: Text) -> None:
        hits = self.hits
        if hits is not None and hits.rules:
            if part in ("title", "body"):
                text = with_phrases(text, hits.phrases)
            elif part == "authors":
                text = with_names(text, hits.authors)
            elif part == "meta":
                text = with_names(text, hits.categories)
        super()._set(part, text)
