"""The memory store: a whole plan package in RAM, zones and overlays in STRtrees.

This is what ``make run`` serves and what tests and bulk re-checks use. Geometric
work is vectorised over shapely arrays; Python loops only build the few hits a site
has.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from kkpr.errors import SiteOutsidePlan
from kkpr.model import (
    Intensity,
    Located,
    OverlayHit,
    PlanRules,
    RasterStat,
    RoadHit,
    RtrwHit,
    Site,
    ZoneHit,
)
from kkpr.plan.kugi import FLAG_JENIS, INTENSITY_FIELDS, flag_is_set
from kkpr.plan.package import Plan
from kkpr.site import check_site_geometry, lonlat, to_crs_many, to_plan_crs, transformer
from kkpr.store.features import PlanFeatures
from kkpr.store.filters import Filter
from kkpr.store.prepared import PerThreadPrepared
from kkpr.store.rasters import Grid, load_grid, many_stats, site_stats

DEFAULT_OUTSIDE_MARGIN_M = 5000.0


@dataclasses.dataclass(frozen=True, eq=False)
class BulkArrays:
    """A memory store's plan as the arrays the array rules (``kkpr.bulk``) run over.

    Read-only by contract: the arrays are the store's own (not copies), shared by every
    check the store answers, so nothing may write into them or ``shapely.prepare`` them
    in place (GEOS prepared state is not thread-safe; see ``kkpr.store.prepared``).
    Ask ``prepared_zones()`` for prepared zone geometries instead.

    * ``zone_geoms`` / ``zone_tree`` / ``zone_rows``: the zone polygons in layer order,
      their STRtree and, per polygon, its attributes as ``ZoneHit`` fields (``kodszn``,
      ``flags``, ``intensity`` ...);
    * ``ov_geoms`` / ``ov_rows``: the overlay features in layer order and, per feature,
      its ``OverlayHit`` (area 0, no part);
    * ``road_rows``: the road segments in layer order as ``RoadHit`` (length 0);
    * ``region``: the area the store answers for (outside it a site is outside the plan);
    * ``raster_grids``: every plan raster loaded over ``region``, in the order of the
      plan's raster specs.
    """

    crs: str
    region: BaseGeometry
    zone_geoms: np.ndarray
    zone_tree: shapely.STRtree
    zone_rows: Sequence[dict[str, Any]]
    ov_geoms: np.ndarray
    ov_rows: Sequence[OverlayHit]
    road_rows: Sequence[RoadHit]
    raster_grids: Sequence[Grid]
    zones_prepared: PerThreadPrepared

    def prepared_zones(self) -> np.ndarray:
        """The zone geometries, prepared, in layer order: this thread's own copy."""
        return self.zones_prepared.get()


