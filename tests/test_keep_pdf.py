"""``paperdeck pdf ID`` and ``P``: a paper's PDF kept in ``[library] pdf_dir``, fetched
politely from a loopback arxiv.org serving the real fixture PDF, written from the cache
when the paper was read from its PDF, and one sentence when it cannot be had."""

from __future__ import annotations

from pathlib import Path

import pytest

from paperdeck.storage.cache.database import Cache
from paperdeck.storage.config import (
    ConfigError,
    FulltextSettings,
    LibrarySettings,
    cache_path,
    config_path,
    load_config,
)
from paperdeck.storage.fulltext.store import open_document
from paperdeck.storage.library.pdfs import PdfError, file_name, keep_pdf, pdf_folder
from paperdeck.tui.cli import main
from tests.support import fulltext_reader
from tests.support.fulltext import NO_HTML_ID, arxiv_server, fill, served, write_config
from tests.support.loopback import LoopbackServer, Reply, in_turn
from tests.tui_support import notes, table

PDF_PATH = f"/pdf/{NO_HTML_ID}v1"
CLOSED = "http://127.0.0.1:9/pdf/"
"""A port where nothing listens: the network as it is offline."""


@pytest.fixture
def pdf(shared_data: Path) -> bytes:
    path = shared_data / "fulltext" / f"{NO_HTML_ID}v1.pdf"
    if not path.exists():
        pytest.skip(f"{path} is not present")
    return path.read_bytes()


@pytest.fixture
def cache(tmp_path: Path):
    with Cache(tmp_path / "c.db") as opened:
        fill(opened)
        yield opened


def no_sleep(seconds: float) -> None:
    pass


def test_fetched_once_then_already_there(cache: Cache, pdf: bytes, tmp_path: Path, shared_data):
    folder = tmp_path / "papers" / "pdfs"
    said: list[str] = []
    with arxiv_server(shared_data / "fulltext") as server:
        kept = keep_pdf(cache, NO_HTML_ID, None, folder, served(server), progress=said.append)
        again = keep_pdf(cache, NO_HTML_ID, None, folder, served(server))
        asked = server.requests_to(PDF_PATH)
    assert (kept.path, kept.how) == (folder / f"{NO_HTML_ID}v1.pdf", "fetched")
    assert kept.path.read_bytes() == pdf
    assert said == [f"Fetching {server.url(PDF_PATH)}"]
    assert len(asked) == 1 and asked[0].headers["Accept"] == "application/pdf"
    assert (again.path, again.how) == (kept.path, "already there")
    assert [p.name for p in folder.iterdir()] == [kept.path.name]  # no .part left


def test_a_429_is_waited_out_as_the_server_asks(cache: Cache, pdf: bytes, tmp_path: Path):
    waits: list[float] = []
    answer = in_turn(Reply(429, "slow down", {"Retry-After": "7"}), Reply(200, pdf))
    with LoopbackServer({PDF_PATH: answer}) as server:
        kept = keep_pdf(cache, NO_HTML_ID, 1, tmp_path, served(server), sleep=waits.append)
        assert len(server.requests_to(PDF_PATH)) == 2
    assert 7 in waits and kept.path.read_bytes() == pdf


def test_a_paper_read_from_its_pdf_is_kept_from_the_cache_offline(
    cache: Cache, pdf: bytes, tmp_path: Path, shared_data
):
    with arxiv_server(shared_data / "fulltext") as server:
        assert open_document(cache, NO_HTML_ID, served(server)).from_pdf
    offline = FulltextSettings(pdf_url=CLOSED, delay_seconds=0)
    kept = keep_pdf(cache, NO_HTML_ID, None, tmp_path, offline, sleep=no_sleep)
    assert kept.how == "from the cache" and kept.path.read_bytes() == pdf
    # Another version than the stored one is not the stored one: it is fetched (and fails).
    with pytest.raises(PdfError, match=f"the PDF of {NO_HTML_ID} could not be fetched"):
        keep_pdf(cache, NO_HTML_ID, 2, tmp_path, offline, sleep=no_sleep)


def test_failures_are_one_sentence_and_leave_no_file(cache: Cache, tmp_path: Path):
    with LoopbackServer({}) as server, pytest.raises(PdfError) as missing:  # every path: 404
        keep_pdf(cache, NO_HTML_ID, None, tmp_path, served(server))
    assert str(missing.value) == f"arXiv has no PDF of {NO_HTML_ID} at {server.url(PDF_PATH)}"
    offline = FulltextSettings(pdf_url=CLOSED, delay_seconds=0)
    with pytest.raises(PdfError) as unreachable:
        keep_pdf(cache, "2501.99999", None, tmp_path, offline, sleep=no_sleep)
    assert str(unreachable.value).startswith(
        "the PDF of 2501.99999 could not be fetched: cannot reach http://127.0.0.1:9/pdf/2501.99999"
    )
    assert "\n" not in str(unreachable.value) and list(tmp_path.glob("*.pdf*")) == []


def test_a_folder_that_cannot_be_written_is_named(cache: Cache, pdf: bytes, tmp_path: Path):
    blocker = tmp_path / "taken"
    blocker.write_text("a file, not a folder")
    with (
        LoopbackServer({PDF_PATH: Reply(200, pdf)}) as server,
        pytest.raises(PdfError, match="the PDF could not be written"),
    ):
        keep_pdf(cache, NO_HTML_ID, 1, blocker / "pdfs", served(server))


