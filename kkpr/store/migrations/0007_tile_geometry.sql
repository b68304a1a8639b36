-- Zones, overlays and RTRW kept in EPSG:3857 beside their plan CRS, indexed, for the
-- vector tiles (kkpr.store.tiles.tile_sql): a tile no longer reprojects every feature
-- it draws. Filled at load (kkpr.store.load, as a version's partition is written) and
-- here for the versions loaded before.
ALTER TABLE kkpr.zones ADD COLUMN geom_3857 geometry;
ALTER TABLE kkpr.overlays ADD COLUMN geom_3857 geometry;
ALTER TABLE kkpr.rtrw ADD COLUMN geom_3857 geometry;

UPDATE kkpr.zones SET geom_3857 = ST_Transform(geom, 3857);
UPDATE kkpr.overlays SET geom_3857 = ST_Transform(geom, 3857);
UPDATE kkpr.rtrw SET geom_3857 = ST_Transform(geom, 3857);

CREATE INDEX zones_geom_3857 ON kkpr.zones USING gist (geom_3857);
CREATE INDEX overlays_geom_3857 ON kkpr.overlays USING gist (geom_3857);
CREATE INDEX rtrw_geom_3857 ON kkpr.rtrw USING gist (geom_3857);

-- The tiles of the low zooms (kkpr.store.tiles.PRERENDER_ZOOMS), made at load: there a
-- tile holds thousands of features, but a whole region is a few hundred tiles. A
-- version never changes, so neither do they; they go with their version.
CREATE TABLE kkpr.tiles (
    vid        bigint NOT NULL REFERENCES kkpr.plan_versions (vid) ON DELETE CASCADE,
    collection text NOT NULL,
    z          integer NOT NULL,
    x          integer NOT NULL,
    y          integer NOT NULL,
    mvt        bytea NOT NULL,
    PRIMARY KEY (vid, collection, z, x, y)
);
