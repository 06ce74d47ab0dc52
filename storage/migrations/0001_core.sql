-- Papers, their summaries and topics, chats and their subscriptions, feed state,
-- and the full-text index over papers and both languages' summaries.

CREATE TABLE papers (
    id            INTEGER PRIMARY KEY,
    arxiv_id      TEXT    NOT NULL UNIQUE,       -- without version: 2406.15877, hep-th/9901001
    version       INTEGER NOT NULL DEFAULT 0,    -- 0: known only from an editor's article so far
    title         TEXT    NOT NULL,
    authors       TEXT    NOT NULL DEFAULT '[]', -- JSON array, in the paper's order
    abstract      TEXT    NOT NULL DEFAULT '',
    categories    TEXT    NOT NULL DEFAULT '[]', -- JSON array, primary first
    submitted_at  TEXT,                          -- ISO 8601 UTC, first version
    updated_at    TEXT,                          -- ISO 8601 UTC, latest version
    announced_at  TEXT,                          -- ISO 8601 UTC, first announcement seen
    announce_type TEXT,                          -- new | cross | replace | replace-cross
    doi           TEXT,
    journal_ref   TEXT,
    comment       TEXT,
    created_at    TEXT    NOT NULL,
    changed_at    TEXT    NOT NULL
);
CREATE INDEX papers_announced ON papers (announced_at);

CREATE TABLE summaries (
    paper_id   INTEGER NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    lang       TEXT    NOT NULL CHECK (lang IN ('zh', 'en')),
    text       TEXT    NOT NULL,
    source     TEXT    NOT NULL CHECK (source IN ('editor', 'llm', 'abstract')),
    model      TEXT,
    importance REAL,
    created_at TEXT    NOT NULL,
    PRIMARY KEY (paper_id, lang)
);

-- A worse source never replaces a better one, whoever writes the row.
CREATE TRIGGER summaries_keep_better BEFORE UPDATE OF source ON summaries
WHEN (CASE new.source WHEN 'editor' THEN 3 WHEN 'llm' THEN 2 ELSE 1 END)
   < (CASE old.source WHEN 'editor' THEN 3 WHEN 'llm' THEN 2 ELSE 1 END)
BEGIN
    SELECT RAISE(ABORT, 'a summary may not be replaced by one from a worse source');
END;

CREATE TABLE topics (
    slug     TEXT    PRIMARY KEY,
    name_zh  TEXT    NOT NULL,
    name_en  TEXT    NOT NULL,
    aliases  TEXT    NOT NULL DEFAULT '[]',  -- JSON array, both languages
    position INTEGER NOT NULL DEFAULT 0,
    active   INTEGER NOT NULL DEFAULT 1      -- 0: no longer in the configured topic file
);

CREATE TABLE paper_topics (
    paper_id   INTEGER NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    topic_slug TEXT    NOT NULL REFERENCES topics (slug) ON UPDATE CASCADE,
    score      REAL    NOT NULL DEFAULT 1.0,
    source     TEXT    NOT NULL CHECK (source IN ('rules', 'editor')),
    PRIMARY KEY (paper_id, topic_slug)
);
CREATE INDEX paper_topics_topic ON paper_topics (topic_slug, paper_id);

CREATE TABLE chats (
    id               INTEGER PRIMARY KEY,         -- Telegram chat id
    type             TEXT    NOT NULL CHECK (type IN ('private', 'group', 'supergroup', 'channel')),
    title            TEXT,
    language         TEXT    CHECK (language IN ('zh', 'en')),  -- NULL: negotiate per user
    timezone         TEXT    NOT NULL,
    delivery_weekday INTEGER NOT NULL DEFAULT 0 CHECK (delivery_weekday BETWEEN 0 AND 6),
    delivery_hour    INTEGER NOT NULL DEFAULT 9 CHECK (delivery_hour BETWEEN 0 AND 23),
    empty_topics     TEXT    NOT NULL DEFAULT 'skip' CHECK (empty_topics IN ('skip', 'line')),
    thread_id        INTEGER,                     -- forum thread for pushes
    active           INTEGER NOT NULL DEFAULT 1,
    paused_reason    TEXT,
    created_at       TEXT    NOT NULL,
    changed_at       TEXT    NOT NULL
);

CREATE TABLE subscriptions (
    id         INTEGER PRIMARY KEY,
    chat_id    INTEGER NOT NULL REFERENCES chats (id) ON DELETE CASCADE ON UPDATE CASCADE,
    topic_slug TEXT    REFERENCES topics (slug) ON UPDATE CASCADE,
    query      TEXT,
    thread_id  INTEGER,
    created_by INTEGER,
    created_at TEXT    NOT NULL,
    CHECK ((topic_slug IS NULL) <> (query IS NULL))
);
CREATE UNIQUE INDEX subscriptions_topic ON subscriptions (chat_id, topic_slug)
    WHERE topic_slug IS NOT NULL;
CREATE UNIQUE INDEX subscriptions_query ON subscriptions (chat_id, query) WHERE query IS NOT NULL;

