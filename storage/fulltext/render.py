"""A :class:`Document` as Markdown or as plain text (``paperdeck read``).

Markdown keeps the paper's structure: ``#`` headings with their numbers, lists, fenced
listings, pipe tables, figures as image links with their captions, footnotes as
``[^1]``, references with their arXiv links. Math is written as readable Unicode (code
spans only where its characters would read as Markdown); formulas kept as TeX are
``$…$`` code spans. Page text is escaped where Markdown would read it as syntax.
"""

from __future__ import annotations

import re

from paperdeck.storage.fulltext import model
from paperdeck.storage.fulltext.cells import width
from paperdeck.storage.fulltext.math_layout import cells_tex, display_lines, group_rows
from paperdeck.storage.fulltext.model import Block, Document, Span

_ESCAPE = re.compile(r"([\\`*_<])")
_LINE_START = re.compile(r"^(\s*)([#>+\-=]|\d+[.)])(?=\s|$)")
_BULLETS = {"•", "∙", "◦", "–", "-", "*", "·", "▪", "‣"}
_SUPERSCRIPT_DIGITS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


TEXT_WIDTH = 100
"""The width two-dimensional math must fit in ``--format text`` (else it is linear)."""


def to_markdown(document: Document) -> str:
    parts = [_markdown_block(block) for block in document.blocks]
    return "\n\n".join(part for part in parts if part) + "\n"


def to_text(document: Document) -> str:
    displayed = displayed_equations(document.blocks, TEXT_WIDTH - 4)
    parts = []
    for index, block in enumerate(document.blocks):
        if index in displayed:
            lines, base = displayed[index]
            label = [""] * len(lines)
            label[base] = f"    {block.label}" if block.label else ""
            text = "\n".join(
                f"    {line}{tag}".rstrip() for line, tag in zip(lines, label, strict=True)
            )
            if block.level and parts:  # a row of an aligned group: no blank line above
                parts[-1] += "\n" + text
                continue
            parts.append(text)
        else:
            parts.append(_text_block(block))
    return "\n\n".join(part for part in parts if part) + "\n"


def displayed_equations(blocks: list[Block], room: int) -> dict[int, tuple[list[str], int]]:
    """The two-dimensional lines (and the line the number goes on) of every equation
    that has them within ``room`` cells (a number beside it included), by block index."""
    out: dict[int, tuple[list[str], int]] = {}
    for index, block in enumerate(blocks):
        if block.kind != model.EQUATION or block.level or not block.rows:
            continue
        group = group_rows(blocks, index)
        numbers = max((width(row.label) for row in group), default=0)
        laid = display_lines(
            [cells_tex(row) for row in group], room - (numbers + 4 if numbers else 0)
        )
        if laid is not None:
            out.update(zip(range(index, index + len(group)), laid, strict=True))
    return out


# --- Markdown ---------------------------------------------------------------------------


def markdown_spans(spans: list[Span]) -> str:
    out = []
    for span in spans:
        style, text = span.style, span.text
        if model.NOTE in style:
            out.append(f"[^{span.target or text}]")
        elif model.TEX in style:
            out.append(_code(f"${text}$"))
        elif model.ERROR in style or model.CODE in style:
            out.append(_code(text))
        elif model.MATH in style:
            out.append(_code(text) if re.search(r"[`*\\]", text) else text)
        elif model.LINK in style:
            url = span.target
            url = f"<{url}>" if re.search(r"[\s()<>]", url) else url
            out.append(f"[{_escape(text)}]({url})")
        else:
            escaped = _escape(text)
            if model.BOLD in style and model.ITALIC in style:
                escaped = _emphasis(escaped, "***")
            elif model.BOLD in style:
                escaped = _emphasis(escaped, "**")
            elif model.ITALIC in style:
                escaped = _emphasis(escaped, "*")
            out.append(escaped)
    return "".join(out)


def _escape(text: str) -> str:
    return _ESCAPE.sub(r"\\\1", text)


def _emphasis(text: str, mark: str) -> str:
    stripped = text.strip()
    if not stripped:
        return text
    before = text[: len(text) - len(text.lstrip())]
    after = text[len(text.rstrip()) :]
    return f"{before}{mark}{stripped}{mark}{after}"


def _code(text: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if longest or text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _line_safe(text: str) -> str:
    """Text that starts a line must not start a heading, quote or list."""
    return _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text, count=1)


