-- Dates no arXiv paper can have (before arXiv opened in 1991, or days ahead of now) came in
-- from feeds before ingest checked them: a paper dated 9999-12-31 led every "latest" list.
-- They become unknown, as ingest now stores them; the next feed naming the paper fills them.

UPDATE papers SET announced_at = NULL
WHERE announced_at < '1991' OR announced_at > strftime('%Y-%m-%dT%H:%M:%S', 'now', '+2 days');

UPDATE papers SET submitted_at = NULL
WHERE submitted_at < '1991' OR submitted_at > strftime('%Y-%m-%dT%H:%M:%S', 'now', '+2 days');

UPDATE papers SET updated_at = NULL
WHERE updated_at < '1991' OR updated_at > strftime('%Y-%m-%dT%H:%M:%S', 'now', '+2 days');
