"""A paper with no HTML rendering, read from its PDF: compared with its HTML twin (the
ground truth), fetched from a loopback arxiv.org, stored, read offline, and said so."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from paperdeck.storage.cache import fulltext as stored_texts
from paperdeck.storage.cache.database import Cache
from paperdeck.storage.config import FulltextSettings, cache_path, config_path
from paperdeck.storage.fulltext import model
from paperdeck.storage.fulltext.convert import convert
from paperdeck.storage.fulltext.model import Document
from paperdeck.storage.fulltext.pdf import PDF_CONVERTER_VERSION, PdfError, convert_pdf
from paperdeck.storage.fulltext.render import to_text
from paperdeck.storage.fulltext.store import FullTextError, convert_page, open_document
from paperdeck.tui.cli import main
from tests.support.fulltext import NO_HTML_ID, arxiv_server, fill, write_config

PDF_URL = f"https://arxiv.org/pdf/{NO_HTML_ID}v1"
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
_PROSE = re.compile(r"[A-Za-z ,;:'()\-\[\].]+")
"""A sentence of words alone (formulas read differently from a PDF and are not compared)."""


def words(block) -> str:
    """A block's text without its footnote marks, spaces made single."""
    return " ".join("".join(s.text for s in block.spans if model.NOTE not in s.style).split())


def prose_sentences(document: Document) -> list[str]:
    kinds = (model.PARAGRAPH, model.ITEM, model.FOOTNOTE)
    found = []
    for block in document.blocks:
        if block.kind in kinds:
            found += [s for s in _SENTENCE_END.split(words(block)) if _PROSE.fullmatch(s)]
    return [s for s in found if len(s.split()) >= 3]


def heading_words(document: Document) -> list[tuple[str, list[str]]]:
    return [
        (block.label, re.findall(r"[A-Za-z]{2,}", block.plain))
        for block in document.blocks
        if block.kind == model.HEADING
    ]


@pytest.fixture(scope="module")
def twins(request) -> tuple[Document, Document]:
    shared = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "fulltext"
    if not (shared / f"{NO_HTML_ID}v1.pdf").exists():
        pytest.skip("../shared/data is not present")
    html = convert((shared / f"{NO_HTML_ID}v1" / "index.html").read_bytes(), "https://x/")
    return html, convert_pdf((shared / f"{NO_HTML_ID}v1.pdf").read_bytes(), PDF_URL)


def test_prose_sentences_come_out_whole(twins):
    """Two columns in reading order, hyphenation undone, footnotes and page numbers kept
    out of sentences: ≥ 95 % of the HTML twin's prose sentences stand whole in one block."""
    html, pdf = twins
    sentences = prose_sentences(html)
    texts = [words(block) for block in pdf.blocks]
    whole = [s for s in sentences if any(s in text for text in texts)]
    assert len(sentences) > 300
    assert len(whole) / len(sentences) >= 0.95, set(sentences) - set(whole)


def test_every_heading_in_order(twins):
    html, pdf = twins
    assert heading_words(pdf) == heading_words(html)


def test_notes_references_figures_and_no_page_furniture(twins):
    html, pdf = twins
    assert pdf.title == html.title == "Gated Memory Layers for Long-Context Reading"
    assert pdf.from_pdf and not html.from_pdf
    for kind in (model.REFERENCE, model.FOOTNOTE, model.FIGURE):
        assert len([b for b in pdf.blocks if b.kind == kind]) == len(
            [b for b in html.blocks if b.kind == kind]
        ), kind
    cited = [b.arxiv for b in pdf.blocks if b.arxiv]
    assert cited == [b.arxiv for b in html.blocks if b.arxiv]
    text = to_text(pdf)
    assert "\ufffe" not in text and "\x02" not in text
    assert not re.search(r"^\d{1,2}$", text, flags=re.M)  # no page numbers
    assert "Method    Acc.  Loss  Speed" in text  # a table's rows in columns
    numbers = [b.label for b in pdf.blocks if b.kind == model.EQUATION and b.label]
    assert numbers[:5] == ["(1)", "(2)", "(3)", "(4)", "(5)"]


def test_what_is_no_pdf_is_a_sentence():
    with pytest.raises(PdfError, match="is not a PDF that can be read"):
        convert_pdf(b"%PDF-1.5 this is not really one", PDF_URL)
    with pytest.raises(FullTextError, match=re.escape(PDF_URL)):
        convert_page(b"%PDF-1.4\n%%EOF", PDF_URL)


def test_fetched_when_there_is_no_html_then_read_offline(twins, tmp_path: Path, shared_data):
    with Cache(tmp_path / "c.db") as cache:
        fill(cache)
        with arxiv_server(shared_data / "fulltext") as server:
            settings = FulltextSettings(
                html_url=server.url("/html/"),
                ar5iv_url=server.url("/ar5iv/html/"),
                pdf_url=server.url("/pdf/"),
                delay_seconds=0,
            )
            said: list[str] = []
            document = open_document(cache, NO_HTML_ID, settings, progress=said.append)
            asked = [r.path for r in server.requests]
        assert asked == [
            f"/html/{NO_HTML_ID}v1",
            f"/ar5iv/html/{NO_HTML_ID}",
            f"/pdf/{NO_HTML_ID}v1",
        ]
        assert any("fetching the PDF" in line for line in said)
        assert document.from_pdf and document == Document.from_json(document.to_json())
        info = stored_texts.info(cache, NO_HTML_ID)
        assert (info.converter, info.version) == (PDF_CONVERTER_VERSION, 1)
        # The server is gone: the stored text, and an older extraction is redone offline.
        stored_texts.replace_document(cache, NO_HTML_ID, PDF_CONVERTER_VERSION - 1, "{}")
        assert open_document(cache, NO_HTML_ID, settings) == document


def test_read_says_on_stderr_that_it_comes_from_the_pdf(capsys, shared_data):
    with Cache(cache_path()) as cache:
        fill(cache)
    with arxiv_server(shared_data / "fulltext") as server:
        write_config(config_path(), server)
        code = main(["read", NO_HTML_ID, "--format", "text"])
        out, err = capsys.readouterr()
    assert code == 0, err
    assert f"{NO_HTML_ID}: taken from the PDF (the paper has no HTML rendering)" in err
    assert out.startswith("Gated Memory Layers for Long-Context Reading\n")
    assert "\n10 Limits of O(n) memory\n" in out and "\nReferences\n" in out
