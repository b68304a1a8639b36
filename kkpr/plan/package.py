"""Reading a plan package (a folder, see shared/PLAN_FORMAT.md) into one in-memory Plan.

Reading is strict about what it cannot interpret (a missing required file, a layer
without a CRS, a table without its columns) and raises PlanError saying where. Softer
problems (overlaps, codes without texts, out-of-range numbers) are the business of
``kkpr.plan.validate``, which reports all of them at once.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from kkpr.errors import PlanError, Problem
from kkpr.model import (
    Activity,
    Condition,
    Intensity,
    KbliEntry,
    PlanMeta,
    PlanRules,
    RasterSpec,
    Tolerance,
)
from kkpr.plan.kugi import FLAG_JENIS, INTENSITY_FIELDS, ZONE_FIELDS, lower_columns

LAYER_SUFFIXES = (".gpkg", ".geojson", ".json", ".shp", ".zip")
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

    @property
    def meta(self) -> PlanMeta:
        return self.rules.meta

    def raster_path(self, spec: RasterSpec) -> Path:
        return self.root / spec.path


# ---------------------------------------------------------------- files


def find_layer(root: Path, stem: str) -> Path | None:
    for suffix in LAYER_SUFFIXES:
        candidate = root / f"{stem}{suffix}"
        if candidate.exists():
            return candidate
    return None


def read_layer(path: Path, crs: str) -> gpd.GeoDataFrame:
    """A vector layer reprojected to ``crs``, columns lower-cased, ``fid`` kept."""
    source = f"/vsizip/{path}" if path.suffix.lower() == ".zip" else str(path)
    try:
        frame = pyogrio.read_dataframe(source, fid_as_index=True)
    except Exception as exc:  # pyogrio raises several GDAL error types
        raise PlanError(
            "Lapisan tidak dapat dibaca",
            "Layer cannot be read",
            where=path.name,
            hint_id=f"Periksa berkasnya ({exc})",
            hint_en=f"Check the file ({exc})",
        ) from exc
    if frame.crs is None:
        raise PlanError(
            "Lapisan tidak menyatakan sistem koordinat (CRS)",
            "Layer declares no coordinate reference system (CRS)",
            where=path.name,
            hint_id="Simpan ulang dengan CRS (mis. berkas .prj untuk Shapefile)",
            hint_en="Save it again with its CRS (e.g. the .prj file of a Shapefile)",
        )
    frame = frame.rename(columns=lower_columns(list(frame.columns)))
    frame.index = frame.index.astype(str)
    frame.index.name = "fid"
    return frame.to_crs(crs) if frame.crs != crs else frame


def read_csv(path: Path, required: tuple[str, ...]) -> pd.DataFrame:
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except FileNotFoundError:
        raise PlanError(
            "Berkas wajib tidak ada", "Required file is missing", where=path.name
        ) from None
    except Exception as exc:
        raise PlanError(
            "Tabel tidak dapat dibaca",
            "Table cannot be read",
            where=path.name,
            hint_id=str(exc),
            hint_en=str(exc),
        ) from exc
    table.columns = [c.strip().lower() for c in table.columns]
    missing = [c for c in required if c not in table.columns]
    if missing:
        raise PlanError(
            f"Kolom wajib tidak ada: {', '.join(missing)}",
            f"Required columns missing: {', '.join(missing)}",
            where=path.name,
        )
    return table.apply(lambda col: col.str.strip())


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


def read_meta(root: Path) -> PlanMeta:
    path = root / "plan.toml"
    if not path.exists():
        raise PlanError(
            "plan.toml tidak ada: ini bukan paket rencana",
            "plan.toml is missing: this is not a plan package",
            where=str(root),
        )
    try:
        raw = tomllib.loads(path.read_text("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise PlanError(
            "plan.toml tidak sah", "plan.toml is not valid TOML", where=f"plan.toml: {exc}"
        ) from exc
    missing = [k for k in ("id", "name", "crs") if not raw.get(k)]
    if missing:
        raise PlanError(
            f"plan.toml tidak memuat {', '.join(missing)}",
            f"plan.toml lacks {', '.join(missing)}",
            where="plan.toml",
        )
    tol = raw.get("tolerance", {})
    effective = raw.get("effective_from")
    rasters = tuple(
        RasterSpec(
            id=r["id"],
            path=r["path"],
            kind=r.get("kind", "hazard"),
            label_id=r.get("label_id", r["id"]),
            label_en=r.get("label_en", r["id"]),
            jenis=r.get("jenis"),
            threshold=r.get("threshold"),
            slope_limit_pct=r.get("slope_limit_pct"),
            max_share=float(r.get("max_share", 0.0)),
            efek=r.get("efek") or None,
        )
        for r in raw.get("raster", [])
    )
    overlay_effects = {
        str(k).upper(): (v.get("efek") or None) for k, v in raw.get("overlay", {}).items()
    }
    return PlanMeta(
        id=str(raw["id"]),
        name=str(raw["name"]),
        region_code=str(raw.get("region_code", "")),
        legal_basis=str(raw.get("legal_basis", "")),
        effective_from=effective if isinstance(effective, date) else None,
        crs=str(raw["crs"]),
        tolerance=Tolerance(
            sliver_m2=float(tol.get("sliver_m2", Tolerance.sliver_m2)),
            sliver_share=float(tol.get("sliver_share", Tolerance.sliver_share)),
        ),
        rasters=rasters,
        overlay_effects=overlay_effects,
    )


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
    if (root / "intensitas.csv").exists():
        for r in read_csv(root / "intensitas.csv", ("kodszn",)).to_dict("records"):
            intensity[r["kodszn"].upper()] = Intensity(
                **{k: _safe_number(r.get(k)) for k in INTENSITY_FIELDS}
            )
    return PlanRules(
        meta=meta,
        activities=activities,
        itbx=cells,
        subzones=subzones,
        kbli=kbli,
        conditions=conditions,
        intensity=intensity,
    )


def _safe_number(text: Any) -> float | None:
    # validation reports unparseable numbers; reading treats them as absent
    try:
        return number(text)
    except ValueError:
        return None


def read_zones(root: Path, crs: str) -> gpd.GeoDataFrame:
    path = find_layer(root, "pola_ruang")
    if path is None:
        raise PlanError(
            "Lapisan pola_ruang tidak ada",
            "The pola_ruang layer is missing",
            where=str(root),
            hint_id="Tambahkan pola_ruang.gpkg / .geojson / .shp / .zip",
            hint_en="Add pola_ruang.gpkg / .geojson / .shp / .zip",
        )
    zones = read_layer(path, crs)
    if "kodszn" not in zones.columns:
        raise PlanError(
            "Kolom KODSZN tidak ada pada pola_ruang",
            "pola_ruang has no KODSZN column",
            where=path.name,
        )
    for name in ZONE_FIELDS:
        if name not in zones.columns:
            zones[name] = None
    zones["kodszn"] = zones["kodszn"].astype("string").str.strip().str.upper()
    for name in INTENSITY_FIELDS:
        zones[name] = (
            pd.to_numeric(zones[name], errors="coerce") if name in zones.columns else np.nan
        )
    flag_columns = [c for c in zones.columns if c in FLAG_JENIS]
    zones.attrs["flag_columns"] = flag_columns
    zones.attrs["source"] = path.name
    return zones


def read_overlays(root: Path, crs: str) -> gpd.GeoDataFrame:
    path = find_layer(root, "ketentuan_khusus")
    if path is None:
        return gpd.GeoDataFrame(
            {"jenis": [], "keterangan": [], "tb": [], "efek": []},
            geometry=gpd.GeoSeries([], crs=crs),
        ).rename_axis("fid")
    overlays = read_layer(path, crs)
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


def read_rtrw(root: Path, crs: str) -> gpd.GeoDataFrame | None:
    path = find_layer(root, "pola_ruang_rtrw")
    if path is None:
        return None
    rtrw = read_layer(path, crs)
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
    meta = read_meta(root)
    try:
        from pyproj import CRS

        CRS.from_user_input(meta.crs)
    except Exception as exc:
        raise PlanError(
            f"CRS {meta.crs!r} tidak dikenal", f"Unknown CRS {meta.crs!r}", where="plan.toml"
        ) from exc
    rules = read_rules(root, meta)
    zones = read_zones(root, meta.crs)
    overlays = read_overlays(root, meta.crs)
    rtrw = read_rtrw(root, meta.crs)
    rules.meta = PlanMeta(**{**meta.__dict__, "checksum": checksum(root)})
    return Plan(rules=rules, zones=zones, overlays=overlays, rtrw=rtrw, root=root)
