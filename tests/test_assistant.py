"""The assistant's storage side: passages and their labels, retrieval within the budget,
citation checking, both providers' streaming against loopback servers, cancel, failures
as one sentence, answers and summaries kept in the cache."""

from __future__ import annotations

import json
import random
import re
import threading
from pathlib import Path

import pytest

from paperdeck.storage.assistant import retrieve
from paperdeck.storage.assistant.citations import check, normalise
from paperdeck.storage.assistant.passages import Passage, from_abstract, from_document
from paperdeck.storage.assistant.prompt import NOT_ANSWERED
from paperdeck.storage.assistant.providers import AssistantError, Chat
from paperdeck.storage.assistant.service import ask, prepare_question, source, summarize
from paperdeck.storage.cache import assistant as kept
from paperdeck.storage.config import AssistantSettings, ConfigError, parse_config
from paperdeck.storage.fulltext.convert import convert
from paperdeck.storage.models import Incoming, Paper
from tests.support.assistant import model_server, prompt_of, store_synthetic
from tests.support.fulltext import SYNTHETIC, SYNTHETIC_ID
from tests.support.loopback import LoopbackServer, Reply

SHORT = Passage(
    "S1.p1", 3, "paragraph", "We freeze the encoder\u00a0and train  the head.", "1 Intro"
)
OTHER = Passage("S2.p1", 5, "paragraph", "Accuracy rises by 3% on the benchmark.", "2 Results")


def settings(server: LoopbackServer, *, ollama: bool = False, **more) -> AssistantSettings:
    return AssistantSettings(
        provider="ollama" if ollama else "openai",
        url=server.base if ollama else server.url("/v1"),
        model="test-model",
        **more,
    )


# --- labels, retrieval, prompt ----------------------------------------------------------


def test_passages_are_labelled_with_latexml_ids_and_the_abstract_by_name(cache):
    store_synthetic(cache)
    paper = source(cache, SYNTHETIC_ID)
    labels = [p.label for p in paper.passages]
    assert len(labels) == len(set(labels))
    assert "abstract" in labels
    assert any(label.startswith("S") and ".p" in label for label in labels)
    assert paper.kind == "fulltext"


def test_without_full_text_the_abstract_is_read(cache):
    cache.upsert([Incoming(abstract_only("2406.00001", "First part.\n\nSecond part."))])
    passages = source(cache, "2406.00001").passages
    assert [(p.label, p.text) for p in passages] == [
        ("abstract", "First part."),
        ("abstract.2", "Second part."),
    ]
    assert from_abstract(abstract_only("2406.00002", "")) == []


def abstract_only(paper_id: str, abstract: str) -> Paper:
    return Paper(id=paper_id, title="T", published="2024-06-14", abstract=abstract)


