"""One figure, full screen: zoom with ``+`` / ``-``, move with the arrows (or h j k l),
``o`` opens the original image in the browser, ``Escape`` goes back to the text.

The picture is drawn in half blocks like the figures in the text, scaled in a worker to
the screen (times the zoom) from the image stored with the paper (fetched first when it
is not stored yet); only the part on screen is drawn.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Footer, Static

from paperdeck.storage.fulltext.images import Picture
from paperdeck.tui.widgets.figure_cells import FigureCells, failure, load_picture
from paperdeck.tui.workers import thread_worker

ZOOMS = (1.0, 1.5, 2.0, 3.0, 4.0)


class FigureView(Widget):
    """The part of a zoomed picture that fits the widget, drawn row by row."""

    DEFAULT_CSS = """
    FigureView { height: 1fr; background: $surface; }
    FigureView > .figure-view--muted { color: $text-muted; }
    """
    COMPONENT_CLASSES = {"figure-view--muted"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.picture: Picture | None = None
        self.said = "loading the figure…"
        self.left = 0
        self.top = 0
        self._cells = FigureCells(lambda key: None)

    def show(self, picture: Picture | None, said: str = "") -> None:
        self.picture, self.said = picture, said or self.said
        self.move(0, 0)
        self.refresh()

    def move(self, columns: int, rows: int) -> None:
        """Move the window over the picture, never past its edges."""
        if self.picture is None:
            return
        self.left = max(0, min(self.left + columns, self.picture.width - self.size.width))
        self.top = max(0, min(self.top + rows, self.picture.rows - self.size.height))
        self.refresh()

    def render_line(self, y: int) -> Strip:
        base = self.rich_style
        width = self.size.width
        picture = self.picture
        if picture is None:
            if y != self.size.height // 2:
                return Strip.blank(width, base)
            muted = base + self.get_component_rich_style("figure-view--muted", partial=True)
            return Strip([Segment(f"  {self.said}", muted)]).adjust_cell_length(width, base)
        row = self.top + y
        if row >= picture.rows:
            return Strip.blank(width, base)
        pad = max(0, (width - picture.width) // 2)
        strip = Strip([Segment(" " * pad, base), *self._cells.row(picture, row)])
        if not pad:  # wider than the screen: the part the reader moved to
            strip = strip.crop(self.left, self.left + width)
        return strip.adjust_cell_length(width, base)


class FigureScreen(Screen):
    """A figure of the paper being read, as large as the terminal allows."""

    BINDINGS = [
        Binding("escape,q", "back", "Back", id="figure_back"),
        Binding("plus,equals_sign", "zoom(1)", "Zoom in", id="figure_zoom_in"),
        Binding("minus", "zoom(-1)", "Zoom out", id="figure_zoom_out"),
        Binding("left,h", "pan(-8, 0)", "Left", show=False, id="figure_left"),
        Binding("right,l", "pan(8, 0)", "Right", show=False, id="figure_right"),
        Binding("up,k", "pan(0, -4)", "Up", show=False, id="figure_up"),
        Binding("down,j", "pan(0, 4)", "Down", show=False, id="figure_down"),
        Binding("o", "original", "Original", id="figure_open"),
    ]

    DEFAULT_CSS = """
    FigureScreen #figure-caption { height: auto; max-height: 3; padding: 0 1; color: $text-muted; }
    """

    def __init__(self, paper_id: str, url: str, caption: str) -> None:
        super().__init__()
        self.paper_id, self.url, self.caption = paper_id, url, caption
        self.zoom = 0

    def compose(self) -> ComposeResult:
        yield FigureView(id="figure-view")
        yield Static(Text(self.caption), id="figure-caption")  # paper text, never markup
        yield Footer()

    @property
    def view(self) -> FigureView:
        return self.query_one(FigureView)

    def on_mount(self) -> None:
        self.call_after_refresh(self._draw)

    def on_resize(self) -> None:
        self.call_after_refresh(self._draw)

    def _draw(self) -> None:
        size = self.view.size
        if size.width and size.height:
            scale = ZOOMS[self.zoom]
            self._load(round(size.width * scale), round(size.height * scale))

    @thread_worker("Drawing a figure", group="figure-screen")
    def _load(self, cells: int, rows: int) -> None:
        try:
            result = load_picture(self, self.paper_id, self.url, cells, rows)
        except Exception as exc:  # said on the screen; the reader goes on
            result = failure(exc)
        self.app.call_from_thread(self._arrived, result)

    def _arrived(self, result: Picture | str) -> None:
        if isinstance(result, Picture):
            self.view.show(result)
        else:
            self.view.show(None, result)

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_zoom(self, step: int) -> None:
        zoom = max(0, min(len(ZOOMS) - 1, self.zoom + step))
        if zoom != self.zoom:
            self.zoom = zoom
            self._draw()

    def action_pan(self, columns: int, rows: int) -> None:
        self.view.move(columns, rows)

    def action_original(self) -> None:
        self.app.open_link(self.url)
