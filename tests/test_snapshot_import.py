"""Importing arXiv's metadata snapshot (the shared stand-in with the real file's quirks):
zipped or plain, recognised by content, every field stored, a torn line reported by number,
slices counted exactly, re-import skips what is unchanged and never touches the user's
stars (a kept paper's new version is to read again, as after a sync)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import zipfile
from datetime import datetime
from pathlib import Path

import pytest

from paperdeck.storage.cache import bulk
from paperdeck.storage.cache.database import Cache
from paperdeck.storage.library.snapshot import Progress, import_snapshot, is_snapshot

PAPERS = 1500


@pytest.fixture(scope="module")
def stand_in(tmp_path_factory) -> list[bytes]:
    """The stand-in's lines (written by the shared generator)."""
    script = Path(__file__).resolve().parents[1].parent / "shared/data/harvest/make_snapshot.py"
    if not script.exists():
        pytest.skip("../shared/data is not present")
    out = tmp_path_factory.mktemp("snapshot") / "snapshot.json"
    subprocess.run(
        [sys.executable, str(script), str(out), "--papers", str(PAPERS)],
        check=True,
        capture_output=True,
    )
    return out.read_bytes().splitlines(keepends=True)


def write(path: Path, lines: list[bytes], zipped: bool = False) -> Path:
    if zipped:
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("arxiv-metadata-oai-snapshot.json", b"".join(lines))
    else:
        path.write_bytes(b"".join(lines))
    return path


def day(rfc2822: str) -> str:
    return datetime.strptime(rfc2822, "%a, %d %b %Y %H:%M:%S GMT").date().isoformat()


@pytest.mark.parametrize("pipelined", [False, True], ids=["parsed-here", "parsed-beside"])
def test_zipped_snapshot_with_a_torn_line_imports_every_field(
    stand_in, tmp_path, monkeypatch, pipelined
):
    if pipelined:  # as a big load does: parsing in a second process, a batch ahead
        monkeypatch.setattr(bulk, "PIPELINE_FROM", 1)
        monkeypatch.setattr(bulk, "BATCH", 100)
    lines = list(stand_in)
    torn = 700
    lines[torn - 1] = lines[torn - 1][:200] + b"\n"  # a write cut short
    path = write(tmp_path / "arxiv.zip", lines, zipped=True)
    assert is_snapshot(str(path))
    with Cache(tmp_path / "cache.db") as cache:
        report = import_snapshot(cache, str(path))
        assert report.ok
        assert [s.line for s in report.skipped] == [torn]
        assert "not a JSON object" in report.skipped[0].reason
        assert report.counts.new == len(stand_in) - 1 == cache.count_papers()
        records = [json.loads(line) for n, line in enumerate(stand_in, 1) if n != torn]
        for record in records:
            paper = cache.paper(record["id"])
            versions = record["versions"]
            assert paper.published == day(versions[0]["created"])
            assert paper.updated == day(versions[-1]["created"])
            assert paper.version == len(versions)
            assert paper.categories == record["categories"].split()
            assert paper.primary_category == record["categories"].split()[0]
            assert paper.doi == (record["doi"] or "")
            assert paper.journal_ref == (record["journal-ref"] or "")
            assert paper.comment == (record["comments"] or "")
            assert paper.license == (record["license"] or "")
            assert paper.title == " ".join(record["title"].split())
            assert paper.abstract == " ".join(record["abstract"].split())
            assert "\\" not in "".join(paper.authors) and "{" not in "".join(paper.authors)
        accented = [r for r in records if "Bal\\'azs" in r["authors"]]
        assert accented, "the stand-in has names with TeX accents"
        assert any("Balázs" in name for name in cache.paper(accented[0]["id"]).authors)
        assert (
            cache.conn.execute(
                "INSERT INTO papers_fts(papers_fts) VALUES ('integrity-check')"
            ).fetchall()
            == []
        )
        first = records[0]
        word = first["title"].split()[0].lower()
        hits = cache.conn.execute(
            "SELECT count(*) FROM papers_fts WHERE papers_fts MATCH ?", (word,)
        ).fetchone()[0]
        assert hits == sum(
            word in r["title"].lower().split()
            or word in r["abstract"].lower().replace(".", " ").split()
            or word in r["authors"].lower().split()
            for r in records
        )


