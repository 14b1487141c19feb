"""Finding papers and staying current from the command line: ``add`` (by id or URL, one
arXiv request), ``arxiv-search``, ``citations`` (Semantic Scholar), ``digest`` (the papers
published in a window, for cron and email), and ``list --like ID`` / ``--like-tag NAME``."""

from __future__ import annotations

import argparse
import json
import sys

from paperdeck.storage.cache import lists, rules
from paperdeck.storage.cache.database import Cache
from paperdeck.storage.cache.views import View
from paperdeck.storage.library import digest_report
from paperdeck.storage.models import Paper
from paperdeck.storage.ranking.like import NothingToCompare, keep_like
from paperdeck.storage.sources import arxiv_lookup
from paperdeck.storage.sources.base import SourceError
from paperdeck.storage.sources.semantic_scholar import CitationError, citations
from paperdeck.tui.cli.common import CommandError, open_cache, paper_id, settings

SEARCH_DEFAULT = 50


def add_commands(commands) -> None:
    """Add ``add``, ``arxiv-search``, ``citations`` and ``digest`` to the subcommands."""
    p = commands.add_parser("add", help="bring papers in from arXiv by id or URL (one request)")
    p.add_argument("papers", nargs="+", metavar="ID", help="2406.02543, arXiv:2406.02543 or a URL")
    p.set_defaults(run=cmd_add)

    p = commands.add_parser("arxiv-search", help="search arXiv itself; the results are kept")
    p.add_argument("query", nargs="+", metavar="QUERY", help="words, or ti: au: abs: cat: terms")
    p.add_argument("--max", type=_count, default=SEARCH_DEFAULT, metavar="N",
                   help=f"at most N results (default {SEARCH_DEFAULT})")
    p.set_defaults(run=cmd_arxiv_search)

    p = commands.add_parser("citations", help="a paper's citations (Semantic Scholar)")
    p.add_argument("paper", metavar="ID", help="an arXiv id or URL")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--refresh", action="store_true", help="ask again even within the week")
    p.set_defaults(run=cmd_citations)

    p = commands.add_parser("digest", help="the papers published lately, for cron and email")
    p.add_argument("--since", default="1d", metavar="1d|2w|1m|YYYY-MM-DD",
                   help="the window: a span back from today, or a first day (default 1d)")
    p.add_argument("--format", choices=digest_report.FORMATS, default="markdown")
    p.set_defaults(run=cmd_digest)


def add_list_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--like", action="append", metavar="ID",
                   help="papers most like this one (repeatable), best first")
    p.add_argument("--like-tag", metavar="NAME", help="papers most like those tagged NAME")


def like_view(cache: Cache, view: View, args: argparse.Namespace) -> View:
    """``view`` narrowed to the papers most like ``--like`` / ``--like-tag``, in that order."""
    seeds = [paper_id(cache, text) for text in (getattr(args, "like", None) or [])]
    tag = getattr(args, "like_tag", None)
    if not seeds and tag is None:
        return view
    try:
        name, _ = keep_like(cache, seeds, tag=tag)
    except NothingToCompare as exc:
        raise CommandError(str(exc)) from None
    return view.with_(ranked=name, name=name)


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= value <= arxiv_lookup.MAX_SEARCH:
        raise argparse.ArgumentTypeError(f"must be between 1 and {arxiv_lookup.MAX_SEARCH}")
    return value


def _line(paper: Paper) -> str:
    authors = paper.authors[0] if paper.authors else "Unknown"
    if len(paper.authors) > 1:
        authors += " et al."
    version = f"v{paper.version}" if paper.version else ""
    return f"{paper.id}{version}  {paper.published}  {paper.title} — {authors}"


def cmd_add(args: argparse.Namespace) -> int:
    try:
        ids = arxiv_lookup.parse_ids(args.papers)
    except arxiv_lookup.BadLookup as exc:
        raise CommandError(str(exc)) from None
    config = settings()
    with open_cache(args) as cache:
        try:
            fetched = arxiv_lookup.add_papers(cache, config.arxiv, ids)
        except (SourceError, arxiv_lookup.BadLookup) as exc:
            raise CommandError(str(exc)) from None
    for paper in fetched.papers:
        print(_line(paper))
    for missing in fetched.missing:
        print(f"paperdeck: arXiv does not know {missing}", file=sys.stderr)
    print(f"{fetched.new} new, {fetched.updated} updated, {len(fetched.missing)} not found "
          f"({fetched.requests} request{'s' if fetched.requests != 1 else ''})", file=sys.stderr)
    return 0 if fetched.papers else 1


def cmd_arxiv_search(args: argparse.Namespace) -> int:
    query = " ".join(args.query)
    config = settings()
    with open_cache(args) as cache:
        try:
            fetched = arxiv_lookup.search_and_keep(cache, config.arxiv, query, args.max)
        except (SourceError, arxiv_lookup.BadLookup) as exc:
            raise CommandError(str(exc)) from None
    for paper in fetched.papers:
        print(_line(paper))
    print(f"{len(fetched.papers)} found, {fetched.new} new to the cache; kept as the view "
          f"“{fetched.topic}” (topic:\"{fetched.topic}\")", file=sys.stderr)
    return 0


def cmd_citations(args: argparse.Namespace) -> int:
    try:
        wanted = arxiv_lookup.parse_ids([args.paper])[0]
    except arxiv_lookup.BadLookup as exc:
        raise CommandError(str(exc)) from None
    config = settings().citations
    with open_cache(args) as cache:
        try:
            found = citations(cache, config, wanted, refresh=args.refresh)
        except CitationError as exc:
            raise CommandError(str(exc)) from None
        lists.keep_citations(cache, wanted, found.references, found.cited_by)
    if args.format == "json":
        print(json.dumps(found.as_json()))
        return 0
    count = "unknown" if found.count is None else f"{found.count:,}"
    print(f"{wanted}: cited by {count} (Semantic Scholar, {found.fetched_at[:10]})")
    print(f"references on arXiv ({len(found.references)}): {' '.join(found.references)}")
    print(f"citing papers on arXiv ({len(found.cited_by)}): {' '.join(found.cited_by)}")
    return 0


def cmd_digest(args: argparse.Namespace) -> int:
    try:
        since = digest_report.since_day(args.since)
    except digest_report.BadWindow as exc:
        raise CommandError(f"--since: {exc}") from None
    config = settings()
    with open_cache(args) as cache:
        rules.refresh_config(cache, config)
        digest = digest_report.build(cache, since)
    sys.stdout.write(digest_report.render(digest, args.format))
    return 0
