"""Display equations in two dimensions: stacked fractions, matrices, ``cases``, aligned rows.

:func:`display_lines` lays out the rows of one display equation (or of an aligned group
of them, as LaTeXML writes ``align``) into lines of text for a given width: a fraction
is its numerator over a rule over its denominator, a matrix one row a line with its
columns aligned between tall brackets, ``cases`` one case a line behind a brace, the
cells of aligned rows in columns (right, left, right, left…). What is neither stays the
linear Unicode of :func:`~paperdeck.storage.fulltext.math.tex_to_unicode`.

It returns None when the linear form should be shown instead: nothing in the equation is
two-dimensional, something cannot be converted, or the layout is wider than the room.
Both the plain-text output and the reading screen draw from it, so they agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from paperdeck.storage.fulltext.cells import width
from paperdeck.storage.fulltext.math import (
    ALIGNED,
    CASES,
    MATRICES,
    SPEC_ARGUMENT,
    tex_to_unicode,
)
from paperdeck.storage.fulltext.model import Block

MAX_ROWS = 60
"""Bigger matrices are shown linear (a page of cells helps nobody)."""
MAX_NESTING = 8
_FRACTIONS = {"frac", "dfrac", "tfrac", "cfrac"}
_COMMAND = re.compile(r"\\([A-Za-z]+\*?|.)")
_OPENERS = "([{⟨|‖⌊⌈"
_CLOSERS = ")]}⟩|‖⌋⌉,;.!′"
_SPACED = set("=<>≤≥≠≈∼≡∈∉⊂⊆⊃⊇→←⇒⇔↦≪≫∝∣+−±∓×⋅∘⊕⊗")
_DELIMITERS = {
    "(": "(", ")": ")", "[": "[", "]": "]", "\\{": "{", "\\}": "}", "\\lbrace": "{",
    "\\rbrace": "}", "|": "|", "\\|": "‖", "\\vert": "|", "\\Vert": "‖", "\\lvert": "|",
    "\\rvert": "|", "\\lVert": "‖", "\\rVert": "‖", "\\langle": "⟨", "\\rangle": "⟩",
    ".": "",
}  # fmt: skip
_TALL = {
    "(": ("⎛", "⎜", "⎝"), ")": ("⎞", "⎟", "⎠"), "[": ("⎡", "⎢", "⎣"), "]": ("⎤", "⎥", "⎦"),
    "{": ("⎧", "⎪", "⎩"), "}": ("⎫", "⎪", "⎭"), "|": ("│", "│", "│"), "‖": ("‖", "‖", "‖"),
    "⟨": ("╱", "⟨", "╲"), "⟩": ("╲", "⟩", "╱"),
}  # fmt: skip


class _Flat(Exception):
    """The formula cannot be laid out: show its linear form."""


@dataclass(slots=True, frozen=True)
class Box:
    """Lines of equal width; ``base`` is the line the formula's axis runs through."""

    lines: tuple[str, ...]
    base: int = 0
    kind: str = "text"
    """text, frac, env or bracket: how it spaces against its neighbours."""

    @property
    def width(self) -> int:
        return width(self.lines[0]) if self.lines else 0

    @property
    def height(self) -> int:
        return len(self.lines)


def display_lines(rows: list[list[str]], room: int) -> list[tuple[list[str], int]] | None:
    """Each row's lines and the line its number goes on, or None for the linear form.

    ``rows`` holds the TeX of each row's cells; the cells of all rows are aligned in
    columns, right and left in turn, as ``align`` sets them."""
    try:
        cells = [[_layout(tex, 0) for tex in row] for row in rows]
    except (_Flat, RecursionError):
        return None
    if not any(len(row) > 1 or any(c.height > 1 for c in row) for row in cells) and len(rows) < 2:
        return None
    if len(rows) > 1 and all(len(row) == 1 and row[0].height == 1 for row in cells):
        return None  # unaligned flat rows: the linear form says the same
    columns = max(len(row) for row in cells)
    widths = [
        max((row[c].width for row in cells if c < len(row)), default=0) for c in range(columns)
    ]
    out = []
    for row in cells:
        padded = row + [Box(("",))] * (columns - len(row))
        parts = []
        for c, box in enumerate(padded):
            parts.append(_align(box, widths[c], "r" if c % 2 == 0 and columns > 1 else "l"))
            if c + 1 < columns and widths[c] and widths[c + 1]:
                parts.append(_flat(" " if c % 2 == 0 else "  "))
        line = _hcat(parts)
        lines = [text.rstrip() for text in line.lines]
        if max(width(text) for text in lines) > room:
            return None
        out.append((lines, line.base))
    return out


