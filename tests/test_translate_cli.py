"""``paperdeck translate``: printing from the cache, fetching once, calm failures, and
pre-translating a topic — through the real entry point and a loopback LibreTranslate."""

from __future__ import annotations

import pytest

from paperdeck.storage.cache.database import Cache
from paperdeck.storage.config import cache_path, config_path
from paperdeck.storage.models import Incoming, Paper, Translation
from paperdeck.tui.cli import main
from tests.support.loopback import Reply, in_turn
from tests.support.translators import FakeLibreTranslate

KEY_ENV = "PAPERDECK_TEST_KEY"
KEY = "lt-secret-4c2e"


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def configure(provider: str = "libretranslate", url: str = "", extra: str = "") -> None:
    config_path().write_text(
        f'[translation]\nprovider = "{provider}"\nurl = "{url}"\ntarget = "zh"\n{extra}'
    )


def add_papers(*papers: tuple[str, str], translations: tuple[Translation, ...] = ()) -> None:
    """Papers ``(id, abstract)`` in the topic LLM."""
    with Cache(cache_path()) as cache:
        cache.upsert(
            Incoming(
                Paper(id=paper_id, title=f"Title {paper_id}", published="2024-06-04", abstract=a),
                ("LLM",),
                tuple(t for t in translations if t.paper_id == paper_id),
            )
            for paper_id, a in papers
        )


@pytest.fixture
def server():
    with FakeLibreTranslate() as fake:
        configure(url=fake.base)
        yield fake


def test_translate_prints_title_then_abstract_and_fetches_only_once(server, capsys):
    add_papers(("2406.00001", "First paragraph.\n\nSecond paragraph."))
    code, out, err = run(capsys, "translate", "2406.00001v2", "--to", "de")
    assert (code, err) == (0, "")
    assert out == "[de] TITLE 2406.00001\n\n[de] FIRST PARAGRAPH.\n\nSECOND PARAGRAPH.\n"
    requests = len(server.requests)
    assert requests == 2  # the language list, then the translation
    assert run(capsys, "translate", "2406.00001", "--to", "de-CH") == (0, out, "")
    assert len(server.requests) == requests  # printed from the cache


def test_translate_defaults_to_the_configured_target_and_prints_a_digest_translation(
    server, capsys
):
    digest = Translation("2406.00001", "zh", "中文摘要", source="digest")
    add_papers(("2406.00001", "Abstract."), translations=(digest,))
    assert run(capsys, "translate", "2406.00001") == (0, "中文摘要\n", "")
    assert server.requests == []


def test_a_provider_error_is_one_line_on_stderr_and_exit_1(server, capsys, monkeypatch):
    monkeypatch.setenv(KEY_ENV, KEY)
    configure(url=server.base, extra=f'api_key_env = "{KEY_ENV}"\n')
    add_papers(("2406.00001", "Abstract."))
    server.routes["/translate"] = in_turn(
        Reply.json({"error": f"Invalid API key {KEY}"}, 403), server.routes["/translate"]
    )
    code, out, err = run(capsys, "translate", "2406.00001", "--to", "de")
    assert (code, out) == (1, "")
    assert err == (
        f"paperdeck: translator at {server.url('/translate')} rejected the API key in "
        f"${KEY_ENV} (403 Forbidden: Invalid API key ***)\n"
    )


def test_without_a_provider_the_message_names_the_config_file(capsys):
    add_papers(("2406.00001", "Abstract."))
    code, out, err = run(capsys, "translate", "2406.00001", "--to", "de")
    assert (code, out) == (1, "")
    assert err == (
        "paperdeck: no translation provider configured — set [translation] provider in "
        f"{config_path()}\n"
    )


def test_an_invalid_config_or_unknown_paper_or_language_is_exit_1(server, capsys):
    add_papers(("2406.00001", "Abstract."))
    code, _, err = run(capsys, "translate", "2406.00002")
    assert (
        code == 1 and err == "paperdeck: 2406.00002 is not in the cache (import or sync it first)\n"
    )
    code, _, err = run(capsys, "translate", "2406.00001", "--to", "Klingon language")
    assert code == 1 and "is not a language code" in err
    config_path().write_text('[translation]\nprovider = "google"\n')
    code, _, err = run(capsys, "translate", "2406.00001")
    assert code == 1 and err.startswith(f"paperdeck: {config_path()}:2: [translation]: provider")
    assert server.requests == []


@pytest.mark.parametrize(
    "args",
    [
        ["translate"],
        ["translate", "2406.00001", "--missing", "--topic", "LLM"],
        ["translate", "--missing"],
        ["translate", "2406.00001", "--topic", "LLM"],
    ],
)
def test_translate_needs_an_id_or_missing_with_a_topic(args, capsys):
    with pytest.raises(SystemExit) as exited:
        main(args)
    assert exited.value.code == 2
    assert "give an ID, or --missing with --topic NAME" in capsys.readouterr().err


def test_missing_translates_only_what_the_topic_lacks_one_at_a_time(server, capsys):
    have = Translation("2406.00002", "de", "Schon da.", source="libretranslate")
    add_papers(
        ("2406.00001", "One."),
        ("2406.00002", "Two."),
        ("2406.00003", "Three."),
        translations=(have,),
    )
    with Cache(cache_path()) as cache:  # a paper outside the topic is left alone
        cache.upsert(
            [
                Incoming(
                    Paper(id="2406.00009", title="Other", published="2024-06-04", abstract="Nine.")
                )
            ]
        )
    code, out, err = run(capsys, "translate", "--missing", "--topic", "LLM", "--to", "de")
    assert (code, out) == (0, "")
    assert [r.json()["q"][1] for r in server.requests if r.method == "POST"] == ["Three.", "One."]
    assert server.max_in_flight == 1
    assert err.splitlines() == [
        "[1/2] 2406.00003 Title 2406.00003",
        "[2/2] 2406.00001 Title 2406.00001",
        "translated 2 of 3 papers",
    ]
    code, _, err = run(capsys, "translate", "--missing", "--topic", "LLM", "--to", "de")
    assert code == 0 and err.splitlines() == [
        "nothing to translate into de",
        "translated 0 of 3 papers",
    ]
    code, _, err = run(capsys, "translate", "--missing", "--topic", "Vision", "--to", "de")
    assert code == 1 and err == "paperdeck: no topic named 'Vision' (topics: LLM)\n"
    with Cache(cache_path()) as cache:
        assert cache.translation("2406.00002", "de").abstract == "Schon da."
        assert cache.translation("2406.00009", "de") is None
