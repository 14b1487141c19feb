"""``paperdeck list``, ``star``, ``unstar`` and ``mark``: the cached papers and their
stars and read marks."""

from __future__ import annotations

import argparse
import json
import shutil
import sys

from paperdeck.storage.cache import fulltext as stored_fulltext
from paperdeck.storage.cache.database import Cache
from paperdeck.storage.cache.views import SORTS, PaperList, View
from paperdeck.storage.library.citekeys import pin_keys
from paperdeck.storage.library.export import iter_details, record
from paperdeck.tui.cli.common import add_filters, open_cache, paper_id, view_of
from paperdeck.tui.cli.find import add_list_options as add_like_options
from paperdeck.tui.cli.find import like_view
from paperdeck.tui.cli.triage import add_list_options, prepare_view


def add_commands(commands) -> None:
    """Add ``list``, ``star``, ``unstar`` and ``mark`` to the CLI's subcommands."""
    p = commands.add_parser("list", help="list cached papers, newest first")
    p.add_argument("--format", choices=("table", "json", "tsv"), default="table")
    p.add_argument("--limit", type=_positive, metavar="N", help="at most N papers")
    add_filters(p)
    p.add_argument("--search", metavar="QUERY", help="a search: words and filters (see README)")
    p.add_argument("--author", metavar="NAME", help="papers with this exact author name")
    p.add_argument("--sort", choices=SORTS, default="date")
    add_list_options(p)  # --watch NAME
    add_like_options(p)  # --like ID, --like-tag NAME
    p.set_defaults(run=cmd_list)

    for name, doc in (("star", "star a paper"), ("unstar", "remove a paper's star")):
        p = commands.add_parser(name, help=doc)
        p.add_argument("paper", metavar="ID", help="an arXiv id or URL")
        p.set_defaults(run=cmd_star, starred=name == "star")

    p = commands.add_parser("mark", help="mark a paper read (or unread)")
    p.add_argument("paper", metavar="ID", help="an arXiv id or URL")
    p.add_argument("--unread", action="store_true", help="mark it unread instead")
    p.set_defaults(run=cmd_mark)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def cmd_list(args: argparse.Namespace) -> int:
    with open_cache(args) as cache:
        view = prepare_view(cache, view_of(cache, args), args)  # rules, interest order
        view = like_view(cache, view, args)  # --like, --like-tag
        if args.format == "table":
            _print_table(cache, view, args.limit)
        elif args.format == "tsv":
            _print_tsv(cache, view, args.limit)
        else:
            _print_json(iter_details(cache, view, args.limit), cache)
    return 0


def _print_json(details, cache: Cache | None = None) -> None:
    """One JSON array, written as it goes (a large cache never sits in memory). With
    ``cache``, each paper also says whether its full text is stored (``fulltext``)."""
    out, count = sys.stdout, 0
    out.write("[")
    for detail in details:
        out.write(",\n" if count else "\n")
        item = record(detail)
        if cache is not None:
            item["fulltext"] = stored_fulltext.has(cache, detail.paper.id)
        out.write(json.dumps(item, ensure_ascii=False))
        count += 1
    out.write("\n]\n" if count else "]\n")


def _print_tsv(cache: Cache, view: View, limit: int | None) -> None:
    def clean(value: str) -> str:
        return value.replace("\t", " ").replace("\n", " ")

    print("id\tversion\tpublished\ttitle\tauthors\ttopics\tcode_urls\tstarred\tread")
    for detail in iter_details(cache, view, limit):
        p = detail.paper
        fields = [
            p.id,
            str(p.version or ""),
            p.published,
            clean(p.title),
            clean("; ".join(p.authors)),
            clean("; ".join(detail.topics)),
            " ".join(p.code_urls),
            str(detail.state.starred).lower(),
            str(detail.state.read).lower(),
        ]
        print("\t".join(fields))


def _print_table(cache: Cache, view: View, limit: int | None) -> None:
    papers = PaperList(cache, view)
    matching = len(papers)
    total = matching if limit is None else min(limit, matching)
    width = shutil.get_terminal_size((120, 24)).columns
    title_width = max(20, width - 2 - 11 - 13 - 24 - 4)
    for start in range(0, total, 500):
        for row in papers.window(start, min(500, total - start)):
            state = ("★" if row.starred else " ") + (" " if row.read else "●")
            author = row.first_author + (f" +{row.n_authors - 1}" if row.n_authors > 1 else "")
            title = (
                row.title if len(row.title) <= title_width else row.title[: title_width - 1] + "…"
            )
            print(f"{state} {row.published} {row.id:<12} {title:<{title_width}} {author[:24]}")
    if matching == 0:
        print(
            "No papers match."
            if view != View()
            else "The cache is empty: try `paperdeck import FILE`.",
            file=sys.stderr,
        )


def cmd_star(args: argparse.Namespace) -> int:
    with open_cache(args) as cache:
        found = paper_id(cache, args.paper)
        cache.set_starred(found, args.starred)
        if args.starred:  # a paper's citation key is pinned when it is first starred
            pin_keys(cache, [found])
        title = cache.paper(found).title
    print(f"{'★ starred' if args.starred else 'unstarred'} {found} — {title}")
    return 0


def cmd_mark(args: argparse.Namespace) -> int:
    with open_cache(args) as cache:
        found = paper_id(cache, args.paper)
        cache.set_read(found, not args.unread)
        title = cache.paper(found).title
    print(f"marked {'unread' if args.unread else 'read'} {found} — {title}")
    return 0
