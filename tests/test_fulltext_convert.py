"""The converter: arXiv's HTML rendering → blocks → Markdown and plain text.

The synthetic page (tests/data/fulltext/synthetic.html) holds one of every construct; the
real LaTeXML fixtures in ../shared/data/fulltext check the whole of a long paper.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from paperdeck.storage.fulltext import model
from paperdeck.storage.fulltext.convert import CONVERTER_VERSION, ConversionError, convert
from paperdeck.storage.fulltext.model import Document
from paperdeck.storage.fulltext.render import to_markdown, to_text
from tests.support.fulltext import SYNTHETIC

SOURCE = "http://127.0.0.1:8000/html/2501.00001v2"
CHROME = ("CHROME-HEADER", "CHROME-TOC", "CHROME-FOOTER", "CHROME-AR5IV", "page script")


@pytest.fixture(scope="module")
def synthetic() -> Document:
    return convert(SYNTHETIC.read_bytes(), SOURCE)


def kinds(document: Document, kind: str) -> list[model.Block]:
    return [block for block in document.blocks if block.kind == kind]


def test_title_authors_and_version(synthetic: Document):
    assert synthetic.title == "A Synthetic Paper for the Converter"
    assert synthetic.authors == ["Ada Lovelace", "Alan Turing"]
    assert synthetic.converter == CONVERTER_VERSION


def test_headings_keep_their_numbers_in_order(synthetic: Document):
    headings = [(b.level, b.label, model.plain(b.spans)) for b in kinds(synthetic, model.HEADING)]
    assert headings == [
        (1, "", "Abstract"),
        (1, "1", "Introduction"),
        (1, "2", "Limits of 𝒪(n) memory"),
        (2, "2.1", "Equations"),
        (2, "2.2", "Figures and tables"),
        (2, "2.3", "Theorems and code"),
        (1, "Appendix A", "Extra"),
        (1, "", "References"),
        (1, "", "Notes"),
    ]


def test_the_page_chrome_is_gone(synthetic: Document):
    text = to_text(synthetic) + to_markdown(synthetic)
    for chrome in CHROME:
        assert chrome not in text


def test_math_reads_as_unicode_and_keeps_tex_it_cannot_convert(synthetic: Document):
    markdown = to_markdown(synthetic)
    assert "cost 𝒪(n²) and weights α_i." in markdown
    assert "The sum ∑_{i=1}^n x_i is small." in markdown
    assert "`$\\begin{tikzcd}a&b\\end{tikzcd}$`" in markdown  # kept as TeX, never dropped
    assert "1 formula could not be converted and is shown as TeX" in synthetic.notes


def test_display_equations_stand_alone_with_their_numbers(synthetic: Document):
    equations = [(model.plain(b.spans), b.label) for b in kinds(synthetic, model.EQUATION)]
    assert equations == [("Attn(Q,K,V) = softmax(QKᵀ/√d)V", "(1)"), ("a = b + c", "(2)")]
    assert "\n    a = b + c    (2)\n" in to_text(synthetic)
    assert "\n$$a=b+c \\tag{2}$$\n" in to_markdown(synthetic)  # Markdown keeps display TeX


def test_citations_point_at_their_references(synthetic: Document):
    paragraph = next(b for b in kinds(synthetic, model.PARAGRAPH) if "cited" in b.plain)
    cites = [(s.text, s.target) for s in paragraph.spans if model.CITE in s.style]
    assert cites == [("1", "bib.bib1"), ("2", "bib.bib2")]
    assert "often* cited [1, 2]." in to_markdown(synthetic)


def test_footnotes_are_collected_with_their_marks(synthetic: Document):
    notes = [(b.label, b.plain) for b in kinds(synthetic, model.FOOTNOTE)]
    assert ("1", "A footnote with math k ≪ n.") in notes
    assert ("†", "Funded by nobody.") in notes
    markdown = to_markdown(synthetic)
    assert "is small.[^1] Literal" in markdown
    assert "[^1]: A footnote with math k ≪ n." in markdown
    assert "small.¹ Literal" in to_text(synthetic)


def test_links_are_kept_only_when_http(synthetic: Document):
    paragraph = next(b for b in kinds(synthetic, model.PARAGRAPH) if b.plain.startswith("Links"))
    links = [(s.text, s.target) for s in paragraph.spans if model.LINK in s.style]
    assert links == [("a safe link", "https://example.org/page")]
    markdown = to_markdown(synthetic)
    assert "javascript:" not in markdown and "file:" not in markdown
    assert "a script link, a file link, and Section 2." in markdown


def test_figures_keep_number_caption_and_an_http_image_link(synthetic: Document):
    first, second = kinds(synthetic, model.FIGURE)
    assert (first.label, first.plain) == ("Figure 1", "A plot of λ ∈ [0,1].")
    assert first.url == "http://127.0.0.1:8000/html/2501.00001v2/x1.png"  # <base href>
    assert second.label == "Figure 2" and second.url == ""  # a data: image is no link
    assert "![Figure 1](http://127.0.0.1:8000/html/2501.00001v2/x1.png)" in to_markdown(synthetic)


def test_tables_stay_tables(synthetic: Document):
    (table,) = kinds(synthetic, model.TABLE)
    assert table.label == "Table 1" and table.plain.endswith("Results.")
    assert table.head == 1
    rows = [[model.plain(cell) for cell in row] for row in table.rows]
    assert rows == [
        ["Method", "Acc.", "Speed"],
        ["Dense|Sparse", "66.6", "33×"],
        ["Spanning cell", "", "1×"],
    ]
    markdown = to_markdown(synthetic)
    assert "| Method        | Acc. | Speed |" in markdown
    assert "| Dense\\|Sparse | 66.6 | 33×   |" in markdown


def test_lists_nest(synthetic: Document):
    items = [(b.level, b.label, b.plain) for b in kinds(synthetic, model.ITEM)]
    assert items == [
        (0, "•", "First point."),
        (1, "1.", "Nested one with x²."),
        (1, "2.", "Nested two."),
        (0, "•", "Second point."),
    ]
    assert "- First point.\n\n    1. Nested one with x²." in to_markdown(synthetic)


def test_theorems_proofs_and_listings(synthetic: Document):
    markdown = to_markdown(synthetic)
    assert "**Theorem 1.** *Every sparse head remembers.*" in markdown
    assert "*Proof.* Obvious." in markdown
    codes = [b.text for b in kinds(synthetic, model.CODE_BLOCK)]
    assert codes == [
        "for step, batch in enumerate(loader):\n    loss = model(batch).loss  # [bold]",
        'opt.step()\nprint("done")',
    ]
    assert "⬇" not in markdown  # the listing's download link


def test_unknown_macros_are_shown(synthetic: Document):
    errors = [s.text for b in synthetic.blocks for s in b.spans if model.ERROR in s.style]
    assert errors == ["\\unknownmacro"]
    assert "`\\unknownmacro`\n\nkept text after the unknown macro." in to_markdown(synthetic)


def test_references_know_their_arxiv_ids(synthetic: Document):
    references = [(b.label, b.arxiv) for b in kinds(synthetic, model.REFERENCE)]
    assert references == [("[1]", "1706.03762"), ("[2]", "hep-th/9802150"), ("[3]", "")]
    assert "arXiv:1706.03762, 2017. <https://arxiv.org/abs/1706.03762>" in to_markdown(synthetic)


def test_markup_in_the_text_is_text(synthetic: Document):
    text = to_text(synthetic)
    assert "[bold]not bold[/bold] and [link=https://evil.example]x[/link]" in text


def test_the_document_survives_json(synthetic: Document):
    again = Document.from_json(synthetic.to_json())
    assert again == synthetic


@pytest.mark.parametrize(
    "page",
    [b"", b"   ", b"<html><body><p>Just a page, no paper.</p></body></html>", b"\x00\x01\x02"],
)
def test_a_page_that_is_no_paper_is_refused_in_words(page: bytes):
    with pytest.raises(ConversionError):
        convert(page, SOURCE)


# --- the real fixtures (LaTeXML 0.8.7, laid out as arxiv.org serves them) ------------------


@pytest.fixture(scope="module")
def long_paper() -> tuple[Document, str]:
    folder = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "fulltext"
    if not folder.is_dir():
        pytest.skip("../shared/data is not present")
    page = (folder / "2406.99002v1" / "index.html").read_bytes()
    return convert(page, "http://127.0.0.1:8000/html/2406.99002v1"), page.decode()


@pytest.mark.shared
def test_the_long_paper_whole(long_paper):
    document, page = long_paper
    markdown = to_markdown(document)
    sections = re.findall(r'<h2 class="ltx_title ltx_title_(?:section|appendix)">\s*'
                          r'<span class="ltx_tag[^"]*">([^<]+)</span>', page)  # fmt: skip
    headings = re.findall(r"^## (.+)$", markdown, flags=re.M)
    numbered = [h for h in headings if h[0].isdigit() or h.startswith("Appendix")]
    assert [h.split(" ")[0] for h in numbered[:15]] == [str(n) for n in range(1, 16)]
    assert [" ".join(h.split()[:2]) for h in numbered[15:]] == ["Appendix A"]
    assert len(numbered) == len(sections) == 16
    assert numbered[14] == "15 Limits of 𝒪(n) memory"
    assert len(re.findall(r"^\*\*Figure \d+:\*\* ", markdown, flags=re.M)) == 7
    assert len(re.findall(r"^\*\*Table \d+:\*\* ", markdown, flags=re.M)) == 7
    assert len(re.findall(r"^- \[\d+\] ", markdown, flags=re.M)) == 168
    assert len(re.findall(r"^\[\^\d+\]: ", markdown, flags=re.M)) == 22
    assert len(re.findall(r"^\$\$.+ \\tag\{\d+\}\$\$$", markdown, flags=re.M)) == 31
    assert "𝒪(n²)" in markdown and "α_i" in markdown and "∑_{i=1}^n x_i" in markdown
    assert "`\\unknownmacro`" in markdown
    assert "Table of Contents" not in markdown and "Back to abstract page" not in markdown
    assert "experimental HTML" not in markdown and "Generated" not in markdown


@pytest.mark.shared
def test_the_long_papers_references_name_their_arxiv_ids(long_paper):
    document, page = long_paper
    references = document.references()
    cited = [block.arxiv for _, block in references if block.arxiv]
    assert len(references) == 168
    assert len(cited) == len(re.findall(r"<li[^>]*ltx_bibitem[^>]*>[^<]*<span[^>]*>[^<]*</span>"
                                        r"\s*<span class=\"ltx_bibblock\">[^<]*arXiv:", page))  # fmt: skip
    assert all(re.fullmatch(r"\d{4}\.\d{5}", paper_id) for paper_id in cited)
