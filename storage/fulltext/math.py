"""TeX math, as LaTeXML writes it in ``<math alttext>``, to readable Unicode.

``\\alpha_{i}`` becomes ``α_i``, ``\\mathcal{O}(n^{2})`` becomes ``𝒪(n²)``,
``\\sum_{i=1}^{n}x_{i}`` becomes ``∑_{i=1}^n x_i``. Subscripts keep TeX's ``_`` (Unicode
has subscript forms for only a few letters); superscripts made only of digits and signs
become Unicode superscripts, others keep ``^``. Relations and binary operators get spaces.

:func:`tex_to_unicode` returns None for what it cannot convert faithfully — an unknown
command, an environment (matrices, cases), a line break, braces that do not balance, or
absurd length or nesting — and the caller then shows the TeX itself: math is never
silently dropped or garbled.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MAX_TEX = 4000
"""Longer formulas are shown as TeX (a converter that guesses at a page of TeX helps nobody)."""
MAX_DEPTH = 40
"""Braces nested deeper than this are shown as TeX (and never reach Python's recursion limit)."""


class Unconvertible(Exception):
    """The formula holds something this converter does not know."""


def _alphabet(start: int, exceptions: dict[str, str] | None = None) -> dict[str, str]:
    letters = {chr(ord("A") + n): chr(start + n) for n in range(26)}
    letters.update(exceptions or {})
    return letters


def _lower_too(capitals: int, small: int, exceptions: dict[str, str] | None = None):
    table = {chr(ord("A") + n): chr(capitals + n) for n in range(26)}
    table.update({chr(ord("a") + n): chr(small + n) for n in range(26)})
    table.update(exceptions or {})
    return table


_CALLIGRAPHIC = _alphabet(
    0x1D49C,
    {"B": "ℬ", "E": "ℰ", "F": "ℱ", "H": "ℋ", "I": "ℐ", "L": "ℒ", "M": "ℳ", "R": "ℛ"},
)
_BLACKBOARD = _lower_too(
    0x1D538,
    0x1D552,
    {"C": "ℂ", "H": "ℍ", "N": "ℕ", "P": "ℙ", "Q": "ℚ", "R": "ℝ", "Z": "ℤ"},
)
_BLACKBOARD.update({str(d): chr(0x1D7D8 + d) for d in range(10)})
_FRAKTUR = _lower_too(0x1D504, 0x1D51E, {"C": "ℭ", "H": "ℌ", "I": "ℑ", "R": "ℜ", "Z": "ℨ"})
_BOLD = _lower_too(0x1D400, 0x1D41A)
_BOLD.update({str(d): chr(0x1D7CE + d) for d in range(10)})
_FONTS = {
    "mathcal": _CALLIGRAPHIC,
    "mathscr": _CALLIGRAPHIC,
    "mathbb": _BLACKBOARD,
    "mathfrak": _FRAKTUR,
    "mathbf": _BOLD,
    "boldsymbol": _BOLD,
    "bm": _BOLD,
    "mathbold": _BOLD,
}
_PLAIN_FONTS = {"mathrm", "mathit", "mathsf", "mathtt", "mathnormal", "mathup", "bf", "rm"}
_TEXT = {"text", "textrm", "textit", "textbf", "textsf", "texttt", "mbox", "textnormal",
         "emph", "hbox", "textup", "textmd"}  # fmt: skip

_GREEK = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ϵ", "varepsilon": "ε",
    "zeta": "ζ", "eta": "η", "theta": "θ", "vartheta": "ϑ", "iota": "ι", "kappa": "κ",
    "varkappa": "ϰ", "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "omicron": "ο", "pi": "π",
    "varpi": "ϖ", "rho": "ρ", "varrho": "ϱ", "sigma": "σ", "varsigma": "ς", "tau": "τ",
    "upsilon": "υ", "phi": "ϕ", "varphi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω",
    "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π",
    "Sigma": "Σ", "Upsilon": "Υ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
    "varGamma": "Γ", "varDelta": "Δ", "varTheta": "Θ", "varLambda": "Λ", "varSigma": "Σ",
    "varPhi": "Φ", "varPsi": "Ψ", "varOmega": "Ω",
}  # fmt: skip

