"""``paperdeck tag``, ``later``, ``note`` and ``citekey``: the personal library from the
command line (``list --tag``, ``export`` and ``import`` of library files, and ``sync
--library`` live with their commands in :mod:`paperdeck.tui.cli`)."""

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
from paperdeck.storage.parsers.tags import TagError, parse_change


def add_commands(commands) -> None:
    """Add ``tag``, ``later``, ``note`` and ``citekey`` to the CLI's subcommands."""
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


def _errors():
    from paperdeck.tui.cli import CommandError, _paper_id, open_cache

    return CommandError, _paper_id, open_cache


def cmd_tag(args: argparse.Namespace) -> int:
    CommandError, paper_id_of, open_cache = _errors()
    with open_cache(args) as cache:
        paper_id = paper_id_of(cache, args.paper)
        if args.changes:
            try:
                change = parse_change(args.changes)
            except TagError as exc:
                raise CommandError(str(exc)) from None
            changed = library.change_tags(cache, [paper_id], change.add, change.remove)
            said = " ".join(f"{'+' if on else '-'}{tag}" for _, tag, on in changed)
            print(f"{paper_id}: {said or 'no change'}", file=sys.stderr)
        tags = library.tags_of(cache, [paper_id]).get(paper_id, [])
    print(" ".join(tags) if tags else f"{paper_id} has no tags")
    return 0


def cmd_later(args: argparse.Namespace) -> int:
    _, paper_id_of, open_cache = _errors()
    with open_cache(args) as cache:
        paper_id = paper_id_of(cache, args.paper)
        library.set_later(cache, [paper_id], not args.off)
        title = cache.paper(paper_id).title
    print(f"{'off the read-later list' if args.off else 'read later'}: {paper_id} — {title}")
    return 0


def cmd_note(args: argparse.Namespace) -> int:
    CommandError, paper_id_of, open_cache = _errors()
    with open_cache(args) as cache:
        paper_id = paper_id_of(cache, args.paper)
        note = library.library_fields(cache, paper_id)[1]
        if args.show:
            if note is None:
                print(f"{paper_id} has no note", file=sys.stderr)
            else:
                print(note)
            return 0
        if args.set is not None:
            text = args.set
        elif args.append is not None:
            text = f"{note.rstrip()}\n{args.append}" if note else args.append
        else:
            text = _edit(note or "", paper_id, CommandError)
            if text is None:
                print("note unchanged", file=sys.stderr)
                return 0
        changed = library.set_note(cache, paper_id, text)
    stored = text if text and text.strip() else None
    if not changed:
        said = "note unchanged"
    else:
        said = "note deleted" if stored is None else "note saved"
    print(f"{paper_id}: {said}", file=sys.stderr)
    return 0


def _edit(text: str, paper_id: str, error) -> str | None:
    """The note after ``$VISUAL``/``$EDITOR`` edited it (run without a shell), or None
    when the editor failed or left it as it was."""
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not editor:
        raise error("no editor: set $EDITOR (or use --set TEXT / --append TEXT)")
    try:
        command = shlex.split(editor)
    except ValueError as exc:
        raise error(f"$EDITOR {editor!r} cannot be read as a command ({exc})") from None
    name = paper_id.replace("/", "_")
    with tempfile.TemporaryDirectory(prefix="paperdeck-") as folder:
        path = Path(folder) / f"note-{name}.md"
        path.write_text(text, encoding="utf-8")
        try:
            done = subprocess.run([*command, str(path)], check=False)
        except OSError as exc:
            raise error(
                f"could not start the editor {command[0]!r} ({exc.strerror or exc})"
            ) from None
        if done.returncode != 0:
            raise error(
                f"the editor {command[0]!r} failed (exit status {done.returncode}); "
                "the note was left as it was"
            )
        edited = path.read_text(encoding="utf-8", errors="replace")
    return None if edited == text else edited


def cmd_citekey(args: argparse.Namespace) -> int:
    CommandError, paper_id_of, open_cache = _errors()
    with open_cache(args) as cache:
        paper_id = paper_id_of(cache, args.paper)
        try:
            if args.set is not None:
                key = citekeys.set_key(cache, paper_id, args.set)
            else:
                key = citekeys.pin_keys(cache, [paper_id])[paper_id]
        except citekeys.CitekeyError as exc:
            raise CommandError(str(exc)) from None
    print(key)
    return 0
