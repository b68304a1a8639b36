-- The public rate limit's token buckets on SQLite: a file of their own beside the
-- records file (kkpr.records.ratelimit), written without waiting for the disk. On
-- PostgreSQL they are an UNLOGGED table of the records (records 0001).
CREATE TABLE IF NOT EXISTS rate_buckets (
    client TEXT PRIMARY KEY,
    tokens REAL NOT NULL,
    at REAL NOT NULL
);
