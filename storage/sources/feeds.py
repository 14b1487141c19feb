"""arXiv new-submission feeds: one RSS (or Atom) feed per ``[[feeds]]`` category.

A feed holds one day's announcements (empty at weekends). Items are parsed with
feedparser; an HTML description (the pre-2024 RSS 1.0 format) is turned into text with
markdownify. The feed's papers are tagged with its category as their topic.

The base URL is ``https://rss.arxiv.org/rss/``; ``PAPERDECK_FEEDS_URL`` overrides it
(for mirrors and tests).
"""

from __future__ import annotations

import email.utils
import html
import io
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from paperdeck.storage.cache import sync_state
from paperdeck.storage.cache.sync_state import SyncState
from paperdeck.storage.config import Feed
from paperdeck.storage.http import send, status_error
from paperdeck.storage.ids import parse_id, valid_date
from paperdeck.storage.models import Incoming, Paper
from paperdeck.storage.parsers.codelinks import find_code_urls
from paperdeck.storage.parsers.tex import tex_to_unicode
from paperdeck.storage.parsers.text import clean_line, reflow
from paperdeck.storage.sources.base import NOT_MODIFIED, Context, Page, SourceError

FEEDS_URL = "https://rss.arxiv.org/rss/"
MAX_FEED_BYTES = 64 << 20
"""A busy category's day is under a megabyte (cs.AI: 707 KB); 2,000 items of several
categories a few; a larger answer is not read further."""

# "arXiv:2411.17700v1 Announce Type: new \nAbstract: …"
# (No two neighbouring patterns here can match the same characters: a long run of
# spaces in a hostile feed must not make the match take quadratic time.)
_DESCRIPTION = re.compile(
    r"\s*arXiv:(?P<id>\S+)\s+Announce Type:\s*(?P<type>\S+)\s*Abstract:\s*(?P<abstract>.*)",
    re.DOTALL,
)
# The end of an RSS 1.0 title: "Title. (arXiv:1805.08875v1 [hep-ex] CROSS LISTED)"
_LEGACY_MARK = "(arXiv:"
_LEGACY_TAIL = re.compile(
    r"\(arXiv:(?P<id>[^\s\[]+)\s*\[(?P<category>[^\]]+)\](?P<flag>[A-Z ]*)\)\s*"
)
_LEGACY_TYPES = {"": "new", "CROSS LISTED": "cross", "UPDATED": "replace"}
_HTML_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")
_NOT_AUTHORS = re.compile(r"^(et al\.?|\(?\d+ additional authors? not shown\)?)", re.IGNORECASE)


def feeds_url() -> str:
    return os.environ.get("PAPERDECK_FEEDS_URL") or FEEDS_URL


@dataclass
class ParsedFeed:
    records: list[Incoming] = field(default_factory=list)
    """Papers of the announce types asked for."""
    skipped: int = 0
    """Items without a readable arXiv id or date."""


def parse_feed(content: bytes, url: str, topic: str, announce_types: Iterable[str]) -> ParsedFeed:
    """The papers in one arXiv feed (RSS 2.0, Atom, or the legacy RSS 1.0/RDF).

    Raises :class:`SourceError` for arXiv's "Feed error" channel and for anything that
    is not a feed.
    """
    import xml.sax

    import feedparser

    # A stream, never bytes: feedparser tries to open bytes as a file name first, so a
    # body of "/dev/zero" would be read from the local disk (forever).
    try:
        parsed = feedparser.parse(io.BytesIO(content))
    except (ValueError, LookupError) as exc:  # an XML declaration feedparser trips on
        raise SourceError(
            f"{url} did not send a readable RSS or Atom feed ({type(exc).__name__})"
        ) from None
    channel = parsed.feed
    title = clean_line(channel.get("title", ""))
    if title.startswith("Feed error"):
        said = clean_line(channel.get("subtitle", "")) or title
        raise SourceError(f"{url}: arXiv says: {said}")
    problem = parsed.get("bozo_exception")
    if isinstance(problem, xml.sax.SAXException) or not parsed.get("version"):
        reason = f" ({problem})" if problem else ""
        raise SourceError(f"{url} did not send a readable RSS or Atom feed{reason}")
    announced = _date(channel.get("published") or channel.get("updated") or "")
    wanted = set(announce_types)
    result = ParsedFeed()
    for entry in parsed.entries:
        item = _item(entry, announced)
        if item is None:
            result.skipped += 1
        elif item[1] in wanted:
            result.records.append(Incoming(item[0], topics=(topic,)))
    return result


