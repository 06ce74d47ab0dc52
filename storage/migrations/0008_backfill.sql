-- The backfill of past days from the arXiv API: one row per category and window of days,
-- holding where the next page starts, so a backfill cut short resumes at the page it stopped.

CREATE TABLE backfill_progress (
    category   TEXT    NOT NULL,              -- an arXiv category, such as cs.CL
    first_day  TEXT    NOT NULL,              -- YYYY-MM-DD, submitted from this day
    last_day   TEXT    NOT NULL,              -- YYYY-MM-DD, to this day, both included
    next_start INTEGER NOT NULL DEFAULT 0 CHECK (next_start >= 0),  -- the next page's offset
    total      INTEGER,                       -- the API's count of matches, once known
    papers     INTEGER NOT NULL DEFAULT 0,    -- papers read so far in this window
    done_at    TEXT,                          -- ISO 8601 UTC once the last page was read
    updated_at TEXT    NOT NULL,
    PRIMARY KEY (category, first_day, last_day)
);
