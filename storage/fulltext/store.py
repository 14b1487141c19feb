"""A paper's full text, from wherever it is: the cache, or arXiv (then stored).

:func:`open_document` is what ``paperdeck read``, ``paperdeck prefetch`` and the reading
screen (in a worker) call. A paper with no HTML rendering is read from its PDF
(``[fulltext] pdf_url``), stored the same way (the PDF kept as its page). A stored
document made by an older converter is converted again from the stored page, without the
network. A paper whose cached metadata names a newer version than the stored page is
fetched again (the stored one is shown when that fails).

What is stored goes through ``keep``: at once on the caller's cache (the commands), or
handed to the reader's one writer (the reading screen reads on its worker's connection
and writes nothing itself).
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from paperdeck.storage.cache import fulltext as stored_texts
from paperdeck.storage.cache.database import Cache
from paperdeck.storage.config import FulltextSettings
from paperdeck.storage.fulltext.convert import CONVERTER_VERSION, ConversionError, convert
from paperdeck.storage.fulltext.fetch import NoRendering, fetch_page, fetch_pdf, pdf_url
from paperdeck.storage.fulltext.model import Document, is_pdf_url
from paperdeck.storage.fulltext.pdf import PDF_CONVERTER_VERSION, PdfError, convert_pdf
from paperdeck.storage.http import FetchError
from paperdeck.storage.ids import parse_id

if TYPE_CHECKING:
    import httpx

__all__ = ["FullTextError", "NoRendering", "open_document", "stored_document", "prefetch"]

Keep = Callable[[Callable[[Cache], object]], object]
"""Runs a storing step: ``keep(step)`` calls ``step`` with a cache to write to."""


def at_once(cache: Cache) -> Keep:
    """The steps run on ``cache`` as they come."""
    return lambda step: step(cache)


class FullTextError(Exception):
    """The full text could not be had: the network failed, or the page is no paper. The
    message is one sentence that says which URL and why."""


def convert_page(body: bytes, url: str) -> Document:
    """:func:`convert` (or :func:`convert_pdf` for a PDF), with every way a hostile page
    can make it fail turned into a :class:`FullTextError`."""
    try:
        if body.startswith(b"%PDF-"):
            return convert_pdf(body, url)
        return convert(body, url)
    except PdfError as exc:
        raise FullTextError(str(exc)) from None
    except ConversionError as exc:
        raise FullTextError(f"{url} is not a paper's rendering: {exc}") from None
    except RecursionError:
        raise FullTextError(f"{url}: the page nests too deeply to be read") from None


def stored_document(cache: Cache, paper_id: str, keep: Keep | None = None) -> Document | None:
    """The stored document, converted again first when the converter is newer than the
    one that made it (a newer converter's document is read, or converted for this once,
    never overwritten); None when nothing (usable) is stored."""
    found = stored_texts.document(cache, paper_id)
    if found is None:
        return None
    info, data = found
    expected = _converter_for(info.source_url)
    if info.converter >= expected:  # a newer paperdeck's is kept, never downgraded
        try:
            return Document.from_json(data)
        except (ValueError, KeyError, TypeError):
            pass  # damaged: converted again below
    try:
        html = stored_texts.page(cache, paper_id)
    except zlib.error:
        return None
    if html is None:
        return None
    try:
        document = convert_page(html, info.source_url)
    except FullTextError:
        return None
    if info.converter < expected:
        data = document.to_json()
        (keep or at_once(cache))(
            lambda into: stored_texts.replace_document(into, paper_id, document.converter, data)
        )
    return document


def _converter_for(source_url: str) -> int:
    """The converter version a stored page's document should have been made by."""
    return PDF_CONVERTER_VERSION if is_pdf_url(source_url) else CONVERTER_VERSION


