"""Triage from the command line: ``paperdeck dismiss``, and what ``list`` needs for
``--sort interest`` (the order made fresh first), ``--watch NAME`` (a watch rule's papers)
and mute rules (their papers left out unless ``[ui] show_muted`` or a search)."""

from __future__ import annotations

import argparse
import sys

from paperdeck.storage.cache import rules, triage
from paperdeck.storage.cache.database import Cache
from paperdeck.storage.cache.views import View
from paperdeck.storage.config import config_path
from paperdeck.storage.ranking import interest
from paperdeck.tui.cli.common import CommandError, open_cache, paper_id, settings


def add_commands(commands) -> None:
    """Add ``dismiss`` to the CLI's subcommands."""
    p = commands.add_parser(
        "dismiss", help='dismiss a paper: read, and "not for me" (the interest order learns)'
    )
    p.add_argument("paper", metavar="ID", help="an arXiv id or URL")
    p.add_argument("--off", action="store_true", help="take the dismissal back")
    p.set_defaults(run=cmd_dismiss)


def add_list_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--watch", metavar="NAME", help="only papers the [[watch]] rule NAME matches")


def cmd_dismiss(args: argparse.Namespace) -> int:
    with open_cache(args) as cache:
        found = paper_id(cache, args.paper)
        triage.set_dismissed(cache, [found], not args.off)
        title = cache.paper(found).title
    print(f"{'undismissed' if args.off else 'dismissed'} {found} — {title}")
    return 0


def prepare_view(cache: Cache, view: View, args: argparse.Namespace) -> View:
    """The view ``list`` shows, with the rules and the interest order made fresh."""
    config = settings()
    watch = getattr(args, "watch", None)
    if watch is not None and watch not in {r.name for r in config.watch}:
        names = ", ".join(r.name for r in config.watch) or "none"
        where = config.path or config_path()
        raise CommandError(f"no [[watch]] rule named {watch!r} in {where} (rules: {names})")
    rules.refresh_config(cache, config)
    view = view.with_(watch=watch)
    if view.effective_sort == "interest":
        outcome = interest.ensure(cache)
        if outcome is not None and outcome.positives:
            print(
                f"interest order made from {outcome.positives:,} papers "
                f"({outcome.negatives:,} dismissed) in {outcome.seconds:.1f} s",
                file=sys.stderr,
            )
        if not _has_signal(cache):
            print(
                "paperdeck: no paper is starred, on the later list, tagged or noted yet: "
                "newest first until one is",
                file=sys.stderr,
            )
    return view


def _has_signal(cache: Cache) -> bool:
    from paperdeck.storage.cache.interest import has_order

    return has_order(cache)
