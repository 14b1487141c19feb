"""``P``, in the table and on the reading screen: keep the paper's PDF in ``[library]
pdf_dir``, fetched in a worker; a note says where it is, or in one line why not."""

from __future__ import annotations

from functools import partial

from textual.app import App
from textual.screen import Screen

from paperdeck.storage.library.pdfs import PdfError, keep_pdf, pdf_folder
from paperdeck.tui.workers import run_thread, worker_cache


def keep_paper_pdf(screen: Screen, paper_id: str) -> None:
    app = screen.app
    screen.notify(f"Keeping the PDF of {paper_id}…", markup=False, timeout=3)
    job = partial(_keep, app, paper_id)
    run_thread(screen, "Keeping the PDF", job, group="keep-pdf", exclusive=False)


def _keep(app: App, paper_id: str) -> None:
    config = app.config
    folder = pdf_folder(config.library)
    try:
        kept = keep_pdf(worker_cache(app.cache.path), paper_id, None, folder, config.fulltext)
    except PdfError as error:
        app.call_from_thread(app.notify, str(error), severity="warning", markup=False)
        return
    note = f"The PDF of {paper_id} ({kept.how}): {kept.path}"
    app.call_from_thread(app.notify, note, markup=False, timeout=8)
