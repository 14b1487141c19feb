"""Hostile pages: a clear message or a safe rendering — never a crash, a hang, unbounded
memory, or an unsafe link kept."""

from __future__ import annotations

import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from paperdeck.storage.config import FulltextSettings
from paperdeck.storage.fulltext import model
from paperdeck.storage.fulltext.convert import ConversionError, convert
from paperdeck.storage.fulltext.fetch import MAX_PAGE_BYTES, fetch_page
from paperdeck.storage.fulltext.render import to_markdown, to_text
from paperdeck.storage.http import FetchError
from tests.support.loopback import LoopbackServer, Reply

HTML = {"Content-Type": "text/html; charset=utf-8"}


def page(body: str, head: str = "") -> bytes:
    return (
        f"<html><head>{head}</head><body><article class='ltx_document'>"
        f"<h1 class='ltx_title ltx_title_document'>Hostile</h1>{body}</article></body></html>"
    ).encode()


def no_sleep(seconds: float) -> None:
    pass


def test_scripts_styles_and_frames_leave_nothing():
    document = convert(
        page(
            "<p class='ltx_p'>Kept.<script>alert('x')</script></p><style>p{}</style>"
            "<iframe src='https://evil.example'>frame text</iframe><noscript>no</noscript>"
            "<svg><text>svg text</text></svg><template>t</template>",
            head="<script>head()</script>",
        )
    )
    text = to_text(document)
    assert "Kept." in text
    for gone in ("alert", "p{}", "frame text", "svg text", "head()"):
        assert gone not in text


def test_javascript_file_and_data_links_are_never_links():
    document = convert(
        page(
            "<p class='ltx_p'><a href='javascript:alert(1)'>js</a> <a href='file:///etc/passwd'>"
            "file</a> <a href='data:text/html,x'>data</a> <a href=' JaVaScRiPt:x'>mixed</a> "
            "<a href='java&#9;script:x'>tab</a> <a href='//evil.example/x'>relative</a></p>"
            "<figure class='ltx_figure'><img src='javascript:alert(1)'><figcaption>"
            "<span class='ltx_tag'>Figure 1: </span>Bad image.</figcaption></figure>"
        ),
        "https://arxiv.org/html/2501.00001v1",
    )
    spans = [span for block in document.blocks for span in block.spans]
    links = [span.target for span in spans if model.LINK in span.style]
    assert links == ["https://evil.example/x"]  # a relative link resolves to http(s) only
    figure = next(b for b in document.blocks if b.kind == model.FIGURE)
    assert figure.url == ""
    markdown = to_markdown(document)
    for scheme in ("javascript:", "file:", "data:"):
        assert scheme not in markdown.lower()


@pytest.mark.parametrize("depth", [300, 100_000])
def test_absurd_nesting_is_read_or_refused_without_recursion_errors(depth: int):
    body = "<div>" * depth + "<p class='ltx_p'>deep text</p>" + "</div>" * depth
    started = time.monotonic()
    try:
        document = convert(page("<p class='ltx_p'>shallow text</p>" + body))
    except ConversionError:
        return
    assert "shallow text" in to_text(document)
    assert any("nest" in note for note in document.notes)
    assert time.monotonic() - started < 10


def test_deep_inline_nesting_is_flattened_not_lost():
    body = "<p class='ltx_p'>" + "<span>" * 200 + "inner words" + "</span>" * 200 + "</p>"
    document = convert(page(body))
    assert "inner words" in to_text(document)


def test_broken_markup_still_reads():
    document = convert(
        page(
            "<section class='ltx_section'><h2 class='ltx_title'><span class='ltx_tag'>1 </span>"
            "Open<p class='ltx_p'>Unclosed <b>bold <i>both</b> tail</p><div><table><tr><td>"
            "cell<p class='ltx_p'>after table</section></span></div>&bogus; &#xD800; \ufffd"
        )
    )
    text = to_text(document)
    assert "1 Open" in text and "Unclosed" in text and "after table" in text


def test_escape_sequences_and_controls_never_reach_the_text():
    document = convert(page("<p class='ltx_p'>red \x1b[31mtext\x1b[0m \x07bell \u202eright</p>"))
    text = to_text(document)
    assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
    assert "red text bell right" in text


def test_hostile_math_is_kept_as_tex():
    tex = "{" * 5000 + "x" + "}" * 5000
    document = convert(page(f"<p class='ltx_p'>A <math alttext='{tex}'><mi>x</mi></math> B</p>"))
    spans = [s for b in document.blocks for s in b.spans if model.TEX in s.style]
    assert spans and spans[0].text == tex


