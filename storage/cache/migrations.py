"""The cache's schema as a list of forward migrations, numbered by ``PRAGMA user_version``.

Design:
- ``papers.key`` (the rowid) is :func:`paperdeck.storage.ids.sort_key` — published date, then id —
  so "newest first" is a descending rowid walk and the full-text index, whose rowid is
  the same key, returns search hits newest first without sorting.
- ``papers.authors`` holds the ordered author names one per line; ``authors`` has one row
  per name for exact-name lookups.
- New papers enter the full-text index in one batch per chunk, in ascending key order
  (:meth:`paperdeck.storage.cache.Cache.upsert`), which is several times faster than a row trigger;
  triggers keep it in step on the rarer updates and deletes.
- User state (read, starred) lives in ``user_state``, keyed by the arXiv id, apart from
  metadata: no import or sync statement ever writes to it.
- ``paper_categories`` has one row per (category, paper), kept by triggers from
  ``papers.categories``, so ``cat:cs.CL`` and ``cat:cs`` are ranges of its key.
- ``sync_state`` remembers, per remote source (a digest or feed URL, or ``hf:<id>`` for a
  code-link lookup), the validators of its last answer and when it was asked.
"""

from __future__ import annotations

_NOW_MS = "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)"


def _version_at(field: str, row: str = "new") -> str:
    """The time of a local change to ``field`` (milliseconds since 1970): now, but always
    after the version it replaces (a value merged from a machine whose clock runs ahead,
    or this machine's clock set back), unless that version lies more than a day ahead.
    ``row``: ``new``, or ``old`` in a trigger after a delete."""
    later_than = (
        f"(SELECT at FROM library_fields WHERE paper_id = {row}.paper_id AND field = {field})",
        f"(SELECT at FROM library_log WHERE paper_id = {row}.paper_id AND field = {field} "
        "ORDER BY seq DESC LIMIT 1)",
    )
    bumps = ", ".join(
        f"coalesce((SELECT v + 1 FROM (SELECT {version} AS v) WHERE v <= {_NOW_MS} + 86400000), 0)"
        for version in later_than
    )
    return f"max({_NOW_MS}, {bumps})"


def _log_trigger(name: str, event: str, when: str, field: str, value: str, row: str = "new") -> str:
    return f"""
    CREATE TRIGGER library_log_{name} AFTER {event}
    WHEN ({when}) AND (SELECT journal FROM library_settings WHERE id = 1)
    BEGIN
        INSERT INTO library_log(paper_id, field, value, at)
        VALUES ({row}.paper_id, {field}, {value}, {_version_at(field, row)});
    END;
    """


HIGHLIGHT_JSON = """json_object('v', {row}.version, 'b', {row}.block, 'e', {row}.end_block,
    'a', {row}.anchor, 'q', {row}.quote, 'c', {row}.comment, 'm', {row}.made_at)"""
"""A highlight as its library line carries it (see :mod:`paperdeck.storage.cache.highlights`)."""


def _highlight_triggers() -> str:
    """A highlight made, changed or deleted is logged as the field ``hl:<its id>``: the
    highlight as JSON, or null once deleted (so a deletion travels too)."""
    value = HIGHLIGHT_JSON.format(row="new")
    return (
        _log_trigger("highlight_new", "INSERT ON highlights", "1", "'hl:' || new.hid", value)
        + _log_trigger("highlight_set", "UPDATE ON highlights", "1", "'hl:' || new.hid", value)
        + _log_trigger(
            "highlight_gone", "DELETE ON highlights", "1", "'hl:' || old.hid", "NULL", row="old"
        )
    )


_STATE_FIELDS = ("read", "starred", "later", "note", "citekey")
_FLAGS = ("read", "starred", "later", "dismissed")


