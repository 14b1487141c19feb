"""The digest parser on every real digest, and on small digests for each variant."""

from __future__ import annotations

import collections
import io
from pathlib import Path

import pytest

from paperdeck.storage.parsers import digest
from paperdeck.storage.parsers.digest import DigestParser, split_cells
from tests.conftest import SHARED_DATA

REAL_DIGESTS = sorted((SHARED_DATA / "digests").glob("*.md")) if SHARED_DATA.is_dir() else []


def parse(text: str | bytes):
    raw = text.encode() if isinstance(text, str) else text
    parser = DigestParser()
    records = list(parser.parse(raw.splitlines(keepends=True)))
    return records, parser.skipped


def parse_path(path: Path):
    parser = DigestParser()
    with path.open("rb") as handle:
        records = list(parser.parse(handle))
    return records, parser.skipped


def by_id(records):
    return {record.paper.id: record for record in records}


# --- the real digests --------------------------------------------------------------------


def test_seed_digest_gives_the_hundred_papers_of_2024_06_04(seed_digest: Path):
    records, skipped = parse_path(seed_digest)
    assert skipped == []
    assert len(records) == 100
    assert len({r.paper.id for r in records}) == 100
    assert all(r.paper.published == "2024-06-04" for r in records)
    assert all(r.topics == ("LLM",) for r in records)
    assert all(r.paper.authors_complete and r.paper.authors for r in records)
    assert sum(1 for r in records if r.paper.code_urls) == 33
    assert [t.lang for r in records for t in r.translations] == ["zh"] * 100
    first = by_id(records)["2406.02543"]
    assert first.paper.version == 1
    assert first.paper.title == "To Believe or Not to Believe Your LLM"
    assert first.paper.authors == [
        "Yasin Abbasi Yadkori", "Ilja Kuzborskij", "András György", "Csaba Szepesvári",
    ]
    assert first.paper.abstract.startswith("We explore uncertainty quantification in large")
    assert "\n" not in first.paper.abstract  # reflowed: one paragraph, no hard wraps
    assert first.translations[0].abstract.startswith("我們探討大型語言模型")
    matmul = by_id(records)["2406.02528"]
    assert matmul.paper.code_urls == ["https://github.com/ridgerchu/matmulfreellm"]


@pytest.mark.parametrize("path", REAL_DIGESTS, ids=lambda p: p.name[:48])
def test_every_real_digest_parses_cleanly(path: Path):
    parser = DigestParser()
    with path.open("rb") as handle:
        records = list(parser.parse(handle))
    assert parser.skipped == []
    assert parser.tables >= 1
    assert records
    for record in records:
        paper = record.paper
        assert paper.id and paper.title and paper.published
        assert record.topics, f"{paper.id} has no topic"
        assert all(url.startswith(("http://", "https://")) for url in paper.code_urls)
        assert "**" not in paper.title
    # A paper listed under several topics comes once per topic, never twice in one.
    pairs = collections.Counter((r.paper.id, r.topics) for r in records)
    assert max(pairs.values()) == 1


def _real(name: str) -> Path:
    for path in REAL_DIGESTS:
        if path.name.startswith(name):
            return path
    pytest.skip(f"{name} is not in ../shared/data/digests")


def test_multi_topic_page_with_group_heading_and_paragraph_artefacts():
    records = parse_path(_real("jawatech__arxiv-daily-in-place__storage_2024-12-13"))[0]
    topics = collections.Counter(t for r in records for t in r.topics)
    assert topics == {"Knowledge Graphs": 100, "Medical explainable AI": 100, "Medical": 100, "LLM": 100}
    assert len({r.paper.id for r in records}) == 387  # 13 papers sit under two topics
    proofs = by_id(records)["2412.08897"]
    text = proofs.translations[0].abstract
    assert "<paragraph>" not in text and "</paragraph>" not in text
    assert text.startswith("我們考慮一個問題")
    # Abstracts with arXiv's two-space paragraph indents keep their paragraphs.
    multi = [r for r in records if "\n\n" in r.paper.abstract]
    assert multi and all("  " not in r.paper.abstract for r in multi)


def test_lb_artefacts_and_empty_translations():
    llm = parse_path(_real("jawatech__arxiv-daily-in-place__docs_AI_LLM"))[0]
    assert not any("<lb" in t.abstract for r in llm for t in r.translations)
    empty = parse_path(_real("jawatech__arxiv-daily-in-place__storage_2026-03-17"))[0]
    assert len(empty) == 20 and all(r.translations == () for r in empty)
    assert all(r.paper.abstract for r in empty)


