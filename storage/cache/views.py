"""Views of the cache — filters (unread, starred, with code, a topic, an author), a search,
an order — read one window of rows at a time.

A :class:`PaperList` never loads a whole view. It remembers the rows at the edges of the
windows it has served (anchors) and reaches any offset by a keyset query from the nearest
anchor — the top, the bottom, or a window seen before — so scrolling, paging and jumping
to either end cost a few index steps whatever the size of the cache.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass, replace

from paperdeck.storage.cache.database import Cache, now
from paperdeck.storage.cache.interest import has_order
from paperdeck.storage.cache.query import compile_query
from paperdeck.storage.cache.rules import has_muted
from paperdeck.storage.ids import parse_id
from paperdeck.storage.models import PaperRow
from paperdeck.storage.parsers import query as q

SORTS = ("date", "title", "author", "interest")
_SORT_COLUMN = {"title": "p.title", "author": "p.first_family"}
_ROW = (
    "p.key, p.id, p.published, p.title, p.first_author, p.n_authors, p.has_code, "
    "coalesce(s.read, 0), coalesce(s.starred, 0), coalesce(s.later, 0), "
    "EXISTS (SELECT 1 FROM rule_matches w WHERE w.paper_key = p.key AND w.kind = 'watch'), "
    "EXISTS (SELECT 1 FROM fulltext f WHERE f.paper_id = p.id)"
)
_MUTED = "NOT EXISTS (SELECT 1 FROM rule_matches m WHERE m.paper_key = p.key AND m.kind = 'mute')"
_WATCHED_BY = "p.key IN (SELECT paper_key FROM rule_matches WHERE kind = 'watch' AND rule = ?)"
_UNREAD = "coalesce(s.read, 0) = 0"
_USES_STATE = re.compile(r"\bs\.")
_USES_PAPER = re.compile(r"\bp\.")
_MAX_ANCHORS = 4096


@dataclass(frozen=True, slots=True)
class View:
    """What the table shows: filters (they combine), an optional search, an order."""

    unread: bool = False
    starred: bool = False
    code: bool = False
    topic: str | None = None
    author: str | None = None
    """An exact author name, in any position (case-insensitive)."""
    search: str = ""
    query: str = ""
    """A saved search (``[[views]]``, the later list) in the query language of
    :mod:`paperdeck.storage.parsers.query`; ``search`` (what is typed) narrows it further."""
    name: str = ""
    """What the label calls a saved search."""
    watch: str | None = None
    """The papers a ``[[watch]]`` rule of this name matches."""
    ranked: str | None = None
    """A ranked list of :mod:`paperdeck.storage.cache.lists` ("more like this",
    references, citing papers), walked in its own order."""
    sort: str = "date"

    def __post_init__(self) -> None:
        if self.sort not in SORTS:
            raise ValueError(f"unknown sort order {self.sort!r}")

    @property
    def label(self) -> str:
        flags = (("Unread", self.unread), ("Starred", self.starred), ("With code", self.code))
        parts = [self.name] if self.name else []
        parts += [name for name, on in flags if on]
        if self.topic is not None:
            parts.append(f"Topic: {self.topic}")
        if self.author is not None:
            parts.append(f"Author: {self.author}")
        if self.watch is not None:
            parts.append(f"Watch: {self.watch}")
        label = " · ".join(parts) or "All papers"
        return f"{label} — search “{self.search}”" if self.search else label

    @property
    def effective_sort(self) -> str:
        """Search results are always newest first (the full-text index's own order), and
        so are saved searches with words."""
        if self.search:
            return "date"
        if self.ranked is not None:
            return "date"  # the list's own order
        if self.query:
            try:
                return "date" if q.parse(self.query, typing=False).words else self.sort
            except q.QueryError:
                return "date"
        return self.sort

    def terms(self) -> q.Query:
        """The whole view in the query language (:class:`QueryError` for a bad query)."""
        flags = [
            q.Term("is", "unread") if self.unread else None,
            q.Term("is", "starred") if self.starred else None,
            q.Term("has", "code") if self.code else None,
            q.Term("topic", self.topic) if self.topic is not None else None,
            q.Term("author", self.author) if self.author is not None else None,
        ]
        own = q.Query(tuple(term for term in flags if term is not None))
        typed = q.Query() if searched_id(self.search) else q.parse(self.search)
        return q.parse(self.query, typing=False) + own + typed

    def with_(self, **changes) -> View:
        return replace(self, **changes)


PREFIX_FROM = 3
"""The last word matches as a prefix from this many characters on. Shorter ones match as
whole words: a one- or two-letter prefix matches nearly every paper and costs the most,
while acronyms such as "RL" or "AI" are what such short words usually are."""


def fts_query(text: str) -> str | None:
    """A safe FTS5 query from what the user typed: every word must match, the last one
    as a prefix (so results follow typing). Quotes keep FTS syntax out of reach."""
    words = re.findall(r"\w+", text)
    if not words:
        return None
    terms = [f'"{word}"' for word in words]
    if len(words[-1]) >= PREFIX_FROM:
        terms[-1] += "*"
    return " AND ".join(terms)


def searched_id(text: str) -> str | None:
    """The arXiv id (without version) when a search is one: ``2406.02543``,
    ``arXiv:2406.02543v2``, ``hep-th/9901001`` or an arXiv URL. Such a search finds that
    paper in any view (whatever the view's filters)."""
    parsed = parse_id(text) if text.strip() else None
    return parsed[0] if parsed else None


def family_name(name: str) -> str:
    """The last word of ``name``, as the column ``papers.first_family`` computes it."""
    return name[len(name.rstrip(name.replace(" ", ""))) :]


def _literal(text: str) -> str:
    """``text`` as an SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


class _Sql:
    """The FROM/WHERE of a view and its order, as SQL fragments.

    The table that drives the walk is chosen so that the view's order comes from an
    index: the full-text index for a search, the starred index for stars, the topic's
    links for a topic, else the papers themselves.
    """

    def __init__(self, view: View, kept: frozenset[str] = frozenset(), cache: Cache | None = None):
        self.params: list = []
        self.where: list[str] = []
        if (paper_id := searched_id(view.search)) is not None:  # one paper, by its id
            self.source = "papers p LEFT JOIN user_state s ON s.paper_id = p.id"
            self.key, self.anchor, self.column = "p.key", "?", None
            self._add("p.id = ?", paper_id)
            return
        if view.search or view.query:  # the query language (raises QueryError)
            plan = compile_query(cache, view.terms(), kept)
            self.source, self.key = plan.source, plan.key
            self.where, self.params = plan.where, plan.params
            self.column = None if plan.words else _SORT_COLUMN.get(view.effective_sort)
            self.anchor = "?"
            self._rules(view, cache)
            return
        state = "LEFT JOIN user_state s ON s.paper_id = p.id"
        topic_id = "(SELECT id FROM topics WHERE name = ?)"
        query = fts_query(view.search) if view.search else None
        if view.search and query is None:
            self.where.append("0")  # nothing searchable was typed: an empty view
        self.anchor = "?"
        """The SQL for an anchor row's place in the walk (its key, bound as a parameter)."""
        if query:
            self.source = f"papers_fts f CROSS JOIN papers p ON p.key = f.rowid {state}"
            self.key = "f.rowid"
            self._add("papers_fts MATCH ?", query)
        elif view.ranked is not None:
            self.source = f"paper_lists l CROSS JOIN papers p ON p.id = l.paper_id {state}"
            self.key = "l.pos"
            self._add("l.name = ?", view.ranked)
            self.anchor = (
                "(SELECT l2.pos FROM papers p2 CROSS JOIN paper_lists l2 ON l2.paper_id = p2.id "
                f"WHERE p2.key = ? AND l2.name = {_literal(view.ranked)})"
            )
        elif view.sort == "interest" and cache is not None and has_order(cache):
            # The stored interest order (storage/ranking): most interesting first.
            self.source = f"interest_order i CROSS JOIN papers p ON p.key = i.paper_key {state}"
            self.key = "i.pos"
            self.anchor = "(SELECT pos FROM interest_order WHERE paper_key = ?)"
        elif view.watch is not None:
            self.source = f"rule_matches w CROSS JOIN papers p ON p.key = w.paper_key {state}"
            self.key = "w.paper_key"
            self._add("w.kind = 'watch' AND w.rule = ?", view.watch)
        elif view.starred:
            self.source = "user_state s CROSS JOIN papers p ON p.id = s.paper_id"
            self.key = "p.key"
        elif view.topic is not None:
            self.source = f"paper_topics pt CROSS JOIN papers p ON p.key = pt.paper_key {state}"
            self.key = "pt.paper_key"
            self._add(f"pt.topic_id = {topic_id}", view.topic)
        else:
            self.source = f"papers p {state}"
            self.key = "p.key"
        if view.starred and kept:  # stars and kept papers, each found by its own index
            self._add(
                "s.paper_id IN (SELECT paper_id FROM user_state WHERE starred"
                " UNION SELECT value FROM json_each(?))",
                json.dumps(sorted(kept)),
            )
        elif view.starred:
            self.where.append("s.starred")
        if view.topic is not None and self.key != "pt.paper_key":
            self._add(
                f"p.key IN (SELECT paper_key FROM paper_topics WHERE topic_id = {topic_id})",
                view.topic,
            )
        if view.author is not None:
            self._add("p.key IN (SELECT paper_key FROM authors WHERE name = ?)", view.author)
        if view.unread and kept:  # a walk in the view's order, as without kept papers
            self._add(
                f"({_UNREAD} OR p.id IN (SELECT value FROM json_each(?)))", json.dumps(sorted(kept))
            )
        elif view.unread:
            self.where.append(_UNREAD)
        if view.code:
            self.where.append("p.has_code = 1")
        self.column = _SORT_COLUMN.get(view.effective_sort)
        self._rules(view, cache)

    def _rules(self, view: View, cache: Cache | None) -> None:
        """A watch rule's papers only; muted papers left out, but in a search (the mute
        rules in the cache are those of ``[[mute]]``, none with ``[ui] show_muted``)."""
        if view.watch is not None and self.key != "w.paper_key":
            self._add(_WATCHED_BY, view.watch)
        if view.ranked is not None and self.key != "l.pos":
            self._add("p.id IN (SELECT paper_id FROM paper_lists WHERE name = ?)", view.ranked)
        if not view.search and cache is not None and has_muted(cache):
            self.where.append(_MUTED)

    def _add(self, condition: str, param) -> None:
        self.where.append(condition)
        self.params.append(param)

    def order(self, reverse: bool) -> str:
        key = f"{self.key} {'ASC' if reverse else 'DESC'}"
        if self.column is None:
            return key
        return f"{self.column} {'DESC' if reverse else 'ASC'}, {key}"

    def beyond(self, row: PaperRow, reverse: bool) -> tuple[str, list]:
        """The condition for rows after ``row`` in this order (before it when reversed).

        Written as a range on the sort column plus a tie-break, so the index seeks to
        the anchor instead of walking from the start."""
        if self.column is None:
            return f"{self.key} {'>' if reverse else '<'} {self.anchor}", [row.key]
        value = row.title if self.column == "p.title" else family_name(row.first_author)
        wide, same = ("<=", "<=") if reverse else (">=", ">=")
        return (
            f"{self.column} {wide} ? AND NOT ({self.column} = ? AND {self.key} {same} ?)",
            [value, value, row.key],
        )

    def select(self, extra: list[str], params: list, reverse: bool, limit: int, offset: int):
        where = " AND ".join(self.where + extra) or "1"
        sql = (
            f"SELECT {_ROW} FROM {self.source} WHERE {where} "
            f"ORDER BY {self.order(reverse)} LIMIT ? OFFSET ?"
        )
        return sql, [*self.params, *params, limit, offset]

    def count(self, extra: list[str] = (), params: list = ()) -> tuple[str, list]:
        """Counting walks as few tables as the conditions need."""
        conditions = [*self.where, *extra]
        if self.key == "f.rowid" and conditions == ["papers_fts MATCH ?"]:
            # A plain search: the index alone knows how many match.
            return "SELECT count(*) FROM papers_fts WHERE papers_fts MATCH ?", self.params
        source = self.source
        if not any(_USES_STATE.search(condition) for condition in conditions):
            source = source.replace(" LEFT JOIN user_state s ON s.paper_id = p.id", "")
            if self.key == "pt.paper_key" and not any(_USES_PAPER.search(c) for c in conditions):
                source = "paper_topics pt"
        where = " AND ".join(conditions) or "1"
        return f"SELECT count(*) FROM {source} WHERE {where}", [*self.params, *params]


def count_view(cache: Cache, view: View, kept: frozenset[str] = frozenset()) -> int:
    sql, params = _Sql(view, kept, cache).count()
    return cache.conn.execute(sql, params).fetchone()[0]


def count_unread(cache: Cache, view: View) -> int:
    if view == View(sort=view.sort) and not has_muted(cache):  # all papers minus those read
        return cache.count_papers() - cache.count_read()
    sql, params = _Sql(view, cache=cache).count([_UNREAD])
    return cache.conn.execute(sql, params).fetchone()[0]


class PaperList:
    """The rows of one view, fetched a window at a time.

    A paper starred or read while the list is shown stays in it (:meth:`keep`), even in
    a view of unread or starred papers: rows do not vanish under the reader's cursor, and
    windows fetched later line up with those fetched before.
    """

    def __init__(
        self,
        cache: Cache,
        view: View,
        total: int | None = None,
        kept: frozenset[str] = frozenset(),
    ):
        """``total`` skips the count when the caller has it (counted in a worker);
        ``kept``: papers that stay in the view whatever their state (see :meth:`keep`)."""
        self.cache = cache
        self.view = view
        self.kept = kept
        self._sql = _Sql(view, kept, cache)
        self.total: int = count_view(cache, view, kept) if total is None else total
        self._offsets: list[int] = []
        self._anchors: dict[int, PaperRow] = {}

    def __len__(self) -> int:
        return self.total

    def keep(self, paper_id: str) -> None:
        """Keep ``paper_id`` in this view whatever its read or starred state becomes."""
        stateful = self.view.unread or self.view.starred or self.view.query or self.view.search
        if stateful and paper_id not in self.kept:
            self.kept = self.kept | {paper_id}
            self._sql = _Sql(self.view, self.kept, self.cache)

    def window(self, offset: int, limit: int) -> list[PaperRow]:
        """Rows ``offset`` .. ``offset + limit - 1`` of the view."""
        offset = max(0, min(offset, self.total))
        limit = max(0, min(limit, self.total - offset))
        if limit == 0:
            return []
        end = offset + limit
        # Candidates: (distance in rows to walk, anchor row or None, reverse?)
        plans: list[tuple[int, PaperRow | None, bool]] = [
            (offset, None, False),
            (self.total - end, None, True),
        ]
        at = bisect.bisect_left(self._offsets, offset)
        if at > 0:
            above = self._offsets[at - 1]
            plans.append((offset - above - 1, self._anchors[above], False))
        at = bisect.bisect_left(self._offsets, end)
        if at < len(self._offsets):
            below = self._offsets[at]
            plans.append((below - end, self._anchors[below], True))
        skip, anchor, reverse = min(plans, key=lambda plan: plan[0])
        extra, params = ([], []) if anchor is None else self._beyond(anchor, reverse)
        sql, args = self._sql.select(extra, params, reverse, limit, skip)
        rows = [self._row(r) for r in self.cache.conn.execute(sql, args)]
        if reverse:
            rows.reverse()
        rows = self._with_topics(rows)
        if rows:
            self._remember(offset, rows[0])
            self._remember(offset + len(rows) - 1, rows[-1])
        return rows

    def seed(self, rows: list[PaperRow]) -> None:
        """Rows from offset 0 fetched elsewhere (a worker): later windows go on from them."""
        if rows:
            self._remember(0, rows[0])
            self._remember(len(rows) - 1, rows[-1])

    def _beyond(self, anchor: PaperRow, reverse: bool) -> tuple[list[str], list]:
        condition, params = self._sql.beyond(anchor, reverse)
        return [condition], params

    @staticmethod
    def _row(r: tuple) -> PaperRow:
        return PaperRow(
            key=r[0],
            id=r[1],
            published=r[2],
            title=r[3],
            first_author=r[4] or "",
            n_authors=r[5],
            has_code=bool(r[6]),
            read=bool(r[7]),
            starred=bool(r[8]),
            later=bool(r[9]),
            watched=bool(r[10]),
            fulltext=bool(r[11]),
        )

    def _with_topics(self, rows: list[PaperRow]) -> list[PaperRow]:
        """The rows with their topics and tags."""
        from paperdeck.storage.cache.library import tags_of

        topics = self.cache.topics_of_keys([row.key for row in rows])
        tags = tags_of(self.cache, [row.id for row in rows]) if rows else {}
        return [
            replace(row, topics=tuple(topics.get(row.key, ())), tags=tuple(tags.get(row.id, ())))
            for row in rows
        ]

    def _remember(self, offset: int, row: PaperRow) -> None:
        if offset in self._anchors:
            return
        if len(self._offsets) >= _MAX_ANCHORS:
            self._anchors.pop(self._offsets.pop(len(self._offsets) // 2))
        bisect.insort(self._offsets, offset)
        self._anchors[offset] = row

    def row(self, offset: int) -> PaperRow | None:
        rows = self.window(offset, 1)
        return rows[0] if rows else None

    def index_of(self, paper_id: str) -> int | None:
        """Where ``paper_id`` stands in this view, or None when it is not in it."""
        found = self._find(paper_id)
        return None if found is None else self.position(found)

    def position(self, row: PaperRow) -> int:
        """How many of the view's rows come before ``row``: where it stands in the view,
        or (when it is not in it) where the next paper after it does."""
        condition, params = self._sql.beyond(row, reverse=True)
        sql, args = self._sql.count([condition], params)
        return self.cache.conn.execute(sql, args).fetchone()[0]

    def _find(self, paper_id: str) -> PaperRow | None:
        sql, args = self._sql.select(["p.id = ?"], [paper_id], False, 1, 0)
        row = self.cache.conn.execute(sql, args).fetchone()
        return self._row(row) if row else None

    def next_unread(self, offset: int) -> int | None:
        """The offset of the first unread paper after ``offset``, wrapping to the top;
        ``offset`` itself when it is the only unread one, None when there is none."""
        unread = [_UNREAD]
        current = self.row(offset)
        found = None
        if current is not None:
            extra, params = self._beyond(current, reverse=False)
            found = self._first(unread + extra, params)
        found = found or self._first(unread, [])
        return None if found is None else self.index_of(found)

    def _first(self, conditions: list[str], params: list) -> str | None:
        sql, args = self._sql.select(conditions, params, False, 1, 0)
        row = self.cache.conn.execute(sql, args).fetchone()
        return row[1] if row else None

    def ids_sql(self) -> tuple[str, list]:
        """A SELECT of the ids (column ``id``) of every paper in the view, for writes that
        apply to a whole view (tags, the later list)."""
        where = " AND ".join(self._sql.where) or "1"
        return f"SELECT p.id AS id FROM {self._sql.source} WHERE {where}", list(self._sql.params)

    def mark_all_read(self) -> str:
        """Mark every unread paper of the view read; the returned tag undoes it
        (:meth:`Cache.undo_mark_read`)."""
        batch = now()
        where = " AND ".join([*self._sql.where, _UNREAD])
        with self.cache.transaction() as conn:
            conn.execute(
                f"""INSERT INTO user_state(paper_id, read, read_at)
                    SELECT p.id, 1, ? FROM {self._sql.source} WHERE {where}
                    ON CONFLICT(paper_id) DO UPDATE SET read = 1, read_at = excluded.read_at""",
                [batch, *self._sql.params],
            )
        return batch
