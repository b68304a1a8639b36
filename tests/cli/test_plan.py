"""``kkpr plan validate`` and ``plan info`` say which CRS each layer was read in."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import geopandas as gpd
from typer.testing import CliRunner

from kkpr.cli import app


def test_validate_names_the_crs_each_layer_was_read_in(tmp_path: Path, mini_plan_dir: Path) -> None:
    root = tmp_path / "p"
    shutil.copytree(mini_plan_dir, root)
    zones = gpd.read_file(root / "pola_ruang.gpkg").to_crs("EPSG:4326")
    (root / "pola_ruang.gpkg").unlink()
    zones.to_file(root / "pola_ruang.shp")
    (root / "pola_ruang.prj").unlink()  # lost its .prj: read as lon/lat, said so
    result = CliRunner().invoke(app, ["plan", "validate", str(root), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["layer_crs"]["pola_ruang.shp"].startswith("EPSG:4326 WGS 84")
    assert report["layer_crs"]["ketentuan_khusus.gpkg"].startswith("EPSG:32751")
    assert [p["code"] for p in report["problems"]] == ["layer.crs_assumed"]
    info = CliRunner().invoke(app, ["plan", "info", str(root)])
    assert "CRS pola_ruang.shp" in info.output and "EPSG:4326" in info.output
