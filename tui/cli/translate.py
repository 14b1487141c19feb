"""``paperdeck translate``: a paper's translated title and abstract, or (``--missing``)
every paper of a topic that lacks a translation."""

from __future__ import annotations

import argparse
import sys

from paperdeck.storage.cache.database import Cache
from paperdeck.storage.cache.views import PaperList
from paperdeck.storage.translate import TranslationError, fetch_translation, translate_missing
from paperdeck.tui.cli.common import CommandError, open_cache, paper_id, settings, view_of


def add_commands(commands) -> None:
    """Add ``translate`` to the CLI's subcommands."""
    p = commands.add_parser("translate", help="print a paper's translated title and abstract")
    p.add_argument("paper", nargs="?", metavar="ID", help="an arXiv id or URL")
    p.add_argument("--to", metavar="LANG", help="a language code (default: [translation] target)")
    p.add_argument("--missing", action="store_true", help="translate what --topic lacks")
    p.add_argument("--topic", metavar="NAME", help="with --missing: the topic to translate")
    p.set_defaults(run=cmd_translate, usage=p.error)


def cmd_translate(args: argparse.Namespace) -> int:
    if (args.paper is None) != args.missing or (args.topic is not None) != args.missing:
        args.usage("give an ID, or --missing with --topic NAME")
    translation_settings = settings().translation
    with open_cache(args) as cache:
        try:
            if args.missing:
                return _translate_topic(cache, translation_settings, args)
            translation = fetch_translation(
                cache, translation_settings, paper_id(cache, args.paper), args.to
            )
        except TranslationError as exc:
            raise CommandError(str(exc)) from None
    if translation.title:
        print(translation.title, end="\n\n")
    print(translation.abstract)
    return 0


def _translate_topic(cache: Cache, translation_settings, args: argparse.Namespace) -> int:
    """Translate, politely, every paper of a topic that lacks a translation (progress on stderr)."""
    view = view_of(cache, argparse.Namespace(topic=args.topic, unread=False, starred=False))
    papers = PaperList(cache, view)
    ids = [row.id for start in range(0, len(papers), 500) for row in papers.window(start, 500)]
    count = translate_missing(
        cache,
        translation_settings,
        ids,
        args.to,
        progress=lambda line: print(line, file=sys.stderr),
    )
    print(f"translated {count} of {len(ids)} papers", file=sys.stderr)
    return 0
