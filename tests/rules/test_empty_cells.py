"""Empty ITBX cells: read as the plan declares (plan.toml [rules] empty_cell) by the
check, single and array rules alike; undeclared, the package does not validate (tests/
plan/test_validate_itbx.py), and a check on it anyway says the plan is incomplete,
inventing no procedure.

The mini plan (tests/mini_plan.py) is emptied here in one cell: RESTO (KBLI 56101) × RTH-2.
"""

from __future__ import annotations

from pathlib import Path

from kkpr.bulk.vector import evaluate_sites
from kkpr.check import check
from kkpr.model import Outcome, Proposal
from kkpr.plan.package import read_plan
from kkpr.plan.validate import errors_of, validate
from kkpr.store.memory import MemoryStore
from tests.mini_plan import CRS, site, sq, write_mini_plan


def mini(tmp_path: Path, rules: str = "") -> Path:
    root = write_mini_plan(tmp_path / "mini")
    itbx = root / "itbx.csv"
    itbx.write_text(itbx.read_text().replace("RESTO,Restoran,I,T1;B1,X", "RESTO,Restoran,I,T1;B1,"))
    if rules:
        with (root / "plan.toml").open("a") as f:
            f.write(f"[rules]\n{rules}\n")
    return root


def test_without_a_declaration_the_check_says_the_plan_is_incomplete(tmp_path: Path) -> None:
    store = MemoryStore(read_plan(mini(tmp_path)))
    r = check(store, site(210, 10, 240, 90), "56101", Proposal(), crs=CRS)
    part = next(x for x in r.reasons if x.code == "itbx.silent")
    assert "plan is incomplete" in part.en and "kajian" not in part.id
    assert r.outcome == Outcome.PERLU_KAJIAN
    assert [p.itbx for p in r.parts] == [None]
    errors = [p for p in errors_of(validate(store.plan)) if p.code == "itbx.empty_cell"]
    assert [(p.row, p.column) for p in errors] == [(3, "RTH-2")]


def test_a_declared_meaning_decides_the_empty_cell(tmp_path: Path) -> None:
    plan = read_plan(mini(tmp_path, 'empty_cell = "X"'))
    store = MemoryStore(plan)
    r = check(store, site(210, 10, 240, 90), "56101", Proposal(), crs=CRS)
    assert [(p.itbx, p.cell) for p in r.parts] == [("X", None)]
    assert r.outcome == Outcome.TIDAK_SESUAI
    part = next(x for x in r.reasons if x.code == "itbx.X")
    assert "[rules] empty_cell" in part.en
    # the array rules read it the same way
    v = evaluate_sites(store, [sq(210, 10, 240, 90)], CRS, ["56101"])
    assert v.outcomes() == ["tidak_sesuai"] and ("itbx.X", "tidak_sesuai") in v.reasons()[0]
