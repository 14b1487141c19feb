"""The command line of all of arXiv: ``import`` of the snapshot with a slice, ``harvest``,
and ``cat:`` in ``list --search``."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from paperdeck.tui.cli import main
from tests.support.loopback import LoopbackServer
from tests.support.oai_stub import OaiRepository, Record

SCRIPT = Path(__file__).resolve().parents[1].parent / "shared/data/harvest/make_snapshot.py"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def snapshot_zip(tmp_path_factory) -> tuple[Path, list[dict]]:
    if not SCRIPT.exists():
        pytest.skip("../shared/data is not present")
    folder = tmp_path_factory.mktemp("snap")
    subprocess.run(
        [sys.executable, str(SCRIPT), str(folder / "arxiv.zip"), "--papers", "800", "--zip"],
        check=True,
        capture_output=True,
    )
    with zipfile.ZipFile(folder / "arxiv.zip") as archive:
        lines = archive.read("arxiv-metadata-oai-snapshot.json").splitlines()
    return folder / "arxiv.zip", [json.loads(line) for line in lines]


def listed(capsys, query: str) -> list[str]:
    code, out, _ = run(capsys, "list", "--format", "json", "--limit", "100000", "--search", query)
    assert code == 0
    return sorted(p["id"] for p in json.loads(out))


def test_import_a_slice_of_the_snapshot_and_find_it_with_cat(capsys, snapshot_zip):
    path, records = snapshot_zip
    code, out, err = run(
        capsys,
        "import",
        str(path),
        "--category",
        "cs.CL",
        "--category",
        "hep-th",
        "--since",
        "2015-01-01",
    )
    assert code == 0, err
    wanted = [
        r
        for r in records
        if any(c in ("cs.CL", "hep-th") for c in r["categories"].split())
        and r["versions"][0]["created"].split()[3] >= "2015"
    ]
    assert f"{len(wanted)} new, 0 updated" in out
    assert "records outside the requested slice" in out
    assert "/s" in err and "records" in err  # progress with its rate
    assert listed(capsys, "cat:cs.CL") == sorted(
        r["id"] for r in wanted if "cs.CL" in r["categories"].split()
    )
    assert listed(capsys, "cat:hep-th -cat:cs.CL") == sorted(
        r["id"] for r in wanted if "cs.CL" not in r["categories"].split()
    )
    code, out, _ = run(capsys, "import", str(path))
    assert (
        code == 0 and f"{len(records) - len(wanted)} new, 0 updated, {len(wanted)} unchanged" in out
    )
    cs = sorted(
        r["id"] for r in records if any(c.startswith("cs.") for c in r["categories"].split())
    )
    assert listed(capsys, "cat:cs") == cs


def test_a_slice_of_something_else_or_a_bad_category_is_refused(capsys, snapshot_zip, tmp_path):
    path, _ = snapshot_zip
    code, _, err = run(capsys, "import", str(path), "--category", "cs CL")
    assert code == 1 and "'cs CL' is not an arXiv category" in err
    code, _, err = run(capsys, "import", str(path), "--since", "2015-13-01")
    assert code == 1 and "--since 2015-13-01: expected a date written YYYY-MM-DD" in err
    digest = tmp_path / "digest.md"
    digest.write_text("# nothing\n")
    code, _, err = run(capsys, "import", str(digest), "--category", "cs.CL")
    assert code == 1 and f"{digest} is not arXiv's metadata snapshot" in err
    code, _, err = run(capsys, "list", "--search", "cat:nonsense")
    assert code == 1 and "'nonsense' is not an arXiv category" in err


def test_harvest_categories_then_again_from_where_it_stopped(capsys, tmp_path, monkeypatch):
    repo = OaiRepository(
        [Record(f"2401.{n:05d}", f"2024-01-{n:02d}", ("cs.CL",)) for n in range(1, 13)]
        + [Record("2401.00100", "2024-01-05", ("hep-th",))],
        page_size=5,
    )
    with LoopbackServer({"/oai": repo.handle}) as server:
        config = Path(tmp_path / "config.toml")
        config.write_text(f'[arxiv]\noai_url = "{server.url("/oai")}"\ndelay_seconds = 0\n')
        code, out, err = run(capsys, "harvest", "cs.CL", "hep-th")
        assert code == 0, err
        assert "OAI-PMH cs.CL: 12 new" in out and "OAI-PMH hep-th: 1 new" in out
        assert "OAI-PMH cs.CL: page 3" in err
        server.requests.clear()
        code, out, _ = run(capsys, "harvest")  # the categories harvested before
        assert code == 0
        asked = [{k: v[0] for k, v in r.query.items()} for r in server.requests_to("/oai")]
        assert [q.get("from") for q in asked] == ["2024-01-12", "2024-01-05"]
        assert "OAI-PMH cs.CL: nothing new (1 unchanged)" in out
    code, _, err = run(capsys, "harvest", "cs-CL")
    assert code == 1 and "'cs-CL' is not an arXiv category" in err
    code, _, err = run(capsys, "harvest", "cs.CL", "--from", "yesterday")
    assert code == 1 and "--from yesterday: expected a date written YYYY-MM-DD" in err


async def test_each_harvested_category_is_a_view(tmp_path):
    from tests.tui_support import make_app, sample_cache, settle, status, table

    with sample_cache(tmp_path / "c.db") as cache:
        ids = [pid for (pid,) in cache.conn.execute("SELECT id FROM papers ORDER BY key")]
        with cache.transaction() as conn:
            for n, pid in enumerate(ids):
                cats = (
                    ["cs.CL", "cs.LG"]
                    if n % 3 == 0
                    else (["hep-th", "cs.CL"] if n % 3 == 1 else ["math.PR"])
                )
                conn.execute(
                    "UPDATE papers SET categories = ? WHERE id = ?", (json.dumps(cats), pid)
                )
            for name in ("cs.CL", "hep-th"):
                conn.execute(
                    "INSERT INTO sync_state(source, synced_at) VALUES (?, 'x')", (f"oai:{name}",)
                )
        expected = {
            name: sum(name in cache.paper(pid).categories for pid in ids)
            for name in ("cs.CL", "hep-th")
        }
        app = make_app(cache)
        async with app.run_test(size=(140, 40)) as pilot:
            seen = {}
            for _ in range(12):
                await pilot.press("v")
                await settle(app, pilot)
                label = status(app).split("  ")[1]
                if label in expected:
                    seen[label] = table(app).total
        assert seen == expected and 0 < expected["hep-th"] < expected["cs.CL"] < len(ids)