def test_progress_says_how_far_how_fast_and_how_long_is_left(stand_in, tmp_path):
    quarter = Progress(records=50_000, done_bytes=250, total_bytes=1000, elapsed_s=20.0)
    assert quarter.describe() == "50,000 records  25%, 2,500/s, about 1 min 00 s left"
    hours = Progress(records=10, done_bytes=1, total_bytes=1000, elapsed_s=10.0)
    assert hours.describe().endswith("about 2 h 46 min left")
    assert Progress(0, 0, 0, 0.0).describe() == "0 records, 0/s"
    path = write(tmp_path / "snapshot.json", stand_in)
    heard: list[Progress] = []
    with Cache(tmp_path / "cache.db") as cache:
        import_snapshot(cache, str(path), progress=heard.append)
    last = heard[-1]  # said once more at the end, however quick
    assert last.records == len(stand_in) and last.done_bytes == last.total_bytes
    assert last.eta_s == 0 and "100%" in last.describe()


def test_a_csl_json_file_is_not_taken_for_a_snapshot(tmp_path):
    csl = tmp_path / "library.json"
    csl.write_text(json.dumps([{"id": "x", "type": "article", "title": "T"}]))
    ndjson_csl = tmp_path / "one.json"
    ndjson_csl.write_text(json.dumps({"id": "x", "title": "T", "abstract": "a"}) + "\n")
    assert not is_snapshot(str(csl)) and not is_snapshot(str(ndjson_csl))


def test_second_import_skips_unchanged_keeps_user_state_and_takes_changes(stand_in, tmp_path):
    path = write(tmp_path / "snapshot.json", stand_in)
    first_id = json.loads(stand_in[0])["id"]
    with Cache(tmp_path / "cache.db") as cache:
        assert import_snapshot(cache, str(path)).counts.new == len(stand_in)
        cache.set_starred(first_id, True)
        cache.set_read(first_id, True)
        again = import_snapshot(cache, str(path))
        assert (again.counts.new, again.counts.updated) == (0, 0)
        assert again.counts.unchanged == len(stand_in)
        assert cache.state(first_id).read
        record = json.loads(stand_in[0])
        record["title"] = "A Title Changed Since"
        record["versions"].append({"version": "vX", "created": "Tue, 3 Mar 2026 10:00:00 GMT"})
        changed = [json.dumps(record).encode() + b"\n", *stand_in[1:]]
        third = import_snapshot(cache, str(write(tmp_path / "week2.json", changed)))
        assert (third.counts.new, third.counts.updated) == (0, 1)
        paper = cache.paper(first_id)
        assert paper.title == "A Title Changed Since" and paper.updated == "2026-03-03"
        assert paper.version == len(record["versions"])
        state = cache.state(first_id)  # the star kept; a new version of it is to read again
        assert state.starred and not state.read
        assert [i for (i,) in cache.conn.execute("SELECT paper_id FROM paper_updates")] == [
            first_id
        ]
        hits = cache.conn.execute(
            "SELECT count(*) FROM papers_fts WHERE papers_fts MATCH 'title:changed'"
        ).fetchone()[0]
        assert hits == 1


@pytest.mark.parametrize(
    ("names", "since"),
    [
        (["cs"], None),
        (["cs.CL"], None),
        (["hep-th", "math.PR"], None),
        (["physics"], None),
        ([], "2020-01-01"),
        (["cs.LG"], "2019-06-01"),
    ],
)
def test_a_slice_counts_exactly(stand_in, tmp_path, names, since):
    path = write(tmp_path / "snapshot.json", stand_in)

    def in_slice(record: dict) -> bool:
        cats = record["categories"].split()
        physics = (
            "astro-ph",
            "cond-mat",
            "gr-qc",
            "hep-",
            "math-ph",
            "nlin",
            "nucl-",
            "physics",
            "quant-ph",
        )
        hit = not names or any(
            c == n or c.startswith(n + ".") or (n == "physics" and c.startswith(physics))
            for n in names
            for c in cats
        )
        return hit and (since is None or day(record["versions"][0]["created"]) >= since)

    expected = sum(in_slice(json.loads(line)) for line in stand_in)
    assert 0 < expected < len(stand_in)
    with Cache(tmp_path / "cache.db") as cache:
        report = import_snapshot(cache, str(path), categories=names, since=since)
        assert report.counts.new == expected == cache.count_papers()


INDEXES = "SELECT type, name FROM sqlite_master WHERE type IN ('index', 'trigger') AND name NOT LIKE 'sqlite_%'"

