"""Translation through each provider's real protocol on loopback servers: requests, the
cache policy, errors in one sentence, splitting, and the API key kept out of sight."""

from __future__ import annotations

import logging
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paperdeck.storage.cache.database import Cache
from paperdeck.storage.config import TranslationSettings, config_path
from paperdeck.storage.http import make_client
from paperdeck.storage.models import Incoming, Paper, Translation
from paperdeck.storage.translate import (
    TranslationError,
    any_translation,
    cached_translation,
    fetch_translation,
    normalize_lang,
    translate_missing,
)
from paperdeck.storage.translate.deepl import FREE_URL, PRO_URL, deepl_url
from paperdeck.storage.translate.openai import system_prompt
from paperdeck.storage.translate.split import join, split_text
from tests.support.loopback import Reply, in_turn
from tests.support.translators import (
    NEW_CODES,
    OLD_CODES,
    FakeChat,
    FakeDeepL,
    FakeLibreTranslate,
)

ROOT = Path(__file__).resolve().parents[1]
ID = "2406.02543"
TITLE = "Robust $\\alpha$-Models"
ABSTRACT = (
    "We study $\\alpha$-robust language models on 3 benchmarks.\n\n"
    "Results improve by 12% over GPT-4."
)
KEY_ENV = "PAPERDECK_TEST_KEY"
KEY = "sk-secret-7f3a9c"


def add_paper(cache: Cache, paper_id: str = ID, abstract: str = ABSTRACT, **extra) -> None:
    paper = Paper(id=paper_id, title=TITLE, published="2024-06-04", abstract=abstract)
    cache.upsert([Incoming(paper, **extra)])


def libre(server, **settings) -> TranslationSettings:
    return TranslationSettings(provider="libretranslate", url=server.base, **settings)


def chat(server, **settings) -> TranslationSettings:
    settings.setdefault("model", "qwen2.5:7b")
    return TranslationSettings(provider="openai", url=server.url("/v1"), **settings)


def deepl(server, **settings) -> TranslationSettings:
    return TranslationSettings(provider="deepl", url=server.base, api_key_env=KEY_ENV, **settings)


