"""The Kupang sample's example sites: the answers their README worked out.

``zoning_data/kupang/examples/README.md`` lists, for each example, the zones, overlays and
raster shares the generator measured with shapely from the written files; the outcomes
below follow from those by the outcome rules, and run against both stores.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from kkpr.catalogue import catalogue
from kkpr.check import check
from kkpr.model import Form, Outcome, Proposal
from kkpr.settings import SAMPLE_PLAN_DIR
from kkpr.store.base import Store

EXAMPLES = SAMPLE_PLAN_DIR / "examples"
CASES = [  # file, KBLI, outcome, (sub-zone, share) of deciding parts, overlays touched
    ("k1_minimarket", "47111", Outcome.SESUAI, [("K-1", 1.0)], {"KKOP"}),
    ("k2_minimarket", "47111", Outcome.SESUAI, [("K-2", 1.0)], set()),
    ("r_minimarket_terbatas", "47111", Outcome.SESUAI_BERSYARAT, [("R-2", 1.0)], set()),
    ("rth_minimarket_dilarang", "47111", Outcome.TIDAK_SESUAI, [("RTH-2", 1.0)], set()),
    ("dua_zona", "56101", Outcome.SESUAI_BERSYARAT, [("K-2", 0.5), ("R-2", 0.5)], {"KKOP"}),
    (
        "sebagian_di_luar_rdtr",
        "68111",
        Outcome.PERLU_KAJIAN,
        [("K-3", 0.19), ("R-3", 0.31), ("R-3", 0.20)],
        set(),
    ),
    ("sempadan_pantai", "56101", Outcome.TIDAK_SESUAI, [("W", 1.0)], {"KKOP", "KRB", "SEMPADAN"}),
    ("kkop_ancangan", "47111", Outcome.SESUAI_BERSYARAT, [("K-3", 1.0)], {"KKOP"}),
    ("lereng_curam", "68111", Outcome.TIDAK_SESUAI, [("R-4", 1.0)], set()),
    ("rawan_banjir", "56102", Outcome.SESUAI_BERSYARAT, [("K-2", 1.0)], {"KKOP"}),
]


@pytest.fixture
def sample_store(store_for: Callable[[Path], Store]) -> Store:
    return store_for(SAMPLE_PLAN_DIR)


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_example_sites(sample_store: Store, case: tuple) -> None:
    name, kbli, outcome, zones, overlays = case
    geojson = json.loads((EXAMPLES / f"{name}.geojson").read_text())
    r = check(sample_store, geojson, kbli, Proposal(floor_area_m2=100, floors=1, height_m=4))
    assert r.outcome == outcome, [x.en for x in r.reasons]
    got = sorted((p.kodszn, p.share) for p in r.parts if p.deciding)
    assert [z for z, _ in got] == sorted(z for z, _ in zones)
    for (_, share), (_, want) in zip(got, sorted(zones), strict=True):
        assert share == pytest.approx(want, abs=0.01)
    assert {o.jenis for o in r.overlays} == overlays


def test_partly_outside_goes_to_pkkpr_with_an_rtrw_indication(sample_store: Store) -> None:
    geojson = json.loads((EXAMPLES / "sebagian_di_luar_rdtr.geojson").read_text())
    r = check(sample_store, geojson, "68111")
    assert r.form == Form.PKKPR
    assert r.site["outside_m2"] / r.site["area_m2"] == pytest.approx(0.30, abs=0.01)
    assert r.rtrw and all(h["indicative"] for h in r.rtrw)


def test_slope_finding_carries_its_numbers(sample_store: Store) -> None:
    geojson = json.loads((EXAMPLES / "lereng_curam.geojson").read_text())
    r = check(sample_store, geojson, "68111")
    dem = next(f for f in r.rasters if f.id == "dem")
    assert dem.share_above == pytest.approx(0.44, abs=0.03) and dem.threshold == 40 and dem.exceeded


def test_point_site(sample_store: Store) -> None:
    geojson = json.loads((EXAMPLES / "titik.geojson").read_text())
    r = check(sample_store, geojson, "56101")
    assert r.outcome == Outcome.SESUAI and [p.kodszn for p in r.parts] == ["C-1"]


def test_kbli_catalogue_search() -> None:
    cat = catalogue()
    assert len(cat.items) > 1000
    assert cat.get("47111") is not None
    words = [i.kode for i in cat.search("rumah makan")]
    assert "56102" in words
    assert all(i.kode.startswith("561") for i in cat.search("561"))
    assert [i.kode for i in cat.search("roti")][:5] and "10710" in [
        i.kode for i in cat.search("roti")
    ]


def test_unknown_code_that_the_catalogue_knows_says_so(sample_plan: object) -> None:
    from kkpr.errors import UnknownActivity
    from kkpr.plan.package import Plan

    assert isinstance(sample_plan, Plan)
    known = next(i.kode for i in catalogue().items if i.kode not in sample_plan.rules.kbli)
    geojson = json.loads((EXAMPLES / "k1_minimarket.geojson").read_text())
    with pytest.raises(UnknownActivity) as err:
        check(sample_plan, geojson, known)
    assert err.value.suggestions[0]["kode"] == known
