"""The errors a translation can end in."""

from __future__ import annotations


class TranslationError(Exception):
    """One calm sentence saying what failed and where; ``retry_after`` is how many
    seconds the translator asked us to wait (None when it did not say)."""

    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class TooLong(TranslationError):
    """The translator refused a request for its size; ``limit`` is its limit in
    characters when it said (LibreTranslate does, DeepL does not)."""

    def __init__(self, message: str, limit: int | None = None):
        super().__init__(message)
        self.limit = limit
