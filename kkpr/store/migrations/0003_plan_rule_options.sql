-- How a plan asks its rules applied (plan.toml [rules], kkpr.model.RuleOptions), as
-- JSON: e.g. {"mixed_intensity": "strictest"}. Empty: every default.
ALTER TABLE kkpr.plan_versions ADD COLUMN rule_options jsonb NOT NULL DEFAULT '{}';
