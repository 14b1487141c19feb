"""DeepL API v2: ``POST /v2/translate`` with ``Authorization: DeepL-Auth-Key …``.

Free keys (ending in ``:fx``) belong to api-free.deepl.com, others to api.deepl.com;
``[translation] url`` chooses another host when it is set.
"""

from __future__ import annotations

from paperdeck.storage.config import TranslationSettings, config_path
from paperdeck.storage.translate.base import Provider
from paperdeck.storage.translate.errors import TranslationError
from paperdeck.storage.translate.langs import is_traditional_chinese, subtags

FREE_URL = "https://api-free.deepl.com"
PRO_URL = "https://api.deepl.com"
_DEFAULT_URL = TranslationSettings().url


def deepl_url(settings: TranslationSettings, key: str) -> str:
    """The API host: ``[translation] url`` when set, else Free or Pro by the key."""
    url = settings.url.rstrip("/")
    if url == _DEFAULT_URL:
        return FREE_URL if key.endswith(":fx") else PRO_URL
    return url.removesuffix("/v2")


def deepl_target(code: str) -> str:
    """DeepL's ``target_lang``: ``ZH-HANS``/``ZH-HANT``, ``EN-US``/``EN-GB``,
    ``PT-PT``/``PT-BR`` (plain EN and PT are deprecated as targets), else the language."""
    tags = subtags(code)
    if tags[0] == "zh":
        return "ZH-HANT" if is_traditional_chinese(code) else "ZH-HANS"
    if tags[0] == "en":
        return "EN-GB" if "gb" in tags[1:] else "EN-US"
    if tags[0] == "pt":
        return "PT-BR" if "br" in tags[1:] else "PT-PT"
    return tags[0].upper()


class DeepL(Provider):
    name = "deepl"

    def __init__(self, settings: TranslationSettings, key: str | None, *args, **kwargs):
        if not key:
            raise TranslationError(
                "DeepL needs an API key: put it in an environment variable and name that "
                f"variable in [translation] api_key_env in {config_path()}"
            )
        super().__init__(settings, key, *args, **kwargs)

    @property
    def url(self) -> str:
        return deepl_url(self.settings, self.key)

    def translate(self, texts: list[str], code: str) -> list[str]:
        url = f"{self.url}/v2/translate"
        payload = {"text": texts, "source_lang": "EN", "target_lang": deepl_target(code)}
        headers = {"Authorization": f"DeepL-Auth-Key {self.key}"}
        data = self.request("POST", url, json=payload, headers=headers)
        items = data.get("translations") if isinstance(data, dict) else None
        if not isinstance(items, list) or len(items) != len(texts):
            raise self.unexpected(url, f"expected translations of {len(texts)} texts")
        translated = [item.get("text") if isinstance(item, dict) else None for item in items]
        if not all(isinstance(text, str) for text in translated):
            raise self.unexpected(url, "a translation without text")
        return translated

    def failure(self, response, message: str) -> TranslationError:
        status, url = response.status_code, response.request.url
        if status == 413:
            return self.too_long(response, message, None)
        if status == 456:
            return self.error(
                f"translator at {url} answered 456 Quota Exceeded: this DeepL key has used "
                "its character quota for the billing period"
            )
        if status == 403 and "wrong endpoint" in message.lower():
            return self.error(
                f"translator at {url} answered 403 ({message}); set [translation] url to "
                f"that host in {config_path()}"
            )
        return super().failure(response, message)