def _field_triggers(name: str) -> str:
    """The triggers that log each change of the user-state column ``name``."""
    return _log_trigger(
        f"{name}_set",
        f"UPDATE OF {name} ON user_state",
        f"new.{name} IS NOT old.{name}",
        f"'{name}'",
        f"new.{name}",
    ) + _log_trigger(
        f"{name}_new",
        "INSERT ON user_state",
        f"new.{name}_at IS NOT NULL"
        + (f" OR new.{name}" if name in _FLAGS else f" OR new.{name} IS NOT NULL"),
        f"'{name}'",
        f"new.{name}",
    )


_LIBRARY = (
    """
    ALTER TABLE user_state ADD COLUMN later INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE user_state ADD COLUMN later_at TEXT;
    ALTER TABLE user_state ADD COLUMN note TEXT;
    ALTER TABLE user_state ADD COLUMN note_at TEXT;
    ALTER TABLE user_state ADD COLUMN citekey TEXT;
    ALTER TABLE user_state ADD COLUMN citekey_at TEXT;
    CREATE INDEX user_state_later ON user_state(paper_id) WHERE later;
    CREATE INDEX user_state_noted ON user_state(paper_id) WHERE note IS NOT NULL;
    CREATE UNIQUE INDEX user_state_citekey ON user_state(citekey COLLATE NOCASE)
        WHERE citekey IS NOT NULL;

    CREATE TABLE paper_tags (
        paper_id TEXT NOT NULL,
        tag TEXT NOT NULL,
        tagged INTEGER NOT NULL,
        tagged_at TEXT NOT NULL,
        PRIMARY KEY (paper_id, tag)
    ) WITHOUT ROWID;
    CREATE INDEX paper_tags_by_tag ON paper_tags(tag, paper_id) WHERE tagged;

    CREATE TABLE library_text (
        key INTEGER PRIMARY KEY,
        paper_id TEXT NOT NULL UNIQUE,
        text TEXT NOT NULL
    );
    DROP TRIGGER papers_fts_delete;
    CREATE TRIGGER papers_fts_delete AFTER DELETE ON papers BEGIN
        INSERT INTO papers_fts(papers_fts, rowid, title, authors, abstract)
        VALUES ('delete', old.key, old.title, old.authors, old.abstract
                || coalesce((SELECT char(10) || text FROM library_text WHERE key = old.key), ''));
        DELETE FROM library_text WHERE key = old.key;
    END;
    DROP TRIGGER papers_fts_update;
    CREATE TRIGGER papers_fts_update AFTER UPDATE OF key, title, authors, abstract ON papers BEGIN
        INSERT INTO papers_fts(papers_fts, rowid, title, authors, abstract)
        VALUES ('delete', old.key, old.title, old.authors, old.abstract
                || coalesce((SELECT char(10) || text FROM library_text WHERE key = old.key), ''));
        UPDATE library_text SET key = new.key WHERE key = old.key;
        INSERT INTO papers_fts(rowid, title, authors, abstract)
        VALUES (new.key, new.title, new.authors, new.abstract
                || coalesce((SELECT char(10) || text FROM library_text WHERE key = new.key), ''));
    END;

    CREATE INDEX papers_to_fill ON papers(id) WHERE source = 'library' AND abstract = '';

    CREATE TABLE library_settings (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        journal INTEGER NOT NULL DEFAULT 0
    );
    INSERT INTO library_settings(id) VALUES (1);
    CREATE TABLE library_log (
        seq INTEGER PRIMARY KEY,
        paper_id TEXT NOT NULL,
        field TEXT NOT NULL,
        value,
        at INTEGER NOT NULL
    );
    CREATE INDEX library_log_by_field ON library_log(paper_id, field, seq);
    CREATE TABLE library_fields (
        paper_id TEXT NOT NULL,
        field TEXT NOT NULL,
        at INTEGER NOT NULL,
        machine TEXT NOT NULL,
        seq INTEGER NOT NULL,
        PRIMARY KEY (paper_id, field)
    ) WITHOUT ROWID;
    CREATE TABLE library_peers (
        file TEXT PRIMARY KEY,
        offset INTEGER NOT NULL,
        line INTEGER NOT NULL,
        head TEXT NOT NULL DEFAULT ''
    ) WITHOUT ROWID;
    """
    + "".join(_field_triggers(name) for name in _STATE_FIELDS)
    + _log_trigger(
        "tag_set",
        "UPDATE OF tagged ON paper_tags",
        "new.tagged IS NOT old.tagged",
        "'tag:' || new.tag",
        "new.tagged",
    )
    + _log_trigger("tag_new", "INSERT ON paper_tags", "1", "'tag:' || new.tag", "new.tagged")
)

