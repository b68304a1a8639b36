"""The memory store and the PostGIS store give the same answers.

Hand-worked geometric facts run against both stores (the ``mini_store`` fixture is
parametrised over them); random sites on the mini plan and on the Kupang sample are
located by both and compared field by field: same zones (fid, sub-zone, attributes,
flags, per-polygon intensity) in the same order, areas equal to 0.01 m², same
overlays and RTRW hits, same raster statistics, and the same check outcome. The batch
form answers exactly as one site at a time.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely
from shapely import affinity
from shapely.geometry import MultiPolygon, Point, box

from kkpr.check import check_many
from kkpr.errors import SiteOutsidePlan
from kkpr.model import Located, Proposal, Site
from kkpr.plan.package import read_plan
from kkpr.settings import SAMPLE_PLAN_DIR
from kkpr.store import rasters
from kkpr.store.base import Store
from kkpr.store.memory import MemoryStore
from kkpr.store.postgis import PostgisStore
from tests.mini_plan import CRS, X0, Y0
from tests.roads_plan import write_roads_plan

AREA_TOLERANCE_M2 = 0.01  # the parity bound


def at(x: float, y: float) -> Site:
    return Site(Point(X0 + x, Y0 + y), CRS)


def rect(x0: float, y0: float, x1: float, y1: float) -> Site:
    return Site(box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1), CRS)


# ---------------------------------------------------------------- hand-worked, both stores


def test_a_point_on_a_shared_edge_is_in_both_zones_with_no_area(mini_store: Store) -> None:
    loc = mini_store.locate(at(100, 50))  # the edge between Z1 (K-1) and Z2
    assert [(z.fid, z.kodszn, z.area_m2) for z in loc.zones] == [
        ("1", "K-1", 0.0),
        ("2", "R-2", 0.0),
    ]
    assert loc.rtrw == []  # in the RDTR: no RTRW indication


def test_a_point_on_a_corner_touches_four_zones(mini_store: Store) -> None:
    loc = mini_store.locate(at(100, 100))
    assert [z.fid for z in loc.zones] == ["1", "2", "4", "5"]
    assert [(o.jenis, o.area_m2) for o in loc.overlays] == [("KKOP", 0.0)]


def test_a_polygon_touching_a_zone_along_an_edge_has_no_part_in_it(mini_store: Store) -> None:
    loc = mini_store.locate(rect(10, 10, 100, 90))  # its right edge lies on Z2's left edge
    assert [(z.kodszn, z.area_m2) for z in loc.zones] == [("K-1", pytest.approx(7200))]


def test_zone_attributes_flags_and_overrides_come_through(mini_store: Store) -> None:
    loc = mini_store.locate(rect(60, 110, 140, 190))  # Z4 (KDB 40) and Z5 (KKOP_1 flag)
    z4, z5 = loc.zones
    assert (z4.kodszn, z4.kodblk, z4.namszn, z4.flags) == (
        "R-2",
        "B.1",
        "Rumah kepadatan tinggi",
        (),
    )
    assert z4.intensity.kdb == 40.0 and z4.intensity.klb is None
    assert (z5.kodszn, z5.flags, z5.intensity.kdb) == ("K-1", ("KKOP",), None)
    assert [(o.fid, o.jenis, o.tb, o.efek, o.keterangan) for o in loc.overlays] == [
        ("2", "KKOP", 20.0, None, "Permukaan horizontal dalam")
    ]
    assert loc.overlays[0].area_m2 == pytest.approx(3200)


def test_rtrw_is_read_only_where_the_rdtr_does_not_cover_the_site(mini_store: Store) -> None:
    inside = mini_store.locate(rect(10, 10, 90, 90))
    across = mini_store.locate(rect(250, 10, 350, 90))  # half beyond x = 300
    beyond = mini_store.locate(rect(400, 10, 450, 90))
    assert inside.rtrw == []
    assert [(h.namobj, h.jnsrpr, h.area_m2) for h in across.rtrw] == [
        ("Kawasan Permukiman", "Kawasan Budi Daya", pytest.approx(8000))
    ]
    assert beyond.zones == [] and beyond.rtrw[0].area_m2 == pytest.approx(4000)


def test_sites_beyond_the_margin_are_outside_the_plan(mini_store: Store) -> None:
    with pytest.raises(SiteOutsidePlan) as err:
        mini_store.locate_many([rect(10, 10, 20, 20), at(9_000, 50)])
    assert err.value.where == "sites[1].geometry"
    assert mini_store.locate(at(4_000, 50)).zones == []  # within the 5 km margin: no zones


@pytest.fixture(scope="module")
def roads_plan_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_roads_plan(tmp_path_factory.mktemp("roads"))


def test_the_roads_a_site_fronts_and_the_gsb_table(
    store_for: Callable[[Path], Store], roads_plan_dir: Path
) -> None:
    store = store_for(roads_plan_dir)
    # across the join of R1's two segments (6 m south), in layer order
    loc = store.locate(rect(130, 0, 170, 40))
    assert [(r.fid, r.nama, r.fungsi, r.kelas, r.status) for r in loc.roads] == [
        ("1", "Jalan Uji Arteri", "Arteri Sekunder", "III", "Jalan Kota"),
        ("2", "Jalan Uji Arteri", "Arteri Sekunder", "III", "Jalan Kota"),
    ]
    assert [r.distance_m for r in loc.roads] == pytest.approx([6.0, 6.0])
    corner = store.locate(rect(0, 0, 40, 40))  # R1 6 m south, R2 4 m west
    assert [(r.fid, r.distance_m) for r in corner.roads] == [("1", 6.0), ("3", 4.0)]
    assert store.locate(rect(60, 20, 140, 60)).roads == []  # no road within 15 m
    point = store.locate(at(-1, 50))  # a point 3 m east of R2
    assert [(r.fid, r.distance_m) for r in point.roads] == [("3", pytest.approx(3.0))]
    assert store.rules().setbacks == read_plan(roads_plan_dir).rules.setbacks
    assert store.rules().meta.rule_options.frontage_m == 15.0
    rows = store.road_rows()  # the streets of the place search
    assert [(n, f) for n, f, _g in rows][:3] == [
        ("Jalan Uji Arteri", "Arteri Sekunder"),
        ("Jalan Uji Arteri", "Arteri Sekunder"),
        ("Jalan Uji Lokal", "Lokal Sekunder"),
    ]
    assert shapely.equals_exact(rows[2][2], read_plan(roads_plan_dir).roads.geometry.iloc[2], 0)


def test_roads_plan_random_sites(
    roads_plan_dir: Path, postgis_store_for: Callable[[Path], PostgisStore]
) -> None:
    memory = MemoryStore(read_plan(roads_plan_dir))
    centres = uniform((X0 - 60, Y0 - 60, X0 + 360, Y0 + 260), 150, seed=3)
    sites = random_sites(centres, CRS, seed=3, size=(5, 150))
    compare_stores(memory, postgis_store_for(roads_plan_dir), sites, ["47111", "56101"])


# ---------------------------------------------------------------- random sites, compared


def assert_same(a: Located, b: Located) -> None:
    """Every fact of two stores' answers equal; areas to AREA_TOLERANCE_M2."""

    def facts(hits: list) -> list[dict]:
        skip = ("area_m2", "part")
        return [{k: v for k, v in dataclasses.asdict(h).items() if k not in skip} for h in hits]

    def parts_differ(hits_a: list, hits_b: list) -> float:
        """The largest area where two stores' overlaps of one hit disagree."""
        return max(
            (
                shapely.area(shapely.symmetric_difference(x.part, y.part))
                for x, y in zip(hits_a, hits_b, strict=True)
                if x.part is not None or y.part is not None
            ),
            default=0.0,
        )

    def areas(hits: list) -> np.ndarray:
        return np.array([h.area_m2 for h in hits])

    assert (a.plan_id, a.area_m2, a.lon, a.lat) == (b.plan_id, b.area_m2, b.lon, b.lat)
    assert shapely.equals_exact(a.geometry, b.geometry, 0)
    for name in ("zones", "overlays", "rtrw"):
        ha, hb = getattr(a, name), getattr(b, name)
        assert facts(ha) == facts(hb), name
        assert np.abs(areas(ha) - areas(hb)).max(initial=0) <= AREA_TOLERANCE_M2, name
        if name != "rtrw":
            assert parts_differ(ha, hb) <= AREA_TOLERANCE_M2, name
    assert a.rasters == b.rasters
    assert a.roads == b.roads  # fid, name, function, class, status, distance (exactly)
    for ra, rb in zip(a.roads, b.roads, strict=True):
        assert shapely.equals_exact(ra.geometry, rb.geometry, 0)