# Each symbol with its class: "rel" and "bin" get spaces around them, "op" is a large
# operator (∑), "open"/"close" are brackets, "ord" is an ordinary symbol.
_SYMBOLS: dict[str, tuple[str, str]] = {
    # relations
    "le": ("≤", "rel"), "leq": ("≤", "rel"), "ge": ("≥", "rel"), "geq": ("≥", "rel"),
    "leqslant": ("⩽", "rel"), "geqslant": ("⩾", "rel"), "neq": ("≠", "rel"), "ne": ("≠", "rel"),
    "approx": ("≈", "rel"), "sim": ("∼", "rel"), "simeq": ("≃", "rel"), "cong": ("≅", "rel"),
    "equiv": ("≡", "rel"), "propto": ("∝", "rel"), "in": ("∈", "rel"), "notin": ("∉", "rel"),
    "ni": ("∋", "rel"), "subset": ("⊂", "rel"), "subseteq": ("⊆", "rel"), "supset": ("⊃", "rel"),
    "supseteq": ("⊇", "rel"), "ll": ("≪", "rel"), "gg": ("≫", "rel"), "mid": ("∣", "rel"),
    "to": ("→", "rel"), "rightarrow": ("→", "rel"), "leftarrow": ("←", "rel"),
    "gets": ("←", "rel"), "Rightarrow": ("⇒", "rel"), "Leftarrow": ("⇐", "rel"),
    "implies": ("⇒", "rel"), "iff": ("⇔", "rel"), "Leftrightarrow": ("⇔", "rel"),
    "leftrightarrow": ("↔", "rel"), "mapsto": ("↦", "rel"), "longrightarrow": ("⟶", "rel"),
    "longmapsto": ("⟼", "rel"), "perp": ("⟂", "rel"), "parallel": ("∥", "rel"),
    "vdash": ("⊢", "rel"), "models": ("⊨", "rel"), "prec": ("≺", "rel"), "succ": ("≻", "rel"),
    "preceq": ("⪯", "rel"), "succeq": ("⪰", "rel"), "triangleq": ("≜", "rel"),
    "coloneqq": ("≔", "rel"), "coloneq": ("≔", "rel"), "doteq": ("≐", "rel"),
    "lesssim": ("≲", "rel"), "gtrsim": ("≳", "rel"), "asymp": ("≍", "rel"),
    "uparrow": ("↑", "rel"), "downarrow": ("↓", "rel"), "hookrightarrow": ("↪", "rel"),
    # binary operators
    "pm": ("±", "bin"), "mp": ("∓", "bin"), "times": ("×", "bin"), "cdot": ("⋅", "bin"),
    "div": ("÷", "bin"), "circ": ("∘", "bin"), "ast": ("∗", "bin"), "star": ("⋆", "bin"),
    "oplus": ("⊕", "bin"), "ominus": ("⊖", "bin"), "otimes": ("⊗", "bin"), "odot": ("⊙", "bin"),
    "cup": ("∪", "bin"), "cap": ("∩", "bin"), "setminus": ("∖", "bin"), "wedge": ("∧", "bin"),
    "land": ("∧", "bin"), "vee": ("∨", "bin"), "lor": ("∨", "bin"), "bullet": ("∙", "bin"),
    "sqcup": ("⊔", "bin"), "sqcap": ("⊓", "bin"), "uplus": ("⊎", "bin"), "diamond": ("⋄", "bin"),
    # large operators
    "sum": ("∑", "op"), "prod": ("∏", "op"), "coprod": ("∐", "op"), "int": ("∫", "op"),
    "iint": ("∬", "op"), "iiint": ("∭", "op"), "oint": ("∮", "op"), "bigcup": ("⋃", "op"),
    "bigcap": ("⋂", "op"), "bigoplus": ("⨁", "op"), "bigotimes": ("⨂", "op"),
    "bigvee": ("⋁", "op"), "bigwedge": ("⋀", "op"), "bigsqcup": ("⨆", "op"),
    # brackets
    "langle": ("⟨", "open"), "rangle": ("⟩", "close"), "lfloor": ("⌊", "open"),
    "rfloor": ("⌋", "close"), "lceil": ("⌈", "open"), "rceil": ("⌉", "close"),
    "lbrace": ("{", "open"), "rbrace": ("}", "close"), "{": ("{", "open"), "}": ("}", "close"),
    "lbrack": ("[", "open"), "rbrack": ("]", "close"), "lvert": ("|", "open"),
    "rvert": ("|", "close"), "lVert": ("‖", "open"), "rVert": ("‖", "close"),
    "|": ("‖", "ord"), "vert": ("|", "ord"), "Vert": ("‖", "ord"),
    # ordinary symbols
    "infty": ("∞", "ord"), "partial": ("∂", "ord"), "nabla": ("∇", "ord"), "forall": ("∀", "ord"),
    "exists": ("∃", "ord"), "nexists": ("∄", "ord"), "neg": ("¬", "ord"), "lnot": ("¬", "ord"),
    "emptyset": ("∅", "ord"), "varnothing": ("∅", "ord"), "ell": ("ℓ", "ord"),
    "hbar": ("ℏ", "ord"), "Re": ("ℜ", "ord"), "Im": ("ℑ", "ord"), "aleph": ("ℵ", "ord"),
    "top": ("⊤", "ord"), "bot": ("⊥", "ord"), "prime": ("′", "ord"), "angle": ("∠", "ord"),
    "triangle": ("△", "ord"), "cdots": ("⋯", "ord"), "ldots": ("…", "ord"), "dots": ("…", "ord"),
    "dotsc": ("…", "ord"), "dotsb": ("⋯", "ord"), "vdots": ("⋮", "ord"), "ddots": ("⋱", "ord"),
    "wp": ("℘", "ord"), "imath": ("ı", "ord"), "jmath": ("ȷ", "ord"), "checkmark": ("✓", "ord"),
    "dagger": ("†", "ord"), "ddagger": ("‡", "ord"), "S": ("§", "ord"), "P": ("¶", "ord"),
    "square": ("□", "ord"), "Box": ("□", "ord"), "blacksquare": ("■", "ord"), "qed": ("∎", "ord"),
    "therefore": ("∴", "ord"), "because": ("∵", "ord"), "degree": ("°", "ord"),
    "%": ("%", "ord"), "#": ("#", "ord"), "&": ("&", "ord"), "_": ("_", "ord"), "$": ("$", "ord"),
}  # fmt: skip
_FUNCTIONS = {
    "log", "ln", "lg", "exp", "sin", "cos", "tan", "cot", "sec", "csc", "sinh", "cosh", "tanh",
    "arcsin", "arccos", "arctan", "max", "min", "sup", "inf", "lim", "liminf", "limsup",
    "arg", "argmax", "argmin", "det", "dim", "ker", "deg", "gcd", "hom", "Pr", "tr", "Tr",
    "diag", "rank", "sgn", "mod", "bmod", "var", "Var", "Cov", "softmax",
}  # fmt: skip
_IGNORED = {
    "displaystyle", "textstyle", "scriptstyle", "scriptscriptstyle", "limits", "nolimits",
    "left", "right", "middle", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr",
    "biggl", "biggr", "Biggl", "Biggr", "bigm", "Bigm", "nonumber", "notag", "!", "/",
    "allowbreak", "strut", "mathstrut", "relax", "hfill", "hfil", "centering", "label",
}  # fmt: skip
_SPACES = {",": " ", ":": " ", ";": " ", " ": " ", "quad": "  ", "qquad": "   ", "enspace": " ",
           "thinspace": " ", "medspace": " ", "thickspace": " "}  # fmt: skip
