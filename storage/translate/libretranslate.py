"""LibreTranslate (self-hosted or libretranslate.com): ``POST /translate``, with the
language code spelled as the server spells it (``GET /languages``)."""

from __future__ import annotations

import re

from paperdeck.storage.translate.base import Provider
from paperdeck.storage.translate.errors import TranslationError
from paperdeck.storage.translate.langs import is_traditional_chinese, subtags

_TEXT_LIMIT = re.compile(r"exceeds text limit \((\d+)\)")
# Chinese is zh-Hans/zh-Hant on current servers, zh/zt on older ones.
_SIMPLIFIED = ["zh-hans", "zh", "zh-cn"]
_TRADITIONAL = ["zh-hant", "zt", "zh-tw"]


class LibreTranslate(Provider):
    name = "libretranslate"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._targets: dict[str, str] | None = None  # lower case → the server's spelling

    def translate(self, texts: list[str], code: str) -> list[str]:
        url = f"{self.url}/translate"
        payload = {"q": texts, "source": "en", "target": self.target(code), "format": "text"}
        if self.key:
            payload["api_key"] = self.key
        data = self.request("POST", url, json=payload)
        translated = data.get("translatedText") if isinstance(data, dict) else None
        if not isinstance(translated, list) or len(translated) != len(texts):
            raise self.unexpected(url, f"expected translatedText with {len(texts)} texts")
        if not all(isinstance(text, str) for text in translated):
            raise self.unexpected(url, "translatedText holds something other than text")
        return translated

    def target(self, code: str) -> str:
        """The server's code for ``code``: Chinese by script (falling back to the other
        script rather than failing), others exactly, by language, or by any region."""
        targets = self._languages()
        tags = subtags(code)
        if tags[0] == "zh":
            traditional = is_traditional_chinese(code)
            candidates = _TRADITIONAL + _SIMPLIFIED if traditional else _SIMPLIFIED + _TRADITIONAL
        else:
            candidates = ["-".join(tags), tags[0]]
        candidates += sorted(name for name in targets if name.startswith(f"{tags[0]}-"))
        for candidate in candidates:
            if candidate in targets:
                return targets[candidate]
        offered = ", ".join(sorted(targets.values())) or "nothing"
        raise self.error(
            f"translator at {self.url} cannot translate from English into {code.strip()} "
            f"(it offers {offered})"
        )

    def _languages(self) -> dict[str, str]:
        """What English translates into, asked once per provider."""
        if self._targets is None:
            url = f"{self.url}/languages"
            data = self.request("GET", url)
            if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
                raise self.unexpected(url, "expected a list of languages")
            english = next((item for item in data if item.get("code") == "en"), None)
            # Older servers list no targets: then every language is one.
            codes = (english or {}).get("targets") or [item.get("code") for item in data]
            if not isinstance(codes, list):
                raise self.unexpected(url, "the targets of English are not a list")
            self._targets = {c.lower(): c for c in codes if isinstance(c, str) and c != "en"}
        return self._targets

    def failure(self, response, message: str) -> TranslationError:
        limit = _TEXT_LIMIT.search(message) if response.status_code == 400 else None
        if limit:
            return self.too_long(response, message, int(limit.group(1)))
        return super().failure(response, message)
