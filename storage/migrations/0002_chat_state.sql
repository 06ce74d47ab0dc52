-- Per-chat state beside chats and subscriptions: search sessions behind paging buttons,
-- the admin-check cache, and an index for "which chats take this topic".
-- The two caches carry no foreign key: a cache write must never fail because a chat row is
-- not written yet; storage.chats.migrate moves them, and both are pruned by age.

CREATE TABLE search_sessions (
    token      TEXT    PRIMARY KEY,     -- short URL-safe random text carried in callback data
    chat_id    INTEGER NOT NULL,
    query      TEXT    NOT NULL,
    lang       TEXT    CHECK (lang IN ('zh', 'en')),
    created_at TEXT    NOT NULL
);
CREATE INDEX search_sessions_created ON search_sessions (created_at);
CREATE INDEX search_sessions_chat ON search_sessions (chat_id);

CREATE TABLE chat_admins (
    chat_id    INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    is_admin   INTEGER NOT NULL CHECK (is_admin IN (0, 1)),
    checked_at TEXT    NOT NULL,
    PRIMARY KEY (chat_id, user_id)
) WITHOUT ROWID;

CREATE INDEX subscriptions_by_topic ON subscriptions (topic_slug, chat_id)
    WHERE topic_slug IS NOT NULL;
