"""A plan diff as a GeoPackage staff open in QGIS: one layer per kind of change."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from kkpr.revision.diff import PlanDiff

SPATIAL_LAYERS = ("zones_changed", "overlays_added", "overlays_removed")
TABLES = (
    "itbx_changed",
    "kbli_changed",
    "conditions_changed",
    "intensity_changed",
    "overlays_changed",
    "meta_changed",
)


def write_gpkg(diff: PlanDiff, path: Path) -> Path:
    """Write the spatial layers (always present, maybe empty) and the rule tables."""
    path = Path(path)
    if path.exists():
        path.unlink()
    for name in SPATIAL_LAYERS:
        frame: gpd.GeoDataFrame = getattr(diff, name)
        if frame.crs is None:
            frame = frame.set_crs(diff.crs)
        pyogrio.write_dataframe(
            _plain_columns(frame),
            path,
            layer=name,
            driver="GPKG",
            geometry_type="MultiPolygon",
            promote_to_multi=True,
        )
    for name in TABLES:
        table: pd.DataFrame = getattr(diff, name)
        if len(table):
            pyogrio.write_dataframe(_plain_columns(table), path, layer=name, driver="GPKG")
    return path


def _plain_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Object columns mixing numbers, text and None are written as text."""
    # "fid" is the GeoPackage's own key; the plan's fid is kept beside it
    out = frame.rename(columns={"fid": "plan_fid"})
    for col in out.columns:
        if col == "geometry" or out[col].dtype != object:
            continue
        values = out[col].dropna()
        if len({type(v) for v in values}) > 1:
            out[col] = out[col].map(lambda v: None if v is None else str(v))
    return out
