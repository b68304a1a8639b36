"""A plan's layers as PostgreSQL COPY text, fast enough for 500,000 polygons.

Each layer becomes columns of ready COPY fields (text format: tab-separated, ``\\N``
for NULL, backslash escapes), built column by column with the values the memory
store derives row by row (``kkpr.store.memory``) and the properties its features
show (``kkpr.store.features``). Repetitive columns are converted once per distinct
value. Rows are joined a chunk at a time, while the server parses the chunk before.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from kkpr.plan.kugi import FLAG_JENIS, INTENSITY_FIELDS, flag_is_set
from kkpr.plan.package import Plan
from kkpr.store.features import _fid_key as fid_key
from kkpr.store.features import _json_value as json_value
from kkpr.store.memory import _num, _text

NULL = "\\N"
# a polygon with more vertices than this is also stored cut into pieces of at most this
PIECE_VERTICES = 256


@dataclass
class Layer:
    """A layer as COPY fields: ``columns[name][row]``."""

    columns: dict[str, list[str]]
    rows: int

    def chunks(self, size: int) -> Iterator[tuple[str, int]]:
        """The COPY text, ``size`` rows at a time, with the number of rows in each."""
        fields = list(self.columns.values())
        for start in range(0, self.rows, size):
            part = zip(*(f[start : start + size] for f in fields), strict=True)
            yield (
                "".join(f"{line}\n" for line in map("\t".join, part)),
                min(size, self.rows - start),
            )


# ---------------------------------------------------------------- fields


def escape(value: str | None) -> str:
    if value is None:
        return NULL
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        value = value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
        value = value.replace("\r", "\\r")
    return value


def array_text(value: str) -> str:
    """One element of a PostgreSQL array literal, quoted (before COPY escaping)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def mapped(series: pd.Series | list[Any], fn: Callable[[Any], str]) -> list[str]:
    """``fn`` of every value, computed once per distinct value; ``fn(None)`` for NA."""
    codes, uniques = pd.factorize(pd.Series(series, dtype=object), use_na_sentinel=True)
    # tolist: plain Python values in one call (iterating Arrow strings one by one is slow)
    values = np.array([fn(u) for u in uniques.tolist()] + [fn(None)], dtype=object)
    return list(values[codes])


def floats(values: Any) -> list[str]:
    """Numbers as their shortest exact text (what Python's repr writes); NaN is NULL."""
    arr = np.asarray(values, dtype="float64")
    text = arr.astype(str)  # numpy's shortest repr: reads back to the same double
    found: list[str] = np.where(np.isnan(arr), NULL, text).tolist()
    return found


def ints(values: Any) -> list[str]:
    found: list[str] = np.asarray(values, dtype="int64").astype(str).tolist()
    return found


def texts(series: pd.Series) -> list[str]:
    """A text attribute as the memory store reads it (``_text``: stripped, empty is None)."""
    return mapped(series, lambda v: escape(_text(v)))


def geometry(geoms: Any, srid: int) -> dict[str, list[str]]:
    """The ``pieced`` flag and the EWKB (hex) of each geometry, 2D, with ``srid``."""
    arr = shapely.set_srid(np.asarray(geoms, dtype=object), srid)
    pieced = shapely.get_num_coordinates(arr) > PIECE_VERTICES
    wkb = shapely.to_wkb(arr, hex=True, include_srid=True, output_dimension=2)
    return {"pieced": np.where(pieced, "t", "f").tolist(), "geom": list(wkb)}


def _json_fields(key: str, series: pd.Series) -> list[str]:
    """``"key":value`` JSON text of a column (kkpr.store.features: non-finite is null)."""
    head = json.dumps(key, ensure_ascii=False) + ":"
    if pd.api.types.is_bool_dtype(series.dtype) and not series.hasnans:
        return [head + ("true" if v else "false") for v in series.tolist()]
    if pd.api.types.is_integer_dtype(series.dtype) and not series.hasnans:
        return [head + t for t in ints(series.to_numpy())]
    if pd.api.types.is_float_dtype(series.dtype):
        values = series.to_numpy(dtype="float64", na_value=np.nan)
        text = values.astype(str).tolist()
        bad = ~np.isfinite(values)
        return [head + ("null" if b else t) for t, b in zip(text, bad.tolist(), strict=True)]
    dumps = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode
    return mapped(series, lambda v: head + dumps(json_value(v)))