def test_absurd_tables_are_capped():
    row = "<tr>" + "<td colspan='1000000'>wide</td>" * 200 + "</tr>"
    document = convert(page(f"<table class='ltx_tabular'>{row * 3}</table>"))
    table = next(b for b in document.blocks if b.kind == model.TABLE)
    assert all(len(cells) <= 128 for cells in table.rows)
    assert to_markdown(document)


@pytest.mark.parametrize("body", [b"\x00" * 1000, b"\xff\xfe garbage \x00", b"<html></html>"])
def test_junk_is_a_message_not_a_crash(body: bytes):
    with pytest.raises(ConversionError, match="no paper|cannot be read"):
        convert(body, "https://arxiv.org/html/2501.00001v1")


# --- the network side ---------------------------------------------------------------------


class _Endless(BaseHTTPRequestHandler):
    """Streams ``size`` bytes of HTML, or a gzip bomb, without holding them in memory."""

    size = 100 * 1024 * 1024
    gzip = False

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        if self.gzip:
            self.send_header("Content-Encoding", "gzip")
        else:
            self.send_header("Content-Length", str(self.size))
        self.end_headers()
        chunk = b"<p>" + b"a" * (1024 * 1024 - 7) + b"</p>\n"
        try:
            if self.gzip:
                packer = zlib.compressobj(9, zlib.DEFLATED, 31)
                zeros = b"\0" * (1024 * 1024)
                for _ in range(self.size // len(zeros)):
                    self.wfile.write(packer.compress(zeros))
                self.wfile.write(packer.flush())
            else:
                for _ in range(self.size // len(chunk)):
                    self.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.close_connection = True


def _serve(handler) -> tuple[ThreadingHTTPServer, FulltextSettings]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    return server, FulltextSettings(
        html_url=f"{base}/html/", ar5iv_url=f"{base}/ar5iv/", pdf_url=f"{base}/pdf/", delay_seconds=0
    )


def test_a_100_mb_body_stops_at_the_size_limit_with_a_message():
    server, settings = _serve(_Endless)
    try:
        with pytest.raises(FetchError) as caught:
            fetch_page("2501.00001", 1, settings, sleep=no_sleep)
    finally:
        server.shutdown()
    assert f"sent a page larger than {MAX_PAGE_BYTES // (1024 * 1024)} MB" in str(caught.value)


def test_a_gzip_bomb_is_not_inflated_past_the_limit():
    bomb = type("_Bomb", (_Endless,), {"gzip": True, "size": 1024 * 1024 * 1024})
    server, settings = _serve(bomb)
    try:
        with pytest.raises(FetchError, match="larger than"):
            fetch_page("2501.00001", 1, settings, sleep=no_sleep, limit=8 * 1024 * 1024)
    finally:
        server.shutdown()


def test_a_redirect_loop_ends():
    table = {"/html/2501.00001v1": Reply(302, "", {"Location": "/html/2501.00001v1"})}
    table["/ar5iv/2501.00001"] = Reply(404, "")
    with LoopbackServer(table) as server:
        settings = FulltextSettings(
            html_url=server.url("/html/"),
            ar5iv_url=server.url("/ar5iv/"),
            pdf_url=server.url("/pdf/"),
            delay_seconds=0,
        )
        with pytest.raises(FetchError, match="redirects more than"):
            fetch_page("2501.00001", 1, settings, sleep=no_sleep)


def test_a_redirect_to_another_scheme_is_not_followed():
    table = {
        "/html/2501.00001v1": Reply(302, "", {"Location": "file:///etc/passwd"}),
        "/ar5iv/2501.00001": Reply(404, ""),
    }
    with LoopbackServer(table) as server:
        settings = FulltextSettings(
            html_url=server.url("/html/"),
            ar5iv_url=server.url("/ar5iv/"),
            pdf_url=server.url("/pdf/"),
            delay_seconds=0,
        )
        from paperdeck.storage.fulltext.fetch import NoRendering

        with pytest.raises(NoRendering):
            fetch_page("2501.00001", 1, settings, sleep=no_sleep)
    assert len(server.requests) == 2


@pytest.mark.parametrize("reference", ["&#27;", "&#x1b;", "&#X1B;", "&#0027;", "&#27", "&#155;"])
def test_control_characters_written_as_references_never_reach_the_text(reference: str):
    """#11: ``&#27;`` became a real escape after parsing, and `paperdeck read` printed it."""
    document = convert(
        page(f"<p class='ltx_p'>red {reference}[31mtext{reference}]8;;x &amp; tab&#9;end</p>")
    )
    text = to_text(document) + to_markdown(document)
    assert "\x1b" not in text and "\x9b" not in text
    assert "red [31mtext]8;;x & tab" in to_text(document)
