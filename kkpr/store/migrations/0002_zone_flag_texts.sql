-- What a zone polygon's overlay flag fields say, beside the kinds in ``flags`` (same
-- order): a real flag's text (e.g. 'Kawasan Rawan Banjir - Tinggi') is shown in the
-- check's overlay finding. Values meaning "none" (plan.toml [flags] none) are in neither.
ALTER TABLE kkpr.zones ADD COLUMN flag_texts text[] NOT NULL DEFAULT '{}';
