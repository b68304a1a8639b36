"""KUGI overlay flags written as text: "none" values are read once, as not set, by everyone.

Published layers fill every overlay field and write "none" as ``Tidak Ada``, ``-``,
``0`` or nothing, in any case and with stray spaces. The mini plan is rewritten with
such values (and two real flags) and asked through every reader of the flags: the check
on both stores, the bulk array rules, ``plan diff`` and the OGC features.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest

from kkpr.bulk.vector import PROPOSAL_COLUMNS, evaluate_sites
from kkpr.check import check
from kkpr.model import Site
from kkpr.plan.kugi import FLAG_NONE_DEFAULT, flag_text, none_key
from kkpr.plan.package import read_plan
from kkpr.revision.diff import diff_plans
from kkpr.store.base import Store
from kkpr.store.memory import MemoryStore
from tests.mini_plan import CRS, sq

NONE_KEYS = frozenset(none_key(v) for v in FLAG_NONE_DEFAULT)
# zone fid -> (KKOP_1, KRB_03, LP2B_2) as a published layer writes them
WRITTEN = {
    "1": ("Tidak Ada", "TIDAK ADA", "0"),
    "2": ("  tidak   ada ", "-", 0),
    "3": ("-", "", None),
    "4": ("", " - ", "0"),
    "5": ("K01G", "Kawasan Rawan Banjir - Tinggi", "Tidak Ada"),
}
# a site well inside each zone, away from the overlays of the ketentuan_khusus layer
INSIDE = {
    "1": sq(10, 10, 90, 90),
    "2": sq(110, 10, 190, 90),
    "3": sq(210, 10, 240, 90),
    "4": sq(60, 110, 90, 140),
    "5": sq(110, 110, 190, 190),
}


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("Tidak Ada", None),
        (" tidak  ADA ", None),
        ("-", None),
        ("0", None),
        (0, None),
        (0.0, None),
        ("", None),
        ("   ", None),
        (None, None),
        (float("nan"), None),
        ("K01G", "K01G"),
        ("  Kawasan Rawan Banjir - Tinggi ", "Kawasan Rawan Banjir - Tinggi"),
        (1, "1"),
        (1.0, "1"),
        ("Ada", "Ada"),
    ],
)
def test_a_flag_value_is_none_or_keeps_its_text(value: object, text: str | None) -> None:
    assert flag_text(value, NONE_KEYS) == text


def write_flagged(root: Path, mini_plan_dir: Path, written: dict[str, tuple]) -> Path:
    shutil.copytree(mini_plan_dir, root)
    zones = gpd.read_file(root / "pola_ruang.gpkg")
    for i, column in enumerate(("KKOP_1", "KRB_03", "LP2B_2")):
        zones[column] = [
            str(v) if v is not None else None for v in (w[i] for w in written.values())
        ]
    zones.to_file(root / "pola_ruang.gpkg", driver="GPKG")
    return root


@pytest.fixture(scope="module")
def flagged_dir(tmp_path_factory: pytest.TempPathFactory, mini_plan_dir: Path) -> Path:
    return write_flagged(tmp_path_factory.mktemp("flags") / "flagged", mini_plan_dir, WRITTEN)


def flag_findings(result) -> list[tuple[str, str | None]]:  # type: ignore[no-untyped-def]
    return sorted(
        (o.source, o.keterangan) for o in result.overlays if o.source.startswith("pola_ruang.")
    )


def test_none_values_flag_nothing_and_real_flags_keep_their_text(flagged_dir: Path) -> None:
    plan = read_plan(flagged_dir)
    for fid in ("1", "2", "3", "4"):
        assert flag_findings(check(plan, INSIDE[fid].__geo_interface__, "47111", crs=CRS)) == [], (
            fid
        )
    assert flag_findings(check(plan, INSIDE["5"].__geo_interface__, "47111", crs=CRS)) == [
        ("pola_ruang.KKOP_1", "K01G"),
        ("pola_ruang.KRB_03", "Kawasan Rawan Banjir - Tinggi"),
    ]


def test_both_stores_read_the_flags_alike(
    store_for: Callable[[Path], Store], flagged_dir: Path
) -> None:
    store = store_for(flagged_dir)
    got = {}
    for geom in INSIDE.values():
        (zone,) = store.locate(Site(geom, CRS)).zones
        got[zone.fid] = (zone.flags, zone.flag_texts)
    assert got == {
        "1": ((), ()),
        "2": ((), ()),
        "3": ((), ()),
        "4": ((), ()),
        "5": (("KKOP", "KRB"), ("K01G", "Kawasan Rawan Banjir - Tinggi")),
    }


def test_the_bulk_rules_decide_as_the_check(flagged_dir: Path) -> None:
    plan = read_plan(flagged_dir)
    store = MemoryStore(plan)
    geoms = np.array(list(INSIDE.values()), dtype=object)
    kbli = np.array(["47111"] * len(geoms), dtype=object)
    proposal = {c: [None] * len(geoms) for c in PROPOSAL_COLUMNS}
    verdicts = evaluate_sites(store, geoms, CRS, kbli, proposal)
    assert verdicts.outcomes() == [str(check(store, Site(g, CRS), "47111").outcome) for g in geoms]


def test_plan_diff_sees_no_change_between_tidak_ada_and_empty(
    tmp_path: Path, mini_plan_dir: Path, flagged_dir: Path
) -> None:
    blank = {fid: (None, None, None) if fid != "5" else w for fid, w in WRITTEN.items()}
    other = write_flagged(tmp_path / "blank", mini_plan_dir, blank)
    diff = diff_plans(read_plan(flagged_dir), read_plan(other))
    assert len(diff.zones_changed) == 0


def test_ogc_features_show_none_as_null_and_real_flags_as_written(
    store_for: Callable[[Path], Store], flagged_dir: Path
) -> None:
    features = store_for(flagged_dir).features("zones")  # type: ignore[attr-defined]
    props = {f["id"]: f["properties"] for f in features[0]}
    assert {fid: (p["kkop_1"], p["krb_03"], p["lp2b_2"]) for fid, p in props.items()} == {
        "1": (None, None, None),
        "2": (None, None, None),
        "3": (None, None, None),
        "4": (None, None, None),
        "5": ("K01G", "Kawasan Rawan Banjir - Tinggi", None),
    }


def test_a_plan_names_its_own_none_values(tmp_path: Path, flagged_dir: Path) -> None:
    root = tmp_path / "own"
    shutil.copytree(flagged_dir, root)
    with (root / "plan.toml").open("a") as f:
        f.write('[flags]\nnone = ["Tidak Ada", "0", "", "K01G"]\n')
    plan = read_plan(root)
    # "-" is now a real flag (zone 2's KRB_03), and K01G means none
    assert flag_findings(check(plan, INSIDE["2"].__geo_interface__, "47111", crs=CRS)) == [
        ("pola_ruang.KRB_03", "-")
    ]
    assert flag_findings(check(plan, INSIDE["5"].__geo_interface__, "47111", crs=CRS)) == [
        ("pola_ruang.KRB_03", "Kawasan Rawan Banjir - Tinggi")
    ]


def test_a_flag_written_as_1_is_set_with_no_text_to_show(mini_plan_dir: Path) -> None:
    plan = read_plan(mini_plan_dir)  # zone 5: KKOP_1 = 1
    r = check(plan, INSIDE["5"].__geo_interface__, "47111", crs=CRS)
    assert flag_findings(r) == [("pola_ruang.KKOP_1", None)]
    # the flag's sentence (the layer's KKOP has its KETERANGAN) shows no bare "1"
    assert not [x for x in r.reasons if ": 1;" in x.en or ": 1;" in x.id]
