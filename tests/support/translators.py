"""Fake translation services on the loopback server. Each speaks its provider's real
protocol (paths, methods, fields, headers, answer and error shapes from
../shared/data/README.md §4) and checks requests at least as strictly as the real one:
a wrong path, field or header gets an error answer, so a client bug fails the test.

Their "translation" is deterministic — the target code, then the text in upper case — so
a test can tell what was sent where, and paragraphs survive.
"""

from __future__ import annotations

from tests.support.loopback import LoopbackServer, Reply, Request

NEW_CODES = ["en", "de", "fr", "ja", "pt", "pt-BR", "zh-Hans", "zh-Hant"]
OLD_CODES = ["en", "de", "fr", "ja", "pt", "zh", "zt"]


def fake_translation(text: str, target: str) -> str:
    return f"[{target}] {text.upper()}"


def _json_body(request: Request) -> dict | None:
    if request.headers.get("Content-Type", "").split(";")[0] != "application/json":
        return None
    try:
        body = request.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


class FakeLibreTranslate(LoopbackServer):
    """``GET /languages``, ``POST /translate`` (JSON); errors are ``{"error": "…"}``."""

    FIELDS = {"q", "source", "target", "format", "api_key", "alternatives"}

    def __init__(
        self,
        codes: list[str] = NEW_CODES,
        *,
        api_key: str | None = None,
        char_limit: int | None = None,
        targets: bool = True,
    ):
        super().__init__({"/translate": self.translate, "/languages": self.languages})
        self.codes, self.targets = codes, targets
        self.api_key, self.char_limit = api_key, char_limit

    def languages(self, request: Request) -> Reply:
        if request.method != "GET":
            return Reply.json({"error": "Method Not Allowed"}, 405)
        entries = []
        for code in self.codes:
            entry = {"code": code, "name": code}
            if self.targets:
                entry["targets"] = [other for other in self.codes if other != code]
            entries.append(entry)
        return Reply.json(entries)

    def translate(self, request: Request) -> Reply:
        def error(message: str, status: int = 400) -> Reply:
            return Reply.json({"error": message}, status)

        if request.method != "POST":
            return error("Method Not Allowed", 405)
        body = _json_body(request)
        if body is None:
            return error("Invalid request: expected a JSON object")
        unknown = set(body) - self.FIELDS
        if unknown:
            return error(f"Invalid request: unknown parameter {sorted(unknown)[0]}")
        for name in ("q", "source", "target"):
            if name not in body:
                return error(f"Invalid request: missing {name} parameter")
        q = body["q"]
        batch = isinstance(q, list)
        texts = q if batch else [q]
        if not all(isinstance(text, str) for text in texts) or not texts:
            return error("Invalid request: q must be text or a list of texts")
        if body["source"] not in ("en", "auto"):
            return error(f"{body['source']} is not supported")
        if body["target"] not in self.codes or body["target"] == "en":
            return error(f"{body['target']} is not supported")
        if body.get("format", "text") not in ("text", "html"):
            return error(f"{body['format']} format is not supported")
        if self.api_key is not None:
            if "api_key" not in body:
                return error("Please contact the server operator to get an API key", 403)
            if body["api_key"] != self.api_key:
                return error("Invalid API key", 403)
        chars = sum(len(text) for text in texts)
        if self.char_limit is not None and chars > self.char_limit:
            return error(
                f"Invalid request: request ({chars}) exceeds text limit ({self.char_limit})"
            )
        translated = [fake_translation(text, body["target"]) for text in texts]
        return Reply.json({"translatedText": translated if batch else translated[0]})


