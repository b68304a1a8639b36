"""Reading many sites from a file and writing results back, in the format staff use.

A sites file is a GeoPackage, a GeoParquet or a CSV with a WKT geometry column, with
an id column, ``kbli``, and where present the proposal columns of ``Proposal``.
"""

from __future__ import annotations

from pathlib import Path
from typing import get_type_hints

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from kkpr.errors import SiteError
from kkpr.model import Proposal

# The proposal's figures, in the order of ``Proposal``'s fields: the columns a sites file
# may carry and a results file repeats. Read from the dataclass so that a figure added to
# the proposal is a bulk column too; the drawn footprint and the TOD request are not
# figures (a file has no column for them).
PROPOSAL_COLUMNS: tuple[str, ...] = tuple(
    name for name, hint in get_type_hints(Proposal).items() if hint in (float | None, int | None)
)
ID_COLUMNS = ("id", "site_id", "fid", "kode", "nomor")
WKT_COLUMNS = ("geometry", "wkt", "geom", "the_geom")
FORMATS = {".gpkg": "gpkg", ".parquet": "parquet", ".geoparquet": "parquet", ".csv": "csv"}


def file_format(path: Path) -> str:
    fmt = FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise SiteError(
            f"Format berkas {Path(path).suffix!r} tidak didukung",
            f"File format {Path(path).suffix!r} is not supported",
            where=str(path),
            hint_id="Gunakan .gpkg, .parquet atau .csv (kolom WKT)",
            hint_en="Use .gpkg, .parquet or .csv (a WKT column)",
        )
    return fmt


def read_sites(
    path: Path, *, crs: str | None = None, id_column: str | None = None
) -> gpd.GeoDataFrame:
    """Sites with columns ``site_id``, ``kbli``, the proposal columns, ``geometry``.

    ``crs`` is the CRS of a CSV's WKT (EPSG:4326 when not given) or overrides a
    layer without one.
    """
    path = Path(path)
    fmt = file_format(path)
    if not path.exists():
        raise SiteError("Berkas tapak tidak ada", "Sites file not found", where=str(path))
    if fmt == "gpkg":
        frame = pyogrio.read_dataframe(path, fid_as_index=True)
        frame.index.name = "fid"
        frame = frame.reset_index()
    elif fmt == "parquet":
        frame = gpd.read_parquet(path)
    else:
        frame = _read_csv(path, crs)
    frame.columns = [c if c == frame.geometry.name else str(c).lower() for c in frame.columns]
    if frame.crs is None:
        frame = frame.set_crs(crs or "EPSG:4326")
    if frame.geometry.name != "geometry":
        frame = frame.rename_geometry("geometry")
    return _normalise(frame, path, id_column)


def _read_csv(path: Path, crs: str | None) -> gpd.GeoDataFrame:
    table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    lower = {c.lower(): c for c in table.columns}
    wkt = next((lower[c] for c in WKT_COLUMNS if c in lower), None)
    if wkt is None:
        raise SiteError(
            "CSV tidak memiliki kolom geometri WKT",
            "The CSV has no WKT geometry column",
            where=str(path),
            hint_id=f"Beri nama kolom WKT salah satu dari: {', '.join(WKT_COLUMNS)}",
            hint_en=f"Name the WKT column one of: {', '.join(WKT_COLUMNS)}",
        )
    text = table.pop(wkt).to_numpy(dtype=object)
    text[text == ""] = None
    geoms = shapely.from_wkt(text, on_invalid="ignore")
    return gpd.GeoDataFrame(table, geometry=geoms, crs=crs or "EPSG:4326")


def _normalise(frame: gpd.GeoDataFrame, path: Path, id_column: str | None) -> gpd.GeoDataFrame:
    key = id_column.lower() if id_column else next((c for c in ID_COLUMNS if c in frame), None)
    if id_column and key not in frame:
        raise SiteError(
            f"Kolom id {id_column!r} tidak ada",
            f"Id column {id_column!r} not found",
            where=str(path),
        )
    if "kbli" not in frame:
        raise SiteError("Kolom kbli tidak ada", "The kbli column is missing", where=str(path))
    out = pd.DataFrame(
        {
            "site_id": frame[key].astype(str).to_numpy()
            if key
            else np.arange(len(frame)).astype(str),
            "kbli": [kbli_text(v) for v in frame["kbli"]],
        }
    )
    for col in PROPOSAL_COLUMNS:
        if col in frame:
            out[col] = pd.to_numeric(frame[col].replace("", None), errors="coerce").to_numpy()
    return gpd.GeoDataFrame(out, geometry=frame.geometry.values, crs=frame.crs)


def kbli_text(value: object) -> str:
    """A KBLI code as five-digit text (a spreadsheet may have made 01121 the number 1121)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, (int, np.integer)) or (isinstance(value, float) and value.is_integer()):
        return f"{int(value):05d}"
    text = str(value).strip()
    return text.zfill(5) if text.isdigit() and len(text) < 5 else text


def write_table(frame: pd.DataFrame, path: Path, layer: str | None = None) -> Path:
    """Write a results frame (geometry column optional) as GeoPackage, GeoParquet or CSV."""
    path = Path(path)
    fmt = file_format(path)
    if fmt == "csv":
        out = pd.DataFrame(frame.drop(columns="geometry", errors="ignore"))
        if "geometry" in frame:
            out["geometry"] = shapely.to_wkt(
                np.asarray(frame.geometry.values, dtype=object), rounding_precision=-1
            )
        out.to_csv(path, index=False)
    elif fmt == "parquet":
        if isinstance(frame, gpd.GeoDataFrame):
            frame.to_parquet(path, index=False)
        else:
            pd.DataFrame(frame).to_parquet(path, index=False)
    else:
        pyogrio.write_dataframe(
            frame,
            path,
            layer=layer or "results",
            driver="GPKG",
            promote_to_multi=isinstance(frame, gpd.GeoDataFrame)
            and bool(frame.geom_type.isin(["Polygon", "MultiPolygon"]).all()),
        )
    return path
