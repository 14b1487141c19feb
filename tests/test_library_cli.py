"""``paperdeck tag``, ``later``, ``note``, ``citekey`` and what ``list`` says of the
library; bad input is one line and a non-zero exit, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from paperdeck.tui.cli import main

ROOT = Path(__file__).resolve().parents[1]
ID = "2406.02543"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(autouse=True)
def imported(seed_digest: Path, capsys):
    assert run(capsys, "import", str(seed_digest))[0] == 0


def listed(capsys, *argv: str) -> list[dict]:
    code, out, _ = run(capsys, "list", "--format", "json", *argv)
    assert code == 0
    return json.loads(out)


def test_tags(capsys):
    code, out, err = run(capsys, "tag", ID, "+cite", "proj/rag", "-nothing")
    assert code == 0 and out == "cite proj/rag\n" and err == f"{ID}: +cite +proj/rag\n"
    assert run(capsys, "tag", ID, "-cite")[1] == "proj/rag\n"
    assert run(capsys, "tag", ID)[1] == "proj/rag\n"
    assert [p["id"] for p in listed(capsys, "--tag", "proj")] == [ID]
    assert listed(capsys, "--search", "tag:proj")[0]["tags"] == ["proj/rag"]
    for bad, said in (("+Bad!", "not a tag name"), ("+", "a tag name must follow +"),
                      ("+a -a", "'a' is both added and removed")):
        code, out, err = run(capsys, "tag", ID, *bad.split())
        assert code == 1 and said in err and "Traceback" not in err
    code, _, err = run(capsys, "tag", "9999.99999", "+x")
    assert code == 1 and "not in the cache" in err


def test_later(capsys):
    assert run(capsys, "later", ID)[0] == 0
    assert [p["id"] for p in listed(capsys, "--later")] == [ID]
    assert listed(capsys, "--search", "is:later")[0]["later"] is True
    run(capsys, "later", ID, "--off")
    assert listed(capsys, "--later") == []


def test_notes(capsys, tmp_path: Path, monkeypatch):
    run(capsys, "note", ID, "--set", "first line")
    run(capsys, "note", ID, "--append", "second line")
    assert run(capsys, "note", ID, "--show")[1] == "first line\nsecond line\n"
    record = listed(capsys, "--search", "second")[0]
    assert record["id"] == ID and record["note"] == "first line\nsecond line"
    # $EDITOR runs without a shell, on a file holding the note.
    editor = tmp_path / "editor.py"
    editor.write_text(
        "import sys\np = sys.argv[1]\ntext = open(p).read()\n"
        "open(p, 'w').write(text.upper() + '\\nedited; $(touch never)')\n"
    )
    monkeypatch.setenv("EDITOR", f"{sys.executable} {editor}")
    monkeypatch.delenv("VISUAL", raising=False)
    assert run(capsys, "note", ID)[0] == 0
    assert run(capsys, "note", ID, "--show")[1].startswith("FIRST LINE\nSECOND LINE\nedited;")
    assert not Path("never").exists()
    monkeypatch.setenv("EDITOR", "/bin/false")
    code, _, err = run(capsys, "note", ID)
    assert code == 1 and "failed (exit status 1); the note was left as it was" in err
    monkeypatch.delenv("EDITOR")
    code, _, err = run(capsys, "note", ID)
    assert code == 1 and "set $EDITOR" in err
    run(capsys, "note", ID, "--set", "")
    assert listed(capsys, "--limit", "1")[0]["note"] is None


def test_citekeys(capsys):
    assert listed(capsys, "--limit", "1")[0]["citekey"] is None
    assert run(capsys, "citekey", ID)[1] == "yadkori2024believe\n"  # asking pins it
    assert run(capsys, "citekey", ID)[1] == "yadkori2024believe\n"
    code, out, err = run(capsys, "citekey", "2406.02539", "--set", "YADKORI2024believe")
    assert code == 1 and "already belongs to 2406.02543" in err  # keys ignore case
    code, _, err = run(capsys, "citekey", ID, "--set", "has space")
    assert code == 1 and "not a usable citation key" in err
    assert run(capsys, "citekey", ID, "--set", "mine:2024")[1] == "mine:2024\n"
    assert listed(capsys, "--limit", "1")[0]["citekey"] == "mine:2024"


def test_starring_pins_the_key(capsys):
    run(capsys, "star", "2406.02539")
    assert listed(capsys, "--starred")[0]["citekey"].endswith("2024parrot")


def test_no_traceback_for_a_tag_line_that_looks_like_options():
    result = subprocess.run(
        [sys.executable, "-m", "paperdeck", "tag", ID, "--", "-x"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert "Traceback" not in result.stderr


def test_a_note_changed_while_the_editor_is_open_is_merged_not_lost(
    capsys, tmp_path: Path, monkeypatch
):
    """#2: the editor's text overwrote a change made meanwhile (read, then a blind write)."""
    run(capsys, "note", ID, "--set", "first line")
    editor = tmp_path / "editor.py"
    editor.write_text(  # another process appends while "the user edits"
        "import subprocess, sys\np = sys.argv[1]\n"
        f"subprocess.run([sys.executable, '-m', 'paperdeck', 'note', {ID!r}, '--append', "
        "'added meanwhile'], check=True, cwd=" + repr(str(ROOT)) + ")\n"
        "text = open(p).read()\nopen(p, 'w').write(text.upper() + '\\nmy edit')\n"
    )
    monkeypatch.setenv("EDITOR", f"{sys.executable} {editor}")
    monkeypatch.delenv("VISUAL", raising=False)
    code, _, err = run(capsys, "note", ID)
    assert code == 0 and "merged with a change made to it meanwhile" in err
    assert run(capsys, "note", ID, "--show")[1] == "FIRST LINE\nmy edit\nadded meanwhile\n"


def test_the_readers_note_edit_merges_a_change_made_meanwhile(tmp_path: Path):
    """#2, the reader's `e`: its write carries the text the editor opened with."""
    from paperdeck.storage.cache import library
    from paperdeck.storage.cache.database import Cache

    with Cache(tmp_path / "c.db") as cache:
        library.set_note(cache, ID, "one")
        library.set_note(cache, ID, "one\ntwo from elsewhere")  # while the editor is open
        assert library.save_edited_note(cache, ID, "one", "one, edited") == (True, True)
        assert library.library_fields(cache, ID)[1] == "one, edited\ntwo from elsewhere"
        assert library.save_edited_note(cache, ID, "one, edited\ntwo from elsewhere", "") == (
            True, False,
        )  # fmt: skip
        assert library.library_fields(cache, ID)[1] is None  # a deletion from what it saw
