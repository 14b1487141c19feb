"""Keeping a paper's PDF on disk (``paperdeck pdf ID``, ``P`` in the reader).

PDFs go into ``[library] pdf_dir`` (default: a ``pdfs`` folder in the data dir), named
``<id>v<N>.pdf`` (an old-style id's ``/`` becomes ``_``: ``hep-th_9901001v2.pdf``). A file
already there is not fetched again; a PDF the cache holds as a paper's full text (a paper
with no HTML rendering) is written from the cache, offline; any other is fetched as the
full text's PDF is (:func:`~paperdeck.storage.fulltext.fetch.fetch_pdf`: ``[fulltext]
pdf_url``, one request at a time, ``delay_seconds`` apart, ``Retry-After`` honoured).
The file is written whole or not at all (a ``.part`` file renamed into place).
"""

from __future__ import annotations

import os
import time
import zlib
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from paperdeck.storage.cache import fulltext as stored_texts
from paperdeck.storage.cache.database import Cache
from paperdeck.storage.config import FulltextSettings, LibrarySettings, data_dir
from paperdeck.storage.fulltext.fetch import fetch_pdf, pdf_url
from paperdeck.storage.fulltext.model import is_pdf_url
from paperdeck.storage.http import FetchError

if TYPE_CHECKING:
    import httpx


class PdfError(Exception):
    """A PDF that could not be kept; the message is one sentence (which paper, URL or
    file, and why)."""


@dataclass(frozen=True, slots=True)
class Kept:
    path: Path
    """Where the PDF is."""
    how: str
    """``fetched``, ``from the cache`` or ``already there``."""


def pdf_folder(settings: LibrarySettings, chosen: str | Path | None = None) -> Path:
    """Where PDFs are kept: ``chosen`` (``--dir``), else ``[library] pdf_dir``, else a
    ``pdfs`` folder in the data dir."""
    folder = chosen or settings.pdf_dir
    return Path(folder).expanduser() if folder else data_dir() / "pdfs"


def file_name(paper_id: str, version: int | None) -> str:
    return paper_id.replace("/", "_") + (f"v{version}" if version else "") + ".pdf"


def keep_pdf(
    cache: Cache,
    paper_id: str,
    version: int | None,
    folder: Path,
    settings: FulltextSettings,
    *,
    client: httpx.Client | None = None,
    sleep: Callable[[float], None] = time.sleep,
    progress: Callable[[str], None] | None = None,
) -> Kept:
    """Keep the PDF of ``paper_id`` (``version``, else the version the cache knows, else
    the latest) in ``folder``; a :class:`PdfError` says why not."""
    if version is None and (paper := cache.paper(paper_id)) is not None:
        version = paper.version
    path = folder / file_name(paper_id, version)
    if version is not None and path.is_file():
        return Kept(path, "already there")
    body = _stored_pdf(cache, paper_id, version)
    how = "from the cache"
    if body is None:
        url = pdf_url(paper_id, version, settings)
        if progress is not None:
            progress(f"Fetching {url}")
        try:
            page = fetch_pdf(paper_id, version, settings, client=client, sleep=sleep)
        except FetchError as exc:
            raise PdfError(f"the PDF of {paper_id} could not be fetched: {exc}") from None
        if page is None:
            raise PdfError(f"arXiv has no PDF of {paper_id} at {url}")
        body, how = page.body, "fetched"
    _write(path, body)
    return Kept(path, how)


def _stored_pdf(cache: Cache, paper_id: str, version: int | None) -> bytes | None:
    """The PDF stored as the paper's full text, when it is of ``version`` (or of an
    unknown version when none is asked for)."""
    info = stored_texts.info(cache, paper_id)
    if info is None or not is_pdf_url(info.source_url) or info.version != version:
        return None
    try:
        body = stored_texts.page(cache, paper_id)
    except zlib.error:
        return None  # damaged: fetched again
    return body if body is not None and body.startswith(b"%PDF-") else None


def _write(path: Path, body: bytes) -> None:
    part = path.with_name(path.name + ".part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        part.write_bytes(body)
        os.replace(part, path)
    except OSError as exc:
        with suppress(OSError):
            part.unlink()
        raise PdfError(f"{path}: the PDF could not be written ({exc.strerror or exc})") from None