def test_whole_readme_with_toc_back_to_top_and_unversioned_ids():
    records = parse_path(_real("Vincentqyw"))[0]
    assert len(records) == 9312 and len({r.paper.id for r in records}) == 8563
    assert all(r.paper.version is None for r in records)
    assert {t for r in records for t in r.topics} == {
        "SLAM", "SFM", "Visual Localization", "Keypoint Detection", "Image Matching", "NeRF",
    }
    assert not any(r.paper.authors_complete for r in records)  # the table has first authors only


def test_summary_column_with_think_output_on_ragged_rows():
    records = parse_path(_real("HuJiaming11"))[0]
    summaries = [r.paper.summary for r in records if r.paper.summary]
    assert len(summaries) == 15
    assert not any("<think>" in s or "</think>" in s for s in summaries)
    assert summaries[0].startswith("【问题】")


# --- variants, written by the tests ---------------------------------------------------------

ROW = "|**2024-06-04**|**A Title**|Ann Author et.al.|[2406.00001v2](http://arxiv.org/abs/2406.00001v2)|null|"


def test_heading_levels_header_spaces_and_alignment_variants():
    text = (
        "# arxiv-daily\n## Group\n\n## Topic A\n\n"
        "| Publish Date | Title | Authors | PDF | Code |\n|:---------|:------|:---|:--|:--|\n"
        f"{ROW}\n\n### Topic B\n|Publish Date|Title|Authors|Homepage|Code|\n|---|---|---|---|---|\n"
        "|**2024-06-03**|**B**|Bo et.al.|[2406.00002](https://arxiv.org/abs/2406.00002)|**[link](https://gitlab.com/o/r)**|\n"
    )
    records, skipped = parse(text)
    assert skipped == []
    assert [(r.paper.id, r.topics) for r in records] == [
        ("2406.00001", ("Topic A",)), ("2406.00002", ("Topic B",)),
    ]
    assert records[0].paper.version == 2 and records[1].paper.version is None
    assert records[0].paper.authors == ["Ann Author"] and not records[0].paper.authors_complete
    assert records[1].paper.code_urls == ["https://gitlab.com/o/r"]


def test_columns_are_mapped_by_name_not_position():
    text = (
        "## T\n|Title|Publish Date|Code|PDF|Authors|\n|---|---|---|---|---|\n"
        "|**X**|**2024-06-04**|[link](https://github.com/a/b)|[2406.00003](http://arxiv.org/abs/2406.00003)|Zed et.al.|\n"
    )
    records, skipped = parse(text)
    assert skipped == []
    paper = records[0].paper
    assert (paper.title, paper.authors, paper.code_urls) == ("X", ["Zed"], ["https://github.com/a/b"])


def test_pipe_inside_a_title_escaped_or_not():
    text = (
        "## T\n|Publish Date|Title|Authors|PDF|Code|\n|---|---|---|---|---|\n"
        "|**2024-06-04**|**A | B: bars in titles**|Ann et.al.|[2406.00004](http://arxiv.org/abs/2406.00004)|[link](https://github.com/o/r)|\n"
        "|**2024-06-04**|**C \\| D**|Bob et.al.|[2406.00005](http://arxiv.org/abs/2406.00005)|null|\n"
    )
    records, skipped = parse(text)
    assert skipped == []
    papers = by_id(records)
    assert papers["2406.00004"].paper.title == "A | B: bars in titles"
    assert papers["2406.00004"].paper.authors == ["Ann"]
    assert papers["2406.00004"].paper.code_urls == ["https://github.com/o/r"]
    assert papers["2406.00005"].paper.title == "C | D"


def test_old_style_ids_crlf_bom_and_markdown_escapes():
    text = (
        "\ufeff## Physics\r\n|Publish Date|Title|Authors|PDF|Code|\r\n|---|---|---|---|---|\r\n"
        "|**2001-01-02**|**Strings \\\\ $\\alpha\\_1$**|Ed Witten et.al.|[hep-th/0101001v3](http://arxiv.org/abs/hep-th/0101001v3)|null|\r\n"
    )
    records, skipped = parse(text)
    assert skipped == []
    paper = records[0].paper
    assert (paper.id, paper.version, paper.published) == ("hep-th/0101001", 3, "2001-01-02")
    assert paper.title == "Strings \\ $\\alpha_1$"


