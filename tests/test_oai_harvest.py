"""Harvesting categories through OAI-PMH against a loopback server that speaks the protocol
as arXiv does: exact, paced, a 503 waited out, a kill -9 resumed at its token, an expired
token started again, and the next harvest asking only from the last datestamp."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from paperdeck.storage.cache.database import Cache
from paperdeck.storage.cache.sync_state import harvested_categories
from paperdeck.storage.categories import UnknownCategory, covers, set_spec
from paperdeck.storage.sources.runner import run_harvest
from tests.support.loopback import LoopbackServer, Reply, Request, in_turn
from tests.support.oai_stub import OaiRepository, Record
from tests.support.sync_setup import config

ROOT = Path(__file__).resolve().parents[1]


def records() -> list[Record]:
    """cs.CL papers (some cross-listed from elsewhere), others that are not, a deleted one."""
    found = []
    for n in range(1, 26):
        categories = ("cs.CL", "cs.LG") if n % 3 else ("cs.LG", "cs.CL")
        found.append(
            Record(
                f"2401.{n:05d}",
                f"2024-01-{n:02d}",
                categories,
                title=f"Paper {n}",
                created=f"2024-01-{n:02d}",
            )
        )
    found += [
        Record(f"2402.{n:05d}", f"2024-01-{n:02d}", ("hep-th",), title=f"Strings {n}")
        for n in range(1, 6)
    ]
    found.append(
        Record(
            "hep-th/9901001",
            "2024-01-10",
            ("hep-th", "cs.CL"),
            title="Old style",
            authors=(("Bal\\'azs", "C.", ""), ("Rodrigues", "Waldyr A.", "Jr")),
            comments="15 pages",
            journal_ref="AIP Conf.Proc.1316:466-477,2010",
            doi="10.1063/1.3536454",
            created="1999-01-04",
            updated="2014-12-12",
        )
    )
    found.append(Record("2401.99999", "2024-01-11", ("cs.CL",), deleted=True))
    return found


def settings(server: LoopbackServer, delay: float = 0.0):
    cfg = config(delay=delay)
    cfg.arxiv.oai_url = server.url("/oai")
    return cfg


def serve(repo: OaiRepository, **routes) -> LoopbackServer:
    return LoopbackServer({"/oai": repo.handle, **routes})


def queries(server: LoopbackServer) -> list[dict[str, str]]:
    return [{k: v[0] for k, v in r.query.items()} for r in server.requests_to("/oai")]


def test_category_names_map_to_arxiv_sets_and_cover_their_classes():
    assert set_spec("cs.CL") == "cs:cs:CL" and set_spec("cs") == "cs"
    assert (
        set_spec("hep-th") == "physics:hep-th" and set_spec("astro-ph.GA") == "physics:astro-ph:GA"
    )
    assert set_spec("math.PR") == "math:math:PR" and set_spec("physics") == "physics"
    assert set_spec("physics.optics") == "physics:physics:optics"
    assert covers("cs", "cs.CL") and covers("physics", "hep-th") and not covers("math", "math-ph")
    with pytest.raises(UnknownCategory):
        set_spec("cs CL")


def test_a_category_is_harvested_exactly_page_by_page(tmp_path):
    repo = OaiRepository(records(), page_size=10)
    with serve(repo) as server, Cache(tmp_path / "c.db") as cache:
        summary = run_harvest(settings(server), cache, ["cs.CL"])
        assert summary.ok, summary.describe()
        expected = {r.id for r in repo.records if "cs:cs:CL" in r.sets() and not r.deleted}
        assert {row[0] for row in cache.conn.execute("SELECT id FROM papers")} == expected
        asked = queries(server)
        assert asked[0] == {"verb": "ListRecords", "metadataPrefix": "arXiv", "set": "cs:cs:CL"}
        assert all(set(q) == {"verb", "resumptionToken"} for q in asked[1:])
        assert len(asked) == 3  # 27 records in the set, 10 a page
        assert summary.results[0].new == len(expected) and summary.results[0].skipped == 1
        old = cache.paper("hep-th/9901001")
        assert old.authors == ["C. Balázs", "Waldyr A. Rodrigues Jr"]
        assert (old.published, old.updated) == ("1999-01-04", "2014-12-12")
        assert old.categories == ["hep-th", "cs.CL"] and old.primary_category == "hep-th"
        assert (old.doi, old.journal_ref, old.comment) == (
            "10.1063/1.3536454",
            "AIP Conf.Proc.1316:466-477,2010",
            "15 pages",
        )
        assert old.license == "http://creativecommons.org/licenses/by/4.0/"
        assert harvested_categories(cache) == ["cs.CL"]


def test_requests_are_paced_and_a_503_retry_after_is_waited_out(tmp_path):
    repo = OaiRepository(records(), page_size=10)
    busy = Reply(503, "busy", {"Retry-After": "1"})
    with serve(repo) as server, Cache(tmp_path / "c.db") as cache:
        server.routes["/oai"] = in_turn(repo.handle, busy, repo.handle)
        summary = run_harvest(settings(server, delay=0.3), cache, ["cs.CL"])
        assert summary.ok, summary.describe()
        sent = server.requests_to("/oai")
        assert len(sent) == 4 and server.max_in_flight == 1
        gaps = [b.at - a.at for a, b in zip(sent, sent[1:], strict=False)]
        assert all(gap >= 0.3 for gap in gaps) and gaps[1] >= 1.0  # after the 503
        assert sent[1].query == sent[2].query  # the same page asked again
        assert cache.count_papers() == 26  # 27 records, one of them deleted


_KILLED = """
import sys
from paperdeck.storage.cache.database import Cache
from paperdeck.storage.config import ArxivSettings, Config
from paperdeck.storage.sources.runner import run_harvest
cfg = Config(arxiv=ArxivSettings(delay_seconds=0.0, oai_url=sys.argv[1]))
with Cache(sys.argv[2]) as cache:
    run_harvest(cfg, cache, ["cs.CL"])
