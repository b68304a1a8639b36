"""``kkpr check`` and ``kkpr plan validate/info`` as a user runs them."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kkpr.cli import app
from tests.mini_plan import CRS, X0, Y0, site

runner = CliRunner()


def write_site(tmp_path: Path, geom: dict, crs: str | None = CRS) -> Path:
    feature = {"type": "Feature", "properties": {}, "geometry": geom}
    if crs:
        feature = {
            "type": "FeatureCollection",
            "features": [feature],
            "crs": {
                "type": "name",
                "properties": {"name": f"urn:ogc:def:crs:EPSG::{crs.split(':')[1]}"},
            },
        }
    path = tmp_path / "site.geojson"
    path.write_text(json.dumps(feature))
    return path


def test_check_json_has_the_documented_shape(tmp_path: Path, mini_plan_dir: Path) -> None:
    path = write_site(tmp_path, site(50, 50, 150, 90))
    res = runner.invoke(
        app,
        [
            "check",
            "--plan",
            str(mini_plan_dir),
            "--site",
            str(path),
            "--kbli",
            "47111",
            "--floor-area",
            "150",
            "--footprint",
            "1000",
            "--floors",
            "2",
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["outcome"] == "sesuai_bersyarat"
    assert out["site"]["area_m2"] == pytest.approx(4000)
    assert [(p["kodszn"], p["area_m2"], p["share"], p["itbx"]) for p in out["parts"]] == [
        ("K-1", 2000.0, 0.5, "I"),
        ("R-2", 2000.0, 0.5, "T"),
    ]
    assert out["conditions"][0]["kode"] == "T1"
    kdb = next(i for i in out["intensity"] if i["rule"] == "KDB")
    # area-weighted over the mixed lot: (70 × 2,000 + 60 × 2,000) / 4,000 = 65
    assert (kdb["limit"], kdb["proposed"], kdb["ok"], kdb["how"]) == (65.0, 25.0, True, "weighted")


def test_check_table_is_readable(tmp_path: Path, mini_plan_dir: Path) -> None:
    path = write_site(tmp_path, site(210, 10, 240, 90))
    res = runner.invoke(
        app, ["check", "--plan", str(mini_plan_dir), "--site", str(path), "--kbli", "47111"]
    )
    assert res.exit_code == 0
    assert "TIDAK_SESUAI" in res.stdout and "RTH-2" in res.stdout and "not permitted" in res.stdout


@pytest.mark.parametrize(
    ("geom", "kbli", "expect"),
    [
        (site(10, 10, 90, 90), "47112", "47111"),  # unknown KBLI with its near match
        (
            {
                "type": "Polygon",
                "coordinates": [
                    [[X0, Y0], [X0 + 50, Y0 + 50], [X0 + 50, Y0], [X0, Y0 + 50], [X0, Y0]]
                ],
            },
            "47111",
            "crosses itself",
        ),
        ({"type": "Point", "coordinates": [106.8, -6.2]}, "47111", "outside every plan"),
        (
            {"type": "LineString", "coordinates": [[X0, Y0], [X0 + 1, Y0 + 1]]},
            "47111",
            "not accepted",
        ),
    ],
    ids=["unknown-kbli", "invalid-geometry", "outside-any-plan", "wrong-type"],
)
def test_bad_input_exits_2_with_a_clear_message(
    tmp_path: Path, mini_plan_dir: Path, geom: dict, kbli: str, expect: str
) -> None:
    crs = None if geom["type"] == "Point" else CRS
    path = write_site(tmp_path, geom, crs)
    res = runner.invoke(
        app, ["check", "--plan", str(mini_plan_dir), "--site", str(path), "--kbli", kbli]
    )
    assert res.exit_code == 2
    assert expect in res.stderr


def test_unreadable_site_file_exits_2(tmp_path: Path, mini_plan_dir: Path) -> None:
    bad = tmp_path / "bad.geojson"
    bad.write_text("{not json")
    for path in (bad, tmp_path / "missing.geojson"):
        res = runner.invoke(
            app, ["check", "--plan", str(mini_plan_dir), "--site", str(path), "--kbli", "47111"]
        )
        assert res.exit_code == 2, res.output
        assert "Galat / Error" in res.stderr


def test_validate_exit_codes(tmp_path: Path, mini_plan_dir: Path) -> None:
    ok = runner.invoke(app, ["plan", "validate", str(mini_plan_dir)])
    assert ok.exit_code == 0 and "valid" in ok.stdout
    broken = tmp_path / "broken"
    shutil.copytree(mini_plan_dir, broken)
    (broken / "kbli.csv").write_text("kbli,judul,kode_kegiatan\n4711,Minimarket,PERDAG-MINI\n")
    res = runner.invoke(app, ["plan", "validate", str(broken), "--json"])
    assert res.exit_code == 1
    report = json.loads(res.stdout)
    assert not report["valid"]
    assert [(p["code"], p["file"], p["row"]) for p in report["problems"]] == [
        ("kbli.bad_code", "kbli.csv", 2)
    ]


def test_info_summarises_the_plan(mini_plan_dir: Path) -> None:
    res = runner.invoke(app, ["plan", "info", str(mini_plan_dir)])
    assert res.exit_code == 0
    for text in ("mini", "EPSG:32751", "K-1", "RTH-2", "SEMPADAN"):
        assert text in res.stdout


def test_console_script_runs(tmp_path: Path, mini_plan_dir: Path) -> None:
    path = write_site(tmp_path, site(10, 10, 90, 90))
    exe = Path(sys.executable).with_name("kkpr")
    out = subprocess.run(
        [
            str(exe),
            "check",
            "--plan",
            str(mini_plan_dir),
            "--site",
            str(path),
            "--kbli",
            "47111",
            "--json",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(out.stdout)["outcome"] == "sesuai"
