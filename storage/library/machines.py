"""The same library on every machine, through a folder that Syncthing, Dropbox or git
carries (``[library] sync_dir``).

Each machine appends its own changes — read, star, later, dismissal, tags, note, citation
key — as JSON lines to its own file in that folder, ``<machine>.jsonl``, and merges every file
there (its own too: a cache made afresh gets its library back). Per field, the later
change wins: (time, machine, number), so merging is the same in any order and merging
twice changes nothing. An unstar, an untag or a deleted note is a change like any other,
so it travels too. Paper metadata never travels this way.

A line that cannot be read — torn by a copy made mid-write, written by another program or
a newer paperdeck, or dated more than a day ahead of this machine's clock — is skipped and
reported, never fatal; an incomplete last line is left for the next merge (its writer may
not have finished). Each file is merged in one transaction together with how far it was
read, so a merge killed half-way loses nothing and is simply done again.

A line::

    {"v":1,"m":"laptop","s":12,"t":"2026-11-26T15:30:00.123Z","id":"2406.02543","f":"tag","tag":"proj/rag","x":true}
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import secrets
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from pathlib import Path

from paperdeck.storage.cache import journal, library
from paperdeck.storage.cache.database import Cache
from paperdeck.storage.cache.highlights import HID, Highlight
from paperdeck.storage.cache.journal import FIELDS, FLAGS, Change
from paperdeck.storage.config import MACHINE, LibrarySettings
from paperdeck.storage.ids import parse_id
from paperdeck.storage.library import citekeys
from paperdeck.storage.parsers.tags import TagError, check_tag
from paperdeck.storage.parsers.text import strip_controls

FORMAT = 1
"""The version of the line format this paperdeck writes (and the newest it reads)."""
SUFFIX = ".jsonl"
AHEAD_MS = 24 * 3600 * 1000
"""A change dated further ahead of this machine's clock is refused (a clock set wrong)."""
MACHINE_FILE = "machine-id"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_DAY = date(1970, 1, 1).toordinal()
_TAIL = 1 << 16


class LibrarySyncError(Exception):
    """The shared folder cannot be used (missing permission, not a folder)."""


class NotYet(ValueError):
    """A line that cannot be merged for now (a newer format, a date ahead of this clock):
    it is read again at the next merge, never passed over for good."""


@dataclass(frozen=True, slots=True)
class Skipped:
    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


@dataclass
class LibrarySync:
    """What one merge did."""

    machine: str
    folder: Path
    logged: int = 0
    """Changes made before the library was first shared, logged once to start with."""
    written: int = 0
    """Lines appended to this machine's file."""
    files: int = 0
    """Files of other machines read."""
    read: int = 0
    """Lines read from the files this time."""
    applied: int = 0
    """Changes from other machines that took effect here."""
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """Worth saying: an incomplete last line left for later, a file read again."""
    pinned: int = 0

    def describe(self) -> str:
        said = f"{self.applied} change{'s' if self.applied != 1 else ''} merged"
        said += f" from {self.files} other machine{'s' if self.files != 1 else ''}"
        said += f", {self.written} written"
        if self.skipped:
            said += f", {len(self.skipped)} line{'s' if len(self.skipped) != 1 else ''} skipped"
        return said

    def details(self) -> list[str]:
        return [*self.notes, *(f"skipped {s}" for s in self.skipped)]


# --- this machine -------------------------------------------------------------------------


def machine_id(settings: LibrarySettings, data_dir: Path) -> str:
    """``[library] machine``, else the id kept in the data folder (made on first use from
    the host name and a random part, so that two machines never share one)."""
    if settings.machine:
        return settings.machine
    path = data_dir / MACHINE_FILE
    try:
        kept = path.read_text(encoding="utf-8").strip()
        if MACHINE.fullmatch(kept):
            return kept
    except OSError:
        pass
    host = re.sub(r"[^A-Za-z0-9._-]", "-", socket.gethostname().split(".")[0])[:40].strip("-.")
    made = f"{host or 'machine'}-{secrets.token_hex(3)}"
    data_dir.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{MACHINE_FILE}.{os.getpid()}")
    temp.write_text(made + "\n", encoding="utf-8")
    os.replace(temp, path)
    return made


# --- lines ----------------------------------------------------------------------------------


def iso_ms(at: int) -> str:
    moment = _EPOCH + timedelta(milliseconds=at)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at % 1000:03d}Z"


_STAMP = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{3})Z")


def parse_ms(text: str) -> int:
    found = _STAMP.fullmatch(text)
    if found:  # the form paperdeck writes, read without datetime's help (many lines)
        y, mo, d, h, mi, sec, ms = map(int, found.groups())
        if 1 <= mo <= 12 and 1 <= d <= 31 and h < 24 and mi < 60 and sec < 61:
            days = date(y, mo, d).toordinal() - _EPOCH_DAY
            return ((days * 24 + h) * 60 + mi) * 60_000 + sec * 1000 + ms
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError("no time zone")
    return (moment - _EPOCH) // timedelta(milliseconds=1)


