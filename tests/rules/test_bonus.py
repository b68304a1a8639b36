"""The TOD bonus KLB, only when asked for (issue 18 item 8), hand-worked on the mini plan
with a TOD area over x 0..100, y 0..50 of Z1 (K-1, KLB 3) and plan.toml
[overlay.TOD] klb_bonus = 1.5: allowed KLB = 3 + 1.5 × the share of the site in it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from kkpr.check import check
from kkpr.model import CheckResult, Outcome, Proposal
from kkpr.store.base import Store
from tests.mini_plan import CRS, site, with_overlay, write_mini_plan


def tod_plan(root: Path) -> Path:
    with_overlay(write_mini_plan(root), "TOD", (0, 0, 100, 50), None, keterangan="Kawasan TOD")
    with (root / "plan.toml").open("a") as f:
        f.write("[overlay.TOD]\nklb_bonus = 1.5\n")
    return root


@pytest.fixture(scope="module")
def tod_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tod_plan(tmp_path_factory.mktemp("tod") / "mini")


@pytest.fixture
def store(store_for: Callable[[Path], Store], tod_dir: Path) -> Store:
    return store_for(tod_dir)


def run(store: Store, geom: dict, floor_area: float, asked: bool) -> CheckResult:
    proposal = Proposal(floor_area_m2=floor_area, tod_bonus=asked)
    return check(store, geom, "47111", proposal, crs=CRS)


def klb(r: CheckResult) -> tuple[float, bool | None, str]:
    f = next(i for i in r.intensity if i.rule == "KLB")
    return f.limit, f.ok, f.how


def codes(r: CheckResult) -> list[str]:
    return [x.code for x in r.reasons if x.code.startswith("tod.")]


def test_the_bonus_is_not_granted_unasked(store: Store) -> None:
    # 80 × 30 = 2,400 m², all in the TOD area; 9,000 m² of floor = KLB 3.75 > 3
    r = run(store, site(10, 10, 90, 40), 9000, asked=False)
    assert klb(r) == (3.0, False, "single") and r.outcome == Outcome.TIDAK_SESUAI
    assert codes(r) == ["tod.bonus.available"]
    assert "not granted unasked" in next(x.en for x in r.reasons if x.code.startswith("tod."))


def test_asked_the_whole_bonus_on_a_site_wholly_inside(store: Store) -> None:
    # 3 + 1.5 × 100% = 4.5 >= 3.75
    r = run(store, site(10, 10, 90, 40), 9000, asked=True)
    assert klb(r) == (pytest.approx(4.5), True, "bonus")
    assert codes(r) == ["tod.bonus.applied"] and r.outcome == Outcome.SESUAI_BERSYARAT
    text = next(x for x in r.reasons if x.code == "tod.bonus.applied")
    assert "KLB 4.50: 3.00 plus the TOD bonus 1.50 × 100.0%" in text.en


def test_asked_on_a_site_half_inside_the_bonus_is_weighed(store: Store) -> None:
    # 80 × 40 = 3,200 m², 80 × 20 = 1,600 m² (50%) in the TOD area: 3 + 1.5 × 0.5 = 3.75
    half = site(10, 30, 90, 70)
    r = run(store, half, 11000, asked=True)  # 11,000 / 3,200 = 3.44
    assert klb(r) == (pytest.approx(3.75), True, "bonus")
    assert run(store, half, 12500, asked=True).outcome == Outcome.TIDAK_SESUAI  # 3.91


def test_asked_outside_every_bonus_area_nothing_changes(store: Store) -> None:
    r = run(store, site(110, 10, 190, 90), 100, asked=True)  # Z2, R-2 KLB 1.2
    assert klb(r)[0] == 1.2 and codes(r) == ["tod.bonus.not_applicable"]
