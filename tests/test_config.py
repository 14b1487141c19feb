"""Configuration: paths, defaults, and errors that name file, line and key."""

from __future__ import annotations

from pathlib import Path

import platformdirs
import pytest

from paperdeck.storage import translate
from paperdeck.storage.config import (
    MAX_CONFIG_BYTES,
    TRANSLATION_PROVIDERS,
    ConfigError,
    cache_path,
    config_path,
    load_config,
    parse_config,
)
from paperdeck.tui.app import PaperdeckApp
from paperdeck.tui.cli import main


def test_environment_overrides_the_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PAPERDECK_DATA_DIR", str(tmp_path / "d"))
    monkeypatch.setenv("PAPERDECK_CONFIG", str(tmp_path / "c.toml"))
    assert cache_path() == tmp_path / "d" / "paperdeck.db"
    assert config_path() == tmp_path / "c.toml"


def test_platformdirs_locations_without_overrides(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("PAPERDECK_DATA_DIR")
    monkeypatch.delenv("PAPERDECK_CONFIG")
    assert "paperdeck" in str(cache_path()) and config_path().name == "config.toml"


def test_a_missing_file_means_defaults_with_one_llm_topic(tmp_path: Path):
    config = load_config(tmp_path / "absent.toml")
    assert [t.name for t in config.topics] == ["LLM"]
    assert config.feeds == [] and config.digests == []
    assert config.arxiv.delay_seconds == 3 and config.arxiv.page_size == 100
    assert config.translation.provider == "none" and config.translation.target == "zh"
    assert config.ui.auto_mark_read and config.ui.theme == "textual-dark"
    assert config.path is None


@pytest.mark.parametrize("command", [[], ["sync"], ["list"], ["star", "2406.02543"]])
def test_a_config_file_paperdeck_config_names_must_exist(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys, command: list[str]
):
    """A file named on purpose that is not there is a typo, not a wish for the defaults:
    the reader and every command say so at once (and start nothing)."""
    missing = tmp_path / "paperdek.toml"
    monkeypatch.setenv("PAPERDECK_CONFIG", str(missing))
    monkeypatch.setattr(PaperdeckApp, "run", lambda self: pytest.fail("the app started"))
    assert main(command) == 1
    assert capsys.readouterr().err == (
        f"paperdeck: {missing}: no such configuration file (PAPERDECK_CONFIG names it; "
        "unset it for the defaults)\n"
    )
    with pytest.raises(ConfigError):
        load_config()


def test_a_missing_file_at_the_usual_place_means_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.delenv("PAPERDECK_CONFIG")
    monkeypatch.setattr(platformdirs, "user_config_dir", lambda name: str(tmp_path / name))
    assert load_config().path is None and [t.name for t in load_config().topics] == ["LLM"]


def test_every_contract_key_is_read(tmp_path: Path):
    text = """
[arxiv]
api_url = "http://127.0.0.1:9/api/query"
delay_seconds = 0.5
page_size = 50

[[topics]]
name = "RL"
query = "ti:reinforcement"
categories = ["cs.LG"]
max_results = 20

[[feeds]]
category = "cs.CL"
announce_types = ["new", "replace"]

[[digests]]
url = "https://example.org/README.md"

[codelinks]
lookup = true

[translation]
provider = "libretranslate"
url = "http://localhost:5000"
target = "de"
model = ""
api_key_env = "LT_KEY"

[sync]
on_start = true

[ui]
auto_mark_read = false
theme = "nord"

[keys]
star = "f"
"""
    config = parse_config(text, tmp_path / "c.toml")
    assert config.arxiv.api_url.startswith("http://127.0.0.1") and config.arxiv.delay_seconds == 0.5
    assert (config.topics[0].name, config.topics[0].categories, config.topics[0].max_results) == (
        "RL", ["cs.LG"], 20)
    assert config.feeds[0].announce_types == ["new", "replace"]
    assert config.digests[0].url == "https://example.org/README.md"
    assert config.codelinks.lookup and config.sync.on_start and not config.ui.auto_mark_read
    assert config.translation.api_key_env == "LT_KEY" and config.keys == {"star": "f"}


def test_a_config_file_replaces_the_default_lists(tmp_path: Path):
    assert parse_config('[ui]\ntheme = "nord"\n', tmp_path / "c.toml").topics == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[ui]\ntheme = "x"\nauto_mark_read = "yes"\n', "c.toml:3: [ui]: auto_mark_read must be true or false"),
        ("[arxiv]\npage_size = 5000\n", "c.toml:2: [arxiv]: page_size must be between 1 and 2000"),
        ("[arxiv]\ndelay_seconds = -1\n", "c.toml:2: [arxiv]: delay_seconds must be a number ≥ 0"),
        ('[[topics]]\nname = "a"\nquery = "b"\n[[topics]]\nname = "c"\nquery = "d"\nmax_result = 3\n',
         "c.toml:7: [[topics]] #2: unknown key 'max_result' (did you mean 'max_results'?)"),
        ('[[topics]]\nname = "a"\n', "c.toml:1: [[topics]] #1: missing required key 'query'"),
        ('[translation]\nprovider = "google"\n', "c.toml:2: [translation]: provider must be one of"),
        ("[colours]\n", "c.toml:1: [colours]: unknown section [colours]"),
        ('[[feeds]]\ncategory = "cs.CL"\nannounce_types = ["fresh"]\n', "c.toml:3: [[feeds]] #1: announce_types"),
        ('[[digests]]\nurl = "file:///etc/passwd"\n', "c.toml:2: [[digests]] #1: url must be an http(s) URL"),
        ("[keys]\nstar = 3\n", "c.toml:2: [keys]: star must be a key"),
        ("[ui\n", "c.toml:1: invalid TOML: Expected ']' at the end of a table declaration"),
        ("[translation]\ntarget = zh\n", "c.toml:2: [translation]: target: invalid TOML: Invalid value at column 10"),
        ('[[topics]]\nname = "a"\nquery = "b"\n[[topics]]\nname = "a"\nquery = "c"\n',
         "c.toml:5: [[topics]] #2: topic 'a' is defined twice"),
    ],
)
def test_invalid_files_name_file_line_and_key(tmp_path: Path, text: str, message: str):
    path = tmp_path / "c.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert str(error.value).startswith(str(tmp_path / message.split(":")[0]) + message[len(message.split(":")[0]):])


