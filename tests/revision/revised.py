"""A revision of the mini plan, as a planner would make it, for diff and re-check tests.

Against ``tests/mini_plan.py``:
- the boundary between Z1 (K-1, x 0..100) and Z2 (R-2, x 100..200) moves to x = 120,
  so 20 m x 100 m = 2,000 m² pass from R-2 to K-1;
- the ITBX cell (PERDAG-MINI, R-2) changes from T1 to I;
- the CAGBUD overlay (x 0..50, y 150..200) is removed and a KRB overlay (EFEK B,
  x 200..250, y 0..50, inside Z3 RTH-2) is added.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import geopandas as gpd

from tests.mini_plan import CRS, sq

MOVED_AREA_M2 = 20.0 * 100.0


def write_revised_plan(old_dir: Path, new_dir: Path) -> Path:
    shutil.copytree(old_dir, new_dir)
    zones = gpd.read_file(new_dir / "pola_ruang.gpkg")
    zones.loc[0, "geometry"] = sq(0, 0, 120, 100)
    zones.loc[1, "geometry"] = sq(120, 0, 200, 100)
    zones.to_file(new_dir / "pola_ruang.gpkg", driver="GPKG")
    itbx = (new_dir / "itbx.csv").read_text()
    (new_dir / "itbx.csv").write_text(
        itbx.replace("PERDAG-MINI,Minimarket,I,T1,X", "PERDAG-MINI,Minimarket,I,I,X")
    )
    overlays = gpd.read_file(new_dir / "ketentuan_khusus.gpkg")
    overlays = overlays[overlays["JENIS"] != "CAGBUD"]
    krb = gpd.GeoDataFrame(
        {"JENIS": ["KRB"], "KETERANGAN": ["Rawan banjir uji"], "TB": [None], "EFEK": ["B"]},
        geometry=[sq(200, 0, 250, 50)],
        crs=CRS,
    )
    gpd.GeoDataFrame(
        gpd.pd.concat([overlays, krb], ignore_index=True), geometry="geometry", crs=CRS
    ).to_file(new_dir / "ketentuan_khusus.gpkg", driver="GPKG")
    return new_dir
