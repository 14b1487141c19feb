"""``y`` then a key, in the table and on the reading screen: a paper's link, BibTeX entry
or citation key to the clipboard (OSC 52 through Textual, so it works over SSH)."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from textual.app import App
from textual.screen import Screen

from paperdeck.storage.library.copies import WHAT, CopyError, copy_text
from paperdeck.tui.screens.copy_chooser import CopyChooser
from paperdeck.tui.workers import run_thread, worker_cache


def copy_paper(screen: Screen, paper_id: str) -> None:
    """Ask what to copy of ``paper_id``, then copy it; the text is made in a worker (a key
    may be pinned) and a note says what was copied."""

    def chosen(what: str | None) -> None:
        if what is not None:
            job = partial(_copy, screen.app, screen.app.cache.path, paper_id, what)
            run_thread(screen, f"Copying the {WHAT[what]}", job, group="copy")

    screen.app.push_screen(CopyChooser(paper_id), chosen)


def _copy(app: App, path: Path, paper_id: str, what: str) -> None:
    try:
        text = copy_text(worker_cache(path), paper_id, what)
    except CopyError as error:
        app.call_from_thread(app.notify, str(error), severity="warning", markup=False)
        return
    app.call_from_thread(_copied, app, text, f"Copied the {WHAT[what]} of {paper_id}")


def _copied(app: App, text: str, note: str) -> None:
    app.copy_to_clipboard(text)
    app.notify(note, markup=False, timeout=3)
