"""The KBLI catalogue: search, and for one KBLI where the active plan permits it (ITBX),
as a table of sub-zones and as a map of zones with the nearest permitted ones."""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
import shapely
from fastapi import APIRouter, Path, Query
from shapely.geometry import Point, shape

from api.deps import StateDep
from api.errors import InvalidParameter, responses
from api.routers.ogc import parse_bbox
from api.schemas import KbliDetailOut, KbliSearchOut
from kkpr.catalogue import WORD, catalogue
from kkpr.errors import NotFound
from kkpr.model import ItbxClass, PlanRules
from kkpr.rules.itbx import parse_cell
from kkpr.site import WGS84, to_crs, to_crs_many

router = APIRouter(tags=["catalogue"])
PlanIdQuery = Annotated[
    str | None, Query(max_length=100, description="Plan; default: the only one")
]


def _plan_matches(rules: PlanRules, q: str) -> list[dict[str, Any]]:
    """The plan's own KBLI table searched like the catalogue (codes the catalogue lacks)."""
    q = q.strip().lower()
    words = WORD.findall(q)
    out = []
    for entry in rules.kbli.values():
        title = set(WORD.findall(entry.judul.lower()))
        if (q.isdigit() and entry.kbli.startswith(q)) or (
            words and all(any(t.startswith(w) for t in title) for w in words)
        ):
            out.append({"kode": entry.kbli, "judul": entry.judul, "kategori": None})
    return out


@router.get(
    "/v1/kbli",
    response_model=KbliSearchOut,
    responses=responses(404, 422),
    summary="Cari KBLI / search KBLI",
    description="Codes starting with the digits of `q`, or titles holding all its words "
    "(as prefixes, so it works while typing). Each hit says the plan's ITBX activity row "
    "(`kode_kegiatan`), or null when the plan does not map the code.",
)
def search(
    state: StateDep,
    q: Annotated[str, Query(min_length=1, max_length=100, examples=["rumah makan"])],
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    plan_id: PlanIdQuery = None,
) -> dict[str, Any]:
    rules = state.pinned(plan_id).rules(plan_id)
    hits: list[dict[str, Any]] = [dict(i.to_dict()) for i in catalogue().search(q, limit)]
    seen = {h["kode"] for h in hits}
    hits += [h for h in _plan_matches(rules, q) if h["kode"] not in seen]
    for h in hits:
        entry = rules.kbli.get(h["kode"])
        h["kode_kegiatan"] = entry.kode_kegiatan if entry else None
    hits.sort(key=lambda h: h["kode_kegiatan"] is None)  # mapped codes first, stable
    return {"query": q, "plan_id": rules.meta.id, "items": hits[:limit]}


@router.get(
    "/v1/kbli/{kode}",
    response_model=KbliDetailOut,
    responses=responses(404, 422),
    summary="KBLI dan ITBX-nya / a KBLI and where the plan permits it",
    description="The title, the plan's activity row, and every sub-zone of the active "
    "version with its ITBX class (I, T, B, X; null where the rule is silent), the raw "
    "cell, and the texts of its conditions.",
)
def detail(
    state: StateDep,
    kode: Annotated[str, Path(pattern=r"^\d{1,6}$", examples=["47111"])],
    plan_id: PlanIdQuery = None,
) -> dict[str, Any]:
    rules = state.pinned(plan_id).rules(plan_id)
    item = catalogue().get(kode)
    entry = rules.kbli.get(kode)
    if item is None and entry is None:
        raise NotFound(
            f"KBLI {kode!r} tidak ada di katalog maupun di rencana",
            f"KBLI {kode!r} is in neither the catalogue nor the plan",
            where="kode",
            hint_id="Cari dengan GET /v1/kbli?q=...",
            hint_en="Search with GET /v1/kbli?q=...",
        )
    activity = rules.activities.get(entry.kode_kegiatan) if entry else None
    by_class: dict[str, list[str]] = {str(c): [] for c in ItbxClass}
    subzones = []
    for z in rules.subzones:
        cell = rules.cell(entry.kode_kegiatan, z) if entry else None
        cls, codes = parse_cell(cell)
        if cls is not None:
            by_class[str(cls)].append(z)
        conditions = []
        for code in codes:
            c = rules.conditions.get(code)
            conditions.append(
                {
                    "kode": code,
                    "kind": code[:1],
                    "teks": c.teks if c else None,
                    "max_floor_area_m2": c.max_floor_area_m2 if c else None,
                    "max_site_area_m2": c.max_site_area_m2 if c else None,
                    "max_floors": c.max_floors if c else None,
                }
            )
        subzones.append(
            {
                "kodszn": z,
                "itbx": str(cls) if cls else None,
                "cell": cell,
                "conditions": conditions,
            }
        )
    return {
        "kode": kode,
        "judul": item.judul if item else entry.judul if entry else "",
        "kategori": item.kategori if item else None,
        "plan_id": rules.meta.id,
        "plan_version": rules.meta.version,
        "mapped": entry is not None,
        "kode_kegiatan": entry.kode_kegiatan if entry else None,
        "kegiatan": activity.kegiatan if activity else None,
        "by_class": by_class,
        "subzones": subzones,
    }