MIGRATIONS: list[str] = [
    # 1: papers, authors, topics, translations, user state, full-text index.
    """
    CREATE TABLE papers (
        key INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        version INTEGER,
        title TEXT NOT NULL COLLATE NOCASE,
        authors TEXT NOT NULL DEFAULT '',
        authors_complete INTEGER NOT NULL DEFAULT 1,
        abstract TEXT NOT NULL DEFAULT '',
        published TEXT NOT NULL,
        updated TEXT,
        comment TEXT NOT NULL DEFAULT '',
        journal_ref TEXT NOT NULL DEFAULT '',
        doi TEXT NOT NULL DEFAULT '',
        primary_category TEXT NOT NULL DEFAULT '',
        categories TEXT NOT NULL DEFAULT '[]',
        code_urls TEXT NOT NULL DEFAULT '[]',
        summary TEXT NOT NULL DEFAULT '',
        source TEXT NOT NULL,
        fetched_at TEXT NOT NULL,
        first_author TEXT COLLATE NOCASE GENERATED ALWAYS AS
            (substr(authors, 1, instr(authors || char(10), char(10)) - 1)) VIRTUAL,
        n_authors INTEGER GENERATED ALWAYS AS
            (CASE WHEN authors = '' THEN 0
             ELSE length(authors) - length(replace(authors, char(10), '')) + 1 END) VIRTUAL,
        has_code INTEGER GENERATED ALWAYS AS (code_urls <> '[]') VIRTUAL
    );
    CREATE INDEX papers_by_title ON papers(title, key DESC);
    CREATE INDEX papers_by_author ON papers(first_author, key DESC);
    CREATE INDEX papers_with_code ON papers(has_code);

    CREATE TABLE authors (
        paper_key INTEGER NOT NULL,
        position INTEGER NOT NULL,
        name TEXT NOT NULL COLLATE NOCASE,
        PRIMARY KEY (paper_key, position)
    ) WITHOUT ROWID;
    CREATE INDEX authors_by_name ON authors(name);

    CREATE TABLE topics (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE
    );
    CREATE TABLE paper_topics (
        topic_id INTEGER NOT NULL,
        paper_key INTEGER NOT NULL,
        PRIMARY KEY (topic_id, paper_key)
    ) WITHOUT ROWID;
    CREATE INDEX paper_topics_by_paper ON paper_topics(paper_key);

    CREATE TABLE translations (
        paper_id TEXT NOT NULL,
        lang TEXT NOT NULL,
        title TEXT NOT NULL DEFAULT '',
        abstract TEXT NOT NULL,
        source TEXT NOT NULL,
        fetched_at TEXT NOT NULL,
        PRIMARY KEY (paper_id, lang)
    ) WITHOUT ROWID;

    CREATE TABLE user_state (
        paper_id TEXT PRIMARY KEY,
        read INTEGER NOT NULL DEFAULT 0,
        read_at TEXT,
        starred INTEGER NOT NULL DEFAULT 0,
        starred_at TEXT
    ) WITHOUT ROWID;
    CREATE INDEX user_state_starred ON user_state(paper_id) WHERE starred;
    CREATE INDEX user_state_read_at ON user_state(read_at) WHERE read;

    CREATE VIRTUAL TABLE papers_fts USING fts5(
        title, authors, abstract,
        content='papers', content_rowid='key',
        tokenize='unicode61 remove_diacritics 2'
    );
    CREATE TRIGGER papers_fts_delete AFTER DELETE ON papers BEGIN
        INSERT INTO papers_fts(papers_fts, rowid, title, authors, abstract)
        VALUES ('delete', old.key, old.title, old.authors, old.abstract);
    END;
    CREATE TRIGGER papers_fts_update AFTER UPDATE OF key, title, authors, abstract ON papers BEGIN
        INSERT INTO papers_fts(papers_fts, rowid, title, authors, abstract)
        VALUES ('delete', old.key, old.title, old.authors, old.abstract);
        INSERT INTO papers_fts(rowid, title, authors, abstract)
        VALUES (new.key, new.title, new.authors, new.abstract);
    END;
    """,
    # 2: what each remote source last said, for conditional requests and lookup caches.
    """
    CREATE TABLE sync_state (
        source TEXT PRIMARY KEY,
        etag TEXT,
        last_modified TEXT,
        synced_at TEXT NOT NULL,
        result TEXT NOT NULL DEFAULT ''
    ) WITHOUT ROWID;
    """,
    # 3: views filtered by user state (unread) walk this small index newest first and
    # read a paper's row only when it passes, instead of scanning the rows themselves:
    # on a million papers, nearly all read, their first page costs 0.6 s, not 2-4 s.
    """
    CREATE INDEX papers_by_key_id ON papers(key, id);
    """,
    # 4: full texts (see storage/cache/fulltext.py): each paper's HTML rendering as fetched
    # and its converted document, both zlib-compressed, with the converter's version (a
    # newer converter converts the stored page again); and where the reader left each paper.
    """
    CREATE TABLE fulltext (
        paper_id TEXT PRIMARY KEY,
        version INTEGER,
        source_url TEXT NOT NULL,
        html BLOB NOT NULL,
        converter INTEGER NOT NULL,
        document BLOB NOT NULL,
        fetched_at TEXT NOT NULL,
        converted_at TEXT NOT NULL
    );
    CREATE TABLE reading_positions (
        paper_id TEXT PRIMARY KEY,
        block INTEGER NOT NULL,
        line INTEGER NOT NULL DEFAULT 0,
        read_at TEXT NOT NULL
    ) WITHOUT ROWID;
    """,
    # 5: the personal library (see storage/cache/library.py): read-later, notes and
    # citation keys beside the stars; tags with a row per (paper, tag) that remembers an
    # untag; a paper's note and tags indexed with its text (``library_text`` holds what was
    # appended to its abstract in ``papers_fts``, so the triggers delete exactly what was
    # indexed); and this machine's change log, written by triggers while the library is
    # shared (``library_settings.journal``), with the versions of values merged from
    # other machines.
    _LIBRARY,
    # 6: triage (see storage/cache/triage.py, interest.py, rules.py): a dismissal is user
    # state ("not for me", with its time); the interest order, one row per paper walked
    # by ``pos`` (most interesting first), with what it was made from; and the papers each
    # watch or mute rule matches, made again after a sync or a change of the rules.
    """
    ALTER TABLE user_state ADD COLUMN dismissed INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE user_state ADD COLUMN dismissed_at TEXT;
    CREATE INDEX user_state_dismissed ON user_state(paper_id) WHERE dismissed;

    CREATE TABLE interest_order (
        pos INTEGER PRIMARY KEY,
        paper_key INTEGER NOT NULL
    );
    CREATE UNIQUE INDEX interest_order_by_paper ON interest_order(paper_key);
    CREATE TABLE interest_state (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        signature TEXT NOT NULL,
        computed_at TEXT NOT NULL,
        papers INTEGER NOT NULL,
        positives INTEGER NOT NULL,
        negatives INTEGER NOT NULL,
        profile TEXT NOT NULL
    );

    CREATE TABLE rule_matches (
        kind TEXT NOT NULL,
        rule TEXT NOT NULL,
        paper_key INTEGER NOT NULL,
        PRIMARY KEY (kind, rule, paper_key)
    ) WITHOUT ROWID;
    CREATE INDEX rule_matches_by_paper ON rule_matches(paper_key, kind);
    CREATE TABLE rule_state (
        kind TEXT PRIMARY KEY,
        signature TEXT NOT NULL,
        refreshed_at TEXT NOT NULL
    ) WITHOUT ROWID;
    """,
    # 7: figures' images (see storage/cache/figures.py), fetched as the reading screen
    # needs them and kept with the paper's full text, so they are drawn offline.
    """
    CREATE TABLE fulltext_images (
        paper_id TEXT NOT NULL,
        url TEXT NOT NULL,
        data BLOB NOT NULL,
        fetched_at TEXT NOT NULL,
        PRIMARY KEY (paper_id, url)
    );  -- a rowid table: its rows hold blobs of tens of kilobytes
    """,
    # 8: dismissals are logged like the other fields of the library (issue 16), those
    # made before it too while the library is already logged.
    f"""
    INSERT INTO library_log(paper_id, field, value, at)
        SELECT paper_id, 'dismissed', dismissed, coalesce(
            CAST((julianday(dismissed_at) - 2440587.5) * 86400000 AS INTEGER), {_NOW_MS})
        FROM user_state
        WHERE (dismissed OR dismissed_at IS NOT NULL)
          AND (SELECT journal FROM library_settings WHERE id = 1)
        ORDER BY paper_id;
    """
    + _field_triggers("dismissed"),
    # 9: the assistant (see storage/cache/assistant.py): the questions asked about each
    # paper with their answers and checked citations, and summaries per paper and model.
    """
    CREATE TABLE assistant_answers (
        id INTEGER PRIMARY KEY,
        paper_id TEXT NOT NULL,
        model TEXT NOT NULL,
        question TEXT NOT NULL,
        answer TEXT NOT NULL,
        citations TEXT NOT NULL,
        asked_at TEXT NOT NULL
    );
    CREATE INDEX assistant_answers_by_paper ON assistant_answers(paper_id, id);
    CREATE TABLE assistant_summaries (
        paper_id TEXT NOT NULL,
        model TEXT NOT NULL,
        summary TEXT NOT NULL,
        source TEXT NOT NULL,
        made_at TEXT NOT NULL,
        PRIMARY KEY (paper_id, model)
    ) WITHOUT ROWID;
    """,
    # 10: finding papers and staying current (storage/cache/lists.py, citations.py,
    # updates.py): ranked lists of papers that views walk in their own order ("more like
    # this", references, citing papers); Semantic Scholar's answers, kept a week; and the
    # kept papers a sync brought a new version of, until they are read again. The author
    # sort uses the first author's family name (the last word of the name).
    """
    ALTER TABLE papers ADD COLUMN first_family TEXT COLLATE NOCASE GENERATED ALWAYS AS
        (substr(first_author, length(rtrim(first_author, replace(first_author, ' ', ''))) + 1))
        VIRTUAL;
    CREATE INDEX papers_by_family ON papers(first_family, key DESC);

    CREATE TABLE paper_lists (
        name TEXT NOT NULL,
        pos INTEGER NOT NULL,
        paper_id TEXT NOT NULL,
        PRIMARY KEY (name, pos)
    ) WITHOUT ROWID;
    CREATE TABLE paper_lists_state (
        name TEXT PRIMARY KEY,
        made_at TEXT NOT NULL
    ) WITHOUT ROWID;

    CREATE TABLE citations (
        paper_id TEXT PRIMARY KEY,
        fetched_at TEXT NOT NULL,
        count INTEGER,
        refs TEXT NOT NULL DEFAULT '[]',
        cited_by TEXT NOT NULL DEFAULT '[]'
    ) WITHOUT ROWID;

    CREATE TABLE paper_updates (
        paper_id TEXT PRIMARY KEY,
        version INTEGER,
        at TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE TRIGGER paper_updates_read AFTER UPDATE OF read ON user_state WHEN new.read
    BEGIN
        DELETE FROM paper_updates WHERE paper_id = new.paper_id;
    END;
    CREATE TRIGGER paper_updates_read_new AFTER INSERT ON user_state WHEN new.read
    BEGIN
        DELETE FROM paper_updates WHERE paper_id = new.paper_id;
    END;
    """,
]


