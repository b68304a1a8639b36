"""The mini plan (tests/mini_plan.py) with a road layer and a GSB table, worked by hand.

Roads (EPSG:32751 metres from X0, Y0; the zones are the mini plan's 100 m squares)::

      y=206  R3 "Jalan Uji Lingkungan" (Lingkungan: no gsb.csv row)  x 0..200
      y=200 +---------+---------+
            | Z4 R-2  | Z5 K-1  |
      y=100 +---------+---------+---------+
            | Z1 K-1  | Z2 R-2  | Z3 RTH-2|   R4 "Jalan Uji Taman" (Lingkungan) x=306
      y=0   +---------+---------+---------+
      y=-6   R1 "Jalan Uji Arteri" (Arteri Sekunder), two segments: x -10..150, 150..310
      R2 "Jalan Uji Lokal" (Lokal Sekunder) along x=-4, y -10..210

gsb.csv: Arteri Sekunder GSB 10 m, JBB 3 m; Lokal Sekunder GSB 6 m, JBB 2 m.
intensitas.csv (the mini plan's): GSB K-1 5 m, R-2 3 m, RTH-2 none.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
from shapely.geometry import LineString

from tests.mini_plan import CRS, X0, Y0, write_mini_plan

GSB_CSV = "fungsi,kelas,status,gsb,jbb\nArteri Sekunder,,,10,3\nLokal Sekunder,,,6,2\n"


def line(*points: tuple[float, float]) -> LineString:
    return LineString([(X0 + x, Y0 + y) for x, y in points])


def roads_frame(**fields: list[object]) -> gpd.GeoDataFrame:
    columns = fields or {
        "NAMRJL": ["Jalan Uji Arteri", "Jalan Uji Arteri", "Jalan Uji Lokal",
                   "Jalan Uji Lingkungan", "Jalan Uji Taman"],
        "FGSRJL": ["Arteri Sekunder", "Arteri Sekunder", "Lokal Sekunder", "Lingkungan",
                   "Lingkungan"],
        "KLSRJL": ["III", "III", "III", None, None],
        "STARJL": ["Jalan Kota"] * 5,
    }  # fmt: skip
    return gpd.GeoDataFrame(
        columns,
        geometry=[
            line((-10, -6), (150, -6)),
            line((150, -6), (310, -6)),
            line((-4, -10), (-4, 210)),
            line((0, 206), (200, 206)),
            line((306, 0), (306, 100)),
        ],
        crs=CRS,
    )


def write_roads_plan(root: Path, toml: str = "", gsb: str | None = GSB_CSV) -> Path:
    """The mini plan with ``jaringan_jalan.gpkg`` and ``gsb.csv``; ``toml`` is appended
    to plan.toml (e.g. a [setbacks] table)."""
    write_mini_plan(root)
    roads_frame().to_file(root / "jaringan_jalan.gpkg", driver="GPKG")
    if gsb is not None:
        (root / "gsb.csv").write_text(gsb, encoding="utf-8")
    if toml:
        with (root / "plan.toml").open("a", encoding="utf-8") as f:
            f.write(toml)
    return root
