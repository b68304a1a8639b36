"""What changed between two versions of a plan, and where.

Zones are compared by geometry, never by fid: the two zone layers are overlaid, so a
moved boundary shows as the land that passed from one sub-zone to another, with its
area. A zone's facts are its sub-zone, its effective intensity (the polygon's own
columns over the sub-zone defaults of ``intensitas.csv``) and its overlay flags; a
piece of land is changed when any of them differs between the two versions, or when
it entered or left the RDTR. Overlays are matched by geometry and JENIS.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from kkpr.model import Intensity, KbliEntry, PlanRules
from kkpr.plan.kugi import FLAG_JENIS, INTENSITY_FIELDS, flag_is_set
from kkpr.plan.package import Plan
from kkpr.rules.itbx import parse_cell

# Overlaying two layers leaves pieces of a few mm² along shared edges; they are noise
# of floating-point geometry, not a change a planner made.
AREA_EPSILON_M2 = 1e-3
# Geometries equal to the millimetre are the same boundary (a re-export may move the
# last digits of a coordinate).
KEY_PRECISION_M = 1e-3
ZONE_FACTS = ("kodszn", *INTENSITY_FIELDS, "flags")
CONDITION_FIELDS = ("teks", "max_floor_area_m2", "max_site_area_m2", "max_floors")
PIECE_COLUMNS = [
    "kind",
    "changes",
    "detail",
    "area_m2",
    "old_fid",
    "new_fid",
    *(f"{side}_{f}" for side in ("old", "new") for f in ZONE_FACTS),
]


@dataclass
class PlanDiff:
    """Every difference between two plans; geometries in ``crs`` (the old plan's)."""

    old: dict[str, Any]
    new: dict[str, Any]
    crs: str
    zones_changed: gpd.GeoDataFrame
    itbx_changed: pd.DataFrame
    kbli_changed: pd.DataFrame
    conditions_changed: pd.DataFrame
    intensity_changed: pd.DataFrame
    overlays_added: gpd.GeoDataFrame
    overlays_removed: gpd.GeoDataFrame
    overlays_changed: pd.DataFrame
    meta_changed: pd.DataFrame

    @property
    def empty(self) -> bool:
        return all(len(t) == 0 for t in self.tables().values())

    def tables(self) -> dict[str, pd.DataFrame]:
        return {
            "zones_changed": self.zones_changed,
            "itbx_changed": self.itbx_changed,
            "kbli_changed": self.kbli_changed,
            "conditions_changed": self.conditions_changed,
            "intensity_changed": self.intensity_changed,
            "overlays_added": self.overlays_added,
            "overlays_removed": self.overlays_removed,
            "overlays_changed": self.overlays_changed,
            "meta_changed": self.meta_changed,
        }

    def transitions(self) -> pd.DataFrame:
        """Changed land by kind of change and sub-zone: ``old → new``, area, pieces."""
        z = self.zones_changed
        if len(z) == 0:
            return pd.DataFrame(columns=["kind", "old_kodszn", "new_kodszn", "area_m2", "pieces"])
        keys = z[["kind", "old_kodszn", "new_kodszn"]].fillna("—")
        return (
            pd.DataFrame({**{c: keys[c] for c in keys}, "area_m2": z["area_m2"]})
            .groupby(["kind", "old_kodszn", "new_kodszn"], as_index=False)
            .agg(area_m2=("area_m2", "sum"), pieces=("area_m2", "size"))
            .sort_values("area_m2", ascending=False, ignore_index=True)
        )

    def summary(self) -> dict[str, Any]:
        z = self.zones_changed
        return {
            "zones_changed_pieces": len(z),
            "zones_changed_area_m2": float(z["area_m2"].sum()) if len(z) else 0.0,
            "subzone_changed_area_m2": float(z.loc[z["kind"] == "kodszn", "area_m2"].sum())
            if len(z)
            else 0.0,
            **{name: len(t) for name, t in self.tables().items() if name != "zones_changed"},
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: every table as records; geometries as GeoJSON in EPSG:4326."""
        out: dict[str, Any] = {"old": self.old, "new": self.new, "summary": self.summary()}
        out["transitions"] = _records(self.transitions())
        for name, table in self.tables().items():
            if isinstance(table, gpd.GeoDataFrame):
                wgs = table.to_crs("EPSG:4326") if len(table) else table
                rows = _records(pd.DataFrame(table.drop(columns="geometry")))
                for row, geom in zip(rows, wgs.geometry, strict=True):
                    row["geometry"] = shapely.geometry.mapping(geom)
                out[name] = rows
            else:
                out[name] = _records(table)
        return out


def diff_plans(old: Plan, new: Plan) -> PlanDiff:
    """The differences from ``old`` to ``new`` (areas in the old plan's CRS)."""
    crs = old.meta.crs
    return PlanDiff(
        old=_describe(old),
        new=_describe(new),
        crs=crs,
        zones_changed=zones_changed(zone_facts(old, crs), zone_facts(new, crs), crs),
        itbx_changed=itbx_changed(old.rules, new.rules, zone_area_by_subzone(new)),
        kbli_changed=kbli_changed(old.rules, new.rules),
        conditions_changed=conditions_changed(old.rules, new.rules),
        intensity_changed=intensity_changed(old.rules, new.rules),
        **overlays_changed(old, new, crs),
        meta_changed=meta_changed(old, new),
    )


# ---------------------------------------------------------------- zones


def zone_facts(plan: Plan, crs: str) -> gpd.GeoDataFrame:
    """Per zone polygon: sub-zone, effective intensity, overlay flags, geometry in ``crs``."""
    z = plan.zones
    kodszn = z["kodszn"].astype(str).to_numpy()
    facts: dict[str, Any] = {"fid": z.index.astype(str).to_numpy(), "kodszn": kodszn}
    for f in INTENSITY_FIELDS:
        default = np.array(
            [_nan(getattr(plan.rules.intensity.get(k, Intensity()), f)) for k in kodszn],
            dtype=float,
        )
        own = pd.to_numeric(z[f], errors="coerce").to_numpy(dtype=float)
        facts[f] = np.where(np.isnan(own), default, own)
    flag_cols = list(z.attrs.get("flag_columns", []))
    flags = [""] * len(z)
    if flag_cols:
        setmask = z[flag_cols].map(flag_is_set).to_numpy()
        names = np.array([FLAG_JENIS[c] for c in flag_cols])
        flags = [",".join(sorted(names[row])) for row in setmask]
    facts["flags"] = np.array(flags, dtype=object)
    frame = gpd.GeoDataFrame(facts, geometry=z.geometry.values, crs=z.crs)
    return frame.to_crs(crs) if frame.crs != crs else frame


def zones_changed(old: gpd.GeoDataFrame, new: gpd.GeoDataFrame, crs: str) -> gpd.GeoDataFrame:
    """Pieces of land whose zone facts differ, or that entered or left the RDTR."""
    og = np.asarray(old.geometry.values, dtype=object)
    ng = np.asarray(new.geometry.values, dtype=object)
    oi, nj = shapely.STRtree(ng).query(og, predicate="intersects")
    differs = np.zeros(len(oi), dtype=bool)
    for f in ZONE_FACTS:
        a, b = old[f].to_numpy()[oi], new[f].to_numpy()[nj]
        differs |= ~_same(a, b)
    pieces = []
    if differs.any():
        po, pn = oi[differs], nj[differs]
        geoms = polygonal(shapely.intersection(og[po], ng[pn]))
        pieces.append(_pieces(geoms, old, po, new, pn))
    # land in only one of the two layers
    removed = _uncovered(og, ng, oi, nj)
    added = _uncovered(ng, og, nj, oi)
    for geoms, idx, side in ((removed[0], removed[1], "old"), (added[0], added[1], "new")):
        if len(idx):
            pieces.append(
                _pieces(
                    geoms,
                    old if side == "old" else None,
                    idx if side == "old" else None,
                    new if side == "new" else None,
                    idx if side == "new" else None,
                )
            )
    if not pieces:
        return gpd.GeoDataFrame({c: [] for c in PIECE_COLUMNS}, geometry=[], crs=crs)
    out = pd.concat(pieces, ignore_index=True)
    out = out[out["area_m2"] > AREA_EPSILON_M2]
    out = out.sort_values(["old_fid", "new_fid"], na_position="last", ignore_index=True)
    return gpd.GeoDataFrame(out, geometry="geometry", crs=crs)


def _pieces(
    geoms: np.ndarray,
    old: gpd.GeoDataFrame | None,
    oi: np.ndarray | None,
    new: gpd.GeoDataFrame | None,
    nj: np.ndarray | None,
) -> pd.DataFrame:
    n = len(geoms)
    data: dict[str, Any] = {}
    for side, frame, idx in (("old", old, oi), ("new", new, nj)):
        data[f"{side}_fid"] = frame["fid"].to_numpy()[idx] if frame is not None else [None] * n
        for f in ZONE_FACTS:
            data[f"{side}_{f}"] = (
                frame[f].to_numpy()[idx] if frame is not None else np.full(n, None, dtype=object)
            )
    table = pd.DataFrame(data)
    changes, details = [], []
    for row in table.to_dict("records"):
        c, d = _describe_change(row, old is not None, new is not None)
        changes.append(c)
        details.append(d)
    table.insert(0, "kind", [_kind(c) for c in changes])
    table.insert(1, "changes", changes)
    table.insert(2, "detail", details)
    table.insert(3, "area_m2", shapely.area(geoms))
    table["geometry"] = geoms
    return table


def _describe_change(row: dict[Any, Any], has_old: bool, has_new: bool) -> tuple[str, str]:
    if not has_new:
        return "removed", f"{row['old_kodszn']} → (keluar dari RDTR / no longer in the RDTR)"
    if not has_old:
        return "added", f"(baru di RDTR / newly in the RDTR) → {row['new_kodszn']}"
    keys, bits = [], []
    for f in ZONE_FACTS:
        a, b = row[f"old_{f}"], row[f"new_{f}"]
        if _eq(a, b):
            continue
        keys.append(f)
        label = "sub-zona" if f == "kodszn" else ("flags" if f == "flags" else f.upper())
        bits.append(f"{label} {_fmt(a)} → {_fmt(b)}")
    return ";".join(keys), "; ".join(bits)


def _kind(changes: str) -> str:
    """The headline of a change: sub-zone, else intensity, else flags (or added/removed)."""
    keys = changes.split(";")
    if "kodszn" in keys or changes in ("added", "removed"):
        return "kodszn" if "kodszn" in keys else changes
    return "intensity" if any(k in INTENSITY_FIELDS for k in keys) else "flags"


def _uncovered(
    a: np.ndarray, b: np.ndarray, ai: np.ndarray, bj: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Parts of ``a``'s polygons that no polygon of ``b`` covers: (geometries, a index)."""
    b_keys = set(_keys(b))
    a_keys = _keys(a)
    order = np.argsort(ai, kind="stable")
    ai_sorted, bj_sorted = ai[order], bj[order]
    starts = np.searchsorted(ai_sorted, np.arange(len(a)))
    ends = np.searchsorted(ai_sorted, np.arange(len(a)), side="right")
    idx, covers = [], []
    for i in range(len(a)):
        if a_keys[i] in b_keys:
            continue  # the very same boundary exists in the other layer
        neighbours = bj_sorted[starts[i] : ends[i]]
        idx.append(i)
        covers.append(shapely.union_all(b[neighbours]) if len(neighbours) else None)
    if not idx:
        return np.array([], dtype=object), np.array([], dtype=int)
    index = np.array(idx, dtype=int)
    cover = np.array(covers, dtype=object)
    rest = a[index].copy()
    has = np.array([c is not None for c in covers])
    if has.any():
        rest[has] = shapely.difference(a[index[has]], cover[has])
    rest = polygonal(rest)
    keep = shapely.area(rest) > AREA_EPSILON_M2
    return rest[keep], index[keep]


def polygonal(geoms: np.ndarray) -> np.ndarray:
    """Only the polygon parts of each geometry (an overlay also yields shared edges)."""
    out = np.asarray(geoms, dtype=object).copy()
    mixed = np.flatnonzero(shapely.get_type_id(out) == 7)  # GeometryCollection
    for k in mixed:
        parts = [p for p in shapely.get_parts(out[k]) if p.geom_type in ("Polygon", "MultiPolygon")]
        out[k] = shapely.union_all(parts) if parts else shapely.Polygon()
    return out


def _keys(geoms: np.ndarray) -> list[bytes]:
    fixed = shapely.normalize(shapely.set_precision(geoms, KEY_PRECISION_M))
    return list(shapely.to_wkb(fixed))


def zone_area_by_subzone(plan: Plan) -> dict[str, float]:
    areas = plan.zones.geometry.area
    return {
        str(k): float(v) for k, v in areas.groupby(plan.zones["kodszn"].astype(str)).sum().items()
    }


# ---------------------------------------------------------------- rule tables


def itbx_changed(old: PlanRules, new: PlanRules, new_area: dict[str, float]) -> pd.DataFrame:
    rows = []
    for kode, kodszn in sorted(set(old.itbx) | set(new.itbx)):
        a, b = old.cell(kode, kodszn), new.cell(kode, kodszn)
        if a == b:
            continue
        activity = new.activities.get(kode) or old.activities.get(kode)
        rows.append(
            {
                "kode_kegiatan": kode,
                "kegiatan": activity.kegiatan if activity else kode,
                "kodszn": kodszn,
                "old": a,
                "new": b,
                "old_class": _class(a),
                "new_class": _class(b),
                "new_subzone_area_m2": new_area.get(kodszn, 0.0),
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "kode_kegiatan",
            "kegiatan",
            "kodszn",
            "old",
            "new",
            "old_class",
            "new_class",
            "new_subzone_area_m2",
        ],
    )


def kbli_changed(old: PlanRules, new: PlanRules) -> pd.DataFrame:
    rows = []
    for code in sorted(set(old.kbli) | set(new.kbli)):
        a, b = old.kbli.get(code), new.kbli.get(code)
        if a is not None and b is not None and a.kode_kegiatan == b.kode_kegiatan:
            continue
        rows.append(
            {
                "kbli": code,
                "judul": _judul(b or a),
                "old_kode_kegiatan": a.kode_kegiatan if a else None,
                "new_kode_kegiatan": b.kode_kegiatan if b else None,
            }
        )
    return pd.DataFrame(rows, columns=["kbli", "judul", "old_kode_kegiatan", "new_kode_kegiatan"])


def conditions_changed(old: PlanRules, new: PlanRules) -> pd.DataFrame:
    rows = []
    for code in sorted(set(old.conditions) | set(new.conditions)):
        a, b = old.conditions.get(code), new.conditions.get(code)
        for f in CONDITION_FIELDS:
            va, vb = getattr(a, f, None), getattr(b, f, None)
            if va != vb:
                rows.append({"kode": code, "field": f, "old": va, "new": vb})
    return pd.DataFrame(rows, columns=["kode", "field", "old", "new"])


def intensity_changed(old: PlanRules, new: PlanRules) -> pd.DataFrame:
    rows = []
    for code in sorted(set(old.intensity) | set(new.intensity)):
        a = old.intensity.get(code, Intensity())
        b = new.intensity.get(code, Intensity())
        for f in INTENSITY_FIELDS:
            va, vb = getattr(a, f), getattr(b, f)
            if va != vb:
                rows.append({"kodszn": code, "field": f, "old": va, "new": vb})
    return pd.DataFrame(rows, columns=["kodszn", "field", "old", "new"])


def meta_changed(old: Plan, new: Plan) -> pd.DataFrame:
    a, b = old.meta, new.meta
    pairs = {
        "id": (a.id, b.id),
        "crs": (a.crs, b.crs),
        "legal_basis": (a.legal_basis, b.legal_basis),
        "effective_from": (str(a.effective_from), str(b.effective_from)),
        "tolerance.sliver_m2": (a.tolerance.sliver_m2, b.tolerance.sliver_m2),
        "tolerance.sliver_share": (a.tolerance.sliver_share, b.tolerance.sliver_share),
        "overlay_effects": (_sorted_items(a.overlay_effects), _sorted_items(b.overlay_effects)),
        "rasters": (
            ", ".join(f"{r.id}:{r.path}" for r in a.rasters),
            ", ".join(f"{r.id}:{r.path}" for r in b.rasters),
        ),
    }
    rows = [{"field": k, "old": va, "new": vb} for k, (va, vb) in pairs.items() if va != vb]
    return pd.DataFrame(rows, columns=["field", "old", "new"])


# ---------------------------------------------------------------- overlays


def overlays_changed(old: Plan, new: Plan, crs: str) -> dict[str, Any]:
    """``overlays_added`` / ``overlays_removed`` (by geometry and JENIS), and
    ``overlays_changed`` (same geometry and JENIS, other attributes differ)."""
    a, b = _overlay_frame(old, crs), _overlay_frame(new, crs)
    ka = dict(zip(_overlay_keys(a), range(len(a)), strict=True))
    kb = dict(zip(_overlay_keys(b), range(len(b)), strict=True))
    removed = [ka[k] for k in ka if k not in kb]
    added = [kb[k] for k in kb if k not in ka]
    changed = []
    for k in ka.keys() & kb.keys():
        ra, rb = a.iloc[ka[k]], b.iloc[kb[k]]
        for f in ("keterangan", "tb", "efek"):
            va, vb = _plain(ra[f]), _plain(rb[f])
            if va != vb:
                changed.append(
                    {
                        "jenis": ra["jenis"],
                        "old_fid": ra["fid"],
                        "new_fid": rb["fid"],
                        "field": f,
                        "old": va,
                        "new": vb,
                    }
                )
    return {
        "overlays_added": b.iloc[sorted(added)].reset_index(drop=True),
        "overlays_removed": a.iloc[sorted(removed)].reset_index(drop=True),
        "overlays_changed": pd.DataFrame(
            changed, columns=["jenis", "old_fid", "new_fid", "field", "old", "new"]
        ),
    }


def _overlay_frame(plan: Plan, crs: str) -> gpd.GeoDataFrame:
    ov = plan.overlays
    frame = gpd.GeoDataFrame(
        {
            "fid": ov.index.astype(str).to_numpy(),
            "jenis": ov["jenis"].astype(str).to_numpy(),
            "keterangan": [_plain(v) for v in ov["keterangan"]],
            "tb": pd.to_numeric(ov["tb"], errors="coerce").to_numpy(dtype=float),
            "efek": [_plain(v) for v in ov["efek"]],
            "area_m2": np.zeros(len(ov)),
        },
        geometry=ov.geometry.values,
        crs=ov.crs if ov.crs is not None else crs,
    )
    frame = frame.to_crs(crs) if frame.crs != crs else frame
    frame["area_m2"] = frame.geometry.area
    return frame


def _overlay_keys(frame: gpd.GeoDataFrame) -> list[tuple[str, bytes]]:
    geoms = np.asarray(frame.geometry.values, dtype=object)
    return list(zip(frame["jenis"], _keys(geoms), strict=True))


# ---------------------------------------------------------------- small helpers


def _describe(plan: Plan) -> dict[str, Any]:
    m = plan.meta
    return {
        "id": m.id,
        "name": m.name,
        "version": m.version,
        "checksum": m.checksum,
        "effective_from": str(m.effective_from) if m.effective_from else None,
        "path": str(plan.root),
        "zones": len(plan.zones),
    }


def _same(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Element-wise equality where two missing values (NaN) are equal."""
    if a.dtype.kind == "f" and b.dtype.kind == "f":
        return np.asarray((a == b) | (np.isnan(a) & np.isnan(b)))
    return np.asarray(a == b, dtype=bool)


def _eq(x: Any, y: Any) -> bool:
    return (_missing(x) and _missing(y)) or (not _missing(x) and x == y)


def _missing(x: Any) -> bool:
    return x is None or x is pd.NA or (isinstance(x, float) and np.isnan(x))


def _nan(x: float | None) -> float:
    return np.nan if x is None else float(x)


def _plain(x: Any) -> Any:
    if _missing(x):
        return None
    return x.item() if isinstance(x, np.generic) else x


def _fmt(x: Any) -> str:
    if _missing(x) or x == "":
        return "—"
    return f"{x:g}" if isinstance(x, float) else str(x)


def _class(cell: str | None) -> str:
    cls, _codes = parse_cell(cell)
    return str(cls) if cls else "—"


def _judul(entry: KbliEntry | None) -> str:
    return entry.judul if entry is not None else ""


def _sorted_items(d: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(d.items()))


def _records(table: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): _plain(v) for k, v in row.items()} for row in table.to_dict("records")]
