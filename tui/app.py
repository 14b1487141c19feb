"""The Textual application: configuration, the cache, keys, themes, the command palette."""

from __future__ import annotations

import sys
import unicodedata
import webbrowser
from collections.abc import Iterable
from dataclasses import replace
from functools import partial
from pathlib import Path

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.dom import DOMNode
from textual.keys import KEY_TO_UNICODE_NAME, REPLACED_KEYS, Keys
from textual.screen import Screen

from paperdeck.storage.cache.database import Cache
from paperdeck.storage.config import Config, ConfigError, setting_error
from paperdeck.storage.parsers.codelinks import safe_url
from paperdeck.storage.state import UiState, load_state
from paperdeck.tui.copying import Copied
from paperdeck.tui.marks import StarToggle
from paperdeck.tui.messages import WorkerFailed
from paperdeck.tui.screens.help import HelpScreen
from paperdeck.tui.screens.link_chooser import LinkChooser
from paperdeck.tui.screens.main import MainScreen
from paperdeck.tui.screens.triage import TriageScreen
from paperdeck.tui.widgets.paper_table import PaperTable
from paperdeck.tui.workers import thread_worker
from paperdeck.tui.writer import CacheWriter

STYLES = Path(__file__).resolve().parent.parent / "styles"


class PaperdeckApp(App):
    """paperdeck's reader: it holds the cache's connections (the UI thread's, and the
    writer's that saves marks and translations) and says what went wrong in one line."""

    TITLE = "paperdeck"
    CSS_PATH = [
        STYLES / "app.tcss",
        STYLES / "main.tcss",
        STYLES / "dialogs.tcss",
        STYLES / "fulltext.tcss",
        STYLES / "assistant.tcss",
        STYLES / "library.tcss",
        STYLES / "triage.tcss",
    ]
    BINDINGS = [
        Binding("q,ctrl+c", "quit", "Quit", id="quit"),  # Ctrl+C as in any terminal program
        Binding("question_mark", "help", "Keys", id="help"),
    ]

    def __init__(self, config: Config, cache: Cache, ui_state: UiState | None = None):
        super().__init__()
        self.config = config
        self.cache = cache
        self.writer = CacheWriter(cache.path)
        self.ui_state = ui_state or UiState()

    def on_mount(self) -> None:
        self.theme = self.config.ui.theme
        if self.config.keys:
            self.set_keymap(self.config.keys)
            for clash in key_clashes(self.config):
                self.notify(clash, title="[keys]", severity="warning", markup=False, timeout=15)
        self.writer.start()
        self.push_screen(MainScreen())

    def on_unmount(self) -> None:
        self.writer.close()  # what is queued is saved before the reader goes

    # --- links: checked here, opened off the UI thread -------------------------------

    def open_link(self, url: str) -> None:
        """Open ``url`` in the browser, if it is an http(s) link (every screen comes here)."""
        safe = safe_url(url)
        if safe is None:
            self.notify(
                f"Not opening {url}: only http and https links are opened.",
                severity="warning",
                markup=False,
            )
            return
        self._browse(safe)

    def open_code(self, code_urls: Iterable[str]) -> None:
        """A paper's code link: the one there is, or a chooser when there are several."""
        urls = [url for url in code_urls if safe_url(url)]
        if not urls:
            self.notify("No code link for this paper.")
        elif len(urls) == 1:
            self.open_link(urls[0])
        else:
            self.push_screen(LinkChooser(urls), lambda url: url and self.open_link(url))

    @thread_worker("Opening the browser", group="browser", exclusive=False)
    def _browse(self, url: str) -> None:
        """``webbrowser`` (so ``$BROWSER`` counts), off the UI thread: launchers can be slow."""
        if webbrowser.open(url):
            self.notify(f"Opened {url}", timeout=3, markup=False)
        else:
            self.notify(
                f"No web browser could be started for {url} (set $BROWSER).",
                severity="warning",
                timeout=10,
                markup=False,
            )

    # --- what went wrong, in one line -----------------------------------------------

    def on_worker_failed(self, message: WorkerFailed) -> None:
        self.notify(message.note, severity="error", markup=False, timeout=10)

    def on_cache_writer_waiting(self, message: CacheWriter.Waiting) -> None:
        self.notify(
            f"The cache is busy (another paperdeck process is writing): {message.write.what} "
            "is saved as soon as it is free.",
            severity="warning",
            markup=False,
        )

    def on_star_toggle_done(self, message: StarToggle.Done) -> None:
        """A star from the full-text screen: said here, shown by the table below."""
        said = "★ Starred" if message.starred else "Unstarred"
        self.notify(f"{said} {message.paper_id}", timeout=3, markup=False)
        self.screen_stack[0].post_message(CacheWriter.Changed())

    def on_copied(self, message: Copied) -> None:
        """``y`` then a key: the text the writer made goes to the clipboard (OSC 52)."""
        if message.text is None:
            self.notify(message.note, severity="warning", markup=False)
            return
        self.copy_to_clipboard(message.text)
        self.notify(message.note, markup=False, timeout=3)

    def on_cache_writer_failed(self, message: CacheWriter.Failed) -> None:
        self.notify(str(message.error), title="Not saved", severity="error", markup=False)

    # --- keys, help and the command palette come from the same bindings -------------

    def main_bindings(self) -> list[tuple[str, Binding, DOMNode]]:
        """(keys as shown, binding, the node that runs it) for each described binding of
        the reader, as the keymap has them now."""
        main = next(s for s in self.screen_stack if isinstance(s, MainScreen))
        ours = reader_binding_ids()
        found: dict[str, tuple[list[str], Binding, DOMNode]] = {}
        for key, active in main.active_bindings.items():
            binding = active.binding
            if binding.description and (binding.id in ours or binding.action == "command_palette"):
                entry = ([], binding, active.node)
                keys, _, _ = found.setdefault(binding.id or binding.action, entry)
                keys.append(self.get_key_display(replace(binding, key=key)))
        return [(" / ".join(keys), binding, node) for keys, binding, node in found.values()]

    def action_help(self) -> None:
        if not isinstance(self.screen, MainScreen):
            return
        keys = [(key, binding.description) for key, binding, _ in self.main_bindings()]
        self.push_screen(HelpScreen(keys))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if not any(isinstance(s, MainScreen) for s in self.screen_stack):
            return
        for key, binding, node in self.main_bindings():
            if binding.action in ("quit", "help"):
                continue
            yield SystemCommand(
                binding.description, f"key: {key}", partial(node.run_action, binding.action)
            )


