"""Places to find a plot by: villages (kelurahan), districts (kecamatan) and blocks from
the plan's zones, the named streets of its road layer (``jaringan_jalan``), and
landmarks or streets a plan may ship in ``tempat.csv``; searched offline, forgiving
typos ("kelapa lma" finds Kelapa Lima, "jalan timor rya" Jalan Timor Raya)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from kkpr.catalogue import words_of
from kkpr.model import Landmark
from kkpr.site import WGS84, to_crs_many

TYPO_RATIO = 0.75
# the zone attributes that name a place, and what kind of place each is
ZONE_PLACES = (("wadmkd", "kelurahan"), ("wadmkc", "kecamatan"), ("kodblk", "blok"))
ABBREVIATIONS = {"jl": "jalan", "jln": "jalan", "kel": "kelurahan", "kec": "kecamatan"}
KIND_ORDER = {"kelurahan": 0, "kecamatan": 1, "tempat": 2, "jalan": 3, "blok": 4}


@dataclass(frozen=True)
class Place:
    name: str
    kind: str  # kelurahan, kecamatan, blok, jalan, tempat (a landmark)
    bbox: tuple[float, float, float, float]  # lon/lat: west, south, east, north
    detail: str = ""  # e.g. the kecamatan of a kelurahan

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "detail": self.detail, "bbox": self.bbox}


def _prop(props: dict[str, Any], key: str) -> str:
    value = props.get(key, props.get(key.upper()))
    return str(value).strip() if value not in (None, "") else ""


def _bounds(geometry: dict[str, Any]) -> tuple[float, float, float, float] | None:
    xs: list[float] = []
    ys: list[float] = []

    def walk(c: Any) -> None:
        if c and isinstance(c[0], (int, float)):
            xs.append(float(c[0]))
            ys.append(float(c[1]))
        else:
            for part in c or []:
                walk(part)

    walk((geometry or {}).get("coordinates"))
    return (min(xs), min(ys), max(xs), max(ys)) if xs else None


def places_from_zones(features: Iterable[dict[str, Any]]) -> list[Place]:
    """Each kelurahan, kecamatan and block named by the zones, with its extent."""
    boxes: dict[tuple[str, str, str], list[float]] = {}
    for f in features:
        bounds = _bounds(f.get("geometry") or {})
        if bounds is None:
            continue
        props = f.get("properties") or {}
        for key, kind in ZONE_PLACES:
            name = _prop(props, key)
            if not name:
                continue
            detail = _prop(props, "wadmkc") if kind in ("kelurahan", "blok") else ""
            box = boxes.setdefault((kind, name, detail), list(bounds))
            box[:] = [min(box[0], bounds[0]), min(box[1], bounds[1]),
                      max(box[2], bounds[2]), max(box[3], bounds[3])]  # fmt: skip
    return [
        Place(name, kind, (b[0], b[1], b[2], b[3]), detail)
        for (kind, name, detail), b in boxes.items()
    ]


def places_from_roads(
    roads: Iterable[tuple[str | None, str | None, BaseGeometry | None]], crs: str
) -> list[Place]:
    """Each named street of the plan's road layer, from its (name, function, geometry)
    rows in ``crs`` (``Store.road_rows``): the segments of one name are one place
    spanning them all, with the first function the layer gives it."""
    rows = [(str(n), f, g) for n, f, g in roads if n and g is not None and not g.is_empty]
    if not rows:
        return []
    geoms = to_crs_many(np.array([g for _n, _f, g in rows], dtype=object), crs, WGS84)
    bounds = shapely.bounds(geoms).tolist()
    boxes: dict[str, list[float]] = {}
    detail: dict[str, str] = {}
    for (name, fungsi, _g), b in zip(rows, bounds, strict=True):
        if not all(np.isfinite(b)):
            continue
        box = boxes.setdefault(name, list(b))
        box[:] = [min(box[0], b[0]), min(box[1], b[1]), max(box[2], b[2]), max(box[3], b[3])]
        if fungsi and name not in detail:
            detail[name] = str(fungsi)
    return [
        Place(
            name,
            "jalan",
            (float(b[0]), float(b[1]), float(b[2]), float(b[3])),
            detail.get(name, ""),
        )
        for name, b in boxes.items()
    ]


def landmark_places(landmarks: Iterable[Landmark]) -> list[Place]:
    """The plan's ``tempat.csv`` landmarks (``PlanRules.landmarks``, from any store) as
    places: jenis ``jalan`` is a street, anything else a landmark."""
    out = []
    for lm in landmarks:
        kind = "jalan" if lm.jenis.strip().lower() == "jalan" else "tempat"
        detail = (lm.keterangan or lm.jenis).strip()
        out.append(Place(lm.nama, kind, (lm.lon, lm.lat, lm.lon, lm.lat), detail))
    return out


def search_places(places: list[Place], query: str, limit: int = 10) -> list[Place]:
    """Places whose name ``query`` names: whole name, its beginning, all its words as
    prefixes, then (only when nothing matched) names that look like a typo of it."""
    q = tuple(ABBREVIATIONS.get(w, w) for w in words_of(query))
    if not q:
        return []
    qkey = " ".join(q)
    scored: list[tuple[int, int, int, str, Place]] = []
    for p in places:
        words = words_of(p.name)
        key = " ".join(words)
        if key == qkey:
            rank = 0
        elif key.startswith(qkey):
            rank = 1
        elif all(any(w.startswith(x) for w in words) for x in q):
            rank = 2
        else:
            continue
        scored.append((rank, KIND_ORDER.get(p.kind, 9), len(key), p.name, p))
    if not scored and len(qkey) >= 3:
        for p in places:
            key = " ".join(words_of(p.name))
            ratio = difflib.SequenceMatcher(None, qkey, key).ratio()
            if ratio >= TYPO_RATIO:
                scored.append((3, -round(ratio * 100), KIND_ORDER.get(p.kind, 9), p.name, p))
    scored.sort(key=lambda s: s[:4])
    return [s[4] for s in scored[:limit]]