def now_ms() -> int:
    return (datetime.now(UTC) - _EPOCH) // timedelta(milliseconds=1)


def to_line(machine: str, seq: int, paper_id: str, name: str, value, at: int) -> str:
    line = {"v": FORMAT, "m": machine, "s": seq, "t": iso_ms(at), "id": paper_id}
    if name.startswith("tag:"):
        line.update(f="tag", tag=name[4:], x=bool(value))
    elif name.startswith("hl:"):
        line.update(f="highlight", hl=name[3:], x=json.loads(value) if value else None)
    else:
        line.update(f=name, x=bool(value) if name in FLAGS else value)
    return json.dumps(line, ensure_ascii=False, separators=(",", ":"))


@lru_cache(maxsize=65536)
def _plain_id(paper_id: str) -> bool:
    return parse_id(paper_id) == (paper_id, None)


@lru_cache(maxsize=4096)
def _tag(name: str) -> str:
    try:
        return check_tag(name)
    except TagError as exc:
        raise ValueError(str(exc)) from None


def from_line(text: str, machine: str, horizon: int) -> Change:
    """The change a line holds; ``ValueError`` says why it cannot be merged."""
    try:
        line = json.loads(text)
    except ValueError:
        raise ValueError("not JSON (cut off, or not a paperdeck library line)") from None
    if not isinstance(line, dict) or not isinstance(line.get("v"), int):
        raise ValueError("not a paperdeck library line")
    if line["v"] > FORMAT:
        raise NotYet(f"written by a newer paperdeck (format {line['v']}); update to merge it")
    if line.get("m") != machine:
        raise ValueError(f"a change of machine {line.get('m')!r} in the file of {machine!r}")
    seq, stamp, paper_id, name = (line.get(k) for k in ("s", "t", "id", "f"))
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        raise ValueError("no change number")
    if not isinstance(paper_id, str) or not _plain_id(paper_id):
        raise ValueError(f"{paper_id!r} is not an arXiv id")
    try:
        at = parse_ms(stamp) if isinstance(stamp, str) else None
    except ValueError:
        at = None
    if at is None:
        raise ValueError(f"{stamp!r} is not a time")
    if at > horizon:
        raise NotYet(
            f"dated {stamp}, more than a day ahead of this machine's clock (is a clock set wrong?)"
        )
    value = line.get("x")
    if name == "tag":
        tag = _tag(line.get("tag") if isinstance(line.get("tag"), str) else "")
        if not isinstance(value, bool):
            raise ValueError("a tag change without true or false")
        return Change(paper_id, f"tag:{tag}", value, at, machine, seq)
    if name == "highlight":
        return _highlight(line, paper_id, at, machine, seq)
    if name not in FIELDS:
        raise ValueError(f"unknown field {name!r}")
    if name in FLAGS and not isinstance(value, bool):
        raise ValueError(f"{name} must be true or false")
    if name not in FLAGS and value is not None and not isinstance(value, str):
        raise ValueError(f"{name} must be text or null")
    if name == "note" and value is not None:
        value = strip_controls(value)  # another machine's text: never escapes for the terminal
    if name == "citekey" and value is not None:
        try:
            citekeys.check_key(value)
        except citekeys.CitekeyError as exc:
            raise ValueError(str(exc)) from None
    return Change(paper_id, name, value, at, machine, seq)


def _highlight(line: dict, paper_id: str, at: int, machine: str, seq: int) -> Change:
    hid, value = line.get("hl"), line.get("x")
    if not isinstance(hid, str) or not HID.fullmatch(hid):
        raise ValueError(f"{hid!r} is not a highlight's id")
    if value is not None:
        made = Highlight.from_json(paper_id, hid, json.dumps(value))
        texts = ("anchor", "quote", "comment")
        value = replace(made, **{k: strip_controls(getattr(made, k)) for k in texts}).to_json()
    return Change(paper_id, f"hl:{hid}", value, at, machine, seq)


# --- writing this machine's file ----------------------------------------------------------------


def _last_written(path: Path) -> tuple[int, bool]:
    """(number of the last complete line in this machine's file, whether the file ends
    in an incomplete line)."""
    try:
        with open(path, "rb") as handle:
            size = handle.seek(0, os.SEEK_END)
            if size == 0:
                return 0, False
            start = max(0, size - _TAIL)
            while True:
                handle.seek(start)
                tail = handle.read()
                torn = not tail.endswith(b"\n")
                lines = tail.split(b"\n")[:-1]  # the last is empty, or incomplete
                if start > 0:
                    lines = lines[1:]  # the first may be cut by the window
                for raw in reversed(lines):
                    try:
                        seq = json.loads(raw).get("s")
                    except (ValueError, AttributeError):
                        continue
                    if isinstance(seq, int):
                        return seq, torn
                if start == 0:
                    return 0, torn
                start = max(0, start - _TAIL * 8)
    except FileNotFoundError:
        return 0, False


