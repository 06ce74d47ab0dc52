-- Every request to the summary endpoint: what it cost and how it ended. The spend of a run and
-- of a day is summed from here, and a paper whose answer was rejected waits before its retry.

CREATE TABLE summary_requests (
    id                INTEGER PRIMARY KEY,
    paper_id          INTEGER NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    model             TEXT    NOT NULL,
    requested_at      TEXT    NOT NULL,
    outcome           TEXT    NOT NULL CHECK (outcome IN ('stored', 'rejected', 'failed')),
    reason            TEXT,                      -- why an answer was rejected or failed
    prompt_tokens     INTEGER NOT NULL DEFAULT 0,
    completion_tokens INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX summary_requests_time ON summary_requests (requested_at);
CREATE INDEX summary_requests_paper ON summary_requests (paper_id, requested_at);