_ACCENTS = {
    "hat": "\u0302", "widehat": "\u0302", "bar": "\u0304", "overline": "\u0305",
    "tilde": "\u0303", "widetilde": "\u0303", "dot": "\u0307", "ddot": "\u0308",
    "vec": "\u20d7", "check": "\u030c", "breve": "\u0306", "acute": "\u0301",
    "grave": "\u0300", "underline": "\u0332", "mathring": "\u030a",
    "overrightarrow": "\u20d7",
}  # fmt: skip
_EVERY_CHAR = {"bar", "overline", "underline"}
"""Accents that go on every character of a longer argument (a bar over ``xy``)."""

MATRICES = {"matrix": "", "smallmatrix": "", "pmatrix": "()", "bmatrix": "[]",
            "Bmatrix": "{}", "vmatrix": "||", "Vmatrix": "‖‖", "array": ""}  # fmt: skip
"""Matrix environments and their brackets."""
CASES = {"cases", "dcases", "rcases"}
ALIGNED = {"aligned", "alignedat", "gathered", "split", "align", "align*", "gather",
           "gather*", "eqnarray", "eqnarray*"}  # fmt: skip
"""Environments of rows aligned at ``&`` (columns right, left, right, left…)."""
SPEC_ARGUMENT = {"array", "alignedat"}
"""Environments whose first argument is a column spec or count, not content."""

