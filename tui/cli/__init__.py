"""The ``paperdeck`` command: the TUI with no arguments, scripting subcommands otherwise.

Each group of subcommands is a module of this package with an ``add_commands(commands)``
that adds its parsers (each parser's ``run`` default is the function the command runs);
:mod:`paperdeck.tui.cli.common` holds what they share. A new group is a new module, named
in :data:`GROUPS`.

Exit codes: 0 success, 1 the command failed (message on stderr), 2 bad usage.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
from collections.abc import Callable, Sequence
from importlib.metadata import PackageNotFoundError, version

from paperdeck.storage.cache.database import (
    CacheError,
    CacheUnusable,
    describe_sqlite_error,
    on_open,
)
from paperdeck.storage.config import (
    ConfigError,
    LibrarySettings,
    cache_path,
    data_dir,
    load_config,
)
from paperdeck.storage.library.journal_file import Journal
from paperdeck.tui.cli import (
    assistant,
    find,
    fulltext,
    harvest,
    library,
    papers,
    sync,
    translate,
    triage,
)
from paperdeck.tui.cli.common import RESET_HINT, CommandError, open_cache, settings

GROUPS = (sync, harvest, papers, translate, library, fulltext, assistant, triage, find)
"""The command groups, in the order ``paperdeck --help`` lists their commands."""


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
    for group in GROUPS:
        group.add_commands(commands)
    return parser


def cmd_app(args: argparse.Namespace) -> int:
    config = settings()
    from paperdeck.tui.app import run_app

    return run_app(config, open_cache(args))


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    command: Callable[[argparse.Namespace], int] = getattr(args, "run", cmd_app)
    on_open(Journal(_library_settings(), data_dir()))  # every cache this process opens
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
    finally:
        on_open(None)


def _library_settings() -> LibrarySettings:
    """``[library]`` for the journal's machine name; the defaults when the configuration
    cannot be read (the command that needs it says why)."""
    try:
        return load_config().library
    except ConfigError:
        return LibrarySettings()


if __name__ == "__main__":
    sys.exit(main())