def _fts_with_prefixes() -> str:
    """The full-text index made again with prefix indexes of 3, 4 and 5 letters (a typed
    ``mod*`` reads one list, instead of merging those of every term that starts so, which
    took up to half a second at a million papers), what the library appended to it put
    back. A longer prefix still merges the lists of its terms (few, but common ones long)."""
    return """
    DROP TABLE papers_fts;
    CREATE VIRTUAL TABLE papers_fts USING fts5(
        title, authors, abstract,
        content='papers', content_rowid='key',
        tokenize='unicode61 remove_diacritics 2', prefix='3 4 5'
    );
    INSERT INTO papers_fts(papers_fts) VALUES ('rebuild');
    INSERT INTO papers_fts(papers_fts, rowid, title, authors, abstract)
        SELECT 'delete', p.key, p.title, p.authors, p.abstract
        FROM library_text t JOIN papers p ON p.key = t.key;
    INSERT INTO papers_fts(rowid, title, authors, abstract)
        SELECT p.key, p.title, p.authors, p.abstract || char(10) || t.text
        FROM library_text t JOIN papers p ON p.key = t.key;
    """


def _category_trigger(event: str, delete: bool, insert: bool) -> str:
    body = ""
    if delete:
        body += "DELETE FROM paper_categories WHERE paper_key = old.key;\n"
    if insert:
        body += (
            "INSERT OR IGNORE INTO paper_categories(category, paper_key) "
            "SELECT value, new.key FROM json_each(new.categories);\n"
        )
    name = event.split()[0].lower()
    return f"CREATE TRIGGER paper_categories_{name} AFTER {event} BEGIN\n{body}END;\n"


