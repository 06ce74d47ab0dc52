-- Papers' embeddings from the configured model, for semantic search and similar papers.
-- A paper changed since it was embedded (a new version) is embedded again; a row replaced
-- takes a new id, so a reader that remembers the last id it saw finds every change.

CREATE TABLE paper_embeddings (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    paper_id    INTEGER NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    model       TEXT    NOT NULL,
    dimensions  INTEGER NOT NULL CHECK (dimensions > 0),
    vector      BLOB    NOT NULL,            -- float16, little-endian, unit length
    paper_changed_at TEXT NOT NULL,          -- the paper's changed_at when it was embedded
    embedded_at TEXT    NOT NULL,            -- ISO 8601 UTC
    UNIQUE (paper_id, model)
);
CREATE INDEX paper_embeddings_model ON paper_embeddings (model, id);
