"""Full-text fixtures served as arxiv.org and ar5iv serve them, on a loopback server.

``/html/<id>v<N>`` answers with ``<id>v<N>/index.html`` (no trailing slash), its images
at ``/html/<id>v<N>/x1.png``; ``/html/<id>`` redirects to the latest version, as arXiv
does. A paper with no rendering gets arXiv's 404 page, and ar5iv answers 307 to
``/abs/<id>`` for a paper it does not hold; its PDF twin (from ``../shared``) is at
``/pdf/<id>v1``, as arxiv.org serves PDFs. Also: a cache holding the fixture papers'
metadata, and a config file pointing ``[fulltext]`` and ``[arxiv]`` at the server.
"""

from __future__ import annotations

from pathlib import Path

from paperdeck.storage.cache.database import Cache
from paperdeck.storage.config import FulltextSettings
from paperdeck.storage.models import Incoming, Paper
from tests.support.loopback import LoopbackServer, Reply

HERE = Path(__file__).resolve().parents[1]
SYNTHETIC = HERE / "data" / "fulltext" / "synthetic.html"
SYNTHETIC_ID = "2501.00001"
LONG_ID = "2406.99002"
SHORT_ID = "2406.99001"
NO_HTML_ID = "2406.99003"
HTML_TYPE = {"Content-Type": "text/html; charset=utf-8"}


def paper(paper_id: str, title: str, version: int = 1, **more) -> Paper:
    return Paper(
        id=paper_id,
        title=title,
        published="2024-06-14",
        version=version,
        authors=["Ada Lovelace", "Alan Turing"],
        abstract="An abstract.",
        source="arxiv",
        **more,
    )


def fixture_papers() -> list[Paper]:
    return [
        paper(LONG_ID, "Scaling Retrieval Memory for Long-Context Language Models"),
        paper(SHORT_ID, "Sparse Attention Heads Remember Longer"),
        paper(NO_HTML_ID, "A Paper Only in PDF"),
        paper(
            SYNTHETIC_ID,
            "A Synthetic Paper for the Converter",
            version=2,
            code_urls=["https://github.com/example/synthetic"],
        ),  # fmt: skip
    ]


def fill(cache: Cache) -> None:
    cache.upsert([Incoming(p, topics=("LLM",)) for p in fixture_papers()])


def routes(fulltext_dir: Path | None) -> dict:
    """Routes for the fixtures in ``fulltext_dir`` (``../shared/data/fulltext``, or None
    for the synthetic page alone)."""
    table: dict = {}
    pages = {f"{SYNTHETIC_ID}v2": (SYNTHETIC.read_bytes(), {})}
    if fulltext_dir is not None:
        for folder in sorted(fulltext_dir.glob("*v*")):
            if (folder / "index.html").exists():
                images = {png.name: png.read_bytes() for png in folder.glob("*.png")}
                pages[folder.name] = ((folder / "index.html").read_bytes(), images)
    for versioned, (body, images) in pages.items():
        bare = versioned.rpartition("v")[0]
        table[f"/html/{versioned}"] = Reply(200, body, HTML_TYPE)
        table[f"/html/{bare}"] = Reply(301, "", {"Location": f"/html/{versioned}"})
        for name, image in images.items():
            table[f"/html/{versioned}/{name}"] = Reply(200, image, {"Content-Type": "image/png"})
    no_html = (
        (fulltext_dir / "no-html.html").read_bytes()
        if fulltext_dir is not None
        else b"<html><body><h1>No HTML</h1></body></html>"
    )
    for versioned in (f"{NO_HTML_ID}v1", NO_HTML_ID):
        table[f"/html/{versioned}"] = Reply(404, no_html, HTML_TYPE)
    table[f"/ar5iv/html/{NO_HTML_ID}"] = Reply(307, "", {"Location": f"/abs/{NO_HTML_ID}"})
    pdf = fulltext_dir / f"{NO_HTML_ID}v1.pdf" if fulltext_dir is not None else None
    if pdf is not None and pdf.exists():  # its PDF twin: what /pdf/<id>v1 serves
        body = Reply(200, pdf.read_bytes(), {"Content-Type": "application/pdf"})
        table[f"/pdf/{NO_HTML_ID}v1"] = body
        table[f"/pdf/{NO_HTML_ID}"] = body
    return table


def arxiv_server(fulltext_dir: Path | None) -> LoopbackServer:
    return LoopbackServer(routes(fulltext_dir))


def served(server: LoopbackServer) -> FulltextSettings:
    """``[fulltext]`` pointing at ``server``, with no delay between requests."""
    return FulltextSettings(
        html_url=server.url("/html/"),
        ar5iv_url=server.url("/ar5iv/html/"),
        pdf_url=server.url("/pdf/"),
        delay_seconds=0,
    )


def write_config(path: Path, server: LoopbackServer, delay: float = 0) -> Path:
    path.write_text(
        "[fulltext]\n"
        f'html_url = "{server.url("/html/")}"\n'
        f'ar5iv_url = "{server.url("/ar5iv/html/")}"\n'
        f'pdf_url = "{server.url("/pdf/")}"\n'
        f"delay_seconds = {delay}\n"
        "[arxiv]\n"
        f'api_url = "{server.url("/api/query")}"\n'
        "delay_seconds = 0\n",
        encoding="utf-8",
    )
    return path
