"""The reader on a cache of the full-text fixture papers, for Pilot tests and snapshots:
documents stored without the network, an app whose full-text URLs lead nowhere (or to a
loopback server), and the wait for its writer and workers."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from paperdeck.storage.cache import figures as stored_images
from paperdeck.storage.cache import fulltext as stored_texts
from paperdeck.storage.cache.database import Cache
from paperdeck.storage.config import ArxivSettings, Config, FulltextSettings
from paperdeck.storage.fulltext.store import convert_page
from paperdeck.tui.app import PaperdeckApp
from tests.support.fulltext import served
from tests.support.loopback import LoopbackServer
from tests.tui_support import settle as settle  # the writer's work and the workers' done

OFFLINE = FulltextSettings(
    html_url="http://127.0.0.1:9/html/",
    ar5iv_url="http://127.0.0.1:9/ar5iv/",
    pdf_url="http://127.0.0.1:9/pdf/",
    delay_seconds=0,
)
"""A closed port: no test reaches arxiv.org."""


def store(cache: Cache, paper_id: str, page: bytes, url: str) -> None:
    """``page`` (HTML, or a PDF) converted and stored as ``paper_id``'s full text, as if
    fetched from ``url``."""
    document = convert_page(page, url)
    stored_texts.save(
        cache,
        paper_id,
        version=cache.paper(paper_id).version,
        source_url=url,
        html=page,
        converter=document.converter,
        document_json=document.to_json(),
    )


def store_images(cache: Cache, paper_id: str, folder: Path, base: str) -> None:
    """The images in ``folder`` stored with ``paper_id`` as if fetched from ``base``
    (the reading screen then draws them offline)."""
    for image in sorted(folder.glob("*.png")):
        stored_images.save_image(cache, paper_id, f"{base}/{image.name}", image.read_bytes())


def make_app(
    cache: Cache, server: LoopbackServer | None = None, figures: bool = False, **sections
) -> PaperdeckApp:
    """The reader on ``cache``; full texts and the arXiv API come from ``server`` (else
    from nowhere); ``sections`` replace parts of the configuration. Figures are drawn
    only when asked (``figures``): the synthetic paper's images are on arxiv.org."""
    config = replace(Config(), fulltext=replace(OFFLINE, figures=figures), **sections)
    if server is not None:
        config = replace(
            config,
            fulltext=replace(served(server), figures=figures),
            arxiv=ArxivSettings(api_url=server.url("/api/query"), delay_seconds=0),
        )
    return PaperdeckApp(config, cache)


