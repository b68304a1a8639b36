"""The schema files of the records and the pipeline as they were before the migration
runner (kkpr/records/schema_sqlite.sql, schema_postgresql.sql, kkpr/pipeline/schema.sql
at commit a7ebda6), for building a database "as it was" in tests/db/test_migrate.py.
Kept verbatim: never edit them."""

RECORDS_SQLITE = """\
-- The check log and the API keys, SQLite dialect (the embedded default).
-- Kept column for column equal to schema_postgresql.sql; only the guards differ.
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
"""

RECORDS_POSTGRESQL = """\
-- The check log and the API keys, PostgreSQL dialect (when KKPR_DATABASE_URL is set).
-- Kept column for column equal to schema_sqlite.sql; only the guards differ.
-- Times are UTC ISO-8601 text, JSON is canonical text (not jsonb, which would
-- reorder keys): a record reads back byte for byte as written.

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

-- append-only: stored checks are never changed or deleted (TRUNCATE included)
CREATE OR REPLACE FUNCTION check_log_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'check_log is append-only: write a correction instead';
END;
$$;

DROP TRIGGER IF EXISTS check_log_no_change ON check_log;

CREATE TRIGGER check_log_no_change BEFORE UPDATE OR DELETE ON check_log
FOR EACH ROW EXECUTE FUNCTION check_log_append_only();

DROP TRIGGER IF EXISTS check_log_no_truncate ON check_log;

CREATE TRIGGER check_log_no_truncate BEFORE TRUNCATE ON check_log
FOR EACH STATEMENT EXECUTE FUNCTION check_log_append_only();

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

-- public rate limit: one token bucket per client (a hash of its address), shared by
-- every API process; UNLOGGED and written with synchronous_commit off: rate state
-- needs no durability (kkpr.records.ratelimit)
CREATE UNLOGGED TABLE IF NOT EXISTS rate_buckets (
    client TEXT PRIMARY KEY,
    tokens DOUBLE PRECISION NOT NULL,
    at DOUBLE PRECISION NOT NULL
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
"""

