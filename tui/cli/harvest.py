"""``paperdeck harvest``: whole arXiv categories through OAI-PMH, resumable."""

from __future__ import annotations

import argparse

from paperdeck.storage.config import ConfigError, load_config
from paperdeck.tui.cli.common import CommandError, checked_slice, open_cache
from paperdeck.tui.cli.sync import print_event


def add_commands(commands) -> None:
    """Add ``harvest`` to the CLI's subcommands."""
    p = commands.add_parser(
        "harvest",
        help="bring whole arXiv categories in through OAI-PMH (resumes where it stopped)",
    )
    p.add_argument(
        "categories",
        nargs="*",
        metavar="CATEGORY",
        help="cs.CL, hep-th, astro-ph.GA or a group such as cs "
        "(default: the categories harvested before)",
    )
    p.add_argument(
        "--from",
        dest="since",
        metavar="YYYY-MM-DD",
        help="ask for records changed on or after this day "
        "(default: from the last harvest's latest record; the whole category the first time)",
    )
    p.set_defaults(run=cmd_harvest)


def cmd_harvest(args: argparse.Namespace) -> int:
    from paperdeck.storage.cache.sync_state import harvested_categories
    from paperdeck.storage.sources.runner import run_harvest

    categories = checked_slice(args.categories, "--from", args.since)
    try:
        config = load_config()
    except ConfigError as exc:
        raise CommandError(str(exc)) from None
    with open_cache(args) as cache:
        categories = categories or harvested_categories(cache)
        if not categories:
            raise CommandError(
                "nothing harvested yet: name a category, e.g. paperdeck harvest cs.CL"
            )
        summary = run_harvest(config, cache, categories, since=args.since, progress=print_event)
    print(summary.describe())
    return 0 if summary.ok else 1
