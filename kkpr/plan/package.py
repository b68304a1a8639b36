"""Reading a plan package (a folder, see shared/PLAN_FORMAT.md) into one in-memory Plan.

Reading is strict about what it cannot interpret (a missing required file, a layer
without a CRS, a table without its columns) and raises PlanError saying where. Softer
problems (overlaps, codes without texts, out-of-range numbers) are the business of
``kkpr.plan.validate``, which reports all of them at once.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from kkpr.errors import PlanError, Problem
from kkpr.model import (
    Activity,
    Condition,
    Intensity,
    IntensityClass,
    KbliEntry,
    PlanMeta,
    PlanRules,
    RasterSpec,
    RtrwMatrix,
    RtrwRow,
)
from kkpr.plan import crs as crs_rules
from kkpr.plan.files import LAYER_SUFFIXES, find_layer, read_csv, read_layer
from kkpr.plan.kugi import (
    FLAG_JENIS,
    INTENSITY_FIELDS,
    ZONE_FIELDS,
    flag_text,
    none_key,
    per_distinct,
)
from kkpr.plan.landmarks import read_landmarks
from kkpr.plan.meta import read_meta
from kkpr.plan.roads import read_roads, read_setbacks

__all__ = [
    "LAYER_SUFFIXES",
    "Plan",
    "find_layer",
    "read_csv",
    "read_layer",
    "read_meta",
    "read_plan",
]

PACKAGE_FILES = ("plan.toml", "itbx.csv", "kbli.csv", "ketentuan.csv", "intensitas.csv")


@dataclass
class Plan:
    """A whole plan package in memory, geometries in the plan CRS."""

    rules: PlanRules
    zones: gpd.GeoDataFrame
    overlays: gpd.GeoDataFrame
    rtrw: gpd.GeoDataFrame | None
    root: Path
    read_problems: list[Problem] = field(default_factory=list)
    roads: gpd.GeoDataFrame | None = None  # jaringan_jalan: nama, fungsi, kelas, status

    @property
    def meta(self) -> PlanMeta:
        return self.rules.meta

    def raster_path(self, spec: RasterSpec) -> Path:
        return self.root / spec.path

    def layer_crs(self) -> dict[str, str]:
        """Each layer file -> the CRS it was read in (as GDAL read it, or assumed)."""
        frames = (self.zones, self.overlays, self.rtrw, self.roads)
        return {
            f.attrs["source"]: f.attrs["source_crs"]
            for f in frames
            if f is not None and "source" in f.attrs and "source_crs" in f.attrs
        }


# ---------------------------------------------------------------- files


def number(text: Any) -> float | None:
    """A table cell as a number; empty is None. Decimal commas are accepted."""
    if text is None:
        return None
    if isinstance(text, (int, float, np.number)):
        value = float(text)
        return None if np.isnan(value) else value
    s = str(text).strip().replace(",", ".")
    return float(s) if s else None


def checksum(root: Path) -> str:
    """SHA-256 over the package's files, in name order: identifies a version."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "examples" not in p.parts):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


# ---------------------------------------------------------------- parts


