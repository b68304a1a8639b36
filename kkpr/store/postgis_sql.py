"""The SQL side of the PostGIS store: its errors, the locate statement, and a
version's rules and features read back from their tables.

A statement with names in it is composed by the driver (``psycopg2.sql``: tables and
CTEs as identifiers); one without is a constant. psycopg2 is imported inside the
functions that need it: importing this module does not need a database driver.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import shapely
from pyproj import CRS
from shapely.geometry import mapping

from kkpr.db.pool import redact
from kkpr.errors import KkprError, StoreError
from kkpr.model import (
    Activity,
    Condition,
    Intensity,
    KbliEntry,
    PlanMeta,
    PlanRules,
    RasterSpec,
    RuleOptions,
    SetbackRow,
    Tolerance,
)
from kkpr.plan.kugi import INTENSITY_FIELDS
from kkpr.site import transformer
from kkpr.store import rule_tables

# A site's overlap area with a polygon aliased {g}: nothing for a point site.
_AREA = "CASE WHEN s.point THEN 0::float8 ELSE ST_Area(ST_Intersection({g}.geom, s.g)) END"
# A site's overlap with a polygon aliased {g}: the point itself, for a point site.
_CUT = "CASE WHEN s.point THEN s.g ELSE ST_Intersection({g}.geom, s.g) END"

_OVERLAPS = """
    SELECT s.i, x.seq, {area_x} AS area
    FROM {sites} s JOIN {layer} x
      ON x.vid = $1 AND NOT x.pieced AND ST_Intersects(x.geom, s.g)
    UNION ALL
    SELECT s.i, p.seq, sum({area_p})
    FROM {sites} s JOIN {pieces} p ON p.vid = $1 AND ST_Intersects(p.geom, s.g)
    GROUP BY s.i, p.seq"""

_OVERLAP_PARTS = """
    SELECT c.i, c.seq, CASE WHEN c.point THEN 0::float8 ELSE ST_Area(c.part) END AS area,
           c.part
    FROM (SELECT s.i, s.point, x.seq, {cut_x} AS part
          FROM {sites} s JOIN {layer} x
            ON x.vid = $1 AND NOT x.pieced AND ST_Intersects(x.geom, s.g)) c
    UNION ALL
    SELECT s.i, p.seq, sum({area_p}), ST_Union({cut_p})
    FROM {sites} s JOIN {pieces} p ON p.vid = $1 AND ST_Intersects(p.geom, s.g)
    GROUP BY s.i, p.seq"""


def _overlaps(layer: str, sites: str, part: bool = False) -> Any:
    """Rows (i, seq, area) of each site of ``sites`` (a CTE) and each polygon of
    ``layer`` it intersects; a many-vertex polygon is met through its pieces, areas
    summed. Tables and CTEs are identifiers composed by the driver.

    ``part``: a fourth column, the overlap itself (the point, for a point site), from
    which a result draws its conforming part."""
    from psycopg2 import sql as pg

    def on(expression: str, alias: str) -> Any:
        return pg.SQL(expression).format(g=pg.Identifier(alias))

    return pg.SQL(_OVERLAP_PARTS if part else _OVERLAPS).format(
        sites=pg.Identifier(sites),
        layer=pg.Identifier("kkpr", layer),
        pieces=pg.Identifier("kkpr", f"{layer}_pieces"),
        area_x=on(_AREA, "x"),
        area_p=on(_AREA, "p"),
        cut_x=on(_CUT, "x"),
        cut_p=on(_CUT, "p"),
    )


# One statement, so one round trip, for a batch of sites ($2 EWKB hex, $3 their areas)
# in version $1: zone and overlay hits (a polygon site keeps only overlaps of positive
# area, a point keeps every polygon it touches), RTRW hits of the sites the zones do not
# cover (the sliver tolerance $4), the roads within $5 metres of each site (in layer
# order; the distance itself is measured by the caller with GEOS, as the memory store
# does), and a header row saying whether $1 is still active and the activation stamp.
# Every hit is found by its layer's GiST index (``&&`` inside ST_Intersects and
# ST_DWithin); intersections are computed only for the polygons the site meets.
LOCATE_TYPES = ("bigint", "text[]", "float8[]", "float8", "float8")
_LOCATE = """
WITH s AS MATERIALIZED (
    SELECT u.i, u.g, u.a, ST_Dimension(u.g) = 0 AS point
    FROM (SELECT t.i, t.h::geometry AS g, t.a
          FROM unnest($2::text[], $3::float8[]) WITH ORDINALITY AS t(h, a, i)) u
),
zc AS MATERIALIZED ({zones}),
oc AS MATERIALIZED ({overlays}),
zk AS MATERIALIZED (
    SELECT zc.i, zc.seq, zc.area, zc.part FROM zc JOIN s ON s.i = zc.i
    WHERE s.point OR zc.area > 0
),
cov AS (SELECT i, count(*) AS n, sum(area) AS covered FROM zk GROUP BY i),
need AS MATERIALIZED (
    -- a little slack here; the memory store's exact rule is applied to the answer
    SELECT s.* FROM s LEFT JOIN cov ON cov.i = s.i
    WHERE cov.n IS NULL OR cov.covered < s.a - $4 + 1e-6
),
rc AS MATERIALIZED ({rtrw})
SELECT 'z'::text AS kind, zk.i, z.seq, zk.area, z.fid, z.kodszn AS t1, z.namszn AS t2,
       z.kodzon AS t3, z.namzon AS t4, z.kodblk AS t5, z.kodsbl AS t6, z.wadmkc AS t7,
       z.wadmkd AS t8, z.flags, z.kdb AS n1, z.klb AS n2, z.kdh AS n3, z.ktb AS n4,
       z.tb AS n5, z.jlb AS n6, z.gsb AS n7, z.flag_texts, ST_AsBinary(zk.part) AS part
