"""The library journaled beside the cache (DESIGN §12, issue 16): a damaged cache reset
with ``--reset-cache`` comes back with every star, read mark, tag, note, later mark,
pinned citation key and dismissal; the journal is written as changes are made, once each,
with numbers after those its file holds; ``is:dismissed`` finds dismissals."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from paperdeck.storage.cache.database import Cache
from paperdeck.storage.library.journal_file import journal_folder
from paperdeck.tui.cli import main
from tests.support.big_digest import write_digest

ROOT = Path(__file__).resolve().parents[1]


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def ok(capsys, *args: str) -> str:
    code, out, err = run(capsys, *args)
    assert code == 0, err
    return out


def journal_lines(db: Path) -> list[dict]:
    return [
        json.loads(line)
        for path in sorted(journal_folder(db).glob("*.jsonl"))
        for line in path.read_text().splitlines()
    ]


def library_of(db: Path, ids: list[str]) -> dict[str, tuple]:
    with Cache(db) as cache:
        found = {}
        for paper_id in ids:
            state = cache.state(paper_id)
            dismissed = cache.conn.execute(
                "SELECT dismissed FROM user_state WHERE paper_id = ?", (paper_id,)
            ).fetchone()
            found[paper_id] = (
                state.starred, state.read, state.later, state.tags, state.note, state.citekey,
                bool(dismissed and dismissed[0]),
            )  # fmt: skip
        return found


def test_a_damaged_cache_reset_gets_the_whole_library_back(private_paths: Path, capsys, tmp_path):
    digest = tmp_path / "papers.md"
    ids = write_digest(digest, 0, 300)
    ok(capsys, "import", str(digest))
    ok(capsys, "star", ids[0])
    ok(capsys, "mark", ids[1])
    ok(capsys, "later", ids[2])
    ok(capsys, "tag", ids[3], "+proj/rag", "+cite")
    ok(capsys, "note", ids[4], "--set", "the key result is in §4")
    ok(capsys, "citekey", ids[5], "--set", "ada2025paper")
    ok(capsys, "dismiss", ids[6])
    ok(capsys, "star", ids[7])
    ok(capsys, "unstar", ids[7])  # an unstar is a change like any other
    before = library_of(private_paths / "paperdeck.db", ids[:8])
    assert {line["f"] for line in journal_lines(private_paths / "paperdeck.db")} >= {
        "starred", "read", "later", "tag", "note", "citekey", "dismissed"
    }  # fmt: skip

    db = private_paths / "paperdeck.db"
    with open(db, "r+b") as handle:  # damage on disk: garbage over the first pages
        handle.write(os.urandom(8192))
    code, _, err = run(capsys, "--reset-cache", "list")
    assert code == 0 and "started a fresh cache" in err
    ok(capsys, "import", str(digest))  # the papers come back with an import or a sync
    assert library_of(db, ids[:8]) == before
    assert json.loads(ok(capsys, "list", "--search", "is:dismissed", "--format", "json"))[0][
        "id"
    ] == ids[6]


def test_a_lost_cache_comes_back_from_the_journal(private_paths: Path, capsys, tmp_path):
    digest = tmp_path / "papers.md"
    ids = write_digest(digest, 0, 20)
    ok(capsys, "import", str(digest))
    ok(capsys, "star", ids[0])
    ok(capsys, "tag", ids[1], "+kept")
    db = private_paths / "paperdeck.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    ok(capsys, "import", str(digest))
    with Cache(db) as cache:
        assert cache.state(ids[0]).starred and cache.state(ids[1]).tags == ("kept",)


def test_a_cache_restored_from_a_backup_writes_its_new_changes(
    private_paths: Path, capsys, tmp_path
):
    """#3: the restored cache numbered its new changes with numbers the file already held,
    and they were never written there."""
    digest = tmp_path / "papers.md"
    ids = write_digest(digest, 0, 20)
    config = tmp_path / "config.toml"
    config.write_text(f'[library]\nsync_dir = "{tmp_path / "shared"}"\nmachine = "laptop"\n')
    ok(capsys, "import", str(digest))
    ok(capsys, "star", ids[0])
    ok(capsys, "sync", "--library")
    db = private_paths / "paperdeck.db"
    backup = tmp_path / "backup.db"
    with Cache(db) as cache:
        cache.conn.execute(f"VACUUM INTO '{backup}'")
    for paper_id in ids[1:4]:
        ok(capsys, "mark", paper_id)
    ok(capsys, "sync", "--library")
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    shutil.copy(backup, db)  # restored, with nothing open
    ok(capsys, "later", ids[9])
    ok(capsys, "sync", "--library")
    shared = [json.loads(x) for x in (tmp_path / "shared" / "laptop.jsonl").read_text().split()]
    assert any(line["id"] == ids[9] and line["f"] == "later" for line in shared)
    numbers = [line["s"] for line in shared]
    assert len(numbers) == len(set(numbers))


def test_concurrent_library_syncs_write_each_change_once(private_paths: Path, capsys, tmp_path):
    """#6: three syncs at once each appended the whole backlog."""
    config = tmp_path / "config.toml"
    shared = tmp_path / "shared"
    config.write_text(f'[library]\nsync_dir = "{shared}"\nmachine = "laptop"\n')
    with Cache(private_paths / "paperdeck.db") as cache, cache.transaction():
        cache.conn.executemany(
            "INSERT INTO user_state(paper_id, read, read_at) VALUES (?, 1, '2026-01-01')",
            [(f"2501.{n:05d}",) for n in range(20_000)],
        )
    syncs = [
        subprocess.Popen(
            [sys.executable, "-m", "paperdeck", "sync", "--library"], cwd=ROOT,
            env=os.environ.copy(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        for _ in range(3)
    ]
    for sync in syncs:
        _, err = sync.communicate(timeout=300)
        assert sync.returncode == 0, err
    lines = (shared / "laptop.jsonl").read_text().splitlines()
    numbers = [json.loads(line)["s"] for line in lines]
    assert len(numbers) == len(set(numbers)) == 20_000


def test_dismissals_travel_to_the_other_machine(tmp_path: Path, monkeypatch, capsys):
    """#8: dismissals were not logged, so they never left the machine."""
    digest = tmp_path / "papers.md"
    ids = write_digest(digest, 0, 10)
    shared = tmp_path / "shared"
    for name in ("laptop", "desktop"):
        (tmp_path / f"{name}.toml").write_text(
            f'[library]\nsync_dir = "{shared}"\nmachine = "{name}"\n'
        )

    def on(name: str, *args: str) -> str:
        monkeypatch.setenv("PAPERDECK_DATA_DIR", str(tmp_path / name))
        monkeypatch.setenv("PAPERDECK_CONFIG", str(tmp_path / f"{name}.toml"))
        return ok(capsys, *args)

    for name in ("laptop", "desktop"):
        on(name, "import", str(digest))
    on("laptop", "dismiss", ids[0])
    on("laptop", "sync", "--library")
    on("desktop", "sync", "--library")
    found = json.loads(on("desktop", "list", "--search", "is:dismissed", "--format", "json"))
    assert [row["id"] for row in found] == [ids[0]]


def test_a_journal_that_cannot_be_written_never_fails_the_change(
    private_paths: Path, capsys, tmp_path
):
    digest = tmp_path / "papers.md"
    ids = write_digest(digest, 0, 5)
    ok(capsys, "import", str(digest))
    db = private_paths / "paperdeck.db"
    [own] = journal_folder(db).glob("*.jsonl")
    own.unlink()
    own.mkdir()  # the journal cannot be opened now
    ok(capsys, "star", ids[0])
    with Cache(db) as cache:
        assert cache.state(ids[0]).starred
    own.rmdir()
    ok(capsys, "star", ids[1])  # the next change writes what was missing too
    starred = {line["id"] for line in journal_lines(db) if line["f"] == "starred"}
    assert starred == {ids[0], ids[1]}
