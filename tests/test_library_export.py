"""Exports of the personal library: BibTeX and BibLaTeX read by two independent parsers
(bibtexparser 2 and pybtex), CSL-JSON checked against the CSL-JSON 1.0.2 schema, RIS,
JSON; citation keys shown, not pinned, by the export."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

import bibtexparser
import jsonschema
import pybtex.database
import pytest
from bibtexparser import middlewares

from paperdeck.storage.cache import library
from paperdeck.storage.cache.database import Cache
from paperdeck.storage.cache.views import View
from paperdeck.storage.config import cache_path
from paperdeck.storage.library.citekeys import pin_keys
from paperdeck.storage.library.export import export, tex
from paperdeck.storage.library.readers import _latex_text
from paperdeck.storage.models import Incoming, Paper
from paperdeck.tui.cli import main

DATA = Path(__file__).parent / "data" / "library"
# The CSL-JSON 1.0.2 schema, csl-data.json from github.com/citation-style-language/schema
# at tag v1.0.2 (MIT licence: csl-data-1.0.2.LICENSE.txt beside it).
CSL_SCHEMA = json.loads((DATA / "csl-data-1.0.2.json").read_text(encoding="utf-8"))

SPECIAL_TITLE = "Cats & Dogs: 100% of C# in snake_case, {GPU} tricks for Gödel"
"""TeX's specials, braces and an accented letter: they must come back as they were."""
PAPERS = [
    Paper(
        id="2401.00001",
        title=SPECIAL_TITLE + " ~2x faster, x^2 and $\\alpha$",
        published="2024-01-01",
        version=2,
        authors=["András György", "Csaba Szepesvári", "Jean-Luc Picard"],
        abstract="Uses 50% less memory & #hashtags in_snake_case.",
        primary_category="cs.LG",
        source="arxiv",
    ),
    Paper(
        id="hep-th/9711200",
        title="The Large N Limit of Superconformal Field Theories and Supergravity",
        published="1997-11-27",
        authors=["Juan Maldacena"],
        source="arxiv",
    ),
    Paper(
        id="2401.00003",
        title="Unbalanced } braces { in a title",
        published="2024-01-03",
        authors=["Ada Lovelace and Company"],
        source="digest",
    ),
    Paper(
        id="2401.00004",
        title="Attention Is All You Need",
        published="2024-01-04",
        authors=["Ada Lovelace"],
        source="digest",
    ),
    Paper(
        id="2401.00005",
        title="Attention Is All You Need Again",
        published="2024-01-05",
        authors=["Ada Lovelace"],
        source="digest",
    ),
]


def stock(cache: Cache) -> Cache:
    cache.upsert(Incoming(paper) for paper in PAPERS)
    for paper in PAPERS:
        cache.set_starred(paper.id, True)
    library.change_tags(cache, ["2401.00001"], ["cite", "proj/rag"])
    library.set_note(cache, "2401.00001", "Read §3 first: 30% of the gain & more {really}")
    library.set_later(cache, ["2401.00003"], True)
    return cache


@pytest.fixture
def stocked(cache: Cache) -> Cache:
    return stock(cache)


def exported(cache: Cache, fmt: str, view: View | None = None) -> str:
    out = io.StringIO()
    export(cache, view or View(starred=True), fmt, out)
    return out.getvalue()


def parse_with_bibtexparser(text: str) -> dict[str, dict[str, str]]:
    library_ = bibtexparser.parse_string(
        text, append_middleware=[middlewares.LatexDecodingMiddleware()]
    )
    assert not library_.failed_blocks, [b.raw for b in library_.failed_blocks]
    keys = [entry.key for entry in library_.entries]
    assert len(keys) == len(set(keys))
    return {e.key: {f.key.lower(): f.value for f in e.fields} for e in library_.entries}


def parse_with_pybtex(text: str):
    return pybtex.database.parse_string(text, "bibtex").entries


@pytest.mark.parametrize("dialect", ["bibtex", "biblatex"])
def test_every_entry_parses_with_both_parsers(stocked: Cache, dialect: str):
    logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)
    text = exported(stocked, dialect)
    ours = parse_with_bibtexparser(text)
    theirs = parse_with_pybtex(text)
    assert len(ours) == len(theirs) == len(PAPERS)
    assert set(ours) == set(theirs)
    key = key_of(stocked, "2401.00001")
    entry = ours[key]
    assert entry["eprint"] == "2401.00001"
    assert entry["doi"] == "10.48550/arXiv.2401.00001"
    assert entry["url"] == "https://arxiv.org/abs/2401.00001"
    assert entry["keywords"] == "cite, proj/rag"
    if dialect == "bibtex":
        assert entry["archiveprefix"] == "arXiv" and entry["primaryclass"] == "cs.LG"
        assert text.startswith("@misc{")
    else:
        assert entry["eprinttype"] == "arXiv" and entry["eprintclass"] == "cs.LG"
        assert entry["date"] == "2024-01-01"
    # pybtex reads the names; the accented ones arrive whole.
    persons = theirs[key].persons["author"]
    assert [str(p) for p in persons][:2] == ["György, András", "Szepesvári, Csaba"]
    # A name holding " and " stays one author.
    odd = key_of(stocked, "2401.00003")
    assert len(theirs[odd].persons["author"]) == 1


