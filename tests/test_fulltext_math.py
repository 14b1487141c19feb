"""TeX (LaTeXML's alttext) to readable Unicode, and TeX kept where it cannot convert."""

from __future__ import annotations

import pytest

from paperdeck.storage.fulltext.math import MAX_TEX, tex_to_unicode


@pytest.mark.parametrize(
    ("tex", "unicode"),
    [
        (r"\alpha_{i}", "α_i"),
        (r"\mathcal{O}(n^{2})", "𝒪(n²)"),
        (r"\sum_{i=1}^{n}x_{i}", "∑_{i=1}^n x_i"),
        (r"10^{-4}", "10⁻⁴"),
        (r"\|W\|_{2}\leq 1", "‖W‖_2 ≤ 1"),
        (r"d_{\mathrm{model}}", "d_model"),
        (r"\mathbb{E}[\ell(\theta)]", "𝔼[ℓ(θ)]"),
        (r"k\ll n", "k ≪ n"),
        (r"\hat{y}_{t}", "ŷ_t"),
        (r"\nabla_{\theta}\mathcal{L}", "∇_θ ℒ"),
        (r"p(x\mid c)", "p(x ∣ c)"),
        (r"\lambda\in[0,1]", "λ ∈ [0,1]"),
        (r"\operatorname{softmax}(z)_{j}", "softmax(z)_j"),
        (r"h_{t}^{(l)}", "h_t^(l)"),
        (r"\sqrt{d_{k}}", "√d_k"),
        (r"x^{2}", "x²"),
        (r"33\times", "33×"),
        (r"K^{\top}", "Kᵀ"),
        (r"\sum_{t=1}^{T}", "∑_{t=1}^T"),
        (
            r"\mathrm{Attn}(Q,K,V)=\operatorname{softmax}\left(\frac{QK^{\top}}{\sqrt{d}}\right)V",
            "Attn(Q,K,V) = softmax(QKᵀ/√d)V",
        ),
        (
            r"\theta_{t+1}=\theta_{t}-\eta\frac{m_{t}}{\sqrt{v_{t}}+\epsilon}",
            "θ_{t+1} = θ_t − η m_t/(√v_t + ϵ)",
        ),
        (
            r"h^{(l+1)}=h^{(l)}+\mathrm{FFN}\bigl{(}\mathrm{LN}(h^{(l)})\bigr{)}",
            "h^(l+1) = h^(l) + FFN(LN(h^(l)))",
        ),
        (r"\displaystyle=b+c", "= b + c"),
        (r"\text{if } x > 0", "if x > 0"),
        (r"f'(x)", "f′(x)"),
        (r"\mathbb{R}^{d}", "ℝ^d"),
        (r"-x", "−x"),
        ("\\mathcal{L}(\\theta)=-\\log p(x_{<%\nt})", "ℒ(θ) = −log p(x_{<t})"),
        # Environments on one line (the linear form of what display math stacks).
        (r"A=\begin{pmatrix}a&b\\c&d\end{pmatrix}", "A = (a, b; c, d)"),
        (r"\begin{bmatrix}1&0\\0&1\end{bmatrix}", "[1, 0; 0, 1]"),
        (
            r"f(x)=\begin{cases}x^{2}&\text{if }x\geq 0,\\-x&\text{otherwise}\end{cases}",
            "f(x) = {x² if x ≥ 0, −x otherwise}",
        ),
        (r"\begin{aligned}a&=b\\&=c\end{aligned}", "a = b; = c"),
        (r"\frac{1}{N}\sum_{n}x_{n}", "1/N ∑_n x_n"),
    ],
)
def test_readable_unicode(tex: str, unicode: str):
    assert tex_to_unicode(tex) == unicode


@pytest.mark.parametrize(
    "tex",
    [
        r"\begin{tikzcd}a&b\end{tikzcd}",  # an environment nobody knows
        r"\begin{pmatrix}a&b\end{bmatrix}",  # environments that do not nest
        r"\unknownmacro{x}",  # a command nobody knows
        r"a \\ b",  # a line break
        r"{x",  # unbalanced
        r"x}",
        "{" * 200 + "x" + "}" * 200,  # absurd nesting: no RecursionError
        "x+" * (MAX_TEX // 2 + 1),  # absurd length
    ],
)
def test_what_cannot_convert_is_none(tex: str):
    """The caller then keeps the TeX: nothing is dropped or guessed."""
    assert tex_to_unicode(tex) is None


def test_markup_characters_are_only_characters():
    assert tex_to_unicode(r"\text{[bold]}x") == "[bold]x"
