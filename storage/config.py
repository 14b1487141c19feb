"""Configuration: where files live, and the TOML settings with their defaults.

``PAPERDECK_DATA_DIR`` and ``PAPERDECK_CONFIG`` override the platformdirs locations.
A missing config file at the usual place means defaults; a file ``PAPERDECK_CONFIG`` names
must exist (:class:`ConfigMissing`); an invalid one raises :class:`ConfigError` naming the
file, the line and the key.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
import typing
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path

import platformdirs

from paperdeck.storage.parsers.query import QueryError, check_query, parse
from paperdeck.storage.parsers.tags import TagError, check_tag

APP_NAME = "paperdeck"
ANNOUNCE_TYPES = ("new", "cross", "replace", "replace-cross")
TRANSLATION_PROVIDERS = ("libretranslate", "openai", "deepl")
"""``[translation] provider`` besides ``none``: the names of
:data:`paperdeck.storage.translate.PROVIDERS` (a test keeps the two the same)."""


class ConfigError(Exception):
    """An invalid configuration file; the message names file, line and key."""


class ConfigMissing(ConfigError):
    """``PAPERDECK_CONFIG`` names a file that is not there (a typo, not a wish for the
    defaults)."""


def data_dir() -> Path:
    """The directory that holds the cache database."""
    override = os.environ.get("PAPERDECK_DATA_DIR")
    return Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME))


def config_path() -> Path:
    """The configuration file (which need not exist)."""
    override = os.environ.get("PAPERDECK_CONFIG")
    if override:
        return Path(override)
    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def cache_path() -> Path:
    return data_dir() / "paperdeck.db"


@dataclass(slots=True)
class ArxivSettings:
    api_url: str = "https://export.arxiv.org/api/query"
    """The query endpoint; point it at a mirror or a test server."""
    delay_seconds: float = 3.0
    """Seconds between two requests (arXiv asks for three)."""
    page_size: int = 100
    """Results per request (the API allows up to 2000)."""
    oai_url: str = "https://oaipmh.arxiv.org/oai"
    """arXiv's OAI-PMH endpoint, for ``paperdeck harvest``."""


@dataclass(slots=True)
class Topic:
    name: str
    """Tags the papers this query brings in."""
    query: str
    """An arXiv API ``search_query``."""
    categories: list[str] = field(default_factory=list)
    """Keep only papers in one of these categories (all when empty)."""
    max_results: int = 200
    """How many of the newest matches one sync looks at."""


@dataclass(slots=True)
class Feed:
    category: str
    """An arXiv archive or category, such as ``cs.CL``."""
    announce_types: list[str] = field(default_factory=lambda: ["new", "cross"])
    """Which announcements to keep: new, cross, replace, replace-cross."""


@dataclass(slots=True)
class DigestSource:
    url: str
    """A daily-arXiv markdown digest fetched on every sync."""


@dataclass(slots=True)
class CodelinkSettings:
    lookup: bool = False
    """Ask a code-link service for papers that have none."""


@dataclass(slots=True)
class TranslationSettings:
    provider: str = "none"
    """none, libretranslate, openai or deepl."""
    url: str = "http://localhost:5000"
    """The provider's base URL (for openai: the …/v1 base)."""
    target: str = "zh"
    """The language the translation toggle shows."""
    model: str = ""
    """The model name for an OpenAI-compatible server."""
    api_key_env: str = ""
    """Name of the environment variable that holds the API key (never the key)."""


ASSISTANT_PROVIDERS = ("none", "openai", "ollama")


@dataclass(slots=True)
class AssistantSettings:
    provider: str = "none"
    """none, openai (any OpenAI-compatible server: llama.cpp, vLLM, LM Studio) or ollama."""
    url: str = "http://localhost:8080/v1"
    """openai: the server's ``…/v1`` base; ollama: its base (``http://localhost:11434``)."""
    model: str = ""
    """The model's name on that server."""
    api_key_env: str = ""
    """Name of the environment variable that holds the API key (never the key)."""
    context_tokens: int = 8000
    """What one question may send (the prompt, in tokens)."""
    summaries: bool = False
    """Show a summary line in the abstract pane and in triage (made on first look, cached)."""