def attrs(frame: gpd.GeoDataFrame) -> list[str]:
    """Every attribute of each feature as a JSON object, COPY-escaped (JSON has no raw
    tabs or newlines: only its backslashes need doubling)."""
    plain = frame.drop(columns=frame.geometry.name)
    columns = [_json_fields(str(k), plain[k]) for k in plain.columns]
    if not columns:
        return ["{}"] * len(frame)
    return [("{" + ",".join(row) + "}").replace("\\", "\\\\") for row in zip(*columns, strict=True)]


def base(frame: gpd.GeoDataFrame, vid: int) -> dict[str, list[str]]:
    """vid, seq (layer order: the order of hits), frank (fid order: features pages), fid."""
    fids = [str(f) for f in frame.index]
    order = sorted(range(len(fids)), key=lambda i: fid_key(fids[i]))
    rank = np.empty(len(fids), dtype=np.int64)
    rank[order] = np.arange(len(fids))
    return {
        "vid": [str(vid)] * len(fids),
        "seq": ints(np.arange(len(fids))),
        "frank": ints(rank),
        "fid": [escape(f) for f in fids],
    }


# ---------------------------------------------------------------- layers


def zones(plan: Plan, vid: int, srid: int) -> Layer:
    z = plan.zones
    cols = base(z, vid)
    cols["kodszn"] = mapped(z["kodszn"], lambda v: escape("<NA>" if v is None else str(v)))
    for name in ("namszn", "kodzon", "namzon", "kodblk", "kodsbl", "wadmkc", "wadmkd"):
        cols[name] = texts(z[name])
    flag_cols = list(z.attrs.get("flag_columns", []))
    kinds = [FLAG_JENIS[c] for c in flag_cols]
    rows = list(zip(*(z[c].tolist() for c in flag_cols), strict=True)) if flag_cols else []
    set_rows = [
        [(k, v) for k, v in zip(kinds, row, strict=True) if flag_is_set(v)] for row in rows
    ] or [[] for _ in range(len(z))]
    cols["flags"] = ["{" + ",".join(k for k, _ in row) + "}" for row in set_rows]
    cols["flag_texts"] = [
        escape("{" + ",".join(array_text(v) for _, v in row) + "}") for row in set_rows
    ]
    for name in INTENSITY_FIELDS:
        cols[name] = floats(pd.to_numeric(z[name], errors="coerce"))
    cols["attrs"] = attrs(z)
    cols |= geometry(z.geometry.values, srid)
    return Layer(cols, len(z))


def overlays(plan: Plan, vid: int, srid: int) -> Layer:
    ov = plan.overlays
    cols = base(ov, vid)
    cols["jenis"] = [escape(str(v)) for v in ov["jenis"]]
    cols["keterangan"] = [escape(_text(v)) for v in ov["keterangan"]]
    cols["tb"] = floats([np.nan if (n := _num(v)) is None else n for v in ov["tb"]])
    cols["efek"] = [escape(_text(v)) for v in ov["efek"]]
    cols["attrs"] = attrs(ov)
    cols |= geometry(ov.geometry.values, srid)
    return Layer(cols, len(ov))


def rtrw(layer: gpd.GeoDataFrame, vid: int, srid: int) -> Layer:
    cols = base(layer, vid)
    cols["namobj"] = [escape(str(v)) for v in layer["namobj"]]
    cols["jnsrpr"] = [escape(_text(v)) for v in layer["jnsrpr"]]
    cols["attrs"] = attrs(layer)
    cols |= geometry(layer.geometry.values, srid)
    return Layer(cols, len(layer))


def no_rtrw(crs: str) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"namobj": [], "jnsrpr": []}, geometry=gpd.GeoSeries([], crs=crs)
    ).rename_axis("fid")