def random_sites(centres: np.ndarray, crs: str, seed: int, size: tuple[float, float]) -> list[Site]:
    """Rotated rectangles, two-part multipolygons and points around ``centres``."""
    rng = np.random.default_rng(seed)
    sites: list[Site] = []
    for i, (cx, cy) in enumerate(centres):
        w, h = rng.uniform(*size, 2)
        shape = box(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
        if i % 5 == 0:
            sites.append(Site(Point(cx, cy), crs))
            continue
        if i % 5 == 1:
            shape = MultiPolygon([shape, affinity.translate(shape, w * 1.5, 0)])
        sites.append(Site(affinity.rotate(shape, rng.uniform(0, 90)), crs))
    return sites


def uniform(bounds: tuple[float, float, float, float], n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = bounds
    return np.column_stack([rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)])


def compare_stores(memory: Store, postgis: Store, sites: list[Site], kblis: list[str]) -> None:
    batch_m, batch_p = memory.locate_many(sites), postgis.locate_many(sites)
    for site, bm, bp in zip(sites, batch_m, batch_p, strict=True):
        assert_same(bm, bp)
        assert_same(bp, postgis.locate(site))  # batch = singles
    requests = [
        (s, kblis[i % len(kblis)], Proposal(floor_area_m2=150)) for i, s in enumerate(sites)
    ]
    for rm, rp in zip(check_many(memory, requests), check_many(postgis, requests), strict=True):
        assert rm.outcome == rp.outcome and rm.form == rp.form
        assert [(p.fid, p.kodszn, p.deciding, p.cell) for p in rm.parts] == [
            (p.fid, p.kodszn, p.deciding, p.cell) for p in rp.parts
        ]
        assert [(o.jenis, o.fid, o.efek, o.deciding) for o in rm.overlays] == [
            (o.jenis, o.fid, o.efek, o.deciding) for o in rp.overlays
        ]
        assert [(r.code, r.effect) for r in rm.reasons] == [(r.code, r.effect) for r in rp.reasons]
        assert rm.to_dict()["setbacks"] == rp.to_dict()["setbacks"]
        cm, cp = rm.conforming, rp.conforming
        assert cm["area_m2"] == pytest.approx(cp["area_m2"], abs=AREA_TOLERANCE_M2)
        assert (cm["geometry"] is None) == (cp["geometry"] is None)


def test_mini_plan_random_sites(
    mini_plan_dir: Path, postgis_store_for: Callable[[Path], PostgisStore]
) -> None:
    memory = MemoryStore(read_plan(mini_plan_dir))
    centres = uniform((X0 - 60, Y0 - 60, X0 + 360, Y0 + 260), 250, seed=1)
    sites = random_sites(centres, CRS, seed=1, size=(5, 150))
    compare_stores(memory, postgis_store_for(mini_plan_dir), sites, ["47111", "56101", "01121"])


@pytest.fixture(scope="module")
def kupang_memory() -> MemoryStore:
    return MemoryStore(read_plan(SAMPLE_PLAN_DIR))


def test_kupang_sample_random_sites(
    kupang_memory: MemoryStore, postgis_store_for: Callable[[Path], PostgisStore]
) -> None:
    postgis = postgis_store_for(SAMPLE_PLAN_DIR)
    plan = kupang_memory.plan
    # most sites among the zones (near random sub-blocks), some anywhere around the plan,
    # out into the RTRW
    rng = np.random.default_rng(7)
    zones = np.asarray(plan.zones.geometry.values, dtype=object)
    near = shapely.get_coordinates(shapely.centroid(zones[rng.integers(0, len(zones), 240)]))
    near += rng.normal(0, 80, near.shape)
    minx, miny, maxx, maxy = plan.zones.total_bounds
    pad = 1500.0
    around = uniform((minx - pad, miny - pad, maxx + pad, maxy + pad), 60, seed=7)
    sites = random_sites(np.vstack([near, around]), plan.meta.crs, seed=7, size=(10, 300))
    kblis = list(plan.rules.kbli)[:: max(len(plan.rules.kbli) // 12, 1)]
    assert plan.meta.rasters, "the sample ships rasters: their statistics are compared too"
    compare_stores(kupang_memory, postgis, sites, kblis)


def test_a_single_locate_measures_its_site_once_for_every_raster(
    kupang_memory: MemoryStore,
    postgis_store_for: Callable[[Path], PostgisStore],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One site located alone (the single check) is measured over the version's
    rasters as the memory store measures it (``site_stats``): handed to exactextract
    once for all the rasters of its CRS, not once per raster, and every statistic
    the memory store's to the last bit (``repr``: ``==`` takes -0.0 for 0.0)."""
    postgis = postgis_store_for(SAMPLE_PLAN_DIR)
    plan = kupang_memory.plan
    grids = kupang_memory._raster_grids
    assert len(grids) > 1 and {g.crs for g in grids} == {plan.meta.crs}  # one CRS, two rasters
    rng = np.random.default_rng(11)
    zones = np.asarray(plan.zones.geometry.values, dtype=object)
    near = shapely.get_coordinates(shapely.centroid(zones[rng.integers(0, len(zones), 150)]))
    near += rng.normal(0, 80, near.shape)
    sites = random_sites(near, plan.meta.crs, seed=11, size=(2, 300))
    made: list[object] = []
    site_init = rasters._Site.__init__

    def counted(self: object, *args: Any, **kwargs: Any) -> None:
        made.append(self)
        site_init(self, *args, **kwargs)

    monkeypatch.setattr(rasters._Site, "__init__", counted)
    measured = 0
    for site in sites:
        made.clear()
        ours = postgis.locate(site)
        assert len(made) == 1, site.geometry.wkt
        theirs = kupang_memory.locate(site)
        assert [tuple(map(repr, dataclasses.astuple(s))) for s in ours.rasters] == [
            tuple(map(repr, dataclasses.astuple(s))) for s in theirs.rasters
        ], site.geometry.wkt
        measured += sum(s.cells > 0 for s in ours.rasters)
    assert measured > len(sites)  # most sites lie over both rasters


def test_kupang_rules_and_features_are_the_memory_stores(
    kupang_memory: MemoryStore, postgis_store_for: Callable[[Path], PostgisStore]
) -> None:
    postgis = postgis_store_for(SAMPLE_PLAN_DIR)
    ours, theirs = postgis.rules(), kupang_memory.rules()
    assert ours.meta.version == "v1"
    assert (
        dataclasses.replace(ours, meta=dataclasses.replace(ours.meta, version="package")) == theirs
    )
    assert list(ours.kbli) == list(theirs.kbli) and list(ours.itbx) == list(theirs.itbx)
    drop = [
        {k: v for k, v in c.items() if k != "plan_version"} for c in kupang_memory.collections()
    ]
    assert [
        {k: v for k, v in c.items() if k != "plan_version"} for c in postgis.collections()
    ] == drop
    for kw in (
        {"limit": 50, "offset": 30},
        {"bbox": (123.57, -10.17, 123.59, -10.15), "limit": 500},
    ):
        assert postgis.features("zones", **kw) == kupang_memory.features("zones", **kw)
        assert postgis.features("overlays", **kw) == kupang_memory.features("overlays", **kw)
    fid = kupang_memory.features("zones", limit=1, offset=7)[0][0]["id"]
    assert postgis.feature("zones", fid, crs=CRS) == kupang_memory._features.feature(
        "zones", fid, crs=CRS
    )