_KILLED = """
import multiprocessing, os, sys
from paperdeck.storage.cache import bulk
from paperdeck.storage.cache.database import Cache
from paperdeck.storage.library import snapshot
bulk.BATCH, bulk.TRANSACTION, bulk.BIG_LOAD, bulk.PIPELINE_FROM = 100, 300, 1, 1
commit = bulk.BulkLoader._commit
commits = []
def dying(self):
    commit(self)
    commits.append(1)
    if len(commits) == 3:
        with open(sys.argv[3], "w") as out:
            out.write(" ".join(str(p.pid) for p in multiprocessing.active_children()))
        os.kill(os.getpid(), 9)
bulk.BulkLoader._commit = dying
with Cache(sys.argv[2]) as cache:
    snapshot.import_snapshot(cache, sys.argv[1])
"""


def leaves(pid: int, within_s: float = 60.0) -> bool:
    """Whether process ``pid`` ends (or is a zombie nobody reaps) within ``within_s``."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/status").read_text()
        except FileNotFoundError:
            return True
        if "\nState:\tZ" in state:
            return True
        time.sleep(0.05)
    return False


def test_a_big_load_parsed_beside_drops_and_restores_indexes_even_when_killed(
    stand_in, tmp_path, monkeypatch
):
    path = write(tmp_path / "snapshot.json", stand_in)
    db = tmp_path / "cache.db"
    with Cache(db) as cache:
        indexes = sorted(cache.conn.execute(INDEXES).fetchall())
    pids = tmp_path / "pids"
    killed = subprocess.run([sys.executable, "-c", _KILLED, str(path), str(db), str(pids)])
    assert killed.returncode == -9
    workers = [int(pid) for pid in pids.read_text().split()]
    assert workers and all(leaves(pid) for pid in workers)  # the parsing process left with it
    said = []
    with Cache(db, announce=said.append) as cache:
        assert said and "interrupted import" in said[0]
        assert sorted(cache.conn.execute(INDEXES).fetchall()) == indexes
        kept = cache.count_papers()
        assert kept == 900  # what the three committed transactions held
        assert cache.conn.execute("SELECT count(*) FROM bulk_dropped").fetchone()[0] == 0
        automerge = cache.conn.execute(
            "SELECT v FROM papers_fts_config WHERE k = 'automerge'"
        ).fetchone()
        assert automerge == (4,)
        monkeypatch.setattr(bulk, "PIPELINE_FROM", 1)  # the rest parsed in a second process
        monkeypatch.setattr(bulk, "BATCH", 100)
        report = import_snapshot(cache, str(path))
        assert (report.counts.new, report.counts.unchanged) == (len(stand_in) - kept, kept)
        assert sorted(cache.conn.execute(INDEXES).fetchall()) == indexes
        assert (
            cache.conn.execute(
                "INSERT INTO papers_fts(papers_fts) VALUES ('integrity-check')"
            ).fetchall()
            == []
        )


def test_an_opening_while_a_load_runs_leaves_what_it_dropped_alone(tmp_path, monkeypatch):
    """A reader or a command opening the cache mid-load must not rebuild the indexes the
    load dropped (nor take the write lock to look): only a killed load's are put back."""
    from paperdeck.storage.cache import database
    from paperdeck.storage.cache.load_lock import loading

    db = tmp_path / "cache.db"
    with Cache(db) as cache, cache.transaction():
        sql = cache.conn.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'papers_by_title'"
        ).fetchone()[0]
        cache.conn.execute(
            "INSERT INTO bulk_dropped(name, sql) VALUES ('papers_by_title', ?)", (sql,)
        )
        cache.conn.execute("DROP INDEX papers_by_title")
    monkeypatch.setattr(database, "BUSY_TIMEOUT_S", 0.2)
    with loading(db), Cache(db) as loader, loader.transaction():  # a load, mid-transaction
        loader.conn.execute("UPDATE papers SET title = title")
        with Cache(db) as opened:  # opens at once, leaves the load's notes alone
            assert opened.conn.execute("SELECT count(*) FROM bulk_dropped").fetchone()[0] == 1
    with Cache(db) as after:  # the load is gone (as if killed): put back
        assert after.conn.execute("SELECT count(*) FROM bulk_dropped").fetchone()[0] == 0
        names = {row[0] for row in after.conn.execute("SELECT name FROM sqlite_master")}
        assert "papers_by_title" in names
