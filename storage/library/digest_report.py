"""``paperdeck digest``: the papers *published* in a window (``--since 1d``, ``2w``, ``1m``
or a date), grouped by watch rule, then by topic, then the rest — each paper once, in its
first group — in interest order (date order while there is no signal), with links; as
Markdown or as HTML (every text escaped) for cron and email."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import date

from paperdeck.storage.cache import lists
from paperdeck.storage.cache.database import Cache
from paperdeck.storage.cache.interest import has_order
from paperdeck.storage.ids import first_key, valid_date
from paperdeck.storage.library.export import markdown as markdown_line
from paperdeck.storage.library.export import md_text
from paperdeck.storage.models import PaperDetail
from paperdeck.storage.parsers.query import relative_day
from paperdeck.storage.ranking import interest

FORMATS = ("markdown", "html")


class BadWindow(ValueError):
    """A ``--since`` that is neither a span (``1d``, ``2w``, ``1m``) nor a date."""


def since_day(text: str, today: date | None = None) -> str:
    """The first day of the window ``text`` names: ``7d``/``2w``/``1m``/``1y`` before
    ``today`` (a month is 30 days, a year 365), or a ``YYYY-MM-DD`` date."""
    text = text.strip()
    if relative := relative_day(text, today):
        return relative
    day = valid_date(text) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else None
    if day is None:
        raise BadWindow(
            f"{text!r} is not a window: write a span such as 1d, 2w, 1m, or a date YYYY-MM-DD"
        )
    return day


@dataclass
class Group:
    title: str
    papers: list[PaperDetail] = field(default_factory=list)


@dataclass
class Digest:
    since: str
    groups: list[Group]

    @property
    def count(self) -> int:
        return sum(len(g.papers) for g in self.groups)


def build(cache: Cache, since: str) -> Digest:
    """The papers published on or after ``since``, grouped and ordered."""
    interest.ensure(cache)  # the order is made again only when stale
    rows = lists.published_since(cache, first_key(since), has_order(cache))
    if not rows:
        return Digest(since, [])
    keys = [key for key, _ in rows]
    watched = lists.watched(cache, keys)
    topics = cache.topics_of_keys(keys)
    groups: dict[str, Group] = {}
    for key, paper_id in rows:
        names = [f"Watch: {r}" for r in sorted(watched.get(key, []))]
        names += [f"Topic: {t}" for t in topics.get(key, [])]
        title = names[0] if names else "Other papers"
        detail = cache.detail(paper_id)
        if detail is not None:
            groups.setdefault(title, Group(title)).papers.append(detail)
    ordered = sorted(
        groups.values(),
        key=lambda g: (0 if g.title.startswith("Watch: ") else 2 if g.title == "Other papers"
                       else 1, g.title.casefold()),
    )
    return Digest(since, ordered)


def render(digest: Digest, fmt: str) -> str:
    return _html(digest) if fmt == "html" else _markdown(digest)


def _markdown(digest: Digest) -> str:
    lines = [f"# paperdeck digest: {digest.count} papers since {digest.since}", ""]
    if not digest.groups:
        lines.append("No paper was published in this window.")
    for group in digest.groups:
        lines += [f"## {md_text(group.title)} ({len(group.papers)})", ""]
        lines += [markdown_line(detail).rstrip("\n") for detail in group.papers]
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def _html(digest: Digest) -> str:
    e = html.escape
    out = [
        "<!DOCTYPE html>",
        '<html><head><meta charset="utf-8">',
        f"<title>paperdeck digest since {e(digest.since)}</title></head><body>",
        f"<h1>paperdeck digest: {digest.count} papers since {e(digest.since)}</h1>",
    ]
    if not digest.groups:
        out.append("<p>No paper was published in this window.</p>")
    for group in digest.groups:
        out.append(f"<h2>{e(group.title)} ({len(group.papers)})</h2>")
        out.append("<ul>")
        for detail in group.papers:
            paper = detail.paper
            authors = paper.authors[0] if paper.authors else "Unknown"
            if len(paper.authors) > 1 or not paper.authors_complete:
                authors += " et al."
            links = [f'<a href="{e(paper.abs_url)}">{e(paper.title)}</a>']
            links += [f'<a href="{e(url)}">code</a>' for url in paper.code_urls
                      if url.startswith(("https://", "http://"))]
            out.append(
                f"<li>{' · '.join(links)} — {e(authors)} ({e(paper.published)})</li>"
            )
        out.append("</ul>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"