def test_abstract_blocks_match_rows_by_id_not_order():
    text = (
        "### T\n|Publish Date|Title|Authors|Homepage|Code|\n|---|---|---|---|---|\n"
        "|**2024-06-04**|**First**|A et.al.|[2406.00010v1](http://arxiv.org/abs/2406.00010v1)|null|\n"
        "|**2024-06-04**|**Second**|B et.al.|[2406.00011v1](http://arxiv.org/abs/2406.00011v1)|null|\n"
        "\n#### Abstracts\n##### **Second**\n2406.00011v1 by B One, B Two\n\nSecond abstract\nwraps here.\n\n"
        "摘要：第二個&lt;摘要&gt;\n續行。\n\n##### **First**\n2406.00010v1 by A One\n\nFirst abstract.\n"
    )
    records, _ = parse(text)
    papers = by_id(records)
    assert papers["2406.00011"].paper.authors == ["B One", "B Two"]
    assert papers["2406.00011"].paper.abstract == "Second abstract wraps here."
    assert papers["2406.00011"].translations[0].abstract == "第二個<摘要>續行。"
    assert papers["2406.00010"].paper.abstract == "First abstract."
    assert papers["2406.00010"].translations == ()


def test_extra_summary_column_and_ragged_rows():
    text = (
        "## RL\n|Publish Date|Title|Authors|PDF|Code|摘要|\n|---|---|---|---|---|---|\n"
        "|**2026-08-20**|**S**|A et.al.|[2608.00001](http://arxiv.org/abs/2608.00001)|null|<think>hmm</think> 【问题】总结|\n"
        "|**2026-08-20**|**R**|B et.al.|[2608.00002](http://arxiv.org/abs/2608.00002)|null|\n"
        "|**2026-08-20**|**Q**|C et.al.|[2608.00003](http://arxiv.org/abs/2608.00003)|\n"
    )
    records, skipped = parse(text)
    assert skipped == []
    papers = by_id(records)
    assert papers["2608.00001"].paper.summary == "【问题】总结"
    assert papers["2608.00002"].paper.summary == ""
    assert papers["2608.00003"].paper.code_urls == []


def test_details_toc_back_to_top_and_badges_are_ignored():
    text = (
        "## Updated on 2026.06.29\n> Usage instructions: [here](./docs/README.md#usage)\n\n"
        "<details>\n  <summary>Table of Contents</summary>\n  <ol>\n    <li><a href=#t>T</a></li>\n"
        "  </ol>\n</details>\n\n## T\n\n|Publish Date|Title|Authors|PDF|Code|\n|---|---|---|---|---|\n"
        f"{ROW}\n\n<p align=right>(<a href=#updated-on-20260629>back to top</a>)</p>\n\n"
        "[contributors-shield]: https://img.shields.io/github/contributors/x.svg\n"
    )
    records, skipped = parse(text)
    assert skipped == [] and [r.topics for r in records] == [("T",)]


def test_header_only_and_empty_topics():
    records, skipped = parse("## Updated on 2024.01.01\n\n## Empty\n|Publish Date|Title|Authors|PDF|Code|\n|---|---|---|---|---|\n")
    assert records == [] and skipped == []


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("|**2024-02-30**|**T**|A et.al.|[2406.00020](http://arxiv.org/abs/2406.00020)|null|", "impossible date 2024-02-30"),
        ("|**someday**|**T**|A et.al.|[2406.00021](http://arxiv.org/abs/2406.00021)|null|", "no date in the date cell"),
        ("|**2024-06-04**|**T**|A et.al.|[paper](http://example.com/x)|null|", "no arXiv link in the row"),
        ("|**2024-06-04**|****|A et.al.|[2406.00022](http://arxiv.org/abs/2406.00022)|null|", "2406.00022: empty title"),
        ("||", "missing cells: no publish date"),
    ],
)
def test_bad_rows_are_skipped_with_line_and_reason(row: str, reason: str):
    text = f"## T\n|Publish Date|Title|Authors|PDF|Code|\n|---|---|---|---|---|\n{ROW}\n{row}\n"
    records, skipped = parse(text)
    assert [r.paper.id for r in records] == ["2406.00001"]
    assert len(skipped) == 1
    assert skipped[0].line == 5
    assert skipped[0].reason.startswith(reason)


