"""Plain data that crosses the storage boundary: papers, translations, rows, reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Source = Literal["arxiv", "feed", "digest", "library"]
"""Where a paper's metadata came from; ``library``: an imported BibTeX, RIS or CSL-JSON
entry (the least authoritative: any other source's record wins)."""


@dataclass(slots=True)
class Paper:
    """Metadata of one arXiv paper, identified by its id without version."""

    id: str
    title: str
    published: str
    """Date of the first version, ``YYYY-MM-DD``."""
    version: int | None = None
    authors: list[str] = field(default_factory=list)
    authors_complete: bool = True
    """False when a source knows only the first author (a digest table row)."""
    abstract: str = ""
    """Reflowed: paragraphs separated by a blank line, no hard wraps."""
    updated: str | None = None
    comment: str = ""
    journal_ref: str = ""
    doi: str = ""
    primary_category: str = ""
    categories: list[str] = field(default_factory=list)
    """Primary first, cross-lists after it."""
    license: str = ""
    """The license URL arXiv records for the paper (empty when none is known)."""
    code_urls: list[str] = field(default_factory=list)
    summary: str = ""
    """A summary written by a digest's generator (its Abstract/摘要 column)."""
    source: Source = "digest"

    @property
    def abs_url(self) -> str:
        return f"https://arxiv.org/abs/{self.id}"

    @property
    def pdf_url(self) -> str:
        suffix = f"v{self.version}" if self.version else ""
        return f"https://arxiv.org/pdf/{self.id}{suffix}"


@dataclass(slots=True, frozen=True)
class Translation:
    """A translated abstract (and title) of one paper in one language."""

    paper_id: str
    lang: str
    abstract: str
    title: str = ""
    source: str = "digest"
    """Where it came from: ``digest`` or the provider's name."""


@dataclass(slots=True)
class Incoming:
    """A paper as a source delivers it, with the topics and translations it comes with."""

    paper: Paper
    topics: tuple[str, ...] = ()
    translations: tuple[Translation, ...] = ()


@dataclass(slots=True, frozen=True)
class UserState:
    """What the user did with a paper. Written only by user actions."""

    read: bool = False
    starred: bool = False
    read_at: str | None = None
    starred_at: str | None = None
    later: bool = False
    """On the read-later list."""
    note: str | None = None
    citekey: str | None = None
    """The pinned citation key (None until the paper is first starred or exported)."""
    tags: tuple[str, ...] = ()


@dataclass(slots=True, frozen=True)
class PaperRow:
    """One line of the paper table: only what the table shows."""

    key: int
    id: str
    published: str
    title: str
    first_author: str
    n_authors: int
    has_code: bool
    read: bool
    starred: bool
    topics: tuple[str, ...] = ()
    later: bool = False
    tags: tuple[str, ...] = ()
    watched: bool = False
    """A ``[[watch]]`` rule matches it."""
    fulltext: bool = False
    """Its full text is stored (it reads offline)."""


@dataclass(slots=True)
class PaperDetail:
    """Everything the abstract pane shows about one paper."""

    paper: Paper
    state: UserState
    topics: list[str]
    translation_langs: list[str]


@dataclass(slots=True)
class Skipped:
    """A digest row that could not be imported, and why."""

    line: int
    reason: str


@dataclass(slots=True)
class UpsertCounts:
    """How an upsert changed the cache."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    translations: int = 0
    """Translations stored or refreshed."""

    @property
    def total(self) -> int:
        return self.new + self.updated + self.unchanged

    def add(self, other: UpsertCounts) -> None:
        self.new += other.new
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.translations += other.translations


@dataclass(slots=True)
class ImportReport:
    """The result of importing one digest."""

    source: str
    counts: UpsertCounts = field(default_factory=UpsertCounts)
    skipped: list[Skipped] = field(default_factory=list)
    error: str | None = None
    """Set when nothing could be read at all (missing file, HTTP error, ...)."""
    note: str = ""
    """Worth saying about a digest that imported fine (an empty day's page)."""
    unit: str = "rows"
    """What the file is made of: a digest's rows, a library file's entries."""
    notes: list[str] = field(default_factory=list)
    """Lines worth reading about what was imported (a citation key that was kept)."""

    @property
    def ok(self) -> bool:
        return self.error is None
