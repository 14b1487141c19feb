"""A stand-in for the arXiv API query endpoint: Atom pages in the current API format,
generated from plain entries and served by ``start`` and ``max_results`` like arXiv does."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from xml.sax.saxutils import escape

from tests.support.loopback import Reply, Request

ATOM_TYPE = {"Content-Type": "application/atom+xml; charset=utf-8"}


@dataclass
class Entry:
    id: str
    version: int = 1
    title: str = "A paper"
    authors: tuple[str, ...] = ("Ada Lovelace", "Alan Turing")
    summary: str = "An abstract."
    comment: str = ""
    published: str = "2026-11-01"
    updated: str = ""
    categories: tuple[str, ...] = ("cs.CL", "cs.LG")
    doi: str = ""
    journal_ref: str = ""
    pdf_title: bool = True
    """False reproduces the Nov 2025 regression: a PDF link without ``title="pdf"``."""
    versioned_id: bool = True

    def xml(self) -> str:
        url = f"http://arxiv.org/abs/{self.id}" + (f"v{self.version}" if self.versioned_id else "")
        pdf_title = ' title="pdf"' if self.pdf_title else ""
        parts = [
            "  <entry>",
            f"    <id>{url}</id>",
            f"    <title>{escape(self.title)}</title>",
            f"    <updated>{self.updated or self.published}T10:00:00Z</updated>",
            f'    <link href="https://arxiv.org/abs/{self.id}v{self.version}" rel="alternate" type="text/html"/>',
            f'    <link href="https://arxiv.org/pdf/{self.id}v{self.version}" rel="related" type="application/pdf"{pdf_title}/>',
            f"    <summary>{escape(self.summary)}</summary>",
            *(
                f'    <category term="{c}" scheme="http://arxiv.org/schemas/atom"/>'
                for c in self.categories
            ),
            f"    <published>{self.published}T09:00:00Z</published>",
            f"    <arxiv:comment>{escape(self.comment)}</arxiv:comment>" if self.comment else "",
            f'    <arxiv:primary_category term="{self.categories[0]}"/>',
            f"    <arxiv:journal_ref>{escape(self.journal_ref)}</arxiv:journal_ref>"
            if self.journal_ref
            else "",
            *(f"    <author>\n      <name>{escape(a)}</name>\n    </author>" for a in self.authors),
            f"    <arxiv:doi>{self.doi}</arxiv:doi>" if self.doi else "",
            "  </entry>",
        ]
        return "\n".join(p for p in parts if p)


def generated(count: int, start: date = date(2026, 11, 1), prefix: str = "2611") -> list[Entry]:
    """``count`` distinct entries, newest submission first, a few a day."""
    return [
        Entry(
            id=f"{prefix}.{count - n:05d}",
            title=f"Generated paper {count - n}",
            summary=f"We study problem {count - n}. It is hard.\n  A second paragraph.",
            published=(start - timedelta(days=n // 5)).isoformat(),
        )
        for n in range(count)
    ]


def atom(entries: list[Entry], total: int | None = None, start: int = 0) -> bytes:
    total = len(entries) if total is None else total
    head = (
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
        'xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">\n'
        "  <id>https://arxiv.org/api/stub</id>\n  <title>arXiv Query: stub</title>\n"
        "  <updated>2026-11-26T00:00:00Z</updated>\n"
        f"  <opensearch:itemsPerPage>{len(entries)}</opensearch:itemsPerPage>\n"
        f"  <opensearch:totalResults>{total}</opensearch:totalResults>\n"
        f"  <opensearch:startIndex>{start}</opensearch:startIndex>\n"
    )
    body = "\n".join(entry.xml() for entry in entries)
    return (head + body + "\n</feed>\n").encode("utf-8")


def error_page(summary: str) -> str:
    """What the API answers (with a 400) for a query it refuses: one error entry."""
    return (
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        '<feed xmlns="http://www.w3.org/2005/Atom"><entry>'
        "<id>https://arxiv.org/api/errors#bad</id><title>Error</title>"
        f"<summary>{summary}</summary></entry></feed>"
    )


@dataclass
class ArxivStub:
    """A route handler: serves ``entries`` (newest first) a page at a time."""

    entries: list[Entry] = field(default_factory=list)

    def __call__(self, request: Request) -> Reply:
        start = int(request.query.get("start", ["0"])[0])
        size = int(request.query.get("max_results", ["10"])[0])
        entries = self.entries
        asked = [i for i in request.query.get("id_list", [""])[0].split(",") if i]
        if asked:  # arXiv answers the ids it knows, in the order asked
            known = {entry.id: entry for entry in self.entries}
            bare = [re.sub(r"v\d+$", "", i) for i in asked]
            entries = [known[i] for i in bare if i in known]
        page = entries[start : start + size]
        return Reply(200, atom(page, total=len(entries), start=start), ATOM_TYPE)
