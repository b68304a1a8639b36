"""The check as the pipeline passes it (kkpr.pipeline.findings): the TypedDicts that let
mypy check the keys the pipeline reads are exactly the JSON the check gives."""

from __future__ import annotations

from pathlib import Path
from typing import Any, get_type_hints

from kkpr import check
from kkpr.model import (
    CheckResultDict,
    ConditionJson,
    ConditionResult,
    Effect,
    IntensityFinding,
    IntensityJson,
    OverlayFinding,
    OverlayJson,
    PartJson,
    PartResult,
    Proposal,
    RasterFinding,
    RasterJson,
    Reason,
    ReasonJson,
    SetbackFinding,
    SetbackJson,
    _Basis,
    field_names,
)
from kkpr.pipeline.findings import (
    CheckJson,
    check_json,
    conditions_of,
    reasons_of,
)
from kkpr.plan.package import read_plan
from kkpr.site import site_from_geojson
from kkpr.store.memory import MemoryStore
from tests.mini_plan import CRS, site
from tests.roads_plan import write_roads_plan

ITEMS: dict[str, tuple[type, type]] = {
    "parts": (PartJson, PartResult),
    "conditions": (ConditionJson, ConditionResult),
    "intensity": (IntensityJson, IntensityFinding),
    "overlays": (OverlayJson, OverlayFinding),
    "rasters": (RasterJson, RasterFinding),
    "setbacks": (SetbackJson, SetbackFinding),
}


def keys(typed: type) -> set[str]:
    return set(get_type_hints(typed))


def test_each_item_type_names_the_fields_of_its_result() -> None:
    for name, (typed, result) in ITEMS.items():
        assert keys(typed) == set(field_names(result)), name
        # in the dataclass's order, each of the type the dataclass holds (a finding's
        # basis sentence reads as the str it is)
        held = get_type_hints(result)
        assert get_type_hints(typed) == {
            f: str if held[f] is _Basis else held[f] for f in field_names(result)
        }, name
        assert list(get_type_hints(typed)) == list(field_names(result)), name
    assert keys(ReasonJson) == set(Reason("x").to_dict())


def test_the_pipeline_reads_the_engines_result_type() -> None:
    # one description of a check's JSON: the pipeline's is the engine's, item by item
    assert CheckJson is CheckResultDict
    hints = get_type_hints(CheckResultDict)
    for name, (typed, _result) in ITEMS.items():
        assert hints[name] == list[typed], name
    assert hints["reasons"] == list[ReasonJson]


def test_a_real_check_has_exactly_the_typed_keys(tmp_path: Path, mini_plan: Any) -> None:
    corner = site_from_geojson(site(0, 0, 40, 40), CRS)
    roads = MemoryStore(read_plan(write_roads_plan(tmp_path / "roads")))
    # R-2 with its conditions and KDB limit, in the CAGBUD area (B): every list filled
    # but the rasters (the mini plan has none; their fields are checked above)
    mini = MemoryStore(mini_plan)
    lot = site_from_geojson(site(10, 110, 90, 190), CRS)
    proposal = Proposal(land_area_m2=6400, footprint_m2=1000, floor_area_m2=2000, floors=2)
    for store, where in ((roads, corner), (mini, lot)):
        found = check_json(check(store, where, "56101", proposal))
        assert set(found) == keys(CheckJson)
        for name, (typed, _result) in ITEMS.items():
            for item in found[name]:
                assert set(item) == keys(typed), name
        for reason in found["reasons"]:
            assert set(reason) == keys(ReasonJson)
    assert found["parts"] and found["conditions"] and found["intensity"] and found["overlays"]


def test_carried_conditions_and_refusal_reasons_come_from_the_check(mini_plan: Any) -> None:
    store = MemoryStore(mini_plan)
    # a restaurant in R-2 (T1;B1: condition B1) inside CAGBUD (B: a condition)
    found = check_json(check(store, site_from_geojson(site(10, 160, 40, 190), CRS), "56101"))
    carried = conditions_of(found)
    assert {c["source"] for c in carried} == {"plan", "check"}
    assert all(set(c) == {"kode", "id", "en", "source"} for c in carried)
    # a farm in the SEMPADAN buffer (X) is refused with the forbidding reasons
    refused = check_json(check(store, site_from_geojson(site(260, 10, 290, 90), CRS), "01121"))
    why = reasons_of(refused, Effect.FORBIDS)
    assert why and all(set(r) == {"code", "id", "en"} for r in why)
    assert [r["code"] for r in why] == [
        r["code"] for r in refused["reasons"] if r["effect"] == Effect.FORBIDS
    ]