FROM zk JOIN kkpr.zones z ON z.vid = $1 AND z.seq = zk.seq
UNION ALL
SELECT 'o', oc.i, o.seq, oc.area, o.fid, o.jenis, o.keterangan, o.efek, NULL, NULL, NULL,
       NULL, NULL, NULL, o.tb, NULL, NULL, NULL, NULL, NULL, NULL, NULL, ST_AsBinary(oc.part)
FROM oc JOIN s ON s.i = oc.i JOIN kkpr.overlays o ON o.vid = $1 AND o.seq = oc.seq
WHERE s.point OR oc.area > 0
UNION ALL
SELECT 'r', rc.i, r.seq, rc.area, r.fid, r.namobj, r.jnsrpr, NULL, NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM rc JOIN kkpr.rtrw r ON r.vid = $1 AND r.seq = rc.seq
UNION ALL
SELECT 'j', s.i, j.seq, NULL, j.fid, j.nama, j.fungsi, j.kelas, j.status, NULL, NULL,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, ST_AsBinary(j.geom)
FROM s JOIN kkpr.roads j ON j.vid = $1 AND ST_DWithin(j.geom, s.g, $5)
UNION ALL
SELECT 'h', 0, 0, NULL, NULL,
       (SELECT active::text FROM kkpr.plan_versions WHERE vid = $1), NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, NULL,
       (SELECT coalesce(max(id), 0) FROM kkpr.activations)::float8,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
ORDER BY 2, 1, 3
"""


@functools.cache
def locate_sql() -> Any:
    """The locate statement (``psycopg2.sql``), the body of its ``PREPARE``: composed
    once per process."""
    from psycopg2 import sql as pg

    return pg.SQL(_LOCATE).format(
        zones=_overlaps("zones", "s", part=True),
        overlays=_overlaps("overlays", "s", part=True),
        rtrw=_overlaps("rtrw", "need"),
    )


ACTIVE_SQL = """
SELECT s.stamp, v.vid, v.plan_id, v.version, v.crs, v.srid, v.sliver_m2, v.zones_bbox,
       v.rtrw_bbox, v.name, v.zones_count, v.overlays_count, v.rtrw_count, v.overlays_bbox
