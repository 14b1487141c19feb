"""Language codes: the one code a language is cached and toggled under, and the variant
(script or region) a provider is asked for.

The cache keys a translation by language only: ``zh-TW`` and ``zh-CN`` are both ``zh``,
so a digest's simplified ``摘要`` answers a request for Traditional Chinese too. The
variant still chooses what a provider is asked for (``zh-Hant``, ``ZH-HANT``, …).
"""

from __future__ import annotations

import re

from paperdeck.storage.translate.errors import TranslationError

_CODE = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*")
_TRADITIONAL = frozenset({"hant", "tw", "hk", "mo"})

_NAMES = {
    "ar": "Arabic",
    "de": "German",
    "en": "English",
    "es": "Spanish",
    "fr": "French",
    "hi": "Hindi",
    "it": "Italian",
    "ja": "Japanese",
    "ko": "Korean",
    "nl": "Dutch",
    "pl": "Polish",
    "pt": "Portuguese",
    "ru": "Russian",
    "tr": "Turkish",
    "uk": "Ukrainian",
    "vi": "Vietnamese",
}


def subtags(code: str) -> list[str]:
    """``"zh_Hant-TW"`` → ``["zh", "hant", "tw"]``; raises for what is not a code."""
    code = code.strip()
    if not _CODE.fullmatch(code):
        raise TranslationError(f"{code!r} is not a language code (such as zh, de or pt-BR)")
    return code.lower().replace("_", "-").split("-")


def normalize_lang(code: str) -> str:
    """The code a translation is cached under: the primary subtag in lower case.

    ``zh``, ``zh-CN``, ``zh-Hans``, ``zh-TW`` and ``zh-Hant`` are all ``zh``; ``DE`` is
    ``de``; ``pt-BR`` is ``pt``. Raises :class:`TranslationError` for what is not a code.
    """
    return subtags(code)[0]


def is_traditional_chinese(code: str) -> bool:
    """``zh-Hant``, ``zh-TW``, ``zh-HK``, ``zh-MO``; plain ``zh`` means Simplified."""
    tags = subtags(code)
    return tags[0] == "zh" and not _TRADITIONAL.isdisjoint(tags[1:])


def language_name(code: str) -> str:
    """An English name for a prompt: ``zh`` → "Simplified Chinese", ``pt-BR`` →
    "Brazilian Portuguese"; a code without a name here is named by its code."""
    tags = subtags(code)
    if tags[0] == "zh":
        return "Traditional Chinese" if is_traditional_chinese(code) else "Simplified Chinese"
    if tags[:2] == ["pt", "br"]:
        return "Brazilian Portuguese"
    return _NAMES.get(tags[0], f"the language with the code {code.strip()}")
