"""Overlays by activity group (issue 18 item 8), hand-worked on the mini plan with a
protected rice field (LSD, EFEK X) over x 0..50, y 0..50 of Z1 (K-1, where a
minimarket, KBLI 47111, is I and farming, 01121, is X by the matrix).

The catalogue (kkpr/overlay_kinds.toml) lets section A (farming) through LSD, LP2B
and KP2B, and forestry (02) through a forest area; plan.toml [overlay.<JENIS>]
efek_kegiatan adds groups: a KBLI section letter or a code prefix, the most specific
deciding.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from kkpr.check import check
from kkpr.kugi import kind_of
from kkpr.model import CheckResult, Outcome, Proposal
from kkpr.plan.package import read_plan
from kkpr.plan.validate import validate_dir
from kkpr.rules.activity_groups import group_effect
from kkpr.store.base import Store
from tests.mini_plan import CRS, site, with_overlay, write_mini_plan

LSD_BOX = (0.0, 0.0, 50.0, 50.0)


def lsd_plan(root: Path, groups: str = "") -> Path:
    with_overlay(write_mini_plan(root), "LSD", LSD_BOX, "X", keterangan="Sawah dilindungi")
    if groups:
        with (root / "plan.toml").open("a") as f:
            f.write(f"[overlay.LSD]\nefek_kegiatan = {{ {groups} }}\n")
    return root


def run(store: Store, kbli: str) -> CheckResult:
    return check(store, site(10, 10, 40, 40), kbli, Proposal(), crs=CRS)


def lsd(r: CheckResult) -> tuple[str, str, dict]:
    x = next(x for x in r.reasons if x.code == "overlay.lsd")
    return str(x.effect), x.en, x.source


def test_the_catalogue_knows_lsd_kp2b_and_forest_areas() -> None:
    assert (kind_of("LSD").efek, dict(kind_of("LSD").efek_kegiatan)) == ("X", {"A": "I"})
    assert (kind_of("KP2B").efek, dict(kind_of("KP2B").efek_kegiatan)) == ("B", {"A": "I"})
    assert (kind_of("HUTAN").efek, dict(kind_of("HUTAN").efek_kegiatan)) == ("X", {"02": "I"})
    assert kind_of("LSD").nama_en == "Protected rice fields"


def test_groups_the_most_specific_decides() -> None:
    groups = {"G": "B", "47": "X", "47111": "I", "A": "I"}
    assert group_effect(groups, "47111") == ("47111", "I")  # the code over its division
    assert group_effect(groups, "47190") == ("47", "X")  # the division over its section
    assert group_effect(groups, "46100") == ("G", "B")  # section G: divisions 45-47
    assert group_effect(groups, "01121") == ("A", "I")
    assert group_effect(groups, "56101") is None


@pytest.fixture(scope="module")
def lsd_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return lsd_plan(tmp_path_factory.mktemp("lsd") / "mini", '"47" = "B", "47111" = "I", F = "X"')


def test_a_protected_rice_field_forbids_building_not_what_the_plan_lets_through(
    store_for: Callable[[Path], Store], lsd_dir: Path, tmp_path: Path
) -> None:
    # without groups of the plan, a minimarket (section G) on the rice field is forbidden
    plain = store_for(lsd_plan(tmp_path / "plain"))
    r = run(plain, "47111")
    assert r.outcome == Outcome.TIDAK_SESUAI and lsd(r)[0] == "tidak_sesuai"
    assert "Protected rice fields" in lsd(r)[1]
    # the plan lets division 47 through with a condition, and 47111 itself freely
    store = store_for(lsd_dir)
    r = run(store, "47111")
    effect, text_en, source = lsd(r)
    assert (effect, source["kelompok_kegiatan"], r.outcome) == ("info", "47111", Outcome.SESUAI)
    assert "for the KBLI activity group 47111 this provision does not restrict it" in text_en
    # farming: section A of the catalogue lets it through LSD (the matrix still says X)
    farm = run(store, "01121")
    assert lsd(farm)[0] == "info" and lsd(farm)[2]["kelompok_kegiatan"] == "A"
    assert farm.outcome == Outcome.TIDAK_SESUAI
    assert [x.code for x in farm.reasons if x.effect == "tidak_sesuai"] == ["itbx.X"]
    # the conforming part follows: the rice field is excluded only where it forbids
    assert r.conforming["area_m2"] == pytest.approx(900.0)
    assert run(plain, "47111").conforming["area_m2"] == pytest.approx(0.0)


def test_a_bad_group_is_a_plan_error(tmp_path: Path) -> None:
    root = lsd_plan(tmp_path / "bad", '"4x" = "B"')
    _plan, problems = validate_dir(root)
    assert any("efek_kegiatan" in p.message_en and "KBLI section" in p.message_en for p in problems)


def test_the_plans_groups_are_read_as_written(lsd_dir: Path) -> None:
    rule = read_plan(lsd_dir).meta.overlay_rules["LSD"]
    assert rule.efek_kegiatan == {"47": "B", "47111": "I", "F": "X"}
    # a table without efek keeps the catalogue's effect
    assert read_plan(lsd_dir).meta.overlay_effects["LSD"] == "X"
