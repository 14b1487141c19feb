"""The Textual application."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Static

from storage.cache import Cache, CacheError
from storage.config import Config, cache_path


class PaperdeckApp(App):
    """paperdeck's reader."""

    TITLE = "paperdeck"
    BINDINGS = [("q", "quit", "Quit")]

    def __init__(self, config: Config, cache: Cache):
        super().__init__()
        self.config = config
        self.cache = cache

    def compose(self) -> ComposeResult:
        yield Header()
        count = self.cache.count_papers()
        yield Static(f"{count} papers cached in {self.cache.path}.", id="status")
        yield Footer()


def run_app(config: Config) -> int:
    try:
        cache = Cache(cache_path())
    except CacheError as exc:
        print(f"paperdeck: {exc}")
        return 1
    with cache:
        PaperdeckApp(config, cache).run()
    return 0
