"""Regenerate the README's screenshots from the real app.

    python screenshots/make_screenshots.py

Imports the seed digest (``../shared/data/digests/llm-2024-06-04.md``, or the repository's
own sample when that is absent) into a temporary cache, runs the reader headless at
160×48 and saves SVGs of the table, the abstract pane with its translation, a search, and
a paper's full text (the long LaTeXML fixture in ``../shared/data/fulltext``, or the
repository's synthetic page, stored in the cache as arXiv would have served it), a
figure drawn in the text (the fixture with plots, its images stored with it), and a
triage session in interest order (five vision-and-language papers starred, a watch rule).
"""

from __future__ import annotations

import asyncio
import html
import re
import tempfile
from dataclasses import replace
from pathlib import Path

from rich.cells import cell_len

from paperdeck.storage.cache.database import Cache
from paperdeck.storage.config import Config, LibrarySettings, Rule
from paperdeck.storage.library.importer import import_file
from paperdeck.storage.state import UiState
from paperdeck.tui.app import PaperdeckApp

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

SEED = ROOT.parent / "shared" / "data" / "digests" / "llm-2024-06-04.md"
SAMPLE = ROOT / "tests" / "data" / "sample-digest.md"
SIZE = (160, 48)
SHOTS = {
    "table.svg": ("j", "j"),
    "abstract-translation.svg": ("enter", "t"),
    "search.svg": ("slash", *"uncertainty", "enter", "enter"),
    "fulltext.svg": ("f", *["right_square_bracket"] * 6, "slash", *"memory", "enter"),
    "triage.svg": ("T", "space"),
}
TRIAGE_STARS = ("2406.02539", "2406.02537", "2406.02208", "2406.02331", "2406.02030")
"""Papers on vision and language, starred (and read) for the triage shot: its interest
order learns from them."""
TRIAGE_CONFIG = replace(
    Config(),
    watch=[Rule(name="Retrieval", keywords=['"retrieval augmented"', "retriev*"])],
    library=LibrarySettings(quick_tags=["to-read", "cite", "method"]),
)
FULLTEXT = ROOT.parent / "shared" / "data" / "fulltext" / "2406.99002v1" / "index.html"
FIGURES = ROOT.parent / "shared" / "data" / "fulltext" / "2406.99003v1"
WITHOUT_FIGURES = replace(Config(), fulltext=replace(Config().fulltext, figures=False))
"""For the long fixture, whose images are not stored (a screenshot reaches no network)."""
SYNTHETIC = ROOT / "tests" / "data" / "fulltext" / "synthetic.html"
_TEXT = re.compile(r'(<text [^>]*?textLength=")([\d.]+)("[^>]*>)([^<]*)(</text>)')


def fix_wide_characters(svg: str) -> str:
    """Rich's SVG export sizes each text run by its length in characters, not cells
    (rich.console.Console.export_svg: ``textLength=char_width * len(text)``), which
    squeezes CJK text to half its width. Size runs by their cells instead."""

    def resize(match: re.Match) -> str:
        text = html.unescape(match.group(4))
        if text.isascii():
            return match.group(0)
        width = float(match.group(2)) / len(text) * cell_len(text)
        return f"{match.group(1)}{width:g}{match.group(3)}{match.group(4)}{match.group(5)}"

    return _TEXT.sub(resize, svg)


async def shoot(
    cache: Cache,
    name: str,
    keys: tuple[str, ...],
    config: Config | None = None,
    ui_state: UiState | None = None,
    then=None,
) -> None:
    """Press ``keys`` in the reader, then (``then``) do more with the app; save an SVG."""
    app = PaperdeckApp(config or Config(), cache, ui_state)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        for key in keys:
            await pilot.press(key)
            await pilot.pause(0.05)
        await pilot.pause(0.5)
        await app.workers.wait_for_complete()
        if then is not None:
            await then(app, pilot)
            await pilot.pause(0.3)
            await app.workers.wait_for_complete()
        await pilot.pause()
        svg = app.export_screenshot(title=f"paperdeck — {name.removesuffix('.svg')}")
    (HERE / name).write_text(fix_wide_characters(svg), encoding="utf-8")
    print(f"wrote {HERE / name}")


async def at_third_figure(app: PaperdeckApp, pilot) -> None:
    """The full text scrolled to its third figure, two lines of text above it."""
    text = app.screen.query_one("PaperText")
    figures = [n for n, b in enumerate(text.document.blocks) if b.kind == "figure"]
    text.jump_to_block(figures[2])
    await pilot.press("k", "k")


def store_figures(cache: Cache) -> None:
    """The fixture with plots as the newest paper, stored with its images (no network)."""
    from paperdeck.storage.cache import figures as stored_images

    url = "https://arxiv.org/html/2406.99003v1"
    store_fulltext(cache, (FIGURES / "index.html").read_bytes(), url)
    for png in FIGURES.glob("*.png"):
        stored_images.save_image(cache, "2406.99003", f"{url}/{png.name}", png.read_bytes())


def store_fulltext(cache: Cache, page: bytes | None = None, url: str = "") -> None:
    """The long fixture (or ``page``) as the newest paper, its full text stored (no network)."""
    from paperdeck.storage.cache import fulltext as stored_texts
    from paperdeck.storage.fulltext.convert import CONVERTER_VERSION, convert
    from paperdeck.storage.models import Incoming, Paper

    page = page or (FULLTEXT if FULLTEXT.exists() else SYNTHETIC).read_bytes()
    url = url or "https://arxiv.org/html/2406.99002v1"
    document = convert(page, url)
    paper = Paper(
        id=url.rpartition("/")[2].rpartition("v")[0],
        version=1,
        title=document.title,
        authors=document.authors,
        published="2024-06-14",
        abstract="(the fixture's abstract)",
        source="arxiv",
    )
    cache.upsert([Incoming(paper)])
    stored_texts.save(
        cache,
        paper.id,
        version=1,
        source_url=url,
        html=page,
        converter=CONVERTER_VERSION,
        document_json=document.to_json(),
    )


async def main() -> None:
    digest = SEED if SEED.exists() else SAMPLE
    with tempfile.TemporaryDirectory() as tmp:
        for name, keys in SHOTS.items():
            with Cache(Path(tmp) / f"{name}.db") as cache:
                report = import_file(cache, str(digest))
                assert report.ok, report.error
                if name == "fulltext.svg":
                    store_fulltext(cache)
                    await shoot(cache, name, keys, WITHOUT_FIGURES)
                    continue
                if name == "triage.svg":  # in interest order, with a watch rule
                    for paper_id in TRIAGE_STARS:
                        cache.set_starred(paper_id, True)
                        cache.set_read(paper_id, True)
                    await shoot(cache, name, keys, TRIAGE_CONFIG, UiState(sort="interest"))
                    continue
                await shoot(cache, name, keys)
        if FIGURES.exists():
            with Cache(Path(tmp) / "figure.db") as cache:
                report = import_file(cache, str(digest))
                assert report.ok, report.error
                store_figures(cache)
                await shoot(cache, "figure.svg", ("f",), then=at_third_figure)


if __name__ == "__main__":
    asyncio.run(main())
