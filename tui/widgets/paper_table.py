"""The paper table: a Line-API scroll view that renders only the visible rows.

Rows come from a :class:`paperdeck.storage.cache.views.PaperList` a window at a time, so
the table opens and moves as fast on a million papers as on a hundred. Text from papers is
drawn as plain segments: markup in a title can never style the screen.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget

from paperdeck.storage.cache.views import PaperList
from paperdeck.storage.models import PaperRow

WATCH_MARK = "◉ "
"""Before the title of a paper a ``[[watch]]`` rule matches."""
FULLTEXT_MARK = "¶ "
"""After the title of a paper whose full text is stored (it reads offline)."""
FETCH = 120
"""Rows fetched per window (a tall screen and some margin)."""
KEEP = 2_000
"""Rows kept in memory before the far ones are dropped."""


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    label: str
    width: int
    sort: str | None = None


def layout(width: int) -> list[Column]:
    """The columns for a table ``width`` cells wide; the title takes what is left."""
    columns = [Column("state", "", 5), Column("date", "Date", 10, "date")]
    author = Column("author", "First author", 24 if width >= 110 else 18, "author")
    topics = Column("topics", "Topics", 16)
    fixed = [author, topics] if width >= 100 else [author] if width >= 64 else []
    spare = width - sum(c.width + 1 for c in columns + fixed) - 1
    return [*columns, Column("title", "Title", max(spare, 8), "title"), *fixed]


def fit(text: str, width: int) -> str:
    """``text`` in exactly ``width`` cells, cut with an ellipsis when too long."""
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(text, width - 1) + "…" if width > 0 else ""


class ColumnHeader(Widget):
    """The column names; a click on one sorts by it."""

    DEFAULT_CSS = """
    ColumnHeader {
        height: 1;
        background: $panel;
        color: $text-muted;
        text-style: bold;
    }
    """

    sort: reactive[str] = reactive("date")

    class SortRequested(Message):
        def __init__(self, sort: str) -> None:
            super().__init__()
            self.sort = sort

    def render_line(self, y: int) -> Strip:
        segments, base = [], self.rich_style
        for column in layout(self.size.width):
            label = column.label + (" ▾" if column.sort == self.sort and column.sort else "")
            segments.append(Segment(fit(label, column.width) + " ", base))
        return Strip(segments).crop(0, self.size.width)

    def on_click(self, event: events.Click) -> None:
        x = 0
        for column in layout(self.size.width):
            if x <= event.x < x + column.width + 1 and column.sort:
                self.post_message(self.SortRequested(column.sort))
                return
            x += column.width + 1


class PaperTable(ScrollView, can_focus=True):
    """Papers of one view, newest first (or as sorted), one line each."""

    COMPONENT_CLASSES = {
        "paper-table--cursor",
        "paper-table--read",
        "paper-table--unread",
        "paper-table--star",
        "paper-table--muted",
        "paper-table--watch",
    }

    DEFAULT_CSS = """
    PaperTable {
        background: $surface;
        scrollbar-gutter: stable;
        overflow-x: hidden;
    }
    PaperTable > .paper-table--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: bold;
    }
    PaperTable:blur > .paper-table--cursor {
        background: $block-cursor-blurred-background;
        text-style: none;
    }
    PaperTable > .paper-table--unread { text-style: bold; }
    PaperTable > .paper-table--read { color: $text-muted; }
    PaperTable > .paper-table--star { color: $warning; }
    PaperTable > .paper-table--muted { color: $text-muted; }
    PaperTable > .paper-table--watch { color: $accent; text-style: bold; }
    """

    BINDINGS = [
        Binding("j,down", "cursor_down", "Down", show=False, id="down"),
        Binding("k,up", "cursor_up", "Up", show=False, id="up"),
        Binding("g,home", "first", "Newest", show=False, id="first"),
        Binding("G,end", "last", "Oldest", show=False, id="last"),
        Binding("pagedown", "page_down", "Page down", show=False, id="page_down"),
        Binding("pageup", "page_up", "Page up", show=False, id="page_up"),
        Binding("enter", "select", "Abstract", id="open"),
    ]

    cursor: reactive[int] = reactive(0, init=False)

    class Highlighted(Message):
        """The cursor moved to another paper: by the user, or because the rows were
        loaded again (``by_user`` False)."""

        def __init__(self, row: PaperRow | None, index: int, by_user: bool = True) -> None:
            super().__init__()
            self.row = row
            self.index = index
            self.by_user = by_user

    class Selected(Message):
        """Enter (or a click on the highlighted row) asked for a paper's abstract."""

        def __init__(self, row: PaperRow, index: int) -> None:
            super().__init__()
            self.row = row
            self.index = index

    def __init__(
        self, pending: Mapping[str, Mapping[str, bool]] | None = None, *, id: str | None = None
    ) -> None:
        """``pending``: per paper, a state to show over what the cache says (a mark on
        its way to the cache)."""
        super().__init__(id=id)
        self.papers: PaperList | None = None
        self.pending = pending if pending is not None else {}
        self._rows: dict[int, PaperRow] = {}

    # --- data ------------------------------------------------------------------------

    @property
    def total(self) -> int:
        return self.papers.total if self.papers else 0

    def show(
        self,
        papers: PaperList,
        keep: PaperRow | None = None,
        first: list[PaperRow] = (),
        at: int | None = None,
        by_user: bool = True,
    ) -> None:
        """Show ``papers`` with the cursor on row ``at``, else on paper ``keep``. When
        ``keep`` is not in the view, a load the reader asked for (``by_user``) starts at
        the top, a reload where the paper stood. ``first``: the first rows, already
        fetched (by a worker)."""
        self.papers = papers
        self._rows = dict(enumerate(first))
        papers.seed(list(first))
        self.virtual_size = Size(self.size.width, papers.total)
        if at is None and keep is not None:
            at = papers.index_of(keep.id) if by_user else papers.position(keep)
        self._set_cursor(at or 0, force=True, by_user=by_user)
        self.refresh()

    def set_total(self, total: int) -> None:
        """The view was counted: extend the scroll range (the rows stay as they are)."""
        if self.papers is not None and total != self.papers.total:
            self.papers.total = total
            self.virtual_size = Size(self.size.width, total)
            self.refresh()

    def update_row(self, index: int, paper_id: str, **state: bool) -> bool:
        """Show paper ``paper_id``'s new read/starred state at row ``index`` without
        asking the view again; False when that row holds another paper now (or is not
        loaded): a view loaded since shows the state already."""
        shown = self._rows.get(index)
        if shown is None or shown.id != paper_id:
            return False
        self._rows[index] = replace(shown, **state)
        self.refresh_line(index)
        return True

    def row(self, index: int) -> PaperRow | None:
        if self.papers is None or not 0 <= index < self.papers.total:
            return None
        found = self._rows.get(index)
        if found is None:
            if len(self._rows) > KEEP:
                self._rows.clear()
            start = max(0, index - FETCH // 4)
            for offset, row in enumerate(self.papers.window(start, FETCH), start=start):
                self._rows[offset] = row
            found = self._rows.get(index)
        if found is not None and (state := self.pending.get(found.id)):
            return replace(found, **state)
        return found

    @property
    def current(self) -> PaperRow | None:
        return self.row(self.cursor)

    # --- cursor ----------------------------------------------------------------------

    def _set_cursor(self, index: int, force: bool = False, by_user: bool = True) -> None:
        index = max(0, min(index, self.total - 1)) if self.total else 0
        if index == self.cursor and not force:
            return
        old = self.cursor
        self.set_reactive(PaperTable.cursor, index)
        self.refresh_line(old)
        self.refresh_line(index)
        self._scroll_to_cursor()
        self.post_message(self.Highlighted(self.current, index, by_user))

    def move_to(self, index: int) -> None:
        self._set_cursor(index)

    def _scroll_to_cursor(self) -> None:
        """Scroll so the cursor's row is on screen. Forced: a view shown in place of one
        that fitted the screen has no scroll bar yet, and would not scroll otherwise."""
        height = self.scrollable_content_region.height or 1
        top = self.scroll_offset.y
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True, force=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True, force=True)

    def action_cursor_down(self) -> None:
        self._set_cursor(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self._set_cursor(self.cursor - 1)

    def action_first(self) -> None:
        self._set_cursor(0)

    def action_last(self) -> None:
        self._set_cursor(self.total - 1)

    def action_page_down(self) -> None:
        self._set_cursor(self.cursor + max(1, self.scrollable_content_region.height - 1))

    def action_page_up(self) -> None:
        self._set_cursor(self.cursor - max(1, self.scrollable_content_region.height - 1))

    def action_select(self) -> None:
        row = self.current
        if row is not None:
            self.post_message(self.Selected(row, self.cursor))

    def on_click(self, event: events.Click) -> None:
        index = self.scroll_offset.y + event.y
        if not 0 <= index < self.total:
            return
        if index == self.cursor or event.chain > 1:
            self._set_cursor(index)
            self.action_select()
        else:
            self._set_cursor(index)

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, self.total)

    # --- drawing ---------------------------------------------------------------------

    def _overlay(self, name: str) -> Style:
        """A component style without its background, to lay over a row's own."""
        style = self.get_component_rich_style(name, partial=True)
        return Style(color=style.color, bold=style.bold, dim=style.dim, italic=style.italic)

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.size.width
        row = self.row(index)
        if row is None:
            return Strip.blank(width, self.rich_style)
        style = self.rich_style + self._overlay(
            "paper-table--read" if row.read else "paper-table--unread"
        )
        cursor = index == self.cursor
        if cursor:
            style += self.get_component_rich_style("paper-table--cursor")
        return Strip(self._cells(row, width, style, cursor), width).crop(0, width)

    def _title(self, row: PaperRow, width: int, style: Style, muted: Style) -> list[Segment]:
        """``◉`` when a ``[[watch]]`` rule matches the paper, the title, then ``¶`` for a
        stored full text, ``◷`` for the read-later list and the tags (``#cite``), which take
        at most half the column."""
        segments: list[Segment] = []
        if row.watched:
            segments.append(Segment(WATCH_MARK, style + self._overlay("paper-table--watch")))
            width -= cell_len(WATCH_MARK)
        marks = (FULLTEXT_MARK if row.fulltext else "") + ("◷ " if row.later else "")
        marks += " ".join(f"#{tag}" for tag in row.tags)
        if not marks:
            return [*segments, Segment(fit(row.title, width) + " ", style)]
        room = min(cell_len(marks) + 1, width // 2)
        return [
            *segments,
            Segment(fit(row.title, width - room) + " ", style),
            Segment(fit(marks.rstrip(), room - 1) + " ", muted),
        ]

    def _cells(self, row: PaperRow, width: int, style: Style, cursor: bool) -> list[Segment]:
        star = style + self._overlay("paper-table--star")
        muted = style if cursor else style + self._overlay("paper-table--muted")
        segments: list[Segment] = []
        for column in layout(width):
            if column.key == "state":
                segments += [
                    Segment(" " if row.read else "●", style),
                    Segment("★" if row.starred else " ", star),
                    Segment("</>" if row.has_code else "   ", muted),
                    Segment(" ", style),
                ]
                continue
            if column.key == "date":
                text, cell_style = row.published, muted
            elif column.key == "title":
                segments += self._title(row, column.width, style, muted)
                continue
            elif column.key == "author":
                more = f" +{row.n_authors - 1}" if row.n_authors > 1 else ""
                text, cell_style = row.first_author + more, style
            else:
                text, cell_style = ", ".join(row.topics), muted
            segments.append(Segment(fit(text, column.width) + " ", cell_style))
        return segments