def test_the_providers_the_config_accepts_are_the_ones_translation_has(tmp_path: Path):
    """One list of providers: the settings' plain tuple names translation's providers, in order."""
    assert tuple(translate.PROVIDERS) == TRANSLATION_PROVIDERS
    assert parse_config('[translation]\nprovider = "deepl"\n', tmp_path / "c.toml").translation.provider == "deepl"
    with pytest.raises(ConfigError, match="must be one of none, libretranslate, openai, deepl, not 'x'"):
        parse_config('[translation]\nprovider = "x"\n', tmp_path / "c.toml")


def test_an_unreadable_file_is_a_clear_error(tmp_path: Path):
    path = tmp_path / "c.toml"
    path.write_bytes(b"\xff\xfe not utf-8")
    with pytest.raises(ConfigError, match="cannot read the configuration file"):
        load_config(path)
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path)  # a directory


# --- hostile files ---------------------------------------------------------------------


def test_a_byte_order_mark_is_read_past(tmp_path: Path):
    path = tmp_path / "c.toml"
    path.write_bytes(b'\xef\xbb\xbf[ui]\ntheme = "nord"\n')
    assert load_config(path).ui.theme == "nord"


def test_a_file_that_is_not_utf8_names_the_line(tmp_path: Path):
    path = tmp_path / "c.toml"
    path.write_bytes(b'[ui]\ntheme = "nord"\n\n[[topics]]\nname = "Caf\xe9"\nquery = "x"\n')
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert str(error.value).startswith(f"{path}:5: cannot read the configuration file")
    assert "line 5 is not UTF-8 (byte 0xe9)" in str(error.value)


