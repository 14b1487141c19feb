"""``paperdeck export``, ``tag``, ``later``, ``note`` and ``citekey``: the personal library
from the command line (``list --tag``, ``import`` of library files and ``sync --library``
live with their commands in :mod:`paperdeck.tui.cli.papers` and :mod:`paperdeck.tui.cli.sync`)."""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

from paperdeck.storage.cache import library
from paperdeck.storage.library import citekeys
from paperdeck.storage.library.export import FORMATS, export
from paperdeck.storage.parsers.tags import TagError, parse_change
from paperdeck.tui.cli.common import CommandError, add_filters, open_cache, paper_id, view_of


def add_commands(commands) -> None:
    """Add ``export``, ``tag``, ``later``, ``note`` and ``citekey`` to the CLI's subcommands."""
    p = commands.add_parser("export", help="export papers to stdout")
    p.add_argument("--format", choices=FORMATS, default="bibtex")
    add_filters(p)
    p.add_argument("--search", metavar="QUERY", help="only papers this search finds")
    p.set_defaults(run=cmd_export)

    p = commands.add_parser(
        "tag",
        help="add (+name) or remove (-name) a paper's tags; with none, list them",
        description="Tags are lowercase letters, digits and . _ - (/ nests: proj/rag). "
        "A bare name adds, like +name.",
    )
    p.add_argument("paper", metavar="ID", help="an arXiv id or URL")
    p.add_argument("changes", nargs=argparse.REMAINDER, metavar="+name|-name")
    p.set_defaults(run=cmd_tag)

    p = commands.add_parser("later", help="put a paper on the read-later list (or take it off)")
    p.add_argument("paper", metavar="ID", help="an arXiv id or URL")
    p.add_argument("--off", action="store_true", help="take it off the list")
    p.set_defaults(run=cmd_later)

    p = commands.add_parser("note", help="edit a paper's note in $EDITOR (or set, append, show)")
    p.add_argument("paper", metavar="ID", help="an arXiv id or URL")
    how = p.add_mutually_exclusive_group()
    how.add_argument("--set", metavar="TEXT", help="replace the note (an empty TEXT deletes it)")
    how.add_argument("--append", metavar="TEXT", help="add TEXT as a new line of the note")
    how.add_argument("--show", action="store_true", help="print the note")
    p.set_defaults(run=cmd_note)

    p = commands.add_parser(
        "citekey", help="print a paper's citation key (pinning it), or set it with --set"
    )
    p.add_argument("paper", metavar="ID", help="an arXiv id or URL")
    p.add_argument("--set", metavar="KEY", help="pin KEY instead (refused if another paper has it)")
    p.set_defaults(run=cmd_citekey)


def cmd_export(args: argparse.Namespace) -> int:
    with open_cache(args) as cache:
        export(cache, view_of(cache, args), args.format, sys.stdout)
    return 0


def cmd_tag(args: argparse.Namespace) -> int:
    with open_cache(args) as cache:
        found = paper_id(cache, args.paper)
        if args.changes:
            try:
                change = parse_change(args.changes)
            except TagError as exc:
                raise CommandError(str(exc)) from None
            changed = library.change_tags(cache, [found], change.add, change.remove)
            said = " ".join(f"{'+' if on else '-'}{tag}" for _, tag, on in changed)
            print(f"{found}: {said or 'no change'}", file=sys.stderr)
        tags = library.tags_of(cache, [found]).get(found, [])
    print(" ".join(tags) if tags else f"{found} has no tags")
    return 0


def cmd_later(args: argparse.Namespace) -> int:
    with open_cache(args) as cache:
        found = paper_id(cache, args.paper)
        library.set_later(cache, [found], not args.off)
        title = cache.paper(found).title
    print(f"{'off the read-later list' if args.off else 'read later'}: {found} — {title}")
    return 0


def cmd_note(args: argparse.Namespace) -> int:
    with open_cache(args) as cache:
        found = paper_id(cache, args.paper)
        note = library.library_fields(cache, found)[1]
        if args.show:
            if note is None:
                print(f"{found} has no note", file=sys.stderr)
            else:
                print(note)
            return 0
        merged = False
        if args.set is not None:
            text = args.set
            changed = library.set_note(cache, found, text)
        else:  # from the note as read: a change made meanwhile is merged, never lost
            if args.append is not None:
                text = f"{note.rstrip()}\n{args.append}" if note else args.append
            else:
                text = _edit(note or "", found)
                if text is None:
                    print("note unchanged", file=sys.stderr)
                    return 0
            changed, merged = library.save_edited_note(cache, found, note or "", text)
        stored = library.library_fields(cache, found)[1]
    if not changed:
        said = "note unchanged"
    else:
        said = "note deleted" if stored is None else "note saved"
    if merged:
        said += " (merged with a change made to it meanwhile: the lines it added are kept)"
    print(f"{found}: {said}", file=sys.stderr)
    return 0


def _edit(text: str, found: str) -> str | None:
    """The note after ``$VISUAL``/``$EDITOR`` edited it (run without a shell), or None
    when the editor failed or left it as it was."""
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not editor:
        raise CommandError("no editor: set $EDITOR (or use --set TEXT / --append TEXT)")
    try:
        command = shlex.split(editor)
    except ValueError as exc:
        raise CommandError(f"$EDITOR {editor!r} cannot be read as a command ({exc})") from None
    name = found.replace("/", "_")
    with tempfile.TemporaryDirectory(prefix="paperdeck-") as folder:
        path = Path(folder) / f"note-{name}.md"
        path.write_text(text, encoding="utf-8")
        try:
            done = subprocess.run([*command, str(path)], check=False)
        except OSError as exc:
            raise CommandError(
                f"could not start the editor {command[0]!r} ({exc.strerror or exc})"
            ) from None
        if done.returncode != 0:
            raise CommandError(
                f"the editor {command[0]!r} failed (exit status {done.returncode}); "
                "the note was left as it was"
            )
        edited = path.read_text(encoding="utf-8", errors="replace")
    return None if edited == text else edited


def cmd_citekey(args: argparse.Namespace) -> int:
    with open_cache(args) as cache:
        found = paper_id(cache, args.paper)
        try:
            if args.set is not None:
                key = citekeys.set_key(cache, found, args.set)
            else:
                key = citekeys.pin_keys(cache, [found])[found]
        except citekeys.CitekeyError as exc:
            raise CommandError(str(exc)) from None
    print(key)
    return 0
