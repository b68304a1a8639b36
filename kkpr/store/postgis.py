"""The PostGIS store: many plans and their versions in PostgreSQL, sites located by SQL.

The answers equal the memory store's (same hits, same order, same rules): the site
is reprojected and validated here exactly as the memory store does it, the overlaps
and their areas come from one prepared SQL statement, so one round trip per check or
batch (zones, overlays, the fronted roads and, when the site is not fully covered, the
RTRW), the raster statistics from the version's grids in memory, as the memory store
computes them, and the plan's rules are rebuilt from the database and cached per
active version. The SQL lives in ``kkpr.store.postgis_sql``; psycopg2 is
imported only when the store is used.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Literal, TypeVar, cast

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from kkpr.db.pool import Pool, redact
from kkpr.errors import KkprError, NotFound, StoreError
from kkpr.model import (
    Intensity,
    Located,
    OverlayHit,
    PlanRules,
    RasterSpec,
    RasterStat,
    RoadHit,
    RtrwHit,
    Site,
    ZoneHit,
)
from kkpr.plan.kugi import INTENSITY_FIELDS
from kkpr.settings import Settings
from kkpr.site import WGS84, check_site_geometry, to_plan_crs, transformer
from kkpr.store import postgis_features as pf
from kkpr.store import tiles
from kkpr.store.base import PlanEntry, VersionEntry
from kkpr.store.features import TITLES, unknown_collection
from kkpr.store.filters import Filter
from kkpr.store.memory import lonlats, outside_any_plan, to_plan_crs_many
from kkpr.store.postgis_sql import (
    ACTIVE_SQL,
    LOCATE_TYPES,
    as_features,
    locate_sql,
    not_migrated,
    read_rules,
    unavailable,
)
from kkpr.store.rasters import Grid, load_grid, many_stats, site_stats

T = TypeVar("T")
LOCATE_BATCH = 2000  # sites per statement: bounded query text and memory
# roads are fetched this much (m) beyond the frontage distance, then tested by GEOS as
# the memory store tests them: both stores agree at the edge (not a rule of the plan)
ROAD_SLACK_M = 1e-3
PIN_S = 5.0  # a locate this soon after rules() in the same thread belongs to one check
Bounds = tuple[float, float, float, float]
TILE_TYPES = ("bigint", "integer", "integer", "integer", "text", "float8", "float8")


@dataclass(frozen=True)
class ActiveVersion:
    """What the store keeps about the active version of one plan."""

    plan_id: str
    vid: int
    version: str
    name: str
    crs: str
    srid: int
    sliver_m2: float
    extent: tuple[float, float, float, float]  # zones, plan CRS
    region: BaseGeometry  # where a site must fall to be inside this plan
    rasters: tuple[tuple[RasterSpec, Path], ...]
    layers: dict[str, tuple[int, Bounds | None]]  # collection -> count, extent (plan CRS)


def _bounds(values: Sequence[float] | None) -> Bounds | None:
    if not values:
        return None
    x1, y1, x2, y2 = (float(v) for v in values)
    return (x1, y1, x2, y2)


class PostgisStore:
    """Store, FeatureSource and PlanAdmin over a PostGIS database of plan versions.

    The outside-plan margin and the vertex limit default to the service settings
    (``max_vertices=None``: no limit, as the memory store's default).
    """

    def __init__(
        self,
        url: str,
        *,
        outside_margin_m: float | None = None,
        max_vertices: int | Literal["settings"] | None = "settings",
        data_dir: Path | None = None,
        stamp_ttl_s: float = 1.0,
        pool_size: int | None = None,
    ) -> None:
        settings = Settings()
        self.url = url
        self.outside_margin_m = (
            settings.outside_plan_margin_m if outside_margin_m is None else outside_margin_m
        )
        self.max_vertices = (
            settings.max_site_vertices if max_vertices == "settings" else max_vertices
        )
        self.data_dir = data_dir if data_dir is not None else settings.data_dir
        self.stamp_ttl_s = stamp_ttl_s
        self._local = threading.local()  # the version a thread's check is pinned to
        self._lock = threading.Lock()
        self._pool = Pool(
            url,
            size=settings.db_pool_size if pool_size is None else pool_size,
            wait_s=settings.db_pool_wait_s,
            connect_timeout_s=settings.db_connect_timeout_s,
            on_connect=_session,
            unavailable=unavailable,
        )
        self._active: dict[str, ActiveVersion] = {}
        self._stamp: float | None = None
        self._checked_at = 0.0  # when the activation log last said self._stamp
        self._stale = False  # the log moved since: re-read at the next use
        self._rules: dict[int, PlanRules] = {}
        self._raster_grids: dict[int, list[Grid]] = {}
        self._types: dict[tuple[int, str], dict[str, str]] = {}
        self._tile_cache = tiles.TileCache()  # keyed by version: a version never changes

    # ------------------------------------------------------------ connections

    def open(self) -> None:
        """Open the pool's first connection now (the app's startup)."""
        self._pool.open()

    def _run(self, fn: Callable[[Any], T]) -> T:
        """``fn(cursor)`` on a pooled connection (autocommit); once more on a fresh
        connection when the first broke (a database restart closed it)."""
        import psycopg2

        for attempt in (0, 1):
            try:
                with self._pool.connection() as conn, conn.cursor() as cur:
                    return fn(cur)
            except (
                psycopg2.errors.UndefinedTable,
                psycopg2.errors.InvalidSchemaName,
                psycopg2.errors.UndefinedObject,  # no PostGIS: no geometry type
            ) as exc:
                raise not_migrated(self.url) from exc
            except StoreError as exc:
                # the pool discarded a connection that broke in use (a restart closed
                # it): one more try, on a new connection
                if attempt or not isinstance(exc.__cause__, psycopg2.Error):
                    raise
            except psycopg2.Error as exc:
                raise unavailable(self.url, exc) from exc
        raise AssertionError("unreachable")

    def _transaction(self, fn: Callable[[Any], T]) -> T:
        """``fn(cursor)`` in one transaction on a pooled connection, committed when it
        returns, rolled back when it raises. Not retried: a write whose connection broke
        at its commit may have been done (a rollback done twice walks back twice)."""
        import psycopg2

        try:
            with self._pool.connection() as conn:
                conn.autocommit = False
                try:
                    with conn, conn.cursor() as cur:
                        return fn(cur)
                finally:
                    if not conn.closed:  # back to the pool as it came (autocommit)
                        conn.autocommit = True
        except (psycopg2.errors.UndefinedTable, psycopg2.errors.InvalidSchemaName) as exc:
            raise not_migrated(self.url) from exc
        except psycopg2.Error as exc:
            raise unavailable(self.url, exc) from exc

    def _fetch(
        self, sql: Any, params: Sequence[Any] | dict[str, Any] = ()
    ) -> list[tuple[Any, ...]]:
        def run(cur: Any) -> list[tuple[Any, ...]]:
            cur.execute(sql, params)
            return list(cur.fetchall())

        return self._run(run)

    def _execute_locate(self, cur: Any, *, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        # a server-side prepared statement per connection: parsed and planned once
        if "kkpr_locate" not in cur.connection.prepared:
            # one generic plan: the version is pruned at run time, and replanning per
            # site would cost more than the query itself
            cur.execute("SET plan_cache_mode = force_generic_plan")
            _prepare(cur, "kkpr_locate", LOCATE_TYPES, locate_sql())
        cur.execute(_execute_sql("kkpr_locate", len(LOCATE_TYPES)), params)
        return list(cur.fetchall())

    def close(self) -> None:
        """Close the pool's idle connections (the app's shutdown)."""
        self._pool.close()

    # ------------------------------------------------------------ active versions

    def _state(self, force: bool = False) -> dict[str, ActiveVersion]:
        """Active versions by plan, re-read when the activation log moved (asked at most
        every ``stamp_ttl_s`` seconds, at once when ``force`` or when a locate statement
        saw the log move; a locate that saw it unchanged counts as asking)."""
        now = time.monotonic()
        fresh = now - self._checked_at < self.stamp_ttl_s
        if not force and not self._stale and self._stamp is not None and fresh:
            return self._active
        self._stale = False  # before reading: a move seen meanwhile is read next time
        rows = self._fetch(ACTIVE_SQL)
        with self._lock:
            self._checked_at = now
            stamp = float(rows[0][0])
            if stamp == self._stamp:
                return self._active
            known = {av.vid: av for av in self._active.values()}
            active: dict[str, ActiveVersion] = {}
            for row in rows:
                if row[1] is None:
                    continue
                vid = int(row[1])
                active[row[2]] = known.get(vid) or self._version_of(row)
            self._active = active
            live = {av.vid for av in active.values()}
            self._rules = {vid: r for vid, r in self._rules.items() if vid in live}
            self._stamp = stamp
            return active

    def _version_of(self, row: tuple[Any, ...]) -> ActiveVersion:
        _stamp, vid, plan_id, version, crs, srid, sliver_m2, zb, rb, name, nz, no, nr, ob = row
        extent = tuple(float(v) for v in zb) if zb else (0.0, 0.0, 0.0, 0.0)
        # the memory store's rule: the zones' extent with a margin, or the RTRW's extent
        region = shapely.box(*extent).buffer(self.outside_margin_m)
        if rb:
            region = shapely.union(region, shapely.box(*rb))
        # left unprepared: a few dozen vertices, shared by every threadpool thread, and
        # GEOS prepared geometries are not thread-safe (kkpr/store/prepared.py)
        rasters = self._fetch(
            "SELECT id, path, kind, label_id, label_en, jenis, threshold, slope_limit_pct, "
            "max_share, efek, stored_path FROM kkpr.rasters WHERE vid = %s ORDER BY seq",
            (vid,),
        )
        return ActiveVersion(
            plan_id=plan_id,
            vid=vid,
            version=version,
            name=name,
            crs=crs,
            srid=int(srid),
            sliver_m2=float(sliver_m2),
            extent=(extent[0], extent[1], extent[2], extent[3]),
            region=region,
            rasters=tuple((RasterSpec(*r[:10]), Path(r[10])) for r in rasters),
            layers={
                "zones": (int(nz or 0), _bounds(zb)),
                "overlays": (int(no or 0), _bounds(ob)),
                **({"rtrw": (int(nr), _bounds(rb))} if nr else {}),
            },
        )

    def _active_for(self, plan_id: str | None) -> ActiveVersion:
        state = self._state()
        if plan_id is not None:
            if plan_id not in state:
                state = self._state(force=True)
            av = state.get(plan_id)
            if av is None:
                raise NotFound(
                    f"Rencana {plan_id!r} tidak dimuat atau tidak memiliki versi aktif",
                    f"Plan {plan_id!r} is not loaded or has no active version",
                    where="plan_id",
                    hint_id=f"Rencana yang ada: {', '.join(state) or '—'}",
                    hint_en=f"Loaded plans: {', '.join(state) or '—'}",
                )
            return av
        if not state:
            state = self._state(force=True)
        if len(state) == 1:
            return next(iter(state.values()))
        if not state:
            raise NotFound(
                "Belum ada rencana aktif di basis data",
                "No plan is active in the database",
                where=redact(self.url),
                hint_id="Muat rencana: kkpr plan load FOLDER --db URL",
                hint_en="Load a plan: kkpr plan load FOLDER --db URL",
            )
        raise KkprError(
            f"Basis data memuat {len(state)} rencana; sebutkan plan_id",
            f"The database holds {len(state)} plans; name a plan_id",
            where="plan_id",
            hint_id=f"Pilih salah satu: {', '.join(state)}",
            hint_en=f"Choose one of: {', '.join(state)}",
        )

    # ------------------------------------------------------------ Store protocol

    def rules(self, plan_id: str | None = None) -> PlanRules:
        """The active version's rules. The version is also remembered for this thread's
        next ``locate`` (for PIN_S): ``kkpr.check.check`` reads the rules, then locates,
        and both must come from one version even if another is activated in between."""
        av = self._active_for(plan_id)
        self._local.pin = (av, time.monotonic())
        return self._rules_of(av)

    def dem_source(self, plan_id: str | None = None) -> tuple[Path, str] | None:
        """The active version's DEM file (as loaded) and the plan CRS."""
        return _dem_of(self._active_for(plan_id))

    def _rules_of(self, av: ActiveVersion) -> PlanRules:
        rules = self._rules.get(av.vid)
        if rules is None:
            rules = self._run(partial(read_rules, vid=av.vid))
            with self._lock:
                self._rules[av.vid] = rules
        return rules

    def pinned(self, plan_id: str | None = None) -> PinnedVersion:
        """A Store on the version active now, kept for as long as it is used: the rules
        and the zones of one check then come from the same version, even if staff
        activate another one meanwhile."""
        return PinnedVersion(self, self._active_for(plan_id))

    def locate(self, site: Site, plan_id: str | None = None) -> Located:
        return self.locate_many([site], plan_id)[0]

    def locate_many(self, sites: Sequence[Site], plan_id: str | None = None) -> list[Located]:
        for site in sites:
            check_site_geometry(site, self.max_vertices)
        if not sites:
            return []
        pin: tuple[ActiveVersion, float] | None = getattr(self._local, "pin", None)
        self._local.pin = None
        fresh = pin is not None and time.monotonic() - pin[1] < PIN_S
        if pin is not None and fresh and plan_id in (None, pin[0].plan_id):
            return self._locate_pinned(pin[0], sites)
        out: list[Located | None] = [None] * len(sites)
        for av, indices, geoms in self._plans_of(sites, plan_id):
            located = self._locate_in(av, [sites[i] for i in indices], geoms)
            for i, loc in zip(indices, located, strict=True):
                out[i] = loc
        return [loc for loc in out if loc is not None]

    def _locate_pinned(self, av: ActiveVersion, sites: Sequence[Site]) -> list[Located]:
        """``sites`` (already checked) located in version ``av``, active or not."""
        geoms = to_plan_crs_many(sites, av.crs)
        outside = ~shapely.intersects(av.region, geoms)
        if outside.any():
            raise outside_any_plan(int(np.flatnonzero(outside)[0]), len(sites))
        return self._locate_in(av, list(sites), geoms, pinned=True)

    def _plans_of(
        self, sites: Sequence[Site], plan_id: str | None
    ) -> list[tuple[ActiveVersion, list[int], np.ndarray]]:
        """Which plan answers each site (with the sites in its CRS): the named one, the
        only one, or the one whose region holds the site (the nearest zones' extent
        when several do). SiteOutsidePlan for the first site that no plan holds."""
        state = self._state()
        if plan_id is not None or len(state) <= 1:
            av = self._active_for(plan_id)
            geoms = to_plan_crs_many(sites, av.crs)
            outside = ~shapely.intersects(av.region, geoms)
            if outside.any():
                raise outside_any_plan(int(np.flatnonzero(outside)[0]), len(sites))
            return [(av, list(range(len(sites))), geoms)]
        groups: dict[str, list[int]] = {}
        for i, site in enumerate(sites):
            best: tuple[float, str] | None = None
            for av in state.values():
                geom = to_plan_crs(site, av.crs)
                if not shapely.intersects(av.region, geom):
                    continue
                d = float(shapely.distance(shapely.box(*av.extent), geom))
                if best is None or (d, av.plan_id) < best:
                    best = (d, av.plan_id)
            if best is None:
                raise outside_any_plan(i, len(sites))
            groups.setdefault(best[1], []).append(i)
        return [
            (state[pid], idx, to_plan_crs_many([sites[i] for i in idx], state[pid].crs))
            for pid, idx in groups.items()
        ]

    def _locate_in(
        self, av: ActiveVersion, sites: list[Site], geoms: np.ndarray, pinned: bool = False
    ) -> list[Located]:
        out: list[Located] = []
        for lo in range(0, len(sites), LOCATE_BATCH):
            hi = lo + LOCATE_BATCH
            out += self._locate_batch(av, sites[lo:hi], geoms[lo:hi], pinned)
        return out

    def _locate_batch(
        self, av: ActiveVersion, sites: list[Site], geoms: np.ndarray, pinned: bool
    ) -> list[Located]:
        """One statement for ``sites`` (``geoms`` in ``av``'s CRS). Unless ``pinned``,
        re-run once in the new active version if another was activated meanwhile."""
        for attempt in (0, 1):
            if attempt:  # the version changed under us: the new one must hold the sites too
                av = self._active_for(av.plan_id)
                geoms = to_plan_crs_many(sites, av.crs)
                outside = ~shapely.intersects(av.region, geoms)
                if outside.any():
                    raise outside_any_plan(int(np.flatnonzero(outside)[0]), len(sites))
            areas = shapely.area(geoms)
            wkb = shapely.to_wkb(
                shapely.set_srid(geoms, av.srid), hex=True, include_srid=True, output_dimension=2
            )
            frontage = self._rules_of(av).meta.rule_options.frontage_m
            params = (
                av.vid,
                list(wkb),
                [float(a) for a in areas],
                av.sliver_m2,
                frontage + ROAD_SLACK_M,
            )
            asked = time.monotonic()
            rows = self._run(partial(self._execute_locate, params=params))
            header = rows[0]
            with self._lock:
                # the statement read the activation log as ACTIVE_SQL does: checks that
                # keep coming keep the state fresh, with no statement of its own
                if header[14] == self._stamp:
                    self._checked_at = max(self._checked_at, asked)
                else:
                    self._stale = True  # something was activated: re-read on next use
            if pinned or header[5] == "true":
                return self._answers(av, geoms, areas, frontage, rows[1:])
            self._state(force=True)
        raise StoreError(
            "Versi rencana aktif berganti berulang kali selama pemeriksaan",
            "The active plan version changed repeatedly during the check",
            where=av.plan_id,
            hint_id="Ulangi permintaan",
            hint_en="Send the request again",
        )

    def _answers(
        self,
        av: ActiveVersion,
        geoms: np.ndarray,
        areas: np.ndarray,
        frontage: float,
        rows: list[tuple[Any, ...]],
    ) -> list[Located]:
        zones: list[list[ZoneHit]] = [[] for _ in geoms]
        overlays: list[list[OverlayHit]] = [[] for _ in geoms]
        rtrw: list[list[RtrwHit]] = [[] for _ in geoms]
        roads: list[list[RoadHit]] = [[] for _ in geoms]
        for row in rows:
            kind, i = row[0], int(row[1]) - 1
            if kind == "j":
                hit = _road_hit(geoms[i], frontage, row)
                if hit is not None:
                    roads[i].append(hit)
                continue
            area = float(row[3])
            if kind == "z":
                zones[i].append(
                    ZoneHit(
                        fid=row[4],
                        kodszn=row[5],
                        area_m2=area,
                        namszn=row[6],
                        kodzon=row[7],
                        namzon=row[8],
                        kodblk=row[9],
                        kodsbl=row[10],
                        wadmkc=row[11],
                        wadmkd=row[12],
                        flags=tuple(row[13] or ()),
                        flag_texts=tuple(row[21] or ()),
                        intensity=Intensity(**dict(zip(INTENSITY_FIELDS, row[14:21], strict=True))),
                        part=_part(row[22]),
                    )
                )
            elif kind == "o":
                overlays[i].append(
                    OverlayHit(
                        fid=row[4],
                        jenis=row[5],
                        area_m2=area,
                        keterangan=row[6],
                        tb=row[14],
                        efek=row[7],
                        part=_part(row[22]),
                    )
                )
            else:
                rtrw[i].append(RtrwHit(namobj=row[5], jnsrpr=row[6], area_m2=area))
        rasters = self._raster_stats(av, geoms)
        lons, lats = lonlats(geoms, av.crs)
        out = []
        for i, geom in enumerate(geoms):
            located = Located(
                plan_id=av.plan_id,
                plan_version=av.version,
                geometry=geom,
                area_m2=float(areas[i]),
                zones=zones[i],
                overlays=overlays[i],
                rasters=rasters[i],
                lon=float(lons[i]),
                lat=float(lats[i]),
                roads=roads[i],
            )
            covered = sum(z.area_m2 for z in zones[i])
            if not zones[i] or covered < located.area_m2 - av.sliver_m2:
                located.rtrw = rtrw[i]
            out.append(located)
        return out

    def road_rows(
        self, plan_id: str | None = None
    ) -> list[tuple[str | None, str | None, BaseGeometry | None]]:
        """(name, function, geometry) of every road of the active version, in layer
        order (as the memory store's)."""
        av = self._active_for(plan_id)
        rows = self._fetch(
            "SELECT nama, fungsi, ST_AsBinary(geom) FROM kkpr.roads WHERE vid = %s ORDER BY seq",
            (av.vid,),
        )
        return [(n, f, shapely.from_wkb(bytes(g))) for n, f, g in rows]

    def _grids(self, av: ActiveVersion) -> list[Grid]:
        """The version's rasters, read once around its region (as the memory store)."""
        grids = self._raster_grids.get(av.vid)
        if grids is None:
            bounds = av.region.bounds
            grids = [load_grid(path, spec, bounds, av.crs) for spec, path in av.rasters]
            with self._lock:
                self._raster_grids = {
                    vid: g for vid, g in self._raster_grids.items() if vid in self._live()
                }
                self._raster_grids[av.vid] = grids
        return grids

    def _raster_stats(self, av: ActiveVersion, geoms: np.ndarray) -> list[list[RasterStat]]:
        """Per site, its statistics over each of the version's rasters, as the memory
        store measures them: one site (the single check) by ``site_stats``, the site
        made once for every raster; a batch by one ``many_stats`` call per raster."""
        grids = self._grids(av)
        if len(geoms) == 1:
            return [site_stats(grids, geoms[0], av.crs)]
        per_raster = [many_stats(grid, geoms, av.crs) for grid in grids]
        return [list(stats) for stats in zip(*per_raster, strict=True)] or [[] for _ in geoms]

    def _live(self) -> set[int]:
        return {av.vid for av in self._active.values()}

    # ------------------------------------------------------------ FeatureSource

    def collections(self, plan_id: str | None = None) -> list[dict[str, Any]]:
        """As the memory store's (kkpr.store.features): same ids, titles, bboxes."""
        av = self._active_for(plan_id)
        out = []
        for cid, (count, bounds) in av.layers.items():
            title, description, source = TITLES[cid]
            bbox = None
            if bounds is not None:
                bbox = [float(v) for v in transformer(av.crs, WGS84).transform_bounds(*bounds)]
            out.append(
                {
                    "id": cid,
                    "title": title,
                    "description": description,
                    "source": source,
                    "bbox": bbox,
                    "count": count,
                    "storage_crs": av.crs,
                    "plan_id": av.plan_id,
                    "plan_version": av.version,
                }
            )
        return out

    def features(
        self,
        collection: str,
        *,
        bbox: tuple[float, float, float, float] | None = None,
        bbox_crs: str = WGS84,
        crs: str = WGS84,
        limit: int = 100,
        offset: int = 0,
        where: Filter | None = None,
        plan_id: str | None = None,
    ) -> tuple[list[dict[str, Any]], int]:
        """As the memory store's: pages in fid order, the bbox as a box in the plan CRS,
        the property filter as SQL (kkpr.store.postgis_features)."""
        from psycopg2 import sql as pg

        av = self._active_for(plan_id)
        if collection not in av.layers:
            raise unknown_collection(collection, list(av.layers))
        conds = [pg.SQL("x.vid = %(vid)s")]
        params: dict[str, Any] = {"vid": av.vid, "limit": max(limit, 0), "offset": offset}
        if where is not None:
            types = self.queryables(collection, plan_id=plan_id)
            conds.append(pf.where_sql(collection, where, types, params))
        if bbox is not None:
            box = (
                bbox
                if bbox_crs == av.crs
                else transformer(bbox_crs, av.crs).transform_bounds(*bbox)
            )
            conds.append(
                pg.SQL(
                    "ST_Intersects(x.geom, ST_MakeEnvelope(%(x1)s, %(y1)s, %(x2)s, %(y2)s, %(srid)s))"
                )
            )
            params.update({k: float(v) for k, v in zip(("x1", "y1", "x2", "y2"), box, strict=True)})
            params["srid"] = av.srid
        src, cond = pf.source(collection), pg.SQL(" AND ").join(conds)
        rows = self._fetch(
            pg.SQL(
                "SELECT x.fid, {}, ST_AsBinary(x.geom), count(*) OVER () "
                "FROM {} WHERE {} ORDER BY x.frank LIMIT %(limit)s OFFSET %(offset)s"
            ).format(pf.properties(collection), src, cond),
            params,
        )
        if rows:
            matched = int(rows[0][3])
        else:
            count = pg.SQL("SELECT count(*) FROM {} WHERE {}").format(src, cond)
            matched = int(self._fetch(count, params)[0][0])
        return as_features(rows, av.crs, crs), matched

    def feature(
        self, collection: str, fid: str, *, crs: str = WGS84, plan_id: str | None = None
    ) -> dict[str, Any] | None:
        """One feature by its fid (OGC API ``items/{featureId}``), None if there is none."""
        from psycopg2 import sql as pg

        av = self._active_for(plan_id)
        if collection not in av.layers:
            raise unknown_collection(collection, list(av.layers))
        rows = self._fetch(
            pg.SQL(
                "SELECT x.fid, {}, ST_AsBinary(x.geom) "
                "FROM {} WHERE x.vid = %s AND x.fid = %s ORDER BY x.seq LIMIT 1"
            ).format(pf.properties(collection), pf.source(collection)),
            (av.vid, fid),
        )
        return as_features(rows, av.crs, crs)[0] if rows else None

    def queryables(self, collection: str, plan_id: str | None = None) -> dict[str, str]:
        """Each property of the collection and its JSON Schema type (cached per version)."""
        av = self._active_for(plan_id)
        if collection not in av.layers:
            raise unknown_collection(collection, list(av.layers))
        key = (av.vid, collection)
        types = self._types.get(key)
        if types is None:
            types = pf.types_of(collection, self._fetch(pf.types_sql(collection), (av.vid,)))
            with self._lock:
                self._types = {k: v for k, v in self._types.items() if k[0] in self._live()}
                self._types[key] = types
        return dict(types)

    def tile(self, collection: str, z: int, x: int, y: int, plan_id: str | None = None) -> bytes:
        """One MVT tile by ST_AsMVT (kkpr.store.postgis_features.tile_sql)."""
        tiles.check_tile(z, x, y)
        av = self._active_for(plan_id)
        if collection not in av.layers:
            raise unknown_collection(collection, list(av.layers))
        # a version never changes: a tile of it made once is the tile
        key = (av.vid, collection, z, x, y)
        body = self._tile_cache.get(key)
        if body is not None:
            return body
        name = f"kkpr_tile_{collection}"

        def run(cur: Any) -> list[tuple[Any, ...]]:
            if z in tiles.PRERENDER_ZOOMS:  # made at load (a version loaded before: not)
                cur.execute(
                    "SELECT mvt FROM kkpr.tiles "
                    "WHERE vid = %s AND collection = %s AND z = %s AND x = %s AND y = %s",
                    (av.vid, collection, z, x, y),
                )
                made = cur.fetchall()
                if made:
                    return list(made)
            # prepared once per connection: planning a tile cost more than drawing it
            if name not in cur.connection.prepared:
                sql = pf.tile_sql(pf.source(collection), pf.tile_properties(collection))
                _prepare(cur, name, TILE_TYPES, sql)
            cur.execute(
                _execute_sql(name, len(TILE_TYPES)),
                (av.vid, z, x, y, collection, tiles.sliver_m(z), tiles.simplify_m(z)),
            )
            return list(cur.fetchall())

        rows = self._run(run)
        body = bytes(rows[0][0]) if rows and rows[0][0] else b""
        self._tile_cache.put(key, body)
        return body

    def layers_of(self, plan_id: str, version: str) -> dict[str, gpd.GeoDataFrame]:
        """Any ready version's layers as its features show them (plan CRS, fid order)."""
        from psycopg2 import sql as pg

        from kkpr.store.activation import ready_vid

        def run(cur: Any) -> dict[str, gpd.GeoDataFrame]:
            vid = ready_vid(cur, plan_id, version)
            cur.execute("SELECT crs, rtrw_count FROM kkpr.plan_versions WHERE vid = %s", (vid,))
            crs, rtrw_count = cur.fetchone()
            out = {}
            for cid in pf.LAYERS:
                if cid == "rtrw" and not rtrw_count:
                    continue
                cur.execute(
                    pg.SQL(
                        "SELECT x.fid, {}, ST_AsBinary(x.geom) "
                        "FROM {} WHERE x.vid = %s ORDER BY x.frank"
                    ).format(pf.properties(cid), pf.source(cid)),
                    (vid,),
                )
                rows = cur.fetchall()
                frame = pd.DataFrame([r[1] or {} for r in rows], index=[r[0] for r in rows])
                geoms = shapely.from_wkb([bytes(r[2]) for r in rows])
                out[cid] = gpd.GeoDataFrame(frame, geometry=geoms, crs=crs)
            return out

        return self._run(run)

    def categories(self, collection: str, prop: str, plan_id: str | None = None) -> list[str]:
        """The distinct values of a property, as text, sorted (for styles)."""
        from psycopg2 import sql as pg

        av = self._active_for(plan_id)
        if prop not in self.queryables(collection, plan_id=plan_id):
            return []
        rows = self._fetch(
            pg.SQL("SELECT DISTINCT x.attrs->>%s FROM {} WHERE x.vid = %s").format(
                pf.source(collection)
            ),
            (prop, av.vid),
        )
        return sorted(str(r[0]) for r in rows if r[0] is not None)

    # ------------------------------------------------------------ PlanAdmin

    # activation builds the entries from its rows (tests/store/test_load.py holds them to
    # the types)
    def plans(self) -> list[PlanEntry]:
        from kkpr.store import activation

        return cast("list[PlanEntry]", self._run(activation.list_plans))

    def versions(self, plan_id: str) -> list[VersionEntry]:
        from kkpr.store import activation

        return cast(
            "list[VersionEntry]", self._run(partial(activation.list_versions, plan_id=plan_id))
        )

    def load(self, plan_dir: Path, *, loaded_by: str, activate: bool = True) -> str:
        from kkpr.store import load

        version = load.load_package(
            self.url, plan_dir, loaded_by=loaded_by, activate=activate, data_dir=self.data_dir
        )
        self._stale = True
        return version

    def activate(self, plan_id: str, version: str, *, by: str) -> None:
        from kkpr.store import activation

        self._transaction(partial(activation.activate, plan_id=plan_id, version=version, by=by))
        self._stale = True

    def rollback(self, plan_id: str, *, by: str) -> str:
        from kkpr.store import activation

        version = self._transaction(partial(activation.rollback, plan_id=plan_id, by=by))
        self._stale = True
        return version