class MemoryStore:
    """A Store over one in-memory Plan."""

    def __init__(
        self,
        plan: Plan,
        *,
        outside_margin_m: float = DEFAULT_OUTSIDE_MARGIN_M,
        max_vertices: int | None = None,
    ) -> None:
        self.plan = plan
        self.max_vertices = max_vertices
        crs = plan.meta.crs
        self.crs = crs
        zones = plan.zones
        self._zone_geoms = np.asarray(zones.geometry.values, dtype=object)
        self._zone_tree = shapely.STRtree(self._zone_geoms)
        self._zone_rows = _zone_records(zones)
        # prepared for the array rules only, per thread (never in place: see prepared.py)
        self._zone_prepared = PerThreadPrepared(self._zone_geoms)
        ov = plan.overlays
        self._ov_geoms = np.asarray(ov.geometry.values, dtype=object)
        self._ov_tree = shapely.STRtree(self._ov_geoms)
        # never prepared in place: a check runs in any threadpool thread (see prepared.py)
        self._ov_prepared = PerThreadPrepared(self._ov_geoms)
        self._ov_rows = [
            OverlayHit(
                fid=str(fid),
                jenis=str(r["jenis"]),
                area_m2=0.0,
                keterangan=_text(r.get("keterangan")),
                tb=_num(r.get("tb")),
                efek=_text(r.get("efek")),
            )
            for fid, r in ov.drop(columns="geometry").iterrows()
        ]
        rtrw = plan.rtrw
        self._rtrw_geoms = np.asarray(
            rtrw.geometry.values if rtrw is not None else [], dtype=object
        )
        self._rtrw_tree = shapely.STRtree(self._rtrw_geoms) if len(self._rtrw_geoms) else None
        # (namobj, jnsrpr) per RTRW feature, in layer order, read column by column once
        self._rtrw_rows = (
            [
                (str(n), _text(j))
                for n, j in zip(rtrw["namobj"].tolist(), rtrw["jnsrpr"].tolist(), strict=True)
            ]
            if rtrw is not None
            else []
        )
        roads = plan.roads
        self._road_geoms = np.asarray(
            roads.geometry.values if roads is not None else [], dtype=object
        )
        self._road_tree = shapely.STRtree(self._road_geoms)
        # the roads' boxes widened by the frontage distance: a site's own box meets
        # those of the roads within that distance of it (the single check's one query)
        self._frontage_m = plan.meta.rule_options.frontage_m
        self._frontage_tree = shapely.STRtree(_widened_boxes(self._road_geoms, self._frontage_m))
        self._road_rows = (
            [
                RoadHit(
                    str(fid), _text(r.nama), _text(r.fungsi), _text(r.kelas), _text(r.status), 0.0
                )
                for fid, r in zip(roads.index, roads.itertuples(), strict=True)
            ]
            if roads is not None
            else []
        )
        extent = zones.total_bounds if len(zones) else np.array([0, 0, 0, 0])
        region = shapely.box(*extent).buffer(outside_margin_m)
        if self._rtrw_tree is not None and plan.rtrw is not None:
            region = shapely.union(region, shapely.box(*plan.rtrw.total_bounds))
        # a buffered box (and the RTRW's box): a few dozen vertices, tested unprepared,
        # so no thread shares GEOS prepared state through it
        self._region = region
        # a zone lies in the zones' box, so a site meeting one meets the region, unless
        # a negative margin shrank the region inside that box
        self._zones_in_region = outside_margin_m >= 0

    # ------------------------------------------------------------ Store protocol

    def dem_source(self, plan_id: str | None = None) -> tuple[Path, str] | None:
        """The plan's DEM file and the plan CRS (kkpr.check measures ground on it)."""
        for spec in self.plan.meta.rasters:
            if spec.kind == "dem":
                return self.plan.raster_path(spec), self.crs
        return None

    def rules(self, plan_id: str | None = None) -> PlanRules:
        self._check_plan_id(plan_id)
        return self.plan.rules

    def locate(self, site: Site, plan_id: str | None = None) -> Located:
        """``locate_many`` of one site (the single check), without arrays of one: a
        few GEOS calls on the site itself, each answer equal to ``locate_many``'s."""
        self._check_plan_id(plan_id)
        check_site_geometry(site, self.max_vertices)
        geom = site.geometry if site.crs == self.crs else to_plan_crs(site, self.crs)
        # the site as an array of one: the trees answer it without the scalar query's
        # reshaping (half the cost of a small query), each with the same indices
        one = np.empty(1, dtype=object)
        one[0] = geom
        zone_index = np.sort(self._zone_tree.query(one, predicate="intersects")[1])
        # a site that meets a zone meets the region (the zones' box, widened by the
        # margin): the region is tested only for a site that meets none
        if not (len(zone_index) and self._zones_in_region) and not shapely.intersects(
            self._region, geom
        ):
            raise outside_any_plan(0, 1)
        area = geom.area  # the scalar path: shapely.area of one geometry costs ten times more
        lon, lat = lonlat(geom, self.crs)
        zones, overlays = self._hits_of_one(one, geom, area, zone_index)
        return self._located(
            geom,
            area,
            zones,
            overlays,
            site_stats(self._raster_grids, geom, self.crs),
            self._roads_of_one(one, geom),
            lon,
            lat,
            one,
        )

    def locate_many(self, sites: Sequence[Site], plan_id: str | None = None) -> list[Located]:
        self._check_plan_id(plan_id)
        for site in sites:
            check_site_geometry(site, self.max_vertices)
        geoms = to_plan_crs_many(sites, self.crs)
        outside = ~shapely.intersects(self._region, geoms)
        if outside.any():
            raise outside_any_plan(int(np.flatnonzero(outside)[0]), len(sites))
        areas = shapely.area(geoms)
        zone_hits = self._hits(self._zone_tree, self._zone_geoms, geoms)
        ov_hits = self._hits(self._ov_tree, self.prepared_overlays(), geoms, large=True)
        rasters = self._raster_stats_many(geoms)
        roads = self.road_hits(geoms)
        lons, lats = lonlats(geoms, self.crs)
        return [
            self._located(
                geom,
                areas[i],
                [self._zone_hit(j, a, g) for j, a, g in zone_hits[i]],
                [self._overlay_hit(j, a, g) for j, a, g in ov_hits[i]],
                rasters[i],
                roads[i],
                float(lons[i]),
                float(lats[i]),
            )
            for i, geom in enumerate(geoms)
        ]

    def _located(
        self,
        geom: BaseGeometry,
        area: float,
        zones: list[ZoneHit],
        overlays: list[OverlayHit],
        rasters: list[RasterStat],
        roads: list[RoadHit],
        lon: float,
        lat: float,
        one: np.ndarray | None = None,
    ) -> Located:
        located = Located(
            plan_id=self.plan.meta.id,
            plan_version=self.plan.meta.version,
            geometry=geom,
            area_m2=float(area),
            zones=zones,
            overlays=overlays,
            rasters=rasters,
            lon=lon,
            lat=lat,
            roads=roads,
        )
        covered = sum(z.area_m2 for z in zones)
        if not zones or covered < located.area_m2 - self.plan.meta.tolerance.sliver_m2:
            located.rtrw = self._rtrw_hits(geom, one)
        return located

    # ------------------------------------------------------------ FeatureSource protocol

    def collections(self, plan_id: str | None = None) -> list[dict[str, Any]]:
        self._check_plan_id(plan_id)
        return self._features.collections()

    def features(
        self,
        collection: str,
        *,
        bbox: tuple[float, float, float, float] | None = None,
        bbox_crs: str = "EPSG:4326",
        crs: str = "EPSG:4326",
        limit: int = 100,
        offset: int = 0,
        where: Filter | None = None,
        plan_id: str | None = None,
    ) -> tuple[list[dict[str, Any]], int]:
        self._check_plan_id(plan_id)
        return self._features.features(
            collection,
            bbox=bbox,
            bbox_crs=bbox_crs,
            crs=crs,
            limit=limit,
            offset=offset,
            where=where,
        )

    def queryables(self, collection: str, plan_id: str | None = None) -> dict[str, str]:
        self._check_plan_id(plan_id)
        return self._features.queryables(collection)

    def categories(self, collection: str, prop: str, plan_id: str | None = None) -> list[str]:
        self._check_plan_id(plan_id)
        return self._features.categories(collection, prop)

    def tile(self, collection: str, z: int, x: int, y: int, plan_id: str | None = None) -> bytes:
        self._check_plan_id(plan_id)
        return self._features.tile(collection, z, x, y)

    @functools.cached_property
    def _features(self) -> PlanFeatures:
        return PlanFeatures(self.plan)

    def prepared_overlays(self) -> np.ndarray:
        """The overlay geometries, prepared, in layer order: this thread's own copy
        (GEOS prepared geometries must not be shared between threads)."""
        return self._ov_prepared.get()

    def bulk_arrays(self) -> BulkArrays:
        """The plan as arrays for the array rules (``kkpr.bulk``): see ``BulkArrays``.

        The public, read-only view of this store's internals; loads the plan rasters
        on first call (as a check that measures them would)."""
        return BulkArrays(
            crs=self.crs,
            region=self._region,
            zone_geoms=self._zone_geoms,
            zone_tree=self._zone_tree,
            zone_rows=self._zone_rows,
            ov_geoms=self._ov_geoms,
            ov_rows=self._ov_rows,
            road_rows=self._road_rows,
            raster_grids=self._raster_grids,
            zones_prepared=self._zone_prepared,
        )

    # ------------------------------------------------------------ parts

    def _check_plan_id(self, plan_id: str | None) -> None:
        if plan_id is not None and plan_id != self.plan.meta.id:
            from kkpr.errors import NotFound

            raise NotFound(
                f"Rencana {plan_id!r} tidak dimuat",
                f"Plan {plan_id!r} is not loaded",
                where="plan_id",
                hint_id=f"Rencana yang ada: {self.plan.meta.id}",
                hint_en=f"Loaded plan: {self.plan.meta.id}",
            )

    @staticmethod
    def _hits(
        tree: shapely.STRtree, geoms: np.ndarray, sites: np.ndarray, large: bool = False
    ) -> list[list[tuple[int, float, BaseGeometry]]]:
        """Per site, (index, overlap area, overlap) of every geometry it overlaps (the
        overlap of a point site is the point).

        ``large``: the geometries are few and large (overlays: coast buffers, airport
        surfaces of thousands of vertices) and prepared, so they are tested from their
        side, and a site wholly inside one overlaps it by its own area.
        """
        result: list[list[tuple[int, float, BaseGeometry]]] = [[] for _ in range(len(sites))]
        if len(geoms) == 0:
            return result
        if large:
            site_idx, geom_idx = tree.query(sites)
            hit = shapely.intersects(geoms[geom_idx], sites[site_idx])
            site_idx, geom_idx = site_idx[hit], geom_idx[hit]
        else:
            site_idx, geom_idx = tree.query(sites, predicate="intersects")
        if len(site_idx) == 0:
            return result
        is_point = shapely.get_type_id(sites[site_idx]) == 0
        areas = np.zeros(len(site_idx))
        parts = sites[site_idx].copy()  # a point, or a site wholly inside, is its own part
        poly = ~is_point
        if large:
            inside = poly & shapely.contains_properly(geoms[geom_idx], sites[site_idx])
            areas[inside] = shapely.area(sites[site_idx[inside]])
            poly &= ~inside
        if poly.any():
            parts[poly] = shapely.intersection(geoms[geom_idx[poly]], sites[site_idx[poly]])
            areas[poly] = shapely.area(parts[poly])
        # a polygon site that only touches a zone along an edge has no part in it
        keep = is_point | (areas > 0)
        order = np.lexsort((geom_idx, site_idx))
        for k in order:
            if keep[k]:
                result[site_idx[k]].append((int(geom_idx[k]), float(areas[k]), parts[k]))
        return result

    def _hits_of_one(
        self, one: np.ndarray, site: BaseGeometry, site_area: float, zone_index: np.ndarray
    ) -> tuple[list[ZoneHit], list[OverlayHit]]:
        """``_hits`` of one site (``one``: the site as an array of one; its area and the
        zones it meets given), for the zones and the overlays at once: the same hits,
        areas and parts, every overlap cut in one GEOS call."""
        ov_geoms = self.prepared_overlays()
        ov_index = self._ov_tree.query(one)[1]
        if len(ov_index):
            ov_index = np.sort(ov_index[shapely.intersects(ov_geoms[ov_index], site)])
        if isinstance(site, shapely.Point):  # a point is its own part in every geometry
            return (
                [
                    _built(ZoneHit, self._zone_rows[j], area_m2=0.0, part=site)
                    for j in zone_index.tolist()
                ],
                [
                    _built(OverlayHit, vars(self._ov_rows[j]), area_m2=0.0, part=site)
                    for j in ov_index.tolist()
                ],
            )
        n_zones = len(zone_index)
        to_cut = self._zone_geoms[zone_index]
        inside: list[bool] = []
        if len(ov_index):
            # a site wholly inside an overlay (few and large) is its own part of it
            ov_hit = ov_geoms[ov_index]
            whole = shapely.contains_properly(ov_hit, site)
            inside = whole.tolist()
            if not whole.all():
                to_cut = np.concatenate((to_cut, ov_hit[~whole]))
        parts = shapely.intersection(to_cut, site)
        areas = shapely.area(parts).tolist()
        parts = parts.tolist()
        # a polygon site that only touches a geometry along an edge has no part in it
        zones = [
            _built(ZoneHit, self._zone_rows[j], area_m2=a, part=g)
            for j, a, g in zip(zone_index.tolist(), areas[:n_zones], parts[:n_zones], strict=True)
            if a > 0
        ]
        overlays = []
        cut = iter(zip(areas[n_zones:], parts[n_zones:], strict=True))
        for j, within in zip(ov_index.tolist(), inside, strict=True):
            a, g = (site_area, site) if within else next(cut)
            if a > 0:
                overlays.append(_built(OverlayHit, vars(self._ov_rows[j]), area_m2=a, part=g))
        return zones, overlays

    def road_rows(
        self, plan_id: str | None = None
    ) -> list[tuple[str | None, str | None, BaseGeometry | None]]:
        """(name, function, geometry) of every road of the layer, in layer order (the
        streets of the place search, kkpr.places.places_from_roads)."""
        self._check_plan_id(plan_id)
        return [
            (r.nama, r.fungsi, g) for r, g in zip(self._road_rows, self._road_geoms, strict=True)
        ]

    def road_pairs(self, geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(site index, road index) of every road within the plan's frontage distance
        of a site, by site, then in layer order."""
        if len(self._road_geoms) == 0 or len(geoms) == 0:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty
        frontage = self.plan.meta.rule_options.frontage_m
        site_idx, road_idx = self._road_tree.query(geoms, predicate="dwithin", distance=frontage)
        order = np.lexsort((road_idx, site_idx))
        return site_idx[order].astype(np.int64), road_idx[order].astype(np.int64)

    def road_hits(self, geoms: np.ndarray) -> list[list[RoadHit]]:
        """Per site, the roads it fronts (within the frontage distance), in layer order."""
        out: list[list[RoadHit]] = [[] for _ in range(len(geoms))]
        site_idx, road_idx = self.road_pairs(geoms)
        if len(site_idx) == 0:
            return out
        dist = shapely.distance(geoms[site_idx], self._road_geoms[road_idx])
        rows, road_geoms = self._road_rows, self._road_geoms
        for i, j, d in zip(site_idx.tolist(), road_idx.tolist(), dist.tolist(), strict=True):
            r = rows[j]
            out[i].append(RoadHit(r.fid, r.nama, r.fungsi, r.kelas, r.status, d, road_geoms[j]))
        return out

    def _roads_of_one(self, one: np.ndarray, geom: BaseGeometry) -> list[RoadHit]:
        """``road_hits`` of one site (``one``: the site as an array of one): the same
        roads, in layer order, and distances."""
        if len(self._road_geoms) == 0:
            return []
        # the roads whose widened box meets the site's, then those within the distance:
        # dwithin is distance <= frontage, both of GEOS's segment distances
        index = np.sort(self._frontage_tree.query(one)[1])
        if len(index) == 0:  # no road's widened box meets the site: no distance to take
            return []
        road_geoms = self._road_geoms[index]
        dist = shapely.distance(geom, road_geoms)
        rows = self._road_rows
        return [
            _built(RoadHit, vars(rows[j]), distance_m=d, geometry=g)
            for j, d, g in zip(index.tolist(), dist.tolist(), road_geoms.tolist(), strict=True)
            if d <= self._frontage_m
        ]

    def _zone_hit(self, j: int, area: float, part: BaseGeometry) -> ZoneHit:
        return _built(ZoneHit, self._zone_rows[j], area_m2=area, part=part)

    def _overlay_hit(self, j: int, area: float, part: BaseGeometry) -> OverlayHit:
        return _built(OverlayHit, vars(self._ov_rows[j]), area_m2=area, part=part)

    def _raster_stats(self, geom: BaseGeometry) -> list[RasterStat]:
        return site_stats(self._raster_grids, geom, self.crs)

    def _raster_stats_many(self, geoms: np.ndarray) -> list[list[RasterStat]]:
        """Per site, its statistics over each plan raster (one exactextract call per
        raster for all sites; equal to ``site_stat`` per site)."""
        per_raster = [many_stats(grid, geoms, self.crs) for grid in self._raster_grids]
        return [list(stats) for stats in zip(*per_raster, strict=True)] or [[] for _ in geoms]

    @functools.cached_property
    def _raster_grids(self) -> list[Grid]:
        bounds = self._region.bounds
        return [
            load_grid(self.plan.raster_path(spec), spec, bounds, self.crs)
            for spec in self.plan.meta.rasters
        ]

    def _rtrw_hits(self, geom: BaseGeometry, one: np.ndarray | None = None) -> list[RtrwHit]:
        if self._rtrw_tree is None:
            return []
        # in layer order, like every other hit (the tree answers in its own order)
        if one is None:
            one = np.empty(1, dtype=object)
            one[0] = geom
        index = np.sort(self._rtrw_tree.query(one, predicate="intersects")[1])
        inter = shapely.area(shapely.intersection(self._rtrw_geoms[index], geom))
        rows = self._rtrw_rows
        return [
            RtrwHit(namobj=rows[j][0], jnsrpr=rows[j][1], area_m2=a)
            for j, a in zip(index.tolist(), inter.tolist(), strict=True)
        ]


def _widened_boxes(geoms: np.ndarray, distance: float) -> np.ndarray:
    """The bounding box of each geometry widened by ``distance`` on every side (None
    for a missing or empty geometry, as an STRtree skips those)."""
    x0, y0, x1, y1 = shapely.bounds(geoms).T if len(geoms) else np.zeros((4, 0))
    boxes = shapely.box(x0 - distance, y0 - distance, x1 + distance, y1 + distance)
    boxes[shapely.is_missing(geoms) | shapely.is_empty(geoms)] = None
    return np.asarray(boxes, dtype=object)


H = TypeVar("H", ZoneHit, OverlayHit, RoadHit)


def _built(cls: type[H], fields: Mapping[str, Any], **changes: Any) -> H:
    """``cls(**fields, **changes)`` for the store's hit records, without the call: the
    record's attributes are copied from the store's row in one ``__dict__`` update,
    instead of a keyword call that passes every field (for a ZoneHit, a tenth of a
    small site's ``locate`` when the class was frozen and set each field through
    ``object.__setattr__``). The hit classes are plain dataclasses, with no
    ``__post_init__`` and no slots; tests/store/test_memory.py checks that and that
    what this builds equals what the constructor builds."""
    hit = object.__new__(cls)
    hit.__dict__.update(fields, **changes)
    return hit


def to_plan_crs_many(sites: Sequence[Site], crs: str) -> np.ndarray:
    """``to_plan_crs`` of every site: one transform call per source CRS."""
    geoms = np.array([s.geometry for s in sites], dtype=object)
    for src in {s.crs for s in sites} - {crs}:
        pick = np.array([s.crs == src for s in sites])
        if len(sites) == 1:
            geoms[pick] = to_plan_crs(sites[0], crs)
            continue
        geoms[pick] = to_crs_many(geoms[pick], src, crs)
    return geoms


def lonlats(geoms: np.ndarray, crs: str) -> tuple[np.ndarray, np.ndarray]:
    """``lonlat`` of every geometry, in one transform call."""
    if len(geoms) == 1:
        lon, lat = lonlat(geoms[0], crs)
        return np.array([lon]), np.array([lat])
    points = np.where(shapely.get_type_id(geoms) == 0, geoms, shapely.point_on_surface(geoms))
    lon, lat = transformer(crs, "EPSG:4326").transform(shapely.get_x(points), shapely.get_y(points))
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)


def outside_any_plan(index: int, count: int) -> SiteOutsidePlan:
    where = "geometry" if count == 1 else f"sites[{index}].geometry"
    return SiteOutsidePlan(
        "Tapak berada di luar wilayah rencana mana pun",
        "The site lies outside every plan's region",
        where=where,
        hint_id="Pilih lokasi di dalam wilayah rencana (bagian peta yang berwarna); "
        "koordinat yang diketik mungkin tertukar (lintang dan bujur)",
        hint_en="Choose a place inside the plan's region (the coloured part of the map); "
        "typed coordinates may be swapped (latitude and longitude)",
    )


def _zone_records(zones: pd.DataFrame) -> list[dict[str, Any]]:
    # column by column (not iterrows: a 500,000-zone plan took minutes); the same
    # values, since every zone row holds text and so keeps each column's own types
    flag_cols = list(zones.attrs.get("flag_columns", []))
    n = len(zones)

    def column(name: str) -> list[Any]:
        return zones[name].tolist() if name in zones.columns else [None] * n

    text = {
        c: column(c) for c in ("namszn", "kodzon", "namzon", "kodblk", "kodsbl", "wadmkc", "wadmkd")
    }
    nums = {k: column(k) for k in INTENSITY_FIELDS}
    flags = {c: column(c) for c in flag_cols}
    records = []
    for i, (fid, kodszn) in enumerate(zip(zones.index, column("kodszn"), strict=True)):
        records.append(
            {
                "fid": str(fid),
                "kodszn": str(kodszn),
                **{c: _text(v[i]) for c, v in text.items()},
                "flags": tuple(FLAG_JENIS[c] for c in flag_cols if flag_is_set(flags[c][i])),
                "flag_texts": tuple(flags[c][i] for c in flag_cols if flag_is_set(flags[c][i])),
                "intensity": Intensity(**{k: _num(v[i]) for k, v in nums.items()}),
            }
        )
    return records


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    s = str(value).strip()
    return s or None


def _num(value: Any) -> float | None:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return None if np.isnan(f) else f
