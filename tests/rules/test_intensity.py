"""Intensity on mixed lots, hand-worked on the mini plan (tests/mini_plan.py).

intensitas.csv: K-1 KDB 70, KLB 3, KDH 10, TB 24, JLB 6; R-2 KDB 60, KLB 1.2, KDH 20,
TB 12, JLB 3. Zone Z4 (R-2) carries its own KDB 40 on the layer.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from kkpr.check import check
from kkpr.model import CheckResult, IntensityFinding, Outcome, Proposal
from kkpr.plan.package import read_plan
from kkpr.store.base import Store
from tests.mini_plan import CRS, site, write_mini_plan


def run(store: Store, geom: dict, kbli: str, **proposal: float) -> CheckResult:
    return check(store, geom, kbli, Proposal(**proposal), crs=CRS)


def finding(r: CheckResult, rule: str) -> IntensityFinding:
    return next(i for i in r.intensity if i.rule == rule)


def test_a_mixed_lot_is_allowed_the_area_weighted_footprint(mini_store: Store) -> None:
    # x 40..140, y 10..90: 4,800 m² in Z1 (K-1, KDB 70) and 3,200 m² in Z2 (R-2, KDB 60)
    # allowed footprint = 0.70 × 4,800 + 0.60 × 3,200 = 3,360 + 1,920 = 5,280 m² of
    # 8,000 m² = 66%; a footprint of 5,200 m² (65%) is within it, though over R-2's 60%
    r = run(mini_store, site(40, 10, 140, 90), "47111", footprint_m2=5200, floor_area_m2=150)
    kdb = finding(r, "KDB")
    assert (kdb.limit, kdb.proposed, kdb.ok) == (pytest.approx(66.0), pytest.approx(65.0), True)
    assert kdb.how == "weighted"
    assert [(p["kodszn"], p["area_m2"], p["value"], p["from"]) for p in kdb.parts] == [
        ("K-1", pytest.approx(4800), 70.0, "intensitas.csv"),
        ("R-2", pytest.approx(3200), 60.0, "intensitas.csv"),
    ]
    assert "5.280,0 m²" in kdb.basis_id and "allowed footprint of at most 5,280.0 m²" in (
        kdb.basis_en
    )
    # KLB: (3 × 4,800 + 1.2 × 3,200) / 8,000 = (14,400 + 3,840) / 8,000 = 2.28
    assert finding(r, "KLB").limit == pytest.approx(2.28)
    # KDH, a minimum: (10 × 4,800 + 20 × 3,200) / 8,000 = 14%
    assert finding(r, "KDH").limit == pytest.approx(14.0)
    # height and floors: the building may stand on the R-2 part, so R-2's bind
    tb = finding(r, "TB")
    assert (tb.limit, tb.how) == (12.0, "strictest") and "no footprint drawn" in tb.basis_en
    assert r.outcome == Outcome.SESUAI_BERSYARAT  # T1 of R-2, floor area 150 ≤ 200


def test_a_footprint_over_the_weighted_limit_is_refused_with_its_computation(
    mini_store: Store,
) -> None:
    # same lot; 5,400 m² = 67.5% > 66%
    r = run(mini_store, site(40, 10, 140, 90), "47111", footprint_m2=5400, floor_area_m2=150)
    assert r.outcome == Outcome.TIDAK_SESUAI
    reason = next(x for x in r.reasons if x.code == "intensity.kdb.exceeded")
    assert "area-weighted" in reason.en and "rata-rata tertimbang" in reason.id
    assert reason.source["how"] == "weighted"


def test_the_plan_may_ask_for_the_strictest_limit(
    tmp_path: Path, store_for: Callable[[Path], Store]
) -> None:
    root = write_mini_plan(tmp_path / "strict")
    with (root / "plan.toml").open("a") as f:
        f.write('[rules]\nmixed_intensity = "strictest"\n')
    store = store_for(root)  # memory, and PostGIS: the option is kept with the version
    r = run(store, site(40, 10, 140, 90), "47111", footprint_m2=5200, floor_area_m2=150)
    kdb = finding(r, "KDB")
    assert (kdb.limit, kdb.ok, kdb.how) == (60.0, False, "strictest")
    assert "the plan asks for the strictest limit" in kdb.basis_en
    assert r.outcome == Outcome.TIDAK_SESUAI


def test_a_bad_mixed_intensity_value_is_a_plan_error(tmp_path: Path) -> None:
    from kkpr.errors import PlanError

    root = write_mini_plan(tmp_path / "bad")
    with (root / "plan.toml").open("a") as f:
        f.write('[rules]\nmixed_intensity = "average"\n')
    with pytest.raises(PlanError) as err:
        read_plan(root)
    assert any("mixed_intensity" in (p.message_en or "") for p in err.value.problems)


def test_the_result_says_which_source_each_limit_came_from(mini_store: Store) -> None:
    # x 60..90, y 110..190 in Z4, whose own KDB 40 is on the layer
    r = run(mini_store, site(60, 110, 90, 190), "47111", footprint_m2=100)
    kdb, klb = finding(r, "KDB"), finding(r, "KLB")
    assert [p["from"] for p in kdb.parts] == ["pola_ruang"] and kdb.limit == 40.0
    assert "(pola_ruang KDB)" in kdb.basis_en
    assert [p["from"] for p in klb.parts] == ["intensitas.csv"] and klb.limit == 1.2
    assert "(intensitas.csv)" in klb.basis_id
    # a lot across Z4 (own KDB 40) and Z1 (K-1 70): x 60..90, y 90..130 -> 300 + 900 m²
    mixed = run(mini_store, site(60, 90, 90, 130), "47111")
    parts = finding(mixed, "KDB").parts
    assert [(p["kodszn"], p["value"], p["from"]) for p in parts] == [
        ("K-1", 70.0, "intensitas.csv"),
        ("R-2", 40.0, "pola_ruang"),
    ]
    # (70 × 300 + 40 × 900) / 1,200 = (21,000 + 36,000) / 1,200 = 47.5
    assert finding(mixed, "KDB").limit == pytest.approx(47.5)
