"""Hand-worked cases on the mini plan (see tests/mini_plan.py for the drawing).

Every expected number here was worked out on paper from the 100 m squares; each case
runs against the memory store and the PostGIS store (the ``mini_store`` fixture).
"""

from __future__ import annotations

from dataclasses import fields

import pytest
from shapely.geometry import Point, mapping

from kkpr.check import check
from kkpr.errors import SiteError, SiteOutsidePlan, UnknownActivity
from kkpr.model import CheckResult, Form, Outcome, Proposal
from kkpr.store.base import Store
from tests.mini_plan import CRS, X0, Y0, site


def run(store: Store, geom: dict, kbli: str, **proposal: float) -> CheckResult:
    return check(store, geom, kbli, Proposal(**proposal), crs=CRS)


def parts(result: CheckResult) -> list[tuple[str, float, float, bool, str | None]]:
    return [
        (p.kodszn, round(p.area_m2, 2), round(p.share, 4), p.deciding, p.cell) for p in result.parts
    ]


def intensity(result: CheckResult) -> dict[str, tuple[float, float | None, bool | None]]:
    return {i.rule: (i.limit, i.proposed, i.ok) for i in result.intensity}


def test_site_inside_one_permitted_zone_conforms(mini_store: Store) -> None:
    r = run(
        mini_store,
        site(10, 10, 90, 90),
        "47111",
        footprint_m2=3200,
        floor_area_m2=6400,
        floors=2,
        height_m=8,
    )
    assert r.outcome == Outcome.SESUAI
    assert r.form == Form.KKKPR
    assert r.site["area_m2"] == pytest.approx(6400)
    assert parts(r) == [("K-1", 6400.0, 1.0, True, "I")]
    # KDB 3200/6400 = 50% of 70; KLB 6400/6400 = 1 of 3; KDH unverified (no green area)
    assert intensity(r) == {
        "KDB": (70.0, pytest.approx(50.0), True),
        "KLB": (3.0, pytest.approx(1.0), True),
        "KDH": (10.0, None, None),
        "JLB": (6.0, 2.0, True),
        "TB": (24.0, 8.0, True),
    }


def test_site_straddling_two_zones_weighs_ratios_and_takes_the_lowest_height(
    mini_store: Store,
) -> None:
    # x 50..150, y 50..90: 2,000 m² in Z1 (K-1, I) and 2,000 m² in Z2 (R-2, T1)
    r = run(
        mini_store, site(50, 50, 150, 90), "47111", footprint_m2=1000, floor_area_m2=150, floors=2
    )
    assert parts(r) == [("K-1", 2000.0, 0.5, True, "I"), ("R-2", 2000.0, 0.5, True, "T1")]
    assert r.outcome == Outcome.SESUAI_BERSYARAT
    assert [c.kode for c in r.conditions] == ["T1"]
    assert r.conditions[0].checks == [
        {"limit": "max_floor_area_m2", "max": 200.0, "proposed": 150.0, "ok": True}
    ]
    lim = intensity(r)
    # area-weighted: (70 × 2,000 + 60 × 2,000) / 4,000 = 65; proposed 1000 / 4000 = 25%
    assert lim["KDB"] == (65.0, pytest.approx(25.0), True)
    assert lim["KLB"][0] == pytest.approx(2.1)  # (3 × 2,000 + 1.2 × 2,000) / 4,000
    assert lim["KDH"][0] == pytest.approx(15.0)  # (10 × 2,000 + 20 × 2,000) / 4,000
    assert lim["JLB"][0] == 3.0 and lim["TB"][0] == 12.0  # where it stands: the lowest


def test_numeric_t_limit_exceeded_is_not_conforming(mini_store: Store) -> None:
    r = run(mini_store, site(50, 50, 150, 90), "47111", floor_area_m2=300)
    assert r.outcome == Outcome.TIDAK_SESUAI
    assert any(x.code == "condition.max_floor_area_m2.exceeded" for x in r.reasons)


def test_unverified_t_limit_keeps_the_case_conditional(mini_store: Store) -> None:
    r = run(mini_store, site(110, 10, 190, 90), "47111")
    assert r.outcome == Outcome.SESUAI_BERSYARAT
    assert any(x.code == "condition.max_floor_area_m2.unverified" for x in r.reasons)


