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
- ``sync_state`` remembers, per remote source (a digest or feed URL, or ``hf:<id>`` for a
  code-link lookup), the validators of its last answer and when it was asked.
"""

from __future__ import annotations

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
]

SCHEMA_VERSION = len(MIGRATIONS)