def read_rules(root: Path, meta: PlanMeta) -> PlanRules:
    itbx = read_csv(root / "itbx.csv", ("kode_kegiatan",))
    original = [c for c in itbx.columns if c not in ("kode_kegiatan", "kegiatan")]
    subzones = tuple(c.upper() for c in original)
    codes = [str(k) for k in itbx["kode_kegiatan"]]
    names = itbx["kegiatan"] if "kegiatan" in itbx.columns else itbx["kode_kegiatan"]
    activities = {k: Activity(k, str(n or k)) for k, n in zip(codes, names, strict=True)}
    # real annexes have 10^4-10^5 cells but a few dozen distinct texts: each text is
    # normalised once, and the cells are walked as one array (not row dicts)
    index, texts = pd.factorize(itbx[original].to_numpy(dtype=object).ravel())
    normal = [str(t).strip().upper().replace(" ", "") for t in texts]
    cells: dict[tuple[str, str], str] = {}
    width = len(original)
    for i, t in enumerate(index):
        if t >= 0 and normal[t]:
            cells[(codes[i // width], subzones[i % width])] = normal[t]

    kbli_table = read_csv(root / "kbli.csv", ("kbli", "kode_kegiatan"))
    kbli = {
        r["kbli"]: KbliEntry(r["kbli"], r.get("judul", ""), r["kode_kegiatan"])
        for r in kbli_table.to_dict("records")
    }

    conditions: dict[str, Condition] = {}
    if (root / "ketentuan.csv").exists():
        for r in read_csv(root / "ketentuan.csv", ("kode", "teks")).to_dict("records"):
            conditions[r["kode"].upper()] = Condition(
                kode=r["kode"].upper(),
                teks=r["teks"],
                max_floor_area_m2=_safe_number(r.get("max_floor_area_m2")),
                max_site_area_m2=_safe_number(r.get("max_site_area_m2")),
                max_floors=_safe_number(r.get("max_floors")),
            )

    intensity: dict[str, Intensity] = {}
    classes: dict[str, list[IntensityClass]] = {}
    if (root / "intensitas.csv").exists():
        table = read_csv(root / "intensitas.csv", ("kodszn",))
        for line, r in enumerate(table.to_dict("records"), start=2):
            values = Intensity(**{k: _safe_number(r.get(k)) for k in INTENSITY_FIELDS})
            code = r["kodszn"].upper()
            # a row for a class of lot (by size or road): kkpr.rules.classes
            lo, hi = _safe_number(r.get("luas_min")), _safe_number(r.get("luas_max"))
            road = str(r.get("kelas_jalan") or "").strip() or None
            if lo is None and hi is None and road is None:
                intensity[code] = values
            else:
                kelas = str(r.get("kelas") or "").strip() or None
                classes.setdefault(code, []).append(
                    IntensityClass(code, values, kelas, lo, hi, road, line)
                )
    return PlanRules(
        meta=meta,
        activities=activities,
        itbx=cells,
        subzones=subzones,
        kbli=kbli,
        conditions=conditions,
        intensity=intensity,
        intensity_classes={k: tuple(v) for k, v in classes.items()},
        rtrw_matrix=read_rtrw_matrix(root),
        landmarks=read_landmarks(root),
        setbacks=read_setbacks(root),
    )


RTRW_MATRIX_FILE = "rtrw_itbx.csv"


def read_rtrw_matrix(root: Path) -> RtrwMatrix | None:
    """The RTRW's general zoning matrix, wide as ``itbx.csv``: ``kode_kegiatan``,
    ``kegiatan``, one column per pola ruang class of the RTRW layer (issue 18 item 9)."""
    path = root / RTRW_MATRIX_FILE
    if not path.exists():
        return None
    table = read_csv(path, ("kode_kegiatan",))
    # read_csv lower-cases the headers; the classes are matched as written, any case
    with path.open(encoding="utf-8-sig") as f:
        header = next(csv.reader(f), [])
    named = {h.strip().lower(): h.strip() for h in header}
    columns = [c for c in table.columns if c not in ("kode_kegiatan", "kegiatan")]
    names = table["kegiatan"] if "kegiatan" in table.columns else table["kode_kegiatan"]
    rows = tuple(
        RtrwRow(
            str(key).strip().upper(),
            str(name or key),
            line,
            tuple(str(c or "").strip().upper().replace(" ", "") for c in cells),
        )
        for line, (key, name, cells) in enumerate(
            zip(table["kode_kegiatan"], names, table[columns].to_numpy(dtype=object), strict=True),
            start=2,
        )
    )
    return RtrwMatrix(tuple(named.get(c, c) for c in columns), rows)


def _safe_number(text: Any) -> float | None:
    # validation reports unparseable numbers; reading treats them as absent
    try:
        return number(text)
    except ValueError:
        return None


def read_zones(root: Path, meta: PlanMeta, problems: list[Problem]) -> gpd.GeoDataFrame:
    """The zoning layer: the sub-zone code in ``kodszn`` (from the field plan.toml names,
    else KODSZN, else KODUNK), overlay flags normalised once for every reader (a value
    of ``[flags] none`` becomes None, any other keeps its text), intensity as numbers
    (text that is not one is reported into ``problems`` and left out)."""
    path = find_layer(root, "pola_ruang")
    if path is None:
        raise PlanError(
            "Lapisan pola_ruang tidak ada",
            "The pola_ruang layer is missing",
            where=str(root),
            hint_id="Tambahkan pola_ruang.gpkg / .geojson / .shp / .zip",
            hint_en="Add pola_ruang.gpkg / .geojson / .shp / .zip",
        )
    zones = read_layer(path, meta.crs, problems)
    field = join_field(zones, meta.kodszn_field, path.name)
    zones["kodszn"] = pd.array(per_distinct(zones[field], code_text), dtype="string")
    zones.attrs["kodszn_field"] = field.upper()
    for name in ZONE_FIELDS:
        if name not in zones.columns:
            zones[name] = None
    for name in INTENSITY_FIELDS:
        zones[name] = (
            intensity_numbers(zones[name], name, path.name, meta.flag_none, problems)
            if name in zones.columns
            else np.nan
        )
    flag_columns = [c for c in zones.columns if c in FLAG_JENIS]
    none_keys = frozenset(none_key(v) for v in meta.flag_none)
    for c in flag_columns:
        zones[c] = pd.Series(
            per_distinct(zones[c], lambda v: flag_text(v, none_keys)),
            index=zones.index,
            dtype=object,
        )
    zones.attrs["flag_columns"] = flag_columns
    zones.attrs["source"] = path.name
    return zones


def join_field(zones: pd.DataFrame, named: str | None, source: str) -> str:
    """The (lower-case) column holding the sub-zone code; PlanError listing the
    columns found when there is none."""
    found = [str(c) for c in zones.columns if c != zones.geometry.name]
    if named:
        if named.lower() in zones.columns:
            return named.lower()
        raise PlanError(
            f"Kolom {named} (plan.toml [fields] kodszn) tidak ada pada {source}; "
            f"kolom yang ada: {', '.join(c.upper() for c in found)}",
            f"Column {named} (plan.toml [fields] kodszn) is not in {source}; "
            f"columns found: {', '.join(c.upper() for c in found)}",
            where=source,
            hint_id="Tulis nama kolom kode sub-zona di plan.toml [fields] kodszn",
            hint_en="Name the sub-zone code column in plan.toml [fields] kodszn",
        )
    for candidate in ("kodszn", "kodunk"):
        if candidate in zones.columns:
            return candidate
    raise PlanError(
        f"Kolom kode sub-zona (KODSZN atau KODUNK) tidak ada pada {source}; "
        f"kolom yang ada: {', '.join(c.upper() for c in found) or '(tidak ada)'}",
        f"No sub-zone code column (KODSZN or KODUNK) in {source}; "
        f"columns found: {', '.join(c.upper() for c in found) or '(none)'}",
        where=source,
        hint_id='Sebutkan kolomnya di plan.toml: [fields] kodszn = "SIMBOL" (misalnya)',
        hint_en='Name the column in plan.toml: [fields] kodszn = "SIMBOL" (for example)',
    )


def code_text(value: Any) -> str | None:
    """A sub-zone code as text: ``32112100`` stays that even where the layer stored it
    as a float beside nulls (``32112100.0``); empty and null are None."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, (float, np.floating)):
        if np.isnan(value):
            return None
        if float(value).is_integer():
            return str(int(value))
    text = str(value).strip().upper()
    return text or None


def intensity_numbers(
    values: pd.Series, key: str, source: str, none_values: tuple[str, ...], problems: list[Problem]
) -> pd.Series:
    """A per-polygon intensity column as numbers (decimal commas read); a value of
    ``[flags] none`` is absent, other text is reported with the feature id and left out."""
    none_keys = {none_key(v) for v in none_values}

    def read(value: Any) -> float | str:  # a number, or the text that is not one
        if value is None or value is pd.NA:
            return np.nan
        if isinstance(value, (int, float, np.number)):
            return float(value)
        text = str(value).strip()
        if none_key(text) in none_keys:
            return np.nan
        try:
            return float(text.replace(",", "."))
        except ValueError:
            return text

    read_values = per_distinct(values, read)
    bad = per_distinct(values, lambda v: isinstance(read(v), str)).astype(bool)
    for fid, text in zip(values.index[bad], read_values[bad], strict=True):
        problems.append(
            Problem(
                "intensity.not_a_number",
                f"{key.upper()} = {text!r} bukan angka; nilai intensitas.csv untuk "
                "sub-zonanya yang berlaku",
                f"{key.upper()} = {text!r} is not a number; the sub-zone's value in "
                "intensitas.csv applies instead",
                file=source,
                feature=str(fid),
                severity="warning",
            )
        )
    read_values[bad] = np.nan
    out = read_values.astype(float)
    return pd.Series(out, index=values.index)


def read_overlays(root: Path, crs: str, problems: list[Problem]) -> gpd.GeoDataFrame:
    path = find_layer(root, "ketentuan_khusus")
    if path is None:
        return gpd.GeoDataFrame(
            {"jenis": [], "keterangan": [], "tb": [], "efek": []},
            geometry=gpd.GeoSeries([], crs=crs),
        ).rename_axis("fid")
    overlays = read_layer(path, crs, problems)
    if "jenis" not in overlays.columns:
        raise PlanError(
            "Kolom JENIS tidak ada pada ketentuan_khusus",
            "ketentuan_khusus has no JENIS column",
            where=path.name,
        )
    overlays["jenis"] = overlays["jenis"].astype("string").str.strip().str.upper()
    for name in ("keterangan", "efek"):
        if name not in overlays.columns:
            overlays[name] = None
    overlays["efek"] = (
        overlays["efek"].astype("string").str.strip().str.upper().replace({"": pd.NA})
    )
    overlays["tb"] = (
        pd.to_numeric(overlays["tb"], errors="coerce") if "tb" in overlays.columns else np.nan
    )
    overlays.attrs["source"] = path.name
    return overlays


def read_rtrw(root: Path, crs: str, problems: list[Problem]) -> gpd.GeoDataFrame | None:
    path = find_layer(root, "pola_ruang_rtrw")
    if path is None:
        return None
    rtrw = read_layer(path, crs, problems)
    rtrw.attrs["source"] = path.name
    for name in ("namobj", "jnsrpr"):
        if name not in rtrw.columns:
            rtrw[name] = None
    return rtrw


def read_plan(root: Path | str) -> Plan:
    """Read a plan package folder. Raises PlanError for what cannot be read."""
    root = Path(root)
    if not root.is_dir():
        raise PlanError(
            "Folder paket rencana tidak ditemukan",
            "Plan package folder not found",
            where=str(root),
        )
    problems: list[Problem] = []
    meta = read_meta(root, problems)
    crs_rules.parse(meta.crs)
    zones = read_zones(root, meta, problems)
    crs_rules.require_metric(
        meta.crs,
        crs_rules.lonlat_bounds(zones.total_bounds, meta.crs) if len(zones) else None,
    )
    rules = read_rules(root, meta)
    overlays = read_overlays(root, meta.crs, problems)
    rtrw = read_rtrw(root, meta.crs, problems)
    roads = read_roads(root, meta.crs, problems)
    rules.meta = PlanMeta(**{**meta.__dict__, "checksum": checksum(root)})
    return Plan(
        rules=rules, zones=zones, overlays=overlays, rtrw=rtrw, root=root,
        read_problems=problems, roads=roads,
    )  # fmt: skip