def group_rows(blocks: list[Block], start: int) -> list[Block]:
    """The equation at ``start`` and the rows aligned with it (``level`` 1 continues a group)."""
    end = start + 1
    while end < len(blocks) and blocks[end].kind == blocks[start].kind and blocks[end].level:
        end += 1
    return blocks[start:end]


def cells_tex(block: Block) -> list[str]:
    """The TeX of an equation row's cells (empty when the converter kept none)."""
    return ["".join(span.text for span in cell) for cell in block.rows[0]] if block.rows else []


# --- layout -------------------------------------------------------------------------------


def _layout(tex: str, depth: int) -> Box:
    """``tex`` as a box: fractions stacked, environments in rows, brackets grown."""
    if depth > MAX_NESTING:
        raise _Flat
    items: list[Box] = []
    run: list[str] = []
    at, end = 0, len(tex)

    def flush() -> None:
        text = "".join(run).strip()
        run.clear()
        if text:
            items.append(_text(text))

    while at < end:
        char = tex[at]
        if char == "\\":
            match = _COMMAND.match(tex, at)
            name, after = match.group(1), match.end()
            if name in _FRACTIONS:
                top, after = _argument(tex, after)
                bottom, after = _argument(tex, after)
                flush()
                items.append(_fraction(_layout(top, depth + 1), _layout(bottom, depth + 1)))
                at = after
                continue
            if name == "begin":
                env, after = _argument(tex, after)
                body, after = _environment_body(tex, after, env)
                flush()
                items.append(_environment(env, body, depth))
                at = after
                continue
            if name == "left":
                opening, inner, closing, after = _left_right(tex, after)
                box = _layout(inner, depth + 1)
                if box.height > 1:
                    flush()
                    items.append(_bracketed(opening, box, closing))
                else:
                    run.append(tex[at:after])
                at = after
                continue
            run.append(match.group(0))
            at = after
            continue
        if char in "^_" and items and not "".join(run).strip() and items[-1].kind != "text":
            script, at = _argument(tex, at + 1)
            items[-1] = _scripted(items[-1], char, script)
            continue
        if char == "{":
            close = _closing_brace(tex, at)
            run.append(tex[at : close + 1])
            at = close + 1
            continue
        run.append(char)
        at += 1
    flush()
    if not items:
        return Box(("",))
    return _row(items)


def _text(tex: str) -> Box:
    text = tex_to_unicode(tex)
    if text is None:
        raise _Flat
    if len(text) > 1 and text[-1] in _SPACED and text[-2] != " ":
        text = text[:-1] + " " + text[-1]  # 1 + (a fraction follows)
    return Box((text,))


def _flat(text: str) -> Box:
    return Box((text,))


def _row(items: list[Box]) -> Box:
    """Boxes side by side, a space between them where TeX would put one."""
    parts = [items[0]]
    for before, after in zip(items, items[1:], strict=False):
        if _gap(before, after):
            parts.append(_flat(" "))
        parts.append(after)
    box = _hcat(parts)
    kind = items[0].kind if len(items) == 1 else "text" if box.height == 1 else "env"
    return Box(box.lines, box.base, kind)


def _gap(before: Box, after: Box) -> bool:
    left = before.lines[before.base] if before.kind == "text" else ""
    right = after.lines[after.base] if after.kind == "text" else ""
    if left.endswith(" ") or right.startswith(" "):
        return False
    if before.kind == "text" and left and left[-1] in _OPENERS:
        return False
    if after.kind == "text" and right and right[0] in _CLOSERS:
        return False
    if after.kind == "bracket" and left[-1:].isalpha():
        return False  # softmax(…), f(…)
    return not (before.kind == "bracket" and after.kind == "text")  # ⎞V