def _markdown_block(block: Block) -> str:
    kind = block.kind
    text = markdown_spans(block.spans)
    if kind == model.TITLE:
        return f"# {text}"
    if kind == model.AUTHORS:
        return _line_safe(text)
    if kind == model.HEADING:
        label = f"{_escape(block.label)} " if block.label else ""
        return f"{'#' * min(6, block.level + 1)} {label}{text}"
    if kind == model.PARAGRAPH:
        return "    " * block.level + _line_safe(text) if text else ""
    if kind == model.ITEM:
        marker = "-" if block.label in _BULLETS or not block.label else block.label
        if not re.fullmatch(r"\d{1,9}[.)]", marker) and marker != "-":
            marker, text = "-", f"{_escape(block.label)} {text}"
        return f"{'    ' * block.level}{marker} {text}".rstrip()
    if kind == model.CODE_BLOCK:
        longest = max((len(run) for run in re.findall(r"`{3,}", block.text)), default=2)
        fence = "`" * (longest + 1)
        return f"{fence}\n{block.text}\n{fence}"
    if kind == model.EQUATION:
        tex = "".join(cells_tex(block))
        if not tex:  # words beside the math: as read
            label = f"    {block.label}" if block.label else ""
            return "    " + _plain_spans(block.spans, tex="$$") + label
        tag = f" \\tag{{{block.label.strip('()')}}}" if block.label else ""
        return f"$${tex}{tag}$$"
    if kind == model.FIGURE:
        caption = f"**{_escape(block.label)}:** {text}" if text else f"**{_escape(block.label)}**"
        image = f"![{_escape(block.label)}]({block.url})\n\n" if block.url else ""
        more = "".join(f"\n\n![]({url})" for url in block.text.split("\n") if url)
        return f"{image}{caption}{more}"
    if kind == model.TABLE:
        caption = f"**{_escape(block.label)}:** {text}" if block.label else text
        table = _pipe_table(block)
        return f"{caption}\n\n{table}" if caption else table
    if kind == model.REFERENCE:
        link = f" <https://arxiv.org/abs/{block.arxiv}>" if block.arxiv else ""
        return f"- {_escape(block.label)} {text}{link}".rstrip()
    if kind == model.FOOTNOTE:
        return f"[^{block.label}]: {text}"
    return text


def _pipe_table(block: Block) -> str:
    columns = max(len(row) for row in block.rows)
    rows = [
        [markdown_spans(cell).replace("|", "\\|") for cell in row] + [""] * (columns - len(row))
        for row in block.rows
    ]
    head = max(1, block.head)
    if block.head == 0:
        rows.insert(0, [""] * columns)
    widths = [max(3, *(width(row[c]) for row in rows)) for c in range(columns)]

    def line(cells: list[str]) -> str:
        padded = (_pad(cell, w) for cell, w in zip(cells, widths, strict=True))
        return "| " + " | ".join(padded) + " |"

    lines = [line(row) for row in rows[:head]]
    lines.append("| " + " | ".join("-" * w for w in widths) + " |")
    lines.extend(line(row) for row in rows[head:])
    return "\n".join(lines)


# --- plain text ---------------------------------------------------------------------------


def _plain_spans(spans: list[Span], tex: str = "$") -> str:
    out = []
    for span in spans:
        if model.NOTE in span.style:
            mark = span.target or span.text
            out.append(mark.translate(_SUPERSCRIPT_DIGITS) if mark.isdigit() else f"^{mark}")
        elif model.TEX in span.style:
            out.append(f"{tex}{span.text}{tex}")
        else:
            out.append(span.text)
    return "".join(out)


def _text_block(block: Block) -> str:
    kind = block.kind
    text = _plain_spans(block.spans)
    if kind == model.TITLE:
        return f"{text}\n{'=' * min(100, width(text))}"
    if kind == model.HEADING:
        heading = f"{block.label} {text}" if block.label else text
        if block.level == 1:
            return f"\n{heading}\n{'-' * min(100, width(heading))}"
        return heading
    if kind == model.PARAGRAPH:
        return "  " * block.level + text if text else ""
    if kind == model.ITEM:
        return f"{'  ' * block.level}{block.label or '•'} {text}".rstrip()
    if kind == model.CODE_BLOCK:
        return "\n".join("    " + line for line in block.text.split("\n"))
    if kind == model.EQUATION:
        label = f"    {block.label}" if block.label else ""
        return "    " + _plain_spans(block.spans, tex="$$") + label
    if kind == model.FIGURE:
        caption = f"[{block.label}: {text}]" if text else f"[{block.label}]"
        urls = [url for url in (block.url, *block.text.split("\n")) if url]
        return caption + "".join(f"\n  image: {url}" for url in urls)
    if kind == model.TABLE:
        caption = f"{block.label}: {text}" if block.label else text
        table = _text_table(block)
        return f"{caption}\n{table}" if caption else table
    if kind == model.REFERENCE:
        return f"{block.label} {text}".strip()
    if kind == model.FOOTNOTE:
        mark = block.label.translate(_SUPERSCRIPT_DIGITS) if block.label.isdigit() else block.label
        return f"{mark} {text}"
    return text


def _text_table(block: Block) -> str:
    columns = max(len(row) for row in block.rows)
    rows = [
        [_plain_spans(cell) for cell in row] + [""] * (columns - len(row)) for row in block.rows
    ]
    widths = [max(width(row[c]) for row in rows) for c in range(columns)]
    lines = []
    for number, row in enumerate(rows):
        lines.append("  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip())
        if number + 1 == block.head:
            lines.append("  ".join("─" * w for w in widths))
    return "\n".join(lines)


def _pad(text: str, cells: int) -> str:
    return text + " " * max(0, cells - width(text))