_SUPERSCRIPTS = dict(zip("0123456789+-−=()", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾", strict=True))
_SUPERSCRIPT_SYMBOLS = {"⊤": "ᵀ", "′": "′", "″": "″", "∗": "*", "*": "*", "†": "†"}

_REL_CHARS = set("=<>≤≥≠≈∼≡∈∉⊂⊆⊃⊇→←⇒⇔↦≪≫∝∣:")
_BIN_CHARS = set("+-−±∓×⋅∘∗⊕⊗⊙∪∩∖∧∨/")
_OPEN = set("([")
_CLOSE = set(")]")

_TOKENS = re.compile(
    r"\\([A-Za-z]+)\s*"  # a command word (and the spaces after it, which TeX ignores)
    r"|\\(.)"  # a command symbol: \, \{ \| \\
    r"|(%[^\n]*\n?)"  # a comment (LaTeXML breaks long alttext with %<newline>)
    r"|(\s+)"
    r"|(.)",
    re.DOTALL,
)


_OPERANDS = ("ord", "close", "func", "frac")


@dataclass(slots=True)
class _Atom:
    text: str
    kind: str = "ord"
    """ord, rel, bin, op, func, open, close, punct, space."""
    scripted: bool = False


def tex_to_unicode(tex: str) -> str | None:
    """The formula in readable Unicode, or None when it cannot be converted faithfully."""
    if len(tex) > MAX_TEX:
        return None
    try:
        tokens = _tokenize(tex)
        parser = _Parser(tokens)
        atoms = parser.sequence(0, None)
    except Unconvertible:
        return None
    text = _join(atoms).strip()
    text = re.sub(r" {2,}", lambda m: "  " if len(m.group(0)) >= 2 else " ", text)
    return unicodedata.normalize("NFC", text) if text else None


def _tokenize(tex: str) -> list[tuple[str, str]]:
    tokens = []
    for word, symbol, comment, space, char in _TOKENS.findall(tex):
        if word:
            tokens.append(("cmd", word))
        elif symbol:
            tokens.append(("cmd", symbol))
        elif comment:
            continue
        elif space:
            tokens.append(("space", " "))
        else:
            tokens.append(("char", char))
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]):
        self.tokens = tokens
        self.at = 0

    def _next(self) -> tuple[str, str] | None:
        if self.at >= len(self.tokens):
            return None
        token = self.tokens[self.at]
        self.at += 1
        return token

    def _peek(self) -> tuple[str, str] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def _skip_spaces(self) -> None:
        while (token := self._peek()) is not None and token[0] == "space":
            self.at += 1

    def sequence(self, depth: int, stop: str | None) -> list[_Atom]:
        if depth > MAX_DEPTH:
            raise Unconvertible("nested too deeply")
        atoms: list[_Atom] = []
        while (token := self._next()) is not None:
            kind, value = token
            if kind == "space":
                continue
            if kind == "char" and value == "}":
                if stop != "}":
                    raise Unconvertible("unbalanced }")
                return atoms
            if kind == "char" and value in "^_":
                self._script(atoms, value, depth)
                continue
            if kind == "char" and value == "{":
                inner = self.sequence(depth + 1, "}")
                atoms.append(_Atom(_join(inner).strip(), _group_kind(inner)))
                continue
            if kind == "char" and value == "'":
                atoms.append(_Atom("′"))
                continue
            if kind == "char" and value == "&":
                continue  # an alignment point
            if kind == "char" and value == "~":
                atoms.append(_Atom(" ", "space"))
                continue
            if kind == "char" and value in "#$":
                raise Unconvertible(value)
            if kind == "char":
                atoms.append(_char_atom(value))
                continue
            atoms.extend(self._command(value, depth))
        if stop is not None:
            raise Unconvertible("unbalanced {")
        return atoms

    def _argument(self, depth: int) -> list[_Atom]:
        """One argument: a braced group, or a single token."""
        self._skip_spaces()
        token = self._next()
        if token is None:
            raise Unconvertible("missing argument")
        kind, value = token
        if kind == "char" and value == "{":
            return self.sequence(depth + 1, "}")
        if kind == "char" and value in "}^_&":
            raise Unconvertible("missing argument")
        if kind == "char":
            return [_char_atom(value)]
        return self._command(value, depth)

    def _text_argument(self) -> str:
        """A text-mode argument (``\\text{a b}``): spaces kept, simple commands allowed."""
        self._skip_spaces()
        token = self._next()
        if token != ("char", "{"):
            raise Unconvertible("\\text without braces")
        parts, level = [], 0
        while (token := self._next()) is not None:
            kind, value = token
            if kind == "char" and value == "{":
                level += 1
                if level > MAX_DEPTH:
                    raise Unconvertible("nested too deeply")
                continue
            if kind == "char" and value == "}":
                if level == 0:
                    return "".join(parts)
                level -= 1
                continue
            if kind == "cmd":
                if value in _SPACES:
                    parts.append(" ")
                elif value in _SYMBOLS and len(value) == 1:
                    parts.append(_SYMBOLS[value][0])
                elif value in _TEXT or value in _PLAIN_FONTS:
                    continue
                else:
                    raise Unconvertible(f"\\{value} in text")
                continue
            parts.append(value)
        raise Unconvertible("unbalanced text")

    def _optional(self) -> list[_Atom] | None:
        """``[...]`` right after a command (``\\sqrt[3]{x}``)."""
        self._skip_spaces()
        if self._peek() != ("char", "["):
            return None
        self.at += 1
        atoms: list[_Atom] = []
        while (token := self._next()) is not None:
            if token == ("char", "]"):
                return atoms
            self.at -= 1
            atoms.extend(self._argument(1))
        raise Unconvertible("unbalanced [")

    def _script(self, atoms: list[_Atom], mark: str, depth: int) -> None:
        argument = self._argument(depth)
        text = _join(argument, tight=True).strip()
        if not text:
            return
        base = atoms[-1] if atoms and atoms[-1].kind not in ("space",) else None
        if base is None:
            base = _Atom("", "ord")
            atoms.append(base)
        base.text += _subscript(text) if mark == "_" else _superscript(text, argument)
        base.scripted = True

    def _command(self, name: str, depth: int) -> list[_Atom]:
        if name in _GREEK:
            return [_Atom(_GREEK[name])]
        if name in _SYMBOLS:
            text, kind = _SYMBOLS[name]
            return [_Atom(text, kind)]
        if name in _IGNORED:
            if name == "label":
                self._argument(depth)
            elif name in ("left", "right", "middle", "bigl", "bigr", "big", "Big", "bigg",
                          "Bigg", "Bigl", "Bigr", "biggl", "biggr", "Biggl", "Biggr", "bigm",
                          "Bigm"):  # fmt: skip
                return self._delimiter(depth)
            return []
        if name in _SPACES:
            return [_Atom(_SPACES[name], "space")]
        if name in _FUNCTIONS:
            return [_Atom(name, "func")]
        if name in ("operatorname", "mathop", "operatorname*"):
            return [_Atom(_join(self._argument(depth)).strip(), "func")]
        if name in _FONTS:
            table = _FONTS[name]
            inner = _join(self._argument(depth)).strip()
            return [_Atom("".join(table.get(char, char) for char in inner))]
        if name in _PLAIN_FONTS:
            argument = self._argument(depth)
            return [_Atom(_join(argument).strip(), _group_kind(argument))]
        if name in _TEXT:
            return [_Atom(self._text_argument())]
        if name in _ACCENTS:
            return [_Atom(_accent(name, _join(self._argument(depth)).strip()))]
        if name in ("frac", "dfrac", "tfrac", "cfrac"):
            top = self._argument(depth)
            bottom = self._argument(depth)
            return [_Atom(f"{_operand(top)}/{_operand(bottom)}", "frac")]
        if name in ("binom", "dbinom", "tbinom", "choose"):
            if name == "choose":
                raise Unconvertible("\\choose")
            top = _join(self._argument(depth)).strip()
            bottom = _join(self._argument(depth)).strip()
            return [_Atom(f"C({top}, {bottom})")]
        if name == "sqrt":
            index = self._optional()
            radicand = self._argument(depth)
            root = {"": "√", "2": "√", "3": "∛", "4": "∜"}.get(_join(index or []).strip())
            if root is None:
                root = _superscript(_join(index or []).strip(), index or []) + "√"
            return [_Atom(root + _operand(radicand, brackets="()"))]
        if name == "not":
            following = self._argument(depth)
            text = _join(following).strip()
            negated = {"=": "≠", "∈": "∉", "⊂": "⊄", "⊆": "⊈", "∼": "≁", "≡": "≢", "∣": "∤"}
            return [_Atom(negated.get(text, text + "\u0338"), "rel")]
        if name in ("overset", "stackrel", "underset"):
            over = _join(self._argument(depth)).strip()
            base = self._argument(depth)
            return [_Atom(_join(base).strip() + ("^" if name != "underset" else "_") + _brace(over),
                          _group_kind(base))]  # fmt: skip
        if name == "begin":
            return [self._environment(depth)]
        if name in ("mathbin",):
            return [_Atom(_join(self._argument(depth)).strip(), "bin")]
        if name in ("mathrel",):
            return [_Atom(_join(self._argument(depth)).strip(), "rel")]
        if name in ("mathord", "mathopen", "mathclose", "mathpunct", "ensuremath", "phantom",
                    "hphantom", "vphantom"):  # fmt: skip
            argument = self._argument(depth)
            return [] if "phantom" in name else [_Atom(_join(argument).strip())]
        raise Unconvertible(f"\\{name}")

    def _environment(self, depth: int) -> _Atom:
        """A matrix, ``cases`` or aligned rows on one line: ``(a, b; c, d)``."""
        name = self._name()
        if name not in MATRICES and name not in CASES and name not in ALIGNED:
            raise Unconvertible(f"environment {name}")
        if name in SPEC_ARGUMENT:
            self._argument(depth)
        rows: list[list[list[tuple[str, str]]]] = [[[]]]
        level = 0
        while (token := self._next()) is not None:
            if token == ("cmd", "begin"):
                level += 1
            elif token == ("cmd", "end"):
                if level == 0:
                    if self._name() != name:
                        raise Unconvertible("environments do not nest")
                    break
                level -= 1
            if level == 0 and token == ("char", "&"):
                rows[-1].append([])
            elif level == 0 and token == ("cmd", "\\"):
                self._optional()
                rows.append([[]])
            elif token != ("cmd", "hline"):
                rows[-1][-1].append(token)
        else:
            raise Unconvertible(f"{name} without end")
        texts = [
            [_join(_Parser(cell).sequence(depth + 1, None)).strip() for cell in row]
            for row in rows
            if any(row)
        ]
        if name in CASES:
            lines = ["  ".join(c for c in row if c) for row in texts]
            return _Atom("{" + _join_rows(lines) + "}")
        if name in ALIGNED:
            return _Atom(_join_rows([" ".join(c for c in row if c) for row in texts]))
        brackets = MATRICES[name] or "()"
        inside = "; ".join(", ".join(row) for row in texts)
        return _Atom(brackets[0] + inside + brackets[-1])

    def _name(self) -> str:
        """An environment's name: ``{pmatrix}`` after ``\\begin`` or ``\\end``."""
        self._skip_spaces()
        if self._next() != ("char", "{"):
            raise Unconvertible("environment without a name")
        parts = []
        while (token := self._next()) is not None and token != ("char", "}"):
            parts.append(token[1])
        return "".join(parts)

    def _delimiter(self, depth: int) -> list[_Atom]:
        """The bracket after ``\\left``, ``\\bigl``… (``\\left.`` is none)."""
        self._skip_spaces()
        token = self._peek()
        if token is None:
            return []
        if token == ("char", "."):
            self.at += 1
            return []
        if token == ("char", "{"):  # LaTeXML writes \bigl{(}
            self.at += 1
            inner = self.sequence(depth + 1, "}")
            return [_Atom(_join(inner).strip(), _delimiter_kind(_join(inner).strip()))]
        return []


