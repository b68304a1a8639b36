"""Self-checks of the committed synthetic Kupang plan package (zoning_data/kupang).

They read the committed files only (regenerate with zoning_data/kupang/generate.py).
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio

ROOT = Path(__file__).resolve().parents[2] / "zoning_data"
PKG = ROOT / "kupang"
CELL = re.compile(r"^(I|X|[TB]\d+(;[TB]\d+)*)$")


@pytest.fixture(scope="module")
def pola() -> gpd.GeoDataFrame:
    return gpd.read_file(PKG / "pola_ruang.gpkg")


@pytest.fixture(scope="module")
def itbx() -> pd.DataFrame:
    return pd.read_csv(PKG / "itbx.csv", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def overlays() -> gpd.GeoDataFrame:
    return gpd.read_file(PKG / "ketentuan_khusus.gpkg")


def test_plan_toml():
    plan = tomllib.loads((PKG / "plan.toml").read_text(encoding="utf-8"))
    assert plan["id"] == "kupang-rdtr"
    assert plan["region_code"] == "53.71"
    assert plan["crs"] == "EPSG:32751"
    assert str(plan["effective_from"]) == "2023-01-01"
    assert plan["tolerance"] == {"sliver_m2": 5.0, "sliver_share": 0.01}
    rasters = {r["id"]: r for r in plan["raster"]}
    assert rasters["banjir"]["kind"] == "hazard" and rasters["dem"]["kind"] == "dem"
    for r in rasters.values():
        assert (PKG / r["path"]).exists()
    assert (PKG / plan["rtrw"]["path"]).exists()


def test_pola_ruang_geometry(pola):
    assert pola.crs.to_epsg() == 32751
    assert len(pola) >= 400
    assert pola.geometry.is_valid.all()
    assert (pola.geom_type == "Polygon").all()
    union = pola.geometry.union_all()
    assert abs(pola.area.sum() - union.area) < 1.0  # no overlaps
    parts = getattr(union, "geoms", [union])
    assert sum(len(p.interiors) for p in parts) == 0  # no gaps inside the planning area
    assert np.allclose(pola["LUASHA"], pola.area / 1e4, atol=1e-3)


def test_pola_ruang_attributes(pola):
    for col in [
        "NAMOBJ",
        "NAMZON",
        "KODZON",
        "NAMSZN",
        "KODSZN",
        "KODEWP",
        "KODSWP",
        "KODBLK",
        "KODSBL",
        "WADMPR",
        "WADMKK",
        "WADMKC",
        "WADMKD",
        "KKOP_1",
        "KRB_03",
        "CAGBUD",
        "LP2B_2",
        "TPZ_00",
        "LUASHA",
        "KDB",
        "KLB",
        "KDH",
        "TB",
        "JLB",
        "GSB",
    ]:
        assert col in pola.columns, col
    assert pola["KODSZN"].nunique() >= 15
    assert pola["KODSBL"].is_unique
    assert set(pola["WADMPR"]) == {"Nusa Tenggara Timur"}
    assert set(pola["WADMKK"]) == {"Kota Kupang"}
    assert {"Kelapa Lima", "Oebobo", "Kota Raja", "Kota Lama", "Alak", "Maulafa"} <= set(
        pola["WADMKC"]
    )
    for flag in ["KKOP_1", "KRB_03", "CAGBUD", "LP2B_2"]:
        assert set(pola[flag].unique()) == {0, 1}, flag
    overrides = pola[["KDB", "KLB", "KDH", "TB", "JLB", "GSB"]].notna().any(axis=1)
    assert 0 < overrides.sum() < 0.2 * len(pola)  # a few polygons override intensity


def test_every_subzone_has_rules(pola, itbx):
    intens = pd.read_csv(PKG / "intensitas.csv", dtype={"kodszn": str})
    for kod in pola["KODSZN"].unique():
        assert kod in itbx.columns, kod
        assert kod in set(intens["kodszn"]), kod


def test_itbx_cells_and_conditions(itbx):
    assert len(itbx) >= 60
    assert itbx["kode_kegiatan"].is_unique
    cells = itbx.drop(columns=["kode_kegiatan", "kegiatan"]).to_numpy().ravel()
    assert (cells == "").sum() > 0  # some rules are silent
    filled = [c for c in cells if c]
    assert all(CELL.match(c) for c in filled)
    used = {code for c in filled if c not in ("I", "X") for code in c.split(";")}
    ketentuan = pd.read_csv(PKG / "ketentuan.csv", dtype={"kode": str})
    assert used <= set(ketentuan["kode"])
    assert itbx.set_index("kode_kegiatan").loc["PERDAG-MINI", "K-1"] == "I"


def test_kbli_mapping(itbx):
    kbli = pd.read_csv(PKG / "kbli.csv", dtype=str)
    catalogue = pd.read_csv(ROOT / "kbli2020.csv", dtype=str)
    assert len(kbli) >= 150
    assert kbli["kbli"].str.fullmatch(r"\d{5}").all()
    assert kbli["kbli"].is_unique
    assert set(kbli["kbli"]) <= set(catalogue["kode"])
    assert set(kbli["kode_kegiatan"]) <= set(itbx["kode_kegiatan"])
    titles = catalogue.set_index("kode")["judul"]
    assert (kbli.set_index("kbli")["judul"] == titles.loc[kbli["kbli"]]).all()
    assert {"47111", "56101", "10710", "55110"} <= set(kbli["kbli"])


def test_kbli_catalogue():
    catalogue = pd.read_csv(ROOT / "kbli2020.csv", dtype=str)
    assert list(catalogue.columns) == ["kode", "judul", "kategori"]
    assert len(catalogue) >= 600
    assert catalogue["kode"].is_unique
    assert catalogue["kode"].str.fullmatch(r"\d{5}").all()
    assert set(catalogue["kategori"]) == set("ABCDEFGHIJKLMNOPQRSTU")
    assert catalogue["judul"].str.len().min() > 2


def test_overlays(overlays, pola):
    assert overlays.crs.to_epsg() == 32751
    assert overlays.geometry.is_valid.all()
    efek = overlays["EFEK"].fillna("")
    assert set(efek) <= {"", "B", "X"}
    by_jenis = overlays.assign(EFEK=efek).groupby("JENIS")["EFEK"].agg(set)
    assert {"KKOP", "KRB", "SEMPADAN", "CAGBUD", "TOD", "LP2B", "RESAPAN", "HANKAM"} <= set(
        by_jenis.index
    )
    assert (
        by_jenis["SEMPADAN"] == {"X"} and by_jenis["LP2B"] == {"X"} and by_jenis["HANKAM"] == {"X"}
    )
    assert by_jenis["KRB"] == {"B"} and by_jenis["CAGBUD"] == {"B"}
    assert overlays.loc[overlays["JENIS"] == "KKOP", "TB"].notna().all()


def test_rtrw_covers_more_than_rdtr(pola):
    rtrw = gpd.read_file(PKG / "pola_ruang_rtrw.gpkg")
    assert rtrw.crs.to_epsg() == 32751
    assert set(rtrw["JNSRPR"]) == {"Kawasan Lindung", "Kawasan Budi Daya"}
    assert rtrw.area.sum() > 1.5 * pola.area.sum()
    # the RDTR lies inside the RTRW (up to mm-wide slivers along the shore)
    assert pola.geometry.union_all().difference(rtrw.geometry.union_all()).area < 10.0


@pytest.mark.parametrize("name,lo,hi", [("bahaya_banjir", 0.0, 1.0), ("dem", 0.0, 500.0)])
def test_rasters(name, lo, hi):
    path = PKG / "rasters" / f"{name}.tif"
    assert path.stat().st_size < 3_000_000
    with rasterio.open(path) as src:
        assert src.crs.to_epsg() == 32751
        assert src.dtypes[0] == "float32"
        assert src.nodata is not None
        assert 10 <= src.res[0] <= 20
        assert src.profile["compress"].lower() == "deflate" and src.profile["tiled"]
        data = src.read(1, masked=True)
    assert lo <= float(data.min()) and float(data.max()) <= hi


def test_dem_has_steep_slopes_in_the_plan(pola):
    with rasterio.open(PKG / "rasters" / "dem.tif") as src:
        dem = src.read(1).astype(float)
        gy, gx = np.gradient(dem, src.res[0])
        steep = 100 * np.hypot(gx, gy) > 40
        rows, cols = np.nonzero(steep)
        xs, ys = rasterio.transform.xy(src.transform, rows, cols)
    pts = gpd.GeoSeries(gpd.points_from_xy(xs, ys), crs=pola.crs)
    assert pts.within(pola.geometry.union_all()).sum() > 50


def test_examples(pola):
    files = sorted((PKG / "examples").glob("*.geojson"))
    assert len(files) >= 9
    readme = (PKG / "examples" / "README.md").read_text(encoding="utf-8")
    for f in files:
        feature = json.loads(f.read_text(encoding="utf-8"))
        assert feature["type"] == "Feature" and "kbli" in feature["properties"]
        assert f.name in readme
    site = gpd.read_file(PKG / "examples" / "k1_minimarket.geojson").to_crs(pola.crs).geometry[0]
    hit = pola[pola.intersects(site)]
    assert list(hit["KODSZN"]) == ["K-1"] and site.within(hit.geometry.iloc[0])
    point = gpd.read_file(PKG / "examples" / "titik.geojson")
    assert point.geom_type[0] == "Point"


def test_roads_and_gsb_table_are_synthetic_and_complete(pola):
    """The sample's road layer (zoning_data/kupang/roads.py): KUGI fields, marked
    synthetic, on the blocks' shared edges, every function with a GSB row."""
    roads = gpd.read_file(PKG / "jaringan_jalan.gpkg")
    assert {"NAMRJL", "FGSRJL", "KLSRJL", "STARJL", "REMARK"} <= set(roads.columns)
    assert roads["REMARK"].str.startswith("SINTETIS").all()
    assert roads["NAMRJL"].str.endswith("(contoh)").all()
    assert set(roads.geom_type) == {"LineString"}
    gsb = pd.read_csv(PKG / "gsb.csv")
    assert gsb["keterangan"].str.startswith("SINTETIS").all()
    assert set(roads["FGSRJL"]) <= set(gsb["fungsi"])
    assert {"Arteri Sekunder", "Kolektor Sekunder", "Lokal Sekunder"} <= set(roads["FGSRJL"])
    # the roads lie on the zones' edges, inside the planning area
    edges = pola.geometry.boundary.union_all()
    sample = roads.geometry.iloc[:: max(len(roads) // 50, 1)]
    assert (sample.distance(edges) < 1e-6).all()
    plan = tomllib.loads((PKG / "plan.toml").read_text(encoding="utf-8"))
    assert plan["setbacks"] == {"frontage_m": 15.0, "measured_from": "boundary"}