def _dem_of(av: ActiveVersion) -> tuple[Path, str] | None:
    for spec, path in av.rasters:
        if spec.kind == "dem":
            return path, av.crs
    return None


class PinnedVersion:
    """The Store of one version of one plan (``PostgisStore.pinned``)."""

    def __init__(self, store: PostgisStore, version: ActiveVersion) -> None:
        self.store, self.version = store, version

    def _check_plan_id(self, plan_id: str | None) -> None:
        if plan_id is not None and plan_id != self.version.plan_id:
            raise NotFound(
                f"Rencana {plan_id!r} bukan rencana permintaan ini ({self.version.plan_id})",
                f"Plan {plan_id!r} is not this request's plan ({self.version.plan_id})",
                where="plan_id",
            )

    def rules(self, plan_id: str | None = None) -> PlanRules:
        self._check_plan_id(plan_id)
        return self.store._rules_of(self.version)

    def dem_source(self, plan_id: str | None = None) -> tuple[Path, str] | None:
        self._check_plan_id(plan_id)
        return _dem_of(self.version)

    def locate(self, site: Site, plan_id: str | None = None) -> Located:
        return self.locate_many([site], plan_id)[0]

    def locate_many(self, sites: Sequence[Site], plan_id: str | None = None) -> list[Located]:
        self._check_plan_id(plan_id)
        for site in sites:
            check_site_geometry(site, self.store.max_vertices)
        return self.store._locate_pinned(self.version, sites)