@dataclass(slots=True)
class SyncSettings:
    on_start: bool = False
    """Sync when the app opens (startup never waits for it)."""


@dataclass(slots=True)
class UiSettings:
    auto_mark_read: bool = True
    """Opening a paper's abstract marks it read."""
    theme: str = "textual-dark"
    """A Textual theme name."""
    show_muted: bool = False
    """Show the papers ``[[mute]]`` rules match (else only a search shows them)."""


@dataclass(slots=True)
class FulltextSettings:
    html_url: str = "https://arxiv.org/html/"
    """arXiv's HTML renderings: a paper is at ``<html_url><id>v<N>``."""
    ar5iv_url: str = "https://ar5iv.labs.arxiv.org/html/"
    """ar5iv's renderings of older papers, asked when arXiv has none: ``<ar5iv_url><id>``."""
    pdf_url: str = "https://arxiv.org/pdf/"
    """arXiv's PDFs, read when neither has a rendering: a paper is at ``<pdf_url><id>v<N>``."""
    figures: bool = True
    """Draw figures in the text (their images fetched as the reading screen needs them)."""
    delay_seconds: float = 3.0
    """Seconds between two full-text requests (arXiv's crawl delay)."""


@dataclass(slots=True)
class LibrarySettings:
    quick_tags: list[str] = field(default_factory=list)
    """Tags that the keys 1 to 9 toggle in the reader, in that order."""
    sync_dir: str = ""
    """A folder that Syncthing, Dropbox or git carries between machines: each machine
    appends its changes to its own file there and merges the others' (empty: off)."""
    machine: str = ""
    """This machine's name in ``sync_dir`` (default: an id made on first use)."""
    pdf_dir: str = ""
    """Where ``paperdeck pdf`` and ``P`` keep PDFs (empty: a ``pdfs`` folder in the data dir)."""


@dataclass(slots=True)
class CitationSettings:
    url: str = "https://api.semanticscholar.org/graph/v1"
    """Semantic Scholar's Graph API base."""
    api_key_env: str = ""
    """Name of the environment variable that holds an API key (sent as ``x-api-key``);
    without one the shared, slower rate applies."""


@dataclass(slots=True)
class HookSettings:
    after_sync: str = ""
    """A command run after each sync (split like a shell command, never run through
    one), with ``PAPERDECK_NEW_PAPERS`` set to the number of new papers."""


@dataclass(slots=True)
class SavedView:
    name: str
    """How the view is labelled as ``v`` cycles to it."""
    query: str
    """A search in the query language (``tag:cite -is:read``)."""


@dataclass(slots=True)
class Rule:
    """A ``[[watch]]`` or ``[[mute]]`` rule: a paper matches when any part matches."""

    name: str = ""
    """Names the rule's view and its mark (a watch rule needs one)."""
    authors: list[str] = field(default_factory=list)
    """Exact author names (any position; case does not matter)."""
    keywords: list[str] = field(default_factory=list)
    """Full-text queries, as ``/`` takes them: words, ``"a phrase"``, ``prefix*``, AND, OR, NOT."""
    categories: list[str] = field(default_factory=list)
    """arXiv categories such as ``cs.CL`` (primary or cross-listed)."""


def _default_topics() -> list[Topic]:
    return [Topic(name="LLM", query='abs:"large language model" OR ti:LLM')]


@dataclass(slots=True)
class Config:
    arxiv: ArxivSettings = field(default_factory=ArxivSettings)
    topics: list[Topic] = field(default_factory=_default_topics)
    feeds: list[Feed] = field(default_factory=list)
    digests: list[DigestSource] = field(default_factory=list)
    codelinks: CodelinkSettings = field(default_factory=CodelinkSettings)
    translation: TranslationSettings = field(default_factory=TranslationSettings)
    assistant: AssistantSettings = field(default_factory=AssistantSettings)
    sync: SyncSettings = field(default_factory=SyncSettings)
    ui: UiSettings = field(default_factory=UiSettings)
    fulltext: FulltextSettings = field(default_factory=FulltextSettings)
    library: LibrarySettings = field(default_factory=LibrarySettings)
    citations: CitationSettings = field(default_factory=CitationSettings)
    hooks: HookSettings = field(default_factory=HookSettings)
    views: list[SavedView] = field(default_factory=list)
    watch: list[Rule] = field(default_factory=list)
    mute: list[Rule] = field(default_factory=list)
    keys: dict[str, str] = field(default_factory=dict)
    """Binding id → keys, applied with ``App.set_keymap``."""
    path: Path | None = None
    """The file this came from (None for built-in defaults)."""


