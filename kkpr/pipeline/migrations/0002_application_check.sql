-- The application's check in the one hashed check log (records check_log.id): every
-- check the pipeline answers is logged there too, and the application names its own.
-- check_result keeps the answer beside the application, as before.
ALTER TABLE applications ADD COLUMN check_id TEXT;
