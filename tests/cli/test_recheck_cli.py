"""``kkpr recheck`` and ``kkpr plan diff`` as a user runs them."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from typer.testing import CliRunner

from kkpr.cli import app
from kkpr.revision.mapping import LEAFLET_DIR
from kkpr.store.postgis import PostgisStore
from tests.bulk.sites import CHANGED, SITES, local_dask_cluster, sites_frame
from tests.fixtures_postgis import connect
from tests.revision.revised import MOVED_AREA_M2, write_revised_plan

runner = CliRunner()


@pytest.fixture(scope="module")
def revised_dir(mini_plan_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_revised_plan(mini_plan_dir, tmp_path_factory.mktemp("rev") / "new")


@pytest.fixture(scope="module")
def cluster() -> Iterator[object]:
    with local_dask_cluster() as c:
        yield c


@pytest.fixture(scope="module")
def sites_csv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("sites") / "izin.csv"
    frame = sites_frame()
    table = pd.DataFrame(frame.drop(columns="geometry"))
    table["wkt"] = frame.geometry.to_wkt(rounding_precision=-1)
    table.to_csv(path, index=False)
    yield path


def test_recheck_against_the_old_plan_writes_results_and_the_changed_sites(
    mini_plan_dir: Path, revised_dir: Path, sites_csv: Path, tmp_path: Path
) -> None:
    out = tmp_path / "hasil.gpkg"
    args = ["recheck", "--sites", str(sites_csv), "--plan", str(revised_dir)]
    args += ["--against", str(mini_plan_dir), "--out", str(out), "--crs", "EPSG:32751"]
    result = runner.invoke(app, [*args, "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert f"{len(CHANGED)} tapak berubah hasil" in result.output
    results = gpd.read_file(out, layer="results")
    assert results["outcome"].tolist() == [s[5] for s in SITES]
    changed = gpd.read_file(out, layer="changed")
    assert set(changed["site_id"]) == CHANGED
    assert changed.crs.to_epsg() == 32751


def test_recheck_explains_every_site_on_request_and_refuses_an_unknown_choice(
    mini_plan_dir: Path, sites_csv: Path, tmp_path: Path
) -> None:
    base = ["recheck", "--sites", str(sites_csv), "--plan", str(mini_plan_dir)]
    base += ["--crs", "EPSG:32751", "--workers", "1"]
    plain = runner.invoke(app, [*base, "--out", str(tmp_path / "plain.csv")])
    full = runner.invoke(app, [*base, "--out", str(tmp_path / "all.csv"), "--explain", "all"])
    assert plain.exit_code == full.exit_code == 0, full.output
    a, b = pd.read_csv(tmp_path / "plain.csv"), pd.read_csv(tmp_path / "all.csv")
    # the same verdicts; sentences for every site only when asked for
    cols = ["site_id", "outcome", "form", "parts", "reasons"]
    pd.testing.assert_frame_equal(a[cols], b[cols])
    assert b["result_json"].notna().sum() == len(SITES)
    assert set(a.loc[a["result_json"].notna(), "outcome"]) == {"error"}
    bad = runner.invoke(app, [*base, "--explain", "some"])
    assert bad.exit_code == 2  # bad input
    assert "--explain" in bad.output


def test_recheck_on_a_dask_scheduler_gives_the_same_file(
    mini_plan_dir: Path, revised_dir: Path, sites_csv: Path, tmp_path: Path, cluster: object
) -> None:
    base = ["recheck", "--sites", str(sites_csv), "--plan", str(revised_dir)]
    base += ["--against", str(mini_plan_dir), "--crs", "EPSG:32751"]
    local = runner.invoke(app, [*base, "--out", str(tmp_path / "local.csv")])
    address = cluster.scheduler_address  # type: ignore[attr-defined]
    remote = runner.invoke(
        app, [*base, "--out", str(tmp_path / "dask.csv"), "--scheduler", address]
    )
    assert local.exit_code == remote.exit_code == 0, remote.output
    pd.testing.assert_frame_equal(
        pd.read_csv(tmp_path / "local.csv"), pd.read_csv(tmp_path / "dask.csv")
    )
    assert set(pd.read_csv(tmp_path / "dask_changed.csv")["site_id"]) == CHANGED


def test_recheck_refuses_a_file_it_cannot_read(mini_plan_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "sites.xlsx"
    bad.write_text("x")
    result = runner.invoke(app, ["recheck", "--sites", str(bad), "--plan", str(mini_plan_dir)])
    assert result.exit_code == 2
    assert "tidak didukung" in result.output


def test_plan_diff_prints_the_moved_area_and_the_changed_cell(
    mini_plan_dir: Path, revised_dir: Path
) -> None:
    result = runner.invoke(app, ["plan", "diff", str(mini_plan_dir), str(revised_dir)])
    assert result.exit_code == 0, result.output
    assert "2,000.0" in result.output  # m² that passed from R-2 to K-1
    assert "PERDAG-MINI" in result.output
    assert "CAGBUD" in result.output and "KRB" in result.output


def test_plan_diff_as_json_gpkg_and_map(
    mini_plan_dir: Path, revised_dir: Path, tmp_path: Path
) -> None:
    args = ["plan", "diff", str(mini_plan_dir), str(revised_dir), "--json"]
    args += ["--gpkg", str(tmp_path / "d.gpkg")]
    if (LEAFLET_DIR / "leaflet.js").exists():
        args += ["--map", str(tmp_path / "d.html")]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["summary"]["subzone_changed_area_m2"] == pytest.approx(MOVED_AREA_M2)
    assert data["itbx_changed"][0]["new"] == "I"
    assert data["zones_changed"][0]["geometry"]["type"] == "Polygon"
    assert gpd.read_file(tmp_path / "d.gpkg", layer="zones_changed").area.sum() == pytest.approx(
        MOVED_AREA_M2
    )
    if (LEAFLET_DIR / "leaflet.js").exists():
        assert "L.map" in (tmp_path / "d.html").read_text()


def test_recheck_on_postgis_agrees_with_the_package_and_leaves_no_connection_open(
    mini_plan_dir: Path,
    sites_csv: Path,
    tmp_path: Path,
    pg_new_database: Callable[..., str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = pg_new_database()
    monkeypatch.setenv("KKPR_DATA_DIR", str(tmp_path / "var"))
    loader = PostgisStore(url)
    loader.load(mini_plan_dir, loaded_by="pytest")
    loader.close()

    def kkpr_connections() -> int:
        conn = connect(url)
        try:
            with conn.cursor() as cur:
                cur.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'kkpr' "
                    "AND datname = current_database() AND pid <> pg_backend_pid()"
                )
                return int(cur.fetchone()[0])
        finally:
            conn.close()

    base = ["recheck", "--sites", str(sites_csv), "--crs", "EPSG:32751", "--workers", "1"]
    on_disk = runner.invoke(
        app, [*base, "--plan", str(mini_plan_dir), "--out", str(tmp_path / "a.csv")]
    )
    assert on_disk.exit_code == 0, on_disk.output
    before = kkpr_connections()
    on_db = runner.invoke(
        app, [*base, "--plan", "mini", "--db", url, "--out", str(tmp_path / "b.csv")]
    )
    assert on_db.exit_code == 0, on_db.output
    a, b = pd.read_csv(tmp_path / "a.csv"), pd.read_csv(tmp_path / "b.csv")
    assert b["outcome"].tolist() == a["outcome"].tolist()
    assert kkpr_connections() == before  # the command closed the store it opened