MAX_CONFIG_BYTES = 1 << 20
"""A configuration is a few kilobytes; a larger file is some other file."""
MAX_NESTING = 100
"""Brackets deeper than this on one line are reported instead of parsed."""


def load_config(path: Path | None = None) -> Config:
    """Read the configuration file, or the defaults when it does not exist (except the
    one ``PAPERDECK_CONFIG`` names: :class:`ConfigMissing`)."""
    named = path is None and bool(os.environ.get("PAPERDECK_CONFIG"))
    path = path or config_path()
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_CONFIG_BYTES + 1)  # bounded: the path may be /dev/zero
    except FileNotFoundError:
        if named:
            raise ConfigMissing(
                f"{path}: no such configuration file (PAPERDECK_CONFIG names it; "
                "unset it for the defaults)"
            ) from None
        return Config()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the configuration file: {_reason(exc)}") from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigError(
            f"{path}: cannot read the configuration file: it is larger than "
            f"{MAX_CONFIG_BYTES // 1024} KB, so it is not a paperdeck configuration"
        )
    return parse_config(_decode(raw, path), path)


def _reason(exc: Exception) -> str:
    return getattr(exc, "strerror", None) or str(exc)


def _decode(raw: bytes, path: Path) -> str:
    """UTF-8 text (a byte-order mark, as some editors write, is dropped), or an error
    naming the first line that is not UTF-8."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ConfigError(
            f"{path}:{line}: cannot read the configuration file: line {line} is not UTF-8 "
            f"(byte 0x{raw[exc.start]:02x}); save the file as UTF-8"
        ) from None


def parse_config(text: str, path: Path) -> Config:
    """Validate TOML text against the settings above."""
    locate = _Locator(text, path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise locate.syntax(exc) from None
    except RecursionError:  # tomllib recurses into nested arrays and inline tables
        raise locate.too_deep() from None
    config = Config(path=path, topics=[])  # a file's lists replace the defaults
    for key, value in data.items():
        if key not in _SECTIONS:
            raise locate.error(key, None, f"unknown section [{_shown(key)}]{_hint(key, _SECTIONS)}")
        kind, cls = _SECTIONS[key]
        if kind == "list":
            if not isinstance(value, list):
                raise locate.error(key, None, f"[[{key}]] must be an array of tables")
            items = [_build(cls, item, locate, key, index) for index, item in enumerate(value)]
            setattr(config, key, items)
        elif kind == "keys":
            setattr(config, key, _keys(value, locate))
        else:
            if not isinstance(value, dict):
                raise locate.error(key, None, f"[{key}] must be a table")
            setattr(config, key, _build(cls, value, locate, key, None))
    _check_values(config, locate)
    return config


_SECTIONS: dict[str, tuple[str, type]] = {
    "arxiv": ("table", ArxivSettings),
    "topics": ("list", Topic),
    "feeds": ("list", Feed),
    "digests": ("list", DigestSource),
    "codelinks": ("table", CodelinkSettings),
    "translation": ("table", TranslationSettings),
    "assistant": ("table", AssistantSettings),
    "sync": ("table", SyncSettings),
    "ui": ("table", UiSettings),
    "fulltext": ("table", FulltextSettings),
    "library": ("table", LibrarySettings),
    "citations": ("table", CitationSettings),
    "hooks": ("table", HookSettings),
    "views": ("list", SavedView),
    "watch": ("list", Rule),
    "mute": ("list", Rule),
    "keys": ("keys", dict),
}


def _shown(name: str) -> str:
    """A name from the file as an error message can show it: escapes and controls
    written out (``'\\x1b[2J'``), never sent to the terminal."""
    return name if name.isprintable() else repr(name)


def _hint(name: str, known) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _build(cls: type, table: object, locate: _Locator, section: str, index: int | None):
    if not isinstance(table, dict):
        raise locate.error(section, index, f"[[{section}]] entries must be tables")
    hints = typing.get_type_hints(cls)
    known = {f.name: f for f in fields(cls)}
    values = {}
    for key, value in table.items():
        if key not in known:
            raise locate.error(section, index, f"unknown key {key!r}{_hint(key, known)}", key)
        values[key] = _coerce(hints[key], value, locate, section, index, key)
    for name, spec in known.items():
        if name not in values and spec.default is MISSING and spec.default_factory is MISSING:
            raise locate.error(section, index, f"missing required key {name!r}")
    return cls(**values)


def _coerce(hint, value, locate: _Locator, section: str, index: int | None, key: str):
    def fail(expected: str):
        return locate.error(section, index, f"{key} must be {expected}, not {value!r}", key)

    if hint is bool:
        if not isinstance(value, bool):
            raise fail("true or false")
    elif hint is int:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise fail("a whole number ≥ 0")
    elif hint is float:
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise fail("a number ≥ 0")
        value = float(value)
    elif hint is str:
        if not isinstance(value, str):
            raise fail("a string")
    elif typing.get_origin(hint) is list and (
        not isinstance(value, list) or not all(isinstance(v, str) for v in value)
    ):
        raise fail("a list of strings")
    return value


def _keys(value: object, locate: _Locator) -> dict[str, str]:
    if not isinstance(value, dict):
        raise locate.error("keys", None, '[keys] must be a table of binding id = "key"')
    for name, keys in value.items():
        if not isinstance(keys, str) or not keys.strip():
            raise locate.error("keys", None, f'{_shown(name)} must be a key such as "f"', name)
    return dict(value)


def setting_error(config: Config, section: str, key: str, message: str) -> ConfigError:
    """An error about a setting only the UI can check (a theme, a key), naming the
    file and the line like the errors of :func:`parse_config`."""
    path = config.path or config_path()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        text = ""
    return _Locator(text, path).error(section, None, message, key)


def _check_values(config: Config, locate: _Locator) -> None:
    """Checks that go beyond types."""
    providers = ("none", *TRANSLATION_PROVIDERS)
    if config.translation.provider not in providers:
        raise locate.error(
            "translation",
            None,
            f"provider must be one of {', '.join(providers)}, not {config.translation.provider!r}",
            "provider",
        )
    _check_assistant(config.assistant, locate)
    for key in ("api_url", "oai_url"):
        url = getattr(config.arxiv, key)
        if not re.match(r"https?://", url):
            raise locate.error("arxiv", None, f"{key} must be an http(s) URL, not {url!r}", key)
    if not re.match(r"https?://[^/\s]+", config.citations.url):
        raise locate.error(
            "citations", None, f"url must be an http(s) URL, not {config.citations.url!r}", "url"
        )
    if config.hooks.after_sync.strip():
        import shlex

        try:
            shlex.split(config.hooks.after_sync)
        except ValueError as exc:
            raise locate.error(
                "hooks", None, f"after_sync cannot be split into a command: {exc}", "after_sync"
            ) from None
    for key in ("html_url", "ar5iv_url", "pdf_url"):
        url = getattr(config.fulltext, key)
        if not re.match(r"https?://[^/\s]+", url):
            raise locate.error("fulltext", None, f"{key} must be an http(s) URL, not {url!r}", key)
    if config.arxiv.page_size < 1 or config.arxiv.page_size > 2000:
        raise locate.error("arxiv", None, "page_size must be between 1 and 2000", "page_size")
    for index, digest in enumerate(config.digests):
        if not re.match(r"https?://", digest.url):
            raise locate.error(
                "digests", index, f"url must be an http(s) URL, not {digest.url!r}", "url"
            )
    for index, feed in enumerate(config.feeds):
        for kind in feed.announce_types:
            if kind not in ANNOUNCE_TYPES:
                raise locate.error(
                    "feeds",
                    index,
                    f"announce_types: {kind!r} is not one of {', '.join(ANNOUNCE_TYPES)}",
                    "announce_types",
                )
    _check_library(config, locate)
    _check_rules(config, locate)
    names = [topic.name for topic in config.topics]
    for index, name in enumerate(names):
        if not name.strip():
            raise locate.error("topics", index, "name must not be empty", "name")
        if not name.isprintable():  # it is shown on screen: no escape may reach the terminal
            raise locate.error(
                "topics", index, f"name {name!r} holds a control or invisible character", "name"
            )
        if name in names[:index]:
            raise locate.error("topics", index, f"topic {name!r} is defined twice", "name")


MIN_CONTEXT_TOKENS = 1000
"""Fewer tokens hold the instructions and a question but hardly any of the paper."""


def _check_assistant(settings: AssistantSettings, locate: _Locator) -> None:
    if settings.provider not in ASSISTANT_PROVIDERS:
        raise locate.error(
            "assistant",
            None,
            f"provider must be one of {', '.join(ASSISTANT_PROVIDERS)}, not {settings.provider!r}",
            "provider",
        )
    if not re.match(r"https?://[^/\s]+", settings.url):
        raise locate.error(
            "assistant", None, f"url must be an http(s) URL, not {settings.url!r}", "url"
        )
    if settings.context_tokens < MIN_CONTEXT_TOKENS:
        raise locate.error(
            "assistant",
            None,
            f"context_tokens must be at least {MIN_CONTEXT_TOKENS}, not {settings.context_tokens}",
            "context_tokens",
        )
    if settings.api_key_env and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", settings.api_key_env):
        raise locate.error(
            "assistant",
            None,
            "api_key_env must be the NAME of an environment variable (such as "
            "OPENAI_API_KEY), never the key itself",
            "api_key_env",
        )


MACHINE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
"""A machine's name: it names its file in the shared folder."""


