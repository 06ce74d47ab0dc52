-- A summary model may choose a paper's topics among the configured ones: its choice is a
-- third source of paper_topics, between an editor's headings and the keyword rules. The
-- table is rebuilt because SQLite cannot change a CHECK constraint in place.

CREATE TABLE paper_topics_new (
    paper_id   INTEGER NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    topic_slug TEXT    NOT NULL REFERENCES topics (slug) ON UPDATE CASCADE,
    score      REAL    NOT NULL DEFAULT 1.0,
    source     TEXT    NOT NULL CHECK (source IN ('rules', 'model', 'editor')),
    PRIMARY KEY (paper_id, topic_slug)
);
INSERT INTO paper_topics_new (paper_id, topic_slug, score, source)
SELECT paper_id, topic_slug, score, source FROM paper_topics;
DROP TABLE paper_topics;
ALTER TABLE paper_topics_new RENAME TO paper_topics;
CREATE INDEX paper_topics_topic ON paper_topics (topic_slug, paper_id);

-- That the model has spoken for a paper, also when it chose no topic: from then on the rules
-- no longer give the paper the topics it was offered (an editor's heading still does; a topic
-- configured later is the rules' to give).
CREATE TABLE model_topic_choices (
    paper_id   INTEGER PRIMARY KEY REFERENCES papers (id) ON DELETE CASCADE,
    model      TEXT    NOT NULL,
    topics     TEXT    NOT NULL,              -- JSON list of the slugs chosen, maybe empty
    offered    TEXT    NOT NULL,              -- JSON list of the slugs it chose among
    chosen_at  TEXT    NOT NULL
);

-- A model's summary written as the translation of the editor's summary in the other language.
ALTER TABLE summaries ADD COLUMN translated_from TEXT CHECK (translated_from IN ('zh', 'en'));

-- Each summaries run looks for editors' summaries to translate and papers known only from an
-- article: small sets among a million rows, found without a scan.
CREATE INDEX summaries_by_editor ON summaries (paper_id) WHERE source = 'editor';
CREATE INDEX papers_known_from_articles ON papers (id) WHERE version = 0;
