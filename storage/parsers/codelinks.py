"""Code links: URL safety, normalisation, and the repositories named in free text.

Only ``http`` and ``https`` URLs are ever stored or opened.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

CODE_HOSTS = ("github.com", "gitlab.com", "bitbucket.org", "codeberg.org", "huggingface.co")
_TRAILING = ".,;:!?)]}>'\"*_`"
_SPACE = " \t\r\n"
"""Trimmed from both ends; any other whitespace or control character refuses the URL."""
_BAD = re.compile(r"[\s\x00-\x1f\x7f<>\"\\^`{|}]")


def safe_url(url: str) -> str | None:
    """``url`` normalised when it is a plain http(s) URL with a host, else None.

    Refused: other schemes (``javascript:``, ``file:``, ``data:``), URLs without a
    scheme or host (``//host/x``), anything but ASCII letters, digits, dots and hyphens
    in the host (percent-escapes, look-alike letters), a user name or password in front
    of the host (``https://github.com@evil.example/``), a bad port, and any control,
    format or whitespace character anywhere (``java\tscript:``, a right-to-left override).
    """
    url = url.strip(_SPACE).rstrip(_TRAILING)
    if not url or len(url) > 2048 or _BAD.search(url) or not url.isprintable():
        return None
    try:
        parts = urlsplit(url)
        host, _port = parts.hostname, parts.port  # .port raises ValueError when out of range
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not host or not _plain_host(host):
        return None
    if "@" in parts.netloc:
        return None
    path = parts.path
    if host.lower().removeprefix("www.") in CODE_HOSTS:
        path = path.rstrip("/").removesuffix(".git")
    return urlunsplit(
        (parts.scheme.lower(), parts.netloc.lower(), path, parts.query, parts.fragment)
    )


def _plain_host(host: str) -> bool:
    """A DNS name or an IP address, in ASCII (``urlsplit`` lower-cased it)."""
    if ":" in host:  # an IPv6 address; urlsplit took its brackets off
        return all(c in "0123456789abcdef:." for c in host)
    labels = host.removesuffix(".").split(".")
    return all(label.isascii() and label.replace("-", "").isalnum() for label in labels)


# --- code links in free text -------------------------------------------------------

_IN_TEXT = re.compile(
    r"(?<![\w.@/-])(?:https?://)?(?:www\.)?(?:github\.com|gitlab\.com|bitbucket\.org|codeberg\.org"
    r"|huggingface\.co)/[^\s<>\"'{}|\\^`\[\]]+",
    re.IGNORECASE,
)
_HOST_WORDS = tuple(host.partition(".")[0] + "." for host in CODE_HOSTS)
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
    url = url.strip(_SPACE)
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
        lowered = text.lower()
        if not any(host in lowered for host in _HOST_WORDS):  # most texts: no regex scan
            continue
        for match in _IN_TEXT.finditer(_TEX_ESCAPE.sub(lambda m: m.group(1) or "~", text)):
            url = code_url(match.group(0))
            if url:
                found.setdefault(url.lower(), url)
    return list(found.values())
