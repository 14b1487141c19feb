"""Fixtures shared by every test: a private data dir and config, the real data in ../shared,
an empty cache and one holding the sample digest."""

from __future__ import annotations

import json
import socket
import webbrowser
from pathlib import Path

import pytest

from paperdeck.storage.cache.database import Cache
from paperdeck.storage.config import Config

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture
def shared_data() -> Path:
    """``../shared/data``; tests that need it skip when it is absent (a user's clone)."""
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not present")
    return SHARED_DATA


@pytest.fixture
def seed_digest(shared_data: Path) -> Path:
    return shared_data / "digests" / "llm-2024-06-04.md"


@pytest.fixture(autouse=True)
def private_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own data dir and config file: nothing touches the real ones. The
    file holds the built-in topics (so it reads as the defaults), as a file that
    ``PAPERDECK_CONFIG`` names must exist; a test writes its own over it."""
    data = tmp_path / "data"
    config = tmp_path / "config.toml"
    config.write_text(
        "".join(
            f"[[topics]]\nname = {json.dumps(t.name)}\nquery = {json.dumps(t.query)}\n"
            for t in Config().topics
        )
    )
    monkeypatch.setenv("PAPERDECK_DATA_DIR", str(data))
    monkeypatch.setenv("PAPERDECK_CONFIG", str(config))
    return data


@pytest.fixture
def no_such_host(monkeypatch: pytest.MonkeyPatch) -> str:
    """A host name that does not resolve, answered by the resolver as a DNS server with
    no such name would (no test asks the network's DNS)."""
    host = "no-such-host.invalid"
    resolve = socket.getaddrinfo

    def getaddrinfo(name, *args, **kwargs):
        if name == host:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return resolve(name, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return host


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """URLs the reader asked the browser to open (no browser is started)."""
    urls: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: urls.append(url) or True)
    return urls


@pytest.fixture
def cache(tmp_path: Path):
    with Cache(tmp_path / "cache.db") as opened:
        yield opened


@pytest.fixture
def sample(tmp_path: Path):
    """A cache holding the sample digest's nine papers (newest first: ``SAMPLE_ORDER``)."""
    from tests.tui_support import sample_cache  # the reader's support: only when asked for

    with sample_cache(tmp_path / "c.db") as opened:
        yield opened


@pytest.fixture(scope="session")
def large_cache_path(tmp_path_factory) -> Path:
    """A cache of 100,000 synthetic papers (short abstracts: quick to build), built once
    per test session."""
    from tests.support.synthetic import papers

    path = tmp_path_factory.mktemp("large") / "cache.db"
    with Cache(path) as cache:
        cache.upsert(papers(100_000, abstract_words=12))
    return path


@pytest.fixture(scope="session")
def small_cache_path(tmp_path_factory) -> Path:
    """The same papers as the large cache, only the first thousand of them."""
    from tests.support.synthetic import papers

    path = tmp_path_factory.mktemp("small") / "cache.db"
    with Cache(path) as cache:
        cache.upsert(papers(1_000, abstract_words=12))
    return path


@pytest.fixture(autouse=True)
def no_real_sync_endpoints(monkeypatch: pytest.MonkeyPatch) -> None:
    """Feeds and code-link lookups point at a closed local port unless a test serves them:
    no test reaches rss.arxiv.org or huggingface.co."""
    monkeypatch.setenv("PAPERDECK_FEEDS_URL", "http://127.0.0.1:9/rss/")
    monkeypatch.setenv("PAPERDECK_HF_API_URL", "http://127.0.0.1:9/api/papers/")


@pytest.fixture(autouse=True)
def fresh_spacing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test its own full-text spacing: the wait one test leaves is not the next's."""
    from paperdeck.storage.fulltext import fetch

    monkeypatch.setattr(fetch, "SPACING", type(fetch.SPACING)())


@pytest.fixture(autouse=True)
def no_real_images(monkeypatch: pytest.MonkeyPatch) -> None:
    """Figures' images come from loopback servers only: an image on any other host is
    refused in words (the synthetic paper's figures point at arxiv.org)."""
    from urllib.parse import urlsplit

    from paperdeck.storage.fulltext import images
    from paperdeck.tui.widgets import figure_cells

    real = images.fetch_image

    def loopback_only(url: str, **kwargs):
        if urlsplit(url).hostname not in ("127.0.0.1", "localhost"):
            raise images.ImageError(f"{url}: tests reach no host but loopback")
        return real(url, **kwargs)

    monkeypatch.setattr(figure_cells, "fetch_image", loopback_only)