# ---------------------------------------------------------------- where an activity is allowed

NEAREST = 5  # permitted zones listed by distance from ``near``
PERMITTED = ("I", "T", "B", "TB")


@router.get(
    "/v1/activities/{kbli}/zones",
    responses=responses(404, 422),
    summary="Di mana kegiatan ini diizinkan / where an activity is allowed, on a map",
    description="The active plan's zones inside `bbox` (lon/lat; all zones without it) as "
    "GeoJSON, each with the ITBX class of this KBLI's activity in its sub-zone (`itbx`: "
    "I, T, B, TB, X, or null where the matrix is silent) and the raw `cell`. With "
    "`near=lon,lat`, `nearest` lists the permitted zones (I, T, B, TB) closest to that "
    "point, with their distance in metres (measured in the plan's CRS).",
)
def activity_zones(
    state: StateDep,
    kbli: Annotated[str, Path(pattern=r"^\d{5}$", examples=["47111"])],
    bbox: Annotated[
        str | None, Query(max_length=200, examples=["123.55,-10.2,123.65,-10.1"])
    ] = None,
    near: Annotated[str | None, Query(max_length=100, examples=["123.6,-10.17"])] = None,
    limit: Annotated[int, Query(ge=1, le=100_000)] = 10_000,
    plan_id: PlanIdQuery = None,
) -> dict[str, Any]:
    store = state.pinned(plan_id)
    rules = store.rules(plan_id)
    entry = rules.kbli.get(kbli)
    if entry is None:
        item = catalogue().get(kbli)
        raise NotFound(
            f"KBLI {kbli} tidak dipetakan oleh rencana ini" + (f" ({item.judul})" if item else ""),
            f"KBLI {kbli} is not mapped by this plan" + (f" ({item.judul})" if item else ""),
            where="kbli",
            hint_id="Cari kode yang dipetakan dengan GET /v1/kbli?q=...",
            hint_en="Find a mapped code with GET /v1/kbli?q=...",
        )
    box = parse_bbox(bbox) if bbox else None
    point = _parse_point(near) if near else None
    features, matched = state.features.features(
        "zones", bbox=box, limit=min(limit, state.settings.ogc_max_limit), plan_id=plan_id
    )
    classes: dict[str, tuple[str | None, str | None]] = {}
    for f in features:
        props = f.get("properties") or {}
        code = str(props.get("kodszn") or props.get("KODSZN") or "")
        if code not in classes:
            cell = rules.cell(entry.kode_kegiatan, code)
            cls, _codes = parse_cell(cell)
            classes[code] = (str(cls) if cls else None, cell)
        itbx, cell = classes[code]
        f["properties"] = {
            "kodszn": code,
            "namszn": props.get("namszn") or props.get("NAMSZN"),
            "wadmkd": props.get("wadmkd") or props.get("WADMKD"),
            "itbx": itbx,
            "cell": cell,
        }
    out: dict[str, Any] = {
        "type": "FeatureCollection",
        "kbli": kbli,
        "kode_kegiatan": entry.kode_kegiatan,
        "plan_id": rules.meta.id,
        "numberMatched": matched,
        "numberReturned": len(features),
        "features": features,
    }
    if point is not None:
        out["nearest"] = _nearest(features, point, rules.meta.crs)
    return out


def _parse_point(text: str) -> tuple[float, float]:
    try:
        lon, lat = (float(v) for v in text.split(","))
    except ValueError:
        lon = lat = float("nan")
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise InvalidParameter(
            f"near {text!r} tidak sah",
            f"near {text!r} is not valid",
            where="near",
            hint_id="Tulis bujur,lintang (mis. 123.6,-10.17)",
            hint_en="Write longitude,latitude (e.g. 123.6,-10.17)",
        )
    return lon, lat


def _nearest(
    features: list[dict[str, Any]], point: tuple[float, float], plan_crs: str
) -> list[dict[str, Any]]:
    allowed = [f for f in features if f["properties"]["itbx"] in PERMITTED]
    if not allowed:
        return []
    geoms = np.array([shape(f["geometry"]) for f in allowed], dtype=object)
    there = to_crs(Point(point), WGS84, plan_crs)
    distances = shapely.distance(to_crs_many(geoms, WGS84, plan_crs), there)
    order = np.argsort(distances)[:NEAREST]
    return [
        {
            "id": allowed[i].get("id"),
            **allowed[i]["properties"],
            "distance_m": round(float(distances[i]), 1),
        }
        for i in order
    ]
