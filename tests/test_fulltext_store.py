"""Full texts in the cache: stored compressed with the converter's version, converted again
without the network when the converter is newer, refetched for a newer paper version, and
the reader's position remembered."""

from __future__ import annotations

import sqlite3
import zlib
from pathlib import Path

import pytest

from paperdeck.storage.cache import fulltext as stored_texts
from paperdeck.storage.cache.database import Cache
from paperdeck.storage.config import FulltextSettings
from paperdeck.storage.fulltext.convert import CONVERTER_VERSION
from paperdeck.storage.fulltext.store import (
    FullTextError,
    NoRendering,
    open_document,
    prefetch,
    stored_document,
)
from paperdeck.storage.models import Incoming
from tests.support.fulltext import NO_HTML_ID, SYNTHETIC, SYNTHETIC_ID, fill, paper, routes
from tests.support.fulltext import served as settings
from tests.support.loopback import LoopbackServer

OFFLINE = FulltextSettings(
    html_url="http://127.0.0.1:9/html/", ar5iv_url="http://127.0.0.1:9/ar5iv/",
    pdf_url="http://127.0.0.1:9/pdf/",
    delay_seconds=0,
)


@pytest.fixture
def cache(tmp_path: Path):
    with Cache(tmp_path / "cache.db") as opened:
        fill(opened)
        yield opened


def no_sleep(seconds: float) -> None:
    pass


def test_stored_compressed_with_page_version_and_converter(cache: Cache):
    with LoopbackServer(routes(None)) as server:
        document = open_document(cache, SYNTHETIC_ID, settings(server), sleep=no_sleep)
    info = stored_texts.info(cache, SYNTHETIC_ID)
    assert info.version == 2 and info.converter == CONVERTER_VERSION
    assert info.source_url == server.url(f"/html/{SYNTHETIC_ID}v2")
    html, packed = cache.conn.execute(
        "SELECT html, document FROM fulltext WHERE paper_id = ?", (SYNTHETIC_ID,)
    ).fetchone()
    assert zlib.decompress(html) == SYNTHETIC.read_bytes()
    assert len(html) < len(SYNTHETIC.read_bytes()) / 2
    assert zlib.decompress(packed).decode() == document.to_json()
    assert stored_texts.has(cache, SYNTHETIC_ID)
    assert not stored_texts.has(cache, NO_HTML_ID)


def test_a_stored_paper_opens_offline_and_after_a_restart(cache: Cache, tmp_path: Path):
    with LoopbackServer(routes(None)) as server:
        first = open_document(cache, SYNTHETIC_ID, settings(server), sleep=no_sleep)
    cache.close()
    with Cache(tmp_path / "cache.db") as reopened:
        assert open_document(reopened, SYNTHETIC_ID, OFFLINE, sleep=no_sleep) == first


def test_a_newer_converter_converts_the_stored_page_again_without_the_network(cache: Cache):
    with LoopbackServer(routes(None)) as server:
        document = open_document(cache, SYNTHETIC_ID, settings(server), sleep=no_sleep)
    stored_texts.replace_document(cache, SYNTHETIC_ID, CONVERTER_VERSION - 1, '{"stale": true}')
    again = open_document(cache, SYNTHETIC_ID, OFFLINE, sleep=no_sleep)
    assert again == document
    assert stored_texts.info(cache, SYNTHETIC_ID).converter == CONVERTER_VERSION


def test_an_older_paperdeck_never_downgrades_a_newer_converters_document(cache: Cache):
    """#7: a read by an older paperdeck re-converted and overwrote the newer document."""
    with LoopbackServer(routes(None)) as server:
        document = open_document(cache, SYNTHETIC_ID, settings(server), sleep=no_sleep)
    newer = document.to_json()
    stored_texts.replace_document(cache, SYNTHETIC_ID, CONVERTER_VERSION + 1, newer)
    assert open_document(cache, SYNTHETIC_ID, OFFLINE, sleep=no_sleep) == document
    assert stored_texts.info(cache, SYNTHETIC_ID).converter == CONVERTER_VERSION + 1
    stored_texts.replace_document(cache, SYNTHETIC_ID, CONVERTER_VERSION + 1, '{"new": "form"}')
    assert open_document(cache, SYNTHETIC_ID, OFFLINE, sleep=no_sleep) == document  # this once
    assert stored_texts.info(cache, SYNTHETIC_ID).converter == CONVERTER_VERSION + 1
    stored = stored_texts.document(cache, SYNTHETIC_ID)[1]
    assert stored == b'{"new": "form"}'


def test_a_damaged_stored_document_is_made_again_from_the_page(cache: Cache):
    with LoopbackServer(routes(None)) as server:
        document = open_document(cache, SYNTHETIC_ID, settings(server), sleep=no_sleep)
    cache.conn.execute(
        "UPDATE fulltext SET document = ? WHERE paper_id = ?",
        (zlib.compress(b"{not json"), SYNTHETIC_ID),
    )
    assert stored_document(cache, SYNTHETIC_ID) == document


def test_a_newer_version_of_the_paper_is_fetched_or_the_stored_one_shown(cache: Cache):
    with LoopbackServer(routes(None)) as server:
        open_document(cache, SYNTHETIC_ID, settings(server), sleep=no_sleep)
    cache.upsert([Incoming(paper(SYNTHETIC_ID, "A Synthetic Paper for the Converter", version=3))])
    with LoopbackServer(routes(None)) as server:  # v3 is not there: the v2 page is kept
        document = open_document(cache, SYNTHETIC_ID, settings(server), sleep=no_sleep)
    assert [r.path for r in server.requests][0] == f"/html/{SYNTHETIC_ID}v3"
    assert document.title == "A Synthetic Paper for the Converter"
    assert stored_texts.info(cache, SYNTHETIC_ID).version == 2


def test_no_rendering_and_offline_are_errors_in_words(cache: Cache):
    with LoopbackServer(routes(None)) as server, pytest.raises(NoRendering):
        open_document(cache, NO_HTML_ID, settings(server), sleep=no_sleep)
    with pytest.raises(FullTextError, match="cannot reach"):
        open_document(cache, SYNTHETIC_ID, OFFLINE, sleep=no_sleep)
    assert not stored_texts.has(cache, NO_HTML_ID)


def test_prefetch_counts_and_progress(cache: Cache):
    lines: list[str] = []
    with LoopbackServer(routes(None)) as server:
        summary = prefetch(
            cache, [SYNTHETIC_ID, NO_HTML_ID, SYNTHETIC_ID], settings(server), progress=lines.append
        )
        again = prefetch(cache, [SYNTHETIC_ID], settings(server))
    assert summary.describe() == "1 stored, 0 already stored, 1 without an HTML rendering"
    assert again.already == [SYNTHETIC_ID] and summary.ok
    assert lines[-1].startswith(f"[2/2] {NO_HTML_ID}: no HTML rendering")


def test_reading_positions(cache: Cache):
    assert stored_texts.position(cache, SYNTHETIC_ID) is None
    stored_texts.save_position(cache, SYNTHETIC_ID, 42, 3)
    stored_texts.save_position(cache, SYNTHETIC_ID, 43, -1)
    assert stored_texts.position(cache, SYNTHETIC_ID) == (43, 0)


def test_the_migration_makes_the_tables(cache: Cache):
    tables = {name for (name,) in cache.conn.execute("SELECT name FROM sqlite_master")}
    assert {"fulltext", "reading_positions"} <= tables
    with pytest.raises(sqlite3.IntegrityError):
        cache.conn.execute("INSERT INTO fulltext(paper_id) VALUES ('x')")
