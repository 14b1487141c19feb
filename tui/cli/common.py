"""What every command module of the CLI shares: the one-line failure (:class:`CommandError`),
the cache (:func:`open_cache`), the settings, paper ids, and the filters that choose papers."""

from __future__ import annotations

import argparse
import sys

from paperdeck.storage.cache.database import Cache, CacheError, CacheUnusable
from paperdeck.storage.cache.recovery import aside_path, reset_cache
from paperdeck.storage.cache.views import View
from paperdeck.storage.categories import UnknownCategory
from paperdeck.storage.categories import check as check_category
from paperdeck.storage.config import Config, ConfigError, cache_path, load_config
from paperdeck.storage.ids import parse_id, valid_date
from paperdeck.storage.parsers.query import QueryError


class CommandError(Exception):
    """A failure to report in one line, with exit status 1."""


RESET_HINT = "`paperdeck --reset-cache` moves it aside and starts a fresh cache"


def settings() -> Config:
    """The configuration, or a :class:`CommandError` naming the file, line and key."""
    try:
        return load_config()
    except ConfigError as exc:
        raise CommandError(str(exc)) from None


def _say(message: str) -> None:
    """What a long step of opening the cache (a migration) is doing, on stderr."""
    print(f"paperdeck: {message}", file=sys.stderr, flush=True)


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
        cache = Cache(path, announce=_say)
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


def arxiv_id(text: str) -> str:
    """The arXiv id ``text`` (an id or URL) names, or a :class:`CommandError`."""
    parsed = parse_id(text)
    if parsed is None:
        raise CommandError(
            f"{text!r} is not an arXiv id (expected e.g. 2406.02543 or hep-th/9901001)"
        )
    return parsed[0]


def paper_id(cache: Cache, text: str) -> str:
    """The id of a cached paper ``text`` names, or a :class:`CommandError`."""
    found = arxiv_id(text)
    if cache.paper(found) is None:
        raise CommandError(f"{found} is not in the cache (import or sync it first)")
    return found


def add_filters(p: argparse.ArgumentParser) -> None:
    """``--starred --unread --topic --later --tag``: the options :func:`view_of` reads."""
    p.add_argument("--starred", action="store_true", help="only starred papers")
    p.add_argument("--unread", action="store_true", help="only unread papers")
    p.add_argument("--topic", metavar="NAME", help="only papers of this topic")
    p.add_argument("--later", action="store_true", help="only papers on the read-later list")
    p.add_argument("--tag", metavar="NAME", help="only papers with this tag (or one nested in it)")


def view_of(cache: Cache, args: argparse.Namespace) -> View:
    """The papers the filters (:func:`add_filters`), ``--author``, ``--search`` and
    ``--sort`` choose; a :class:`CommandError` names an unknown topic or a bad search."""
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


def checked_slice(categories: list[str], day_option: str, day: str | None) -> list[str]:
    """arXiv category names (``cs.CL``, ``hep-th``, ``cs``) and a day option's value
    (``YYYY-MM-DD``) checked; a :class:`CommandError` names the bad one."""
    if day is not None and valid_date(day) != day:
        raise CommandError(f"{day_option} {day}: expected a date written YYYY-MM-DD")
    try:
        return [check_category(name) for name in categories]
    except UnknownCategory as exc:
        raise CommandError(str(exc)) from None