-- One row per feed or API URL: conditional GET validators and the last result.
CREATE TABLE feeds (
    url           TEXT PRIMARY KEY,
    etag          TEXT,
    last_modified TEXT,
    fetched_at    TEXT,
    status        TEXT,     -- ok | not-modified | error
    error         TEXT,
    new           INTEGER NOT NULL DEFAULT 0,
    updated       INTEGER NOT NULL DEFAULT 0,
    unchanged     INTEGER NOT NULL DEFAULT 0
);

-- Full-text search. The indexed text is defined once, by this view: Chinese runs become
-- overlapping bigrams (cjk_bigrams, registered on every connection by storage.db) because
-- FTS5's tokenizers cannot find two-character Chinese words. The index is an
-- external-content table over the view; BEFORE triggers remove a paper's old entry while the
-- view still shows it, AFTER triggers add the new one.
CREATE VIEW paper_search_source AS
SELECT p.id AS id,
       p.title AS title,
       p.authors AS authors,
       p.abstract AS abstract,
       (SELECT s.text FROM summaries s WHERE s.paper_id = p.id AND s.lang = 'en') AS summary_en,
       (SELECT cjk_bigrams(s.text) FROM summaries s WHERE s.paper_id = p.id AND s.lang = 'zh')
           AS summary_zh
FROM papers p;

CREATE VIRTUAL TABLE paper_fts USING fts5 (
    title, authors, abstract, summary_en, summary_zh,
    content = 'paper_search_source',
    content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2'
);

CREATE TRIGGER papers_fts_insert AFTER INSERT ON papers BEGIN
    INSERT INTO paper_fts (rowid, title, authors, abstract, summary_en, summary_zh)
    SELECT id, title, authors, abstract, summary_en, summary_zh
    FROM paper_search_source WHERE id = new.id;
END;

CREATE TRIGGER papers_fts_before_update BEFORE UPDATE OF title, authors, abstract ON papers BEGIN
    INSERT INTO paper_fts (paper_fts, rowid, title, authors, abstract, summary_en, summary_zh)
    SELECT 'delete', id, title, authors, abstract, summary_en, summary_zh
    FROM paper_search_source WHERE id = old.id;
END;

CREATE TRIGGER papers_fts_after_update AFTER UPDATE OF title, authors, abstract ON papers BEGIN
    INSERT INTO paper_fts (rowid, title, authors, abstract, summary_en, summary_zh)
    SELECT id, title, authors, abstract, summary_en, summary_zh
    FROM paper_search_source WHERE id = new.id;
END;

CREATE TRIGGER papers_fts_delete BEFORE DELETE ON papers BEGIN
    INSERT INTO paper_fts (paper_fts, rowid, title, authors, abstract, summary_en, summary_zh)
    SELECT 'delete', id, title, authors, abstract, summary_en, summary_zh
    FROM paper_search_source WHERE id = old.id;
END;

-- An upsert fires BEFORE INSERT triggers even when it ends as an update or as nothing, so the
-- insert trigger runs after the fact and rebuilds the old entry: the same, less this summary.
CREATE TRIGGER summaries_fts_after_insert AFTER INSERT ON summaries BEGIN
    INSERT INTO paper_fts (paper_fts, rowid, title, authors, abstract, summary_en, summary_zh)
    SELECT 'delete', id, title, authors, abstract,
           CASE new.lang WHEN 'en' THEN NULL ELSE summary_en END,
           CASE new.lang WHEN 'zh' THEN NULL ELSE summary_zh END
    FROM paper_search_source WHERE id = new.paper_id;
    INSERT INTO paper_fts (rowid, title, authors, abstract, summary_en, summary_zh)
    SELECT id, title, authors, abstract, summary_en, summary_zh
    FROM paper_search_source WHERE id = new.paper_id;
END;

CREATE TRIGGER summaries_fts_before_update BEFORE UPDATE OF text ON summaries BEGIN
    INSERT INTO paper_fts (paper_fts, rowid, title, authors, abstract, summary_en, summary_zh)
    SELECT 'delete', id, title, authors, abstract, summary_en, summary_zh
    FROM paper_search_source WHERE id = old.paper_id;
END;

CREATE TRIGGER summaries_fts_after_update AFTER UPDATE OF text ON summaries BEGIN
    INSERT INTO paper_fts (rowid, title, authors, abstract, summary_en, summary_zh)
    SELECT id, title, authors, abstract, summary_en, summary_zh
    FROM paper_search_source WHERE id = new.paper_id;
END;

CREATE TRIGGER summaries_fts_before_delete BEFORE DELETE ON summaries BEGIN
    INSERT INTO paper_fts (paper_fts, rowid, title, authors, abstract, summary_en, summary_zh)
    SELECT 'delete', id, title, authors, abstract, summary_en, summary_zh
    FROM paper_search_source WHERE id = old.paper_id;
END;

CREATE TRIGGER summaries_fts_after_delete AFTER DELETE ON summaries BEGIN
    INSERT INTO paper_fts (rowid, title, authors, abstract, summary_en, summary_zh)
    SELECT id, title, authors, abstract, summary_en, summary_zh
    FROM paper_search_source WHERE id = old.paper_id;
END;
