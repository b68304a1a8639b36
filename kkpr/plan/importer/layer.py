"""The zoning layer as published: any format GDAL reads, and qgis2web ``.js`` exports.

A qgis2web web map ships each layer as JavaScript, ``var json_NAME_1 = {FeatureCollection};``:
the object is GeoJSON, read by GDAL like any other once the assignment around it is
taken off. The sub-zone code may sit in any field (``KODSZN``, ``KODUNK``, ``SIMBOL``
...): the import names it, or asks, and plan.toml says it (``[fields] kodszn``); the
layer itself is written unchanged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pyogrio

from kkpr.errors import MappingNeeded, PlanError
from kkpr.plan.package import code_text

QGIS2WEB = re.compile(rb"^\s*(?:var|let|const)\s+[\w$]+\s*=\s*", re.ASCII)
CODE_FIELDS = ("kodszn", "kodunk")  # the fields kkpr.plan.package finds by itself


@dataclass(frozen=True)
class Layer:
    frame: gpd.GeoDataFrame  # as read: its own fields, its own CRS
    source: str
    field: str  # the field holding the sub-zone codes
    codes: list[str]  # the distinct codes, as kkpr reads them


def read_source_layer(path: Path, assume_crs: str | None = None) -> gpd.GeoDataFrame:
    """The layer at ``path`` as GDAL reads it (a ``.js`` export unwrapped first);
    ``assume_crs`` is taken only when the layer declares no CRS."""
    if not path.exists():
        raise PlanError("Lapisan tidak ada", "Layer file not found", where=str(path))
    try:
        if path.suffix.lower() == ".js":
            frame = pyogrio.read_dataframe(_unwrap_js(path))
        else:
            source = f"/vsizip/{path}" if path.suffix.lower() == ".zip" else str(path)
            frame = pyogrio.read_dataframe(source)
    except PlanError:
        raise
    except Exception as exc:  # GDAL's errors come in several types
        raise PlanError(
            "Lapisan tidak dapat dibaca",
            "Layer cannot be read",
            where=path.name,
            hint_id=f"Periksa berkasnya ({exc})",
            hint_en=f"Check the file ({exc})",
        ) from exc
    if frame.crs is None and assume_crs:
        frame = frame.set_crs(assume_crs)
    if frame.crs is None:
        raise PlanError(
            "Lapisan tidak menyatakan sistem koordinat (CRS)",
            "Layer declares no coordinate reference system (CRS)",
            where=path.name,
            hint_id="Simpan ulang dengan CRS, atau sebutkan --layer-crs",
            hint_en="Save it again with its CRS, or give --layer-crs",
        )
    return frame


def _unwrap_js(path: Path) -> bytes:
    data = path.read_bytes()
    head = QGIS2WEB.match(data)
    if head is None:
        raise PlanError(
            "Berkas .js bukan ekspor qgis2web (var json_... = {...})",
            "The .js file is not a qgis2web export (var json_... = {...})",
            where=path.name,
        )
    return data[head.end() :].rstrip().rstrip(b";")


def with_codes(frame: gpd.GeoDataFrame, source: str, field: str | None) -> Layer:
    """The layer with the field holding its sub-zone codes: ``field``, else KODSZN or
    KODUNK in any case; MappingNeeded lists the fields when there is none."""
    fields = [str(c) for c in frame.columns if c != frame.geometry.name]
    by_lower = {c.lower(): c for c in fields}
    if field:
        chosen = by_lower.get(field.lower())
        if chosen is None:
            raise MappingNeeded(
                "kodszn_field",
                fields,
                f"Kolom {field!r} tidak ada pada lapisan",
                f"Field {field!r} is not in the layer",
                where=source,
            )
    else:
        chosen = next((by_lower[c] for c in CODE_FIELDS if c in by_lower), None)
        if chosen is None:
            raise MappingNeeded(
                "kodszn_field",
                fields,
                "Kolom kode sub-zona tidak ditemukan pada lapisan",
                "No sub-zone code field found in the layer",
                where=source,
            )
    codes = sorted({c for c in (code_text(v) for v in frame[chosen]) if c})
    return Layer(frame, source, chosen, codes)
