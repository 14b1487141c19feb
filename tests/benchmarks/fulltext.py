"""Full-text figures (targets: DESIGN.md §11).

    python -m tests.benchmarks.fulltext [--runs N] [--megabytes 3]

For the long fixture (``../shared/data/fulltext/2406.99002v1``, ~740 KB, 168 references)
and for a synthetic page of ``--megabytes`` made by repeating its sections: the conversion
of the HTML into the stored document (convert, serialise, compress, store), then — in a
fresh process each (``fulltext_probe``), the paper stored in the cache — the time from
``f`` to its first lines drawn, keystroke-to-repaint for j (line), Space (page),
``]`` (section) and n (find next), and the reader's memory with the paper open against the
table alone. Without ``../shared`` the synthetic test page is repeated to both sizes.

Then the paper with figures (``2406.99003v1``: 5 plots, stored with the paper): the time
to its first lines with figures on, keys, and from each figure's scrolling into view to
its picture drawn (DESIGN.md §17: ≤ 0.5 s, < 50 ms, ≤ 0.2 s); and its PDF twin
(``2406.99003v1.pdf``, 23 pages in two columns): the time from the PDF to the stored
document (extract, serialise, compress, store; ≤ 3 s, run in a worker on the screen).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from paperdeck.storage.cache import fulltext as stored_texts
from paperdeck.storage.cache.database import Cache
from paperdeck.storage.fulltext.convert import CONVERTER_VERSION, convert
from paperdeck.storage.fulltext.pdf import PDF_CONVERTER_VERSION, convert_pdf
from tests.benchmarks.reader import run_probe
from tests.support.fulltext import LONG_ID, NO_HTML_ID, SYNTHETIC, fill
from tests.support.fulltext_reader import store, store_images

ROOT = Path(__file__).resolve().parents[2]
LONG = ROOT.parent / "shared" / "data" / "fulltext" / f"{LONG_ID}v1" / "index.html"
PDF = ROOT.parent / "shared" / "data" / "fulltext" / f"{NO_HTML_ID}v1.pdf"
RICH = ROOT.parent / "shared" / "data" / "fulltext" / f"{NO_HTML_ID}v1"
RICH_ROW = 1
ROW = 2
"""The long paper's row in the table of the fixture papers (newest first)."""


