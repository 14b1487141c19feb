"""Any OpenAI-compatible chat-completions server (Ollama, llama.cpp, vLLM, …):
``POST {url}/chat/completions`` where ``[translation] url`` is the ``…/v1`` base."""

from __future__ import annotations

from paperdeck.storage.config import TranslationSettings, config_path
from paperdeck.storage.translate.base import Provider
from paperdeck.storage.translate.errors import TranslationError
from paperdeck.storage.translate.langs import language_name


def system_prompt(code: str) -> str:
    """The instruction: a faithful, complete translation and nothing else."""
    return (
        "You translate scientific papers. Translate the user's text, the title or the "
        f"abstract of a paper, from English into {language_name(code)}. Translate "
        "faithfully and completely: add, leave out, summarise and explain nothing. Keep "
        "TeX (such as $\\alpha$ or \\mathcal{O}(n)), numbers, units, URLs, code and the "
        "names of people, models, datasets and methods exactly as written, and keep the "
        "paragraph breaks. Answer with the translation only."
    )


class OpenAICompatible(Provider):
    name = "openai"
    timeout = 120.0  # a local model on a laptop takes its time
    retries = 1  # a retry starts the whole answer again

    def __init__(self, settings: TranslationSettings, *args, **kwargs):
        if not settings.model:
            raise TranslationError(
                "no model configured for the OpenAI-compatible translator — set "
                f"[translation] model in {config_path()} (for example qwen2.5:7b)"
            )
        super().__init__(settings, *args, **kwargs)

    def translate(self, texts: list[str], code: str) -> list[str]:
        return [self._complete(text, code) for text in texts]

    def _complete(self, text: str, code: str) -> str:
        url = f"{self.url}/chat/completions"
        payload = {
            "model": self.settings.model,
            "messages": [
                {"role": "system", "content": system_prompt(code)},
                {"role": "user", "content": text},
            ],
            "temperature": 0.2,
            "stream": False,
        }
        headers = {"Authorization": f"Bearer {self.key}"} if self.key else {}
        data = self.request("POST", url, json=payload, headers=headers)
        try:
            choice = data["choices"][0]
            content = choice["message"]["content"]
        except (KeyError, IndexError, TypeError):
            raise self.unexpected(url, "no choices[0].message.content") from None
        if not isinstance(content, str):
            raise self.unexpected(url, "the message content is not text")
        if choice.get("finish_reason") == "length":
            raise self.error(
                f"translator at {url} stopped before the end of the translation "
                f"(finish_reason length): the model {self.settings.model!r} ran out of tokens"
            )
        return content

    def failure(self, response, message: str) -> TranslationError:
        if response.status_code != 404:
            return super().failure(response, message)
        url = response.request.url
        if "model" in message.lower():
            return self.error(
                f"translator at {url} has no model {self.settings.model!r} ({message}); "
                f"check [translation] model in {config_path()}"
            )
        return self.error(
            f"translator at {url} answered 404 Not Found{f' ({message})' if message else ''}; "
            f"[translation] url in {config_path()} should be the server's …/v1 base"
        )