def open_document(
    cache: Cache,
    paper_id: str,
    settings: FulltextSettings,
    *,
    progress: Callable[[str], None] | None = None,
    client: httpx.Client | None = None,
    sleep: Callable[[float], None] = time.sleep,
    keep: Keep | None = None,
) -> Document:
    """The paper's document: stored, or fetched, converted and stored now (by ``keep``).

    Raises :class:`NoRendering` (no HTML rendering anywhere: one sentence with the PDF
    link) or :class:`FullTextError` (the network or the page failed)."""
    keep = keep or at_once(cache)
    paper = cache.paper(paper_id)
    version = paper.version if paper is not None else None
    try:
        document = stored_document(cache, paper_id, keep)
    except zlib.error:
        document = None
    if document is not None:
        info = stored_texts.info(cache, paper_id)
        outdated = info is not None and info.version and version and version > info.version
        if not outdated:
            return document
        try:
            return _fetch_and_store(keep, paper_id, version, settings, progress, client, sleep)
        except (NoRendering, FullTextError):
            return document  # the older version, rather than nothing
    return _fetch_and_store(keep, paper_id, version, settings, progress, client, sleep)


def _fetch_and_store(keep, paper_id, version, settings, progress, client, sleep) -> Document:
    try:
        try:
            page = fetch_page(
                paper_id, version, settings, client=client, sleep=sleep, progress=progress
            )
        except NoRendering as no_html:
            page = fetch_pdf(
                paper_id, version, settings, client=client, sleep=sleep, progress=progress
            )
            if page is None:
                raise no_html from None
    except FetchError as exc:
        raise FullTextError(str(exc)) from None
    if progress is not None:
        progress(f"Converting {len(page.body) // 1024:,} KB")
    document = convert_page(page.body, page.url)
    data = document.to_json()
    keep(
        lambda cache: stored_texts.save(
            cache,
            paper_id,
            version=_version_in(page.url) or None,
            source_url=page.url,
            html=page.body,
            converter=document.converter,
            document_json=data,
        )
    )
    return document


def _version_in(url: str) -> int | None:
    """The version a page URL names (``…/html/2406.99002v2`` → 2)."""
    path = urlsplit(url).path.rstrip("/").removesuffix(".pdf")
    tail = path.rpartition("/pdf/" if is_pdf_url(url) else "/html/")[2]
    parsed = parse_id(tail)
    return parsed[1] if parsed else None


@dataclass
class PrefetchSummary:
    stored: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    no_rendering: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed

    def describe(self) -> str:
        parts = [
            f"{len(self.stored)} stored",
            f"{len(self.already)} already stored",
            f"{len(self.no_rendering)} without an HTML rendering",
        ]
        if self.failed:
            parts.append(f"{len(self.failed)} failed")
        return ", ".join(parts)


def prefetch(
    cache: Cache,
    paper_ids: Iterable[str],
    settings: FulltextSettings,
    *,
    progress: Callable[[str], None] | None = None,
    client: httpx.Client | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> PrefetchSummary:
    """Store the full texts of ``paper_ids`` that are not stored yet, one request at a
    time (``delay_seconds`` apart), saying how each went through ``progress``."""
    summary = PrefetchSummary()
    ids = list(dict.fromkeys(paper_ids))
    say = progress or (lambda line: None)
    for number, paper_id in enumerate(ids, start=1):
        where = f"[{number}/{len(ids)}] {paper_id}"
        if stored_texts.has(cache, paper_id):
            summary.already.append(paper_id)
            say(f"{where}: already stored")
            continue
        try:
            open_document(
                cache,
                paper_id,
                settings,
                progress=lambda line, where=where: say(f"{where}: {line}"),
                client=client,
                sleep=sleep,
            )
        except NoRendering:
            summary.no_rendering.append(paper_id)
            paper = cache.paper(paper_id)
            say(f"{where}: no HTML rendering (PDF: {pdf_url(paper_id, paper and paper.version)})")
        except FullTextError as exc:
            summary.failed.append((paper_id, str(exc)))
            say(f"{where}: failed: {exc}")
        else:
            summary.stored.append(paper_id)
            say(f"{where}: stored")
    return summary
