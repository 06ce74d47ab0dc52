-- Hugging Face Daily Papers: each paper's community signal on each day it was listed, and
-- the days whose list was read (a day without a list, such as a weekend, is read too).

CREATE TABLE hf_daily_signals (
    paper_id INTEGER NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    day      TEXT    NOT NULL,                -- YYYY-MM-DD, the day of the list
    upvotes  INTEGER NOT NULL DEFAULT 0 CHECK (upvotes >= 0),
    comments INTEGER NOT NULL DEFAULT 0 CHECK (comments >= 0),
    read_at  TEXT    NOT NULL,                -- ISO 8601 UTC, the read these counts come from
    PRIMARY KEY (paper_id, day)
);
CREATE INDEX hf_daily_signals_day ON hf_daily_signals (day, upvotes);

CREATE TABLE hf_daily_days (
    day     TEXT    PRIMARY KEY,              -- YYYY-MM-DD
    listed  INTEGER NOT NULL DEFAULT 0,       -- papers on the list at its last read
    read_at TEXT    NOT NULL
);