def reader_binding_ids() -> set[str]:
    """The ids ``[keys]`` can remap: every binding the reader defines."""
    classes = (PaperTable, MainScreen, TriageScreen, PaperdeckApp, *fulltext_classes())
    return {b.id for cls in classes for b in cls.BINDINGS if b.id}


def fulltext_classes() -> tuple[type, ...]:
    """The full-text screen, its text and its figures (dialogs keep their keys to themselves)."""
    from paperdeck.tui.screens.figure import FigureScreen
    from paperdeck.tui.screens.fulltext import FullTextScreen
    from paperdeck.tui.widgets.contents import Contents
    from paperdeck.tui.widgets.paper_text import PaperText

    return (FullTextScreen, PaperText, Contents, FigureScreen)


def key_clashes(config: Config) -> list[str]:
    """One line for each ``[keys]`` remap onto a key that another binding of the same
    screen has (``star = "f"`` and the full text's ``f``), naming both: the reader starts
    all the same, but only one of them can have the key."""
    screens = [(MainScreen, PaperTable), (TriageScreen,), fulltext_classes()]
    clashes: dict[str, dict[str, list[str]]] = {}
    for classes in screens:
        owners: dict[str, list[str]] = {
            PaperdeckApp.COMMAND_PALETTE_BINDING: ["command_palette"],
            "ctrl+q": ["quit"],
        }
        for binding in (b for cls in (PaperdeckApp, *classes) for b in cls.BINDINGS):
            keys = config.keys.get(binding.id, binding.key) if binding.id else binding.key
            for key in keys.split(","):
                owners.setdefault(key.strip(), []).append(binding.id or binding.action)
        for name, keys in config.keys.items():
            for key in keys.split(","):
                others = [owner for owner in owners.get(key.strip(), []) if owner != name]
                for other in others:
                    found = clashes.setdefault(name, {}).setdefault(key.strip(), [])
                    found += [] if other in found else [other]
    said = []
    for name, found in clashes.items():
        taken = "; ".join(f"{key} is also the key of {', '.join(by)}" for key, by in found.items())
        message = f"{name} = {config.keys[name]!r}: {taken} (only one of them can have it)"
        said.append(str(setting_error(config, "keys", name, message)))
    return said


_MODIFIERS = {"ctrl", "shift", "alt", "meta", "super", "hyper"}
_KEY_NAMES = {key.value.rpartition("+")[2] for key in Keys if not key.value.startswith("<")}


def is_key(text: str) -> bool:
    """A key as Textual names it: ``f``, ``G``, ``ctrl+f``, ``f5``, ``pagedown``,
    ``question_mark`` (the Unicode name of a character)."""
    *modifiers, name = text.strip().split("+")
    if not name or not set(modifiers) <= _MODIFIERS:
        return False
    if len(name) == 1:
        return name.isprintable() and not name.isspace()
    if name in _KEY_NAMES:
        return True
    name = REPLACED_KEYS.get(name, name)
    try:
        char = unicodedata.lookup(KEY_TO_UNICODE_NAME.get(name, name.replace("_", " ")))
    except KeyError:
        return False
    return char.isprintable()  # "ff" and "nul" name control characters no key sends


def check_settings(config: Config, app: App) -> None:
    """Settings only the UI can check: the theme, and the binding ids and keys in
    ``[keys]``. The reader does not start half-configured."""
    if config.ui.theme not in app.available_themes:
        themes = ", ".join(sorted(app.available_themes))
        raise setting_error(
            config, "ui", "theme", f"theme {config.ui.theme!r} is not a theme (themes: {themes})"
        )
    ids = reader_binding_ids()
    for name, keys in config.keys.items():
        if name not in ids:
            known = ", ".join(sorted(ids))
            raise setting_error(
                config, "keys", name, f"{name!r} is not a binding id (ids: {known})"
            )
        for key in keys.split(","):
            if not is_key(key):
                raise setting_error(
                    config,
                    "keys",
                    name,
                    f"{name} = {keys!r}: {key.strip()!r} is not a key "
                    '(keys look like "f", "G", "ctrl+f", "f5", "pagedown", "question_mark")',
                )


def run_app(config: Config, cache: Cache) -> int:
    """Run the reader on ``cache``, which the caller opened and this closes. The exit
    status is 1 when the reader crashed or something it was asked to save is not saved."""
    with cache:
        app = PaperdeckApp(config, cache, load_state())
        try:
            check_settings(config, app)
        except ConfigError as exc:
            print(f"paperdeck: {exc}", file=sys.stderr)
            return 1
        app.run()
    for what in app.writer.unsaved:
        print(f"paperdeck: not saved (the cache stayed busy): {what}", file=sys.stderr)
    return 1 if app.return_code or app.writer.unsaved else 0
