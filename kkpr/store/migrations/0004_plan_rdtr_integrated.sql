-- Whether the plan's RDTR is integrated in OSS (plan.toml [oss] rdtr_integrated,
-- kkpr.model.PlanMeta.rdtr_integrated): only then is the automatic path a KKKPR.
ALTER TABLE kkpr.plan_versions ADD COLUMN rdtr_integrated boolean NOT NULL DEFAULT false;
