"""Code links: URL safety, normalisation, and the repositories named in free text.

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


# --- code links in free text -------------------------------------------------------

_IN_TEXT = re.compile(
    r"(?<![\w.@/-])(?:https?://)?(?:www\.)?(?:github\.com|gitlab\.com|bitbucket\.org|codeberg\.org"
    r"|huggingface\.co)/[^\s<>\"'{}|\\^`\[\]]+",
    re.IGNORECASE,
)
# TeX escapes authors leave inside URLs: \_ and \% and \# and \&, \~ or \~{}.
_TEX_ESCAPE = re.compile(r"\\([_%#&])|\\~(?:\{\})?")
# First path segments that are pages of the host, not an owner's repository.
_NOT_OWNERS = {
    "github.com": {
        "orgs",
        "topics",
        "features",
        "sponsors",
        "marketplace",
        "settings",
        "about",
        "search",
        "collections",
        "explore",
        "login",
        "apps",
        "users",
        "pricing",
    },
    "huggingface.co": {
        "datasets",
        "papers",
        "docs",
        "blog",
        "models",
        "learn",
        "collections",
        "organizations",
        "join",
        "login",
        "settings",
        "pricing",
        "tasks",
        "api",
    },
}


def code_url(url: str) -> str | None:
    """``url`` as a canonical link to a repository on a code host (GitHub, GitLab,
    Bitbucket, Codeberg, a Hugging Face model or space), or None when it is not one —
    a bare ``github.com/<org>``, a dataset, a page of the host itself."""
    url = url.strip()
    if not re.match(r"https?://", url, re.IGNORECASE):
        url = "https://" + url
    safe = safe_url(url)
    if safe is None:
        return None
    parts = urlsplit(safe)
    host = (parts.hostname or "").removeprefix("www.")
    if host not in CODE_HOSTS:
        return None
    segments = [s for s in parts.path.split("/") if s]
    if host == "huggingface.co" and segments[:1] == ["spaces"]:
        owner_at = 1
    else:
        owner_at = 0
    if len(segments) < owner_at + 2 or segments[0].lower() in _NOT_OWNERS.get(host, ()):
        return None
    return urlunsplit(("https", host, "/" + "/".join(segments), "", ""))


def find_code_urls(*texts: str) -> list[str]:
    """Repository links found in ``texts`` (an abstract, a comment), in order of
    appearance, trailing punctuation trimmed, each repository once."""
    found: dict[str, str] = {}
    for text in texts:
        if not text or "." not in text:
            continue
        for match in _IN_TEXT.finditer(_TEX_ESCAPE.sub(lambda m: m.group(1) or "~", text)):
            url = code_url(match.group(0))
            if url:
                found.setdefault(url.lower(), url)
    return list(found.values())
