"""Real published RDTR layers from ``shared/real_data/``, where the workplace has them.

A real layer comes without its regulation tables; the test builds a package around it
(an ITBX column per sub-zone code found) and checks that a site inside each of a sample
of polygons lands in exactly that polygon, with its area measured in the plan CRS.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from kkpr.check import check
from kkpr.plan.package import read_plan

REAL_DATA = Path(__file__).resolve().parents[3] / "shared" / "real_data"
LAYERS = (
    sorted(
        p for p in REAL_DATA.rglob("*") if p.suffix.lower() in (".gpkg", ".geojson", ".shp", ".zip")
    )
    if REAL_DATA.is_dir()
    else []
)

pytestmark = pytest.mark.skipif(not LAYERS, reason=f"no real RDTR layers under {REAL_DATA}")


@pytest.mark.parametrize("layer", LAYERS, ids=[p.name for p in LAYERS])
def test_sites_inside_real_polygons_land_in_them(tmp_path: Path, layer: Path) -> None:
    frame = gpd.read_file(layer)
    frame.columns = [c.lower() if c != "geometry" else c for c in frame.columns]
    if "kodszn" not in frame.columns:
        pytest.skip(f"{layer.name} has no KODSZN field")
    crs = frame.estimate_utm_crs().to_string()
    root = tmp_path / "real"
    root.mkdir()
    shutil.copy(layer, root / f"pola_ruang{layer.suffix}")
    codes = sorted({str(c).strip().upper() for c in frame["kodszn"].dropna()})
    (root / "plan.toml").write_text(f'id = "real"\nname = "{layer.stem}"\ncrs = "{crs}"\n')
    (root / "itbx.csv").write_text(
        "kode_kegiatan,kegiatan,"
        + ",".join(codes)
        + "\nA,Uji,"
        + ",".join("I" for _ in codes)
        + "\n"
    )
    (root / "kbli.csv").write_text("kbli,judul,kode_kegiatan\n47111,Minimarket,A\n")
    plan = read_plan(root)
    valid = plan.zones[
        shapely.is_valid(plan.zones.geometry.values) & (plan.zones.geometry.area > 400)
    ]
    for fid, row in valid.sample(min(25, len(valid)), random_state=1).iterrows():
        inner = row.geometry.representative_point().buffer(5)
        if not row.geometry.contains(inner):
            continue
        r = check(plan, shapely.geometry.mapping(inner), "47111", crs=crs)
        deciding = [p for p in r.parts if p.deciding]
        assert [p.fid for p in deciding] == [str(fid)]
        assert deciding[0].area_m2 == pytest.approx(inner.area, rel=1e-9)