def test_forbidden_zone(mini_store: Store) -> None:
    r = run(mini_store, site(210, 10, 240, 90), "47111")
    assert r.outcome == Outcome.TIDAK_SESUAI
    assert parts(r) == [("RTH-2", 2400.0, 1.0, True, "X")]
    reason = next(x for x in r.reasons if x.code == "itbx.X")
    assert reason.source["itbx"] == {"kode_kegiatan": "PERDAG-MINI", "kodszn": "RTH-2", "cell": "X"}
    assert "tidak diizinkan" in reason.id and "not permitted" in reason.en


def test_kdb_exceeded(mini_store: Store) -> None:
    r = run(mini_store, site(10, 10, 90, 90), "47111", footprint_m2=4800)  # 75% > 70%
    assert r.outcome == Outcome.TIDAK_SESUAI
    assert intensity(r)["KDB"] == (70.0, pytest.approx(75.0), False)
    assert any(x.code == "intensity.kdb.exceeded" for x in r.reasons)


def test_a_sliver_is_listed_but_does_not_decide(mini_store: Store) -> None:
    # x 10..100.05: 0.05 m x 80 m = 4 m² in Z2, under the 5 m² tolerance
    r = run(mini_store, site(10, 10, 100.05, 90), "47111")
    assert parts(r) == [
        ("K-1", 7200.0, pytest.approx(0.9994, abs=1e-4), True, "I"),
        ("R-2", 4.0, pytest.approx(0.0006, abs=1e-4), False, "T1"),
    ]
    assert r.outcome == Outcome.SESUAI  # the T1 of the sliver does not apply
    assert r.conditions == []


def test_share_tolerance_alone_makes_a_part_not_decide(mini_store: Store) -> None:
    # 10 m² in Z2 is over 5 m² but 10 / 7210 < 1% of the site
    r = run(mini_store, site(10, 10, 100.125, 90), "47111")
    assert [p.deciding for p in r.parts] == [True, False]


def test_per_polygon_intensity_overrides_the_subzone_default(mini_store: Store) -> None:
    # Z4 carries KDB 40 instead of the R-2 default 60; 1000 / 2400 = 41.7%
    r = run(mini_store, site(60, 110, 90, 190), "47111", footprint_m2=1000, floor_area_m2=100)
    assert intensity(r)["KDB"][0] == 40.0
    kdb = next(i for i in r.intensity if i.rule == "KDB")
    assert kdb.source.startswith("R-2 fid") and kdb.ok is False
    assert r.outcome == Outcome.TIDAK_SESUAI


def test_kkop_height_cap_tightens_tb(mini_store: Store) -> None:
    ok = run(mini_store, site(110, 110, 190, 140), "56101", height_m=15)
    assert ok.outcome == Outcome.SESUAI
    assert intensity(ok)["TB"][0] == 20.0  # min(K-1 24 m, KKOP 20 m)
    assert {o.jenis for o in ok.overlays} == {"KKOP"}
    high = run(mini_store, site(110, 110, 190, 140), "56101", height_m=22)
    assert high.outcome == Outcome.TIDAK_SESUAI
    tb = next(i for i in high.intensity if i.rule == "TB")
    assert tb.source.startswith("KKOP") and tb.ok is False


def test_sempadan_forbids_building(mini_store: Store) -> None:
    r = run(mini_store, site(260, 10, 290, 90), "01121")  # farming is I in RTH-2
    assert r.outcome == Outcome.TIDAK_SESUAI
    sempadan = next(o for o in r.overlays if o.jenis == "SEMPADAN")
    assert sempadan.efek == "X" and sempadan.area_m2 == pytest.approx(2400)


def test_heritage_adds_a_condition(mini_store: Store) -> None:
    # x 10..40, y 160..190 in Z4 (R-2, T1) and inside CAGBUD (B)
    r = run(mini_store, site(10, 160, 40, 190), "47111", floor_area_m2=100)
    assert r.outcome == Outcome.SESUAI_BERSYARAT
    cag = next(x for x in r.reasons if x.code == "overlay.cagbud")
    assert cag.effect == "sesuai_bersyarat" and cag.source["layer"] == "ketentuan_khusus"


def test_site_partly_outside_the_rdtr_goes_to_pkkpr(mini_store: Store) -> None:
    # x 10..90, y 180..220: 1,600 m² in Z4, 1,600 m² beyond y = 200
    r = run(mini_store, site(10, 180, 90, 220), "47111", floor_area_m2=100)
    assert r.outcome == Outcome.PERLU_KAJIAN
    assert r.form == Form.PKKPR
    assert r.site["outside_m2"] == pytest.approx(1600)
    assert r.site["covered_m2"] == pytest.approx(1600)
    assert [h["namobj"] for h in r.rtrw] == ["Kawasan Permukiman"]
    assert all(h["indicative"] for h in r.rtrw)


