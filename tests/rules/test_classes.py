"""Intensity by class of lot (issue 18 item 4), hand-worked on the mini plan with K-1's
intensity by lot size as Kota Yogyakarta gives sub-zone K (tests/mini_plan.py
LOT_CLASSES): 40-100 m² KDB 90 TB 20; 101-200 KDB 90 TB 24; 201-400 KDB 80 KLB 4.8
TB 26; 401-1000 KDB 80 TB 28; from 1001 KDB 80 KLB 6.4 TB 32. Zone Z1 (K-1) is
x 0..100, y 0..100; Z2 (R-2, KDB 60) is x 100..200. The memory and PostGIS stores
answer alike; the array rules too (tests/bulk/test_vector.py).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pytest

from kkpr.check import check
from kkpr.model import CheckResult, Intensity, IntensityClass, Outcome, Proposal
from kkpr.plan.validate import validate_dir
from kkpr.rules import classes
from kkpr.store.base import Store
from tests.mini_plan import CRS, X0, Y0, site, with_lot_classes, write_mini_plan


@pytest.fixture(scope="module")
def class_plan_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return with_lot_classes(write_mini_plan(tmp_path_factory.mktemp("classes") / "mini"))


@pytest.fixture
def store(store_for: Callable[[Path], Store], class_plan_dir: Path) -> Store:
    return store_for(class_plan_dir)


def run(store: Store, geom: dict, **proposal: float) -> CheckResult:
    return check(store, geom, "47111", Proposal(**proposal), crs=CRS)


def limit(r: CheckResult, rule: str) -> float:
    return next(i.limit for i in r.intensity if i.rule == rule)


def class_reason(r: CheckResult) -> tuple[str, str, str]:
    x = next(x for x in r.reasons if x.code.startswith("intensity.class."))
    return x.code, x.id, x.en


def test_a_150_m2_lot_takes_class_2(store: Store) -> None:
    # 10 m × 15 m = 150 m²: class 2 (101-200 m²), KDB 90%, TB 24 m; a 140 m² footprint
    # is 140 / 150 = 93.3% > 90%
    r = run(store, site(10, 10, 20, 25), footprint_m2=140, height_m=22)
    assert (limit(r, "KDB"), limit(r, "TB"), limit(r, "KLB")) == (90.0, 24.0, 4.5)
    code, text_id, text_en = class_reason(r)
    assert code == "intensity.class.area"
    assert "class 2" in text_en and "150 m² is within 101–200 m²" in text_en
    assert "kelas 2" in text_id and "intensitas.csv baris 3" in text_id
    assert r.outcome == Outcome.TIDAK_SESUAI
    assert [x.code for x in r.reasons if x.effect == "tidak_sesuai"] == ["intensity.kdb.exceeded"]


def test_a_400_m2_lot_takes_class_3_and_a_1200_m2_lot_class_5(store: Store) -> None:
    # 20 × 20 = 400 m²: class 3, KDB 80: 300 m² footprint = 75% passes, 330 m² = 82.5% not
    assert run(store, site(10, 10, 30, 30), footprint_m2=300).outcome == Outcome.SESUAI
    assert run(store, site(10, 10, 30, 30), footprint_m2=330).outcome == Outcome.TIDAK_SESUAI
    # 30 × 40 = 1,200 m²: class 5, KLB 6.4: 7,000 m² floor area = 5.83 passes, 8,000 = 6.67 not
    big = site(10, 10, 40, 50)
    r = run(store, big, floor_area_m2=7000)
    assert (limit(r, "KLB"), r.outcome) == (6.4, Outcome.SESUAI)
    assert "≥ 1,001 m²" in class_reason(r)[2]
    assert run(store, big, floor_area_m2=8000).outcome == Outcome.TIDAK_SESUAI


def test_the_lot_size_is_whole_square_metres(store: Store) -> None:
    # 10 m × 10.04 m = 100.4 m², 100 m² on a certificate: class 1 (TB 20), not class 2
    r = run(store, site(10, 10, 20, 20.04), height_m=22)
    assert limit(r, "TB") == 20.0 and "class 1" in class_reason(r)[2]
    assert r.outcome == Outcome.TIDAK_SESUAI


def test_a_lot_in_no_class_is_for_staff(store: Store) -> None:
    # 5 × 6 = 30 m², under the smallest class (40 m²), and K-1 has no general row
    r = run(store, site(10, 10, 15, 16))
    code, _id, text_en = class_reason(r)
    assert code == "intensity.class.none" and "30 m² is in no class" in text_en
    assert r.outcome == Outcome.PERLU_KAJIAN
    assert not [i for i in r.intensity if i.rule == "KDB"]


def test_a_point_takes_its_class_from_the_land_area(store: Store) -> None:
    point = {"type": "Point", "coordinates": [X0 + 50, Y0 + 50]}
    r = check(store, point, "47111", Proposal(land_area_m2=150, footprint_m2=120), crs=CRS)
    assert limit(r, "KDB") == 90.0 and "class 2" in class_reason(r)[2]
    unknown = check(store, point, "47111", Proposal(), crs=CRS)
    assert class_reason(unknown)[0] == "intensity.class.unknown_area"
    assert unknown.outcome == Outcome.SESUAI  # nothing to check is not a reason to refuse


def test_a_mixed_lot_weighs_the_class_row(store: Store) -> None:
    # x 90..110, y 0..10: 100 m² of K-1 and 100 m² of R-2, a 200 m² lot: K-1 class 2
    # (KDB 90) and R-2 (KDB 60): (90 × 100 + 60 × 100) / 200 = 75%
    r = run(store, site(90, 0, 110, 10), footprint_m2=150)
    assert limit(r, "KDB") == pytest.approx(75.0)
    assert r.outcome == Outcome.SESUAI_BERSYARAT  # 150 / 200 = 75%: within; R-2 is T1


def test_road_classes_pick_the_row_of_the_road_fronted() -> None:
    """Bintan's Pariwisata rows: KLB 2.0 on the national road, else the general 1.0."""
    rows = (
        IntensityClass("W", Intensity(kdb=50, klb=2.0), None, None, None, "Jalan Nasional", 20),
    )
    general = Intensity(kdb=50, klb=1.0)
    road = SimpleNamespace(fid="7", nama="Jl. Lintas Barat", fungsi="Arteri Primer",
                           kelas="I", status="nasional")  # fmt: skip
    on = classes.select("W", rows, general, 900.0, classes.road_keys([road]), True)
    assert on.intensity == rows[0].intensity and on.code == "intensity.class.road"
    assert "Jl. Lintas Barat" in on.texts[1] and "Jalan Nasional" in on.texts[1]
    off = classes.select("W", rows, general, 900.0, (), True)
    assert off.intensity == general and off.code == "intensity.class.default"
    assert "fronts no road of class Jalan Nasional" in off.texts[1]
    none = classes.select("W", rows, None, 900.0, (), False)
    assert none.intensity is None and "no road layer" in none.texts[1]


