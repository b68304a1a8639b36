-- Setbacks (issue 18 item 3): a version's road layer (jaringan_jalan: name, function,
-- class and status of each road, kkpr.plan.roads) from which a check finds the roads
-- a site fronts, and its table of GSB and JBB by road class (gsb.csv). Both belong to
-- the version and go with it.
CREATE TABLE kkpr.roads (
    vid    bigint NOT NULL REFERENCES kkpr.plan_versions (vid) ON DELETE CASCADE,
    seq    integer NOT NULL,   -- row order in the package layer (the order of hits)
    fid    text NOT NULL,
    nama   text,
    fungsi text,
    kelas  text,
    status text,
    geom   geometry NOT NULL,
    PRIMARY KEY (vid, seq)
);
CREATE INDEX roads_geom ON kkpr.roads USING gist (geom);

CREATE TABLE kkpr.setbacks (
    vid        bigint NOT NULL REFERENCES kkpr.plan_versions (vid) ON DELETE CASCADE,
    seq        integer NOT NULL,
    fungsi     text,
    kelas      text,
    status     text,
    gsb        double precision,
    jbb        double precision,
    keterangan text,
    PRIMARY KEY (vid, seq)
);
