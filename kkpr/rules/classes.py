"""Intensity classes: which row of ``intensitas.csv`` applies to a lot.

A plan may give a sub-zone several intensity rows, each for a class of lot (issue 18
item 4): by lot size (``luas_min``..``luas_max``, m², as the Peraturan Zonasi of Kota
Yogyakarta gives five classes: 40-100, 101-200, 201-400, 401-1000 and from 1001 m²)
or by the class of the road the site fronts (``kelas_jalan``, as Bintan's rows for
lots on the national road). The first row, in the table's order, whose class fits the
lot applies; a row without class columns is the sub-zone's fallback.

The lot size is the site's area rounded to whole square metres, as a land certificate
states it (class bounds are written in whole m²: 40-100, 101-200). The roads are the
ones the store reports the site fronts (``Located.roads``, the road layer of
``jaringan_jalan``); a road's function, class or status may name its class.

Written once, read by the single check (``kkpr.rules.outcome``) and the array rules
(``kkpr.bulk.vector``) alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from kkpr.model import Effect, Intensity, IntensityClass, Reason
from kkpr.rules.setbacks import road_key  # one reading of road classes, as gsb.csv
from kkpr.text import num_en, num_id

SOURCE_FILE = "intensitas.csv"


def road_keys(roads: Iterable[Any]) -> tuple[tuple[str, str], ...]:
    """(key, how the road is named) of each function, class and status of the fronted
    roads (``RoadHit``-like objects: ``fungsi``, ``kelas``, ``status``, ``nama``)."""
    out: list[tuple[str, str]] = []
    for road in roads:
        name = getattr(road, "nama", None) or f"fid {getattr(road, 'fid', '?')}"
        for attr in ("fungsi", "kelas", "status"):
            key = road_key(getattr(road, attr, None))
            if key is not None:
                out.append((key, str(name)))
    return tuple(out)


@dataclass(frozen=True)
class Selection:
    """The row chosen for a part: its intensity (None: no row applies), the row, the
    reason code and the sentence that says which and why."""

    intensity: Intensity | None
    row: IntensityClass | None
    code: str
    effect: Effect
    texts: tuple[str, str]
    source: dict[str, Any]


def by_area(row: IntensityClass) -> bool:
    return row.luas_min is not None or row.luas_max is not None


def lot_size(area: float) -> float:
    """The lot size a class is chosen by: whole square metres, as certificates state."""
    return float(round(area))


def fits_area(row: IntensityClass, area: float) -> bool:
    size = lot_size(area)
    return (row.luas_min is None or size >= row.luas_min - 1e-9) and (
        row.luas_max is None or size <= row.luas_max + 1e-9
    )


def select(
    kodszn: str,
    classes: tuple[IntensityClass, ...],
    default: Intensity | None,
    area: float | None,
    roads: tuple[tuple[str, str], ...],
    has_road_layer: bool,
) -> Selection:
    """The intensity row of ``kodszn`` for a lot of ``area`` m² fronting ``roads``."""
    keys = {k for k, _n in roads}
    needs_area = any(by_area(r) for r in classes)
    for row in classes:
        if by_area(row) and (area is None or not fits_area(row, area)):
            continue
        if row.kelas_jalan is not None and road_key(row.kelas_jalan) not in keys:
            continue
        return _chosen(kodszn, row, area, roads)
    return _fallback(kodszn, classes, default, area, roads, needs_area, has_road_layer)


def _label(row: IntensityClass) -> tuple[str, str]:
    name = f"kelas {row.kelas}" if row.kelas else f"baris {row.line}"
    name_en = f"class {row.kelas}" if row.kelas else f"line {row.line}"
    return name, name_en


def _span(row: IntensityClass, lang: str) -> str:
    num = num_id if lang == "id" else num_en
    lo = None if row.luas_min is None else num(row.luas_min, 0)
    hi = None if row.luas_max is None else num(row.luas_max, 0)
    if lo is not None and hi is not None:
        return f"{lo}–{hi} m²"
    if lo is not None:
        return f"≥ {lo} m²"
    return f"≤ {hi} m²"


def _chosen(
    kodszn: str, row: IntensityClass, area: float | None, roads: tuple[tuple[str, str], ...]
) -> Selection:
    name_id, name_en = _label(row)
    parts_id, parts_en = [], []
    if by_area(row) and area is not None:
        parts_id.append(f"luas persil {num_id(lot_size(area), 0)} m² termasuk {_span(row, 'id')}")
        parts_en.append(f"the lot of {num_en(lot_size(area), 0)} m² is within {_span(row, 'en')}")
    if row.kelas_jalan is not None:
        key = road_key(row.kelas_jalan)
        named = sorted({n for k, n in roads if k == key})
        parts_id.append(f"tapak berbatasan dengan jalan {row.kelas_jalan} ({', '.join(named)})")
        parts_en.append(f"the site fronts a road of class {row.kelas_jalan} ({', '.join(named)})")
    how = (
        "area"
        if by_area(row) and row.kelas_jalan is None
        else ("road" if not by_area(row) else "area_road")
    )
    texts = (
        f"Intensitas sub-zona {kodszn}: {name_id} ({SOURCE_FILE} baris {row.line}), karena "
        + " dan ".join(parts_id) + ".",
        f"Intensity of sub-zone {kodszn}: {name_en} ({SOURCE_FILE} line {row.line}), as "
        + " and ".join(parts_en) + ".",
    )  # fmt: skip
    return Selection(
        row.intensity,
        row,
        f"intensity.class.{how}",
        Effect.INFO,
        texts,
        {"kodszn": kodszn, "kelas": row.kelas, "line": row.line, "by": how, "lot_m2": area},
    )


def _fallback(
    kodszn: str,
    classes: tuple[IntensityClass, ...],
    default: Intensity | None,
    area: float | None,
    roads: tuple[tuple[str, str], ...],
    needs_area: bool,
    has_road_layer: bool,
) -> Selection:
    source = {"kodszn": kodszn, "lot_m2": area, "roads": sorted({k for k, _n in roads})}
    why_id, why_en = [], []
    if needs_area and area is None:
        why_id.append("luas persil tidak diketahui (isikan luas tanah untuk lokasi titik)")
        why_en.append("the lot size is unknown (give the land area for a point site)")
    elif needs_area and area is not None:
        spans_id = ", ".join(_span(r, "id") for r in classes if by_area(r))
        spans_en = ", ".join(_span(r, "en") for r in classes if by_area(r))
        why_id.append(
            f"luas persil {num_id(lot_size(area), 0)} m² tidak termasuk kelas mana pun ({spans_id})"
        )
        why_en.append(f"the lot of {num_en(lot_size(area), 0)} m² is in no class ({spans_en})")
    wanted = sorted({r.kelas_jalan for r in classes if r.kelas_jalan is not None})
    if wanted:
        if not has_road_layer:
            why_id.append("rencana tidak memiliki lapisan jaringan jalan untuk memilih kelas jalan")
            why_en.append("the plan has no road layer to choose a road class by")
        else:
            why_id.append(f"tapak tidak berbatasan dengan jalan kelas {', '.join(wanted)}")
            why_en.append(f"the site fronts no road of class {', '.join(wanted)}")
    if default is not None:
        return Selection(
            default,
            None,
            "intensity.class.default",
            Effect.INFO,
            (
                f"Intensitas sub-zona {kodszn}: baris umum {SOURCE_FILE}, karena "
                + "; ".join(why_id) + ".",
                f"Intensity of sub-zone {kodszn}: the general row of {SOURCE_FILE}, as "
                + "; ".join(why_en) + ".",
            ),
            source,
        )  # fmt: skip
    unknown_area = needs_area and area is None
    return Selection(
        None,
        None,
        "intensity.class.unknown_area" if unknown_area else "intensity.class.none",
        Effect.INFO if unknown_area else Effect.REVIEW,
        (
            f"Tidak ada baris intensitas sub-zona {kodszn} ({SOURCE_FILE}) yang berlaku: "
            + "; ".join(why_id) + "; KDB, KLB, KDH dan tinggi sub-zona ini tidak dapat diperiksa"
            + ("." if unknown_area else ", petugas menilai luas persil terhadap rencana."),
            f"No intensity row of sub-zone {kodszn} ({SOURCE_FILE}) applies: "
            + "; ".join(why_en) + "; this sub-zone's KDB, KLB, KDH and height cannot be checked"
            + ("." if unknown_area else ", staff assess the lot against the plan."),
        ),
        source,
    )  # fmt: skip


def reason(sel: Selection) -> Reason:
    return Reason(sel.code, *sel.texts, sel.effect, sel.source)
