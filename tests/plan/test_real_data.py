"""Real published RDTR layers from ``shared/real_data/``, where the workplace has them.

A real layer comes without its regulation tables: each test builds a package around it
(an ITBX column per sub-zone code found, the plan CRS the UTM zone of its extent, the
join field named in plan.toml where it is not KODSZN) and asks what a city would: a
site drawn inside a polygon (in longitude/latitude, as the public page sends it) lands
in that polygon alone, with the area an independent shapely/pyproj computation gives;
a polygon whose overlay fields all read ``Tidak Ada`` gives no overlay finding.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from pyproj import Transformer
from shapely.geometry import mapping

from kkpr.check import check
from kkpr.plan.kugi import FLAG_JENIS
from kkpr.plan.package import Plan, read_plan
from kkpr.plan.validate import validate_dir

REAL_DATA = Path(__file__).resolve().parents[3] / "shared" / "real_data"
LAYERS = (
    sorted(
        p for p in REAL_DATA.rglob("*") if p.suffix.lower() in (".gpkg", ".geojson", ".shp", ".zip")
    )
    if REAL_DATA.is_dir()
    else []
)
JOIN_FIELDS = ("kodszn", "kodunk", "simbol", "kodszn_1", "kode")
SITES_PER_LAYER = 25

pytestmark = pytest.mark.skipif(not LAYERS, reason=f"no real RDTR layers under {REAL_DATA}")


def package_of(layer: Path, root: Path) -> tuple[Path, gpd.GeoDataFrame, str]:
    """A plan package around ``layer``; the layer as geopandas reads it, and its CRS."""
    frame = gpd.read_file(layer)
    lower = {c.lower(): c for c in frame.columns if c != "geometry"}
    field = next((lower[f] for f in JOIN_FIELDS if f in lower), None)
    if field is None:
        pytest.fail(f"{layer.name}: no sub-zone code field among {list(frame.columns)}")
    crs = frame.estimate_utm_crs().to_string()
    root.mkdir()
    shutil.copy(layer, root / f"pola_ruang{layer.suffix}")
    codes = sorted({_code(c) for c in frame[field].dropna() if _code(c)})
    toml = f'id = "real"\nname = "{layer.stem}"\ncrs = "{crs}"\n'
    if field.lower() != "kodszn":
        toml += f'[fields]\nkodszn = "{field}"\n'
    (root / "plan.toml").write_text(toml)
    (root / "itbx.csv").write_text(
        "kode_kegiatan,kegiatan,"
        + ",".join(codes)
        + "\nA,Uji,"
        + ",".join("I" for _ in codes)
        + "\n"
    )
    (root / "kbli.csv").write_text("kbli,judul,kode_kegiatan\n47111,Minimarket,A\n")
    return root, frame, crs


def _code(value: object) -> str:
    return str(value).strip().upper()


def inner_sites(plan: Plan, frame: gpd.GeoDataFrame) -> list[tuple[str, dict, float]]:
    """(fid, site in lon/lat, its area in m² by pyproj + shapely) for a sample of polygons
    of more than 20 m² (real layers hold many slivers)."""
    to_utm = Transformer.from_crs("EPSG:4326", plan.meta.crs, always_xy=True)
    to_lonlat = Transformer.from_crs(plan.meta.crs, "EPSG:4326", always_xy=True)
    lonlat = frame.to_crs("EPSG:4326")
    out = []
    candidates = [
        fid
        for fid, g in zip(plan.zones.index, plan.zones.geometry, strict=True)
        if g is not None and g.is_valid and g.area > 20
    ]
    for fid in candidates:
        zone = plan.zones.geometry[fid]
        centre = zone.representative_point()
        # a 5 m disc, or a smaller one in a narrow polygon (a road), well inside the zone
        disc = next(
            (d for r in (5, 1.5, 0.5) if zone.contains((d := centre.buffer(r)).buffer(0.5))), None
        )
        if disc is None:
            continue
        site = shapely.transform(disc, to_lonlat.transform, interleaved=False)
        assert lonlat.geometry.iloc[int(fid)].contains(site.centroid)
        area = shapely.transform(site, to_utm.transform, interleaved=False).area
        out.append((str(fid), mapping(site), area))
        if len(out) == SITES_PER_LAYER:
            break
    return out


@pytest.mark.parametrize("layer", LAYERS, ids=[p.name for p in LAYERS])
def test_sites_inside_real_polygons_land_in_them(tmp_path: Path, layer: Path) -> None:
    root, frame, _crs = package_of(layer, tmp_path / "real")
    plan = read_plan(root)
    sites = inner_sites(plan, frame)
    assert len(sites) >= 5, f"too few polygons to test in {layer.name}"
    for fid, site, area in sites:
        r = check(plan, site, "47111", crs="EPSG:4326")
        assert [(p.fid, p.deciding) for p in r.parts] == [(fid, True)]
        assert r.parts[0].kodszn == plan.zones["kodszn"][fid]
        assert r.parts[0].area_m2 == pytest.approx(area, rel=1e-6)
        assert str(r.outcome) == "sesuai"


@pytest.mark.parametrize("layer", LAYERS, ids=[p.name for p in LAYERS])
def test_polygons_whose_flags_all_read_tidak_ada_give_no_overlay(
    tmp_path: Path, layer: Path
) -> None:
    root, frame, _crs = package_of(layer, tmp_path / "real")
    plan = read_plan(root)
    flag_columns = [c for c in frame.columns if c.lower() in FLAG_JENIS]
    if not flag_columns:
        pytest.skip(f"{layer.name} has no KUGI overlay fields")
    none_everywhere = (
        frame[flag_columns]
        .apply(lambda col: col.astype(str).str.strip().str.lower().isin(["tidak ada"]))
        .all(axis=1)
    )
    tested = 0
    for fid, site, _area in inner_sites(plan, frame):
        if none_everywhere.iloc[int(fid)]:
            r = check(plan, site, "47111", crs="EPSG:4326")
            assert r.overlays == [] and str(r.outcome) == "sesuai", (fid, r.overlays)
            tested += 1
    assert tested > 0


@pytest.mark.parametrize("layer", LAYERS, ids=[p.name for p in LAYERS])
def test_real_layers_validate_with_located_problems(tmp_path: Path, layer: Path) -> None:
    root, _frame, _crs = package_of(layer, tmp_path / "real")
    plan, problems = validate_dir(root)
    assert plan is not None, [p.message_en for p in problems]
    assert plan.layer_crs()[f"pola_ruang{layer.suffix}"].startswith("EPSG:4326")
    assert all(p.file for p in problems)
    assert not [p for p in problems if p.code in ("zones.no_kodszn", "itbx.no_column")]


def test_rantauprapat_has_numeric_kugi_codes(tmp_path: Path) -> None:
    layer = REAL_DATA / "rdtr_rantauprapat_sample.geojson"
    if not layer.exists():
        pytest.skip("Rantauprapat sample absent")
    root, _frame, crs = package_of(layer, tmp_path / "real")
    plan = read_plan(root)
    assert crs == "EPSG:32647"
    assert sorted(set(plan.zones["kodszn"])) == ["31010000", "32103200", "32112100"]
    flags = [c for c in plan.zones.attrs["flag_columns"]]
    assert len(flags) == 14 and plan.zones[flags].isna().all().all()


def test_yogyakarta_joins_on_simbol(tmp_path: Path) -> None:
    layer = REAL_DATA / "yogyakarta" / "rdtr_yogyakarta_sample.geojson"
    if not layer.exists():
        pytest.skip("Yogyakarta sample absent")
    root, _frame, crs = package_of(layer, tmp_path / "real")
    assert 'kodszn = "SIMBOL"' in (root / "plan.toml").read_text()
    plan = read_plan(root)
    assert crs == "EPSG:32749" and plan.zones.attrs["kodszn_field"] == "SIMBOL"
    assert set(plan.zones["kodszn"]) == {"JLN", "K", "I"}
