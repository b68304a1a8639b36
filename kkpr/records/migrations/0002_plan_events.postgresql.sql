-- What was done to a plan's versions, by whom and when (kkpr.records.plan_events):
-- append-only like the check log (TRUNCATE included). IF NOT EXISTS: the table was
-- created at open for a while before it became a migration.
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

CREATE OR REPLACE FUNCTION plan_events_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'plan_events is append-only';
END;
$$;

DROP TRIGGER IF EXISTS plan_events_no_change ON plan_events;

CREATE TRIGGER plan_events_no_change BEFORE UPDATE OR DELETE ON plan_events
FOR EACH ROW EXECUTE FUNCTION plan_events_append_only();

DROP TRIGGER IF EXISTS plan_events_no_truncate ON plan_events;

CREATE TRIGGER plan_events_no_truncate BEFORE TRUNCATE ON plan_events
FOR EACH STATEMENT EXECUTE FUNCTION plan_events_append_only();