def test_names_and_folders():
    assert file_name("2406.99003", 2) == "2406.99003v2.pdf"
    assert file_name("hep-th/9901001", None) == "hep-th_9901001.pdf"
    assert pdf_folder(LibrarySettings()) == cache_path().parent / "pdfs"
    assert pdf_folder(LibrarySettings(pdf_dir="~/papers")) == Path.home() / "papers"
    assert pdf_folder(LibrarySettings(pdf_dir="~/papers"), "/tmp/x") == Path("/tmp/x")


def test_pdf_dir_is_read_and_checked(tmp_path: Path):
    path = tmp_path / "c.toml"
    path.write_text('[library]\npdf_dir = "~/Papers"\n')
    assert load_config(path).library.pdf_dir == "~/Papers"
    path.write_text('[library]\nquick_tags = []\npdf_dir = "  "\n')
    with pytest.raises(ConfigError, match=r"c\.toml:3: \[library\]: pdf_dir must name a folder"):
        load_config(path)
    path.write_text("[library]\npdf_dir = 3\n")
    with pytest.raises(ConfigError, match=r"c\.toml:2: \[library\]: pdf_dir must be a string"):
        load_config(path)


def test_the_command_prints_where_the_pdf_is(capsys, pdf: bytes, shared_data, tmp_path: Path):
    with Cache(cache_path()) as cache:
        fill(cache)
    with arxiv_server(shared_data / "fulltext") as server:
        write_config(config_path(), server)
        assert main(["pdf", f"https://arxiv.org/abs/{NO_HTML_ID}v1"]) == 0
        out, err = capsys.readouterr()
        default = cache_path().parent / "pdfs" / f"{NO_HTML_ID}v1.pdf"
        assert (out, err) == (f"{default}\n", f"Fetching {server.url(PDF_PATH)}\n")
        assert default.read_bytes() == pdf
        assert main(["pdf", NO_HTML_ID, "--dir", str(tmp_path / "elsewhere")]) == 0
        out, _ = capsys.readouterr()
        assert Path(out.strip()) == tmp_path / "elsewhere" / f"{NO_HTML_ID}v1.pdf"
    assert main(["pdf", NO_HTML_ID]) == 0  # the server is gone: the file is there
    out, err = capsys.readouterr()
    assert (out, err) == (f"{default}\n", f"{NO_HTML_ID}: already there\n")


def test_the_command_offline_says_so_in_one_line(capsys, tmp_path: Path):
    config_path().write_text(
        f'[fulltext]\npdf_url = "{CLOSED}"\ndelay_seconds = 0\n'
        f'[library]\npdf_dir = "{tmp_path / "kept"}"\n'
    )
    assert main(["pdf", "2501.99999"]) == 1
    out, err = capsys.readouterr()
    lines = err.splitlines()
    assert out == "" and lines[0] == "Fetching http://127.0.0.1:9/pdf/2501.99999"
    assert len(lines) == 2 and lines[1].startswith(
        "paperdeck: the PDF of 2501.99999 could not be fetched: cannot reach"
    )
    assert not (tmp_path / "kept").exists()
    assert main(["pdf", "not-an-id"]) == 1
    assert "'not-an-id' is not an arXiv id" in capsys.readouterr().err


async def test_p_keeps_the_pdf_from_the_table_and_the_reading_screen(
    cache: Cache, pdf: bytes, tmp_path: Path, shared_data
):
    folder = tmp_path / "kept"
    with arxiv_server(shared_data / "fulltext") as server:
        app = fulltext_reader.make_app(cache, server, library=LibrarySettings(pdf_dir=str(folder)))
        async with app.run_test(size=(140, 40), notifications=True) as pilot:
            await fulltext_reader.settle(app, pilot)
            await pilot.press("j")  # newest first: the synthetic paper, then this one
            assert table(app).current.id == NO_HTML_ID
            await pilot.press("P")
            await fulltext_reader.settle(app, pilot)
            path = folder / f"{NO_HTML_ID}v1.pdf"
            assert path.read_bytes() == pdf
            assert f"The PDF of {NO_HTML_ID} (fetched): {path}" in " ".join(notes(app))
            path.unlink()
            await pilot.press("f")  # the paper read from its PDF: kept from the cache
            await fulltext_reader.settle(app, pilot)
            await pilot.press("P")
            await fulltext_reader.settle(app, pilot)
            assert path.read_bytes() == pdf
            assert f"(from the cache): {path}" in " ".join(notes(app))
            assert len(server.requests_to(PDF_PATH)) == 2  # the first P, then reading it


async def test_p_offline_is_a_warning_not_a_crash(cache: Cache, tmp_path: Path):
    folder = tmp_path / "kept"
    app = fulltext_reader.make_app(cache, library=LibrarySettings(pdf_dir=str(folder)))
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await fulltext_reader.settle(app, pilot)
        await pilot.press("P")
        await fulltext_reader.settle(app, pilot)
        warned = " ".join(notes(app, "warning"))
        assert "could not be fetched: cannot reach http://127.0.0.1:9/pdf/" in warned
        assert not folder.exists()
