"""arXiv's HTML rendering (LaTeXML) → the document model (:class:`Document`).

Three passes:

1. **Pre-pass** over the page parsed by lxml (C speed, no recursion in Python): the page
   chrome goes (arXiv's top bar, the navigation with its table of contents, the footers,
   scripts and styles); every ``<math>`` becomes a small marker holding its TeX and its
   Unicode reading (:mod:`paperdeck.storage.fulltext.math`) instead of hundreds of MathML
   nodes; anything nested deeper than :data:`MAX_DEPTH` is flattened to its text.
2. The article is parsed again by **BeautifulSoup**, small now, and footnotes are moved
   out of the text (a mark stays), citations and links are resolved.
3. A **walk over the blocks** (sections, headings with their numbers, paragraphs, lists,
   theorems, equations, figures, tables, listings, references) makes :class:`Block`\\ s;
   the inline text of each goes through a **markdownify converter subclass**
   (:class:`InlineConverter`) whose output marks styles, citations and math, and is read
   back into :class:`Span`\\ s.

Text from the page is data: control characters are stripped first, links are kept only
when they are http(s), and nothing is ever interpreted as markup.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urljoin

from paperdeck.storage.fulltext import model
from paperdeck.storage.fulltext.math import tex_to_unicode
from paperdeck.storage.fulltext.model import Block, Document, Span
from paperdeck.storage.ids import parse_id
from paperdeck.storage.parsers.codelinks import safe_url
from paperdeck.storage.parsers.text import strip_controls

CONVERTER_VERSION = 3
"""Raise it when the conversion changes: stored papers are converted again from their
stored HTML (no network) the next time they are opened. (3: paragraphs and footnotes
keep LaTeXML's ids, which the assistant cites.)"""
MAX_DEPTH = 64
"""Elements nested deeper than this are flattened to their text (LaTeXML pages nest ~15
levels; libxml2 itself stops at 256 and drops what lies deeper)."""
PARSER_DEPTH = 256
"""libxml2's limit: what lies deeper is not parsed (the converter says so in a note)."""
MAX_TABLE_ROWS = 5_000
MAX_TABLE_COLUMNS = 64
MAX_COLSPAN = 64

CHROME = (
    "header.desktop_header",
    "nav.ltx_page_navbar",
    "nav.ltx_TOC",
    "footer.ltx_page_footer",
    "div.ar5iv-footer",
    "div.ltx_page_logo",
    "button",
    "form",
)
DROPPED_TAGS = (
    "script", "style", "noscript", "template", "iframe", "object", "embed", "link", "meta",
    "svg", "canvas", "audio", "video", "input", "select", "textarea",
)  # fmt: skip


class ConversionError(Exception):
    """The page is not a paper's rendering (empty, not HTML, no document in it)."""


# --- pass 1: lxml ----------------------------------------------------------------------


def _prepare(html: str, source_url: str) -> tuple[str, str, str, list[str]]:
    """(the article's cleaned HTML, the page's title, its base URL, notes)."""
    import lxml.etree as etree
    import lxml.html

    notes: list[str] = []
    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
    try:
        root = lxml.html.document_fromstring(html.encode("utf-8", "replace"), parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise ConversionError(f"the page cannot be read as HTML ({exc})") from None
    base = source_url
    for element in root.iter("base"):
        href = element.get("href")
        if href:
            base = urljoin(source_url, href.strip())
            break
    page_title = " ".join((root.findtext(".//title") or "").split())
    for element in list(root.iter(*DROPPED_TAGS)):
        _drop(element)
    for selector in CHROME:
        tag, _, cls = selector.partition(".")
        for element in list(root.iter(tag)):
            if cls in (element.get("class") or "").split():
                _drop(element)
    kept_tex = 0
    for math in list(root.iter("{http://www.w3.org/1998/Math/MathML}math", "math")):
        kept_tex += _mark_math(math)
    if kept_tex:
        said = (
            "formula could not be converted and is"
            if kept_tex == 1
            else ("formulas could not be converted and are")
        )
        notes.append(f"{kept_tex} {said} shown as TeX")
    _flatten_deep(root)
    if any("excessive depth" in error.message.lower() for error in parser.error_log):
        notes.append(
            f"parts of the page nest more than {PARSER_DEPTH} elements deep; "
            "what lies deeper could not be read"
        )
    article = _find_article(root)
    if article is None:
        raise ConversionError("the page holds no paper (no LaTeXML document in it)")
    return lxml.html.tostring(article, encoding="unicode"), page_title, base, notes


def _drop(element) -> None:
    """Remove ``element`` but keep the text that follows it (its tail)."""
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail
    if tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)


def _mark_math(math) -> int:
    """Replace a ``<math>`` by a childless ``<span class="pd-math">`` that holds its TeX
    and its Unicode reading; returns 1 when the TeX had to be kept."""
    tex = math.get("alttext")
    if not tex:
        for annotation in math.iter("{*}annotation", "annotation"):
            if "tex" in (annotation.get("encoding") or ""):
                tex = annotation.text or ""
                break
    if not tex:  # presentation MathML only: its glyphs, without the annotations
        for annotation in list(math.iter("{*}annotation-xml", "annotation-xml")):
            annotation.getparent().remove(annotation)
        tex = " ".join("".join(math.itertext()).split())
    tex = " ".join(tex.replace("%\n", "").split())
    unicode = tex_to_unicode(tex) if tex else ""
    display = math.get("display") == "block"
    tail = math.tail
    math.clear()
    math.tag = "span"
    math.set("class", "pd-math")
    math.set("data-tex", tex)
    math.set("data-unicode", unicode or "")
    if display:
        math.set("data-display", "1")
    math.tail = tail
    return 1 if tex and unicode is None else 0


def _flatten_deep(root) -> None:
    """Flatten every element deeper than :data:`MAX_DEPTH` into its text (the walks
    after this one recurse, in bs4 and markdownify)."""
    import lxml.etree as etree

    depth = 0
    walker = etree.iterwalk(root, events=("start", "end"))
    for event, element in walker:
        if event == "end":
            depth -= 1
            continue
        depth += 1
        if depth >= MAX_DEPTH and len(element):
            text = " ".join(element.text_content().split())
            for child in list(element):
                element.remove(child)
            element.text = text
            walker.skip_subtree()
            depth -= 1  # no "end" event comes for a skipped subtree


def _find_article(root):
    for element in root.iter("article"):
        if "ltx_document" in (element.get("class") or "").split():
            return element
    for cls in ("ltx_page_content", "ltx_page_main", "ltx_document"):
        for element in root.iter("div"):
            if cls in (element.get("class") or "").split():
                return element
    return None


# --- pass 3, inline: a markdownify converter subclass ---------------------------------

_OPEN = "\x02"
_SEP = "\x1f"
_END_OPEN = "\x03"
_CLOSE = "\x04"
_MARKS = re.compile(rf"{_OPEN}([^{_SEP}]*){_SEP}([^{_END_OPEN}]*){_END_OPEN}|{_CLOSE}")
_SPACES = re.compile(r"\s+")


def _markdownify_base():
    from markdownify import MarkdownConverter

    return MarkdownConverter


def _wrap(text: str, style: str, target: str = "") -> str:
    """``text`` marked with ``style``; spaces at its edges stay outside the mark."""
    stripped = text.strip(" ")
    if not stripped:
        return text
    before = " " if text.startswith(" ") else ""
    after = " " if text.endswith(" ") else ""
    target = target.replace(_SEP, "").replace(_END_OPEN, "")
    return f"{before}{_OPEN}{style}{_SEP}{target}{_END_OPEN}{stripped}{_CLOSE}{after}"


_converter_class = None


def inline_converter_class():
    """The :class:`InlineConverter` class (made once, on first use)."""
    global _converter_class
    if _converter_class is None:
        _converter_class = _make_converter_class()
    return _converter_class


def _make_converter_class():
    base_class = _markdownify_base()

    class InlineConverter(base_class):
        """markdownify's walk over inline HTML, with its whitespace rules, writing style
        marks (control characters the page cannot hold: they are stripped from it
        first) instead of Markdown syntax; :func:`spans_of` reads them back."""

        class Options(base_class.DefaultOptions):
            escape_asterisks = False
            escape_underscores = False
            escape_misc = False
            wrap = True
            wrap_width = None
            autolinks = False

        def __init__(self, base_url: str = "", **options):
            super().__init__(**options)
            self.base_url = base_url

        def process_text(self, el, parent_tags=None):
            text = super().process_text(el, parent_tags=parent_tags)
            return text if "pre" in (parent_tags or ()) else _SPACES.sub(" ", text)

        def convert_b(self, el, text, parent_tags):
            return _wrap(text, model.BOLD)

        convert_strong = convert_b

        def convert_em(self, el, text, parent_tags):
            return _wrap(text, model.ITALIC)

        convert_i = convert_em

        def convert_code(self, el, text, parent_tags):
            return _wrap(text, model.CODE)

        convert_tt = convert_kbd = convert_samp = convert_code

        def convert_pre(self, el, text, parent_tags):
            return _wrap(" ".join(text.split()), model.CODE)

        def convert_span(self, el, text, parent_tags):
            classes = el.get("class") or []
            if "pd-math" in classes:
                unicode = el.get("data-unicode") or ""
                if unicode:
                    return _wrap(unicode, model.MATH)
                tex = el.get("data-tex") or ""
                return _wrap(tex, model.TEX) if tex else ""
            if "ltx_ERROR" in classes:
                return _wrap(text, model.ERROR)
            if "ltx_font_bold" in classes:
                text = _wrap(text, model.BOLD)
            if "ltx_font_italic" in classes:
                text = _wrap(text, model.ITALIC)
            if "ltx_font_typewriter" in classes:
                text = _wrap(text, model.CODE)
            return text

        def convert_sup(self, el, text, parent_tags):
            if "pd-note" in (el.get("class") or []):
                return _wrap(text, model.NOTE, el.get("data-n") or text.strip())
            return text

        def convert_sub(self, el, text, parent_tags):
            return text

        def convert_a(self, el, text, parent_tags):
            href = _href(el.get("href"))
            if href.startswith("#"):
                if href.startswith("#bib."):
                    return _wrap(text, model.CITE, href[1:])
                return text  # a reference inside the paper: Figure 1, Section 2
            url = safe_url(urljoin(self.base_url, href)) if href else None
            if url is None:
                return text  # javascript:, file:, data: … are never kept as links
            return _wrap(text, model.LINK, url)

        def convert_img(self, el, text, parent_tags):
            return ""

        def convert_br(self, el, text, parent_tags):
            return " "

        def convert_hN(self, n, el, text, parent_tags):
            return f" {text} "

        def convert_p(self, el, text, parent_tags):
            return f" {text} "

        convert_div = convert_blockquote = convert_li = convert_dd = convert_dt = convert_p
        convert_figcaption = convert_caption = convert_section = convert_article = convert_p

        def convert_list(self, el, text, parent_tags):
            return f" {text} "

        convert_ul = convert_ol = convert_list

        def convert_td(self, el, text, parent_tags):
            return f" {text} "

        convert_th = convert_tr = convert_table = convert_td

        def convert_del(self, el, text, parent_tags):
            return text

        convert_s = convert_del

        def convert_q(self, el, text, parent_tags):
            return f"“{text}”"

    return InlineConverter


def _cell_tex(cell) -> list[Span]:
    """The TeX of an equation cell's math, as one span (none when it holds no math)."""
    tex = "".join(m.get("data-tex") or "" for m in cell.find_all("span", class_="pd-math"))
    tex = re.sub(r"^\\displaystyle(?![A-Za-z])\s*", "", tex.strip())
    return [Span(tex, model.TEX)] if tex else []


def _href(value: str | None) -> str:
    """A link's target, or "" when it holds whitespace or control characters inside (a
    browser drops them: ``java\tscript:`` is ``javascript:``)."""
    href = (value or "").strip()
    decoded = unquote(href)  # lxml's serializer escapes them: java%09script:
    if any(char.isspace() for char in href) or not decoded.isprintable():
        return ""
    return href


def spans_of(marked: str) -> list[Span]:
    """The spans in the output of :class:`InlineConverter`."""
    spans: list[Span] = []
    stack: list[tuple[str, str]] = []
    at = 0
    for match in _MARKS.finditer(marked):
        if match.start() > at:
            _append(spans, marked[at : match.start()], stack)
        if match.group(0) == _CLOSE:
            if stack:
                stack.pop()
        else:
            stack.append((match.group(1), match.group(2)))
        at = match.end()
    if at < len(marked):
        _append(spans, marked[at:], stack)
    return _tidy(spans)


def _append(spans: list[Span], text: str, stack: list[tuple[str, str]]) -> None:
    style = "".join(sorted({letter for s, _ in stack for letter in s}))
    target = next((t for _, t in reversed(stack) if t), "")
    if spans and spans[-1].style == style and spans[-1].target == target:
        spans[-1].text += text
    else:
        spans.append(Span(text, style, target))


def _tidy(spans: list[Span]) -> list[Span]:
    """One space between words, none at the ends; empty spans dropped."""
    out: list[Span] = []
    for span in spans:
        text = _SPACES.sub(" ", span.text) if model.CODE not in span.style else span.text
        if out and out[-1].text.endswith(" ") and text.startswith(" "):
            text = text[1:]
        if not text:
            continue
        if out and out[-1].style == span.style and out[-1].target == span.target:
            out[-1].text += text
        else:
            out.append(Span(text, span.style, span.target))
    if out:
        out[0].text = out[0].text.lstrip()
        out[-1].text = out[-1].text.rstrip()
    return [span for span in out if span.text]


# --- pass 3, blocks --------------------------------------------------------------------

_BLOCK_TAGS = frozenset(
    "p div section article ul ol li dl dd dt table thead tbody tfoot tr figure pre "
    "blockquote h1 h2 h3 h4 h5 h6 header footer nav aside main hr figcaption details "
    "summary center address fieldset".split()
)
_ARXIV_IN_TEXT = re.compile(
    r"(?:arXiv\s*[:.]?\s*|arxiv\.org/(?:abs|pdf|html)/)"
    r"((?:\d{4}\.\d{4,5}|[a-z]+(?:-[a-z]+)?(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?)",
    re.IGNORECASE,
)


class _Walker:
    def __init__(self, base_url: str):
        self.base_url = base_url
        self.blocks: list[Block] = []
        self.footnotes: list[Block] = []
        self.converter = inline_converter_class()(base_url=base_url)
        self.runin: list[Span] | None = None

    # inline

    def spans(self, *nodes) -> list[Span]:
        marked = "".join(self.converter.process_element(node, {"_inline"}) for node in nodes)
        return spans_of(marked)

    def paragraph(self, nodes: list, level: int) -> None:
        spans = self.spans(*nodes)
        if self.runin is not None:
            spans = [*self.runin, Span(" "), *spans] if spans else self.runin
            self.runin = None
        if spans:
            block = Block(model.PARAGRAPH, _tidy(spans), level=level)
            block.anchor = _paragraph_anchor(nodes[0])
            self.blocks.append(block)

    # blocks

    def walk(self, container, level: int = 0) -> None:
        """The blocks in ``container``, in order; loose inline content between blocks
        becomes a paragraph."""
        from bs4 import NavigableString, Tag

        pending: list = []
        for child in list(container.children):
            if isinstance(child, NavigableString):
                if child.strip() and type(child) is NavigableString:
                    pending.append(child)
                continue
            if not isinstance(child, Tag):
                continue
            if child.name not in _BLOCK_TAGS and not _is_block_span(child):
                pending.append(child)
                continue
            if pending:
                self.paragraph(pending, level)
                pending = []
            self.block(child, level)
        if pending:
            self.paragraph(pending, level)

    def block(self, el, level: int) -> None:
        name, classes = el.name, set(el.get("class") or ())
        if name in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self.heading(el, classes)
        elif name == "div" and "ltx_authors" in classes:
            return  # the authors are read once, up front
        elif name == "div" and "ltx_abstract" in classes:
            self.walk(el, level)
        elif name in ("ul", "ol"):
            if "ltx_biblist" in classes:
                self.references(el)
            else:
                self.list(el, level)
        elif name == "li":
            self.list_item(el, level, "•")
        elif name == "table" and classes & {"ltx_equation", "ltx_equationgroup"}:
            self.equations(el)
        elif name == "table":
            self.table(el, None)
        elif name == "figure":
            self.figure(el, level)
        elif name == "pre" or (name == "div" and "ltx_listing" in classes):
            self.code(el)
        elif name == "div" and classes & {"ltx_theorem", "ltx_proof"}:
            self.theorem(el, level)
        elif name == "p":
            self.paragraph([el], level)
        elif name == "hr":
            return
        elif name == "blockquote" or "ltx_quote" in classes:
            self.walk(el, level + 1)
        elif _is_block_span(el):
            self.paragraph([el], level)
        else:
            self.walk(el, level)

    def heading(self, el, classes: set[str]) -> None:
        if "ltx_runin" in classes:  # a theorem's or paragraph's title, set into its text
            style = model.ITALIC if "ltx_font_italic" in classes else model.BOLD
            spans = self.spans(el)
            self.runin = [Span(s.text, _add_style(s.style, style), s.target) for s in spans]
            return
        if "ltx_title_document" in classes:
            return
        tag = el.find("span", class_="ltx_tag")
        number = ""
        if tag is not None:
            number = " ".join(tag.get_text(" ").split()).rstrip(".:")
            tag.extract()
        spans = self.spans(el)
        if classes & {"ltx_title_abstract", "ltx_title_bibliography"}:
            level = 1
        else:
            level = min(4, max(1, int(el.name[1]) - 1))
        if spans or number:
            block = Block(model.HEADING, spans, level=level, label=number)
            block.anchor = _anchor(el)
            self.blocks.append(block)

    def list(self, el, level: int) -> None:
        ordered = el.name == "ol"
        for count, child in enumerate(el.find_all("li", recursive=False), start=1):
            self.list_item(child, level, f"{count}." if ordered else "•")

    def list_item(self, el, level: int, bullet: str) -> None:
        tag = el.find("span", class_="ltx_tag", recursive=False)
        label = bullet
        if tag is not None:
            label = " ".join(tag.get_text(" ").split()) or bullet
            tag.extract()
        start = len(self.blocks)
        self.walk(el, level + 1)
        first = next(
            (n for n in range(start, len(self.blocks)) if self.blocks[n].kind == model.PARAGRAPH),
            None,
        )
        if first is None:
            self.blocks.insert(start, Block(model.ITEM, [], level=level, label=label))
        else:
            block = self.blocks[first]
            block.kind, block.level, block.label = model.ITEM, level, label

    def equations(self, el) -> None:
        continued = False  # rows after the first of a table are aligned with it
        for row in el.find_all("tr"):
            if row.find_parent("table") is not el:
                continue
            number = ""
            parts: list[Span] = []
            cells: list[list[Span]] | None = []
            for cell in row.find_all("td", recursive=False):
                cell_classes = set(cell.get("class") or ())
                if "ltx_eqn_eqno" in cell_classes:
                    number = " ".join(cell.get_text(" ").split())
                    continue
                padding = {"ltx_eqn_center_padleft", "ltx_eqn_center_padright"}
                if (
                    "ltx_eqn_cell" in cell_classes
                    and not cell_classes & padding
                    and cells is not None
                ):
                    cells.append(_cell_tex(cell))
                    if cell.get_text().strip():  # words beside the math: linear only
                        cells = None
                spans = self.spans(cell)
                if spans:
                    if parts:
                        parts.append(Span(" "))
                    parts.extend(spans)
            if parts:
                block = Block(model.EQUATION, _tidy(parts), label=number)
                block.anchor = row.get("id") or (row.parent.get("id") if row.parent else "") or ""
                if cells and any(cells):
                    block.rows = [cells]
                    block.level = int(continued)
                    continued = True
                self.blocks.append(block)

    def table(self, el, caption) -> None:
        rows: list[list[list[Span]]] = []
        head = 0
        heading_rows = True
        for row in _rows_of(el):
            cells: list[list[Span]] = []
            for cell in row.find_all(["td", "th"], recursive=False):
                cells.append(self.spans(cell))
                span = cell.get("colspan") or "1"
                extra = min(MAX_COLSPAN, int(span)) - 1 if span.isdigit() and span != "0" else 0
                cells.extend([] for _ in range(extra))
                if len(cells) >= MAX_TABLE_COLUMNS:
                    break
            if not any(cells):
                continue
            in_head = row.parent is not None and row.parent.name == "thead"
            all_th = row.find("td", recursive=False) is None
            if heading_rows and (in_head or all_th):
                head += 1
            else:
                heading_rows = False
            rows.append(cells)
            if len(rows) >= MAX_TABLE_ROWS:
                break
        label, spans = self._caption(caption)
        if rows:
            block = Block(model.TABLE, spans, label=label, rows=rows, head=head)
            block.anchor = _anchor(el.find_parent("figure") or el)
            self.blocks.append(block)
        elif spans or label:
            self.blocks.append(Block(model.PARAGRAPH, _labelled(label, spans)))

    def figure(self, el, level: int) -> None:
        caption = el.find("figcaption", recursive=False)
        if caption is not None:
            caption.extract()
        tables = el.find_all("table", class_="ltx_tabular")
        if tables:
            for number, table in enumerate(tables):
                self.table(table, caption if number == len(tables) - 1 else None)
            return
        listing = el.find(["pre"]) or el.find("div", class_="ltx_listing")
        if listing is not None:
            self.code(listing)
            label, spans = self._caption(caption)
            if spans or label:
                self.blocks.append(Block(model.PARAGRAPH, _labelled(label, spans), level=level))
            return
        images = [img for img in el.find_all("img") if img.get("src")]
        if not images:
            self.walk(el, level)
            label, spans = self._caption(caption)
            if spans or label:
                self.blocks.append(Block(model.PARAGRAPH, _labelled(label, spans), level=level))
            return
        urls = [_image_url(self.base_url, img["src"]) for img in images]
        label, spans = self._caption(caption)
        block = Block(model.FIGURE, spans, label=label or "Figure", url=urls[0])
        block.text = "\n".join(url for url in urls[1:] if url)
        block.anchor = _anchor(el)
        self.blocks.append(block)

    def _caption(self, caption) -> tuple[str, list[Span]]:
        if caption is None:
            return "", []
        tag = caption.find("span", class_="ltx_tag")
        label = ""
        if tag is not None:
            label = " ".join(tag.get_text(" ").split()).rstrip(":.").strip()
            tag.extract()
        return label, self.spans(caption)

    def code(self, el) -> None:
        for data in el.find_all("div", class_="ltx_listing_data"):
            data.extract()
        lines = el.find_all("div", class_="ltx_listingline")
        if lines:
            text = "\n".join(_code_line(line) for line in lines)
        else:
            text = el.get_text()
        text = text.strip("\n")
        if text.strip():
            self.blocks.append(Block(model.CODE_BLOCK, text=text.replace("\t", "    ")))

    def theorem(self, el, level: int) -> None:
        self.walk(el, level)
        if self.runin is not None:  # a title with no text after it
            self.blocks.append(Block(model.PARAGRAPH, self.runin, level=level))
            self.runin = None

    def references(self, el) -> None:
        for item in el.find_all("li", recursive=False):
            tag = item.find("span", class_="ltx_tag")
            label = ""
            if tag is not None:
                label = " ".join(tag.get_text(" ").split())
                tag.extract()
            arxiv = _arxiv_id(item)
            spans = self.spans(item)
            block = Block(model.REFERENCE, spans, label=label, anchor=item.get("id") or "")
            block.arxiv = arxiv
            self.blocks.append(block)

    # footnotes

    def take_footnotes(self, article) -> None:
        """Move every footnote's text out of the page into :attr:`footnotes`, leaving its
        mark (innermost first, so a note inside a note keeps its mark)."""
        notes = article.find_all("span", class_="ltx_note")
        found: list[tuple[int, Block]] = []
        for position, note in reversed(list(enumerate(notes))):
            mark = note.find("sup", class_="ltx_note_mark")
            number = " ".join(mark.get_text(" ").split()) if mark is not None else ""
            content = note.find("span", class_="ltx_note_content") or note
            marks = content.find_all(["sup", "span"], class_=["ltx_note_mark", "ltx_tag_note"])
            for extra in marks:
                extra.extract()
            spans = self.spans(content)
            number = number or str(len(notes) - position)
            block = Block(model.FOOTNOTE, spans, label=number, anchor=note.get("id") or "")
            found.append((position, block))
            replacement = article.new_tag("sup", attrs={"class": "pd-note", "data-n": number})
            replacement.string = number
            note.replace_with(replacement)
        self.footnotes = [block for _, block in sorted(found, key=lambda item: item[0])]


def _image_url(base_url: str, src: str) -> str:
    """An image's absolute http(s) URL, or "" (``data:``, ``javascript:``, a relative link
    without a page URL to resolve it against)."""
    src = _href(src)
    return (safe_url(urljoin(base_url, src)) or "") if src else ""


def _add_style(style: str, letter: str) -> str:
    return style if letter in style else "".join(sorted(style + letter))


def _labelled(label: str, spans: list[Span]) -> list[Span]:
    return [Span(label + ": ", model.BOLD), *spans] if label else spans


def _anchor(el) -> str:
    anchor = el.get("id") or ""
    parent = el.parent
    while not anchor and parent is not None and parent.name in ("section", "figure", "div"):
        anchor = parent.get("id") or ""
        if parent.name == "section":
            break
        parent = parent.parent
    return anchor


def _paragraph_anchor(node) -> str:
    """The id LaTeXML gave a paragraph (``S3.SS1.p4``): its own, else its ``ltx_para``'s
    (the ``div`` around its ``p``); "" for loose text and the abstract (LaTeXML gives
    those none)."""
    for el in (node, getattr(node, "parent", None)):
        if el is None or not hasattr(el, "get"):
            return ""
        if el.name == "div" or el.name == "p":
            if el.get("id"):
                return el.get("id")
            if "ltx_para" in (el.get("class") or ()):
                return ""
    return ""


def _is_block_span(el) -> bool:
    return (
        el.name == "span"
        and "ltx_ERROR" in (el.get("class") or ())
        and (el.parent is not None and el.parent.name in ("section", "div", "article", "body"))
    )


def _rows_of(table):
    for child in table.children:
        name = getattr(child, "name", None)
        if name == "tr":
            yield child
        elif name in ("thead", "tbody", "tfoot"):
            yield from child.find_all("tr", recursive=False)


def _code_line(line) -> str:
    for number in line.find_all("span", class_="ltx_tag_listingline"):
        number.extract()
    return line.get_text().rstrip().replace("\xa0", " ")


def _arxiv_id(item) -> str:
    for link in item.find_all("a", href=True):
        parsed = parse_id(link["href"].strip())
        if parsed:
            return parsed[0]
    return arxiv_in_text(item.get_text(" "))


def arxiv_in_text(text: str) -> str:
    """The (versionless) arXiv id a reference's text names (``arXiv:2203.19504``), or ""."""
    found = _ARXIV_IN_TEXT.search(text)
    if found:
        parsed = parse_id(found.group(1))
        if parsed:
            return parsed[0]
    return ""


def _authors(article) -> list[str]:
    names = []
    for person in article.select("div.ltx_authors span.ltx_personname"):
        for note in person.find_all(["span", "sup"], class_=["ltx_note", "pd-note"]):
            note.extract()
        lines = [" ".join(line.split()) for line in person.get_text("\n").split("\n")]
        name = next((line for line in lines if line), "")
        if name:
            names.append(name.rstrip(",;"))
    return names


# --- the whole page ---------------------------------------------------------------------


def decode(raw: bytes, content_type: str | None = None) -> str:
    """The page's text: the charset its header or its ``<meta>`` names, else UTF-8;
    undecodable bytes become U+FFFD."""
    charset = None
    if content_type:
        found = re.search(r"charset=[\"']?([\w.:-]+)", content_type, re.IGNORECASE)
        charset = found.group(1) if found else None
    if charset is None:
        found = re.search(rb"<meta[^>]+charset=[\"']?([\w.:-]+)", raw[:4096], re.IGNORECASE)
        charset = found.group(1).decode("ascii") if found else None
    try:
        return raw.decode(charset or "utf-8", errors="replace")
    except LookupError:  # a charset Python does not know
        return raw.decode("utf-8", errors="replace")


_CONTROL_REFERENCES = re.compile(r"&#(?:[xX]0*([0-9a-fA-F]{1,6})|0*(\d{1,7}));?")


def _no_control(found: re.Match) -> str:
    """A character reference to a control character (``&#27;``: the parser would make it
    a real escape) goes; any other stays for the parser."""
    code = int(found.group(1), 16) if found.group(1) else int(found.group(2))
    control = (code < 32 and code not in (9, 10, 13)) or 0x7F <= code <= 0x9F
    return "" if control else found.group(0)


def convert(html: str | bytes, source_url: str = "") -> Document:
    """The document model of one rendered paper; :class:`ConversionError` when the page
    is no paper. ``source_url`` resolves relative image links (with ``<base href>``)."""
    from bs4 import BeautifulSoup

    if isinstance(html, bytes):
        html = decode(html)
    html = strip_controls(_CONTROL_REFERENCES.sub(_no_control, html))
    cleaned, page_title, base_url, notes = _prepare(html, source_url)
    soup = BeautifulSoup(cleaned, "lxml")
    article = soup.find(["article", "div"])
    if article is None:
        raise ConversionError("the page holds no paper (its document is empty)")
    walker = _Walker(base_url)
    walker.take_footnotes(article)
    title_el = article.find(class_="ltx_title_document")
    title = " ".join(model.plain(walker.spans(title_el)).split()) if title_el else page_title
    authors = _authors(article)
    blocks: list[Block] = []
    if title:
        blocks.append(Block(model.TITLE, [Span(title)]))
    if authors:
        blocks.append(Block(model.AUTHORS, [Span(", ".join(authors))]))
    walker.blocks = blocks
    walker.walk(article)
    if walker.footnotes:
        blocks.append(Block(model.HEADING, [Span("Notes")], level=1, anchor="pd-notes"))
        blocks.extend(walker.footnotes)
    _number_unlabelled_abstract(blocks)
    if not any(b.kind not in (model.TITLE, model.AUTHORS) for b in blocks):
        raise ConversionError("the page holds no text of a paper")
    return Document(
        title=title or "Untitled",
        authors=authors,
        blocks=blocks,
        source_url=source_url,
        converter=CONVERTER_VERSION,
        notes=notes,
    )


def _number_unlabelled_abstract(blocks: list[Block]) -> None:
    """LaTeXML titles the abstract in an ``h6``; make sure it reads "Abstract"."""
    for block in blocks:
        if block.kind == model.HEADING and not block.spans and not block.label:
            block.spans = [Span("Abstract")]
