"""Every check of the test plans that hold what the Kupang sample does not answers, byte
for byte, what it answered before the rules were reshaped for speed (issue 21 item 6),
as ``test_golden.py`` holds the sample's: intensity by lot class and by road class, the
RTRW's matrix outside the RDTR, the TOD bonus, KKOP surfaces as limit elevations with and
without a DEM, GSB measured from the road line, the strictest intensity of a mixed lot.

The plans are written by the tests' own builders (``tests/mini_plan.py``,
``tests/roads_plan.py`` and the rule tests'); the sites are made here from a seed
(rectangles of 1 to 150 m a side, turned at random, around and beyond the zones; every
seventh a point; some with a drawn building; figures at random, the TOD bonus asked on
every other; a drawn building is the site shrunk by half about its centre). ``golden/check_variants.jsonl.gz`` holds the canonical JSON of each result
as main gave it at a15f136, before the rules were reshaped. After a change that *means*
to change an answer (or a change to a builder), write it again and say why::

    .venv/bin/python -m tests.rules.test_golden_variants
"""

from __future__ import annotations

import gzip
import json
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import shapely
from shapely.geometry import mapping

from kkpr.check import check
from kkpr.model import Proposal, Site
from kkpr.plan.package import read_plan
from kkpr.records.checks import canonical
from kkpr.store.memory import MemoryStore
from tests.mini_plan import with_lot_classes, write_mini_plan
from tests.roads_plan import write_roads_plan
from tests.rules.test_bonus import tod_plan
from tests.rules.test_classes import ROAD_CLASSES
from tests.rules.test_kkop_elevation import kkop_plan
from tests.rules.test_rtrw import rtrw_plan

GOLDEN = Path(__file__).parent / "golden" / "check_variants.jsonl.gz"
N_CASES = 40  # per plan
SEED = 21


def _road_classes(root: Path) -> Path:
    write_roads_plan(root)
    (root / "intensitas.csv").write_text(ROAD_CLASSES)
    return root


def _appended(text: str) -> Callable[[Path], Path]:
    def build(root: Path) -> Path:
        write_mini_plan(root)
        with (root / "plan.toml").open("a", encoding="utf-8") as f:
            f.write(text)
        return root

    return build


# plan name -> what writes it into a folder
PLANS: dict[str, Callable[[Path], Path]] = {
    "lot_classes": lambda root: with_lot_classes(write_mini_plan(root)),
    "road_classes": _road_classes,
    "rtrw_matrix": rtrw_plan,
    "tod_bonus": tod_plan,
    "kkop_elevation": kkop_plan,
    "kkop_elevation_no_dem": lambda root: kkop_plan(root, dem=False),
    "gsb_from_road": lambda root: write_roads_plan(
        root, toml='[setbacks]\nmeasured_from = "road"\n'
    ),
    "strictest_intensity": _appended('\n[rules]\nmixed_intensity = "strictest"\n'),
}

Case = tuple[Site, str, Proposal]


def cases(folder: Path) -> list[Case]:
    """The sites, activities and proposals of one plan (deterministic)."""
    plan = read_plan(folder)
    x0, y0, x1, y1 = shapely.total_bounds(np.asarray(plan.zones.geometry.values, dtype=object))
    rng = np.random.default_rng(SEED)
    kbli = sorted(plan.rules.kbli)
    out: list[Case] = []
    for i in range(N_CASES):
        cx, cy = rng.uniform(x0 - 100, x1 + 100), rng.uniform(y0 - 100, y1 + 100)
        w, h = rng.uniform(1, 150), rng.uniform(1, 150)
        box = shapely.affinity.rotate(
            shapely.box(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2), rng.uniform(0, 90)
        )
        drawn = i % 7 != 0 and i % 3 == 0
        floors = int(rng.integers(1, 8))
        proposal = Proposal(
            land_area_m2=w * h if i % 7 == 0 else None,
            footprint_m2=None if drawn else w * h * float(rng.uniform(0.1, 1.0)),
            floor_area_m2=w * h * 0.7 * floors if i % 5 else None,
            floors=floors if i % 4 else None,
            height_m=floors * 4.5 if i % 2 else None,
            green_area_m2=w * h * 0.15 if i % 3 == 1 else None,
            tod_bonus=i % 2 == 0,
            footprint=mapping(shapely.affinity.scale(box, 0.5, 0.5)) if drawn else None,
        )
        geom = shapely.Point(cx, cy) if i % 7 == 0 else box
        out.append((Site(geom, plan.meta.crs), str(rng.choice(kbli)), proposal))
    return out


def answer(store: MemoryStore, case: Case) -> str:
    """The canonical JSON of a case's check, the plan's checksum in it written as
    ``CHECKSUM``: a GeoPackage written again holds another timestamp, so the checksum
    of a plan written afresh differs from the one the golden answers were given by."""
    text = canonical(check(store, *case))
    checksum = store.rules(None).meta.checksum
    return text.replace(checksum, "CHECKSUM") if checksum else text


def write_plans(root: Path) -> dict[str, Path]:
    return {name: build(root / name) for name, build in PLANS.items()}


def answers(folders: dict[str, Path]) -> list[str]:
    texts = []
    for folder in folders.values():
        store = MemoryStore(read_plan(folder))
        texts += [answer(store, case) for case in cases(folder)]
    return texts


@pytest.fixture(scope="module")
def variant_dirs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_plans(tmp_path_factory.mktemp("variants"))


def test_every_answer_of_the_variant_plans_is_as_before(variant_dirs: dict[str, Path]) -> None:
    with gzip.open(GOLDEN, "rt", encoding="utf-8") as f:
        golden = [line.rstrip("\n") for line in f]
    assert len(golden) == N_CASES * len(PLANS)
    wants = iter(golden)
    for name, folder in variant_dirs.items():
        store = MemoryStore(read_plan(folder))
        for n, case in enumerate(cases(folder)):
            got, want = answer(store, case), next(wants)
            if got != want:  # the first key that differs, to read rather than two texts
                a, b = json.loads(got), json.loads(want)
                keys = [k for k in b if a.get(k) != b[k]]
                pytest.fail(f"{name} case {n}: {keys} differ: {a[keys[0]]!r} != {b[keys[0]]!r}")


def test_the_variant_plans_reach_what_the_sample_does_not(
    variant_dirs: dict[str, Path],
) -> None:
    """The golden answers are worth holding only if the cases reach the rules the sample
    leaves out: class rows, RTRW indications, the bonus, limit elevations."""
    with gzip.open(GOLDEN, "rt", encoding="utf-8") as f:
        codes = {r["code"] for line in f for r in json.loads(line)["reasons"]}
    for code in ("intensity.class.area", "intensity.class.road", "tod.bonus.applied",
                 "tod.bonus.available", "overlay.kkop.no_ground", "setback.gsb"):  # fmt: skip
        assert code in codes
    assert any(c.startswith("rtrw.itbx.") for c in codes)


if __name__ == "__main__":
    GOLDEN.parent.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        texts = answers(write_plans(Path(tmp)))
    with gzip.open(GOLDEN, "wt", encoding="utf-8", compresslevel=9) as f:
        f.writelines(t + "\n" for t in texts)
    print(f"{len(texts)} answers written to {GOLDEN}")