def _join_rows(rows: list[str]) -> str:
    """Rows on one line: ``; `` between them, a space where a row ends in punctuation."""
    out = ""
    for row in rows:
        if out:
            out += " " if out[-1] in ",;." else "; "
        out += row
    return out


def _char_atom(char: str) -> _Atom:
    if char == "-":
        return _Atom("−", "bin")
    if char == "*":
        return _Atom("∗", "bin")
    if char in "+/":
        return _Atom(char, "bin")
    if char in "=<>:":
        return _Atom(char, "rel")
    if char in ",;":
        return _Atom(char, "punct")
    if char in _OPEN:
        return _Atom(char, "open")
    if char in _CLOSE:
        return _Atom(char, "close")
    return _Atom(char)


def _delimiter_kind(text: str) -> str:
    if text in _OPEN or text in ("⟨", "⌊", "⌈", "{"):
        return "open"
    if text in _CLOSE or text in ("⟩", "⌋", "⌉", "}"):
        return "close"
    return "ord"


def _group_kind(atoms: list[_Atom]) -> str:
    """A braced group is an ordinary operand, unless it holds a single operator."""
    if len(atoms) == 1 and atoms[0].kind in ("rel", "bin", "op", "func"):
        return atoms[0].kind
    return "ord"


def _join(atoms: list[_Atom], tight: bool = False) -> str:
    """Atoms as text, with spaces around relations and binary operators (none in a
    ``tight`` script: ``∑_{i=1}``)."""
    out: list[str] = []
    previous: _Atom | None = None
    for index, atom in enumerate(atoms):
        following = atoms[index + 1] if index + 1 < len(atoms) else None
        if atom.kind == "rel":
            out.append(atom.text if tight else f" {atom.text} ")
        elif atom.kind == "bin":
            operand_before = previous is not None and previous.kind in _OPERANDS
            if operand_before and following is not None and not tight:
                out.append(f" {atom.text} ")
            else:
                out.append(atom.text)
        elif atom.kind in ("punct", "space"):
            out.append(atom.text)
        else:
            gap = previous is not None and (
                (previous.kind == "op" and previous.scripted)
                or (previous.kind == "func" and atom.kind not in ("open", "close", "punct"))
                # w_k f_k, not w_kf_k; η m/n, not ηm/n
                or (previous.scripted and _glues(previous.text, atom.text))
                or (atom.kind == "frac" and previous.kind in ("ord", "close", "frac"))
                or (previous.kind == "frac" and atom.kind in ("ord", "open", "op"))
            )
            out.append((" " if gap else "") + atom.text)
        previous = atom
    return re.sub(r"  +", " ", "".join(out)) if "  " in "".join(out) else "".join(out)


