"""Every special-provision kind of PLAN_FORMAT, from a layer and from a zone flag.

The plan: one K-1 zone x 0..1000, y 0..100, where minimarkets are permitted (I), and
nine 100 x 100 m overlay squares side by side, one per kind. A site 80 x 80 m inside
a square touches that overlay only; so the outcome is what that overlay does.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest

from kkpr.check import check
from kkpr.model import Outcome, Proposal
from kkpr.plan.package import Plan, read_plan
from tests.mini_plan import CRS, site, sq, write_mini_plan

KINDS = [  # jenis, EFEK in the layer, TB, expected outcome for a minimarket
    ("KKOP", None, 15.0, Outcome.SESUAI),
    ("KRB", "B", None, Outcome.SESUAI_BERSYARAT),
    ("LP2B", "X", None, Outcome.TIDAK_SESUAI),
    ("CAGBUD", "B", None, Outcome.SESUAI_BERSYARAT),
    ("SEMPADAN", "X", None, Outcome.TIDAK_SESUAI),
    ("TOD", None, None, Outcome.SESUAI),
    ("HANKAM", "X", None, Outcome.TIDAK_SESUAI),
    ("KARST", "B", None, Outcome.SESUAI_BERSYARAT),
    ("RESAPAN", "B", None, Outcome.SESUAI_BERSYARAT),
]
FLAGS = {
    "KKOP": "KKOP_1",
    "KRB": "KRB_03",
    "LP2B": "LP2B_2",
    "CAGBUD": "CAGBUD",
    "SEMPADAN": "KSMPDN",
    "TOD": "TOD_04",
    "HANKAM": "HANKAM",
    "KARST": "KKARST",
    "RESAPAN": "RESAIR",
}


@pytest.fixture(scope="module")
def overlay_plan(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    root = write_mini_plan(tmp_path_factory.mktemp("ov") / "ov")
    (root / "itbx.csv").write_text(
        "kode_kegiatan,kegiatan,K-1\nPERDAG-MINI,Minimarket,I\nTANI,Pertanian,I\n"
    )
    (root / "kbli.csv").write_text(
        "kbli,judul,kode_kegiatan\n47111,Minimarket,PERDAG-MINI\n01121,Padi,TANI\n"
    )
    (root / "intensitas.csv").write_text("kodszn,kdb,klb,kdh,ktb,tb,jlb,gsb\nK-1,70,3,10,,24,6,5\n")
    gpd.GeoDataFrame({"KODSZN": ["K-1"]}, geometry=[sq(0, 0, 1000, 100)], crs=CRS).to_file(
        root / "pola_ruang.gpkg", driver="GPKG"
    )
    gpd.GeoDataFrame(
        {
            "JENIS": [k for k, *_ in KINDS],
            "KETERANGAN": [f"uji {k}" for k, *_ in KINDS],
            "EFEK": [e for _, e, *_ in KINDS],
            "TB": [tb for *_, tb, _ in KINDS],
        },
        geometry=[sq(i * 100, 0, i * 100 + 100, 100) for i in range(len(KINDS))],
        crs=CRS,
    ).to_file(root / "ketentuan_khusus.gpkg", driver="GPKG")
    return read_plan(root)


def inside(i: int) -> dict:
    return site(i * 100 + 10, 10, i * 100 + 90, 90)


@pytest.mark.parametrize(("i", "kind"), list(enumerate(KINDS)), ids=[k[0] for k in KINDS])
def test_each_overlay_kind_from_the_layer(overlay_plan: Plan, i: int, kind: tuple) -> None:
    jenis, efek, _tb, expected = kind
    r = check(overlay_plan, inside(i), "47111", Proposal(height_m=12), crs=CRS)
    assert r.outcome == expected
    [finding] = r.overlays
    assert (finding.jenis, finding.efek, finding.area_m2) == (jenis, efek, pytest.approx(6400))
    reason = next(x for x in r.reasons if x.code == f"overlay.{jenis.lower()}")
    assert f"uji {jenis}" in reason.id and reason.source == {
        "overlay": jenis,
        "layer": "ketentuan_khusus",
        "fid": finding.fid,
        "efek": efek,
    }


def test_kkop_height_cap(overlay_plan: Plan) -> None:
    r = check(overlay_plan, inside(0), "47111", Proposal(height_m=18), crs=CRS)
    assert r.outcome == Outcome.TIDAK_SESUAI
    tb = next(i for i in r.intensity if i.rule == "TB")
    assert (tb.limit, tb.ok) == (15.0, False) and tb.source.startswith("KKOP")


def test_lp2b_lets_farming_through(overlay_plan: Plan) -> None:
    r = check(overlay_plan, inside(2), "01121", crs=CRS)
    assert r.outcome == Outcome.SESUAI
    assert r.overlays[0].efek is None


def test_site_across_two_overlays_takes_the_stricter(overlay_plan: Plan) -> None:
    # x 350..450: half in CAGBUD (B), half in SEMPADAN (X)
    r = check(overlay_plan, site(350, 10, 450, 90), "47111", crs=CRS)
    assert r.outcome == Outcome.TIDAK_SESUAI
    assert sorted((o.jenis, o.area_m2) for o in r.overlays) == [
        ("CAGBUD", 4000.0),
        ("SEMPADAN", 4000.0),
    ]


def test_an_overlay_sliver_does_not_decide(overlay_plan: Plan) -> None:
    # x 410..500.04: 0.04 x 80 = 3.2 m² of TOD, the rest CAGBUD... use SEMPADAN edge at 500
    r = check(overlay_plan, site(310, 10, 400.04, 90), "47111", crs=CRS)
    sem = next(o for o in r.overlays if o.jenis == "SEMPADAN")
    assert sem.area_m2 == pytest.approx(3.2) and sem.deciding is False
    assert r.outcome == Outcome.SESUAI_BERSYARAT  # CAGBUD decides, SEMPADAN does not


@pytest.fixture(scope="module")
def flag_plan(tmp_path_factory: pytest.TempPathFactory, overlay_plan: Plan) -> Path:
    """Same kinds carried as KUGI flags on nine zone polygons, no overlay layer."""
    root = tmp_path_factory.mktemp("flags") / "flags"
    root.mkdir()
    for name in ("plan.toml", "itbx.csv", "kbli.csv", "ketentuan.csv", "intensitas.csv"):
        (root / name).write_bytes((overlay_plan.root / name).read_bytes())
    columns = {
        flag: [1 if j == i else 0 for j in range(len(KINDS))]
        for i, (k, *_) in enumerate(KINDS)
        for flag in [FLAGS[k]]
    }
    gpd.GeoDataFrame(
        {"KODSZN": ["K-1"] * len(KINDS), **columns},
        geometry=[sq(i * 100, 0, i * 100 + 100, 100) for i in range(len(KINDS))],
        crs=CRS,
    ).to_file(root / "pola_ruang.gpkg", driver="GPKG")
    return root


DEFAULT_FLAG_OUTCOME = {  # the catalogue defaults of overlay_kinds.toml
    "KKOP": Outcome.SESUAI,
    "KRB": Outcome.SESUAI_BERSYARAT,
    "LP2B": Outcome.TIDAK_SESUAI,
    "CAGBUD": Outcome.SESUAI_BERSYARAT,
    "SEMPADAN": Outcome.TIDAK_SESUAI,
    "TOD": Outcome.SESUAI,
    "HANKAM": Outcome.TIDAK_SESUAI,
    "KARST": Outcome.SESUAI_BERSYARAT,
    "RESAPAN": Outcome.SESUAI_BERSYARAT,
}


@pytest.mark.parametrize(
    ("i", "jenis"), [(i, k[0]) for i, k in enumerate(KINDS)], ids=[k[0] for k in KINDS]
)
def test_each_overlay_kind_from_a_zone_flag(flag_plan: Path, i: int, jenis: str) -> None:
    r = check(read_plan(flag_plan), inside(i), "47111", crs=CRS)
    assert r.outcome == DEFAULT_FLAG_OUTCOME[jenis]
    [finding] = r.overlays
    assert finding.jenis == jenis and finding.source == f"pola_ruang.{FLAGS[jenis]}"


def test_plan_toml_overrides_a_flag_effect(tmp_path: Path, flag_plan: Path) -> None:
    import shutil

    copy = tmp_path / "override"
    shutil.copytree(flag_plan, copy)
    with (copy / "plan.toml").open("a") as fh:
        fh.write('\n[overlay.KRB]\nefek = "X"\n')
    r = check(read_plan(copy), inside(1), "47111", crs=CRS)
    assert r.outcome == Outcome.TIDAK_SESUAI
