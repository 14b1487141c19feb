"""Code links: URL safety and normalisation.

Only ``http`` and ``https`` URLs are ever stored or opened.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

CODE_HOSTS = ("github.com", "gitlab.com", "bitbucket.org", "codeberg.org", "huggingface.co")
_TRAILING = ".,;:!?)]}>'\"*_`"
_BAD = re.compile(r"[\s\x00-\x1f\x7f<>\"\\^`{|}]")


def safe_url(url: str) -> str | None:
    """``url`` normalised when it is a plain http(s) URL with a host, else None."""
    url = url.strip().rstrip(_TRAILING)
    if not url or len(url) > 2048 or _BAD.search(url):
        return None
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    path = parts.path
    if host.lower().removeprefix("www.") in CODE_HOSTS:
        path = path.rstrip("/").removesuffix(".git")
    return urlunsplit(
        (parts.scheme.lower(), parts.netloc.lower(), path, parts.query, parts.fragment)
    )
