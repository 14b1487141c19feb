"""The table of contents beside a paper's text: its headings, ``j``/``k`` to move."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import OptionList


class Contents(OptionList):
    """The paper's headings; the one the reader is in is highlighted (the screen says
    which), ``Enter`` goes there."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="contents_down"),
        Binding("k", "cursor_up", "Up", show=False, id="contents_up"),
    ]
