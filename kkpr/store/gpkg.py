"""A plan version as one GeoPackage: its zones, overlays and RTRW as the OGC API
serves them (each zone with the intensity the check applies), in the plan CRS, each
layer with its map style (QML and SLD in ``layer_styles``, which QGIS applies when
the layer is opened)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import geopandas as gpd

from kkpr import styles
from kkpr.store.features import TITLES

LAYER_STYLES_SQL = """
CREATE TABLE IF NOT EXISTS layer_styles (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    f_table_catalog TEXT(256), f_table_schema TEXT(256), f_table_name TEXT(256),
    f_geometry_column TEXT(256), styleName TEXT(30), styleQML TEXT, styleSLD TEXT,
    useAsDefault BOOLEAN, description TEXT, owner TEXT(30), ui TEXT(30),
    update_time DATETIME DEFAULT CURRENT_TIMESTAMP
)"""


def layer_name(collection: str) -> str:
    """The package's own name of a collection's layer (pola_ruang, ...)."""
    return TITLES[collection][2]


def write_gpkg(path: Path, layers: dict[str, gpd.GeoDataFrame]) -> Path:
    """Write ``{collection: frame}`` into a new GeoPackage at ``path``, styled."""
    path.unlink(missing_ok=True)
    for collection, frame in layers.items():
        _with_fids(frame).to_file(path, layer=layer_name(collection), driver="GPKG")
    with sqlite3.connect(path) as db:
        db.execute(LAYER_STYLES_SQL)
        db.execute(
            "INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier) "
            "VALUES ('layer_styles', 'attributes', 'layer_styles')"
        )
        for collection, frame in layers.items():
            prop = styles.STYLED_BY[collection]
            values = sorted({str(v) for v in frame[prop].dropna()}) if prop in frame.columns else []
            title = TITLES[collection][0]
            db.execute(
                "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, "
                "f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description, "
                "owner) VALUES ('', '', ?, 'geometry', ?, ?, ?, 1, ?, 'kkpr')",
                (
                    layer_name(collection),
                    f"kkpr-{collection}",
                    styles.qml(collection, values),
                    styles.sld(collection, title, values),
                    title,
                ),
            )
    return path


def _with_fids(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The source fids kept: as the GeoPackage's own fid where they are numbers (as
    the OGC API's feature ids), else in a ``source_fid`` column."""
    fids = [str(f) for f in frame.index]
    out = frame.reset_index(drop=True)
    out = out.drop(columns=[c for c in ("fid", "source_fid") if c in out.columns])
    if fids and all(f.isdigit() for f in fids):
        out.insert(0, "fid", [int(f) for f in fids])
    else:
        out.insert(0, "source_fid", fids)
    return out
