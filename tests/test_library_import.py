"""Importing library files: Zotero/Better BibTeX, papis and arXiv BibTeX, RIS and
CSL-JSON; entries without an arXiv id reported with key and reason; a malformed entry
reported with its line while the rest imports; a second import changes nothing; and the
round trip export → import into an empty library."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from paperdeck.storage.cache.database import Cache
from paperdeck.storage.config import cache_path
from paperdeck.tui.cli import main

DATA = Path(__file__).parent / "data" / "library"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def library(paper_id: str):
    with Cache(cache_path()) as cache:
        return cache.paper(paper_id), cache.state(paper_id)


def test_zotero_better_bibtex_file(capsys):
    code, out, _ = run(capsys, "import", str(DATA / "zotero-bbt.bib"))
    assert code == 0
    assert "3 new, 0 updated, 0 unchanged" in out and "1 entries skipped" in out
    assert "line 32: skipped: entry 'hintonReducingDimensionalityData2006': no arXiv id" in out
    paper, state = library("1706.03762")
    assert paper.title == "Attention Is All You Need"
    assert paper.authors[0] == "Ashish Vaswani" and paper.authors[6] == "Łukasz Kaiser"
    assert paper.published == "2017-06-01"  # the id's month (the sync brings the day)
    assert paper.abstract == "" and paper.source == "library"
    assert state.starred and state.citekey == "vaswaniAttentionAllYou2023"
    assert state.tags == (
        "computer-science-computation-and-language",
        "computer-science-machine-learning",
        "to-read",
    )
    assert state.note is None and paper.comment == "15 pages, 5 figures"  # arXiv's comment
    # A DOI of arXiv's alone names the paper; ; separates keywords too.
    _, lora = library("2106.09685")
    assert lora.citekey == "huLoRALowRankAdaptation2021" and lora.tags == ("fine-tuning", "proj/peft")


def test_papis_file(capsys):
    code, out, _ = run(capsys, "import", str(DATA / "papis.bib"))
    assert code == 0 and "3 new" in out
    assert "entry 'Knuth1984TeXbook': no arXiv id" in out
    paper, state = library("2005.14165")  # journal = {arXiv preprint arXiv:…}, URL with v4
    assert paper.version == 4 and not paper.authors_complete  # "and others"
    assert state.tags == ("few-shot", "llm") and state.citekey == "Brown2020Language"
    _, bert = library("1810.04805")  # DBLP's CoRR volume abs/…
    assert bert.citekey == "Devlin2018BERT" and bert.tags == ("nlp", "pretraining")
    old, physics = library("hep-th/9711200")  # an old-style id, versioned, in the note
    assert old.version == 3 and old.published == "1997-11-01"
    assert physics.tags == ("physics",) and physics.note is None


def test_arxiv_export_file(capsys):
    code, out, _ = run(capsys, "import", str(DATA / "arxiv.bib"))
    assert code == 0 and "2 new" in out and "0 entries skipped" in out
    paper, state = library("2106.09685")
    assert paper.version == 2 and paper.primary_category == "cs.CL"
    assert state.starred and state.citekey == "hu2021loralowrankadaptationlarge"


def test_a_second_import_changes_nothing(capsys):
    run(capsys, "import", str(DATA / "zotero-bbt.bib"))
    with Cache(cache_path()) as cache:
        before = cache.conn.execute(
            "SELECT * FROM user_state ORDER BY paper_id"
        ).fetchall(), cache.conn.execute("SELECT * FROM paper_tags ORDER BY 1, 2").fetchall()
    code, out, _ = run(capsys, "import", str(DATA / "zotero-bbt.bib"))
    assert code == 0 and "0 new, 0 updated, 3 unchanged" in out
    assert "0 starred, 0 tags added, 0 keys pinned" in out
    with Cache(cache_path()) as cache:
        after = cache.conn.execute(
            "SELECT * FROM user_state ORDER BY paper_id"
        ).fetchall(), cache.conn.execute("SELECT * FROM paper_tags ORDER BY 1, 2").fetchall()
    assert after == before


def test_another_file_keeps_pinned_keys_and_adds_tags(capsys):
    run(capsys, "import", str(DATA / "zotero-bbt.bib"))
    code, out, _ = run(capsys, "import", str(DATA / "arxiv.bib"))
    assert code == 0 and "2 unchanged" in out
    assert "1706.03762 keeps its citation key 'vaswaniAttentionAllYou2023'" in out
    assert library("1706.03762")[1].citekey == "vaswaniAttentionAllYou2023"


def test_a_malformed_entry_is_reported_and_the_rest_imported(capsys):
    code, out, _ = run(capsys, "import", str(DATA / "malformed.bib"))
    assert code == 0 and "2 new" in out
    assert "line 8: skipped: entry 'broken2024two': malformed entry" in out
    assert library("2401.00003")[1].tags == ("cite",)
    assert library("2401.00002")[0] is None


def test_a_file_with_no_arxiv_paper_fails(tmp_path: Path, capsys):
    path = tmp_path / "books.bib"
    path.write_text("@book{knuth, title={TAOCP}, year={1968}}\n")
    code, out, err = run(capsys, "import", str(path))
    assert code == 1 and "none of the 1 entries names an arXiv paper" in err
    assert "entry 'knuth': no arXiv id" in out


def test_ris_and_csl_json(tmp_path: Path, capsys):
    ris = tmp_path / "zotero.ris"
    ris.write_text(
        "TY  - JOUR\nTI  - Deep Residual Learning\nAU  - He, Kaiming\nPY  - 2015\n"
        "DO  - 10.48550/arXiv.1512.03385\nKW  - Vision\nKW  - resnets\nN1  - classic\n"
        "ID  - he2015deep\nER  - \n\n"
        "TY  - BOOK\nTI  - No id here\nID  - book1\nER  - \n"
        "TY  - UNPB\nTI  - Cut off\nUR  - https://arxiv.org/abs/2401.00009\n"
    )
    code, out, _ = run(capsys, "import", str(ris))
    assert code == 0 and "1 new" in out
    assert "line 12: skipped: entry 'book1': no arXiv id" in out
    assert "line 16: skipped: an entry: the file ends inside this record (no ER line)" in out
    paper, state = library("1512.03385")
    assert paper.title == "Deep Residual Learning" and paper.authors == ["Kaiming He"]
    assert state.tags == ("resnets", "vision") and state.note == "classic"
    assert state.citekey == "he2015deep"
    csl = tmp_path / "items.json"
    csl.write_text(
        json.dumps(
            [
                {
                    "id": "goodfellow2014",
                    "type": "article",
                    "title": "Generative Adversarial Networks",
                    "author": [{"family": "Goodfellow", "given": "Ian J."}],
                    "issued": {"date-parts": [[2014, 6, 10]]},
                    "number": "arXiv:1406.2661",
                    "keyword": "gans, generative",
                },
                {"id": "x", "type": "book", "title": "A book"},
                "not an item",
            ],
            indent=2,
        )
    )
    code, out, _ = run(capsys, "import", str(csl))
    assert code == 0 and "1 new" in out and "2 entries skipped" in out
    lines = csl.read_text().splitlines()
    second = next(n for n, line in enumerate(lines, 1) if '"id": "x"' in line) - 1
    assert f"line {second}: skipped: entry 'x': no arXiv id" in out
    assert "item 3 is not an object" in out
    paper, state = library("1406.2661")
    assert paper.published == "2014-06-10" and state.tags == ("gans", "generative")
    assert state.citekey == "goodfellow2014"


@pytest.mark.parametrize("fmt", ["bibtex", "biblatex", "ris", "csl-json"])
def test_round_trip_into_an_empty_library(seed_digest: Path, tmp_path: Path, monkeypatch, capsys, fmt):
    run(capsys, "import", str(seed_digest))
    starred = ["2406.02543", "2406.02528", "2406.02539"]
    for paper_id in starred:
        run(capsys, "star", paper_id)
    run(capsys, "tag", starred[0], "+cite", "+proj/rag")
    run(capsys, "tag", starred[1], "+method")
    run(capsys, "citekey", starred[2], "--set", "My:Key-1")
    run(capsys, "note", starred[1], "--set", "Table 2 & 50% of §3")
    code, exported, _ = run(capsys, "export", "--starred", "--format", fmt)
    assert code == 0
    with Cache(cache_path()) as cache:
        before = {p: cache.state(p) for p in starred}
        titles = {p: cache.paper(p).title for p in starred}
    suffix = {"bibtex": ".bib", "biblatex": ".bib", "ris": ".ris", "csl-json": ".json"}[fmt]
    path = tmp_path / f"export{suffix}"
    path.write_text(exported, encoding="utf-8")
    monkeypatch.setenv("PAPERDECK_DATA_DIR", str(tmp_path / "elsewhere"))
    code, out, _ = run(capsys, "import", str(path))
    assert code == 0 and "3 new" in out and "0 entries skipped" in out
    with Cache(cache_path()) as cache:
        assert cache.count_papers() == 3
        for paper_id in starred:
            state = cache.state(paper_id)
            assert state.starred
            assert state.tags == before[paper_id].tags
            assert state.citekey == before[paper_id].citekey
            assert cache.paper(paper_id).title == titles[paper_id]
            assert cache.paper(paper_id).abstract  # the export carried it
            assert state.note == before[paper_id].note


def test_import_a_url_of_a_digest_still_works(seed_digest: Path, tmp_path: Path, capsys):
    digest = tmp_path / "digest.md"
    shutil.copy(seed_digest, digest)
    code, out, _ = run(capsys, "import", str(digest))
    assert code == 0 and "100 new" in out and "rows skipped" in out


def test_notes_from_library_files_lose_their_control_characters(capsys, tmp_path: Path):
    """#11: notes from .bib, RIS and CSL-JSON kept escapes, so `note --show` and `export`
    sent them to the terminal."""
    evil = "see \x1b[2J\x1b]8;;http://x\x07here\x9b1m, line two\nline three"
    (tmp_path / "a.bib").write_text(
        "@article{a, title={A}, eprint={2406.02543}, archivePrefix={arXiv}, note={" + evil + "}}\n"
    )
    (tmp_path / "b.ris").write_text(
        "TY  - JOUR\nTI  - B\nUR  - https://arxiv.org/abs/2406.02539\nN1  - " + evil.replace("\n", " ")
        + "\nER  - \n"
    )  # fmt: skip
    (tmp_path / "c.json").write_text(
        json.dumps([{"type": "article", "title": "C", "URL": "https://arxiv.org/abs/2406.02537",
                     "note": evil}])
    )  # fmt: skip
    for name in ("a.bib", "b.ris", "c.json"):
        assert run(capsys, "import", str(tmp_path / name))[0] == 0
    for paper_id in ("2406.02543", "2406.02539", "2406.02537"):
        code, out, _ = run(capsys, "note", paper_id, "--show")
        assert code == 0 and "here" in out and not any(
            ord(c) < 32 and c != "\n" or 0x7F <= ord(c) <= 0x9F for c in out
        ), repr(out)
    code, out, _ = run(capsys, "export", "--format", "bibtex")
    assert "\x1b" not in out and "\x9b" not in out
