"""``kkpr plan validate`` and ``plan info`` say which CRS each layer was read in."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
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


def test_activate_and_rollback_switch_versions_and_close_their_store(
    tmp_path: Path, pg_new_database: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from kkpr.store.postgis import PostgisStore
    from tests.mini_plan import write_mini_plan

    monkeypatch.setenv("KKPR_DATA_DIR", str(tmp_path / "var"))
    url = pg_new_database()
    for v in ("v1", "v2"):
        loaded = CliRunner().invoke(
            app, ["plan", "load", str(write_mini_plan(tmp_path / v)), "--db", url]
        )
        assert loaded.exit_code == 0, loaded.output
    opened: list[PostgisStore] = []
    closed: list[PostgisStore] = []
    real_init, real_close = PostgisStore.__init__, PostgisStore.close

    def init(self: PostgisStore, *args: Any, **kwargs: Any) -> None:
        real_init(self, *args, **kwargs)
        opened.append(self)

    def close(self: PostgisStore) -> None:
        closed.append(self)
        real_close(self)

    monkeypatch.setattr(PostgisStore, "__init__", init)
    monkeypatch.setattr(PostgisStore, "close", close)
    runs = [
        ["plan", "activate", "mini", "v1", "--db", url, "--by", "staff"],
        ["plan", "activate", "mini", "v9", "--db", url, "--by", "staff"],  # no such version
        ["plan", "rollback", "mini", "--db", url, "--by", "staff"],
    ]
    codes = [CliRunner().invoke(app, args).exit_code for args in runs]
    assert codes[0] == 0 and codes[1] != 0 and codes[2] == 0
    listed = CliRunner().invoke(app, ["plan", "list", "--db", url, "--json"])
    versions = json.loads(listed.output)[0]["versions"]
    assert [(v["version"], v["active"]) for v in versions] == [("v2", True), ("v1", False)]
    assert opened and closed == opened  # every store the commands opened was closed
