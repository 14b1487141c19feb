"""The library in ``paperdeck sync``: the merge runs as one more source named ``library``,
and papers imported from a library file get their abstracts from the arXiv API by id, a
page at a time."""

from __future__ import annotations

from pathlib import Path

from paperdeck.storage.cache import library
from paperdeck.storage.cache.database import Cache
from paperdeck.storage.config import LibrarySettings
from paperdeck.storage.library.bibimport import import_library
from paperdeck.storage.sources.runner import run_sync
from tests.support.arxiv_stub import ATOM_TYPE, Entry, atom
from tests.support.loopback import LoopbackServer, Reply
from tests.support.sync_setup import Events, config

BIB = """
@misc{a, title={First}, author={Lovelace, Ada}, eprint={2401.00001}, archivePrefix={arXiv}}
@misc{b, title={Second}, author={Turing, Alan}, eprint={2401.00002v3}, archivePrefix={arXiv}}
@misc{c, title={Third}, author={Hopper, Grace}, eprint={2401.00003}, archivePrefix={arXiv},
      abstract={The file has this one.}}
"""


def test_imported_papers_get_their_abstracts_by_id(cache: Cache, tmp_path: Path):
    path = tmp_path / "lib.bib"
    path.write_text(BIB)
    assert import_library(cache, str(path)).ok
    assert library.papers_to_fill(cache, 10) == ["2401.00002", "2401.00001"]
    asked: list[str] = []

    def serve(request):
        ids = request.query["id_list"][0].split(",")
        asked.append(request.query["id_list"][0])
        entries = [
            Entry(id=i, title=f"Real title of {i}", summary=f"The abstract of {i}.",
                  published="2024-01-0" + i[-1], version=3)
            for i in ids
        ]
        return Reply(200, atom(entries), ATOM_TYPE)

    with LoopbackServer({"/api/query": serve}) as server:
        events = Events()
        summary = run_sync(config(server.url("/api/query"), topics=[], page_size=1), cache,
                           progress=events)
    assert summary.ok, summary.describe()
    assert asked == ["2401.00002", "2401.00001"]  # one page per id with page_size 1
    paper = cache.paper("2401.00002")
    assert paper.abstract == "The abstract of 2401.00002." and paper.title == "Real title of 2401.00002"
    assert paper.published == "2024-01-02" and paper.source == "arxiv"
    assert cache.state("2401.00002").starred and cache.state("2401.00002").citekey == "b"
    assert library.papers_to_fill(cache, 10) == []
    assert "library papers: 0 new, 2 updated" in summary.describe()
    # Nothing left to fill: the next sync has nothing to do.
    assert run_sync(config(topics=[]), cache).results == []


def test_the_library_is_one_more_source(cache: Cache, tmp_path: Path):
    shared = tmp_path / "shared"
    setup = config(topics=[])
    setup.library = LibrarySettings(sync_dir=str(shared), machine="here")
    cache.set_starred("2401.00001", True)
    events = Events()
    summary = run_sync(setup, cache, progress=events)
    assert [r.source for r in summary.results] == ["library"]
    assert summary.ok and events.kinds("library") == ["start", "page", "done"]
    assert (shared / "here.jsonl").read_text().count("\n") == 1
    assert run_sync(setup, cache, topic=None).results[0].source == "library"


def test_a_folder_that_cannot_be_used_fails_alone(cache: Cache, tmp_path: Path):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    setup = config(topics=[])
    setup.library = LibrarySettings(sync_dir=str(blocked / "sub"), machine="here")
    summary = run_sync(setup, cache)
    assert not summary.ok
    assert "the shared library folder cannot be used" in summary.results[0].error
