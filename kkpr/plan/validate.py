"""Validating a plan package: every problem with its place, all at once.

What ``kkpr plan validate`` prints and what loading into PostGIS refuses on. Errors
make a package unusable for automatic checks; warnings are worth a planner's look.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from kkpr.errors import PlanError, Problem
from kkpr.plan.kugi import INTENSITY_FIELDS, OVERLAY_KINDS
from kkpr.plan.package import Plan, read_csv, read_plan
from kkpr.plan.validate_coverage import coverage_problems
from kkpr.plan.validate_itbx import itbx_problems
from kkpr.plan.validate_rasters import raster_problems
from kkpr.plan.validate_roads import road_problems
from kkpr.rules.effects import EFEK_EFFECT
from kkpr.settings import Settings

KBLI_CODE = re.compile(r"^\d{5}$")
# range of each intensity figure: (min, max); None = open
RANGES: dict[str, tuple[float, float | None]] = {
    "kdb": (0, 100),
    "kdh": (0, 100),
    "ktb": (0, 100),
    "klb": (0, None),
    "tb": (0, None),
    "jlb": (0, None),
    "gsb": (0, None),
}


def validate_dir(
    root: Path | str, settings: Settings | None = None
) -> tuple[Plan | None, list[Problem]]:
    """Read and validate; a package that cannot be read gives its reading problem."""
    try:
        plan = read_plan(root)
    except PlanError as exc:
        if exc.problems:
            return None, list(exc.problems)
        return None, [Problem("package.unreadable", exc.message_id, exc.message_en, file=exc.where)]
    return plan, validate(plan, settings)


def validate(plan: Plan, settings: Settings | None = None) -> list[Problem]:
    problems: list[Problem] = list(plan.read_problems)
    problems += _zones(plan)
    problems += coverage_problems(plan)
    problems += itbx_problems(plan)
    problems += _kbli(plan)
    problems += _intensity(plan)
    problems += _overlays(plan)
    problems += raster_problems(plan, settings)
    problems += road_problems(plan)
    return problems


def errors_of(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


# ---------------------------------------------------------------- zones


def _zones(plan: Plan) -> list[Problem]:
    out = []
    zones = plan.zones
    src = zones.attrs.get("source", "pola_ruang")
    if len(zones) == 0:
        return [
            Problem(
                "zones.empty",
                "Lapisan pola_ruang tidak berisi fitur",
                "The pola_ruang layer has no features",
                file=src,
            )
        ]
    field = zones.attrs.get("kodszn_field", "KODSZN")
    geoms = zones.geometry.values
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    types = shapely.get_type_id(geoms)
    valid = shapely.is_valid(geoms)
    for fid, miss, t, ok, g, code in zip(
        zones.index, missing, types, valid, geoms, zones["kodszn"], strict=True
    ):
        if miss:
            out.append(
                Problem(
                    "zones.empty_geometry",
                    "Geometri kosong",
                    "Empty geometry",
                    file=src,
                    feature=fid,
                )
            )
            continue
        if t not in (3, 6):
            out.append(
                Problem(
                    "zones.not_polygon",
                    f"Geometri bukan poligon ({g.geom_type})",
                    f"Geometry is not a polygon ({g.geom_type})",
                    file=src,
                    feature=fid,
                )
            )
        if not ok:
            reason = shapely.is_valid_reason(g)
            out.append(
                Problem(
                    "zones.invalid_geometry",
                    f"Geometri tidak sah: {reason}",
                    f"Invalid geometry: {reason}",
                    file=src,
                    feature=fid,
                    geometry_wkt=_where(g, reason),
                )
            )
        if code is pd.NA or code is None or not code:
            out.append(
                Problem(
                    "zones.no_kodszn",
                    f"Kode sub-zona ({field}) kosong",
                    f"The sub-zone code ({field}) is empty",
                    file=src,
                    feature=fid,
                )
            )
    return out


def _where(geom: shapely.Geometry, reason: str) -> str | None:
    m = re.search(r"\[([-\d.e]+)\s+([-\d.e]+)\]", reason)
    if m:
        return f"POINT ({m.group(1)} {m.group(2)})"
    return str(shapely.to_wkt(geom.representative_point(), rounding_precision=2))


# ---------------------------------------------------------------- tables


def _kbli(plan: Plan) -> list[Problem]:
    out = []
    table = read_csv(plan.root / "kbli.csv", ("kbli", "kode_kegiatan"))
    seen: set[str] = set()
    for row_no, row in enumerate(table.to_dict("records"), start=2):
        code = row["kbli"]
        if not KBLI_CODE.match(code):
            out.append(
                Problem(
                    "kbli.bad_code",
                    f"KBLI {code!r} bukan lima digit",
                    f"KBLI {code!r} is not five digits",
                    file="kbli.csv",
                    row=row_no,
                )
            )
        if code in seen:
            out.append(
                Problem(
                    "kbli.duplicate",
                    f"KBLI {code} ganda",
                    f"KBLI {code} is duplicated",
                    file="kbli.csv",
                    row=row_no,
                )
            )
        seen.add(code)
        if row["kode_kegiatan"] not in plan.rules.activities:
            out.append(
                Problem(
                    "kbli.no_activity",
                    f"KBLI {code} menunjuk kegiatan {row['kode_kegiatan']!r} "
                    "yang tidak ada di itbx.csv",
                    f"KBLI {code} maps to activity {row['kode_kegiatan']!r}, which itbx.csv lacks",
                    file="kbli.csv",
                    row=row_no,
                )
            )
    if (plan.root / "ketentuan.csv").exists():
        cond = read_csv(plan.root / "ketentuan.csv", ("kode", "teks"))
        for row_no, row in enumerate(cond.to_dict("records"), start=2):
            for key in ("max_floor_area_m2", "max_site_area_m2", "max_floors"):
                out += _number_problem(row.get(key), key, "ketentuan.csv", row_no, (0, None))
            if not row["teks"]:
                out.append(
                    Problem(
                        "ketentuan.no_text",
                        f"Ketentuan {row['kode']} tanpa teks",
                        f"Condition {row['kode']} has no text",
                        file="ketentuan.csv",
                        row=row_no,
                    )
                )
    return out


def _number_problem(
    value: object,
    key: str,
    file: str,
    row: int | None,
    bounds: tuple[float, float | None],
    feature: str | None = None,
) -> list[Problem]:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value == "":
        return []
    try:
        number = float(str(value).replace(",", "."))
    except ValueError:
        return [
            Problem(
                "number.unreadable",
                f"{key} = {value!r} bukan angka",
                f"{key} = {value!r} is not a number",
                file=file,
                row=row,
                feature=feature,
            )
        ]
    lo, hi = bounds
    if number < lo or (hi is not None and number > hi):
        span = f"{lo}–{hi}" if hi is not None else f"≥ {lo}"
        return [
            Problem(
                "intensity.out_of_range",
                f"{key.upper()} = {number:g} di luar rentang {span}",
                f"{key.upper()} = {number:g} is out of range {span}",
                file=file,
                row=row,
                feature=feature,
            )
        ]
    return []


def _intensity(plan: Plan) -> list[Problem]:
    out = []
    if (plan.root / "intensitas.csv").exists():
        table = read_csv(plan.root / "intensitas.csv", ("kodszn",))
        for row_no, row in enumerate(table.to_dict("records"), start=2):
            for key in INTENSITY_FIELDS:
                out += _number_problem(row.get(key), key, "intensitas.csv", row_no, RANGES[key])
            for key in ("luas_min", "luas_max"):
                out += _number_problem(row.get(key), key, "intensitas.csv", row_no, (0, None))
        out += _class_problems(plan)
    src = plan.zones.attrs.get("source", "pola_ruang")
    for key in INTENSITY_FIELDS:
        values = plan.zones[key]
        for fid in values.index[values.notna()]:
            out += _number_problem(values[fid], key, src, None, RANGES[key], feature=str(fid))
    given = set(plan.rules.intensity) | set(plan.rules.intensity_classes)
    missing = sorted(set(plan.zones["kodszn"].dropna().astype(str)) - given)
    for code in missing:
        out.append(
            Problem(
                "intensity.missing",
                f"Sub-zona {code} tidak ada di intensitas.csv",
                f"Sub-zone {code} is missing from intensitas.csv",
                file="intensitas.csv",
                severity="warning",
            )
        )
    return out


def _class_problems(plan: Plan) -> list[Problem]:
    """Rows by lot-size class whose bounds are reversed, or that overlap another row of
    the sub-zone for the same road class: a lot would fit two rows."""
    out = []
    for code, rows in plan.rules.intensity_classes.items():
        road_rows = [r for r in rows if r.kelas_jalan is not None]
        if road_rows and (plan.roads is None or not len(plan.roads)):
            out.append(
                Problem(
                    "intensity.class_no_roads",
                    f"Sub-zona {code} memiliki baris intensitas menurut kelas jalan, tetapi "
                    "paket tidak memiliki lapisan jaringan_jalan: baris itu tidak pernah "
                    "dipilih; tambahkan lapisan jalan",
                    f"Sub-zone {code} has intensity rows by road class, but the package has "
                    "no jaringan_jalan layer: those rows are never chosen; add the road layer",
                    file="intensitas.csv",
                    row=road_rows[0].line,
                    severity="warning",
                )
            )
        seen: list[tuple[float, float, str | None, int]] = []
        for row in rows:
            if row.luas_min is None and row.luas_max is None:
                continue
            lo = row.luas_min if row.luas_min is not None else 0.0
            hi = row.luas_max if row.luas_max is not None else float("inf")
            if lo > hi:
                out.append(
                    Problem(
                        "intensity.class_bounds",
                        f"Kelas luas persil sub-zona {code}: luas_min {lo:g} melebihi luas_max {hi:g}",
                        f"Lot-size class of sub-zone {code}: luas_min {lo:g} exceeds luas_max {hi:g}",
                        file="intensitas.csv",
                        row=row.line,
                    )
                )
                continue
            for lo2, hi2, road, line in seen:
                if road == row.kelas_jalan and lo <= hi2 and lo2 <= hi:
                    out.append(
                        Problem(
                            "intensity.class_overlap",
                            f"Kelas luas persil sub-zona {code} bertumpang tindih dengan baris "
                            f"{line}: satu persil masuk dua kelas; perbaiki batasnya",
                            f"Lot-size class of sub-zone {code} overlaps line {line}: one lot "
                            "would fit two classes; correct the bounds",
                            file="intensitas.csv",
                            row=row.line,
                        )
                    )
                    break
            seen.append((lo, hi, row.kelas_jalan, row.line))
    return out


def _overlays(plan: Plan) -> list[Problem]:
    ov = plan.overlays
    src = ov.attrs.get("source", "ketentuan_khusus")
    out = []
    documented = set(plan.meta.overlay_effects)
    for fid, row in ov.iterrows():
        geom = row.geometry
        if geom is None or geom.is_empty:
            out.append(
                Problem(
                    "overlays.empty_geometry",
                    "Geometri kosong",
                    "Empty geometry",
                    file=src,
                    feature=str(fid),
                )
            )
        elif not geom.is_valid:
            reason = shapely.is_valid_reason(geom)
            out.append(
                Problem(
                    "overlays.invalid_geometry",
                    f"Geometri tidak sah: {reason}",
                    f"Invalid geometry: {reason}",
                    file=src,
                    feature=str(fid),
                    geometry_wkt=_where(geom, reason),
                )
            )
        elif geom.geom_type not in ("Polygon", "MultiPolygon"):
            out.append(
                Problem(
                    "overlays.not_polygon",
                    f"Geometri bukan poligon ({geom.geom_type}): tidak ada tapak yang dapat "
                    "berada di dalamnya",
                    f"Geometry is not a polygon ({geom.geom_type}): no site can lie inside it",
                    file=src,
                    feature=str(fid),
                )
            )
        jenis = str(row["jenis"])
        if jenis not in OVERLAY_KINDS and jenis not in documented:
            out.append(
                Problem(
                    "overlays.unknown_kind",
                    f"JENIS {jenis!r} tidak dikenal dan tidak didokumentasikan "
                    "di plan.toml [overlay.<JENIS>]",
                    f"JENIS {jenis!r} is unknown and not documented in plan.toml [overlay.<JENIS>]",
                    file=src,
                    feature=str(fid),
                    severity="warning",
                )
            )
        efek = row["efek"]
        if efek is not pd.NA and efek is not None and str(efek) not in (*EFEK_EFFECT, "<NA>"):
            out.append(
                Problem(
                    "overlays.bad_effect",
                    f"EFEK {efek!r} harus X, B atau kosong",
                    f"EFEK {efek!r} must be X, B or empty",
                    file=src,
                    feature=str(fid),
                )
            )
    return out
