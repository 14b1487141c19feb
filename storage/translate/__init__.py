"""Translations of titles and abstracts: the cache policy, and the providers behind it.

A stored translation always answers first — a digest's or one fetched before — so a
(paper, language) is fetched at most once. Translations are cached under the normalised
language code (:func:`normalize_lang`: ``zh-TW`` is ``zh``) with their source: ``digest``
or the provider's name. Providers: ``libretranslate``, ``deepl`` (API v2), ``openai``
(any OpenAI-compatible chat-completions server); ``none`` reads only what is stored.

The API key comes from the environment variable named by ``[translation] api_key_env``;
it is never logged, stored or shown. httpx is imported only when a request is made.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from paperdeck.storage.cache.database import Cache
from paperdeck.storage.config import TranslationSettings, config_path
from paperdeck.storage.http import MissingKey, api_key
from paperdeck.storage.models import Paper, Translation
from paperdeck.storage.parsers.text import clean_generated, clean_line
from paperdeck.storage.translate.base import Provider
from paperdeck.storage.translate.deepl import DeepL
from paperdeck.storage.translate.errors import TranslationError
from paperdeck.storage.translate.langs import normalize_lang
from paperdeck.storage.translate.libretranslate import LibreTranslate
from paperdeck.storage.translate.openai import OpenAICompatible
from paperdeck.storage.translate.split import translate_texts

if TYPE_CHECKING:
    import httpx

__all__ = [
    "TranslationError",
    "any_translation",
    "cached_translation",
    "fetch_translation",
    "normalize_lang",
    "translate_missing",
]

log = logging.getLogger(__name__)

PROVIDERS: dict[str, type[Provider]] = {
    provider.name: provider for provider in (LibreTranslate, OpenAICompatible, DeepL)
}
"""Every provider by its name in ``[translation] provider`` (besides ``none``)."""


def cached_translation(cache: Cache, paper_id: str, lang: str) -> Translation | None:
    """The stored translation of a paper into ``lang`` (any variant: ``zh-TW`` finds ``zh``)."""
    return cache.translation(paper_id, normalize_lang(lang))


def any_translation(cache: Cache, paper_id: str) -> Translation | None:
    """A stored translation in any language (the first by code), for provider ``none``."""
    langs = cache.translation_langs(paper_id)
    return cache.translation(paper_id, langs[0]) if langs else None


def fetch_translation(
    cache: Cache,
    settings: TranslationSettings,
    paper_id: str,
    lang: str | None = None,
    *,
    client: httpx.Client | None = None,
    sleep: Callable[[float], None] = time.sleep,
    save: Callable[[Translation], None] | None = None,
) -> Translation:
    """The translation of a paper's title and abstract into ``lang`` (default: the
    configured target): from the cache without a request, else through the provider,
    stored with the provider's name as its source. Raises :class:`TranslationError`.

    Safe in a worker thread with its own ``cache``; the result carries ``paper_id`` so a
    late answer can be matched to what is on screen. ``sleep`` waits between retries;
    ``save`` stores a fetched translation instead of ``cache.put_translation`` (the
    reader hands it to its writer, so a busy cache never costs the translation).
    """
    code = lang or settings.target
    found = cached_translation(cache, paper_id, code)
    if found is not None:
        return found
    paper = cache.paper(paper_id)
    if paper is None:
        raise TranslationError(f"{paper_id} is not in the cache")
    with _translator(settings, client=client, sleep=sleep) as provider:
        translation = _translate(provider, paper, code)
    (save or cache.put_translation)(translation)
    return translation


def translate_missing(
    cache: Cache,
    settings: TranslationSettings,
    paper_ids: Iterable[str],
    lang: str | None = None,
    *,
    client: httpx.Client | None = None,
    sleep: Callable[[float], None] = time.sleep,
    progress: Callable[[str], None] = lambda line: None,
) -> int:
    """Translate, one request at a time, each of ``paper_ids`` that has an abstract but
    no translation into ``lang``, waiting as long as the translator asks (up to five
    minutes a time). Returns how many were translated; the first failure raises
    :class:`TranslationError` (what was translated before it stays stored)."""
    code = lang or settings.target
    target = normalize_lang(code)
    missing: list[Paper] = []
    bare = 0
    for paper_id in paper_ids:
        if cache.translation(paper_id, target) is not None:
            continue
        paper = cache.paper(paper_id)
        if paper is not None and paper.abstract:
            missing.append(paper)
        else:
            bare += 1
    if bare:
        progress(f"skipping {bare} paper{'s' if bare > 1 else ''} without an abstract")
    if not missing:
        progress(f"nothing to translate into {target}")
        return 0

    def wait(seconds: float) -> None:
        progress(f"waiting {seconds:.0f} s before asking the translator again")
        sleep(seconds)

    with _translator(settings, client=client, sleep=wait, patient=True) as provider:
        for number, paper in enumerate(missing, start=1):
            progress(f"[{number}/{len(missing)}] {paper.id} {paper.title[:60]}")
            cache.put_translation(_translate(provider, paper, code))
    return len(missing)


@contextmanager
def _translator(
    settings: TranslationSettings,
    *,
    client: httpx.Client | None,
    sleep: Callable[[float], None],
    patient: bool = False,
) -> Iterator[Provider]:
    """The configured provider with its key and a client (closed after, unless given)."""
    provider_class = PROVIDERS.get(settings.provider)
    if provider_class is None:
        raise TranslationError(
            f"no translation provider configured — set [translation] provider in {config_path()}"
        )
    if not re.match(r"https?://", settings.url):
        raise TranslationError(
            f"[translation] url in {config_path()} must be an http(s) URL, not {settings.url!r}"
        )
    key = _api_key(settings)
    if client is None:
        from paperdeck.storage.http import make_client

        with make_client(timeout=provider_class.timeout) as own:
            yield provider_class(settings, key, own, sleep=sleep, patient=patient)
    else:
        yield provider_class(settings, key, client, sleep=sleep, patient=patient)


def _api_key(settings: TranslationSettings) -> str | None:
    try:
        return api_key(settings.api_key_env, f"[translation] api_key_env in {config_path()}")
    except MissingKey as exc:
        raise TranslationError(str(exc)) from None


def _translate(provider: Provider, paper: Paper, code: str) -> Translation:
    if not paper.abstract:
        raise TranslationError(f"{paper.id} has no abstract to translate")
    log.debug("translating %s into %s through %s", paper.id, code, provider.name)
    texts = [paper.title, paper.abstract] if paper.title else [paper.abstract]
    *title, abstract = translate_texts(provider, texts, code)
    translation = Translation(
        paper.id,
        normalize_lang(code),
        clean_generated(abstract),
        title=clean_line(clean_generated(title[0])) if title else "",
        source=provider.name,
    )
    if not translation.abstract:
        raise provider.error(
            f"translator at {provider.url} sent an empty translation of {paper.id}"
        )
    return translation
