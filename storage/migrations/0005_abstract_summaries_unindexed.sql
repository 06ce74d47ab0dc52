-- Summaries extracted from the abstract stay out of the full-text index: their sentences are
-- the abstract's own, already indexed, so indexing them again costs ingest time and finds
-- nothing new. The view leaves them out, the summary triggers skip them, and the index is
-- rebuilt once from the new view.

DROP TRIGGER summaries_fts_after_insert;
DROP TRIGGER summaries_fts_before_update;
DROP TRIGGER summaries_fts_after_update;
DROP TRIGGER summaries_fts_before_delete;
DROP TRIGGER summaries_fts_after_delete;
DROP VIEW paper_search_source;

CREATE VIEW paper_search_source AS
SELECT p.id AS id,
       p.title AS title,
       p.authors AS authors,
       p.abstract AS abstract,
       (SELECT s.text FROM summaries s
        WHERE s.paper_id = p.id AND s.lang = 'en' AND s.source <> 'abstract') AS summary_en,
       (SELECT cjk_bigrams(s.text) FROM summaries s
        WHERE s.paper_id = p.id AND s.lang = 'zh' AND s.source <> 'abstract') AS summary_zh
FROM papers p;

-- As in 0001: the insert trigger removes the entry as it was without this summary.
CREATE TRIGGER summaries_fts_after_insert AFTER INSERT ON summaries
WHEN new.source <> 'abstract' BEGIN
    INSERT INTO paper_fts (paper_fts, rowid, title, authors, abstract, summary_en, summary_zh)
    SELECT 'delete', id, title, authors, abstract,
           CASE new.lang WHEN 'en' THEN NULL ELSE summary_en END,
           CASE new.lang WHEN 'zh' THEN NULL ELSE summary_zh END
    FROM paper_search_source WHERE id = new.paper_id;
    INSERT INTO paper_fts (rowid, title, authors, abstract, summary_en, summary_zh)
    SELECT id, title, authors, abstract, summary_en, summary_zh
    FROM paper_search_source WHERE id = new.paper_id;
END;

-- An extract replaced by an editor's or a model's summary enters the index here.
CREATE TRIGGER summaries_fts_before_update BEFORE UPDATE OF text, source ON summaries
WHEN old.source <> 'abstract' OR new.source <> 'abstract' BEGIN
    INSERT INTO paper_fts (paper_fts, rowid, title, authors, abstract, summary_en, summary_zh)
    SELECT 'delete', id, title, authors, abstract, summary_en, summary_zh
    FROM paper_search_source WHERE id = old.paper_id;
END;

CREATE TRIGGER summaries_fts_after_update AFTER UPDATE OF text, source ON summaries
WHEN old.source <> 'abstract' OR new.source <> 'abstract' BEGIN
    INSERT INTO paper_fts (rowid, title, authors, abstract, summary_en, summary_zh)
    SELECT id, title, authors, abstract, summary_en, summary_zh
    FROM paper_search_source WHERE id = new.paper_id;
END;

CREATE TRIGGER summaries_fts_before_delete BEFORE DELETE ON summaries
WHEN old.source <> 'abstract' BEGIN
    INSERT INTO paper_fts (paper_fts, rowid, title, authors, abstract, summary_en, summary_zh)
    SELECT 'delete', id, title, authors, abstract, summary_en, summary_zh
    FROM paper_search_source WHERE id = old.paper_id;
END;

CREATE TRIGGER summaries_fts_after_delete AFTER DELETE ON summaries
WHEN old.source <> 'abstract' BEGIN
    INSERT INTO paper_fts (rowid, title, authors, abstract, summary_en, summary_zh)
    SELECT id, title, authors, abstract, summary_en, summary_zh
    FROM paper_search_source WHERE id = old.paper_id;
END;

INSERT INTO paper_fts (paper_fts) VALUES ('rebuild');
