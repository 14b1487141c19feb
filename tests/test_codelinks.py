"""Code links named in abstracts and comments, and in a lookup service's answer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from paperdeck.storage.parsers.codelinks import code_url, find_code_urls
from paperdeck.storage.sources.codelink_lookup import code_link_from


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Code is available at https://github.com/itsmag11/Omegance.",
            ["https://github.com/itsmag11/Omegance"],
        ),
        (
            "(https://github.com/AllanMSouza/ACSP-FL), and",
            ["https://github.com/AllanMSouza/ACSP-FL"],
        ),
        (
            "at https://github.com/aheldis/Toxicity-Classification.git.",
            ["https://github.com/aheldis/Toxicity-Classification"],
        ),
        (
            r"\url{https://github.com/ch9397/FixedWing-MonoPPO}.",
            ["https://github.com/ch9397/FixedWing-MonoPPO"],
        ),
        (
            r"\href{https://github.com/Kanyooo/EEG-DCNet}{here}.",
            ["https://github.com/Kanyooo/EEG-DCNet"],
        ),
        (
            r"\footnote{\texttt{https://github.com/JokerJohn/Cloud\_Map\_Evaluation}}",
            ["https://github.com/JokerJohn/Cloud_Map_Evaluation"],
        ),
        (
            r"\url{https://github.com/TimeMarker-LLM/TimeMarker/}.",
            ["https://github.com/TimeMarker-LLM/TimeMarker"],
        ),
        (
            "Code is available at github.com/sftekin/h3fusion.",
            ["https://github.com/sftekin/h3fusion"],
        ),
        ("see [code](http://www.GitHub.com/o/r#readme) now", ["https://github.com/o/r"]),
        (
            "gitlab: https://gitlab.com/group/sub/project; bitbucket.org/o/r, codeberg.org/o/r!",
            [
                "https://gitlab.com/group/sub/project",
                "https://bitbucket.org/o/r",
                "https://codeberg.org/o/r",
            ],
        ),
        (
            "demo https://huggingface.co/spaces/org/demo and model huggingface.co/org/model-7b.",
            ["https://huggingface.co/spaces/org/demo", "https://huggingface.co/org/model-7b"],
        ),
        (
            "data at https://huggingface.co/datasets/math-ai/TemplateGSM and huggingface.co/papers/2406.02543",
            [],
        ),
        ("The SPARC-X project (https://github.com/SPARC-X) and github.com/orgs/foo/people", []),
        (
            "image https://cdn-uploads.huggingface.co/production/uploads/x.png, notgithub.com/a/b",
            [],
        ),
        (
            "https://github.com/a/b then https://github.com/A/B/ then github.com/a/b.git",
            ["https://github.com/a/b"],
        ),
        ("javascript:alert(1)//github.com/a/b", []),
        ("no links here", []),
    ],
)
def test_links_in_text_are_trimmed_normalised_and_deduplicated(text: str, expected: list[str]):
    assert find_code_urls(text) == expected


def test_comment_and_abstract_links_come_in_order_each_once():
    comment = "Accepted at ACL. Code: https://github.com/lab/tool."
    abstract = "We release https://github.com/lab/tool and https://gitlab.com/lab/data-kit."
    assert find_code_urls(comment, abstract) == [
        "https://github.com/lab/tool",
        "https://gitlab.com/lab/data-kit",
    ]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://github.com/o/r/tree/main/sub", "https://github.com/o/r/tree/main/sub"),
        ("github.com/o", None),
        ("https://example.org/o/r", None),
        ("ftp://github.com/o/r", None),
        ("https://github.com/o/r?tab=readme", "https://github.com/o/r"),
    ],
)
def test_code_url_accepts_only_repositories_on_code_hosts(url: str, expected: str | None):
    assert code_url(url) == expected


def test_a_hugging_face_answer_gives_its_github_repo(shared_data: Path):
    item = json.loads(
        (shared_data / "code_links" / "hf_daily_papers_item__2602.23229__2026-03.json").read_text()
    )
    assert code_link_from(item["paper"]) == "https://github.com/marco-garosi/CIRCLE"


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (
            {"githubRepo": None, "projectPage": "https://github.com/o/page"},
            "https://github.com/o/page",
        ),
        ({"githubRepo": None, "projectPage": "https://circle-lmm.github.io/"}, None),
        ({"githubRepo": "javascript:alert(1)"}, None),
        ({"githubRepo": 42}, None),
        (["not", "an", "object"], None),
    ],
)
def test_a_lookup_answer_without_a_usable_repo_gives_nothing(answer, expected):
    assert code_link_from(answer) == expected
