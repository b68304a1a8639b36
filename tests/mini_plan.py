"""A hand-made plan small enough to work out every answer on paper.

All coordinates are EPSG:32751 metres from the origin (X0, Y0). Zones, 100 m squares::

      y=200 +---------+---------+
            | Z4 R-2  | Z5 K-1  |            CAGBUD (B): x 0..50,  y 150..200
            | KDB 40* | KKOP_1  |            KKOP TB 20: x 100..200, y 100..200
      y=100 +---------+---------+---------+  SEMPADAN (X): x 250..300, y 0..200
            | Z1 K-1  | Z2 R-2  | Z3 RTH-2|
      y=0   +---------+---------+---------+
           x=0      x=100     x=200     x=300

(* per-polygon override of the R-2 default KDB 60.) Nothing beyond x=300 or y=200;
the RTRW layer covers x -500..800, y -500..700.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import geopandas as gpd
import pandas as pd
from shapely.geometry import box

X0, Y0 = 560_000.0, 8_870_000.0
CRS = "EPSG:32751"


def sq(x0: float, y0: float, x1: float, y1: float):
    return box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


def write_mini_plan(root: Path, fmt: str = "gpkg") -> Path:
    """Write the mini plan into ``root`` with layers as gpkg, geojson, shp or zip."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "plan.toml").write_text(
        textwrap.dedent("""\
        id = "mini"
        name = "Rencana mini (uji)"
        region_code = "00.00"
        legal_basis = "Uji / test"
        effective_from = 2024-01-01
        crs = "EPSG:32751"
        [tolerance]
        sliver_m2 = 5.0
        sliver_share = 0.01
        """)
    )
    (root / "itbx.csv").write_text(
        textwrap.dedent("""\
        kode_kegiatan,kegiatan,K-1,R-2,RTH-2
        PERDAG-MINI,Minimarket,I,T1,X
        RESTO,Restoran,I,T1;B1,X
        TANI,Pertanian tanaman pangan,X,X,I
        """)
    )
    (root / "kbli.csv").write_text(
        textwrap.dedent("""\
        kbli,judul,kode_kegiatan
        47111,Perdagangan Eceran Yang Utamanya Makanan, Minuman Atau Tembakau Di Minimarket/Supermarket/Hypermarket,PERDAG-MINI
        56101,Restoran,RESTO
        01121,Pertanian Padi Hibrida,TANI
        """).replace("Makanan, Minuman Atau Tembakau", "Makanan Minuman Atau Tembakau")
    )
    (root / "ketentuan.csv").write_text(
        textwrap.dedent("""\
        kode,teks,max_floor_area_m2,max_site_area_m2,max_floors
        T1,Luas lantai paling banyak 200 m2,200,,
        B1,Wajib memiliki kajian dampak lalu lintas,,,
        """)
    )
    (root / "intensitas.csv").write_text(
        textwrap.dedent("""\
        kodszn,kdb,klb,kdh,ktb,tb,jlb,gsb
        K-1,70,3,10,,24,6,5
        R-2,60,1.2,20,,12,3,3
        RTH-2,5,0.05,90,,4,1,
        """)
    )
    zones = gpd.GeoDataFrame(
        {
            "KODSZN": ["K-1", "R-2", "RTH-2", "R-2", "K-1"],
            "NAMSZN": [
                "Perdagangan kota",
                "Rumah kepadatan tinggi",
                "Taman kota",
                "Rumah kepadatan tinggi",
                "Perdagangan kota",
            ],
            "KODBLK": ["A.1", "A.1", "A.2", "B.1", "B.1"],
            "KDB": [None, None, None, 40.0, None],
            "KKOP_1": [0, 0, 0, 0, 1],
        },
        geometry=[
            sq(0, 0, 100, 100),
            sq(100, 0, 200, 100),
            sq(200, 0, 300, 100),
            sq(0, 100, 100, 200),
            sq(100, 100, 200, 200),
        ],
        crs=CRS,
    )
    overlays = gpd.GeoDataFrame(
        {
            "JENIS": ["CAGBUD", "KKOP", "SEMPADAN"],
            "KETERANGAN": ["Situs uji", "Permukaan horizontal dalam", "Sempadan sungai uji"],
            "TB": [None, 20.0, None],
            "EFEK": ["B", None, "X"],
        },
        geometry=[sq(0, 150, 50, 200), sq(100, 100, 200, 200), sq(250, 0, 300, 200)],
        crs=CRS,
    )
    rtrw = gpd.GeoDataFrame(
        {"NAMOBJ": ["Kawasan Permukiman"], "JNSRPR": ["Kawasan Budi Daya"]},
        geometry=[sq(-500, -500, 800, 700)],
        crs=CRS,
    )
    for name, frame in (
        ("pola_ruang", zones),
        ("ketentuan_khusus", overlays),
        ("pola_ruang_rtrw", rtrw),
    ):
        _write(frame, root, name, fmt)
    return root


