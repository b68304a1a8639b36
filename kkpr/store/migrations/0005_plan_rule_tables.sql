-- A plan version's smaller rule tables that have no table of their own, as JSON
-- (kkpr.store.rule_tables): the intensity rows by lot-size or road class of
-- intensitas.csv (issue 18 item 4) and the RTRW's general zoning matrix
-- (rtrw_itbx.csv, issue 18 item 9). Empty: the plan has neither.
ALTER TABLE kkpr.plan_versions ADD COLUMN rule_tables jsonb NOT NULL DEFAULT '{}';