FROM (SELECT coalesce(max(id), 0) AS stamp FROM kkpr.activations) s
LEFT JOIN kkpr.plan_versions v ON v.active
ORDER BY v.plan_id
"""


def unavailable(url: str, exc: BaseException | str) -> StoreError:
    return StoreError(
        "Basis data PostGIS tidak dapat dipakai",
        "The PostGIS database cannot be used",
        where=redact(url),
        hint_id=f"Periksa KKPR_DATABASE_URL dan server basis data ({exc})".strip(),
        hint_en=f"Check KKPR_DATABASE_URL and the database server ({exc})".strip(),
    )


def db_errors() -> tuple[type[BaseException], ...]:
    import psycopg2

    return (psycopg2.Error,)


def not_migrated(url: str) -> StoreError:
    return StoreError(
        "Skema kkpr belum ada di basis data",
        "The kkpr schema is missing from the database",
        where=redact(url),
        hint_id="Jalankan: kkpr db migrate --db URL",
        hint_en="Run: kkpr db migrate --db URL",
    )


def srid_of(crs: str) -> int:
    """The EPSG code of ``crs`` (CRS84 counts as 4326, with x = longitude)."""
    if "CRS84" in crs.upper():
        return 4326
    try:
        code = CRS.from_user_input(crs).to_epsg()
    except Exception:
        code = None
    if code is None:
        raise KkprError(
            f"CRS {crs!r} tidak didukung",
            f"CRS {crs!r} is not supported",
            where="crs",
            hint_id="Gunakan kode EPSG, mis. EPSG:4326",
            hint_en="Use an EPSG code, e.g. EPSG:4326",
        )
    return int(code)


def as_features(rows: list[tuple[Any, ...]], plan_crs: str, crs: str) -> list[dict[str, Any]]:
    """GeoJSON features from (fid, properties, WKB) rows, reprojected as the memory
    store reprojects them."""
    geoms = shapely.from_wkb([bytes(r[2]) for r in rows])
    if crs != plan_crs and len(geoms):
        t = transformer(plan_crs, crs)
        geoms = shapely.transform(
            geoms, lambda xy: np.column_stack(t.transform(xy[:, 0], xy[:, 1]))
        )
    return [
        {
            "type": "Feature",
            "id": r[0],
            "geometry": None if g is None or g.is_empty else mapping(g),
            "properties": r[1] or {},
        }
        for r, g in zip(rows, geoms, strict=True)
    ]


def read_rules(cur: Any, *, vid: int) -> PlanRules:
    """A version's PlanRules, rebuilt from its tables in the package's own order."""

    from psycopg2 import sql as pg

    def rows(sql: Any) -> list[tuple[Any, ...]]:
        cur.execute(sql, (vid,))
        return list(cur.fetchall())

    (v,) = rows(
        "SELECT plan_id, name, region_code, legal_basis, effective_from, crs, sliver_m2, "
        "sliver_share, overlay_effects, version, checksum, subzones, rule_options, rdtr_integrated, "
        "rule_tables "
        "FROM kkpr.plan_versions WHERE vid = %s"
    )
    rasters = rows(
        "SELECT id, path, kind, label_id, label_en, jenis, threshold, slope_limit_pct, "
        "max_share, efek FROM kkpr.rasters WHERE vid = %s ORDER BY seq"
    )
    meta = PlanMeta(
        id=v[0],
        name=v[1],
        region_code=v[2],
        legal_basis=v[3],
        effective_from=v[4],
        crs=v[5],
        tolerance=Tolerance(sliver_m2=v[6], sliver_share=v[7]),
        rasters=tuple(RasterSpec(*r) for r in rasters),
        overlay_effects=dict(v[8]),
        version=v[9],
        checksum=v[10],
        overlay_rules=rule_tables.overlay_rules(dict(v[14])),
        rule_options=RuleOptions(**dict(v[12])),
        rdtr_integrated=bool(v[13]),
    )
    activities = {
        k: Activity(k, name)
        for k, name in rows(
            "SELECT kode, kegiatan FROM kkpr.activities WHERE vid = %s ORDER BY seq"
        )
    }
    itbx = {
        (k, z): cell
        for k, z, cell in rows(
            "SELECT kode_kegiatan, kodszn, cell FROM kkpr.itbx WHERE vid = %s ORDER BY seq"
        )
    }
    kbli = {
        r[0]: KbliEntry(*r)
        for r in rows(
            "SELECT kbli, judul, kode_kegiatan FROM kkpr.kbli WHERE vid = %s ORDER BY seq"
        )
    }
    conditions = {
        r[0]: Condition(*r)
        for r in rows(
            "SELECT kode, teks, max_floor_area_m2, max_site_area_m2, max_floors "
            "FROM kkpr.conditions WHERE vid = %s ORDER BY seq"
        )
    }
    intensity = {
        r[0]: Intensity(*r[1:])
        for r in rows(
            pg.SQL("SELECT kodszn, {} FROM kkpr.intensity WHERE vid = %s ORDER BY seq").format(
                pg.SQL(", ").join(pg.Identifier(f) for f in INTENSITY_FIELDS)
            )
        )
    }
    setbacks = tuple(
        SetbackRow(*r)
        for r in rows(
            "SELECT fungsi, kelas, status, gsb, jbb, keterangan FROM kkpr.setbacks "
            "WHERE vid = %s ORDER BY seq"
        )
    )
    return PlanRules(
        meta=meta,
        activities=activities,
        itbx=itbx,
        subzones=tuple(v[11]),
        kbli=kbli,
        conditions=conditions,
        intensity=intensity,
        intensity_classes=rule_tables.intensity_classes(dict(v[14])),
        rtrw_matrix=rule_tables.rtrw_matrix(dict(v[14])),
        landmarks=rule_tables.landmarks(dict(v[14])),
        setbacks=setbacks,
    )