MIGRATIONS.append(
    # 11: all of arXiv (see storage/cache/bulk.py): the license; the checksum of the
    # snapshot or OAI record a paper was last stored from, so that a second import skips
    # it without parsing; each paper's categories as rows; the indexes a big load drops
    # (made again after it, or at the next opening if it was killed); the index made
    # again with prefix indexes, so that a typed prefix stays fast at millions of papers.
    """
    ALTER TABLE papers ADD COLUMN license TEXT NOT NULL DEFAULT '';
    ALTER TABLE papers ADD COLUMN record_crc INTEGER;
    CREATE TABLE paper_categories (
        category TEXT NOT NULL,
        paper_key INTEGER NOT NULL,
        PRIMARY KEY (category, paper_key)
    ) WITHOUT ROWID;
    CREATE INDEX paper_categories_by_paper ON paper_categories(paper_key);
    CREATE TABLE bulk_dropped (
        name TEXT PRIMARY KEY,
        sql TEXT NOT NULL
    ) WITHOUT ROWID;
    INSERT OR IGNORE INTO paper_categories(category, paper_key)
        SELECT j.value, p.key FROM papers p, json_each(p.categories) j;
    """
    + _category_trigger("INSERT ON papers", delete=False, insert=True)
    + _category_trigger("UPDATE OF key, categories ON papers", delete=True, insert=True)
    + _category_trigger("DELETE ON papers", delete=True, insert=False)
    + _fts_with_prefixes()
)
MIGRATION_NOTES = {
    len(MIGRATIONS): "rebuilding the search index with prefix indexes for fast typed search "
    "(once; about a minute per million papers)",
}
"""What a long migration says while it runs (by the schema number it makes)."""

MIGRATIONS.append(
    # 12: highlights of passages, with comments (storage/cache/highlights.py); logged, and
    # so travelling, like the library's other fields.
    """
    CREATE TABLE highlights (
        paper_id TEXT NOT NULL,
        hid TEXT NOT NULL,
        version INTEGER,
        block INTEGER NOT NULL,
        end_block INTEGER NOT NULL,
        anchor TEXT NOT NULL DEFAULT '',
        quote TEXT NOT NULL,
        comment TEXT NOT NULL DEFAULT '',
        made_at TEXT NOT NULL,
        PRIMARY KEY (paper_id, hid)
    ) WITHOUT ROWID;
    """
    + _highlight_triggers()
)

SCHEMA_VERSION = len(MIGRATIONS)
