-- Plans, their versions, and everything a version holds.
--
-- One database holds many regions' plans. A version is immutable once ready; the
-- service reads only the active version of each plan (at most one, by a partial
-- unique index). Geometry columns carry no type modifier: each version keeps its
-- own plan CRS, recorded in plan_versions.srid and in every geometry's SRID.
-- Geometric tables are partitioned by version: a load fills and indexes a fresh
-- partition and attaches it, all in its one transaction.

CREATE SCHEMA IF NOT EXISTS kkpr;

CREATE TABLE kkpr.plans (
    id          text PRIMARY KEY,
    name        text NOT NULL,
    region_code text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE kkpr.plan_versions (
    vid             bigserial PRIMARY KEY,
    plan_id         text NOT NULL REFERENCES kkpr.plans (id),
    n               integer NOT NULL,
    version         text NOT NULL,
    status          text NOT NULL DEFAULT 'loading'
                    CHECK (status IN ('loading', 'ready', 'failed')),
    active          boolean NOT NULL DEFAULT false,
    name            text NOT NULL,
    region_code     text NOT NULL DEFAULT '',
    legal_basis     text NOT NULL DEFAULT '',
    effective_from  date,
    crs             text NOT NULL,
    srid            integer NOT NULL,
    sliver_m2       double precision NOT NULL,
    sliver_share    double precision NOT NULL,
    overlay_effects jsonb NOT NULL DEFAULT '{}',
    subzones        text[] NOT NULL DEFAULT '{}',
    checksum        text NOT NULL,
    source_dir      text,
    loaded_by       text NOT NULL,
    loaded_at       timestamptz NOT NULL DEFAULT now(),
    ready_at        timestamptz,
    load_pid        integer,          -- backend of the loading session (to spot dead loads)
    error           text,
    zones_count     integer,
    overlays_count  integer,
    rtrw_count      integer,
    zones_bbox      double precision[],  -- minx, miny, maxx, maxy in the plan CRS
    overlays_bbox   double precision[],
    rtrw_bbox       double precision[],
    UNIQUE (plan_id, n),
    UNIQUE (plan_id, version),
    CHECK (NOT active OR status = 'ready')
);
CREATE UNIQUE INDEX plan_versions_one_active ON kkpr.plan_versions (plan_id) WHERE active;

-- Who activated what, when: the history that rollback walks.
CREATE TABLE kkpr.activations (
    id       bigserial PRIMARY KEY,
    plan_id  text NOT NULL REFERENCES kkpr.plans (id),
    from_vid bigint REFERENCES kkpr.plan_versions (vid),
    to_vid   bigint NOT NULL REFERENCES kkpr.plan_versions (vid),
    action   text NOT NULL CHECK (action IN ('load', 'activate', 'rollback')),
    by       text NOT NULL,
    at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX activations_plan ON kkpr.activations (plan_id, id);

-- ---------------------------------------------------------------- geometry

CREATE TABLE kkpr.zones (
    vid    bigint NOT NULL,
    seq    integer NOT NULL,   -- row order in the package layer (the order of hits)
    frank  integer NOT NULL,   -- rank in fid order (the order of features pages)
    fid    text NOT NULL,
    kodszn text NOT NULL,
    namszn text,
    kodzon text,
    namzon text,
    kodblk text,
    kodsbl text,
    wadmkc text,
    wadmkd text,
    flags  text[] NOT NULL DEFAULT '{}',   -- overlay kinds flagged by KUGI columns
    kdb    double precision,
    klb    double precision,
    kdh    double precision,
    ktb    double precision,
    tb     double precision,
    jlb    double precision,
    gsb    double precision,
    attrs  jsonb,                          -- the layer's own attributes, for features
    pieced boolean NOT NULL DEFAULT false, -- many vertices: located through its pieces
    geom   geometry NOT NULL,
    PRIMARY KEY (vid, seq)
) PARTITION BY LIST (vid);
CREATE INDEX zones_geom ON kkpr.zones USING gist (geom);
CREATE INDEX zones_frank ON kkpr.zones (vid, frank);
CREATE INDEX zones_fid ON kkpr.zones (vid, fid);

CREATE TABLE kkpr.overlays (
    vid        bigint NOT NULL,
    seq        integer NOT NULL,
    frank      integer NOT NULL,
    fid        text NOT NULL,
    jenis      text NOT NULL,
    keterangan text,
    tb         double precision,
    efek       text,
    attrs      jsonb,
    pieced     boolean NOT NULL DEFAULT false,
    geom       geometry NOT NULL,
    PRIMARY KEY (vid, seq)
) PARTITION BY LIST (vid);
CREATE INDEX overlays_geom ON kkpr.overlays USING gist (geom);
CREATE INDEX overlays_frank ON kkpr.overlays (vid, frank);
CREATE INDEX overlays_fid ON kkpr.overlays (vid, fid);

CREATE TABLE kkpr.rtrw (
    vid    bigint NOT NULL,
    seq    integer NOT NULL,
    frank  integer NOT NULL,
    fid    text NOT NULL,
    namobj text NOT NULL,
    jnsrpr text,
    attrs  jsonb,
    pieced boolean NOT NULL DEFAULT false,
    geom   geometry NOT NULL,
    PRIMARY KEY (vid, seq)
) PARTITION BY LIST (vid);
CREATE INDEX rtrw_geom ON kkpr.rtrw USING gist (geom);
CREATE INDEX rtrw_frank ON kkpr.rtrw (vid, frank);
CREATE INDEX rtrw_fid ON kkpr.rtrw (vid, fid);

-- A polygon of many vertices (a river buffer, a hazard zone) is slow to intersect
-- whole with every site it touches; it is also kept cut into pieces of a few hundred
-- vertices (ST_Subdivide), and a site's overlap with it is the sum over its pieces.
CREATE TABLE kkpr.zones_pieces (
    vid  bigint NOT NULL,
    seq  integer NOT NULL,
    geom geometry NOT NULL
) PARTITION BY LIST (vid);
CREATE INDEX zones_pieces_geom ON kkpr.zones_pieces USING gist (geom);

CREATE TABLE kkpr.overlays_pieces (LIKE kkpr.zones_pieces) PARTITION BY LIST (vid);
CREATE INDEX overlays_pieces_geom ON kkpr.overlays_pieces USING gist (geom);

CREATE TABLE kkpr.rtrw_pieces (LIKE kkpr.zones_pieces) PARTITION BY LIST (vid);
CREATE INDEX rtrw_pieces_geom ON kkpr.rtrw_pieces USING gist (geom);

-- ---------------------------------------------------------------- rules

CREATE TABLE kkpr.activities (
    vid      bigint NOT NULL REFERENCES kkpr.plan_versions (vid) ON DELETE CASCADE,
    seq      integer NOT NULL,
    kode     text NOT NULL,
    kegiatan text NOT NULL,
    PRIMARY KEY (vid, kode)
);

CREATE TABLE kkpr.itbx (
    vid           bigint NOT NULL REFERENCES kkpr.plan_versions (vid) ON DELETE CASCADE,
    seq           integer NOT NULL,
    kode_kegiatan text NOT NULL,
    kodszn        text NOT NULL,
    cell          text NOT NULL,
    PRIMARY KEY (vid, kode_kegiatan, kodszn)
);

CREATE TABLE kkpr.kbli (
    vid           bigint NOT NULL REFERENCES kkpr.plan_versions (vid) ON DELETE CASCADE,
    seq           integer NOT NULL,
    kbli          text NOT NULL,
    judul         text NOT NULL,
    kode_kegiatan text NOT NULL,
    PRIMARY KEY (vid, kbli)
);

CREATE TABLE kkpr.conditions (
    vid               bigint NOT NULL REFERENCES kkpr.plan_versions (vid) ON DELETE CASCADE,
    seq               integer NOT NULL,
    kode              text NOT NULL,
    teks              text NOT NULL,
    max_floor_area_m2 double precision,
    max_site_area_m2  double precision,
    max_floors        double precision,
    PRIMARY KEY (vid, kode)
);

CREATE TABLE kkpr.intensity (
    vid    bigint NOT NULL REFERENCES kkpr.plan_versions (vid) ON DELETE CASCADE,
    seq    integer NOT NULL,
    kodszn text NOT NULL,
    kdb    double precision,
    klb    double precision,
    kdh    double precision,
    ktb    double precision,
    tb     double precision,
    jlb    double precision,
    gsb    double precision,
    PRIMARY KEY (vid, kodszn)
);

CREATE TABLE kkpr.rasters (
    vid             bigint NOT NULL REFERENCES kkpr.plan_versions (vid) ON DELETE CASCADE,
    seq             integer NOT NULL,
    id              text NOT NULL,
    path            text NOT NULL,   -- as plan.toml names it
    stored_path     text NOT NULL,   -- the copy kkpr reads
    kind            text NOT NULL,
    label_id        text NOT NULL,
    label_en        text NOT NULL,
    jenis           text,
    threshold       double precision,
    slope_limit_pct double precision,
    max_share       double precision NOT NULL DEFAULT 0,
    efek            text,
    PRIMARY KEY (vid, id)
);
