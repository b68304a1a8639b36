"""Zones and overlays of an in-memory Plan as GeoJSON features (the FeatureSource protocol).

What OGC API Features and the web map read. Each layer is indexed once (an STRtree
and its properties as JSON-ready dicts); a page reprojects only its own geometries.
Features come in a stable order (by fid) so that offset paging is repeatable.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import mapping

from kkpr.errors import NotFound
from kkpr.plan.kugi import INTENSITY_FIELDS
from kkpr.plan.package import Plan
from kkpr.site import WGS84, transformer
from kkpr.store import filters, tiles
from kkpr.store.filters import Filter

TITLES: dict[str, tuple[str, str, str]] = {
    "zones": (
        "Pola ruang RDTR / RDTR zoning",
        "Zona dan sub-zona rencana detail tata ruang (KODSZN, KODZON, intensitas). "
        "Zones and sub-zones of the detailed spatial plan.",
        "pola_ruang",
    ),
    "overlays": (
        "Ketentuan khusus / special provisions",
        "Kawasan ketentuan khusus (KKOP, KRB, LP2B, cagar budaya, sempadan, ...). "
        "Special-provision overlays that add conditions or limits.",
        "ketentuan_khusus",
    ),
    "rtrw": (
        "Pola ruang RTRW / RTRW land use",
        "Pola ruang rencana tata ruang wilayah (rencana umum), untuk PKKPR. "
        "Land use of the general spatial plan, read where no RDTR applies.",
        "pola_ruang_rtrw",
    ),
}


# properties that are numbers whatever a plan's values (all empty is still a number)
NUMERIC = {"zones": INTENSITY_FIELDS, "overlays": ("tb",)}


def property_types(collection: str, found: dict[str, str]) -> dict[str, str]:
    """The JSON Schema type of each property (``found`` from the values), the known
    numeric fields numbers."""
    return {**found, **{f: filters.NUMBER for f in NUMERIC.get(collection, ()) if f in found}}


@dataclass
class _Layer:
    geoms: np.ndarray  # plan CRS
    fids: list[str]
    rank: np.ndarray  # rank[i] = position of feature i in fid order
    properties: list[dict[str, Any]]

    @cached_property
    def tree(self) -> shapely.STRtree:
        return shapely.STRtree(self.geoms)

    @cached_property
    def ordered(self) -> np.ndarray:
        return np.argsort(self.rank, kind="stable")

    types: dict[str, str] | None = None

    @cached_property
    def frame(self) -> pd.DataFrame:
        """The properties as typed columns, for filters."""
        assert self.types is not None
        return filters.frame_of(self.properties, self.types)


class PlanFeatures:
    """The FeatureSource of one Plan (its active version, held by a memory store)."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self._cache: dict[str, _Layer] = {}
        self._mercators: dict[str, tuple[np.ndarray, shapely.STRtree]] = {}
        self.tile_cache = tiles.TileCache()  # this object holds one version: keyed by tile

    def _frames(self) -> dict[str, pd.DataFrame]:
        frames: dict[str, pd.DataFrame] = {
            "zones": self.plan.zones,
            "overlays": self.plan.overlays,
        }
        if self.plan.rtrw is not None:
            frames["rtrw"] = self.plan.rtrw
        return frames

    def _layer(self, collection: str) -> _Layer:
        layer = self._cache.get(collection)
        if layer is not None:
            return layer
        frame = self._frames().get(collection)
        if frame is None:
            raise unknown_collection(collection, list(self._frames()))
        fids = [str(f) for f in frame.index]
        order = sorted(range(len(fids)), key=lambda i: _fid_key(fids[i]))
        rank = np.empty(len(fids), dtype=np.int64)
        rank[order] = np.arange(len(fids))
        attrs = frame.drop(columns=frame.geometry.name)
        if collection == "zones":
            attrs = self._effective_intensity(attrs)
        layer = _Layer(
            geoms=np.asarray(frame.geometry.values, dtype=object),
            fids=fids,
            rank=rank,
            properties=[
                {str(k): _json_value(v) for k, v in row.items()} for row in attrs.to_dict("records")
            ],
        )
        keys: dict[str, None] = {}
        for props in layer.properties[:1] or [{str(k): None for k in attrs.columns}]:
            keys |= dict.fromkeys(props)
        found = {k: filters.type_of_values(p.get(k) for p in layer.properties) for k in keys}
        layer.types = property_types(collection, found)
        self._cache[collection] = layer
        return layer

    def _effective_intensity(self, attrs: pd.DataFrame) -> pd.DataFrame:
        """Each zone's intensity as the check applies it: the polygon's own value,
        else its sub-zone's default from intensitas.csv."""
        out = attrs.copy()
        defaults = self.plan.rules.intensity
        codes = out["kodszn"].astype(str).str.upper().tolist()
        for f in INTENSITY_FIELDS:
            default = [getattr(defaults[c], f) if c in defaults else None for c in codes]
            own = pd.to_numeric(out[f], errors="coerce")
            out[f] = own.where(own.notna(), pd.Series(default, index=out.index, dtype=float))
        return out

    def frames(self) -> dict[str, gpd.GeoDataFrame]:
        """Every layer as the features show it (zones with their applied intensity),
        in the plan CRS, in fid order: what a GeoPackage download holds."""
        out = {}
        for cid, frame in self._frames().items():
            geo = gpd.GeoDataFrame(frame, geometry=frame.geometry.name, crs=self.plan.meta.crs)
            if cid == "zones":
                attrs = self._effective_intensity(geo.drop(columns=geo.geometry.name))
                geo = gpd.GeoDataFrame(attrs, geometry=geo.geometry.values, crs=geo.crs)
            geo = geo.rename_geometry("geometry") if geo.geometry.name != "geometry" else geo
            order = sorted(range(len(geo)), key=lambda i: _fid_key(str(geo.index[i])))
            out[cid] = geo.iloc[order]
        return out

    def queryables(self, collection: str) -> dict[str, str]:
        """Each property of the collection and its JSON Schema type."""
        types = self._layer(collection).types
        assert types is not None
        return dict(types)

    def tile(self, collection: str, z: int, x: int, y: int) -> bytes:
        """The MVT of one WebMercatorQuad tile (kkpr.store.tiles)."""
        tiles.check_tile(z, x, y)
        layer = self._layer(collection)
        key = (collection, z, x, y)
        body = self.tile_cache.get(key)
        if body is None:
            body = self._make_tile(collection, layer, z, x, y)
            self.tile_cache.put(key, body)
        return body

    def _make_tile(self, collection: str, layer: _Layer, z: int, x: int, y: int) -> bytes:
        geoms, tree = self._mercator(collection, layer)
        minx, miny, maxx, maxy = tiles.tile_bounds(z, x, y)
        pad = (maxx - minx) * tiles.BUFFER / tiles.EXTENT
        hits = tree.query(shapely.box(minx - pad, miny - pad, maxx + pad, maxy + pad))
        hits = np.sort(np.asarray(hits, dtype=np.int64))
        return tiles.encode(
            collection,
            z,
            x,
            y,
            geoms[hits],
            [layer.fids[i] for i in hits],
            [tiles.popup_properties(collection, layer.properties[i]) for i in hits],
        )

    def _mercator(self, collection: str, layer: _Layer) -> tuple[np.ndarray, shapely.STRtree]:
        """The layer's geometries in EPSG:3857 and their tree, made once."""
        found = self._mercators.get(collection)
        if found is None:
            t = transformer(self.plan.meta.crs, tiles.WEB_MERCATOR)
            geoms = shapely.transform(
                layer.geoms, lambda xy: np.column_stack(t.transform(xy[:, 0], xy[:, 1]))
            )
            found = self._mercators[collection] = (geoms, shapely.STRtree(geoms))
        return found

    def categories(self, collection: str, prop: str) -> list[str]:
        """The distinct values of a property, as text, sorted (for styles)."""
        layer = self._layer(collection)
        values = {str(p[prop]) for p in layer.properties if p.get(prop) is not None}
        return sorted(values)

    def collections(self) -> list[dict[str, Any]]:
        out = []
        for cid, frame in self._frames().items():
            title, description, source = TITLES[cid]
            bbox = None
            if len(frame):
                minx, miny, maxx, maxy = (float(v) for v in frame.total_bounds)
                t = transformer(self.plan.meta.crs, WGS84)
                bbox = [float(v) for v in t.transform_bounds(minx, miny, maxx, maxy)]
            out.append(
                {
                    "id": cid,
                    "title": title,
                    "description": description,
                    "source": source,
                    "bbox": bbox,
                    "count": len(frame),
                    "storage_crs": self.plan.meta.crs,
                    "plan_id": self.plan.meta.id,
                    "plan_version": self.plan.meta.version,
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
    ) -> tuple[list[dict[str, Any]], int]:
        layer = self._layer(collection)
        plan_crs = self.plan.meta.crs
        if bbox is None:
            matched = layer.ordered
        else:
            minx, miny, maxx, maxy = bbox
            if bbox_crs != plan_crs:
                t = transformer(bbox_crs, plan_crs)
                minx, miny, maxx, maxy = t.transform_bounds(minx, miny, maxx, maxy)
            box = shapely.box(minx, miny, maxx, maxy)
            hits = layer.tree.query(box, predicate="intersects") if len(layer.geoms) else []
            hits = np.asarray(hits, dtype=np.int64)
            matched = hits[np.argsort(layer.rank[hits], kind="stable")]
        if where is not None:
            assert layer.types is not None
            bound = filters.bind(where, layer.types)
            if len(matched):
                ok = np.asarray(filters.mask(bound, layer.frame).fillna(False), dtype=bool)
                matched = matched[ok[matched]]
        page = matched[offset : offset + limit] if limit > 0 else matched[:0]
        geoms = layer.geoms[page]
        if crs != plan_crs and len(geoms):
            t = transformer(plan_crs, crs)
            geoms = shapely.transform(
                geoms, lambda xy: np.column_stack(t.transform(xy[:, 0], xy[:, 1]))
            )
        features = [
            {
                "type": "Feature",
                "id": layer.fids[i],
                "geometry": None if g is None or g.is_empty else mapping(g),
                "properties": layer.properties[i],
            }
            for i, g in zip(page.tolist(), geoms, strict=True)
        ]
        return features, len(matched)

    def feature(self, collection: str, fid: str, *, crs: str = WGS84) -> dict[str, Any] | None:
        """One feature by its fid, None if the collection has no such feature."""
        layer = self._layer(collection)
        try:
            i = layer.fids.index(fid)
        except ValueError:
            return None
        geom = layer.geoms[i]
        if crs != self.plan.meta.crs and geom is not None:
            t = transformer(self.plan.meta.crs, crs)
            geom = shapely.transform(
                geom, lambda xy: np.column_stack(t.transform(xy[:, 0], xy[:, 1]))
            )
        return {
            "type": "Feature",
            "id": fid,
            "geometry": None if geom is None or geom.is_empty else mapping(geom),
            "properties": layer.properties[i],
        }


def unknown_collection(collection: str, known: list[str]) -> NotFound:
    return NotFound(
        f"Koleksi {collection!r} tidak ada",
        f"Collection {collection!r} does not exist",
        where="collectionId",
        hint_id=f"Koleksi yang ada: {', '.join(known)}",
        hint_en=f"Available collections: {', '.join(known)}",
    )


def _fid_key(fid: str) -> tuple[int, int, str]:
    # numeric fids (GeoPackage, Shapefile) sort as numbers, others as text
    return (0, int(fid), "") if fid.isdigit() else (1, 0, fid)


def _json_value(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        f = float(value)
        return f if math.isfinite(f) else None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, bytes):
        return None
    return str(value) if not isinstance(value, str) else value
