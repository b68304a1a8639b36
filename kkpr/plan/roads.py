"""The road layer (``jaringan_jalan.*``) and the GSB table (``gsb.csv``) of a plan package.

Published road layers follow the national catalogue (KUGI ``JALAN_LN``): the name in
``NAMRJL`` (or ``NAMOBJ``), the function in ``FGSRJL`` (Arteri, Kolektor, Lokal,
Lingkungan, with Primer/Sekunder), the class in ``KLSRJL`` (I, II, III, Khusus) and the
status in ``STARJL`` (Nasional, Provinsi, Kabupaten, Kota, Desa). Exports rename them
(``FGSJLN``, ``FUNGSI``, ``KELAS``, ``STATUS``...); the first of each list below that
the layer has is read, case-insensitively. The table of GSB by road class names the
same keys as columns (``fungsi``, ``kelas``, ``status``; an empty cell matches any)
beside ``gsb`` and ``jbb`` in metres.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from kkpr.errors import Problem
from kkpr.model import SetbackRow
from kkpr.plan.files import find_layer, read_csv, read_layer
from kkpr.rules.setbacks import road_key

ROADS_LAYER = "jaringan_jalan"
GSB_TABLE = "gsb.csv"
# what each road attribute is called in published layers, most specific first
ROAD_FIELDS: dict[str, tuple[str, ...]] = {
    "nama": ("namrjl", "namjln", "namobj", "nama_jalan", "nama", "name"),
    "fungsi": ("fgsrjl", "fgsjln", "fungsi_jalan", "fungsi", "function"),
    "kelas": ("klsrjl", "klsjln", "kelas_jalan", "kelas", "class"),
    "status": ("starjl", "stajln", "status_jalan", "status"),
}
CLASS_KEYS = ("fungsi", "kelas", "status")


def read_roads(root: Path, crs: str, problems: list[Problem]) -> gpd.GeoDataFrame | None:
    """The road layer with columns ``nama, fungsi, kelas, status`` (text or None) in the
    plan CRS; ``attrs["fields"]`` says which layer field each was read from (absent:
    the layer has none). None when the package has no road layer."""
    path = find_layer(root, ROADS_LAYER)
    if path is None:
        return None
    layer = read_layer(path, crs, problems)
    fields: dict[str, str] = {}
    out = gpd.GeoDataFrame(index=layer.index, geometry=layer.geometry, crs=layer.crs)
    for key, names in ROAD_FIELDS.items():
        found = next((n for n in names if n in layer.columns), None)
        if found is not None:
            fields[key] = found.upper()
            out[key] = pd.Series(
                [_text(v) for v in layer[found].tolist()], index=layer.index, dtype=object
            )
        else:
            out[key] = None
    out = out[["nama", "fungsi", "kelas", "status", "geometry"]]
    out.attrs["fields"] = fields
    out.attrs["columns"] = [str(c).upper() for c in layer.columns if c != layer.geometry.name]
    out.attrs["source"] = path.name
    if "source_crs" in layer.attrs:
        out.attrs["source_crs"] = layer.attrs["source_crs"]
    return out


def read_setbacks(root: Path) -> tuple[SetbackRow, ...]:
    """``gsb.csv`` as rows (keys as written; matched through ``road_key``); () when none.
    A number that is not one is left out here and reported by validation."""
    path = root / GSB_TABLE
    if not path.exists():
        return ()
    table = read_csv(path, ("gsb",))
    rows = []
    for r in table.to_dict("records"):
        rows.append(
            SetbackRow(
                fungsi=_key_text(r.get("fungsi")),
                kelas=_key_text(r.get("kelas")),
                status=_key_text(r.get("status")),
                gsb=_number(r.get("gsb")),
                jbb=_number(r.get("jbb")),
                keterangan=_text(r.get("keterangan")),
            )
        )
    return tuple(rows)


def _key_text(value: object) -> str | None:
    """A key cell as written (for the result's words); None where it matches any."""
    return _text(value) if road_key(value) is not None else None


def _text(value: object) -> str | None:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    text = " ".join(str(value).split())
    return text or None


def _number(value: object) -> float | None:
    text = _text(value)
    if text is None:
        return None
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return None
