"""``paperdeck ask`` and ``paperdeck summarize`` against loopback model servers: the
answering block found in the long fixture and sent within ``context_tokens``, citations
checked in the JSON, one request for two summaries, an unreachable server in one line."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from paperdeck.storage.assistant import retrieve
from paperdeck.storage.assistant.passages import from_document
from paperdeck.storage.assistant.prompt import NOT_ANSWERED
from paperdeck.storage.cache.database import Cache
from paperdeck.storage.config import cache_path, config_path
from paperdeck.storage.fulltext.store import stored_document
from paperdeck.tui.cli import main
from tests.support.assistant import config_text, model_server, prompt_of, store_synthetic
from tests.support.fulltext import LONG_ID, SYNTHETIC_ID, fill
from tests.support.fulltext_reader import store

BUDGET = 2000
"""context_tokens for the long paper: a small part of its ~40,000 tokens."""


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def synthetic() -> Path:
    with Cache(cache_path()) as cache:
        store_synthetic(cache)
    return cache_path()


def the_answering_block(passages: list, kind: str) -> tuple:
    """The block that answers, the question, and what of it a model finds in the prompt."""
    if kind == "figure":  # the caption of the paper's last figure
        block = [p for p in passages if p.kind == "figure"][-1]
        number = re.match(r"Figure (\d+):", block.text).group(1)
        return block, f"What does Figure {number} show?", f"Figure {number}:"
    # a paragraph halfway through, asked about in six of its own words (the generated
    # paper's paragraphs all draw on the same few dozen words: their order tells them apart)
    paragraphs = [p for p in passages if p.kind == "paragraph" and len(p.text.split()) > 30]
    block = paragraphs[len(paragraphs) // 2]
    words = block.text.split()
    start = next(
        n for n in range(10, 24) if len(retrieve.query_terms(" ".join(words[n : n + 6]))) >= 4
    )
    fragment = " ".join(words[start : start + 6])
    return block, f"What do they say about {fragment}?", fragment


@pytest.mark.shared
@pytest.mark.parametrize("kind", ["figure", "paragraph"])
def test_ask_json_sends_the_answering_block_within_the_budget(capsys, shared_data: Path, kind):
    page = (shared_data / "fulltext" / f"{LONG_ID}v1" / "index.html").read_bytes()
    with Cache(cache_path()) as cache:
        fill(cache)
        store(cache, LONG_ID, page, f"https://arxiv.org/html/{LONG_ID}v1")
        passages = from_document(stored_document(cache, LONG_ID))
    block, question, needle = the_answering_block(passages, kind)
    quote = " ".join(block.text.split()[2:8])
    assert sum(retrieve.tokens(p.text) for p in passages) > 10 * BUDGET

    def model(request) -> str:
        # A model answers from the passages it was sent, citing the labels it was shown.
        sent = prompt_of(request)
        line = next(line for line in sent.splitlines() if needle in line)
        label = line[1 : line.index("]")]
        return f'It shows this [{label}] "{quote}", not [{label}] "a result it never had".'

    with model_server(model) as server:
        config_path().write_text(config_text(server, context_tokens=BUDGET))
        code, out, err = run(capsys, "ask", LONG_ID, question, "--format", "json")
        (request,) = server.requests
    assert code == 0, err
    sent = prompt_of(request)
    assert f"[{block.label}] {block.text}" in sent
    messages = request.json()["messages"]
    assert sum(len(m["content"]) for m in messages) <= BUDGET * retrieve.CHARS_PER_TOKEN
    answer = json.loads(out)
    assert set(answer) == {"answer", "citations"}
    assert answer["citations"] == [
        {"block": block.label, "quote": quote, "found": True},
        {"block": block.label, "quote": "a result it never had", "found": False},
    ]


def test_ask_as_text_streams_then_lists_the_checked_citations(capsys, synthetic):
    with Cache(cache_path()) as cache:
        target = next(
            p for p in from_document(stored_document(cache, SYNTHETIC_ID)) if p.kind == "paragraph"
        )
    quote = " ".join(target.text.split()[:4])
    said = f'\x1b[2J[red]So[/red] [{target.label}] "{quote}" and [{target.label}] "nothing".'
    with model_server(said, ollama=True) as server:
        config_path().write_text(config_text(server, ollama=True))
        code, out, err = run(capsys, "ask", SYNTHETIC_ID, "what?")
    assert code == 0, err
    assert "\x1b" not in out and out.startswith("[red]So[/red]")
    assert f'✓ [{target.label}] "{quote}"' in out
    assert f'✗ [{target.label}] "nothing" — not in the paper' in out


def test_summarize_twice_costs_one_request(capsys, synthetic):
    with model_server("It gates memory.") as server:
        config_path().write_text(config_text(server))
        assert run(capsys, "summarize", SYNTHETIC_ID)[:2] == (0, "It gates memory.\n")
        assert run(capsys, "summarize", SYNTHETIC_ID)[:2] == (0, "It gates memory.\n")
        assert len(server.requests) == 1


@pytest.mark.parametrize("command", [["ask", SYNTHETIC_ID, "what?"], ["summarize", SYNTHETIC_ID]])
@pytest.mark.parametrize(
    "provider, url, said",
    [
        ("openai", "http://127.0.0.1:9/v1", "http://127.0.0.1:9/v1/chat/completions"),
        ("ollama", "http://127.0.0.1:9", "http://127.0.0.1:9/api/chat"),
    ],
)
def test_an_unreachable_server_exits_1_naming_its_url(
    capsys, synthetic, monkeypatch, command, provider, url, said
):
    monkeypatch.setenv("PAPERDECK_HTTP_TIMEOUT", "2")
    config_path().write_text(f'[assistant]\nprovider = "{provider}"\nurl = "{url}"\nmodel = "m"\n')
    code, out, err = run(capsys, *command)
    assert (code, out) == (1, "")
    assert err.count("\n") == 1 and f"cannot reach {said}" in err and "Traceback" not in err


def test_a_paper_that_does_not_answer_gives_no_citations(capsys, synthetic):
    with model_server(NOT_ANSWERED, ollama=True) as server:
        config_path().write_text(config_text(server, ollama=True))
        code, out, err = run(
            capsys, "ask", SYNTHETIC_ID, "Who won the 1998 World Cup?", "--format", "json"
        )
    assert code == 0, err
    assert json.loads(out) == {"answer": NOT_ANSWERED, "citations": []}


def test_without_a_provider_ask_says_how_to_set_one(capsys, synthetic):
    code, _, err = run(capsys, "ask", SYNTHETIC_ID, "what?")
    assert code == 1 and "[assistant] provider" in err


def test_a_paper_without_full_text_is_answered_from_its_abstract(capsys, synthetic):
    from tests.support.fulltext import LONG_ID as NOT_STORED

    with model_server('It is [abstract] "An abstract."') as server:
        config_path().write_text(config_text(server))
        code, out, err = run(capsys, "ask", NOT_STORED, "what?", "--format", "json")
    assert code == 0 and "answering from its abstract" in err
    assert json.loads(out)["citations"] == [
        {"block": "abstract", "quote": "An abstract.", "found": True}
    ]
