-- Readers' votes and saved papers. A vote belongs to a chat and a voter in it (a private
-- chat's reader, a group's member, or the group itself for an anonymous admin).

CREATE TABLE votes (
    chat_id  INTEGER NOT NULL,
    voter_id INTEGER NOT NULL,
    paper_id INTEGER NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    vote     INTEGER NOT NULL CHECK (vote IN (-1, 1)),
    voted_at TEXT    NOT NULL,               -- ISO 8601 UTC
    PRIMARY KEY (chat_id, paper_id, voter_id)
);
CREATE INDEX votes_paper ON votes (paper_id);

-- A card shared inline belongs to no chat: it shows the counts of its own voters, whose votes
-- are also kept under their private chats (see votes).
CREATE TABLE inline_votes (
    inline_message_id TEXT    NOT NULL,
    voter_id          INTEGER NOT NULL,
    paper_id          INTEGER NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    vote              INTEGER NOT NULL CHECK (vote IN (-1, 1)),
    voted_at          TEXT    NOT NULL,
    PRIMARY KEY (inline_message_id, voter_id)
);

CREATE TABLE saved_papers (
    chat_id  INTEGER NOT NULL,
    paper_id INTEGER NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    saved_by INTEGER,                        -- the voter who saved it, when known
    saved_at TEXT    NOT NULL,
    PRIMARY KEY (chat_id, paper_id)
);

-- The paper each card message shows and its language: a reaction names only the message.
CREATE TABLE card_messages (
    chat_id    INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    paper_id   INTEGER NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    lang       TEXT    NOT NULL,
    sent_at    TEXT    NOT NULL,
    PRIMARY KEY (chat_id, message_id)
);