def _session(conn: Any) -> None:
    """A new pooled connection of the store: autocommit (reads only), and no JIT."""
    conn.autocommit = True
    with conn.cursor() as cur:
        # short queries only: JIT, triggered by the estimate for a batch of sites,
        # would make every single check pay ~20 ms of compiling
        cur.execute("SET jit = off")


def _prepare(cur: Any, name: str, types: Sequence[str], body: Any) -> None:
    """``PREPARE name (types) AS body`` on ``cur``'s connection, remembered in its
    ``prepared`` set (kkpr.db.pool): the statement lives as long as the connection."""
    from psycopg2 import sql as pg

    cur.execute(
        pg.SQL("PREPARE {} ({}) AS ").format(
            pg.Identifier(name), pg.SQL(", ").join(pg.SQL(t) for t in types)
        )
        + (pg.SQL(body) if isinstance(body, str) else body)
    )
    cur.connection.prepared.add(name)


@functools.cache
def _execute_sql(name: str, count: int) -> Any:
    """``EXECUTE name (%s, ...)`` with ``count`` parameters, composed once."""
    from psycopg2 import sql as pg

    return pg.SQL("EXECUTE {} ({})").format(
        pg.Identifier(name), pg.SQL(", ").join([pg.Placeholder()] * count)
    )


def _road_hit(site: BaseGeometry, frontage: float, row: tuple[Any, ...]) -> RoadHit | None:
    """A road of the locate statement (``kind`` "j") as the memory store finds it: the
    statement fetches a little beyond the frontage distance, GEOS decides and measures."""
    road = shapely.from_wkb(bytes(row[22]))
    if not shapely.dwithin(site, road, frontage):
        return None
    distance = float(shapely.distance(site, road))
    return RoadHit(row[4], row[5], row[6], row[7], row[8], distance, road)


def _part(wkb: Any) -> BaseGeometry | None:
    """A hit's overlap with the site, from the WKB the locate statement answers."""
    return None if wkb is None else shapely.from_wkb(bytes(wkb))
