"""``paperdeck read``, ``prefetch``, ``pdf`` and ``highlights``: a paper's full text from
the command line.

``read ID`` prints the paper (fetching and storing its HTML rendering first when it is not
stored; from the cache, offline, when it is). ``prefetch`` stores full texts ahead of
time, politely: one request at a time, ``[fulltext] delay_seconds`` apart, progress on
stderr: given papers, the starred ones, those on the read-later list, of a tag or a topic.
``pdf ID`` keeps the paper's PDF in ``[library] pdf_dir`` (or ``--dir``) and prints its path.
``highlights ID`` prints the passages highlighted on the reading screen, with deep links.
"""

from __future__ import annotations

import argparse
import sys

from paperdeck.storage.ids import parse_id
from paperdeck.tui.cli.common import CommandError, arxiv_id, open_cache, settings


def add_commands(commands) -> None:
    """Add ``read``, ``prefetch``, ``pdf`` and ``highlights`` to the CLI's subcommands."""
    p = commands.add_parser("read", help="print a paper's full text (its arXiv HTML rendering)")
    p.add_argument("paper", metavar="ID", help="an arXiv id or URL")
    p.add_argument("--format", choices=("markdown", "text"), default="markdown")
    p.set_defaults(run=cmd_read)

    p = commands.add_parser("prefetch", help="store full texts for offline reading")
    p.add_argument("papers", nargs="*", metavar="ID", help="arXiv ids or URLs")
    p.add_argument("--starred", action="store_true", help="every starred paper")
    p.add_argument("--later", action="store_true", help="every paper on the read-later list")
    p.add_argument("--tag", metavar="NAME", help="every paper with this tag (or one nested in it)")
    p.add_argument("--topic", metavar="NAME", help="every paper of this topic")
    p.set_defaults(run=cmd_prefetch, usage=p.error)

    p = commands.add_parser("pdf", help="keep a paper's PDF on disk and print where it is")
    p.add_argument("paper", metavar="ID", help="an arXiv id (with a version for that one) or URL")
    p.add_argument("--dir", metavar="D", help="the folder (default: [library] pdf_dir)")
    p.set_defaults(run=cmd_pdf)

    p = commands.add_parser("highlights", help="print a paper's highlights, with deep links")
    p.add_argument("paper", metavar="ID", help="an arXiv id or URL")
    p.add_argument("--format", choices=("markdown", "json"), default="markdown")
    p.set_defaults(run=cmd_highlights)


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def cmd_read(args: argparse.Namespace) -> int:
    from paperdeck.storage.fulltext.model import FROM_PDF
    from paperdeck.storage.fulltext.render import to_markdown, to_text
    from paperdeck.storage.fulltext.store import FullTextError, NoRendering, open_document

    fulltext_settings = settings().fulltext
    paper_id = arxiv_id(args.paper)
    with open_cache(args) as cache:
        try:
            document = open_document(cache, paper_id, fulltext_settings, progress=_say)
        except (NoRendering, FullTextError) as exc:
            raise CommandError(str(exc)) from None
    if document.from_pdf:
        _say(f"{paper_id}: {FROM_PDF[0].lower()}{FROM_PDF[1:]} ({document.source_url})")
    sys.stdout.write(to_markdown(document) if args.format == "markdown" else to_text(document))
    return 0


def cmd_prefetch(args: argparse.Namespace) -> int:
    from paperdeck.storage.cache.views import PaperList, View
    from paperdeck.storage.fulltext.store import prefetch
    from paperdeck.storage.parsers.query import QueryError

    if not (args.papers or args.starred or args.later or args.tag or args.topic):
        args.usage("give paper IDs, --starred, --later, --tag NAME or --topic NAME")
    fulltext_settings = settings().fulltext
    ids = [arxiv_id(text) for text in args.papers]
    with open_cache(args) as cache:
        views = []
        if args.starred:
            views.append(View(starred=True))
        if args.later:
            views.append(View(query="is:later"))
        if args.tag is not None:
            views.append(View(query=f'tag:"{args.tag}"'))
        if args.topic is not None:
            if args.topic not in cache.topics():
                known = ", ".join(cache.topics()) or "none yet"
                raise CommandError(f"no topic named {args.topic!r} (topics: {known})")
            views.append(View(topic=args.topic))
        for view in views:
            try:
                view.terms()
            except QueryError as exc:
                raise CommandError(f"bad tag: {exc}") from None
            papers = PaperList(cache, view)
            for start in range(0, len(papers), 500):
                ids.extend(row.id for row in papers.window(start, 500))
        if not ids:
            print("nothing to prefetch: no paper matches", file=sys.stderr)
            return 0
        summary = prefetch(cache, ids, fulltext_settings, progress=_say)
    print(summary.describe())
    for paper_id, reason in summary.failed:
        print(f"  {paper_id}: {reason}")
    return 0 if summary.ok else 1


def cmd_pdf(args: argparse.Namespace) -> int:
    from paperdeck.storage.library.pdfs import PdfError, keep_pdf, pdf_folder

    config = settings()
    paper_id = arxiv_id(args.paper)
    version = parse_id(args.paper)[1]
    folder = pdf_folder(config.library, args.dir)
    with open_cache(args) as cache:
        try:
            kept = keep_pdf(cache, paper_id, version, folder, config.fulltext, progress=_say)
        except PdfError as exc:
            raise CommandError(str(exc)) from None
    if kept.how != "fetched":
        _say(f"{paper_id}: {kept.how}")
    print(kept.path)
    return 0


def cmd_highlights(args: argparse.Namespace) -> int:
    from paperdeck.storage.cache.highlights import of_paper
    from paperdeck.storage.library.highlights import to_json, to_markdown

    paper_id = arxiv_id(args.paper)
    with open_cache(args) as cache:
        found = of_paper(cache, paper_id)
        paper = cache.paper(paper_id)
    if args.format == "json":
        print(to_json(found))
    elif found:
        sys.stdout.write(to_markdown(paper.title if paper else "", found))
    if not found:
        _say(f"{paper_id} has no highlights (v on its reading screen makes one)")
    return 0
