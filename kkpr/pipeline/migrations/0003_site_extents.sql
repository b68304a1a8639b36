-- Parcel history (kkpr.pipeline.history): the extent of each application's site, in
-- longitude and latitude, so that the applications touching a place are found by their
-- bounding boxes before their geometries are tested. A table of its own (applications
-- are not changed), filled by kkpr.pipeline.history as applications arrive. The records'
-- migration 0003 makes the same table for the check log (one table when both parts
-- share a PostgreSQL database).

CREATE TABLE IF NOT EXISTS site_extents (
    source TEXT NOT NULL,
    ref TEXT NOT NULL,
    minx DOUBLE PRECISION,
    miny DOUBLE PRECISION,
    maxx DOUBLE PRECISION,
    maxy DOUBLE PRECISION,
    PRIMARY KEY (source, ref)
);

CREATE INDEX IF NOT EXISTS site_extents_box ON site_extents (source, minx, maxx, miny, maxy);
