-- Parcel history (issue 20, item 3): the extent of each recorded site, in longitude and
-- latitude, so that the records touching a place are found by their bounding boxes
-- before their geometries are tested. Additive: a table of its own beside check_log
-- (records database) and applications (pipeline database); the records themselves are
-- not changed. Filled by kkpr.pipeline.history as records arrive (rows not yet in it
-- are added when history is next asked); a site that cannot be read has NULL bounds.
-- Portable SQL for SQLite and PostgreSQL; statements are separated by ";" at a line end.

CREATE TABLE IF NOT EXISTS site_extents (
    source TEXT NOT NULL,
    ref TEXT NOT NULL,
    minx DOUBLE PRECISION,
    miny DOUBLE PRECISION,
    maxx DOUBLE PRECISION,
    maxy DOUBLE PRECISION,
    PRIMARY KEY (source, ref)
);

CREATE INDEX IF NOT EXISTS site_extents_box ON site_extents (source, minx, maxx, miny, maxy)
