"""The interest order's SQL: the user's signals, term statistics from the full-text index,
weighted matching over it, and the stored order the views walk.

The arithmetic that decides the weights lives in :mod:`paperdeck.storage.ranking.interest`;
this module only reads and writes the cache:

- :func:`signals` — the papers the user starred, put on the later list, tagged or noted
  (positives) and dismissed (negatives);
- :func:`doc_freqs` — how many papers hold a word, or an author's name, counted in the
  index itself, so the weights follow the cache;
- :func:`stems` — Porter stems from FTS5's own ``porter`` tokenizer (no stemmer of ours);
- :func:`score` — every paper's weighted sum over the profile's features, each feature
  one ``MATCH`` whose hits SQLite adds up, divided by a power of the paper's length in
  tokens (from the index's ``docsize`` table), into a temporary table;
- :func:`store_order` — the order (``interest_order``: ``pos`` descending is most
  interesting first, one row per paper) and what made it (``interest_state``).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from paperdeck.storage.cache.database import Cache, chunks, now

CHUNK = 500
"""Keys per ``IN (…)`` list."""
MAX_ARMS = 400
"""Features matched in one statement (SQLite allows 500 terms in a compound SELECT)."""


@dataclass(slots=True)
class Signals:
    """What the user told the cache about papers, as paper keys."""

    positives: dict[int, set[str]] = field(default_factory=dict)
    """Key → why it counts (``starred``, ``later``, ``tagged``, ``noted``); newest first."""
    negatives: list[int] = field(default_factory=list)
    """Keys of dismissed papers (a paper that is also a positive counts as a positive)."""

    def kinds(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for why in self.positives.values():
            for kind in why:
                counts[kind] = counts.get(kind, 0) + 1
        return counts


_SIGNALS = """
    SELECT p.key, 'starred', s.starred_at FROM user_state s
        JOIN papers p ON p.id = s.paper_id WHERE s.starred
    UNION ALL SELECT p.key, 'later', s.later_at FROM user_state s
        JOIN papers p ON p.id = s.paper_id WHERE s.later
    UNION ALL SELECT p.key, 'noted', s.note_at FROM user_state s
        JOIN papers p ON p.id = s.paper_id WHERE s.note IS NOT NULL
    UNION ALL SELECT p.key, 'tagged', t.tagged_at FROM paper_tags t
        JOIN papers p ON p.id = t.paper_id WHERE t.tagged
"""
_NEGATIVES = """
    SELECT p.key FROM user_state s JOIN papers p ON p.id = s.paper_id WHERE s.dismissed
    ORDER BY s.dismissed_at DESC
"""


def signals(cache: Cache) -> Signals:
    """Positives (newest signal first) and negatives; each found by its own index."""
    found = Signals()
    rows = cache.conn.execute(_SIGNALS).fetchall()
    rows.sort(key=lambda row: row[2] or "", reverse=True)
    for key, kind, _ in rows:
        found.positives.setdefault(key, set()).add(kind)
    found.negatives = [
        key for (key,) in cache.conn.execute(_NEGATIVES) if key not in found.positives
    ]
    return found


def texts(cache: Cache, keys: Sequence[int]) -> dict[int, tuple[str, list[str], str]]:
    """(title, authors, abstract) of each of ``keys``."""
    found: dict[int, tuple[str, list[str], str]] = {}
    for part in chunks(keys, CHUNK):
        for key, title, authors, abstract in cache.conn.execute(
            f"SELECT key, title, authors, abstract FROM papers WHERE key IN "
            f"({','.join('?' * len(part))})",
            part,
        ):
            found[key] = (title, authors.split("\n") if authors else [], abstract)
    return found


def census(cache: Cache) -> tuple[int, int, int]:
    """(how many papers, their smallest key, their largest key)."""
    count, low, high = cache.conn.execute(
        "SELECT count(*), (SELECT min(key) FROM papers), (SELECT max(key) FROM papers) "
        "FROM papers"
    ).fetchone()
    return count, low or 0, high or 0


# --- term statistics ---------------------------------------------------------------------


SAMPLE = 50_000
"""The newest papers in which a common word's share is measured."""