def test_point_site_checks_the_zone_it_falls_in(mini_store: Store) -> None:
    point = mapping(Point(X0 + 50, Y0 + 50))
    r = run(mini_store, point, "47111")
    assert r.outcome == Outcome.SESUAI and [p.kodszn for p in r.parts] == ["K-1"]
    # with a planned land area the ratios can be checked: 800 / 1000 = 80% > 70%
    r = run(mini_store, point, "47111", land_area_m2=1000, footprint_m2=800)
    assert r.outcome == Outcome.TIDAK_SESUAI
    assert intensity(r)["KDB"] == (70.0, pytest.approx(80.0), False)


def test_point_outside_every_zone_is_pkkpr_with_rtrw_indication(mini_store: Store) -> None:
    r = run(mini_store, mapping(Point(X0 + 400, Y0 + 50)), "47111")
    assert r.outcome == Outcome.PERLU_KAJIAN and r.form == Form.PKKPR
    assert r.parts == [] and r.rtrw[0]["jnsrpr"] == "Kawasan Budi Daya"


def test_site_far_from_every_plan_is_an_input_error(mini_store: Store) -> None:
    jakarta = {"type": "Point", "coordinates": [106.8, -6.2]}
    with pytest.raises(SiteOutsidePlan) as err:
        check(mini_store, jakarta, "47111")
    assert "tertukar" in (err.value.hint_id or "")  # typed coordinates may be swapped


def test_invalid_geometry_is_refused_with_its_reason(mini_store: Store) -> None:
    bowtie = {
        "type": "Polygon",
        "coordinates": [[[X0, Y0], [X0 + 50, Y0 + 50], [X0 + 50, Y0], [X0, Y0 + 50], [X0, Y0]]],
    }
    with pytest.raises(SiteError) as err:
        check(mini_store, bowtie, "47111", crs=CRS)
    assert "crosses itself" in err.value.message_en
    assert "Self-intersection" in err.value.extra["reason"]


def test_unknown_kbli_suggests_near_codes(mini_store: Store) -> None:
    with pytest.raises(UnknownActivity) as err:
        run(mini_store, site(10, 10, 90, 90), "47112")
    assert err.value.suggestions[0]["kode"] == "47111" or any(
        s["kode"] == "47111" for s in err.value.suggestions
    )


def test_result_json_has_the_documented_fields(mini_store: Store) -> None:
    r = run(mini_store, site(50, 50, 150, 90), "47111", floor_area_m2=150).to_dict()
    assert r["outcome"] == "sesuai_bersyarat"
    assert set(r["parts"][0]) >= {
        "kodszn",
        "namszn",
        "kodblk",
        "area_m2",
        "share",
        "deciding",
        "itbx",
        "conditions",
    }
    assert set(r["conditions"][0]) >= {"kode", "teks"}
    assert set(r["intensity"][0]) >= {"rule", "limit", "proposed", "ok"}
    assert all({"id", "en"} <= set(x) for x in r["reasons"])
    assert r["site"]["area_m2"] == pytest.approx(4000)


def test_the_typed_parts_of_a_result_name_every_key_it_has(mini_store: Store) -> None:
    # CheckResult's plain parts are TypedDicts (issue 21 item 4): each names exactly the
    # keys a result gives, so mypy checks the readers of a result and its stored JSON
    from typing_extensions import get_type_hints

    from kkpr.model import (
        ActivityInfo,
        CheckResultDict,
        Conforming,
        PlanInfo,
        ProposalFigures,
        SiteInfo,
    )

    r = check(mini_store, site(10, 10, 90, 90), "47111", Proposal(floors=2), crs=CRS)
    d = r.to_dict()
    assert list(d) == list(get_type_hints(CheckResultDict))
    for key, shape in [("plan", PlanInfo), ("site", SiteInfo), ("activity", ActivityInfo),
                       ("proposal", ProposalFigures), ("conforming", Conforming)]:  # fmt: skip
        assert list(d[key]) == list(get_type_hints(shape)), key
    # a Proposal's figures are its fields, all of them, in order
    assert list(get_type_hints(ProposalFigures)) == [f.name for f in fields(Proposal)]
