"""Every check of a fixed set of Kupang sample sites answers, byte for byte, what it
answered before the rules were reshaped for speed (issue 21 item 6): the same
findings, the same sentences, the same conforming geometry, as the JSON the API
returns and the check log stores.

The sites are made here from a seed (rectangles of 100 m² to 5 ha around random
zones, turned at random; every tenth a point; some with a drawn building, some
asking the TOD bonus; two activities each). ``golden/check_sample.jsonl.gz`` holds the
canonical JSON (``kkpr.records.checks.canonical``) of each result as the code of
issue 21's start gave it. After a change that *means* to change an answer, write it
again and say why in the commit::

    .venv/bin/python -m tests.rules.test_golden
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest
import shapely
from shapely.geometry import mapping

from kkpr.check import check
from kkpr.model import Proposal, Site
from kkpr.plan.package import Plan
from kkpr.records.checks import canonical
from kkpr.settings import SAMPLE_PLAN_DIR
from kkpr.store.memory import MemoryStore

GOLDEN = Path(__file__).parent / "golden" / "check_sample.jsonl.gz"
N_SITES = 160
SEED = 21

Case = tuple[Site, str, Proposal]


def cases(plan: Plan) -> list[Case]:
    """The sites, activities and proposals of the golden file (deterministic)."""
    rng = np.random.default_rng(SEED)
    zones = np.asarray(plan.zones.geometry.values, dtype=object)
    picks = rng.integers(0, len(zones), N_SITES)
    centre = shapely.get_coordinates(shapely.centroid(zones[picks])) + rng.normal(
        0, 60, (N_SITES, 2)
    )
    area = np.clip(rng.lognormal(np.log(1500.0), 1.0, N_SITES), 100.0, 50_000.0)
    aspect = rng.uniform(1.0, 3.0, N_SITES)
    turn = rng.uniform(0, 90, N_SITES)
    kbli = sorted(plan.rules.kbli)
    out: list[Case] = []
    for i in range(N_SITES):
        (x, y), a = centre[i], float(area[i])
        w, h = np.sqrt(a * aspect[i]), np.sqrt(a / aspect[i])
        box = shapely.affinity.rotate(
            shapely.box(x - w / 2, y - h / 2, x + w / 2, y + h / 2), turn[i]
        )
        geom = shapely.Point(x, y) if i % 10 == 0 else box
        floors = int(rng.integers(1, 6))
        footprint = None
        if i % 10 != 0 and i % 3 == 0:  # a drawn building: the site shrunk about its centre
            footprint = mapping(shapely.affinity.scale(box, 0.6, 0.5))
        proposal = Proposal(
            land_area_m2=a if i % 10 == 0 else None,
            footprint_m2=None if footprint else a * float(rng.uniform(0.2, 0.9)),
            floor_area_m2=a * 0.5 * floors,
            floors=floors,
            height_m=floors * 4.0 if i % 2 else None,
            green_area_m2=a * 0.1 if i % 4 == 1 else None,
            tod_bonus=i % 7 == 0,
            footprint=footprint,
        )
        for k in rng.choice(kbli, 2, replace=False):
            out.append((Site(geom, plan.meta.crs), str(k), proposal))
    return out


def answers(plan: Plan) -> list[str]:
    store = MemoryStore(plan)
    return [canonical(check(store, *case).to_dict()) for case in cases(plan)]


def test_every_answer_is_as_before(sample_plan: Plan) -> None:
    with gzip.open(GOLDEN, "rt", encoding="utf-8") as f:
        golden = [line.rstrip("\n") for line in f]
    store = MemoryStore(sample_plan)
    the_cases = cases(sample_plan)
    assert len(golden) == len(the_cases)
    for n, (case, want) in enumerate(zip(the_cases, golden, strict=True)):
        result = check(store, *case)
        got = canonical(result.to_dict())
        if got != want:  # the first key that differs, to read rather than two texts
            a, b = json.loads(got), json.loads(want)
            keys = [k for k in b if a.get(k) != b[k]]
            pytest.fail(f"case {n} ({case[1]}): {keys} differ: {a[keys[0]]!r} != {b[keys[0]]!r}")
        assert canonical(result) == want  # as the check log encodes the result itself


if __name__ == "__main__":
    from kkpr.plan.package import read_plan

    GOLDEN.parent.mkdir(exist_ok=True)
    texts = answers(read_plan(SAMPLE_PLAN_DIR))
    with gzip.open(GOLDEN, "wt", encoding="utf-8", compresslevel=9) as f:
        f.writelines(t + "\n" for t in texts)
    print(f"{len(texts)} answers written to {GOLDEN}")
