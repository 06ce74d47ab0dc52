-- Fortnightly digests: editors' picks per period, issues frozen when first sent, the rendered
-- message parts, and the delivery ledger that makes each push happen exactly once.
-- A period is named by its first day (an ISO date, always a Monday).

CREATE TABLE editor_picks (
    period_start TEXT    NOT NULL,
    paper_id     INTEGER NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    topic_slug   TEXT    REFERENCES topics (slug) ON UPDATE CASCADE,  -- NULL: topics from rules
    position     INTEGER NOT NULL,              -- the item's place in the editor's article
    created_at   TEXT    NOT NULL,
    PRIMARY KEY (period_start, paper_id)
);
CREATE INDEX editor_picks_paper ON editor_picks (paper_id);

-- One issue per (period, topic); a keyword subscription's issue belongs to one chat.
CREATE TABLE issues (
    id           INTEGER PRIMARY KEY,
    period_start TEXT    NOT NULL,
    topic_slug   TEXT    REFERENCES topics (slug) ON UPDATE CASCADE,
    chat_id      INTEGER REFERENCES chats (id) ON DELETE CASCADE ON UPDATE CASCADE,
    query        TEXT,
    frozen_at    TEXT    NOT NULL,
    CHECK ((topic_slug IS NULL) <> (query IS NULL)),
    CHECK ((query IS NULL) = (chat_id IS NULL))
);
CREATE UNIQUE INDEX issues_topic ON issues (period_start, topic_slug) WHERE topic_slug IS NOT NULL;
CREATE UNIQUE INDEX issues_query ON issues (period_start, chat_id, query) WHERE query IS NOT NULL;

CREATE TABLE issue_papers (
    issue_id INTEGER NOT NULL REFERENCES issues (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    paper_id INTEGER NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    PRIMARY KEY (issue_id, position)
) WITHOUT ROWID;

-- Rendered messages, stored once however many chats receive the same text.
CREATE TABLE digest_texts (
    id   INTEGER PRIMARY KEY,
    hash TEXT    NOT NULL UNIQUE,
    text TEXT    NOT NULL
);

-- The ledger: one row per chat × period × message part. pending → claimed (written before
-- the send) → sent (written after Telegram accepted it), or failed / cancelled. A period
-- with nothing for the chat leaves one 'empty' row (part 0 of 0), so it is not looked at again.
CREATE TABLE deliveries (
    chat_id      INTEGER NOT NULL REFERENCES chats (id) ON DELETE CASCADE ON UPDATE CASCADE,
    period_start TEXT    NOT NULL,
    part         INTEGER NOT NULL,
    parts        INTEGER NOT NULL,
    text_id      INTEGER REFERENCES digest_texts (id),  -- NULL only for an 'empty' row
    thread_id    INTEGER,
    state        TEXT    NOT NULL DEFAULT 'pending'
                 CHECK (state IN ('pending', 'claimed', 'sent', 'failed', 'cancelled', 'empty')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    due_at       TEXT    NOT NULL,
    claimed_at   TEXT,
    sent_at      TEXT,
    message_id   INTEGER,
    error        TEXT,
    PRIMARY KEY (chat_id, period_start, part)
);
CREATE INDEX deliveries_open ON deliveries (state, chat_id) WHERE state IN ('pending', 'claimed');

-- The language a chat's subscriber read when subscribing: pushes use it while the chat has
-- no saved language of its own (a push has no user whose Telegram language could decide).
ALTER TABLE chats ADD COLUMN reader_language TEXT CHECK (reader_language IN ('zh', 'en'));