def test_retrieval_keeps_the_budget_and_reading_order():
    # Every fourth section has the same title (a repeated "Results"): each is a heading.
    passages = [
        Passage(f"S{n}.p1", n, "paragraph", f"filler gating words {n} " * 30, "Results", n // 4)
        for n in range(200)
    ]
    passages[150] = Passage("S150.p1", 150, "paragraph", "The gating temperature is 0.7.", "x", 150)
    chosen = retrieve.select(passages, "What is the gating temperature?", 600)
    assert "S150.p1" in [p.label for p in chosen]
    assert retrieve.tokens(retrieve.render(chosen)) <= 600
    assert [p.index for p in chosen] == sorted(p.index for p in chosen)


@pytest.mark.parametrize("budget", [1000, 1500, 3000, 8000])
def test_the_prompt_keeps_within_context_tokens_whatever_the_budget(cache, budget):
    store_synthetic(cache)
    settings = AssistantSettings(context_tokens=budget)
    # One huge passage (a table): it is cut, not sent whole.
    paper = source(cache, SYNTHETIC_ID)
    huge = Passage("S9.T1", 999, "table", "gating memory " * 5000, "9 Huge", 998)
    from paperdeck.storage.assistant.prompt import ask_prompt

    prompt = ask_prompt(
        paper.title, SYNTHETIC_ID, [*paper.passages, huge], "gating memory?", budget
    )
    assert prompt.tokens <= budget
    assert sum(len(m["content"]) for m in prompt.messages) <= budget * retrieve.CHARS_PER_TOKEN
    assert any(p.label == "S9.T1" and p.text.endswith(" …") for p in prompt.passages)
    with pytest.raises(AssistantError, match="question is too long"):
        prepare_question(cache, SYNTHETIC_ID, "why " * budget, settings)


def test_figure_numbers_are_searched_as_phrases():
    assert retrieve.query_terms("What does Fig. 3 show about the loss?") == ["figure 3", "loss"]
    assert retrieve.query_pairs("Fig. 3: how does the learning rate decay?") == [
        "the learning",
        "learning rate",
        "rate decay",
    ]


def test_a_section_an_appendix_or_an_equation_named_by_number_is_sent():
    layout = [
        ("S1", "heading", "Intro", "1 Intro"),
        ("S1.p1", "paragraph", "We study memory.", "1 Intro"),
        ("S2", "heading", "Method", "2 Method"),
        ("S2.p1", "paragraph", "The gate opens.", "2 Method"),
        ("S2.E4", "equation", "g = σ(Wx) (4)", "2 Method"),
        ("S2.p2", "paragraph", "where W is learned.", "2 Method"),
        ("S2.SS1", "heading", "Details", "2.1 Details"),
        ("S2.SS1.p1", "paragraph", "The optimizer is Adam.", "2.1 Details"),
        ("S12", "heading", "More", "12 More"),
        ("S12.p1", "paragraph", "Unrelated text.", "12 More"),
        ("A1", "heading", "Proofs", "Appendix A Proofs"),
        ("A1.p1", "paragraph", "Proof of the bound.", "Appendix A Proofs"),
    ]
    passages = [
        Passage(label, n, kind, text, section, n)
        for n, (label, kind, text, section) in enumerate(layout)
    ]

    def sent(question: str) -> list[str]:
        return [p.label for p in retrieve.select(passages, question, 1000)]

    assert sent("Summarise Section 2") == ["S2.p1", "S2.E4", "S2.p2", "S2.SS1.p1"]
    assert sent("What does sec. 2.1 say?") == ["S2.SS1.p1"]
    assert sent("What is in Appendix A?") == sent("and section A?") == ["A1.p1"]
    assert sent("What does Eq. (4) mean?") == ["S2.E4", "S2.p2"]
    assert sent("Is the table a summary?") == []


def test_words_as_the_question_wrote_them_find_their_passage_among_look_alikes():
    # Every passage draws on the same few words (as a generated paper does): only the
    # order of the question's words tells the one it quotes from the others.
    rng = random.Random(7)
    vocabulary = (
        "model attention token layer sparse dense gradient loss context memory retrieval "
        "benchmark training inference head embedding decoder encoder prompt reasoning "
        "budget latency scaling baseline the of in on for with and this our their"
    ).split()
    passages = [
        Passage(f"S{n}.p1", n, "paragraph", " ".join(rng.choices(vocabulary, k=60)), "1 A", 0)
        for n in range(300)
    ]
    for target in rng.sample(passages, 10):
        words = target.text.split()
        # five words of it, three of them saying something (not "this in with the")
        start = next(
            n for n in range(55) if len(retrieve.query_terms(" ".join(words[n : n + 5]))) >= 3
        )
        question = "What about " + " ".join(words[start : start + 5]) + "?"
        chosen = retrieve.select(passages, question, 1500)
        assert target.label in [p.label for p in chosen], question


# --- citations ----------------------------------------------------------------------------


def test_a_quote_with_other_whitespace_and_typography_is_found():
    answer = "They freeze it [S1.p1] “We freeze the  encoder\nand train the head”."
    (citation,) = check(answer, [SHORT, OTHER])
    assert citation.found and citation.block == "S1.p1"
    assert normalise("a\u00a0 b\u2013c") == "a b-c"


def test_a_quote_from_another_block_is_flagged_for_the_block_it_cites():
    (citation,) = check('[S1.p1] "Accuracy rises by 3%"', [SHORT, OTHER])
    assert not citation.found and citation.elsewhere == "S2.p1"
    assert citation.to_json() == {"block": "S1.p1", "quote": "Accuracy rises by 3%", "found": False}


def test_a_made_up_quote_and_an_unknown_block_are_flagged():
    found = check('[S1.p1] "we fine-tune everything" and [S9.p9] "We freeze"', [SHORT, OTHER])
    assert [c.found for c in found] == [False, False]


def test_a_quote_before_its_id_and_a_quote_citing_two_blocks_are_checked_too():
    answer = (
        'The method "freezes" [S1.p1] "We freeze the encoder". It "rises by 3%" [S2.p1], '
        'both [S1.p1; S2.p1] "train the head" and [S1.p1, S2.p1] "a made-up result".'
    )
    assert [c.to_json() for c in check(answer, [SHORT, OTHER])] == [
        {"block": "S1.p1", "quote": "We freeze the encoder", "found": True},
        {"block": "S2.p1", "quote": "rises by 3%", "found": True},
        {"block": "S1.p1", "quote": "train the head", "found": True},
        {"block": "S1.p1", "quote": "a made-up result", "found": False},
    ]
    (other_way,) = check('[S1.p1; S2.p1] "on the benchmark"', [SHORT, OTHER])
    assert other_way.found and other_way.block == "S2.p1"


def test_an_ellipsis_needs_each_piece_in_order():
    assert check('[S1.p1] "We freeze … the head"', [SHORT])[0].found
    assert not check('[S1.p1] "the head … We freeze"', [SHORT])[0].found


# --- providers ------------------------------------------------------------------------------


@pytest.mark.parametrize("ollama", [False, True], ids=["openai-sse", "ollama-ndjson"])
def test_both_providers_stream_the_answer_and_its_citations_are_checked(cache, ollama):
    store_synthetic(cache)
    blocks = source(cache, SYNTHETIC_ID).passages
    target = next(p for p in blocks if p.kind == "paragraph" and len(p.text) > 60)
    quote = " ".join(target.text.split()[:6])
    text = f'It says so [{target.label}] "{quote}" and [{target.label}] "something it never says".'
    seen: list[str] = []
    with model_server(text, ollama=ollama) as server:
        answer = ask(
            cache, SYNTHETIC_ID, "what?", settings(server, ollama=ollama), on_text=seen.append
        )
        (request,) = server.requests
    assert answer.text == text
    assert len(seen) > 3 and seen[-1] == text and seen[0] != text  # it came in pieces
    assert [c.found for c in answer.citations] == [True, False]
    body = request.json()
    assert body["stream"] is True and body["model"] == "test-model"
    if ollama:
        assert request.path == "/api/chat" and body["options"]["num_ctx"] > 8000
    else:
        assert request.path == "/v1/chat/completions"
    kept_answers = kept.answers(cache, SYNTHETIC_ID)
    assert [e.question for e in kept_answers] == ["what?"]
    assert kept_answers[0].citations[1]["found"] is False


@pytest.mark.parametrize("ollama", [False, True], ids=["openai", "ollama"])
def test_a_server_that_does_not_stream_is_read_whole(cache, ollama):
    store_synthetic(cache)
    said = "It gates memory."
    if ollama:
        body = {"model": "m", "message": {"role": "assistant", "content": said}, "done": True}
    else:
        body = {
            "object": "chat.completion",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": said}}],
        }
    reply = Reply(
        200, json.dumps(body, indent=2), {"Content-Type": "application/json; charset=utf-8"}
    )
    path = "/api/chat" if ollama else "/v1/chat/completions"
    with LoopbackServer({path: reply}) as server:
        seen: list[str] = []
        answer = ask(cache, SYNTHETIC_ID, "q", settings(server, ollama=ollama), on_text=seen.append)
    assert answer.text == said and seen == [said]


def test_the_key_comes_from_the_variable_api_key_env_names(cache, monkeypatch):
    store_synthetic(cache)
    monkeypatch.setenv("MY_MODEL_KEY", "sk-secret")
    with model_server("The answer.") as server:
        ask(cache, SYNTHETIC_ID, "q", settings(server, api_key_env="MY_MODEL_KEY"))
        assert server.requests[0].headers["Authorization"] == "Bearer sk-secret"
    monkeypatch.delenv("MY_MODEL_KEY")
    with pytest.raises(AssistantError, match="MY_MODEL_KEY"):
        Chat(AssistantSettings(provider="openai", model="m", api_key_env="MY_MODEL_KEY"))


@pytest.mark.parametrize("ollama", [False, True], ids=["openai-sse", "ollama-ndjson"])
def test_cancel_stops_the_stream_and_keeps_nothing(cache, ollama):
    store_synthetic(cache)
    gate, first = threading.Event(), threading.Event()
    result: dict = {}
    with model_server("A long answer that never ends " * 20, ollama=ollama, gate=gate) as server:
        chat = Chat(settings(server, ollama=ollama))

        def run() -> None:
            result["answer"] = ask(
                cache_for_thread(cache), SYNTHETIC_ID, "q", settings(server, ollama=ollama),
                on_text=lambda text: first.set(), chat=chat,
            )  # fmt: skip

        thread = threading.Thread(target=run)
        thread.start()
        assert first.wait(10)
        chat.cancel()
        thread.join(10)
        stopped = not thread.is_alive()  # before the server sends the rest
        gate.set()
        thread.join()
    assert stopped
    answer = result["answer"]
    assert answer.cancelled and answer.text == "A long"
    assert kept.answers(cache, SYNTHETIC_ID) == []


def cache_for_thread(cache):
    from paperdeck.storage.cache.database import Cache

    return Cache(cache.path)


def test_markup_and_escape_sequences_in_an_answer_come_back_as_plain_text(cache):
    store_synthetic(cache)
    hostile = "[bold red]Loud[/] \x1b[2J\x1b]0;owned\x07 <think>hidden plan</think>done\x00."
    with model_server(hostile) as server:
        answer = ask(cache, SYNTHETIC_ID, "q", settings(server))
    assert answer.text == "[bold red]Loud[/]  done."
    assert "\x1b" not in answer.text and "hidden" not in answer.text


def test_a_paper_that_does_not_answer_says_so_and_cites_nothing(cache):
    store_synthetic(cache)

    def reply(request) -> str:
        # The loopback model answers only from what it was sent: nothing on the topic.
        passages = prompt_of(request).partition("\n\nQuestion:")[0]
        return 'It is 42 [S1.p1] "42"' if "gravity" in passages else NOT_ANSWERED

    with model_server(reply) as server:
        answer = ask(
            cache, SYNTHETIC_ID, "What does it say about quantum gravity?", settings(server)
        )
    assert answer.text == NOT_ANSWERED and answer.citations == []
    assert "does not answer" in answer.prompt.messages[0]["content"]


@pytest.mark.parametrize(
    "reply, said",
    [
        (Reply(500, '{"error": {"message": "model crashed"}}'), "answered 500"),
        (
            Reply(404, '{"error": {"message": "model \\"x\\" not found"}}'),
            "check [assistant] model",
        ),
        (Reply(401, "no"), "api_key_env"),
        (Reply(200, "<html>LM Studio</html>", {"Content-Type": "text/html"}), "HTML page"),
        (Reply(200, "data: {not json\n\n", {"Content-Type": "text/event-stream"}), "is not JSON"),
        (Reply(200, "", {"Content-Type": "text/event-stream"}), "empty answer"),
    ],
)
def test_a_failing_server_is_one_sentence_naming_its_url(cache, reply, said):
    store_synthetic(cache)
    with (
        LoopbackServer({"/v1/chat/completions": reply}) as server,
        pytest.raises(AssistantError) as raised,
    ):
        ask(cache, SYNTHETIC_ID, "q", settings(server))
    message = str(raised.value)
    assert server.url("/v1/chat/completions") in message and said in message
    assert "\n" not in message and "Traceback" not in message


def test_an_unreachable_server_names_its_url(cache, monkeypatch):
    store_synthetic(cache)
    monkeypatch.setenv("PAPERDECK_HTTP_TIMEOUT", "2")
    closed = AssistantSettings(provider="ollama", url="http://127.0.0.1:9", model="m")
    with pytest.raises(AssistantError, match=r"cannot reach http://127\.0\.0\.1:9/api/chat"):
        ask(cache, SYNTHETIC_ID, "q", closed)


def test_a_paper_without_full_text_is_summarised_from_its_abstract(cache):
    cache.upsert([Incoming(abstract_only("2406.00003", "We gate the memory of readers."))])
    with model_server("Gated readers.") as server:
        assert summarize(cache, "2406.00003", settings(server)) == ("Gated readers.", False)
        assert "[abstract] We gate the memory of readers." in prompt_of(server.requests[0])


def test_a_summary_is_made_once_per_paper_and_model(cache):
    store_synthetic(cache)
    with model_server("It gates memory. <think>x</think>It works.") as server:
        first = summarize(cache, SYNTHETIC_ID, settings(server))
        second = summarize(cache, SYNTHETIC_ID, settings(server))
        assert len(server.requests) == 1
        other = AssistantSettings(provider="openai", url=server.url("/v1"), model="other")
        summarize(cache, SYNTHETIC_ID, other)
        assert len(server.requests) == 2
    assert first == ("It gates memory. It works.", False)
    assert second == ("It gates memory. It works.", True)


# --- config -----------------------------------------------------------------------------


def test_assistant_settings_are_validated_with_file_line_and_key(tmp_path: Path):
    path = tmp_path / "config.toml"
    good = parse_config(
        '[assistant]\nprovider = "ollama"\nmodel = "qwen2.5:7b"\nsummaries = true\n', path
    )
    assert good.assistant.provider == "ollama" and good.assistant.summaries
    for text, said in [
        ('[assistant]\nprovider = "claude"\n', "provider must be one of none, openai, ollama"),
        (
            "[assistant]\n\ncontext_tokens = 10\n",
            ":3: [assistant]: context_tokens must be at least",
        ),
        ('[assistant]\nurl = "localhost:8080"\n', "url must be an http(s) URL"),
        ('[assistant]\napi_key_env = "sk-abc123"\n', "never the key itself"),
        ("[assistant]\nsummaries = 1\n", "summaries must be true or false"),
    ]:
        with pytest.raises(ConfigError, match=re.escape(said)):
            parse_config(text, path)


def test_document_passages_of_the_converter_keep_every_label_once():
    page = SYNTHETIC.read_bytes()
    passages = from_document(convert(page, "https://arxiv.org/html/x"))
    assert len({p.label for p in passages}) == len(passages)
