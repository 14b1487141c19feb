"""Highlights: a passage selected on the reading screen (``v``, move, ``Enter``) kept with
an optional comment, listed (``H``) and deleted there, exported by ``paperdeck highlights
ID`` with deep links, and travelling with the library (another machine, the journal
beside the cache) — a deletion too."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from paperdeck.storage.cache import highlights as store
from paperdeck.storage.cache.database import Cache, on_open
from paperdeck.storage.config import LibrarySettings, cache_path
from paperdeck.storage.fulltext.store import stored_document
from paperdeck.storage.library.highlights import deep_link, keep_passage, to_markdown
from paperdeck.storage.library.journal_file import Journal
from paperdeck.storage.library.machines import from_line, to_line
from paperdeck.tui.cli import main
from paperdeck.tui.screens.fulltext import FullTextScreen
from paperdeck.tui.screens.highlight_list import HighlightList
from paperdeck.tui.screens.highlight_prompt import HighlightPrompt
from paperdeck.tui.widgets.paper_text import PaperText
from paperdeck.tui.widgets.passages import covered
from paperdeck.tui.widgets.text_layout import lay_out
from tests.support import fulltext_reader
from tests.support.fulltext import SYNTHETIC, SYNTHETIC_ID, fill
from tests.tui_support import settle

URL = f"https://arxiv.org/html/{SYNTHETIC_ID}v2"
PARAGRAPH = 13
"""A paragraph of the synthetic paper with no id of its own, in section ``S2``."""


def stored(cache: Cache) -> None:
    fill(cache)
    fulltext_reader.store(cache, SYNTHETIC_ID, SYNTHETIC.read_bytes(), URL)


@pytest.fixture
def cache(tmp_path: Path):
    with Cache(tmp_path / "c.db") as opened:
        stored(opened)
        yield opened


def test_a_passage_is_kept_with_its_deep_link_and_exported(cache: Cache):
    document = stored_document(cache, SYNTHETIC_ID)
    quote = document.blocks[PARAGRAPH].plain
    kept = keep_passage(
        cache,
        SYNTHETIC_ID,
        document,
        (PARAGRAPH, PARAGRAPH),
        quote,
        "see [x](javascript:alert(1))\x1b[2J",
    )
    assert store.of_paper(cache, SYNTHETIC_ID) == [kept]
    assert (kept.version, kept.anchor, kept.comment) == (2, "S2", "see [x](javascript:alert(1))")
    assert deep_link(kept) == f"{URL}#S2"
    out = to_markdown("A Synthetic Paper for the Converter", [kept])
    assert out.startswith(f"## A Synthetic Paper for the Converter (arXiv:{SYNTHETIC_ID})\n")
    assert f"> {quote}\n" in out and f"[§ S2]({URL}#S2)" in out
    assert "see \\[x\\](javascript:alert(1))" in out  # inert: never a link
    assert store.delete(cache, SYNTHETIC_ID, kept.hid) and store.of_paper(cache, SYNTHETIC_ID) == []


def test_the_command_prints_a_papers_highlights(cache: Cache, capsys):
    with Cache(cache_path()) as mine:
        stored(mine)
        document = stored_document(mine, SYNTHETIC_ID)
        keep_passage(mine, SYNTHETIC_ID, document, (5, 6), "Attention is important", "why?")
    assert main(["highlights", SYNTHETIC_ID]) == 0
    out = capsys.readouterr().out
    assert "> Attention is important\n\nwhy?\n" in out and f"({URL}#S1.p1)" in out
    assert main(["highlights", f"https://arxiv.org/abs/{SYNTHETIC_ID}", "--format", "json"]) == 0
    [item] = json.loads(capsys.readouterr().out)
    assert (item["quote"], item["comment"], item["link"]) == (
        "Attention is important", "why?", f"{URL}#S1.p1")  # fmt: skip
    assert main(["highlights", "2406.99001"]) == 0
    out, err = capsys.readouterr()
    assert out == "" and "2406.99001 has no highlights" in err


def machine(tmp_path: Path, monkeypatch, name: str) -> Path:
    """Point the environment at machine ``name`` (its data dir, a shared sync_dir)."""
    config = tmp_path / f"{name}.toml"
    config.write_text(f'[library]\nsync_dir = "{tmp_path / "shared"}"\nmachine = "{name}"\n')
    monkeypatch.setenv("PAPERDECK_DATA_DIR", str(tmp_path / name))
    monkeypatch.setenv("PAPERDECK_CONFIG", str(config))
    return tmp_path / name / "paperdeck.db"


def on_machine(tmp_path: Path, monkeypatch, name: str, change) -> None:
    """``change(cache)`` on machine ``name``'s cache, journalled as the reader's are."""
    db = machine(tmp_path, monkeypatch, name)
    on_open(Journal(LibrarySettings(machine=name), db.parent))
    try:
        with Cache(db) as cache:
            change(cache)
    finally:
        on_open(None)


def sync(tmp_path: Path, monkeypatch, capsys, name: str) -> None:
    machine(tmp_path, monkeypatch, name)
    assert main(["sync", "--library"]) == 0, capsys.readouterr().err
    capsys.readouterr()


def highlights_on(tmp_path: Path, name: str) -> list[store.Highlight]:
    with Cache(tmp_path / name / "paperdeck.db") as cache:
        return store.of_paper(cache, SYNTHETIC_ID)


def test_highlights_travel_to_the_other_machine_and_back(tmp_path: Path, monkeypatch, capsys):
    made = []

    def make(cache: Cache) -> None:
        stored(cache)
        document = stored_document(cache, SYNTHETIC_ID)
        made.append(keep_passage(cache, SYNTHETIC_ID, document, (3, 3), "We study", "first"))
        made.append(keep_passage(cache, SYNTHETIC_ID, document, (5, 5), "Attention", ""))

    on_machine(tmp_path, monkeypatch, "laptop", make)
    on_machine(tmp_path, monkeypatch, "desktop", fill)
    sync(tmp_path, monkeypatch, capsys, "laptop")
    sync(tmp_path, monkeypatch, capsys, "desktop")
    assert highlights_on(tmp_path, "desktop") == made

    def edit(cache: Cache) -> None:  # the comment of one changed, the other deleted
        store.save(cache, store.Highlight(**{**_fields(made[0]), "comment": "edited"}))
        store.delete(cache, SYNTHETIC_ID, made[1].hid)

    on_machine(tmp_path, monkeypatch, "desktop", edit)
    sync(tmp_path, monkeypatch, capsys, "desktop")
    sync(tmp_path, monkeypatch, capsys, "laptop")
    [left] = highlights_on(tmp_path, "laptop")
    assert (left.hid, left.comment) == (made[0].hid, "edited")
    sync(tmp_path, monkeypatch, capsys, "laptop")  # merging again changes nothing
    assert highlights_on(tmp_path, "laptop") == [left]


def test_a_lost_cache_gets_its_highlights_back_from_the_journal(tmp_path: Path, monkeypatch):
    made = []

    def make(cache: Cache) -> None:
        stored(cache)
        document = stored_document(cache, SYNTHETIC_ID)
        made.append(keep_passage(cache, SYNTHETIC_ID, document, (13, 13), "kept text", "mine"))

    on_machine(tmp_path, monkeypatch, "laptop", make)
    db = tmp_path / "laptop" / "paperdeck.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    on_machine(tmp_path, monkeypatch, "laptop", lambda cache: None)  # a fresh cache
    assert highlights_on(tmp_path, "laptop") == made


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"hl": "not-an-id"}, "is not a highlight's id"),
        ({"x": {"b": -1, "e": 0, "q": "", "a": "", "c": "", "m": ""}}, "blocks must run forwards"),
        ({"x": {"b": 0, "e": 0, "q": 3, "a": "", "c": "", "m": ""}}, "quote must be text"),
        ({"x": [1, 2]}, "must be an object"),
    ],
)
def test_a_foreign_highlight_line_is_refused_with_its_reason(change: dict, reason: str):
    good = {"v": None, "b": 1, "e": 2, "a": "S1", "q": "a passage", "c": "", "m": "2026-12-07"}
    line = json.loads(
        to_line("laptop", 7, SYNTHETIC_ID, "hl:0123456789abcdef", json.dumps(good), 0)
    )
    assert from_line(json.dumps(line), "laptop", 10**15).value == json.dumps(good)
    with pytest.raises(ValueError, match=reason):
        from_line(json.dumps({**line, **change}), "laptop", 10**15)


def _fields(highlight: store.Highlight) -> dict:
    return {name: getattr(highlight, name) for name in highlight.__slots__}


async def test_v_selects_enter_keeps_h_lists_and_deletes(cache: Cache):
    app = fulltext_reader.make_app(cache)
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await fulltext_reader.settle(app, pilot)
        await pilot.press("f")
        await fulltext_reader.settle(app, pilot)
        assert isinstance(app.screen, FullTextScreen)
        text = app.screen.query_one(PaperText)
        text.jump_to_block(5)
        await pilot.press("v", "j")
        assert text.selecting is not None
        await pilot.press("escape")  # drops the selection, stays on the paper
        assert text.selecting is None and isinstance(app.screen, FullTextScreen)

        await pilot.press("k", "v", "j", "enter")
        assert isinstance(app.screen, HighlightPrompt)
        await pilot.press(*"worth citing", "enter")
        await settle(app, pilot)
        [kept] = store.of_paper(cache, SYNTHETIC_ID)
        assert kept.comment == "worth citing" and kept.block == 5
        assert kept.quote.startswith("Attention is important")
        assert text._passage_lines  # drawn in the text

        await pilot.press("k", "k", "k", "H")
        assert isinstance(app.screen, HighlightList)
        await pilot.press("enter")  # goes there
        await pilot.pause()
        assert text.cursor_block == 5
        await pilot.press("H", "d")
        await settle(app, pilot)
        assert store.of_paper(cache, SYNTHETIC_ID) == [] and not text._passage_lines


def test_a_highlight_and_a_selection_look(snap_compare, cache: Cache):
    document = stored_document(cache, SYNTHETIC_ID)
    quote = document.blocks[6].plain
    keep_passage(cache, SYNTHETIC_ID, document, (6, 6), quote, "links")

    async def run(pilot) -> None:
        await pilot.pause()
        await fulltext_reader.settle(pilot.app, pilot)
        await pilot.press("f")
        await fulltext_reader.settle(pilot.app, pilot)
        pilot.app.screen.query_one(PaperText).jump_to_block(5)
        await pilot.press("v", "j")  # a selection above the highlight
        await pilot.pause()

    app = fulltext_reader.make_app(cache)
    assert snap_compare(app, terminal_size=(140, 36), run_before=run)


def test_a_highlight_is_found_by_its_words_at_any_width_and_block(cache: Cache):
    document = stored_document(cache, SYNTHETIC_ID)
    quote = "kept text after the unknown macro."
    kept = keep_passage(cache, SYNTHETIC_ID, document, (13, 13), quote)
    for width in (40, 100):
        layout = lay_out(document, width)
        lines = covered(layout, kept)
        assert lines and {layout.lines[n].block for n in lines} == {13}
        moved = store.Highlight(**{**_fields(kept), "block": 3, "end_block": 4})
        assert covered(layout, moved) == lines  # blocks numbered otherwise: found anyway
        gone = store.Highlight(**{**_fields(kept), "quote": "words no longer there"})
        assert covered(layout, gone) == set()