@pytest.mark.parametrize("size", [MAX_CONFIG_BYTES + 1, 50 * MAX_CONFIG_BYTES])
def test_an_enormous_file_is_refused_without_reading_it_all(tmp_path: Path, size: int):
    path = tmp_path / "c.toml"
    path.write_bytes(b'[ui]\ntheme = "nord"\n' + b"#" * size)
    with pytest.raises(ConfigError, match=r"c\.toml: .*larger than 1024 KB"):
        load_config(path)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_a_config_path_that_never_ends_is_refused():
    with pytest.raises(ConfigError, match="larger than"):
        load_config(Path("/dev/zero"))


@pytest.mark.parametrize(
    "value",
    ["[" * 3000 + "]" * 3000, "{a = " * 3000 + "1" + "}" * 3000],
    ids=["arrays", "inline tables"],
)
def test_values_nested_too_deeply_name_file_line_and_key(tmp_path: Path, value: str):
    path = tmp_path / "c.toml"
    path.write_text(f'[ui]\ntheme = "nord"\n\n[keys]\nstar = {value}\n')
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert str(error.value).startswith(f"{path}:5: star nests more than 100 levels")


def test_names_with_escapes_are_shown_escaped(tmp_path: Path):
    path = tmp_path / "c.toml"
    path.write_text('["\\u001b[2J"]\nx = 1\n')
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert "\x1b" not in str(error.value) and "'\\x1b[2J'" in str(error.value)
    path.write_text('[keys]\n"\\u001b[2J" = 3\n')
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert "\x1b" not in str(error.value) and "'\\x1b[2J' must be a key" in str(error.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[ui]\ntheme = "[bold red]neon[/]"\n', ":2: [ui]: theme '[bold red]neon[/]' is not a theme"),
        ('[ui]\ntheme = "nord"\n[keys]\nstar = "[@click=app.quit]x[/]"\n',
         ":4: [keys]: star = '[@click=app.quit]x[/]': '[@click=app.quit]x[/]' is not a key"),
        ('[keys]\nstar = "f, ctrl+[b]"\n', ":2: [keys]: star = 'f, ctrl+[b]': 'ctrl+[b]' is not a key"),
        ('[keys]\n"[b]x[/b]" = "f"\n', ":2: [keys]: '[b]x[/b]' is not a binding id"),
        ('[keys]\nstar = "ff"\n', ":2: [keys]: star = 'ff': 'ff' is not a key"),
    ],
)  # fmt: skip
def test_markup_in_a_setting_stops_the_app_before_it_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys, text: str, message: str
):
    path = tmp_path / "config.toml"
    path.write_text(text)
    monkeypatch.setenv("PAPERDECK_CONFIG", str(path))
    monkeypatch.setattr(PaperdeckApp, "run", lambda self: pytest.fail("the app started"))
    assert main([]) == 1
    printed = capsys.readouterr()
    assert f"paperdeck: {path}{message}" in printed.out + printed.err


def test_good_keys_pass_the_same_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    path = tmp_path / "config.toml"
    path.write_text('[keys]\nstar = "f,ctrl+s,f5"\nsearch = "question_mark"\nopen_pdf = "minus"\n')
    monkeypatch.setenv("PAPERDECK_CONFIG", str(path))
    started = []
    monkeypatch.setattr(PaperdeckApp, "run", lambda self: started.append(True))
    assert main([]) == 0 and started == [True]


def test_a_topic_name_with_an_escape_is_refused(tmp_path: Path):
    path = tmp_path / "c.toml"
    path.write_text('[[topics]]\nname = "LLM\\u001b[2J"\nquery = "ti:x"\n')
    with pytest.raises(ConfigError) as error:
        load_config(path)
    message = str(error.value)
    assert message.startswith(f"{path}:2: [[topics]] #1: name 'LLM\\x1b[2J' holds a control")
    assert "\x1b" not in message
