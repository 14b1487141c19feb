"""Citation keys: ``lastnameYEARword`` — the first author's family name, the year of the
first version and the first title word that is not a stop word, in lowercase ASCII
(``vaswani2017attention``). A clash anywhere in the library appends ``a``, ``b``, … A key
is pinned the first time its paper is starred (or its key asked for) and never changes
after that; an export shows the key a paper would get (:func:`keys_for`) and pins none.
:func:`pin_keys` does the pinning, the SQL lives in :mod:`paperdeck.storage.cache.library`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from paperdeck.storage.cache import library as store
from paperdeck.storage.cache.database import Cache
from paperdeck.storage.models import Paper

STOP_WORDS = frozenset(
    """a an the and or but nor of on in at to for from by with without within into onto
    upon over under about above after before between through during via per than as is
    are was were be been being do does did can could should would will shall may might
    must not no yes it its this that these those we our us you your they their i my me he
    his she her what which who whom whose why how when where towards toward using use
    all any some each every both either neither one two new
    """.split()
)
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})
_PARTICLES = frozenset(
    "van von der den de del della di da du le la dos das ter ten bin al el".split()
)
KEY = re.compile(r"[A-Za-z0-9_:.+/-]{1,100}")
"""What a key given by hand (or by an imported file) may hold: BibTeX and biber read it."""


class CitekeyError(ValueError):
    """A key that cannot be pinned: malformed, or another paper's."""


def ascii_word(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]", "", plain).lower()


def family_name(author: str) -> str:
    """The family name of ``author`` (``Last, First`` or ``First Last``), without the
    suffixes and particles a key leaves out (``van der Waals`` → ``waals``)."""
    if "," in author:
        family = author.split(",")[0]
    else:
        words = [w for w in author.split() if ascii_word(w) not in _SUFFIXES]
        family = words[-1] if words else ""
    parts = [w for w in family.split() if ascii_word(w) and ascii_word(w) not in _PARTICLES]
    return ascii_word(parts[-1] if parts else family)


def first_word(title: str) -> str:
    for word in re.split(r"[\s\-–—/:]+", title):
        plain = ascii_word(word)
        if plain and plain not in STOP_WORDS:
            return plain
    return ""


def base_key(paper: Paper) -> str:
    surname = family_name(paper.authors[0]) if paper.authors else ""
    return f"{surname or 'anon'}{paper.published[:4]}{first_word(paper.title)}"


def suffixed(base: str, taken: set[str]) -> str:
    """``base``, else ``base`` + ``a``, ``b``, … ``z``, ``aa``, ``ab`` … — the first free
    one in ``taken`` (lowercase keys)."""
    if base.lower() not in taken:
        return base
    n = 0
    while True:
        suffix, m = "", n
        while True:
            suffix = chr(ord("a") + m % 26) + suffix
            m = m // 26 - 1
            if m < 0:
                break
        if (base + suffix).lower() not in taken:
            return base + suffix
        n += 1


def check_key(key: str) -> str:
    key = key.strip()
    if not KEY.fullmatch(key):
        raise CitekeyError(
            f"{key!r} is not a usable citation key: use letters, digits and _ : . + / - "
            "(no spaces, at most 100 characters)"
        )
    return key


def pin_keys(cache: Cache, paper_ids: Iterable[str]) -> dict[str, str]:
    """Pin a key for each of ``paper_ids`` that has none yet (papers not in the cache are
    left for later); returns every paper's key, pinned now or before."""
    ids = list(dict.fromkeys(paper_ids))
    keys = store.citekeys(cache, ids)
    missing = [paper_id for paper_id in ids if paper_id not in keys]
    if not missing:
        return keys
    with cache.transaction():
        keys.update(store.citekeys(cache, missing))  # another process may have pinned some
        for paper_id in missing:
            if paper_id in keys:
                continue
            paper = cache.paper(paper_id)
            if paper is None:
                continue
            key = keys[paper_id] = _free_key(cache, paper)
            store.pin_citekey(cache, paper_id, key)
    return keys


def keys_for(cache: Cache, paper_ids: Iterable[str], unpinned: dict[str, str]) -> dict[str, str]:
    """Each paper's key without pinning any (an export only reads): the pinned one, else
    the one it would get now. ``unpinned`` holds the keys given so far to unpinned papers
    (of the same export, which passes it again): two of them never get the same one."""
    ids = list(dict.fromkeys(paper_ids))
    keys = store.citekeys(cache, ids)
    for paper_id in ids:
        if paper_id in keys:
            continue
        if paper_id not in unpinned and (paper := cache.paper(paper_id)) is not None:
            unpinned[paper_id] = _free_key(cache, paper, set(unpinned.values()))
        if paper_id in unpinned:
            keys[paper_id] = unpinned[paper_id]
    return keys


def _free_key(cache: Cache, paper: Paper, also_taken: set[str] = frozenset()) -> str:
    """The key ``paper`` gets when pinned now (``also_taken``: keys to leave free too)."""
    base = base_key(paper)
    return suffixed(base, store.keys_starting(cache, base) | {k.lower() for k in also_taken})


def pin_starred(cache: Cache) -> int:
    """Pin the keys of starred papers that have none (a star made through any path: the
    reader, the CLI, an import or another machine); returns how many were pinned."""
    missing = store.starred_without_key(cache)
    if not missing:
        return 0
    pinned = pin_keys(cache, missing)
    return sum(1 for paper_id in missing if paper_id in pinned)


def set_key(cache: Cache, paper_id: str, key: str) -> str:
    """Pin ``key`` for ``paper_id`` by hand (replacing its key); refuses another paper's."""
    key = check_key(key)
    with cache.transaction():
        holder = store.key_holder(cache, key)
        if holder is not None and holder != paper_id:
            raise CitekeyError(f"citation key {key!r} already belongs to {holder}")
        store.pin_citekey(cache, paper_id, key)
    return key