def test_line_numbers_count_from_the_top_with_or_without_headings():
    table = f"|Publish Date|Title|Authors|PDF|Code|\n|---|---|---|---|---|\n{ROW}\n|**2024-13-01**|x|y|z|\n"
    assert [s.line for s in parse(table)[1]] == [4]
    assert [s.line for s in parse("# H\n\n" + table)[1]] == [6]
    assert [s.line for s in parse("\n".join(["x"] * 50_000) + "\n## T\n" + table)[1]] == [50_005]


def test_invalid_utf8_row_is_skipped_and_the_rest_imports():
    text = (
        b"## T\n|Publish Date|Title|Authors|PDF|Code|\n|---|---|---|---|---|\n"
        b"|**2024-06-04**|**Bad \xff\xfe bytes**|A et.al.|[2406.00030](http://arxiv.org/abs/2406.00030)|null|\n"
        + ROW.encode() + b"\n"
    )
    records, skipped = parse(text)
    assert [r.paper.id for r in records] == ["2406.00001"]
    assert skipped[0].line == 4 and "invalid UTF-8" in skipped[0].reason


def test_code_cells_keep_only_http_links():
    text = (
        "## T\n|Publish Date|Title|Authors|PDF|Code|\n|---|---|---|---|---|\n"
        "|**2024-06-04**|**T**|A et.al.|[2406.00040](http://arxiv.org/abs/2406.00040)|[link](javascript:alert(1))|\n"
        "|**2024-06-04**|**U**|A et.al.|[2406.00041](http://arxiv.org/abs/2406.00041)|https://github.com/o/r.git|\n"
    )
    records, _ = parse(text)
    papers = by_id(records)
    assert papers["2406.00040"].paper.code_urls == []
    assert papers["2406.00041"].paper.code_urls == ["https://github.com/o/r"]


def test_control_characters_are_stripped_from_cells():
    text = (
        "## T\n|Publish Date|Title|Authors|PDF|Code|\n|---|---|---|---|---|\n"
        "|**2024-06-04**|**Red \x1b[31malert\x1b[0m\x07 title**|A\x00 et.al.|[2406.00050](http://arxiv.org/abs/2406.00050)|null|\n"
    )
    records, _ = parse(text)
    assert records[0].paper.title == "Red alert title"
    assert records[0].paper.authors == ["A"]


def test_split_cells_keeps_escaped_pipes():
    assert split_cells("|a|b \\| c|d|") == ["a", "b | c", "d"]


@pytest.mark.parametrize("path", REAL_DIGESTS, ids=lambda p: p.name[:48])
def test_the_one_regex_row_path_agrees_with_the_general_path(path: Path, monkeypatch):
    def papers():
        parser = DigestParser()
        with path.open("rb") as handle:
            return [(r.paper, r.topics, r.translations) for r in parser.parse(handle)], parser.skipped

    fast = papers()
    monkeypatch.setattr(DigestParser, "_standard_row", lambda self, line, number: False)
    assert papers() == fast


SAMPLE = Path(__file__).parent / "data" / "sample-digest.md"


def parse_file(raw: bytes):
    parser = DigestParser()
    return list(parser.parse(io.BytesIO(raw))), parser.skipped


@pytest.mark.parametrize("eol", [b"\r\n", b"\r"], ids=["CRLF", "CR"])
def test_a_file_with_crlf_or_old_mac_cr_line_endings_reads_like_lf(eol: bytes):
    raw = SAMPLE.read_bytes()
    expected = parse_file(raw)
    assert parse_file(raw.replace(b"\n", eol)) == expected
    assert all(r.paper.abstract and r.topics for r in expected[0])


@pytest.mark.parametrize("chunk", [7, 64, 333, 1000])
@pytest.mark.parametrize("eol", [b"\n", b"\r\n", b"\r"], ids=["LF", "CRLF", "CR"])
def test_headings_and_line_endings_at_a_read_boundary_are_kept(monkeypatch, chunk: int, eol: bytes):
    """The file is read a megabyte at a time: a heading (or the CR of a CRLF) where one
    read ends and the next begins must count like any other."""
    raw = SAMPLE.read_bytes()
    expected = parse_file(raw)
    monkeypatch.setattr(digest, "_CHUNK_BYTES", chunk)
    assert parse_file(raw.replace(b"\n", eol)) == expected
