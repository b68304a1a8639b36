-- Records version 1, SQLite dialect (the embedded default): the check log, the API
-- keys, the service's own secrets and the staff sessions, as every open created them
-- before the migration runner (hence IF NOT EXISTS: a database of that time is
-- adopted as it is). Column for column equal to 0001_records.postgresql.sql; only the
-- guards differ, and the rate buckets are in their own file (rate_migrations).
-- Times are UTC ISO-8601 text ("2026-03-17T01:02:03.000000Z"), JSON is canonical
-- text (sorted keys, no spaces), so a record reads back byte for byte as written.

CREATE TABLE IF NOT EXISTS check_log (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    created_at TEXT NOT NULL,
    caller TEXT NOT NULL,
    caller_role TEXT NOT NULL,
    plan_id TEXT NOT NULL,
    plan_version TEXT NOT NULL,
    inputs TEXT NOT NULL,
    result TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    corrects TEXT REFERENCES check_log (id),
    correction_reason TEXT,
    batch_id TEXT,
    batch_index INTEGER
);

CREATE INDEX IF NOT EXISTS check_log_corrects ON check_log (corrects);

CREATE INDEX IF NOT EXISTS check_log_batch ON check_log (batch_id, batch_index);

CREATE INDEX IF NOT EXISTS check_log_caller_time ON check_log (caller, created_at);

-- append-only: stored checks are never changed or deleted
CREATE TRIGGER IF NOT EXISTS check_log_no_update BEFORE UPDATE ON check_log
BEGIN
    SELECT RAISE(ABORT, 'check_log is append-only: write a correction instead');
END;

CREATE TRIGGER IF NOT EXISTS check_log_no_delete BEFORE DELETE ON check_log
BEGIN
    SELECT RAISE(ABORT, 'check_log is append-only: write a correction instead');
END;

CREATE TABLE IF NOT EXISTS check_idempotency (
    caller TEXT NOT NULL,
    idem_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    target_kind TEXT NOT NULL,
    target_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (caller, idem_key)
);

CREATE TABLE IF NOT EXISTS api_keys (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    salt TEXT NOT NULL,
    key_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    revoked_at TEXT
);

-- secrets the installation made for itself when none was configured (the staff session
-- key): one value for every process that opens this database (kkpr.records.secrets)
CREATE TABLE IF NOT EXISTS service_secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- staff login sessions: the cookie names one row; logging out revokes it at once
-- (kkpr.records.sessions)
CREATE TABLE IF NOT EXISTS staff_sessions (
    id TEXT PRIMARY KEY,
    key_id TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at TEXT
);
