-- What was done to a plan's versions, by whom and when (kkpr.records.plan_events):
-- append-only like the check log. IF NOT EXISTS: the table was created at open for a
-- while before it became a migration.
CREATE TABLE IF NOT EXISTS plan_events (
    id TEXT PRIMARY KEY,
    at TEXT NOT NULL,
    plan_id TEXT NOT NULL,
    version TEXT,
    action TEXT NOT NULL,
    actor TEXT NOT NULL,
    detail TEXT NOT NULL
);

CREATE INDEX IF NOT EXISTS plan_events_plan_time ON plan_events (plan_id, at);

CREATE TRIGGER IF NOT EXISTS plan_events_no_update BEFORE UPDATE ON plan_events
BEGIN
    SELECT RAISE(ABORT, 'plan_events is append-only');
END;

CREATE TRIGGER IF NOT EXISTS plan_events_no_delete BEFORE DELETE ON plan_events
BEGIN
    SELECT RAISE(ABORT, 'plan_events is append-only');
END;
