"""``paperdeck import`` and ``paperdeck sync``: what brings papers into the cache (digests
and library files; the configured topics, feeds and digests; the library of the other
machines with ``sync --library``)."""

from __future__ import annotations

import argparse
import sys

from paperdeck.storage.config import ConfigError, config_path, load_config
from paperdeck.storage.library.importer import import_source, is_url
from paperdeck.storage.models import ImportReport
from paperdeck.tui.cli.common import CommandError, checked_slice, open_cache


def add_commands(commands) -> None:
    """Add ``import`` and ``sync`` to the CLI's subcommands."""
    p = commands.add_parser(
        "import", help="import daily-arXiv digests (files or http(s) URLs) or library files"
    )
    p.add_argument(
        "sources",
        nargs="+",
        metavar="SOURCE",
        help="a digest file or URL, a .bib, .ris or CSL-JSON .json library file, "
        "or arXiv's metadata snapshot (arxiv-metadata-oai-snapshot.json, or its .zip)",
    )
    p.add_argument(
        "--category",
        action="append",
        default=[],
        metavar="CAT",
        help="of the snapshot, only papers in this category (cs.CL), archive (hep-th) or "
        "group (cs); cross-lists count; repeatable",
    )
    p.add_argument(
        "--since",
        metavar="YYYY-MM-DD",
        help="of the snapshot, only papers first published on or after this day",
    )
    p.set_defaults(run=cmd_import)

    p = commands.add_parser("sync", help="bring the configured topics, feeds and digests in")
    p.add_argument("--topic", metavar="NAME", help="sync only this arXiv topic")
    p.add_argument(
        "--library", action="store_true", help="only merge the library with [library] sync_dir"
    )
    p.set_defaults(run=cmd_sync)


def cmd_import(args: argparse.Namespace) -> int:
    from paperdeck.storage.library.bibimport import import_library, library_kind
    from paperdeck.storage.library.snapshot import import_snapshot, is_snapshot

    slicing = bool(args.category or args.since)
    categories = checked_slice(args.category, "--since", args.since)
    failed = False
    with open_cache(args) as cache:
        for source in args.sources:
            if not is_url(source) and is_snapshot(source):
                report = import_snapshot(
                    cache, source, categories=categories, since=args.since, progress=_print_progress
                )
            elif slicing:
                raise CommandError(
                    f"{source} is not arXiv's metadata snapshot: --category and --since "
                    "take a slice of the snapshot only"
                )
            elif not is_url(source) and library_kind(source):
                report = import_library(cache, source)
            else:
                report = import_source(cache, source)
            print_report(report)
            failed |= not report.ok
    return 1 if failed else 0


def _print_progress(progress) -> None:  # a paperdeck.storage.library.snapshot.Progress
    print(f"snapshot: {progress.describe()}", file=sys.stderr, flush=True)


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
            summary = run_sync(config, cache, topic=args.topic, progress=print_event)
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
        merged = merge_library(config, cache, print_event)
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


def print_event(event) -> None:  # a paperdeck.storage.sources.runner.SyncEvent
    if event.kind == "page" and event.page is None:  # a step that is not a page (library)
        print(f"{event.source}: {event.message}", file=sys.stderr, flush=True)
        return
    if event.kind == "page":
        said = f"page {event.page}: {event.new} new, {event.updated} updated so far"
    else:
        said = {"start": "syncing…", "done": "done", "failed": "failed"}[event.kind]
    note = f" — {event.message}" if event.message else ""
    print(f"{event.source}: {said}{note}", file=sys.stderr, flush=True)