def _item(entry, announced: str | None) -> tuple[Paper, str] | None:
    """A paper and its announce type from one feed item (None when unreadable)."""
    title = entry.get("title", "")
    summary = entry.get("summary", "")
    categories = [clean_line(tag["term"]) for tag in entry.get("tags", ()) if tag.get("term")]
    primary = ""
    described = _DESCRIPTION.fullmatch(summary)
    legacy = _legacy_title(title)
    if described:
        ident, kind, abstract = described["id"], described["type"], described["abstract"]
    elif legacy:
        title, tail = legacy
        ident, abstract = tail["id"], summary
        kind = _LEGACY_TYPES.get(tail["flag"].strip(), "new")
        primary = clean_line(tail["category"])
        categories = categories or [primary]
    else:
        ident = entry.get("id", "").removeprefix("oai:arXiv.org:") or entry.get("link", "")
        kind, abstract = "new", summary
    kind = entry.get("arxiv_announce_type") or kind
    parsed = parse_id(ident)
    published = _date(entry.get("published") or entry.get("updated") or "") or announced
    if parsed is None or not published or not title.strip():
        return None
    abstract = reflow(_markdown(abstract) if _HTML_TAG.search(abstract) else abstract)
    paper = Paper(
        id=parsed[0],
        version=parsed[1],
        title=clean_line(title),
        authors=_authors(entry.get("author", "")),
        abstract=abstract,
        published=published,
        updated=published if kind.startswith("replace") else None,
        journal_ref=clean_line(entry.get("arxiv_journal_reference", "")),
        doi=clean_line(entry.get("arxiv_doi", "")),
        primary_category=primary,
        categories=categories,
        code_urls=find_code_urls(abstract),
        source="feed",
    )
    return paper, kind


def _legacy_title(title: str) -> tuple[str, re.Match] | None:
    """An RSS 1.0 title cut into the title proper and its ``(arXiv:…)`` tail."""
    at = title.rfind(_LEGACY_MARK)
    tail = _LEGACY_TAIL.fullmatch(title, at) if at >= 0 else None
    if tail is None:
        return None
    return title[:at].rstrip().removesuffix("."), tail


def _authors(creator: str) -> list[str]:
    """``dc:creator``: comma-joined names, TeX accents, in RSS 1.0 wrapped in links."""
    if "<" in creator:
        creator = html.unescape(_HTML_TAG.sub("", creator))
    names = (clean_line(tex_to_unicode(name)) for name in creator.split(","))
    return [name for name in names if name and not _NOT_AUTHORS.match(name)]


def _markdown(fragment: str) -> str:
    from markdownify import markdownify

    return markdownify(
        fragment, escape_asterisks=False, escape_underscores=False, escape_misc=False
    )


def _date(text: str) -> str | None:
    """``YYYY-MM-DD`` of an RFC 822 (RSS) or ISO 8601 (Atom, dc:date) timestamp, in the
    timestamp's own time zone (arXiv announces at midnight Eastern)."""
    text = text.strip()
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
    return valid_date(when.date().isoformat())


class ArxivFeed:
    """One ``[[feeds]]`` entry. Asked with the validators of its last answer, so a feed
    that has not changed since the last sync costs one 304."""

    def __init__(self, feed: Feed, base_url: str | None = None):
        self.feed = feed
        self.url = (base_url or feeds_url()).rstrip("/") + "/" + feed.category
        self.name = f"feed {feed.category}"

    def pages(self, ctx: Context) -> Iterator[Page]:
        state = sync_state.load(ctx.cache, self.url)
        headers = state.conditional_headers() if state else {}
        pacer = ctx.arxiv_pacer  # the feeds are arXiv's too: same spacing
        with ctx.reaching(self.url):
            pacer.wait()
            try:
                response = send(
                    ctx.http,
                    ctx.http.build_request("GET", self.url, headers=headers),
                    backoff=pacer.delay,
                    sleep=lambda seconds: pacer.sleep(max(seconds, pacer.delay)),
                    read_limit=MAX_FEED_BYTES,
                )
            finally:
                pacer.sent()
        if response.status_code == 304:
            yield Page(note=NOT_MODIFIED, numbered=False)
            return
        if response.status_code >= 400:
            raise SourceError(str(status_error(response)))
        parsed = parse_feed(
            response.content, self.url, self.feed.category, self.feed.announce_types
        )
        yield Page(
            parsed.records, SyncState.answered(self.url, response.headers), skipped=parsed.skipped
        )