"""


def test_a_harvest_killed_mid_way_resumes_at_the_page_it_was_asking_for(tmp_path):
    repo = OaiRepository(records(), page_size=10)
    asking = threading.Event()
    release = threading.Event()

    def third_page_hangs(request: Request) -> Reply:
        token = request.query.get("resumptionToken", [""])[0]
        if len(repo.tokens) == 2 and token == sorted(repo.tokens)[1]:
            asking.set()
            release.wait(30)
        return repo.handle(request)

    db = tmp_path / "c.db"
    Cache(db).close()
    with serve(repo) as server:
        server.routes["/oai"] = third_page_hangs
        child = subprocess.Popen(
            [sys.executable, "-c", _KILLED, server.url("/oai"), str(db)], cwd=ROOT
        )
        try:
            assert asking.wait(60), "the harvest never asked for its third page"
            child.kill()
            assert child.wait(30) == -9
        finally:
            release.set()
        with Cache(db) as cache:
            assert cache.count_papers() == 19  # two pages stored (one record deleted)
            server.requests.clear()
            server.routes["/oai"] = repo.handle
            summary = run_harvest(settings(server), cache, ["cs.CL"])
            assert summary.ok, summary.describe()
            asked = queries(server)
            assert asked == [{"verb": "ListRecords", "resumptionToken": sorted(repo.tokens)[1]}]
            assert cache.count_papers() == 26  # 27 records, one of them deleted


def test_the_next_harvest_asks_only_from_the_last_datestamp(tmp_path):
    repo = OaiRepository(records(), page_size=10)
    with serve(repo) as server, Cache(tmp_path / "c.db") as cache:
        assert run_harvest(settings(server), cache, ["cs.CL"]).ok
        server.requests.clear()
        quiet = run_harvest(settings(server), cache, ["cs.CL"])
        assert queries(server)[0]["from"] == "2024-01-25"
        assert quiet.results[0].new == 0 and quiet.results[0].updated == 0
        repo.records.append(Record("2402.00100", "2024-02-03", ("cs.CL",), title="Brand new"))
        repo.records[0].datestamp, repo.records[0].title = "2024-02-04", "Paper 1, revised"
        server.requests.clear()
        summary = run_harvest(settings(server), cache, ["cs.CL"])
        asked = queries(server)
        assert asked == [
            {
                "verb": "ListRecords",
                "metadataPrefix": "arXiv",
                "set": "cs:cs:CL",
                "from": "2024-01-25",
            }
        ]
        assert (summary.results[0].new, summary.results[0].updated) == (1, 1)
        assert cache.paper("2401.00001").title == "Paper 1, revised"
        server.requests.clear()
        repo.records = [r for r in repo.records if r.datestamp < "2024-02-04"]
        nothing = run_harvest(settings(server), cache, ["cs.CL"])
        assert queries(server)[0]["from"] == "2024-02-04"
        assert nothing.describe().splitlines()[0] == "OAI-PMH cs.CL: nothing new"


def test_an_expired_token_starts_again_from_the_last_datestamp(tmp_path):
    repo = OaiRepository(records(), page_size=10)
    with serve(repo) as server, Cache(tmp_path / "c.db") as cache:
        state = '{"token": "0001|cs:cs:CL|10", "last": "2024-01-09", "start": ""}'
        cache.conn.execute(
            "INSERT INTO sync_state(source, synced_at, result) VALUES ('oai:cs.CL', 'x', ?)",
            (state,),
        )
        assert run_harvest(settings(server), cache, ["cs.CL"]).ok
        asked = queries(server)
        assert asked[0] == {"verb": "ListRecords", "resumptionToken": "0001|cs:cs:CL|10"}
        assert asked[1] == {
            "verb": "ListRecords",
            "metadataPrefix": "arXiv",
            "set": "cs:cs:CL",
            "from": "2024-01-09",
        }
        assert cache.count_papers() == len(
            [
                r
                for r in repo.records
                if "cs:cs:CL" in r.sets() and r.datestamp >= "2024-01-09" and not r.deleted
            ]
        )


def test_an_oai_error_is_one_clear_sentence(tmp_path):
    broken = Reply(
        200,
        '<?xml version="1.0"?><OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
        '<error code="badArgument">Illegal set</error></OAI-PMH>',
    )
    with LoopbackServer({"/oai": broken}) as server, Cache(tmp_path / "c.db") as cache:
        summary = run_harvest(settings(server), cache, ["cs.CL"])
        assert not summary.ok
        assert (
            summary.results[0].error
            == f"{server.url('/oai')}: OAI-PMH error badArgument: Illegal set"
        )