def doc_freqs(cache: Cache, queries: Iterable[str], cap: int, papers: int) -> dict[str, int]:
    """How many of the ``papers`` match each full-text query (a word, an author's name);
    queries that match none are left out. Counting costs as much as the query is common,
    so it stops at ``cap`` papers; beyond, the count is estimated from the query's share of
    the newest papers: of those its newest ``cap`` matches are spread over, or of the
    newest :data:`SAMPLE` when they reach further. (Estimated from the share of the days
    its oldest matches spanned, a word in a third of the papers came out in a few
    hundredths of them: papers grow in number over the years.)"""
    row = cache.conn.execute(
        "SELECT key FROM papers ORDER BY key DESC LIMIT 1 OFFSET ?", (SAMPLE - 1,)
    ).fetchone()
    sample_low = row[0] if row else None  # None: fewer papers than the sample
    found: dict[str, int] = {}
    for query in queries:
        count, first, recent = cache.conn.execute(
            "SELECT count(*), min(k), sum(k >= ?) FROM (SELECT rowid AS k FROM papers_fts "
            "WHERE papers_fts MATCH ? ORDER BY rowid DESC LIMIT ?)",
            (sample_low if sample_low is not None else 0, query, cap),
        ).fetchone()
        if count >= cap and (sample_low is None or first >= sample_low):
            spread = cache.conn.execute(
                "SELECT count(*) FROM papers WHERE key >= ?", (first,)
            ).fetchone()[0]
            count = round(count * papers / max(spread, 1))
        elif count >= cap:
            count = max(round(recent * papers / SAMPLE), count)
        if count:
            found[query] = min(count, papers)
    return found


def stems(words: Iterable[str]) -> dict[str, str]:
    """Each word's Porter stem, as FTS5's ``porter`` tokenizer makes it."""
    words = list(dict.fromkeys(words))
    scratch = sqlite3.connect(":memory:")
    try:
        scratch.execute(
            "CREATE VIRTUAL TABLE s USING fts5(t, tokenize='porter unicode61 remove_diacritics 2')"
        )
        scratch.execute("CREATE VIRTUAL TABLE v USING fts5vocab(s, instance)")
        scratch.executemany(
            "INSERT INTO s(rowid, t) VALUES (?, ?)", [(n + 1, w) for n, w in enumerate(words)]
        )
        found = {words[doc - 1]: term for term, doc in scratch.execute("SELECT term, doc FROM v")}
    finally:
        scratch.close()
    return {word: found.get(word, word) for word in words}


# --- scoring -----------------------------------------------------------------------------


def _tokens(size: bytes | None) -> int:
    """The tokens of a paper in the index: its ``docsize`` blob holds one SQLite varint
    (big-endian, seven bits a byte) per column."""
    total = value = 0
    for byte in size or b"":
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            total += value
            value = 0
    return total


def score(cache: Cache, features: Sequence[tuple[str, float]], length_power: float) -> int:
    """Score every paper that matches any feature into ``temp.interest_scores``: the sum
    of the weights of the features it matches (each a full-text query), times its length
    factor ``tokens ** -length_power``. Python decodes each distinct ``docsize`` blob of
    the papers scored once (papers of the same shape share one); the blobs of the papers
    no feature matches are never read (all of them took seconds at millions of papers).
    Returns how many were scored."""
    conn = cache.conn
    factors: dict[bytes | None, float] = {}

    def length_factor(size: bytes | None) -> float:
        found = factors.get(size)
        if found is None:
            found = factors[size] = max(_tokens(size), 1) ** -length_power
        return found

    conn.create_function("interest_length_factor", 1, length_factor, deterministic=True)
    conn.execute(
        "CREATE TEMP TABLE IF NOT EXISTS interest_scores "
        "(paper_key INTEGER PRIMARY KEY, score REAL NOT NULL)"
    )
    conn.execute("DELETE FROM temp.interest_scores")
    features = list(features)[:MAX_ARMS]
    if not features:
        return 0
    arms = " UNION ALL ".join(
        "SELECT rowid AS k, ? AS w FROM papers_fts WHERE papers_fts MATCH ?" for _ in features
    )
    params = [value for match, weight in features for value in (weight, match)]
    conn.execute(
        f"""INSERT INTO temp.interest_scores(paper_key, score)
            SELECT h.k, h.s * interest_length_factor(d.sz)
            FROM (SELECT k, sum(w) AS s FROM ({arms}) GROUP BY k) h
            LEFT JOIN papers_fts_docsize d ON d.id = h.k""",
        params,
    )
    return conn.execute("SELECT count(*) FROM temp.interest_scores").fetchone()[0]


