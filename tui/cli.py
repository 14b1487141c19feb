"""The ``paperdeck`` command: the TUI with no arguments, scripting subcommands otherwise.

Exit codes: 0 success, 1 the command failed (message on stderr), 2 bad usage.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import sys
from collections.abc import Callable, Sequence
from importlib.metadata import PackageNotFoundError, version

from paperdeck.storage.cache import fulltext as stored_fulltext
from paperdeck.storage.cache.database import Cache, CacheError, CacheUnusable, describe_sqlite_error
from paperdeck.storage.cache.recovery import aside_path, reset_cache
from paperdeck.storage.cache.views import SORTS, PaperList, View
from paperdeck.storage.config import ConfigError, cache_path, config_path, load_config
from paperdeck.storage.ids import parse_id
from paperdeck.storage.library.citekeys import pin_keys
from paperdeck.storage.library.export import FORMATS, export, iter_details, record
from paperdeck.storage.library.importer import import_source, is_url
from paperdeck.storage.models import ImportReport
from paperdeck.storage.parsers.query import QueryError
from paperdeck.storage.translate import TranslationError, fetch_translation, translate_missing
from paperdeck.tui.cli_fulltext import add_commands as add_fulltext_commands
from paperdeck.tui.cli_library import add_commands as add_library_commands
from paperdeck.tui.cli_triage import add_commands as add_triage_commands
from paperdeck.tui.cli_triage import add_list_options, prepare_view


class CommandError(Exception):
    """A failure to report in one line, with exit status 1."""


def _version() -> str:
    try:
        return version("paperdeck")
    except PackageNotFoundError:
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="paperdeck",
        description="A keyboard-first terminal reader for arXiv papers. "
        "With no command, opens the reader.",
    )
    parser.add_argument("--version", action="version", version=f"paperdeck {_version()}")
    parser.add_argument(
        "--reset-cache",
        action="store_true",
        help="if the cache file is damaged or not a paperdeck cache, move it aside "
        "(renamed with a timestamp, never deleted) and start a fresh cache",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = commands.add_parser(
        "import", help="import daily-arXiv digests (files or http(s) URLs) or library files"
    )
    p.add_argument(
        "sources",
        nargs="+",
        metavar="SOURCE",
        help="a digest file or URL, or a .bib, .ris or CSL-JSON .json library file",
    )
    p.set_defaults(run=cmd_import)

    p = commands.add_parser("sync", help="bring the configured topics, feeds and digests in")
    p.add_argument("--topic", metavar="NAME", help="sync only this arXiv topic")
    p.add_argument(
        "--library", action="store_true", help="only merge the library with [library] sync_dir"
    )
    p.set_defaults(run=cmd_sync)

    p = commands.add_parser("list", help="list cached papers, newest first")
    p.add_argument("--format", choices=("table", "json", "tsv"), default="table")
    p.add_argument("--limit", type=_positive, metavar="N", help="at most N papers")
    _add_filters(p)
    p.add_argument("--search", metavar="QUERY", help="a search: words and filters (see README)")
    p.add_argument("--author", metavar="NAME", help="papers with this exact author name")
    p.add_argument("--sort", choices=SORTS, default="date")
    add_list_options(p)  # --watch NAME
    p.set_defaults(run=cmd_list)

    for name, doc in (("star", "star a paper"), ("unstar", "remove a paper's star")):
        p = commands.add_parser(name, help=doc)
        p.add_argument("paper", metavar="ID", help="an arXiv id or URL")
        p.set_defaults(run=cmd_star, starred=name == "star")

    p = commands.add_parser("mark", help="mark a paper read (or unread)")
    p.add_argument("paper", metavar="ID", help="an arXiv id or URL")
    p.add_argument("--unread", action="store_true", help="mark it unread instead")
    p.set_defaults(run=cmd_mark)

    p = commands.add_parser("translate", help="print a paper's translated title and abstract")
    p.add_argument("paper", nargs="?", metavar="ID", help="an arXiv id or URL")
    p.add_argument("--to", metavar="LANG", help="a language code (default: [translation] target)")
    p.add_argument("--missing", action="store_true", help="translate what --topic lacks")
    p.add_argument("--topic", metavar="NAME", help="with --missing: the topic to translate")
    p.set_defaults(run=cmd_translate, usage=p.error)

    p = commands.add_parser("export", help="export papers to stdout")
    p.add_argument("--format", choices=FORMATS, default="bibtex")
    _add_filters(p)
    p.add_argument("--search", metavar="QUERY", help="only papers this search finds")
    p.set_defaults(run=cmd_export)
    add_library_commands(commands)  # tag, later, note, citekey

    add_fulltext_commands(commands)  # read, prefetch
    add_triage_commands(commands)  # dismiss
    return parser


def _add_filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("--starred", action="store_true", help="only starred papers")
    p.add_argument("--unread", action="store_true", help="only unread papers")
    p.add_argument("--topic", metavar="NAME", help="only papers of this topic")
    p.add_argument("--later", action="store_true", help="only papers on the read-later list")
    p.add_argument("--tag", metavar="NAME", help="only papers with this tag (or one nested in it)")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


RESET_HINT = "`paperdeck --reset-cache` moves it aside and starts a fresh cache"


def open_cache(args: argparse.Namespace | None = None) -> Cache:
    """The cache, or a :class:`CommandError` that says what is wrong with its file.

    A damaged or foreign file is moved aside for a fresh cache only when the user agrees:
    ``--reset-cache`` (which also reads every page first, to find damage that opening
    alone does not see), or "y" to the question asked when stdin is a terminal.
    Otherwise the file is left untouched and the message ends with the hint.
    """
    path = cache_path()
    reset = bool(args is not None and getattr(args, "reset_cache", False))
    try:
        cache = Cache(path)
        if reset:
            _check_every_page(cache)
        return cache
    except CacheUnusable as exc:
        problem = exc
    except CacheError as exc:
        raise CommandError(str(exc)) from None
    if not (reset or _agrees(problem, path)):
        raise CommandError(f"{problem}. The file was left as it is; {RESET_HINT}")
    try:
        done = reset_cache(path, problem)
        print(f"paperdeck: {problem}; {done.describe(path)}", file=sys.stderr)
        return Cache(path)
    except CacheError as exc:
        raise CommandError(str(exc)) from None
    except OSError as exc:
        raise CommandError(f"{path}: could not move it aside ({exc.strerror or exc})") from None


def _check_every_page(cache: Cache) -> None:
    problem = cache.quick_check()
    if problem != "ok":
        cache.close()
        raise CacheUnusable(f"{cache.path} is damaged ({problem})")


def _agrees(problem: CacheUnusable, path) -> bool:
    """Ask on the terminal whether to move the file aside; False without a terminal."""
    if not sys.stdin or not sys.stdin.isatty():
        return False
    aside = aside_path(path, problem.label).name
    print(f"paperdeck: {problem}.", file=sys.stderr)
    print(f"Move it aside as {aside} and start a fresh cache? [y/N] ", end="", file=sys.stderr)
    sys.stderr.flush()
    answer = sys.stdin.readline().strip().lower()
    return answer in ("y", "yes")


def _view(cache: Cache, args: argparse.Namespace) -> View:
    if args.topic is not None:
        known = cache.topics()
        if args.topic not in known:
            listing = ", ".join(known) if known else "none yet"
            raise CommandError(f"no topic named {args.topic!r} (topics: {listing})")
    filters = []  # --later and --tag NAME are the searches is:later and tag:NAME
    if getattr(args, "later", False):
        filters.append("is:later")
    if getattr(args, "tag", None) is not None:
        filters.append(f'tag:"{args.tag}"')
    view = View(
        unread=args.unread,
        starred=args.starred,
        topic=args.topic,
        author=getattr(args, "author", None),
        search=getattr(args, "search", None) or "",
        query=" ".join(filters),
        sort=getattr(args, "sort", "date"),
    )
    try:
        view.terms()
    except QueryError as exc:
        raise CommandError(f"bad search: {exc}") from None
    return view


def _paper_id(cache: Cache, text: str) -> str:
    parsed = parse_id(text)
    if parsed is None:
        raise CommandError(
            f"{text!r} is not an arXiv id (expected e.g. 2406.02543 or hep-th/9901001)"
        )
    if cache.paper(parsed[0]) is None:
        raise CommandError(f"{parsed[0]} is not in the cache (import or sync it first)")
    return parsed[0]


# --- commands -------------------------------------------------------------------------


def cmd_import(args: argparse.Namespace) -> int:
    from paperdeck.storage.library.bibimport import import_library, library_kind

    failed = False
    with open_cache(args) as cache:
        for source in args.sources:
            if not is_url(source) and library_kind(source):
                report = import_library(cache, source)
            else:
                report = import_source(cache, source)
            print_report(report)
            failed |= not report.ok
    return 1 if failed else 0


def print_report(report: ImportReport) -> None:
    if report.error:
        print(f"paperdeck: {report.error}", file=sys.stderr)
    counts = report.counts
    if counts.total or report.ok:
        print(
            f"{report.source}: {counts.new} new, {counts.updated} updated, "
            f"{counts.unchanged} unchanged, {counts.translations} translations stored, "
            f"{len(report.skipped)} {report.unit} skipped"
            + (f" ({report.note})" if report.note else "")
        )
    for skipped in report.skipped:
        print(f"  line {skipped.line}: skipped: {skipped.reason}")
    for note in report.notes:
        print(f"  {note}")


def cmd_sync(args: argparse.Namespace) -> int:
    from paperdeck.storage.sources.runner import UnknownTopic, run_sync

    try:
        config = load_config()
        if args.library:
            return _sync_library(config, args)
        with open_cache(args) as cache:
            summary = run_sync(config, cache, topic=args.topic, progress=_print_event)
    except (ConfigError, UnknownTopic) as exc:
        raise CommandError(str(exc)) from None
    if not summary.results:
        print("nothing to sync: no topics, feeds or digests are configured")
        return 0
    print(summary.describe())
    return 0 if summary.ok else 1


def _sync_library(config, args: argparse.Namespace) -> int:
    """``sync --library``: only the merge with the other machines."""
    from paperdeck.storage.sources.library import merge_library

    if args.topic is not None:
        raise CommandError("--library merges only the library: leave out --topic")
    with open_cache(args) as cache:
        merged = merge_library(config, cache, _print_event)
    if merged is None:
        where = config.path or config_path()
        raise CommandError(f"no [library] sync_dir in {where}: nothing to merge")
    result, done = merged
    if done is None:
        raise CommandError(f"library: {result.error}")
    print(f"library: {done.describe()}")
    for line in done.details():
        print(f"  {line}")
    return 0


def _print_event(event) -> None:  # a paperdeck.storage.sources.runner.SyncEvent
    if event.kind == "page" and event.page is None:  # a step that is not a page (library)
        print(f"{event.source}: {event.message}", file=sys.stderr, flush=True)
        return
    if event.kind == "page":
        said = f"page {event.page}: {event.new} new, {event.updated} updated so far"
    else:
        said = {"start": "syncing…", "done": "done", "failed": "failed"}[event.kind]
    note = f" — {event.message}" if event.message else ""
    print(f"{event.source}: {said}{note}", file=sys.stderr, flush=True)


def cmd_list(args: argparse.Namespace) -> int:
    with open_cache(args) as cache:
        view = prepare_view(cache, _view(cache, args), args)  # rules, interest order
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
        paper_id = _paper_id(cache, args.paper)
        cache.set_starred(paper_id, args.starred)
        if args.starred:  # a paper's citation key is pinned when it is first starred
            pin_keys(cache, [paper_id])
        title = cache.paper(paper_id).title
    print(f"{'★ starred' if args.starred else 'unstarred'} {paper_id} — {title}")
    return 0


def cmd_mark(args: argparse.Namespace) -> int:
    with open_cache(args) as cache:
        paper_id = _paper_id(cache, args.paper)
        cache.set_read(paper_id, not args.unread)
        title = cache.paper(paper_id).title
    print(f"marked {'unread' if args.unread else 'read'} {paper_id} — {title}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    with open_cache(args) as cache:
        export(cache, _view(cache, args), args.format, sys.stdout)
    return 0


def cmd_translate(args: argparse.Namespace) -> int:
    if (args.paper is None) != args.missing or (args.topic is not None) != args.missing:
        args.usage("give an ID, or --missing with --topic NAME")
    try:
        settings = load_config().translation
    except ConfigError as exc:
        raise CommandError(str(exc)) from None
    with open_cache(args) as cache:
        try:
            if args.missing:
                return _translate_topic(cache, settings, args)
            translation = fetch_translation(cache, settings, _paper_id(cache, args.paper), args.to)
        except TranslationError as exc:
            raise CommandError(str(exc)) from None
    if translation.title:
        print(translation.title, end="\n\n")
    print(translation.abstract)
    return 0


def _translate_topic(cache: Cache, settings, args: argparse.Namespace) -> int:
    """Translate, politely, every paper of a topic that lacks a translation (progress on stderr)."""
    view = _view(cache, argparse.Namespace(topic=args.topic, unread=False, starred=False))
    papers = PaperList(cache, view)
    ids = [row.id for start in range(0, len(papers), 500) for row in papers.window(start, 500)]
    count = translate_missing(
        cache, settings, ids, args.to, progress=lambda line: print(line, file=sys.stderr)
    )
    print(f"translated {count} of {len(ids)} papers", file=sys.stderr)
    return 0


def cmd_app(args: argparse.Namespace) -> int:
    try:
        config = load_config()
    except ConfigError as exc:
        raise CommandError(str(exc)) from None
    from paperdeck.tui.app import run_app

    return run_app(config, open_cache(args))


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    command: Callable[[argparse.Namespace], int] = getattr(args, "run", cmd_app)
    try:
        return command(args)
    except CommandError as exc:
        print(f"paperdeck: {exc}", file=sys.stderr)
        return 1
    except CacheError as exc:  # a lock held too long by another process
        print(f"paperdeck: {exc}", file=sys.stderr)
        return 1
    except sqlite3.Error as exc:  # damage found mid-command
        problem = describe_sqlite_error(cache_path(), exc)
        hint = f"; {RESET_HINT}" if isinstance(problem, CacheUnusable) else ""
        print(f"paperdeck: {problem}{hint}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader went away (`| head`): not an error. Point stdout at nothing so
        # the interpreter's final flush does not complain either.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("paperdeck: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