def _write(frame: gpd.GeoDataFrame, root: Path, name: str, fmt: str) -> None:
    if fmt == "gpkg":
        frame.to_file(root / f"{name}.gpkg", driver="GPKG")
    elif fmt == "geojson":
        frame.to_crs("EPSG:4326").to_file(root / f"{name}.geojson", driver="GeoJSON")
    elif fmt in ("shp", "zip"):
        folder = root / f"_{name}_shp"
        folder.mkdir(exist_ok=True)
        frame.to_file(folder / f"{name}.shp", driver="ESRI Shapefile")
        if fmt == "shp":
            for p in folder.iterdir():
                p.rename(root / p.name)
        else:
            shutil.make_archive(str(root / name), "zip", folder)
        shutil.rmtree(folder)
    else:
        raise ValueError(fmt)


def site(x0: float, y0: float, x1: float, y1: float) -> dict:
    """A site rectangle as a GeoJSON geometry in the plan CRS (pass crs=CRS)."""
    return sq(x0, y0, x1, y1).__geo_interface__


# K-1 by lot size, as the Peraturan Zonasi of Kota Yogyakarta gives sub-zone K (Perda
# 1/2015; /work/shared/real_data/yogyakarta/seed.js): five classes, no general row
LOT_CLASSES = """\
kodszn,kelas,luas_min,luas_max,kdb,klb,kdh,ktb,tb,jlb,gsb
K-1,1,40,100,90,4.5,5,,20,,5
K-1,2,101,200,90,4.5,5,,24,,5
K-1,3,201,400,80,4.8,10,,26,,5
K-1,4,401,1000,80,4.8,10,,28,,5
K-1,5,1001,,80,6.4,10,,32,,5
R-2,,,,60,1.2,20,,12,3,3
RTH-2,,,,5,0.05,90,,4,1,
"""


def with_lot_classes(root: Path) -> Path:
    """The mini plan with K-1's intensity by lot-size class (``LOT_CLASSES``)."""
    (root / "intensitas.csv").write_text(LOT_CLASSES)
    return root


def with_overlay(
    root: Path,
    jenis: str,
    geom: tuple[float, float, float, float],
    efek: str | None,
    tb: float | None = None,
    keterangan: str = "",
) -> Path:
    """The mini plan with one more ketentuan_khusus feature (x0, y0, x1, y1 of a box)."""
    layer = root / "ketentuan_khusus.gpkg"
    frame = gpd.read_file(layer)
    row = gpd.GeoDataFrame(
        {"JENIS": [jenis], "KETERANGAN": [keterangan or jenis], "TB": [tb], "EFEK": [efek]},
        geometry=[sq(*geom)],
        crs=CRS,
    )
    frame = gpd.GeoDataFrame(
        pd.concat([frame, row], ignore_index=True), geometry="geometry", crs=CRS
    )
    frame.to_file(layer, driver="GPKG")
    return root
