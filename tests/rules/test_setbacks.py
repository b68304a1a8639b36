"""Setbacks (issue 18 items 2 and 3): the GSB per frontage from the plan's roads and
gsb.csv, the JBB, and the building drawn on the lot, worked by hand on the mini plan
with roads (tests/roads_plan.py: R1 "Jalan Uji Arteri" 6 m south of the zones, GSB
10 m / JBB 3 m; R2 "Jalan Uji Lokal" 4 m west, GSB 6 m; R3 "Jalan Uji Lingkungan" 6 m
north, no row; the sub-zone GSB: K-1 5 m, R-2 3 m)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kkpr.check import check
from kkpr.errors import SiteError
from kkpr.model import CheckResult, Proposal
from kkpr.plan.package import Plan, read_plan
from tests.mini_plan import CRS, site
from tests.roads_plan import write_roads_plan


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    return read_plan(write_roads_plan(tmp_path_factory.mktemp("roads")))


def run(plan: Plan, where: dict[str, Any], kbli: str = "47111", **figures: Any) -> CheckResult:
    return check(plan, where, kbli, Proposal(**figures), crs=CRS)


def codes(result: CheckResult, prefix: str = "setback") -> list[str]:
    return [r.code for r in result.reasons if r.code.startswith(prefix)]


def test_without_a_footprint_the_frontage_gsb_is_a_limit(plan: Plan) -> None:
    # a 50 x 40 m lot in Z1 (K-1) on the south edge: R1 lies 6 m away (0 - -6), R2 34 m
    result = run(plan, site(30, 0, 80, 40))
    (f,) = result.setbacks
    assert (f.kind, f.nama, f.fungsi, f.gsb, f.jbb) == (
        "frontage", "Jalan Uji Arteri", "Arteri Sekunder", 10.0, 3.0,
    )  # fmt: skip
    assert f.road_distance_m == pytest.approx(6.0)
    assert f.road_fids == ["1"]  # west of x=150: only the first segment (GeoPackage fid 1)
    assert (f.distance_m, f.ok) == (None, None)
    assert codes(result) == ["setback.gsb"]
    assert str(result.outcome) == "sesuai"
    reason = next(r for r in result.reasons if r.code == "setback.gsb")
    assert "Jalan Uji Arteri" in reason.id and "GSB 10,0 m" in reason.id
    assert "at least 10.0 m behind" in reason.en


def test_a_drawn_building_behind_the_setback_line_complies(plan: Plan) -> None:
    # 12 m behind the lot line (18 m from R1 less the lot's 6 m); sides and rear 5 m
    result = run(plan, site(30, 0, 80, 40), footprint=site(35, 12, 75, 35))
    front, jbb = result.setbacks
    assert front.distance_m == pytest.approx(12.0) and front.ok is True
    assert (jbb.kind, jbb.jbb, jbb.ok) == ("jbb", 3.0, True)
    assert jbb.distance_m == pytest.approx(5.0)
    assert codes(result) == ["setback.gsb"]
    # KDB from the drawn footprint: 40 x 23 = 920 m² on the 2,000 m² lot = 46 %
    kdb = next(i for i in result.intensity if i.rule == "KDB")
    assert kdb.proposed == pytest.approx(46.0)
    assert result.proposal["footprint_m2"] == pytest.approx(920.0)


def test_a_building_over_the_setback_line_is_refused_by_how_many_metres(plan: Plan) -> None:
    # 5 m behind the lot line where 10 m are required: 5 m over
    result = run(plan, site(30, 0, 80, 40), footprint=site(35, 5, 75, 35))
    front = result.setbacks[0]
    assert front.distance_m == pytest.approx(5.0)
    assert (front.ok, front.short_m) == (False, pytest.approx(5.0))
    assert codes(result) == ["setback.gsb.violated"]
    assert str(result.outcome) == "tidak_sesuai"
    reason = next(r for r in result.reasons if r.code == "setback.gsb.violated")
    assert "Jalan Uji Arteri" in reason.en and "by 5.00 m" in reason.en
    assert "sebesar 5,00 m" in reason.id


def test_side_and_rear_clearance_jbb(plan: Plan) -> None:
    # 1 m from the west lot line where the arterial's JBB asks 3 m: 2 m short
    result = run(plan, site(30, 0, 80, 40), footprint=site(31, 12, 75, 35))
    jbb = result.setbacks[-1]
    assert (jbb.kind, jbb.ok) == ("jbb", False)
    assert jbb.distance_m == pytest.approx(1.0) and jbb.short_m == pytest.approx(2.0)
    assert codes(result) == ["setback.gsb", "setback.jbb.violated"]


def test_measured_from_the_road_line(tmp_path: Path) -> None:
    plan = read_plan(write_roads_plan(tmp_path, '[setbacks]\nmeasured_from = "road"\n'))
    # 3 m behind the lot line is 9 m from the road line: 1 m short of 10 m
    result = run(plan, site(30, 0, 80, 40), footprint=site(35, 3, 75, 35))
    front = result.setbacks[0]
    assert front.measured_from == "road"
    assert front.distance_m == pytest.approx(9.0) and front.short_m == pytest.approx(1.0)
    assert "from the road line" in result.reasons[-1].en or any(
        "from the road line" in r.en for r in result.reasons
    )


def test_a_corner_lot_has_one_setback_per_frontage(plan: Plan) -> None:
    # the south-west corner of Z1: R2 (4 m west) and R1 (6 m south), in layer order
    result = run(plan, site(0, 0, 40, 40), footprint=site(8, 12, 35, 35))
    r1, r2, jbb = result.setbacks
    assert (r1.nama, r1.gsb, r1.distance_m) == ("Jalan Uji Arteri", 10.0, pytest.approx(12.0))
    assert (r2.nama, r2.gsb, r2.distance_m) == ("Jalan Uji Lokal", 6.0, pytest.approx(8.0))
    assert r1.ok and r2.ok
    # JBB: the largest of the two (3 m); the east side is 5 m, the north 5 m away
    assert (jbb.jbb, jbb.distance_m, jbb.ok) == (3.0, pytest.approx(5.0), True)


def test_the_segments_of_one_road_are_one_frontage(plan: Plan) -> None:
    result = run(plan, site(130, 0, 170, 40))  # across the join of R1's two segments
    (f,) = result.setbacks
    assert f.road_fids == ["1", "2"]
    assert codes(result) == ["setback.gsb"]


def test_a_road_class_without_a_row_takes_the_sub_zone_gsb(plan: Plan) -> None:
    # Z5 (K-1, GSB 5 m) under R3 "Lingkungan" (6 m north, no gsb.csv row)
    result = run(plan, site(110, 150, 160, 200), footprint=site(115, 155, 155, 192))
    (f,) = result.setbacks
    assert (f.nama, f.gsb, f.jbb, f.source) == (
        "Jalan Uji Lingkungan", 5.0, None, "intensitas.csv K-1",
    )  # fmt: skip
    assert f.distance_m == pytest.approx(8.0) and f.ok is True  # 14 m from R3 less 6 m


def test_no_gsb_anywhere_is_said_not_invented(plan: Plan) -> None:
    # Z3 (RTH-2: no GSB in intensitas.csv) beside R4 "Lingkungan" (no row) 11 m east
    result = run(plan, site(260, 20, 295, 80), kbli="01121")
    (f,) = result.setbacks
    assert f.gsb is None and f.nama == "Jalan Uji Taman"
    assert codes(result) == ["setback.gsb.unknown"]


def test_without_a_fronted_road_the_sub_zone_gsb_is_stated(plan: Plan) -> None:
    # the middle of Z1 and Z2: no road within 15 m; the larger GSB (K-1 5 m, R-2 3 m)
    result = run(plan, site(60, 20, 140, 60))
    (f,) = result.setbacks
    assert (f.kind, f.gsb, f.source) == ("subzone", 5.0, "intensitas.csv K-1")
    assert codes(result) == ["setback.subzone"]


def test_the_frontage_distance_is_the_plans(tmp_path: Path) -> None:
    plan = read_plan(write_roads_plan(tmp_path, "[setbacks]\nfrontage_m = 5\n"))
    result = run(plan, site(30, 0, 80, 40))  # R1 is 6 m away: beyond 5 m
    assert codes(result) == ["setback.subzone"]


def test_height_and_conditions_bind_where_the_building_stands(plan: Plan) -> None:
    # a lot across Z1 (K-1: TB 24 m, minimarket I) and Z2 (R-2: TB 12 m, T1 <= 200 m²)
    lot = site(60, 20, 140, 60)
    figures = {"height_m": 20.0, "floor_area_m2": 300.0}
    anywhere = run(plan, lot, **figures)
    tb = next(i for i in anywhere.intensity if i.rule == "TB")
    assert (tb.limit, tb.how, tb.ok) == (12.0, "strictest", False)
    assert [c.kode for c in anywhere.conditions] == ["T1"]
    assert "condition.max_floor_area_m2.exceeded" in codes(anywhere, "condition")
    # drawn on the K-1 part only: K-1's height, and R-2's T1 does not bind the building
    drawn = run(plan, lot, footprint=site(65, 25, 95, 55), **figures)
    tb = next(i for i in drawn.intensity if i.rule == "TB")
    assert (tb.limit, tb.ok) == (24.0, True)
    assert drawn.conditions == []
    assert str(drawn.outcome) == "sesuai_bersyarat"  # the R-2 part's cell is still T
    # drawn across both: the strictest of the parts it stands on, said so
    across = run(plan, lot, footprint=site(90, 25, 110, 55), **figures)
    tb = next(i for i in across.intensity if i.rule == "TB")
    assert tb.limit == 12.0 and "drawn building stands on these parts" in tb.basis_en


@pytest.mark.parametrize(
    ("footprint", "where", "words"),
    [
        (site(70, 10, 90, 30), "proposal.footprint", "beyond the site boundary"),
        (
            {"type": "Polygon", "coordinates": [[[560030, 8870010], [560040, 8870020],
             [560040, 8870010], [560030, 8870020], [560030, 8870010]]]},
            "proposal.footprint", "crosses itself",
        ),
        ({"type": "Point", "coordinates": [560035, 8870010]}, "proposal.footprint.type",
         "Polygon or MultiPolygon"),
    ],
)  # fmt: skip
def test_a_bad_footprint_is_a_clear_error(
    plan: Plan, footprint: dict[str, Any], where: str, words: str
) -> None:
    with pytest.raises(SiteError) as caught:
        run(plan, site(30, 0, 80, 40), footprint=footprint)
    assert caught.value.where == where
    assert words in caught.value.message_en


def test_a_footprint_outside_says_how_much_and_where(plan: Plan) -> None:
    with pytest.raises(SiteError) as caught:
        run(plan, site(30, 0, 80, 40), footprint=site(70, 10, 90, 30))
    # 10 x 20 m beyond the east lot line (x 80..90)
    assert caught.value.extra["outside_m2"] == pytest.approx(200.0)
    assert "200.00 m²" in caught.value.message_en and "near -" in caught.value.message_en


def test_a_point_site_cannot_carry_a_footprint(plan: Plan) -> None:
    point = {"type": "Point", "coordinates": [560050.0, 8870020.0]}
    with pytest.raises(SiteError) as caught:
        run(plan, point, footprint=site(45, 15, 55, 25))
    assert "polygon" in caught.value.message_en


def test_the_result_carries_the_setbacks_as_json(plan: Plan) -> None:
    data = run(plan, site(30, 0, 80, 40), footprint=site(35, 12, 75, 35)).to_dict()
    assert [s["kind"] for s in data["setbacks"]] == ["frontage", "jbb"]
    assert data["setbacks"][0]["gsb"] == 10.0
    assert data["proposal"]["footprint"]["type"] == "Polygon"


def corner_plan(root: Path, names: list[str | None]) -> Plan:
    """The mini plan with one road bending round the south-west corner of Z1: along
    y=-6 (x -10..150) and along x=-4 (y -10..210), both Arteri Sekunder (GSB 10 m)."""
    import geopandas as gpd

    from tests.roads_plan import GSB_CSV, line

    write_roads_plan(root)
    gpd.GeoDataFrame(
        {"NAMRJL": names, "FGSRJL": ["Arteri Sekunder"] * 2},
        geometry=[line((-10, -6), (150, -6)), line((-4, -10), (-4, 210))],
        crs=CRS,
    ).to_file(root / "jaringan_jalan.gpkg", driver="GPKG")
    (root / "gsb.csv").write_text(GSB_CSV)
    return read_plan(root)


def test_a_road_round_a_corner_is_kept_behind_on_both_sides(tmp_path: Path) -> None:
    plan = corner_plan(tmp_path, ["Jalan Siku", "Jalan Siku"])
    # the lot is 6 m from the south leg and 10 m from the west leg (x=-4 to x=6)
    result = run(plan, site(6, 0, 46, 40), footprint=site(10, 12, 40, 35))
    (front, _jbb) = result.setbacks
    assert front.road_fids == ["1", "2"]
    # 12 m behind the south boundary, but only 4 m behind the west one (x 6 -> 10)
    assert front.distance_m == pytest.approx(4.0)
    assert front.short_m == pytest.approx(6.0)
    assert codes(result)[0] == "setback.gsb.violated"


def test_unnamed_roads_are_frontages_of_their_own(tmp_path: Path) -> None:
    plan = corner_plan(tmp_path, [None, None])
    result = run(plan, site(6, 0, 46, 40), footprint=site(10, 12, 40, 35))
    south, west = (s for s in result.setbacks if s.kind == "frontage")
    assert (south.road_fids, south.distance_m, south.ok) == (["1"], pytest.approx(12.0), True)
    assert (west.road_fids, west.distance_m, west.short_m) == (
        ["2"], pytest.approx(4.0), pytest.approx(6.0),
    )  # fmt: skip
    reason = next(r for r in result.reasons if r.code == "setback.gsb.violated")
    assert "an unnamed road" in reason.en
