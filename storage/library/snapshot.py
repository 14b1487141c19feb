"""Import arXiv's metadata snapshot — the NDJSON file, or the ``.zip`` Kaggle serves it
in — whole or a slice of it (categories, first version since a day), streaming.

Recognised by its content (its first line is a snapshot record), never by its name: a
CSL-JSON library file ends in ``.json`` too.
"""

from __future__ import annotations

import os
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO

from paperdeck.storage.cache.bulk import BulkLoader, Raw
from paperdeck.storage.cache.database import Cache
from paperdeck.storage.categories import covers
from paperdeck.storage.models import ImportReport, Paper, Skipped
from paperdeck.storage.parsers.snapshot import line_id, looks_like_snapshot, parse_line

PROGRESS_EVERY_S = 1.0
RECORD_BYTES = 1_300
"""About what one record takes in the file (to guess how many a file holds)."""


@dataclass(frozen=True)
class Progress:
    """How far an import has gone, for a progress line."""

    records: int
    done_bytes: int
    total_bytes: int
    elapsed_s: float

    @property
    def rate(self) -> float:
        """Records a second so far."""
        return self.records / self.elapsed_s if self.elapsed_s > 0 else 0.0

    @property
    def eta_s(self) -> float | None:
        """Seconds left, from the bytes read so far (None before there is a rate)."""
        if not self.done_bytes or not self.total_bytes:
            return None
        return self.elapsed_s * (self.total_bytes - self.done_bytes) / self.done_bytes

    def describe(self) -> str:
        eta = self.eta_s
        share = f" {100 * self.done_bytes / self.total_bytes:3.0f}%" if self.total_bytes else ""
        left = f", about {_duration(eta)} left" if eta is not None else ""
        return f"{self.records:,} records{share}, {self.rate:,.0f}/s{left}"


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"
    if seconds >= 60:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds} s"


def is_snapshot(path: str) -> bool:
    """Whether ``path`` holds arXiv's snapshot (plain, or zipped); False when unreadable."""
    try:
        with _open(path) as (handle, _size):
            return looks_like_snapshot(handle.readline(1 << 20))
    except (OSError, zipfile.BadZipFile, ValueError):
        return False


@contextmanager
def _open(path: str) -> Iterator[tuple[IO[bytes], int]]:
    """The snapshot's bytes and their size: the file itself, or the one ``.json`` member
    of a zip (Kaggle's ``arxiv.zip``)."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            members = [i for i in archive.infolist() if i.filename.endswith(".json")]
            if len(members) != 1:
                raise ValueError(f"{path}: a zip without exactly one .json file in it")
            with archive.open(members[0]) as handle:
                yield handle, members[0].file_size
        return
    with open(path, "rb") as handle:
        yield handle, _size_of(handle)


def _size_of(handle: IO[bytes]) -> int:
    return os.fstat(handle.fileno()).st_size


def slice_filter(categories: list[str], since: str | None) -> Callable[[Paper], bool]:
    """Whether a paper is in the slice: in one of ``categories`` (groups, archives or
    categories; cross-lists count), and first published on or after ``since``."""

    def wanted(paper: Paper) -> bool:
        if since and paper.published < since:
            return False
        return not categories or any(covers(n, c) for n in categories for c in paper.categories)

    return wanted


def import_snapshot(
    cache: Cache,
    path: str,
    *,
    categories: list[str] = (),
    since: str | None = None,
    progress: Callable[[Progress], None] | None = None,
) -> ImportReport:
    """Import the snapshot at ``path`` (or its slice) through the bulk path; a torn line is
    skipped and reported by number; unchanged records are skipped without parsing."""
    report = ImportReport(source=path, unit="lines")

    def bad(line: int, reason: str) -> None:
        report.skipped.append(Skipped(line, reason))

    started = time.monotonic()
    loader = None
    try:
        with (
            _open(path) as (handle, size),
            BulkLoader(
                cache,
                parse_line,
                slice_filter(list(categories), since),
                bad,
                expected=size // RECORD_BYTES,
            ) as loader,
        ):
            next_report = started + PROGRESS_EVERY_S
            done = number = 0
            for number, line in enumerate(handle, 1):
                done += len(line)
                if line.strip():
                    loader.add(Raw(line_id(line), line.rstrip(b"\r\n"), number))
                if progress is not None and number % 1000 == 0 and time.monotonic() >= next_report:
                    progress(Progress(number, done, size, time.monotonic() - started))
                    next_report = time.monotonic() + PROGRESS_EVERY_S
            if progress is not None:
                progress(Progress(number, done, size, time.monotonic() - started))
    except FileNotFoundError:
        report.error = f"{path}: no such file"
    except (OSError, zipfile.BadZipFile, ValueError) as exc:
        report.error = f"{path}: cannot read ({getattr(exc, 'strerror', None) or exc})"
    if loader is None:
        return report
    report.counts = loader.result.counts
    if loader.result.filtered:
        report.notes.append(f"{loader.result.filtered:,} records outside the requested slice")
    if (
        not report.error
        and not report.counts.total
        and report.skipped
        and not loader.result.filtered
    ):
        report.error = f"{path}: none of the {len(report.skipped)} lines could be read"
    return report
