"""``y`` then ``l`` / ``b`` / ``k``: a paper's link, BibTeX entry or citation key on the
clipboard (what Textual sends as OSC 52), in the table and on the reading screen."""

from __future__ import annotations

from pathlib import Path

import bibtexparser
import pytest

from paperdeck.storage.cache.database import Cache
from paperdeck.storage.library.copies import CopyError, copy_text
from paperdeck.tui.screens.copy_chooser import CopyChooser
from paperdeck.tui.screens.fulltext import FullTextScreen
from tests.support import fulltext_reader
from tests.support.fulltext import SYNTHETIC, SYNTHETIC_ID, fill
from tests.tui_support import SAMPLE_ORDER, make_app, notes, sample_cache, settle

FIRST = SAMPLE_ORDER[0]


@pytest.fixture
def cache(tmp_path: Path):
    with sample_cache(tmp_path / "c.db") as opened:
        yield opened


def test_the_bibtex_entry_is_the_exports_and_pins_the_key(cache: Cache):
    assert cache.state(FIRST).citekey is None
    entry = copy_text(cache, FIRST, "bibtex")
    key = cache.state(FIRST).citekey
    assert key and copy_text(cache, FIRST, "citekey") == key
    parsed = bibtexparser.parse_string(entry)
    assert [e.key for e in parsed.entries] == [key]
    assert parsed.entries[0]["eprint"] == FIRST
    assert copy_text(cache, FIRST, "link") == f"https://arxiv.org/abs/{FIRST}"


def test_a_paper_not_in_the_cache_has_a_link_but_no_entry(cache: Cache):
    assert copy_text(cache, "2501.99999", "link") == "https://arxiv.org/abs/2501.99999"
    with pytest.raises(CopyError, match="2501.99999 is not in the cache: no BibTeX entry"):
        copy_text(cache, "2501.99999", "bibtex")


async def test_y_then_a_key_copies_from_the_table(cache: Cache):
    app = make_app(cache)
    async with app.run_test(size=(140, 36), notifications=True) as pilot:
        await settle(app, pilot)
        await pilot.press("y")
        assert isinstance(app.screen, CopyChooser)
        await pilot.press("l")
        await settle(app, pilot)
        assert app.clipboard == f"https://arxiv.org/abs/{FIRST}"
        assert f"Copied the link of {FIRST}" in " ".join(notes(app))

        await pilot.press("y", "k")
        await settle(app, pilot)
        key = cache.state(FIRST).citekey
        assert key and app.clipboard == key

        await pilot.press("y", "b")
        await settle(app, pilot)
        assert app.clipboard == copy_text(cache, FIRST, "bibtex")
        assert app.clipboard.startswith(f"@misc{{{key},")

        await pilot.press("j", "y", "escape")  # nothing copied, back in the table
        await settle(app, pilot)
        assert not isinstance(app.screen, CopyChooser)
        assert app.clipboard.startswith(f"@misc{{{key},")
        assert cache.state(SAMPLE_ORDER[1]).citekey is None


async def test_y_then_a_key_copies_on_the_reading_screen(tmp_path: Path):
    with Cache(tmp_path / "reader.db") as cache:
        fill(cache)
        fulltext_reader.store(
            cache, SYNTHETIC_ID, SYNTHETIC.read_bytes(), f"https://arxiv.org/html/{SYNTHETIC_ID}v2"
        )
        app = fulltext_reader.make_app(cache)
        async with app.run_test(size=(140, 40)) as pilot:
            await fulltext_reader.settle(app, pilot)
            await pilot.press("f")
            await fulltext_reader.settle(app, pilot)
            assert isinstance(app.screen, FullTextScreen)
            await pilot.press("y", "k")
            await settle(app, pilot)
            assert app.clipboard == cache.state(SYNTHETIC_ID).citekey
            await pilot.press("y", "l")
            await settle(app, pilot)
            assert app.clipboard == f"https://arxiv.org/abs/{SYNTHETIC_ID}"
            assert isinstance(app.screen, FullTextScreen)