def best(cache: Cache, limit: int, skip: Iterable[int] = ()) -> list[int]:
    """The keys of the ``limit`` best-scored papers of the last :func:`score`, but
    ``skip``; ties go to the newer paper, as in the stored order."""
    skip = set(skip)
    found: list[int] = []
    if limit <= 0:
        return found
    for (key,) in cache.conn.execute(
        "SELECT paper_key FROM temp.interest_scores ORDER BY score DESC, paper_key DESC "
        "LIMIT ?",
        (limit + len(skip),),
    ):
        if key not in skip:
            found.append(key)
            if len(found) >= limit:
                break
    return found


# --- the stored order --------------------------------------------------------------------


@dataclass(slots=True)
class Stored:
    """What the stored order was made from (``interest_state``)."""

    signature: str
    computed_at: str
    papers: int
    positives: int
    negatives: int
    profile: dict
    """The features, their weights and the words that match them (JSON)."""


def store_order(
    cache: Cache,
    signature: str,
    papers: int,
    positives: int,
    negatives: int,
    profile: dict,
) -> None:
    """Write the order of the last :func:`score` over every paper — scored papers by
    score, then the papers no feature matched newest first, then those with a negative
    score — and what it was made from, in one transaction. With no positives, no order
    is stored (the views keep date order).

    ``pos`` is the row's place counted from the bottom, so walking it downwards lists
    the most interesting first and a paper's rank is ``count - pos + 1``. The index on
    ``paper_key`` is dropped and made again: a whole new order is written each time, and
    building an index once costs a tenth of keeping it up row by row."""
    with cache.transaction() as conn:
        conn.execute("DROP INDEX IF EXISTS interest_order_by_paper")
        conn.execute("DELETE FROM interest_order")
        if positives:  # an empty table numbers its rows from 1: pos is the place
            for part in (
                "SELECT paper_key FROM temp.interest_scores WHERE score < 0 "
                "ORDER BY score, paper_key",
                # the papers no feature matched, in key order: an index walk, no sort
                "SELECT p.key FROM papers p INDEXED BY papers_by_key_id "
                "LEFT JOIN temp.interest_scores s ON s.paper_key = p.key "
                "WHERE s.score IS NULL OR s.score = 0 ORDER BY p.key",
                "SELECT paper_key FROM temp.interest_scores WHERE score > 0 "
                "ORDER BY score, paper_key",
            ):
                conn.execute(f"INSERT INTO interest_order(paper_key) {part}")
        conn.execute("CREATE UNIQUE INDEX interest_order_by_paper ON interest_order(paper_key)")
        conn.execute(
            """INSERT INTO interest_state(id, signature, computed_at, papers, positives,
                   negatives, profile) VALUES (1, ?, ?, ?, ?, ?, ?)
               ON CONFLICT(id) DO UPDATE SET signature = excluded.signature,
                   computed_at = excluded.computed_at, papers = excluded.papers,
                   positives = excluded.positives, negatives = excluded.negatives,
                   profile = excluded.profile""",
            (signature, now(), papers, positives, negatives, json.dumps(profile)),
        )


def stored(cache: Cache) -> Stored | None:
    """What the stored order was made from, or None when none was ever computed."""
    row = cache.conn.execute(
        "SELECT signature, computed_at, papers, positives, negatives, profile "
        "FROM interest_state WHERE id = 1"
    ).fetchone()
    if row is None:
        return None
    try:
        profile = json.loads(row[5])
    except ValueError:
        profile = {}
    return Stored(row[0], row[1], row[2], row[3], row[4], profile)


def has_order(cache: Cache) -> bool:
    """True when an interest order is stored (the views walk it instead of dates)."""
    return cache.conn.execute("SELECT EXISTS (SELECT 1 FROM interest_order)").fetchone()[0] == 1


def rank_of(cache: Cache, paper_id: str) -> tuple[int, int] | None:
    """(rank, how many are ranked) of a paper in the stored order, or None."""
    row = cache.conn.execute(
        """SELECT i.pos, (SELECT max(pos) FROM interest_order) FROM interest_order i
           JOIN papers p ON p.key = i.paper_key WHERE p.id = ?""",
        (paper_id,),
    ).fetchone()
    if row is None:
        return None
    return row[1] - row[0] + 1, row[1]