def grown(page: str, size: int) -> str:
    """``page`` with its sections repeated until it holds ``size`` characters."""
    start = page.find('<section id="S1"')
    end = page.find('<section id="A1"')
    if start < 0 or end < 0:  # the synthetic test page: repeat its body
        start, end = page.find("<section"), page.find('<section id="bib"')
    sections = page[start:end]
    copies = max(1, (size - len(page)) // max(1, len(sections)) + 1)
    return page[:end] + sections * copies + page[end:]


def conversion(page: bytes, runs: int, folder: Path) -> float:
    """Median seconds from HTML to the stored document."""
    samples = []
    for run in range(runs):
        with Cache(folder / f"convert-{run}.db") as cache:
            started = time.perf_counter()
            document = convert(page, f"https://arxiv.org/html/{LONG_ID}v1")
            _store(cache, page, document.to_json())
            samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def _store(cache: Cache, page: bytes, document_json: str) -> None:
    stored_texts.save(
        cache,
        LONG_ID,
        version=1,
        source_url=f"https://arxiv.org/html/{LONG_ID}v1",
        html=page,
        converter=CONVERTER_VERSION,
        document_json=document_json,
    )


def pdf_conversion(pdf: bytes, runs: int, folder: Path) -> float:
    """Median seconds from the PDF to the stored document."""
    url = f"https://arxiv.org/pdf/{NO_HTML_ID}v1"
    samples = []
    for run in range(runs):
        with Cache(folder / f"pdf-{run}.db") as cache:
            started = time.perf_counter()
            document = convert_pdf(pdf, url)
            stored_texts.save(
                cache,
                NO_HTML_ID,
                version=1,
                source_url=url,
                html=pdf,
                converter=PDF_CONVERTER_VERSION,
                document_json=document.to_json(),
            )
            samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def figures_cache(path: Path) -> Path:
    """The paper with figures stored, its images with it (as after a first reading)."""
    base = f"https://arxiv.org/html/{NO_HTML_ID}v1"
    with Cache(path) as cache:
        fill(cache)
        store(cache, NO_HTML_ID, (RICH / "index.html").read_bytes(), base)
        store_images(cache, NO_HTML_ID, RICH, base)
    return path


def reader_cache(page: bytes, path: Path) -> Path:
    with Cache(path) as cache:
        fill(cache)
        _store(cache, page, convert(page, f"https://arxiv.org/html/{LONG_ID}v1").to_json())
    return path


def probe(path: Path) -> dict:
    return run_probe("tests.benchmarks.fulltext_probe", path, str(ROW))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="conversions and probes per page")
    parser.add_argument("--megabytes", type=float, default=3.0, help="the synthetic page's size")
    args = parser.parse_args()
    if LONG.exists():
        long_page = LONG.read_text(encoding="utf-8")
        label = "long fixture"
    else:
        print("../shared is absent: the synthetic test page stands in", file=sys.stderr)
        long_page = grown(SYNTHETIC.read_text(encoding="utf-8"), 740_000)
        label = "synthetic 740 KB"
    big_page = grown(long_page, int(args.megabytes * 1_000_000))
    pages = [(label, long_page.encode()), (f"synthetic {args.megabytes:g} MB", big_page.encode())]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for number, (name, page) in enumerate(pages):
            seconds = conversion(page, args.runs, folder)
            path = reader_cache(page, folder / f"reader-{number}.db")
            runs = [probe(path) for _ in range(args.runs)]
            figures = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
            rows.append((name, len(page), seconds, figures))
    print(
        f"{'page':<22} {'size':>8} {'convert':>8} {'open':>7} {'j':>7} {'Space':>7} "
        f"{'] ':>7} {'n':>7} {'table':>7} {'+paper':>7} {'lines':>6}"
    )
    for name, size, seconds, f in rows:
        print(
            f"{name:<22} {size / 1024:>5.0f} KB {seconds:>6.2f} s {f['open_s']:>5.2f} s "
            f"{f['key_j_ms']:>4.1f} ms {f['key_space_ms']:>4.1f} ms "
            f"{f['key_right_square_bracket_ms']:>4.1f} ms {f['key_n_ms']:>4.1f} ms "
            f"{f['rss_table_mb']:>4.0f} MB {f['rss_open_mb'] - f['rss_table_mb']:>+4.0f} MB "
            f"{f['lines']:>6.0f}"
        )
    print(
        "targets (DESIGN §11, the 740 KB paper): convert ≤ 2 s, open ≤ 0.5 s, keys < 50 ms, "
        "memory ≤ +60 MB"
    )
    if RICH.exists():
        with tempfile.TemporaryDirectory() as tmp:
            path = figures_cache(Path(tmp) / "figures.db")
            runs = [
                run_probe("tests.benchmarks.fulltext_probe", path, str(RICH_ROW), "figures")
                for _ in range(args.runs)
            ]
        f = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
        print(
            f"stored paper with {f['figures']:.0f} figures: first lines {f['open_s']:.2f} s, "
            f"j {f['key_j_ms']:.1f} ms, Space {f['key_space_ms']:.1f} ms, "
            f"] {f['key_right_square_bracket_ms']:.1f} ms; a figure drawn "
            f"{f['figure_ms']:.0f} ms after it scrolls in (slowest {f['figure_max_ms']:.0f} ms)"
            "  (targets: ≤ 0.5 s, < 50 ms, ≤ 0.2 s)"
        )
    if PDF.exists():
        with tempfile.TemporaryDirectory() as tmp:
            seconds = pdf_conversion(PDF.read_bytes(), args.runs, Path(tmp))
        print(f"PDF → stored text (23 pages, two columns): {seconds:.2f} s  (target ≤ 3 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