def test_specials_round_trip_through_both_parsers(stocked: Cache):
    from pybtex.richtext import Text

    text = exported(stocked, "bibtex")
    key = key_of(stocked, "2401.00001")
    plain = SPECIAL_TITLE.replace("{GPU}", "GPU")
    ours = parse_with_bibtexparser(text)[key]
    assert ours["title"].startswith(plain + " ~2x faster")
    assert "50% less memory & #hashtags in_snake_case" in ours["abstract"]
    assert ours["note"] == "Read §3 first: 30% of the gain & more really"
    theirs = parse_with_pybtex(text)[key].fields
    assert Text.from_latex(theirs["title"]).render_as("text").startswith(plain + " ~2x faster")
    # paperdeck's own importer reads the raw value back the same way.
    raw = bibtexparser.parse_string(text).entries_dict[key]["title"]
    assert _latex_text(raw).strip().startswith(plain + " ~2x faster, x^2 and $\\alpha$")


@pytest.mark.parametrize(
    "text",
    ["100% & #1_x", "a lone $ sign", "} first {", "trailing backslash \\", "{{nested}} {", "$x_1$ and y_1"],
)
def test_tex_values_never_break_an_entry(text: str):
    entry = f"@misc{{k,\n  title = {{{tex(text)}}},\n  note = {{x}}\n}}\n"
    assert set(parse_with_bibtexparser(entry)["k"]) == {"title", "note"}
    assert set(parse_with_pybtex(entry)["k"].fields) == {"title", "note"}


def test_csl_json_is_valid_against_the_1_0_2_schema(stocked: Cache):
    items = json.loads(exported(stocked, "csl-json"))
    jsonschema.validate(items, CSL_SCHEMA)
    assert len(items) == len(PAPERS)
    first = next(item for item in items if item["number"] == "arXiv:2401.00001")
    assert first["id"] == first["citation-key"] == key_of(stocked, "2401.00001")
    assert first["DOI"] == "10.48550/arXiv.2401.00001" and first["keyword"] == "cite, proj/rag"
    assert first["author"][0] == {"family": "György", "given": "András"}
    assert first["issued"] == {"date-parts": [[2024, 1, 1]]}
    assert first["type"] == "article"


def test_ris_records(stocked: Cache):
    text = exported(stocked, "ris")
    records = text.strip().split("ER  - ")
    assert text.count("TY  - UNPB") == len(PAPERS) == text.count("ER  - ")
    assert all(line[2:6] == "  - " for line in text.splitlines() if line)
    first = next(r for r in records if "arXiv:2401.00001" in r)
    assert "KW  - cite\n" in first and "KW  - proj/rag\n" in first
    assert "N1  - Read §3 first" in first and "DO  - 10.48550/arXiv.2401.00001" in first
    assert "AU  - György, András" in first


def test_json_export_carries_the_library(stocked: Cache):
    records = {r["id"]: r for r in json.loads(exported(stocked, "json"))}
    first = records["2401.00001"]
    assert first["tags"] == ["cite", "proj/rag"] and first["later"] is False
    assert first["note"].startswith("Read §3") and first["citekey"]
    assert records["2401.00003"]["later"] is True


def key_of(cache: Cache, paper_id: str) -> str:
    """The key an export gives ``paper_id`` (its JSON record's ``citekey``)."""
    return {r["id"]: r["citekey"] for r in json.loads(exported(cache, "json"))}[paper_id]


def test_export_pins_no_key_but_suffixes_clashes(stocked: Cache, cache: Cache):
    assert all(cache.state(p.id).citekey is None for p in PAPERS)  # starred, not exported
    keys = {r["id"]: r["citekey"] for r in json.loads(exported(stocked, "json"))}
    assert all(cache.state(p.id).citekey is None for p in PAPERS)  # an export only reads
    # Newest first: the later paper comes first and gets the plain key.
    assert keys["2401.00005"] == "lovelace2024attention"
    assert keys["2401.00004"] == "lovelace2024attentiona"
    assert keys["hep-th/9711200"] == "maldacena1997large"
    assert "@misc{lovelace2024attentiona," in exported(stocked, "bibtex")  # the same again
    pin_keys(cache, ["2401.00004"])  # its key asked for (citekey) or a first star
    assert cache.state("2401.00004").citekey == "lovelace2024attention"
    keys = {r["id"]: r["citekey"] for r in json.loads(exported(stocked, "json"))}
    assert keys["2401.00004"] == "lovelace2024attention"  # pinned: it holds
    assert keys["2401.00005"] == "lovelace2024attentiona"  # unpinned: the next free one


def test_export_filters_through_the_cli(capsys):
    with Cache(cache_path()) as cache:
        stock(cache)
    assert main(["export", "--format", "bibtex", "--tag", "proj"]) == 0
    out = capsys.readouterr().out
    assert out.count("@misc{") == 1 and "2401.00001" in out
    assert main(["export", "--format", "ris", "--later"]) == 0
    assert capsys.readouterr().out.count("TY  - UNPB") == 1
    assert main(["export", "--format", "csl-json", "--search", "maldacena"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["number"] == "arXiv:hep-th/9711200"
    assert main(["export", "--format", "bibtex", "--search", "is:nothing"]) == 1
    assert "is:nothing" in capsys.readouterr().err