def _check_library(config: Config, locate: _Locator) -> None:
    library = config.library
    if len(library.quick_tags) > 9:
        raise locate.error(
            "library", None, "quick_tags holds at most 9 tags (keys 1 to 9)", "quick_tags"
        )
    for tag in library.quick_tags:
        try:
            check_tag(tag)
        except TagError as exc:
            raise locate.error("library", None, f"quick_tags: {exc}", "quick_tags") from None
    library.quick_tags = [check_tag(tag) for tag in library.quick_tags]
    if library.machine and not MACHINE.fullmatch(library.machine):
        raise locate.error(
            "library",
            None,
            f"machine {library.machine!r} must be letters, digits and . _ - "
            "(at most 64; it names this machine's file in sync_dir)",
            "machine",
        )
    if library.sync_dir and not library.sync_dir.strip():
        raise locate.error("library", None, "sync_dir must name a folder", "sync_dir")
    if library.pdf_dir and not library.pdf_dir.strip():
        raise locate.error("library", None, "pdf_dir must name a folder", "pdf_dir")
    names = [view.name for view in config.views]
    for index, view in enumerate(config.views):
        if not view.name.strip() or not view.name.isprintable():
            raise locate.error(
                "views", index, f"name {view.name!r} must be printable and not empty", "name"
            )
        if view.name in names[:index]:
            raise locate.error("views", index, f"view {view.name!r} is defined twice", "name")
        try:
            parse(view.query)
        except QueryError as exc:
            raise locate.error("views", index, f"query: {exc}", "query") from None
        if not view.query.strip():
            raise locate.error("views", index, "query must not be empty", "query")