PIPELINE = """\
-- The single-window pipeline: portable SQL for SQLite and PostgreSQL.
-- Identifiers are text generated by the service; times are UTC ISO-8601 text
-- ("2026-03-17T01:02:03.000000Z"), which sorts as time does on both engines;
-- JSON is stored as text. Statements are separated by ";" at a line end.

CREATE TABLE IF NOT EXISTS counters (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS applications (
    id TEXT PRIMARY KEY,
    external_ref TEXT UNIQUE,
    applicant TEXT NOT NULL,
    business_name TEXT NOT NULL,
    kbli TEXT NOT NULL,
    site TEXT NOT NULL,
    site_crs TEXT,
    proposal TEXT NOT NULL,
    plan_id TEXT,
    plan_version TEXT,
    status TEXT NOT NULL,
    current_stage TEXT NOT NULL,
    stage_status TEXT NOT NULL,
    outcome TEXT,
    form TEXT,
    check_result TEXT,
    conditions TEXT NOT NULL,
    document_number TEXT,
    submitted_at TEXT NOT NULL,
    submitted_by TEXT,
    updated_at TEXT NOT NULL,
    event_seq INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS stage_history (
    application_id TEXT NOT NULL REFERENCES applications (id),
    n INTEGER NOT NULL,
    stage TEXT NOT NULL,
    status TEXT NOT NULL,
    actor TEXT,
    note TEXT,
    at TEXT NOT NULL,
    PRIMARY KEY (application_id, n)
);

CREATE TABLE IF NOT EXISTS outbox (
    event_id TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications (id),
    seq INTEGER NOT NULL,
    type TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (application_id, seq)
);

CREATE TABLE IF NOT EXISTS subscriptions (
    id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    events TEXT NOT NULL,
    description TEXT,
    active INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT
);

CREATE TABLE IF NOT EXISTS deliveries (
    event_id TEXT NOT NULL REFERENCES outbox (event_id),
    subscription_id TEXT NOT NULL REFERENCES subscriptions (id),
    application_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at TEXT NOT NULL,
    lease_owner TEXT,
    lease_until TEXT,
    last_status INTEGER,
    last_error TEXT,
    delivered_at TEXT,
    created_at TEXT NOT NULL,
    PRIMARY KEY (event_id, subscription_id)
);

CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (status, next_attempt_at);

CREATE INDEX IF NOT EXISTS deliveries_queue ON deliveries (subscription_id, application_id, seq);

CREATE TABLE IF NOT EXISTS reviews (
    id TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications (id),
    kind TEXT NOT NULL,
    form TEXT,
    submitted_on TEXT NOT NULL,
    deadline TEXT NOT NULL,
    working_days INTEGER NOT NULL,
    status TEXT NOT NULL,
    decision TEXT,
    reviewer TEXT,
    reasons TEXT,
    conditions TEXT,
    plan_version TEXT,
    decided_at TEXT,
    decided_on TEXT,
    created_at TEXT NOT NULL
);

CREATE INDEX IF NOT EXISTS reviews_open ON reviews (status, deadline);

CREATE TABLE IF NOT EXISTS documents (
    number TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications (id),
    content TEXT NOT NULL,
    code TEXT NOT NULL,
    map_zones TEXT NOT NULL,
    issued_at TEXT NOT NULL
);

-- OSS-RBA (kkpr/oss): the OSS identifiers of an application that came from OSS, keyed
-- by OSS's id_izin; external_ref is the application's ("oss:" + id_izin), written
-- before the application is so that its first events already go to OSS.
CREATE TABLE IF NOT EXISTS oss_applications (
    id_izin TEXT PRIMARY KEY,
    external_ref TEXT NOT NULL UNIQUE,
    application_id TEXT UNIQUE,
    nib TEXT NOT NULL,
    oss_id TEXT NOT NULL,
    id_proyek TEXT NOT NULL,
    kd_izin TEXT NOT NULL,
    body_sha256 TEXT NOT NULL,
    fields TEXT NOT NULL,
    received_at TEXT NOT NULL
);

-- The KKPR case of an application (issue 16): its number and access code (hashed),
-- the applicant's NIB and purpose, the path (KKKPR or PKKPR), the PKKPR state (an OSS
-- kd_status, see kkpr/pipeline/statuses.py), and what the steps recorded.
CREATE TABLE IF NOT EXISTS cases (
    application_id TEXT PRIMARY KEY REFERENCES applications (id),
    number TEXT NOT NULL UNIQUE,
    nib TEXT,
    purpose TEXT NOT NULL,
    access_salt TEXT NOT NULL,
    access_hash TEXT NOT NULL,
    path TEXT NOT NULL,
    rdtr_integrated INTEGER NOT NULL,
    state TEXT,
    step TEXT,
    missing TEXT,
    pnbp TEXT,
    pertek TEXT,
    fpr TEXT,
    decision TEXT,
    decision_status TEXT,
    valid_until TEXT,
    extensions INTEGER NOT NULL,
    overdue_flagged_at TEXT,
    updated_at TEXT NOT NULL
);

CREATE INDEX IF NOT EXISTS cases_open ON cases (path, state);

-- Every move of a case, never updated or deleted: who (officer NIP and name, and the
-- key that acted), when, why, and what it carried.
CREATE TABLE IF NOT EXISTS transitions (
    application_id TEXT NOT NULL REFERENCES applications (id),
    n INTEGER NOT NULL,
    action TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT NOT NULL,
    kd_status TEXT,
    officer_nip TEXT,
    officer_name TEXT NOT NULL,
    actor TEXT NOT NULL,
    acted_by TEXT,
    keterangan TEXT,
    data TEXT NOT NULL,
    at TEXT NOT NULL,
    on_date TEXT NOT NULL,
    PRIMARY KEY (application_id, n)
);

-- Whether a plan version's RDTR is integrated in OSS, as staff set it (the latest row
-- wins over plan.toml); kept, never updated.
CREATE TABLE IF NOT EXISTS plan_integration (
    plan_id TEXT NOT NULL,
    version TEXT NOT NULL,
    n INTEGER NOT NULL,
    integrated INTEGER NOT NULL,
    reason TEXT NOT NULL,
    set_by TEXT,
    set_at TEXT NOT NULL,
    PRIMARY KEY (plan_id, version, n)
)
"""