class Sleeps(list):
    """Records the waits instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def key(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv(KEY_ENV, KEY)
    return KEY


@pytest.fixture
def paper(cache: Cache) -> Cache:
    add_paper(cache)
    return cache


def posts(server) -> list:
    return [r for r in server.requests if r.method == "POST"]


# --- language codes ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "normal"),
    [
        ("zh", "zh"),
        ("zh-CN", "zh"),
        ("zh-Hans", "zh"),
        ("zh-TW", "zh"),
        ("zh-Hant", "zh"),
        ("zh_Hant_TW", "zh"),
        ("DE", "de"),
        (" de ", "de"),
        ("pt-BR", "pt"),
        ("yue", "yue"),
    ],
)
def test_language_codes_normalise_to_their_primary_subtag(code: str, normal: str):
    assert normalize_lang(code) == normal


@pytest.mark.parametrize("code", ["", "z", "zh--TW", "Chinese (Simplified)", "12", "de-"])
def test_what_is_not_a_language_code_is_a_translation_error(code: str):
    with pytest.raises(TranslationError, match="is not a language code"):
        normalize_lang(code)


# --- the cache policy -----------------------------------------------------------------------


def test_a_digest_translation_answers_every_chinese_variant_without_a_request(cache: Cache):
    digest = Translation(ID, "zh", "摘要", source="digest")
    add_paper(cache, translations=(digest,))
    with FakeLibreTranslate() as server:
        for code in ("zh", "zh-CN", "zh-TW", "zh-Hant"):
            assert fetch_translation(cache, libre(server), ID, code) == digest
            assert cached_translation(cache, ID, code) == digest
    assert server.requests == []


def test_provider_none_reads_only_the_cache_and_says_how_to_configure_one(cache: Cache):
    add_paper(cache, translations=(Translation(ID, "zh", "摘要"),))
    none = TranslationSettings(provider="none", target="de")
    with pytest.raises(TranslationError) as caught:
        fetch_translation(cache, none, ID)
    assert str(caught.value) == (
        f"no translation provider configured — set [translation] provider in {config_path()}"
    )
    assert fetch_translation(cache, none, ID, "zh-TW").abstract == "摘要"
    assert any_translation(cache, ID).lang == "zh"
    assert any_translation(cache, "2406.00000") is None


def test_an_unknown_paper_is_an_error_and_sends_nothing(cache: Cache):
    unknown = r"^2406\.99999 is not in the cache$"
    with FakeLibreTranslate() as server, pytest.raises(TranslationError, match=unknown):
        fetch_translation(cache, libre(server), "2406.99999", "de")
    assert server.requests == []


def test_a_paper_without_an_abstract_is_not_sent(cache: Cache):
    add_paper(cache, abstract="")
    bare = "has no abstract to translate"
    with FakeLibreTranslate() as server, pytest.raises(TranslationError, match=bare):
        fetch_translation(cache, libre(server), ID, "de")
    assert server.requests == []


# --- LibreTranslate ---------------------------------------------------------------------------


def test_libretranslate_translates_title_and_abstract_once_then_serves_the_cache(paper: Cache):
    with FakeLibreTranslate() as server:
        first = fetch_translation(paper, libre(server, target="zh-TW"), ID)
        assert [(r.method, r.path) for r in server.requests] == [
            ("GET", "/languages"),
            ("POST", "/translate"),
        ]
        again = fetch_translation(paper, libre(server), ID, "zh")
        assert len(server.requests) == 2  # the second never reached the server
    body = server.requests[1].json()
    assert body == {"q": [TITLE, ABSTRACT], "source": "en", "target": "zh-Hant", "format": "text"}
    assert (
        first
        == again
        == Translation(
            ID,
            "zh",
            "[zh-Hant] WE STUDY $\\ALPHA$-ROBUST LANGUAGE MODELS ON 3 BENCHMARKS.\n\n"
            "RESULTS IMPROVE BY 12% OVER GPT-4.",
            title="[zh-Hant] ROBUST $\\ALPHA$-MODELS",
            source="libretranslate",
        )
    )
    assert paper.translation_langs(ID) == ["zh"]



def test_a_fetched_translation_can_be_saved_by_the_caller(paper: Cache):
    """The reader hands the save to its writer: a busy cache never costs the translation."""
    saved: list[Translation] = []
    with FakeLibreTranslate() as server:
        fetched = fetch_translation(paper, libre(server), ID, save=saved.append)
    assert saved == [fetched] and fetched.source == "libretranslate"
    assert paper.translation_langs(ID) == []

@pytest.mark.parametrize(
    ("codes", "asked", "sent"),
    [
        (NEW_CODES, "zh", "zh-Hans"),
        (NEW_CODES, "zh-CN", "zh-Hans"),
        (NEW_CODES, "zh-TW", "zh-Hant"),
        (OLD_CODES, "zh", "zh"),
        (OLD_CODES, "zh-Hant", "zt"),
        (["en", "zh-Hans"], "zh-TW", "zh-Hans"),  # the other script beats no translation
        (NEW_CODES, "DE", "de"),
        (NEW_CODES, "pt-BR", "pt-BR"),
        (["en", "pt-BR"], "pt", "pt-BR"),
    ],
)
def test_libretranslate_asks_in_the_servers_own_spelling(cache, codes, asked, sent):
    add_paper(cache)
    with FakeLibreTranslate(codes) as server:
        translation = fetch_translation(cache, libre(server), ID, asked)
    assert posts(server)[0].json()["target"] == sent
    assert translation.lang == normalize_lang(asked)


def test_libretranslate_servers_without_targets_offer_every_language(paper: Cache):
    with FakeLibreTranslate(OLD_CODES, targets=False) as server:
        fetch_translation(paper, libre(server), ID, "zh-TW")
    assert posts(server)[0].json()["target"] == "zt"


def test_a_language_the_server_lacks_is_named_with_what_it_offers(paper: Cache):
    with FakeLibreTranslate(["en", "de"]) as server, pytest.raises(TranslationError) as caught:
        fetch_translation(paper, libre(server), ID, "ja")
    assert str(caught.value) == (
        f"translator at {server.base} cannot translate from English into ja (it offers de)"
    )
    assert posts(server) == []


def test_libretranslate_sends_the_key_in_the_body(paper: Cache, key: str):
    with FakeLibreTranslate(api_key=key) as server:
        fetch_translation(paper, libre(server, api_key_env=KEY_ENV), ID, "de")
    assert posts(server)[0].json()["api_key"] == key


def test_libretranslate_without_a_key_it_wants_says_where_to_configure_one(paper: Cache):
    with FakeLibreTranslate(api_key=KEY) as server, pytest.raises(TranslationError) as caught:
        fetch_translation(paper, libre(server), ID, "de")
    assert str(caught.value) == (
        f"translator at {server.url('/translate')} answered 403 Forbidden (Please contact the "
        "server operator to get an API key); if it needs an API key, name the environment "
        f"variable that holds it in [translation] api_key_env in {config_path()}"
    )


def test_a_long_abstract_is_cut_at_paragraphs_to_fit_the_text_limit(cache: Cache):
    p0, p1, p2, p3 = (f"Paragraph {n} says something." + " More." * 25 for n in range(4))
    add_paper(cache, abstract="\n\n".join([p0, p1, p2, p3]))
    add_paper(cache, "2406.02544", abstract="\n\n".join([p0, p1, p2]))
    t, n = len(TITLE), len(p0)
    with FakeLibreTranslate(char_limit=400) as server:
        translation = fetch_translation(cache, libre(server), ID, "de")
        sizes = [sum(map(len, r.json()["q"])) for r in posts(server)]
        # Refused ("exceeds text limit (400)"), then the title, then two paragraphs at a time.
        assert sizes == [t + 4 * n + 6, t, 2 * n + 2, 2 * n + 2]
        # A batch remembers the limit: only its first request is refused.
        translate_missing(cache, libre(server), [ID, "2406.02544"], "fr")
        sizes = [sum(map(len, r.json()["q"])) for r in posts(server)[4:]]
        assert sizes == [t + 4 * n + 6, t, 2 * n + 2, 2 * n + 2, t, 2 * n + 2, n]
    p0, p1, p2, p3 = (p.upper() for p in (p0, p1, p2, p3))
    assert translation.abstract == f"[de] {p0}\n\n{p1}\n\n[de] {p2}\n\n{p3}"
    assert translation.title == f"[de] {TITLE.upper()}"


def test_a_paragraph_beyond_the_limit_is_cut_at_sentences(cache: Cache):
    sentences = [f"Sentence number {n} is here." for n in range(20)]
    add_paper(cache, abstract=" ".join(sentences))
    with FakeLibreTranslate(char_limit=120) as server:
        translation = fetch_translation(cache, libre(server), ID, "de")
    assert all(sum(map(len, r.json()["q"])) <= 120 for r in posts(server)[1:])
    pieces = translation.abstract.split(" [de] ")
    assert len(pieces) > 1 and all(p.endswith(".") for p in pieces)
    assert translation.abstract.replace("[de] ", "") == " ".join(sentences).upper()


# --- DeepL ----------------------------------------------------------------------------------


def test_deepl_translates_with_the_auth_header_and_its_language_codes(paper: Cache, key: str):
    with FakeDeepL(key) as server:
        translation = fetch_translation(paper, deepl(server), ID, "zh")
        fetch_translation(paper, deepl(server), ID, "pt-BR")
    assert [r.path for r in server.requests] == ["/v2/translate", "/v2/translate"]
    first, second = (r.json() for r in server.requests)
    assert first == {"text": [TITLE, ABSTRACT], "source_lang": "EN", "target_lang": "ZH-HANS"}
    assert second["target_lang"] == "PT-BR"
    assert server.requests[0].headers["Authorization"] == f"DeepL-Auth-Key {key}"
    assert translation.source == "deepl" and translation.title.startswith("[ZH-HANS] ")


def test_deepl_chooses_its_host_by_the_key_unless_the_url_is_set():
    default = TranslationSettings(provider="deepl")
    assert deepl_url(default, "abc:fx") == FREE_URL
    assert deepl_url(default, "abc") == PRO_URL
    proxy = TranslationSettings(provider="deepl", url="https://deepl.example/v2/")
    assert deepl_url(proxy, "abc:fx") == "https://deepl.example"


def test_deepl_needs_a_key(paper: Cache):
    with FakeDeepL(KEY) as server, pytest.raises(TranslationError, match="DeepL needs an API key"):
        fetch_translation(paper, TranslationSettings(provider="deepl", url=server.base), ID)
    assert server.requests == []


def test_deepl_quota_exceeded_is_456_in_words(paper: Cache, key: str):
    with FakeDeepL(key, quota=10) as server, pytest.raises(TranslationError) as caught:
        fetch_translation(paper, deepl(server), ID, "de")
    assert str(caught.value) == (
        f"translator at {server.url('/v2/translate')} answered 456 Quota Exceeded: this DeepL "
        "key has used its character quota for the billing period"
    )
    assert paper.translation_langs(ID) == []


def test_deepl_413_halves_the_request_until_it_fits(cache: Cache, key: str):
    paragraphs = [f"Paragraph {n}" + " word" * 40 for n in range(3)]
    add_paper(cache, abstract="\n\n".join(paragraphs))
    with FakeDeepL(key, max_chars=300) as server:
        translation = fetch_translation(cache, deepl(server), ID, "de")
    sizes = [sum(map(len, r.json()["text"])) for r in server.requests]
    # Refused whole (413), then cut to half its size: the title, then a paragraph at a time.
    assert sizes == [len(TITLE) + 3 * 211 + 4, len(TITLE), 211, 211, 211]
    assert translation.abstract == "\n\n".join(f"[DE] {p.upper()}" for p in paragraphs)


def test_deepl_wrong_endpoint_points_at_the_url_setting(paper: Cache, key: str):
    with FakeDeepL(key) as server:
        wrong = {"message": "Wrong endpoint. Use https://api.deepl.com"}
        server.routes["/v2/translate"] = in_turn(
            Reply.json(wrong, 403), server.routes["/v2/translate"]
        )
        with pytest.raises(TranslationError) as caught:
            fetch_translation(paper, deepl(server), ID, "de")
    assert "(Wrong endpoint. Use https://api.deepl.com); set [translation] url" in str(caught.value)
    assert "rejected" not in str(caught.value)


# --- OpenAI-compatible ------------------------------------------------------------------------


def test_openai_compatible_asks_for_a_faithful_translation(paper: Cache):
    with FakeChat() as server:
        translation = fetch_translation(paper, chat(server), ID, "zh-TW")
    assert [r.path for r in server.requests] == ["/v1/chat/completions"] * 2
    bodies = [r.json() for r in server.requests]
    assert [b["messages"][1]["content"] for b in bodies] == [TITLE, ABSTRACT]
    system = bodies[0]["messages"][0]
    assert system == {"role": "system", "content": system_prompt("zh-TW")}
    for phrase in ("Traditional Chinese", "TeX", "numbers", "names", "translation only"):
        assert phrase in system["content"]
    assert bodies[0]["model"] == "qwen2.5:7b" and bodies[0]["stream"] is False
    assert "Authorization" not in server.requests[0].headers
    assert translation.source == "openai" and translation.lang == "zh"
    assert translation.title == f"[qwen2.5:7b] {TITLE.upper()}"


def test_openai_compatible_sends_a_bearer_key_when_one_is_set(paper: Cache, key: str):
    with FakeChat(key=key) as server:
        fetch_translation(paper, chat(server, api_key_env=KEY_ENV), ID, "de")
    assert server.requests[0].headers["Authorization"] == f"Bearer {key}"


def test_reasoning_is_stripped_from_the_answer(paper: Cache):
    with FakeChat(think=True) as server:
        translation = fetch_translation(paper, chat(server), ID, "de")
    assert "think" not in translation.abstract and "user wants" not in translation.abstract
    assert translation.abstract.startswith("[qwen2.5:7b] WE STUDY")


@pytest.mark.parametrize(
    ("flat", "said"),
    [
        (False, 'model "llama9" not found, try pulling it first'),
        (True, "The model `llama9` does not exist."),
    ],
)
def test_a_model_the_server_lacks_is_named(paper: Cache, flat: bool, said: str):
    with FakeChat(flat_errors=flat) as server, pytest.raises(TranslationError) as caught:
        fetch_translation(paper, chat(server, model="llama9"), ID, "de")
    assert str(caught.value) == (
        f"translator at {server.url('/v1/chat/completions')} has no model 'llama9' ({said}); "
        f"check [translation] model in {config_path()}"
    )


def test_a_url_without_the_v1_base_gets_a_hint(paper: Cache):
    with FakeChat() as server:
        server.routes["/chat/completions"] = Reply(404, "404 page not found")
        settings = TranslationSettings(provider="openai", url=server.base, model="qwen2.5:7b")
        with pytest.raises(TranslationError) as caught:
            fetch_translation(paper, settings, ID, "de")
    assert str(caught.value) == (
        f"translator at {server.url('/chat/completions')} answered 404 Not Found (404 page not "
        f"found); [translation] url in {config_path()} should be the server's …/v1 base"
    )


def test_a_translation_cut_short_is_an_error_and_not_cached(paper: Cache):
    with FakeChat(finish_reason="length") as server, pytest.raises(TranslationError) as caught:
        fetch_translation(paper, chat(server), ID, "de")
    assert "stopped before the end of the translation (finish_reason length)" in str(caught.value)
    assert paper.translation_langs(ID) == []


def test_an_answer_of_nothing_but_reasoning_is_an_error(paper: Cache):
    with FakeChat() as server:
        unfinished = {"role": "assistant", "content": "<think>Let me consider"}
        answer = {"choices": [{"index": 0, "message": unfinished, "finish_reason": "stop"}]}
        server.routes["/v1/chat/completions"] = in_turn(
            *[Reply.json(answer)] * 2, server.routes["/v1/chat/completions"]
        )
        with pytest.raises(TranslationError, match="sent an empty translation of 2406.02543"):
            fetch_translation(paper, chat(server), ID, "de")


def test_openai_compatible_needs_a_model(paper: Cache):
    with FakeChat() as server, pytest.raises(TranslationError) as caught:
        fetch_translation(paper, chat(server, model=""), ID, "de")
    assert "set [translation] model in" in str(caught.value)
    assert server.requests == []


# --- errors ------------------------------------------------------------------------------------


def test_401_says_the_key_was_rejected_without_showing_it(paper: Cache, key: str):
    with FakeChat(key="another-key") as server, pytest.raises(TranslationError) as caught:
        fetch_translation(paper, chat(server, api_key_env=KEY_ENV), ID, "de")
    assert str(caught.value) == (
        f"translator at {server.url('/v1/chat/completions')} rejected the API key in "
        f"${KEY_ENV} (401 Unauthorized: Incorrect API key provided)"
    )


def test_429_with_a_long_retry_after_is_reported_at_once(paper: Cache, sleeps: Sleeps):
    with FakeLibreTranslate() as server:
        slow_down = Reply.json({"error": "Slowdown: 20 per 1 minute"}, 429, **{"Retry-After": "60"})
        server.routes["/translate"] = in_turn(slow_down, server.routes["/translate"])
        with pytest.raises(TranslationError) as caught:
            fetch_translation(paper, libre(server), ID, "de", sleep=sleeps)
    assert str(caught.value) == (
        f"translator at {server.url('/translate')} answered 429 Too Many Requests "
        "(Slowdown: 20 per 1 minute); try again in 60 s"
    )
    assert caught.value.retry_after == 60.0
    assert len(posts(server)) == 1 and sleeps == []


def test_429_with_a_short_retry_after_is_waited_out(paper: Cache, sleeps: Sleeps):
    with FakeLibreTranslate() as server:
        server.routes["/translate"] = in_turn(
            Reply.json({"error": "Slowdown"}, 429, **{"Retry-After": "3"}),
            server.routes["/translate"],
        )
        translation = fetch_translation(paper, libre(server), ID, "de", sleep=sleeps)
    assert sleeps == [3.0] and len(posts(server)) == 2
    assert translation.source == "libretranslate"


def test_429_without_retry_after_backs_off_then_says_later(paper, sleeps, key):
    with FakeDeepL(key) as server:
        server.routes["/v2/translate"] = in_turn(
            *[Reply.json({"message": "Too many requests"}, 429)] * 3, server.routes["/v2/translate"]
        )
        with pytest.raises(TranslationError) as caught:
            fetch_translation(paper, deepl(server), ID, "de", sleep=sleeps)
    assert str(caught.value).endswith("429 Too Many Requests (Too many requests); try again later")
    assert caught.value.retry_after is None and sleeps == [1.0, 2.0]


def test_5xx_is_retried_with_backoff_then_reported(paper: Cache, sleeps: Sleeps, key: str):
    with FakeDeepL(key) as server:
        server.routes["/v2/translate"] = in_turn(
            *[Reply.json({"message": "Internal error"}, 503)] * 3, server.routes["/v2/translate"]
        )
        with pytest.raises(TranslationError) as caught:
            fetch_translation(paper, deepl(server), ID, "de", sleep=sleeps)
    assert str(caught.value) == (
        f"translator at {server.url('/v2/translate')} answered 503 Service Unavailable "
        "(Internal error); the translator failed, try again later"
    )
    assert sleeps == [1.0, 2.0] and len(server.requests) == 3


def test_a_timeout_names_the_url(paper: Cache, sleeps: Sleeps):
    with FakeChat() as server, make_client(timeout=0.2) as client:
        server.routes["/v1/chat/completions"] = in_turn(
            *[Reply(delay=1.0)] * 2, server.routes["/v1/chat/completions"]
        )
        with pytest.raises(TranslationError) as caught:
            fetch_translation(paper, chat(server), ID, "de", client=client, sleep=sleeps)
    assert str(caught.value) == (
        f"translation failed: {server.url('/v1/chat/completions')} did not answer in time "
        "(ReadTimeout)"
    )
    assert len(server.requests) == 2 and sleeps == [1.0]  # one retry for a language model


def test_a_body_that_is_not_json_is_named_with_its_type(paper: Cache):
    with FakeLibreTranslate() as server:
        page = "<html><body>Welcome to nginx!</body></html>"
        server.routes["/languages"] = in_turn(
            Reply(200, page, {"Content-Type": "text/html"}), server.routes["/languages"]
        )
        with pytest.raises(TranslationError) as caught:
            fetch_translation(paper, libre(server), ID, "de")
    assert str(caught.value) == (
        f"translator at {server.url('/languages')} answered 200 with text/html instead of JSON "
        f"(“<html><body>Welcome to nginx!</body></html>”); check [translation] url in "
        f"{config_path()}"
    )


def test_an_empty_body_is_named_as_such(paper: Cache):
    with FakeLibreTranslate() as server:
        server.routes["/languages"] = in_turn(Reply(200, ""), server.routes["/languages"])
        with pytest.raises(
            TranslationError, match=r"with no content type instead of JSON \(an empty body\)"
        ):
            fetch_translation(paper, libre(server), ID, "de")


def test_an_answer_of_the_wrong_shape_is_named(paper: Cache):
    with FakeLibreTranslate() as server:
        server.routes["/translate"] = in_turn(
            Reply.json({"translation": "x"}), server.routes["/translate"]
        )
        with pytest.raises(TranslationError, match=r"cannot read \(expected translatedText"):
            fetch_translation(paper, libre(server), ID, "de")


def test_an_unreachable_translator_is_one_sentence(paper: Cache, sleeps: Sleeps):
    with FakeLibreTranslate() as server:
        url = server.base
    with pytest.raises(TranslationError, match=rf"^translation failed: cannot reach {url}/"):
        fetch_translation(
            paper, TranslationSettings(provider="libretranslate", url=url), ID, sleep=sleeps
        )


def test_settings_errors_name_the_setting(paper: Cache):
    bad_url = TranslationSettings(provider="libretranslate", url="localhost:5000")
    with pytest.raises(TranslationError, match=r"\[translation\] url in .* must be an http"):
        fetch_translation(paper, bad_url, ID)
    unset = TranslationSettings(provider="libretranslate", api_key_env="PAPERDECK_NO_SUCH_VAR")
    with pytest.raises(TranslationError) as caught:
        fetch_translation(paper, unset, ID)
    assert str(caught.value) == (
        "the environment variable PAPERDECK_NO_SUCH_VAR, named by [translation] api_key_env in "
        f"{config_path()}, is not set"
    )


# --- the key stays secret ----------------------------------------------------------------------


@pytest.mark.parametrize("provider", ["libretranslate", "deepl", "openai"])
def test_the_key_is_in_no_log_line_and_no_error(paper, key, caplog, provider):
    caplog.set_level(logging.DEBUG)
    fakes = {
        "libretranslate": (lambda: FakeLibreTranslate(api_key=key), libre, "/translate"),
        "deepl": (lambda: FakeDeepL(key), deepl, "/v2/translate"),
        "openai": (lambda: FakeChat(key=key), chat, "/v1/chat/completions"),
    }
    make, settings_of, path = fakes[provider]
    with make() as server:
        settings = replace(settings_of(server), api_key_env=KEY_ENV)
        fetch_translation(paper, settings, ID, "de")
        # A proxy that echoes the key back in its error.
        server.routes[path] = in_turn(
            Reply.json({"error": f"Invalid API key {key}"}, 401), server.routes[path]
        )
        with pytest.raises(TranslationError) as caught:
            fetch_translation(paper, settings, ID, "fr")
    assert len(server.requests) >= 2
    assert "Invalid API key ***" in str(caught.value)
    assert key not in str(caught.value) and key not in repr(caught.value.args)
    assert caplog.records and all(key not in record.getMessage() for record in caplog.records)
    assert key not in caplog.text


# --- splitting -------------------------------------------------------------------------------


def test_split_text_prefers_paragraphs_then_sentences_then_words():
    text = "One two three. Four five six.\n\nSeven eight."
    assert split_text(text, 100) == [("", text)]
    assert split_text(text, 30) == [("", "One two three. Four five six."), ("\n\n", "Seven eight.")]
    assert split_text(text, 15) == [
        ("", "One two three."),
        (" ", "Four five six."),
        ("\n\n", "Seven eight."),
    ]
    assert split_text("abcdefgh ij", 3) == [("", "abc"), ("", "def"), ("", "gh"), (" ", "ij")]


def test_join_puts_no_space_after_chinese():
    assert (
        join(["", " ", "\n\n"], ["第一句。", "第二句。", "新段落"]) == "第一句。第二句。\n\n新段落"
    )
    assert join(["", " "], ["Eins.", "Zwei."]) == "Eins. Zwei."


@given(
    text=st.text(st.sampled_from("ab .\n"), min_size=1, max_size=300),
    limit=st.integers(min_value=1, max_value=60),
)
def test_split_text_pieces_fit_and_join_back(text: str, limit: int):
    pieces = split_text(text, limit)
    assert all(len(piece) <= limit for _, piece in pieces)
    assert all(piece.strip() for _, piece in pieces) or not text.strip()
    joined = join([sep for sep, _ in pieces], [piece for _, piece in pieces])
    if max(map(len, text.split()), default=0) <= limit:  # no word had to be cut
        assert joined.split() == text.split()
    else:
        assert "".join(joined.split()) == "".join(text.split())


# --- pre-translating a view ------------------------------------------------------------------


def test_translate_missing_asks_one_at_a_time_for_what_is_missing(cache, sleeps):
    add_paper(cache, "2406.00001")
    add_paper(cache, "2406.00002", translations=(Translation("2406.00002", "de", "x"),))
    add_paper(cache, "2406.00003", abstract="")
    add_paper(cache, "2406.00004")
    lines: list[str] = []
    ids = ["2406.00004", "2406.00003", "2406.00002", "2406.00001"]
    with FakeLibreTranslate() as server:
        slow_down = Reply.json({"error": "Slowdown"}, 429, **{"Retry-After": "120"})
        server.routes["/translate"] = in_turn(slow_down, server.routes["/translate"])
        done = translate_missing(
            cache, libre(server), ids, "de-AT", sleep=sleeps, progress=lines.append
        )
        assert translate_missing(cache, libre(server), ids, "de", progress=lines.append) == 0
    assert done == 2
    assert [r.json()["q"][1] for r in posts(server)] == [ABSTRACT] * 3  # 429, then two papers
    assert server.max_in_flight == 1
    assert sleeps == [120.0]  # a batch waits as long as it is asked to
    assert lines == [
        "skipping 1 paper without an abstract",
        f"[1/2] 2406.00004 {TITLE}",
        "waiting 120 s before asking the translator again",
        f"[2/2] 2406.00001 {TITLE}",
        "skipping 1 paper without an abstract",
        "nothing to translate into de",
    ]
    assert cache.translation("2406.00002", "de").abstract == "x"
    assert cache.translation("2406.00001", "de").source == "libretranslate"


def test_storage_translate_imports_without_httpx():
    code = "import sys, paperdeck.storage.translate; print('httpx' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