CATEGORY = re.compile(r"[a-z][a-z-]*(\.[A-Za-z][A-Za-z-]*)?")
"""An arXiv category: ``cs.CL``, ``hep-th``, ``math.AG``."""


def _check_rules(config: Config, locate: _Locator) -> None:
    """Watch and mute rules: something to match, names a watch view can show, queries
    the full-text index accepts."""
    for section in ("watch", "mute"):
        names: list[str] = []
        for index, rule in enumerate(getattr(config, section)):
            if not (rule.authors or rule.keywords or rule.categories):
                raise locate.error(
                    section, index, "give authors, keywords or categories to match", None
                )
            name = rule.name.strip()
            if section == "watch" and not name:
                raise locate.error(section, index, "a watch rule needs a name", "name")
            if rule.name and not rule.name.isprintable():
                raise locate.error(
                    section, index, f"name {rule.name!r} holds a control character", "name"
                )
            if name and name in names:
                raise locate.error(
                    section, index, f"{section} rule {name!r} is defined twice", "name"
                )
            names.append(name)
            for keyword in rule.keywords:
                problem = check_query(keyword) if keyword.strip() else "it is empty"
                if problem:
                    raise locate.error(
                        section,
                        index,
                        f"keywords: {keyword!r} is not a full-text query ({problem})",
                        "keywords",
                    )
            for author in rule.authors:
                if not author.strip() or not author.isprintable():
                    raise locate.error(
                        section, index, f"authors: {author!r} is not a name", "authors"
                    )
            for category in rule.categories:
                if not CATEGORY.fullmatch(category):
                    raise locate.error(
                        section,
                        index,
                        f"categories: {category!r} is not an arXiv category (like cs.CL)",
                        "categories",
                    )