def append_own(cache: Cache, path: Path, machine: str) -> tuple[int, int]:
    """Append to this machine's file the changes it lacks, holding the file's lock (two
    syncs at once, or a sync and the journal, each write a line once); numbers this cache's
    next changes after the file's last. Returns (changes logged to start the log, lines
    written)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "ab") as out:
        fcntl.flock(out.fileno(), fcntl.LOCK_EX)  # released when ``out`` closes
        written, torn = _last_written(path)
        journal.continue_after(cache, written)
        logged = journal.start_journal(cache, written + 1)
        lines = [
            to_line(machine, seq, paper_id, name, value, at)
            for seq, paper_id, name, value, at in journal.log_after(cache, written)
        ]
        if lines:
            if torn:  # end the line a killed write left incomplete (it is skipped when read)
                out.write(b"\n")
            out.write(("\n".join(lines) + "\n").encode("utf-8"))
            out.flush()
            os.fsync(out.fileno())
    return logged, len(lines)


# --- merging the files ----------------------------------------------------------------------------


def _head(handle) -> str:
    handle.seek(0)
    return handle.readline(200).decode("utf-8", "replace")


def merge_file(
    cache: Cache,
    path: Path,
    local: str,
    report: LibrarySync,
    horizon: int | None = None,
    say: Callable[[str], None] = lambda text: None,
) -> None:
    """Merge what is new in one machine's file, in one transaction."""
    name, machine = path.name, path.name[: -len(SUFFIX)]
    horizon = horizon if horizon is not None else now_ms() + AHEAD_MS
    offset, line_no, head = journal.peer_position(cache, name)
    with open(path, "rb") as handle:
        size = handle.seek(0, os.SEEK_END)
        first = _head(handle)
        if size < offset or (head and first != head):
            report.notes.append(f"{name} was replaced: read again from its start")
            offset, line_no = 0, 0
        handle.seek(offset)
        data = handle.read()
    end = data.rfind(b"\n") + 1
    lines = data.count(b"\n", 0, end)
    if end < len(data):
        report.notes.append(
            f"{name}:{line_no + lines + 1}: incomplete last line "
            "(still being written or copied): left for the next merge"
        )
    if end == 0:
        return
    retry: list[tuple[int, int]] = []
    changes = list(_changes(data[:end], name, machine, line_no, horizon, report, retry))
    done, done_lines = retry[0] if retry else (end, lines)  # from a line to retry, next time
    with cache.transaction():
        say(f"merging {len(changes)} changes from {name}")
        outcome = journal.apply(cache, changes, local)
        journal.save_peer_position(cache, name, offset + done, line_no + done_lines, first)
    report.read += lines
    if machine != local:
        report.applied += outcome.applied
    for change, reason in outcome.refused:
        report.skipped.append(Skipped(name, 0, f"{change.paper_id}: {reason}"))


def _changes(
    data: bytes,
    name: str,
    machine: str,
    line_no: int,
    horizon: int,
    report: LibrarySync,
    retry: list[tuple[int, int]],
) -> Iterator[Change]:
    """The changes of complete lines; the first line refused for now goes into ``retry``
    as (byte offset, lines before it)."""
    start = 0
    for number, raw in enumerate(data.split(b"\n")[:-1], start=line_no + 1):
        at, start = start, start + len(raw) + 1
        if not raw.strip():
            continue
        try:
            yield from_line(raw.decode("utf-8"), machine, horizon)
        except UnicodeDecodeError:
            report.skipped.append(Skipped(name, number, "not UTF-8 (not a paperdeck library line)"))
        except ValueError as exc:
            report.skipped.append(Skipped(name, number, str(exc)))
            if isinstance(exc, NotYet) and not retry:
                retry.append((at, number - 1 - line_no))


def sync_library(
    cache: Cache,
    settings: LibrarySettings,
    data_dir: Path,
    progress: Callable[[str], None] | None = None,
) -> LibrarySync:
    """Write this machine's new changes to its file in ``sync_dir`` and merge every file
    there. Raises :class:`LibrarySyncError` when the folder cannot be used."""
    say = progress if progress is not None else (lambda text: None)
    folder = Path(settings.sync_dir).expanduser()
    machine = machine_id(settings, data_dir)
    report = LibrarySync(machine, folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        own = folder / f"{machine}{SUFFIX}"
        report.logged, report.written = append_own(cache, own, machine)
        files = sorted(p for p in folder.iterdir() if p.name.endswith(SUFFIX) and p.is_file())
        for path in files:
            if path != own:
                report.files += 1
            merge_file(cache, path, machine, report, say=say)
    except OSError as exc:
        raise LibrarySyncError(
            f"{folder}: the shared library folder cannot be used ({exc.strerror or exc})"
        ) from None
    report.pinned = citekeys.pin_starred(cache)
    library.index_pending(cache)
    if report.pinned:  # the keys pinned here travel too
        report.written += append_own(cache, own, machine)[1]
    return report