def _glues(before: str, after: str) -> bool:
    """Whether ``after`` written right behind ``before`` would read as part of its script."""
    return (
        bool(before and after)
        and (before[-1].isalnum() or before[-1] == "′")
        and (after[0].isalnum())
    )


def _subscript(text: str) -> str:
    return "_" + _brace(text)


def _superscript(text: str, atoms: list[_Atom]) -> str:
    if all(char in _SUPERSCRIPTS for char in text):
        return "".join(_SUPERSCRIPTS[char] for char in text)
    if text in _SUPERSCRIPT_SYMBOLS:
        return _SUPERSCRIPT_SYMBOLS[text]
    if all(char == "′" for char in text):
        return text
    return "^" + _brace(text)


def _brace(text: str) -> str:
    """A script's text: bare when it is one symbol or one word, bracketed as TeX writes
    it otherwise (``_{i=1}``); already parenthesised text stays as it is (``^(l)``)."""
    if len(text) == 1 or re.fullmatch(r"[\w′]+", text):
        return text
    if text.startswith("(") and text.endswith(")") and _balanced(text[1:-1]):
        return text
    return "{" + text + "}"


def _balanced(text: str) -> bool:
    level = 0
    for char in text:
        level += char == "("
        level -= char == ")"
        if level < 0:
            return False
    return level == 0


def _operand(atoms: list[_Atom], brackets: str = "()") -> str:
    """An argument of a fraction or root, in brackets when it is more than one term."""
    text = _join(atoms).strip()
    simple = len(atoms) <= 1 or all(a.kind in ("ord", "open", "close") for a in atoms)
    if simple and " " not in text:
        return text
    return brackets[0] + text + brackets[1]


def _accent(name: str, text: str) -> str:
    mark = _ACCENTS[name]
    if len(text) == 1:
        return unicodedata.normalize("NFC", text + mark)
    if name in _EVERY_CHAR:
        return "".join(char + mark for char in text)
    return f"{name}({text})"
