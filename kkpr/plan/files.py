"""Reading a package's files: layers with the CRS they are in, tables with their encoding.

What cannot be read is a PlanError saying why, with the file and line: a table saved in
cp1252 instead of UTF-8, written with ``;`` between its columns (a spreadsheet's
regional setting), a row with more cells than the header; a layer GDAL cannot open. A
layer that declares no CRS (a Shapefile without its ``.prj``) is read in the CRS its
coordinates fit (``kkpr.plan.crs.assume``), and a warning says which.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from kkpr.errors import PlanError, Problem
from kkpr.plan import crs as crs_rules
from kkpr.plan.kugi import lower_columns

LAYER_SUFFIXES = (".gpkg", ".geojson", ".json", ".shp", ".zip")


def find_layer(root: Path, stem: str) -> Path | None:
    for suffix in LAYER_SUFFIXES:
        candidate = root / f"{stem}{suffix}"
        if candidate.exists():
            return candidate
    return None


def read_layer(path: Path, crs: str, problems: list[Problem] | None = None) -> gpd.GeoDataFrame:
    """A vector layer reprojected to ``crs``, columns lower-cased, ``fid`` kept; the CRS it
    was read in is in ``attrs["source_crs"]`` (and a warning in ``problems`` where it
    was assumed)."""
    source = f"/vsizip/{path}" if path.suffix.lower() == ".zip" else str(path)
    try:
        frame = pyogrio.read_dataframe(source, fid_as_index=True)
    except Exception as exc:  # pyogrio raises several GDAL error types
        raise _unreadable(path, "layer.unreadable", str(exc)) from exc
    if frame.crs is None:
        assumed = crs_rules.assume(frame.total_bounds, crs) if len(frame) else crs
        if assumed is None:
            raise PlanError(
                "Lapisan tidak menyatakan sistem koordinat (CRS), dan koordinatnya bukan "
                f"bujur/lintang maupun {crs}",
                "The layer declares no coordinate reference system (CRS), and its "
                f"coordinates are neither longitude/latitude nor {crs}",
                where=path.name,
                hint_id="Sertakan CRS-nya (berkas .prj untuk Shapefile)",
                hint_en="Ship its CRS (the .prj file of a Shapefile)",
                problems=[
                    Problem(
                        "layer.no_crs",
                        "Lapisan tanpa CRS (.prj tidak ada) dan CRS-nya tidak dapat diduga",
                        "Layer without a CRS (no .prj) whose CRS cannot be told",
                        file=path.name,
                    )
                ],
            )
        frame = frame.set_crs(assumed)
        if problems is not None:
            shown = crs_rules.describe(frame.crs)
            problems.append(
                Problem(
                    "layer.crs_assumed",
                    f"Lapisan tanpa CRS (mis. .prj tidak ada): dianggap {shown}",
                    f"Layer declares no CRS (e.g. no .prj): read as {shown}",
                    file=path.name,
                    severity="warning",
                )
            )
    frame = frame.rename(columns=lower_columns(list(frame.columns)))
    frame.index = frame.index.astype(str)
    frame.index.name = "fid"
    read_in, code = crs_rules.describe(frame.crs), frame.crs.to_string()
    frame = frame.to_crs(crs) if frame.crs != crs else frame
    frame.attrs["source_crs"] = read_in  # what `plan validate` and `plan info` say
    frame.attrs["source_crs_code"] = code  # where gaps and overlaps are located
    return frame


def read_csv(path: Path, required: tuple[str, ...]) -> pd.DataFrame:
    """A CSV table as text cells, stripped, columns lower-cased; PlanError with the file
    and line where it cannot be read."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise PlanError(
            "Berkas wajib tidak ada", "Required file is missing", where=path.name
        ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        sample = raw.splitlines()[line - 1].decode("cp1252", errors="replace")
        raise _unreadable(
            path,
            "table.encoding",
            f"bukan UTF-8 (byte {raw[exc.start]:#04x}; mungkin cp1252/Windows-1252): {sample!r}",
            f"not UTF-8 (byte {raw[exc.start]:#04x}; perhaps cp1252/Windows-1252): {sample!r}",
            row=line,
            hint=(
                "Simpan ulang sebagai CSV UTF-8 (Excel: 'CSV UTF-8')",
                "Save it again as CSV UTF-8 (Excel: 'CSV UTF-8')",
            ),
        ) from exc
    header = next(iter(text.splitlines()), "")
    if ";" in header and len(next(csv.reader([header]))) == 1:
        raise _unreadable(
            path,
            "table.separator",
            "kolom dipisah ';', bukan ','",
            "columns are separated by ';', not ','",
            row=1,
            hint=(
                "Simpan ulang dengan koma sebagai pemisah (CSV UTF-8, pemisah koma)",
                "Save it again with commas between columns (CSV UTF-8, comma-separated)",
            ),
        )
    try:
        table = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except pd.errors.ParserError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise _unreadable(
            path, "table.unreadable", str(exc), str(exc), row=int(m.group(1)) if m else None
        ) from exc
    except pd.errors.EmptyDataError as exc:
        raise _unreadable(path, "table.empty", "berkas kosong", "the file is empty") from exc
    table.columns = [str(c).strip().lower() for c in table.columns]
    missing = [c for c in required if c not in table.columns]
    if missing:
        raise PlanError(
            f"Kolom wajib tidak ada: {', '.join(missing)}",
            f"Required columns missing: {', '.join(missing)}",
            where=path.name,
            hint_id=f"Kolom yang ada: {', '.join(table.columns)}",
            hint_en=f"Columns found: {', '.join(table.columns)}",
        )
    stripped: pd.DataFrame = table.apply(lambda col: col.str.strip())
    return stripped


def _unreadable(
    path: Path,
    code: str,
    why_id: str,
    why_en: str | None = None,
    row: int | None = None,
    hint: tuple[str, str] | None = None,
) -> PlanError:
    kind_id, kind_en = ("Lapisan", "Layer") if code.startswith("layer") else ("Tabel", "Table")
    why_en = why_en or why_id
    return PlanError(
        f"{kind_id} tidak dapat dibaca: {why_id}",
        f"{kind_en} cannot be read: {why_en}",
        where=f"{path.name}{f', baris/line {row}' if row else ''}",
        hint_id=hint[0] if hint else "Periksa berkasnya",
        hint_en=hint[1] if hint else "Check the file",
        problems=[
            Problem(
                code,
                f"{kind_id} tidak dapat dibaca: {why_id}",
                f"{kind_en} cannot be read: {why_en}",
                file=path.name,
                row=row,
            )
        ],
    )