class _Locator:
    """Finds the line of a key in the TOML text, so errors can point at it."""

    _HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.-]+)\s*\]\]?")

    def __init__(self, text: str, path: Path):
        self.lines = text.splitlines()
        self.path = path

    def line_of(self, section: str, index: int | None, key: str | None) -> int | None:
        current, seen = None, -1
        section_line = None
        for number, line in enumerate(self.lines, start=1):
            header = self._HEADER.match(line)
            if header:
                current = header.group(2)
                if current == section:
                    seen += 1
                    if index is None or seen == index:
                        section_line = number
                continue
            inside = current == section and (index is None or seen == index)
            if inside and key and re.match(rf"^\s*([\"']?){re.escape(key)}\1\s*=", line):
                return number
            if current is None and key is None and re.match(rf"^\s*{re.escape(section)}\s*=", line):
                return number
        return section_line

    _AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")

    def syntax(self, exc: tomllib.TOMLDecodeError) -> ConfigError:
        """A TOML syntax error at its line, with the table and key written there."""
        found = self._AT.search(str(exc))
        if not found:
            return ConfigError(f"{self.path}: invalid TOML: {exc}")
        number, column = int(found[1]), int(found[2])
        place = []
        for line in self.lines[: number - 1]:
            header = self._HEADER.match(line)
            if header:
                place = [f"{header[1]}{header[2]}{']' * len(header[1])}"]
        line = self.lines[number - 1] if number <= len(self.lines) else ""
        if "=" in line and not self._HEADER.match(line):
            place.append(_shown(line.partition("=")[0].strip().strip("\"'")))
        where = "".join(f" {part}:" for part in place)
        reason = str(exc)[: found.start()]
        return ConfigError(
            f"{self.path}:{number}:{where} invalid TOML: {reason} at column {column}"
        )

    def too_deep(self) -> ConfigError:
        """The error for values nested too deeply to parse, at the line where the
        nesting passes :data:`MAX_NESTING` (brackets in strings counted too)."""
        depth = 0
        for number, line in enumerate(self.lines, start=1):
            for char in line:
                if char in "]}":
                    depth = max(0, depth - 1)
                elif char in "[{":
                    depth += 1
                    if depth > MAX_NESTING:
                        key = line.partition("=")[0].strip() if "=" in line else ""
                        said = f"{_shown(key)} nests" if key else "values nest"
                        return ConfigError(
                            f"{self.path}:{number}: {said} more than {MAX_NESTING} levels of "
                            "brackets; no paperdeck setting nests more than one"
                        )
        return ConfigError(f"{self.path}: values nest too deeply to read")

    def error(self, section: str, index: int | None, message: str, key: str | None = None):
        line = self.line_of(section, index, key)
        where = f"{self.path}:{line}" if line else f"{self.path}"
        name = _shown(section)
        table = f"[[{name}]] #{index + 1}" if index is not None else f"[{name}]"
        return ConfigError(f"{where}: {table}: {message}")