class FakeDeepL(LoopbackServer):
    """``POST /v2/translate`` with ``Authorization: DeepL-Auth-Key``; errors ``{"message": …}``;
    413 beyond ``max_chars`` per request, 456 beyond the ``quota``."""

    FIELDS = {
        "text",
        "target_lang",
        "source_lang",
        "formality",
        "tag_handling",
        "context",
        "model_type",
        "split_sentences",
        "preserve_formatting",
        "show_billed_characters",
    }
    TARGETS = {"DE", "EN-GB", "EN-US", "FR", "JA", "PT-BR", "PT-PT", "ZH", "ZH-HANS", "ZH-HANT"}
    SOURCES = {"DE", "EN", "FR", "JA", "PT", "ZH"}

    def __init__(self, key: str, *, max_chars: int | None = None, quota: int | None = None):
        super().__init__({"/v2/translate": self.translate})
        self.key, self.max_chars, self.quota = key, max_chars, quota

    def translate(self, request: Request) -> Reply:
        def error(message: str, status: int) -> Reply:
            return Reply.json({"message": message}, status)

        if request.method != "POST":
            return error("Method not allowed: /translate accepts only POST", 405)
        body = _json_body(request)
        if body is None:
            return error("Bad request. Reason: expected a JSON object", 400)
        if "auth_key" in body or "auth_key" in request.query:
            return error("Legacy authentication method 'form body' is no longer supported", 403)
        if request.headers.get("Authorization") != f"DeepL-Auth-Key {self.key}":
            return error("Authorization failure, check auth_key", 403)
        unknown = set(body) - self.FIELDS
        if unknown:
            return error(f"Bad request. Reason: unknown parameter {sorted(unknown)[0]}", 400)
        texts = body.get("text")
        if not isinstance(texts, list) or not texts or not all(isinstance(t, str) for t in texts):
            return error("Bad request. Reason: Parameter 'text' not specified.", 400)
        if body.get("target_lang") not in self.TARGETS:
            return error("Value for 'target_lang' not supported.", 400)
        if "source_lang" in body and body["source_lang"] not in self.SOURCES:
            return error("Value for 'source_lang' not supported.", 400)
        chars = sum(len(text) for text in texts)
        if self.max_chars is not None and chars > self.max_chars:
            return error("Request Entity Too Large", 413)
        if self.quota is not None:
            if chars > self.quota:
                return error("Quota Exceeded", 456)
            self.quota -= chars
        return Reply.json(
            {
                "translations": [
                    {
                        "detected_source_language": "EN",
                        "text": fake_translation(text, body["target_lang"]),
                    }
                    for text in texts
                ]
            }
        )


class FakeChat(LoopbackServer):
    """``POST /v1/chat/completions``: Ollama's nested errors, or older vLLM's flat ones."""

    FIELDS = {"model", "messages", "temperature", "top_p", "max_tokens", "stream", "seed", "stop"}

    def __init__(
        self,
        models: tuple[str, ...] = ("qwen2.5:7b",),
        *,
        key: str | None = None,
        flat_errors: bool = False,
        think: bool = False,
        finish_reason: str = "stop",
    ):
        super().__init__({"/v1/chat/completions": self.complete})
        self.models, self.key, self.flat_errors = models, key, flat_errors
        self.think, self.finish_reason = think, finish_reason

    def error(self, message: str, status: int, kind: str = "invalid_request_error") -> Reply:
        if self.flat_errors:
            return Reply.json(
                {
                    "object": "error",
                    "message": message,
                    "type": kind,
                    "param": None,
                    "code": status,
                },
                status,
            )
        return Reply.json(
            {"error": {"message": message, "type": kind, "param": None, "code": None}}, status
        )

    def complete(self, request: Request) -> Reply:
        if request.method != "POST":
            return self.error("method not allowed", 405)
        if self.key is not None and request.headers.get("Authorization") != f"Bearer {self.key}":
            return self.error("Incorrect API key provided", 401)
        body = _json_body(request)
        if body is None:
            return self.error("expected a JSON object", 400)
        unknown = set(body) - self.FIELDS
        if unknown:
            return self.error(f"unknown parameter {sorted(unknown)[0]}", 400)
        if body.get("stream", False) is not False:
            return self.error("this fake does not stream", 400)
        messages = body.get("messages")
        if (
            not isinstance(messages, list)
            or not messages
            or not all(
                isinstance(m, dict)
                and m.get("role") in ("system", "user", "assistant")
                and isinstance(m.get("content"), str)
                and set(m) == {"role", "content"}
                for m in messages
            )
            or messages[-1]["role"] != "user"
        ):
            return self.error("messages must be role/content objects ending with the user's", 400)
        temperature = body.get("temperature", 1)
        if not isinstance(temperature, int | float) or not 0 <= temperature <= 2:
            return self.error("temperature must be between 0 and 2", 400)
        model = body.get("model")
        if not isinstance(model, str) or not model:
            return self.error("model is required", 400)
        if model not in self.models:
            if self.flat_errors:
                return self.error(f"The model `{model}` does not exist.", 404, "NotFoundError")
            return self.error(f'model "{model}" not found, try pulling it first', 404, "api_error")
        content = fake_translation(messages[-1]["content"], model)
        if self.think:
            content = "<think>\nThe user wants a translation. Keep $x$.\n</think>\n\n" + content
        return Reply.json(
            {
                "id": "chatcmpl-386",
                "object": "chat.completion",
                "created": 1739351889,
                "model": model,
                "system_fingerprint": "fp_ollama",
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": content},
                        "finish_reason": self.finish_reason,
                    }
                ],
                "usage": {"prompt_tokens": 90, "completion_tokens": 60, "total_tokens": 150},
            }
        )
