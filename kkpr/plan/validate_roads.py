"""Validating the road layer (``jaringan_jalan``) and the GSB table (``gsb.csv``).

A road layer must say what each road is (its function, class or status): without it
no GSB can be given per frontage, and that is an error. Roads of a class the table
does not name, and a table or a layer without the other, are warnings: the sub-zone's
GSB of ``intensitas.csv`` is the fallback.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from kkpr.errors import Problem
from kkpr.model import RoadHit
from kkpr.plan.package import Plan, read_csv
from kkpr.plan.roads import CLASS_KEYS, GSB_TABLE, ROAD_FIELDS, ROADS_LAYER
from kkpr.rules.setbacks import road_key, row_for

SHOWN_FEATURES = 10  # a warning about many features names this many of them


def road_problems(plan: Plan) -> list[Problem]:
    out = _table(plan)
    roads = plan.roads
    has_table = (plan.root / GSB_TABLE).exists()
    if roads is None:
        if has_table:
            out.append(
                Problem(
                    "roads.table_without_layer",
                    f"{GSB_TABLE} ada tetapi lapisan {ROADS_LAYER} tidak: GSB sub-zona "
                    "(intensitas.csv) yang berlaku",
                    f"{GSB_TABLE} is given but no {ROADS_LAYER} layer: the sub-zone GSB "
                    "(intensitas.csv) applies",
                    file=GSB_TABLE,
                    severity="warning",
                )
            )
        return out
    src = roads.attrs.get("source", ROADS_LAYER)
    fields = roads.attrs.get("fields", {})
    if not any(k in fields for k in CLASS_KEYS):
        accepted = ", ".join(n.upper() for k in CLASS_KEYS for n in ROAD_FIELDS[k])
        found = ", ".join(roads.attrs.get("columns", [])) or "(tidak ada / none)"
        out.append(
            Problem(
                "roads.no_class",
                f"Lapisan jalan tidak memuat fungsi, kelas atau status jalan, sehingga GSB "
                f"per jalan tidak dapat ditentukan. Kolom yang ada: {found}. Tambahkan salah "
                f"satu kolom: {accepted}",
                f"The road layer holds no road function, class or status, so no GSB can be "
                f"given per road. Columns found: {found}. Add one of the columns: {accepted}",
                file=src,
            )
        )
        return out + _geometry(roads, src)
    keys = roads[list(CLASS_KEYS)].map(road_key)
    unclassed = keys.isna().all(axis=1)
    if unclassed.all() and len(roads):
        out.append(
            Problem(
                "roads.no_class",
                f"Tidak satu pun jalan memiliki fungsi, kelas atau status "
                f"({', '.join(fields[k] for k in CLASS_KEYS if k in fields)} kosong)",
                f"No road has a function, class or status "
                f"({', '.join(fields[k] for k in CLASS_KEYS if k in fields)} are empty)",
                file=src,
            )
        )
    elif unclassed.any():
        fids = [str(f) for f in roads.index[unclassed]]
        out.append(
            Problem(
                "roads.unclassed",
                f"{len(fids)} jalan tanpa fungsi, kelas atau status (fitur "
                f"{', '.join(fids[:SHOWN_FEATURES])}{'…' if len(fids) > SHOWN_FEATURES else ''}): "
                "GSB sub-zona yang berlaku di sana",
                f"{len(fids)} roads have no function, class or status (features "
                f"{', '.join(fids[:SHOWN_FEATURES])}{'…' if len(fids) > SHOWN_FEATURES else ''}): "
                "the sub-zone GSB applies there",
                file=src,
                feature=fids[0],
                severity="warning",
            )
        )
    if not has_table:
        out.append(
            Problem(
                "roads.no_table",
                f"Lapisan {ROADS_LAYER} ada tetapi {GSB_TABLE} tidak: GSB sub-zona "
                "(intensitas.csv) yang berlaku untuk setiap jalan",
                f"A {ROADS_LAYER} layer is given but no {GSB_TABLE}: the sub-zone GSB "
                "(intensitas.csv) applies to every road",
                file=GSB_TABLE,
                severity="warning",
            )
        )
    else:
        out += _unmatched(plan, roads, unclassed, src)
    return out + _geometry(roads, src)


def _unmatched(plan: Plan, roads: pd.DataFrame, unclassed: pd.Series, src: str) -> list[Problem]:
    out = []
    seen: set[tuple[str | None, ...]] = set()
    for fid, r in roads[~unclassed].iterrows():
        key = (road_key(r["fungsi"]), road_key(r["kelas"]), road_key(r["status"]))
        if key in seen:
            continue
        seen.add(key)
        hit = RoadHit(str(fid), None, r["fungsi"], r["kelas"], r["status"], 0.0)
        if row_for(plan.rules.setbacks, hit) is None:
            what = " / ".join(str(v) for v in (r["fungsi"], r["kelas"], r["status"]) if v)
            out.append(
                Problem(
                    "roads.no_gsb",
                    f"Jalan {what} tidak punya baris di {GSB_TABLE}: GSB sub-zona yang berlaku",
                    f"Roads of {what} have no row in {GSB_TABLE}: the sub-zone GSB applies",
                    file=src,
                    feature=str(fid),
                    severity="warning",
                )
            )
    return out


def _geometry(roads: pd.DataFrame, src: str) -> list[Problem]:
    geoms = np.asarray(roads.geometry.values, dtype=object)
    out = []
    empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    points = ~empty & np.isin(shapely.get_type_id(geoms), (0, 4))
    invalid = ~empty & ~shapely.is_valid(geoms)
    for fid, e, p, bad in zip(roads.index, empty, points, invalid, strict=True):
        if e or p or bad:
            out.append(
                Problem(
                    "roads.bad_geometry",
                    "Geometri jalan kosong, berupa titik, atau tidak sah: jalan harus garis "
                    "(as jalan) atau poligon (badan jalan)",
                    "The road's geometry is empty, a point, or invalid: a road must be a line "
                    "(its centre line) or a polygon (its body)",
                    file=src,
                    feature=str(fid),
                )
            )
    return out


def _table(plan: Plan) -> list[Problem]:
    path = plan.root / GSB_TABLE
    if not path.exists():
        return []
    table = read_csv(path, ("gsb",))
    out = []
    if not any(k in table.columns for k in CLASS_KEYS):
        out.append(
            Problem(
                "gsb.no_keys",
                f"{GSB_TABLE} tidak punya kolom fungsi, kelas atau status: barisnya tidak "
                "dapat dicocokkan dengan jalan",
                f"{GSB_TABLE} has no fungsi, kelas or status column: its rows match no road",
                file=GSB_TABLE,
            )
        )
    for row_no, row in enumerate(table.to_dict("records"), start=2):
        for key in ("gsb", "jbb"):
            value = row.get(key)
            if value is None or str(value).strip() == "":
                if key == "gsb":
                    out.append(
                        Problem(
                            "gsb.missing",
                            "GSB kosong",
                            "GSB is empty",
                            file=GSB_TABLE,
                            row=row_no,
                            column=key,
                            severity="warning",
                        )
                    )
                continue
            try:
                number = float(str(value).replace(",", "."))
            except ValueError:
                number = float("nan")
            if not number >= 0:
                out.append(
                    Problem(
                        "gsb.bad_number",
                        f"{key.upper()} = {value!r} harus angka meter ≥ 0",
                        f"{key.upper()} = {value!r} must be a number of metres ≥ 0",
                        file=GSB_TABLE,
                        row=row_no,
                        column=key,
                    )
                )
    return out