def _hcat(boxes: list[Box]) -> Box:
    above = max(box.base for box in boxes)
    below = max(box.height - box.base - 1 for box in boxes)
    lines = []
    for line in range(-above, below + 1):
        parts = []
        for box in boxes:
            at = box.base + line
            parts.append(box.lines[at] if 0 <= at < box.height else " " * box.width)
        lines.append("".join(parts))
    return Box(tuple(lines), above)


def _align(box: Box, cells: int, how: str) -> Box:
    """``box`` padded to ``cells`` wide: on the left (``r``), both sides (``c``) or right."""
    spare = cells - box.width
    left = spare if how == "r" else spare // 2 if how == "c" else 0
    lines = tuple(" " * left + line + " " * (spare - left) for line in box.lines)
    return Box(lines, box.base, box.kind)


def _fraction(top: Box, bottom: Box) -> Box:
    cells = max(top.width, bottom.width) + 2
    lines = (
        *_align(top, cells, "c").lines,
        "─" * cells,
        *_align(bottom, cells, "c").lines,
    )
    return Box(lines, top.height, "frac")


def _scripted(box: Box, mark: str, tex: str) -> Box:
    script = tex_to_unicode(tex)
    if script is None:
        raise _Flat
    at = 0 if mark == "^" else box.height - 1
    cells = width(script)
    lines = tuple(line + (script if n == at else " " * cells) for n, line in enumerate(box.lines))
    return Box(lines, box.base, box.kind)


def _bracketed(opening: str, box: Box, closing: str) -> Box:
    parts = [_tall(opening, box), box, _tall(closing, box)]
    joined = _hcat([part for part in parts if part.width])
    return Box(joined.lines, joined.base, "bracket")


def _tall(bracket: str, box: Box) -> Box:
    """``bracket`` grown to ``box``'s height (a brace gets its middle at the axis)."""
    height = box.height
    if not bracket:
        return Box(("",) * height, box.base)
    if height == 1:
        return Box((bracket,))
    if bracket in "{}" and height == 2:
        return Box(("⎰", "⎱") if bracket == "{" else ("⎱", "⎰"))
    top, middle, bottom = _TALL.get(bracket, (bracket, bracket, bracket))
    lines = [top, *[middle] * (height - 2), bottom]
    if bracket in "{}" and height > 2:
        axis = min(max(1, box.base), height - 2)
        lines = [top, *["⎪"] * (height - 2), bottom]
        lines[axis] = "⎨" if bracket == "{" else "⎬"
    return Box(tuple(lines), box.base)