def test_overlapping_or_reversed_classes_are_errors(class_plan_dir: Path, tmp_path: Path) -> None:
    root = with_lot_classes(write_mini_plan(tmp_path / "bad"))
    text = (root / "intensitas.csv").read_text()
    text = text.replace("K-1,2,101,200", "K-1,2,90,200").replace("K-1,4,401,1000", "K-1,4,1000,401")
    (root / "intensitas.csv").write_text(text)
    problems = [p for p in validate_dir(root)[1] if p.code.startswith("intensity.class")]
    assert [(p.code, p.row) for p in problems] == [
        ("intensity.class_overlap", 3),
        ("intensity.class_bounds", 5),
    ]
    assert "overlaps line 2" in problems[0].message_en
    assert not [p for p in validate_dir(class_plan_dir)[1] if p.severity == "error"]


ROAD_CLASSES = """\
kodszn,kelas,luas_min,luas_max,kelas_jalan,kdb,klb,kdh,ktb,tb,jlb,gsb
K-1,arteri,,,Jalan Arteri Sekunder,70,4,10,,24,6,5
K-1,,,,,70,3,10,,24,6,5
R-2,,,,,60,1.2,20,,12,3,3
RTH-2,,,,,5,0.05,90,,4,1,
"""


@pytest.fixture(scope="module")
def road_class_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.roads_plan import write_roads_plan

    root = write_roads_plan(tmp_path_factory.mktemp("roadclass") / "mini")
    (root / "intensitas.csv").write_text(ROAD_CLASSES)
    return root


def test_a_lot_on_the_arterial_takes_the_road_class_row(
    store_for: Callable[[Path], Store], road_class_dir: Path
) -> None:
    """The roads plan (tests/roads_plan.py): R1 "Jalan Uji Arteri" (Arteri Sekunder) runs
    at y = -6 below Z1; K-1 has KLB 4 on an arterial, 3 elsewhere. A 30 × 30 = 900 m²
    lot at y 0..30 fronts it (6 m away): 3,200 m² of floor = KLB 3.56 ≤ 4; the same lot
    at y 40..70 fronts no road (44 m from R2): KLB 3.56 > 3."""
    store = store_for(road_class_dir)
    front = run(store, site(10, 0, 40, 30), floor_area_m2=3200)
    assert limit(front, "KLB") == 4.0 and front.outcome == Outcome.SESUAI
    code, _id, text_en = class_reason(front)
    assert code == "intensity.class.road" and "Jalan Uji Arteri" in text_en
    back = run(store, site(10, 40, 40, 70), floor_area_m2=3200)
    assert limit(back, "KLB") == 3.0 and back.outcome == Outcome.TIDAK_SESUAI
    code, _id, text_en = class_reason(back)
    assert code == "intensity.class.default"
    assert "fronts no road of class Jalan Arteri Sekunder" in text_en


def test_road_class_rows_without_a_road_layer_are_a_warning(tmp_path: Path) -> None:
    root = write_mini_plan(tmp_path / "noroads")
    (root / "intensitas.csv").write_text(ROAD_CLASSES)
    (warn,) = [p for p in validate_dir(root)[1] if p.code == "intensity.class_no_roads"]
    assert (warn.severity, warn.row) == ("warning", 2) and "K-1" in warn.message_en
