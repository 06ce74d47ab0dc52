-- A chat's library: the authors it follows, and the version of each saved paper it knows of,
-- so that a new arXiv version of a saved paper is announced in its next digest, once.

CREATE TABLE follows (
    chat_id    INTEGER NOT NULL,
    name_key   TEXT    NOT NULL,              -- the name's normal form (bot/authors.py)
    name       TEXT    NOT NULL,              -- as the reader wrote it, whitespace collapsed
    created_by INTEGER,                       -- who followed, when known
    created_at TEXT    NOT NULL,              -- ISO 8601 UTC
    PRIMARY KEY (chat_id, name_key)
);

-- 0: the paper was known only from an editor's article when saved; its first version is
-- taken as known (see the trigger below), since a first version is no update.
ALTER TABLE saved_papers ADD COLUMN known_version INTEGER NOT NULL DEFAULT 0;

UPDATE saved_papers
SET known_version = (SELECT version FROM papers WHERE papers.id = saved_papers.paper_id);

-- Every way of saving (a card's 🔖, a shared card, `digestbot feedback`) records the version
-- the chat saw then.
CREATE TRIGGER saved_papers_known_version AFTER INSERT ON saved_papers BEGIN
    UPDATE saved_papers
    SET known_version = (SELECT version FROM papers WHERE id = new.paper_id)
    WHERE chat_id = new.chat_id AND paper_id = new.paper_id;
END;

CREATE TRIGGER saved_papers_first_version AFTER UPDATE OF version ON papers
WHEN old.version = 0 BEGIN
    UPDATE saved_papers SET known_version = new.version
    WHERE paper_id = new.id AND known_version = 0;
END;