def _environment(name: str, body: str, depth: int) -> Box:
    if name in SPEC_ARGUMENT:
        spec, after = _argument(body, 0)
        body = body[after:]
    else:
        spec = ""
    rows = _cells(body)
    if len(rows) > MAX_ROWS:
        raise _Flat
    boxes = [[_layout(cell, depth + 1) for cell in row] for row in rows]
    columns = max((len(row) for row in boxes), default=0)
    if not columns:
        return Box(("",), 0, "env")
    widths = [
        max((row[c].width for row in boxes if c < len(row)), default=0) for c in range(columns)
    ]
    if name in ALIGNED:
        hows = ["r" if c % 2 == 0 else "l" for c in range(columns)]
        gaps = [" " if c % 2 == 0 else "  " for c in range(columns)]
    elif name in CASES:
        hows, gaps = ["l"] * columns, ["  "] * columns
    else:
        letters = [c for c in spec if c in "lcr"]
        hows = [letters[c] if c < len(letters) else "c" for c in range(columns)]
        gaps = ["  "] * columns
    lines: list[str] = []
    for row in boxes:
        padded = row + [Box(("",))] * (columns - len(row))
        parts = []
        for c, box in enumerate(padded):
            parts.append(_align(box, widths[c], hows[c]))
            if c + 1 < columns:
                parts.append(_flat(gaps[c]))
        lines.extend(_hcat(parts).lines)
    grid = Box(tuple(lines), (len(lines) - 1) // 2)
    if name in CASES:
        if name == "rcases":
            return _bracketed("", _pad(grid), "}")
        return _bracketed("{", _pad(grid), "")
    brackets = MATRICES.get(name, "")
    if not brackets:
        return Box(grid.lines, grid.base, "env")
    return _bracketed(brackets[0], _pad(grid), brackets[-1])


def _pad(box: Box) -> Box:
    """A space on each side, inside brackets."""
    return Box(tuple(f" {line} " for line in box.lines), box.base, box.kind)


# --- reading TeX -------------------------------------------------------------------------


def _closing_brace(tex: str, at: int) -> int:
    level = 0
    for index in range(at, len(tex)):
        char = tex[index]
        if char == "\\":
            continue
        if char == "{" and (index == 0 or tex[index - 1] != "\\"):
            level += 1
        elif char == "}" and (index == 0 or tex[index - 1] != "\\"):
            level -= 1
            if level == 0:
                return index
    raise _Flat


def _argument(tex: str, at: int) -> tuple[str, int]:
    """One argument at ``at``: a braced group's inside, a command, or one character."""
    while at < len(tex) and tex[at] == " ":
        at += 1
    if at >= len(tex):
        raise _Flat
    if tex[at] == "{":
        close = _closing_brace(tex, at)
        return tex[at + 1 : close], close + 1
    if tex[at] == "\\":
        match = _COMMAND.match(tex, at)
        return match.group(0), match.end()
    return tex[at], at + 1


def _environment_body(tex: str, at: int, name: str) -> tuple[str, int]:
    """What lies between ``\\begin{name}`` (ending at ``at``) and its ``\\end{name}``."""
    level, index = 0, at
    pattern = re.compile(r"\\(begin|end)\s*\{([^}]*)\}")
    while (match := pattern.search(tex, index)) is not None:
        if match.group(1) == "begin":
            level += 1
        elif level:
            level -= 1
        else:
            if match.group(2) != name:
                raise _Flat
            return tex[at : match.start()], match.end()
        index = match.end()
    raise _Flat


def _left_right(tex: str, at: int) -> tuple[str, str, str, int]:
    """After ``\\left``: its bracket, what it encloses, the ``\\right`` bracket, the end."""
    opening, at = _delimiter(tex, at)
    level, index = 0, at
    pattern = re.compile(r"\\(left|right)(?![A-Za-z])")
    while (match := pattern.search(tex, index)) is not None:
        if match.group(1) == "left":
            level += 1
        elif level:
            level -= 1
        else:
            closing, after = _delimiter(tex, match.end())
            return opening, tex[at : match.start()], closing, after
        index = match.end()
    raise _Flat


def _delimiter(tex: str, at: int) -> tuple[str, int]:
    while at < len(tex) and tex[at] == " ":
        at += 1
    if at >= len(tex):
        raise _Flat
    if tex[at] == "\\":
        match = _COMMAND.match(tex, at)
        token, after = match.group(0), match.end()
    else:
        token, after = tex[at], at + 1
    if token not in _DELIMITERS:
        raise _Flat
    return _DELIMITERS[token], after


def _cells(body: str) -> list[list[str]]:
    """An environment's rows (at ``\\\\``) and cells (at ``&``), nested groups kept whole."""
    rows: list[list[str]] = [[""]]
    level, at = 0, 0
    while at < len(body):
        char = body[at]
        if char == "\\":
            match = _COMMAND.match(body, at)
            token = match.group(0)
            if token in ("\\begin",):
                level += 1
            elif token == "\\end":
                level -= 1
            if level == 0 and token == "\\\\":
                after = match.end()
                if body[after : after + 1] == "[":  # \\[2pt]
                    after = body.find("]", after) + 1 or len(body)
                rows.append([""])
                at = after
                continue
            if token != "\\hline":
                rows[-1][-1] += token
            at = match.end()
            continue
        if char == "{":
            level += 1
        elif char == "}":
            level -= 1
        if char == "&" and level == 0:
            rows[-1].append("")
        else:
            rows[-1][-1] += char
        at += 1
    return [row for row in rows if any(cell.strip() for cell in row)]
