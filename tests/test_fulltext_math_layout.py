"""Display equations in two dimensions: fractions stacked, matrices a row a line, cases a
case a line behind a brace, aligned rows in columns; linear where it does not fit."""

from __future__ import annotations

import re

from paperdeck.storage.fulltext.convert import convert
from paperdeck.storage.fulltext.math_layout import display_lines
from paperdeck.storage.fulltext.render import to_markdown, to_text
from paperdeck.tui.widgets.text_layout import lay_out

MATRIX = r"A=\begin{pmatrix}a_{11}&a_{12}&0\\a_{21}&a_{22}&a_{23}\\0&a_{32}&a_{33}\end{pmatrix}"
CASES = r"f(x)=\begin{cases}x^{2}&\text{if }x\geq 0,\\-\log(1-x)&\text{otherwise,}\end{cases}"


def lines_of(tex: str, room: int = 100) -> list[str]:
    laid = display_lines([[tex]], room)
    assert laid is not None
    [(lines, _base)] = laid
    return lines


def test_a_fraction_is_stacked_with_its_rule_on_the_axis():
    laid = display_lines([[r"\int_{0}^{\infty}e^{-\lambda t}\,dt=\frac{1}{\lambda}"]], 100)
    assert laid == [
        (["                    1", "∫_0^∞ e^{−λt} dt = ───", "                    λ"], 1)
    ]


def test_a_matrix_is_a_row_a_line_with_its_columns_aligned():
    lines = lines_of(MATRIX)
    assert lines == [
        "    ⎛ a_11  a_12   0   ⎞",
        "A = ⎜ a_21  a_22  a_23 ⎟",
        "    ⎝  0    a_32  a_33 ⎠",
    ]


def test_cases_are_a_case_a_line_behind_a_brace():
    assert lines_of(CASES) == [
        "f(x) = ⎰ x²           if x ≥ 0,",
        "       ⎱ −log(1 − x)  otherwise,",
    ]
    three = lines_of(r"\begin{cases}a&x<0\\b&x=0\\c&x>0\end{cases}")
    assert [line[0] for line in three] == ["⎧", "⎨", "⎩"]


def test_brackets_grow_round_a_fraction_and_take_their_script():
    assert lines_of(r"\lim_{n\to\infty}\left(1+\frac{1}{n}\right)^{n}=e") == [
        "          ⎛     1 ⎞n",
        "lim_{n→∞} ⎜1 + ───⎟ = e",
        "          ⎝     n ⎠",
    ]


def test_aligned_rows_share_their_columns():
    rows = [[r"\mathcal{L}_{\text{total}}", r"=\mathcal{L}_{\text{task}}+\beta"], ["", r"=-\log p"]]
    laid = display_lines(rows, 100)
    assert laid == [(["ℒ_total = ℒ_task + β"], 0), (["        = −log p"], 0)]


def test_flat_or_too_wide_or_unknown_is_linear():
    assert display_lines([[r"\alpha_{i}+\beta"]], 100) is None  # nothing two-dimensional
    assert display_lines([[MATRIX]], 12) is None  # wider than the room
    assert display_lines([[r"\frac{\unknownmacro}{2}"]], 100) is None
    assert display_lines([[r"\frac{1}{"]], 100) is None  # braces that do not balance
    assert display_lines([[r"\begin{pmatrix}a\end{bmatrix}"]], 100) is None


def test_the_fixture_reads_in_two_dimensions_everywhere(shared_data):
    page = (shared_data / "fulltext/2406.99003v1/index.html").read_bytes()
    document = convert(page, "https://arxiv.org/html/2406.99003v1")
    text = to_text(document)
    assert "\\begin{" not in text
    assert "    A = ⎜ a_21  a_22  a_23 ⎟    (14)" in text
    assert "    f(x) = ⎰ x²           if x ≥ 0,    (17)" in text
    assert "           ⎱ −log(1 − x)  otherwise," in text
    assert "    ℒ_total = ℒ_task + β ℒ_KL    (20)" in text
    assert re.search(r"\n {12}= −log p\(y ∣ x\)", text)
    # Markdown keeps the TeX of display math, numbered with \tag.
    markdown = to_markdown(document)
    assert "$$A=\\begin{pmatrix}a_{11}&a_{12}&0\\\\" in markdown
    assert "\\end{cases} \\tag{17}$$" in markdown
    # The screen draws the same lines, and inline math stays linear.
    screen = [line.text for line in lay_out(document, 100).lines]
    matrix = next(n for n, line in enumerate(screen) if "A = ⎜" in line)
    assert screen[matrix - 1].strip().startswith("⎛ a_11") and "(14)" in screen[matrix]
    assert screen[matrix + 1].strip() == "⎝  0    a_32  a_33 ⎠"
    assert any("𝒪(n²)" in line for line in screen)
    # Narrow: the linear form, still never raw TeX environments.
    narrow = [line.text for line in lay_out(document, 30).lines]
    assert not any("\\begin{" in line or "⎜" in line for line in narrow)
    assert any("(a_11, a_12, 0;" in line for line in narrow)
