"""Loading plan packages into PostGIS: refusal, atomicity, versions, many plans.

The killed-load tests run a real ``kkpr plan load`` process that pauses inside its
COPY (``KKPR_LOAD_PAUSE_MIDWAY_S``), then kill it (SIGKILL) or terminate its database
session, and check that the version that was active still is, and still answers.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pytest
from shapely import affinity

from kkpr.check import check
from kkpr.errors import KkprError, NotFound, PlanError, StoreError
from kkpr.model import Outcome, Proposal
from kkpr.site import site_from_geojson
from kkpr.store.postgis import PostgisStore
from tests.fixtures_postgis import connect
from tests.mini_plan import CRS, site, write_mini_plan

SITE_IN_Z4 = site(60, 110, 90, 190)  # R-2, KDB 40 by a per-polygon override


def kkpr_cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from kkpr.cli import main; main()", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=300,
    )


def variant(root: Path, *, plan_id: str = "mini", kdb_r2: str = "60", shift_m: float = 0.0,
            crs: str = CRS) -> Path:  # fmt: skip
    """The mini plan, with another id, R-2 default KDB, position or plan CRS."""
    write_mini_plan(root)
    toml = (root / "plan.toml").read_text()
    toml = toml.replace('id = "mini"', f'id = "{plan_id}"').replace(CRS, crs)
    (root / "plan.toml").write_text(toml)
    table = (root / "intensitas.csv").read_text().replace("R-2,60,", f"R-2,{kdb_r2},")
    (root / "intensitas.csv").write_text(table)
    if shift_m:
        for name in ("pola_ruang", "ketentuan_khusus", "pola_ruang_rtrw"):
            layer = gpd.read_file(root / f"{name}.gpkg")
            layer["geometry"] = layer.geometry.apply(lambda g: affinity.translate(g, shift_m, 0))
            layer.to_file(root / f"{name}.gpkg", driver="GPKG")
    return root


def kdb_limit(store: PostgisStore, geom: dict, plan_id: str | None = None) -> float:
    r = check(store, geom, "47111", Proposal(footprint_m2=100), crs=CRS, plan_id=plan_id)
    return next(i.limit for i in r.intensity if i.rule == "KDB")


def sql(url: str, query: str, params: tuple = ()) -> list[tuple]:
    conn = connect(url, autocommit=True)
    with conn.cursor() as cur:
        cur.execute(query, params)
        rows = cur.fetchall() if cur.description else []
    conn.close()
    return rows


# ---------------------------------------------------------------- refusal


def broken(root: Path) -> Path:
    write_mini_plan(root)
    zones = gpd.read_file(root / "pola_ruang.gpkg")
    zones.loc[0, "KDB"] = 150.0  # out of range: an error
    zones.to_file(root / "pola_ruang.gpkg", driver="GPKG")
    return root


def test_an_invalid_package_is_refused_with_its_problems(
    pg_new_database: Callable[..., str], tmp_path: Path
) -> None:
    url = pg_new_database()
    store = PostgisStore(url, data_dir=tmp_path / "var")
    with pytest.raises(PlanError) as err:
        store.load(broken(tmp_path / "broken"), loaded_by="test")
    assert any(p.code == "intensity.out_of_range" for p in err.value.problems)
    assert store.plans() == []  # nothing was written

    cli = kkpr_cli("plan", "load", str(tmp_path / "broken"), "--db", url)
    assert cli.returncode == 2
    assert "not valid" in cli.stderr and "KDB = 150" in cli.stderr


# ---------------------------------------------------------------- versions


def test_load_activate_rollback_and_list(
    pg_new_database: Callable[..., str], tmp_path: Path
) -> None:
    url = pg_new_database()
    env = {"KKPR_DATA_DIR": str(tmp_path / "var")}
    first = kkpr_cli(
        "plan", "load", str(variant(tmp_path / "a")), "--db", url, "--by", "ani", **env
    )
    assert first.returncode == 0, first.stderr
    assert "v1" in first.stdout
    store = PostgisStore(url, data_dir=tmp_path / "var", stamp_ttl_s=0)  # sees changes at once
    assert kdb_limit(store, SITE_IN_Z4) == 40.0  # the polygon's own KDB wins everywhere

    # v2 changes the R-2 default (60 -> 50): visible where no override applies
    two = variant(tmp_path / "b", kdb_r2="50")
    loaded = kkpr_cli("plan", "load", str(two), "--no-activate", **env, KKPR_DATABASE_URL=url)
    assert loaded.returncode == 0, loaded.stderr
    r2_site = site(110, 10, 190, 90)
    assert kdb_limit(store, r2_site) == 60.0  # v1 still active
    assert [(v["version"], v["active"], v["status"]) for v in store.versions("mini")] == [
        ("v2", False, "ready"),
        ("v1", True, "ready"),
    ]

    assert kkpr_cli("plan", "activate", "mini", "v2", "--db", url, "--by", "budi").returncode == 0
    result = check(store, r2_site, "47111", Proposal(footprint_m2=100), crs=CRS)
    assert result.plan["version"] == "v2"  # a check records the version it used
    assert kdb_limit(store, r2_site) == 50.0

    back = kkpr_cli("plan", "rollback", "mini", "--db", url)
    assert back.returncode == 0 and "v1" in back.stdout
    assert kdb_limit(store, r2_site) == 60.0
    assert store.plans() == [
        {"id": "mini", "name": "Rencana mini (uji)", "region_code": "00.00",
         "active_version": "v1", "versions": 2}
    ]  # fmt: skip
    again = kkpr_cli("plan", "rollback", "mini", "--db", url)
    assert again.returncode == 2 and "no earlier version" in again.stderr

    listing = kkpr_cli("plan", "list", "--db", url, "--json")
    versions = json.loads(listing.stdout)[0]["versions"]
    assert versions[1]["loaded_by"] == "ani" and versions[0]["loaded_by"]  # --by, or the OS user
    table = kkpr_cli("plan", "list", "--db", url)
    assert table.returncode == 0 and "mini" in table.stdout and "ready" in table.stdout
    log = sql(url, "SELECT action, by FROM kkpr.activations ORDER BY id")
    assert [a for a, _ in log] == ["load", "activate", "rollback"]
    assert log[1][1] == "budi"


def test_rollback_walks_back_through_the_activation_history(
    pg_new_database: Callable[..., str], tmp_path: Path
) -> None:
    store = PostgisStore(pg_new_database(), data_dir=tmp_path / "var")
    for i, kdb in enumerate(("60", "50", "45"), start=1):
        assert store.load(variant(tmp_path / str(i), kdb_r2=kdb), loaded_by="t") == f"v{i}"
    r2_site = site(110, 10, 190, 90)
    assert kdb_limit(store, r2_site) == 45.0
    assert store.rollback("mini", by="t") == "v2"
    assert store.rollback("mini", by="t") == "v1"  # not back to v3
    assert kdb_limit(store, r2_site) == 60.0
    with pytest.raises(NotFound):
        store.activate("mini", "v9", by="t")


# ---------------------------------------------------------------- many plans


def test_many_plans_in_one_database(pg_new_database: Callable[..., str], tmp_path: Path) -> None:
    store = PostgisStore(pg_new_database(), data_dir=tmp_path / "var")
    store.load(variant(tmp_path / "mini"), loaded_by="t")
    # a second region 60 km east, in another plan CRS (UTM 50S), with its own KDB
    far = variant(tmp_path / "far", plan_id="far", kdb_r2="30", shift_m=60_000, crs="EPSG:32750")
    store.load(far, loaded_by="t")
    assert [p["id"] for p in store.plans()] == ["far", "mini"]

    with pytest.raises(KkprError) as err:
        store.rules()
    assert "plan_id" in err.value.message_en
    assert store.rules("far").meta.crs == "EPSG:32750"

    near_site, far_site = site(110, 10, 190, 90), site(60_110, 10, 60_190, 90)
    assert kdb_limit(store, near_site, "mini") == 60.0
    assert kdb_limit(store, far_site, "far") == 30.0
    # without a plan id each site goes to the plan whose region holds it
    a, b = store.locate_many([site_from_geojson(near_site, CRS), site_from_geojson(far_site, CRS)])
    assert (a.plan_id, b.plan_id) == ("mini", "far")
    assert [z.kodszn for z in b.zones] == ["R-2"]
    # measured in UTM 50S, one zone west of the drawing: its scale makes 6,400 m² ~1.5% more
    assert b.zones[0].area_m2 == pytest.approx(6400, rel=0.02) and b.area_m2 == b.zones[0].area_m2


# ---------------------------------------------------------------- failures


PAUSE_MARK = "kkpr-load: paused mid-COPY"
# a load in a process of its own, with the command line's error handling, that once the
# zones are with the server and their COPY is still open says so on stderr and waits
# (its progress callback waits: the load itself knows nothing of tests)
PAUSED_LOAD = """
import sys, time
from pathlib import Path

from typer import Exit

from kkpr.cli.output import cli_errors
from kkpr.store.load import load_package

url, plan_dir, data_dir, pause_s = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])

def progress(step, paused=[]):
    half = step.done and step.done * 2 >= step.total
    if step.task == "zones" and step.label.endswith("(COPY)") and half and not paused:
        paused.append(1)
        sys.stderr.write("%s\\n" % MARK)
        sys.stderr.flush()
        time.sleep(pause_s)

try:
    with cli_errors():  # what `kkpr plan load` does with an error: a message, exit code
        load_package(url, plan_dir, loaded_by="victim", data_dir=Path(data_dir), progress=progress)
except Exit as exc:
    sys.exit(exc.exit_code)
"""


def start_paused_load(
    url: str, plan_dir: Path, data_dir: Path, pause_s: float
) -> subprocess.Popen[str]:
    code = PAUSED_LOAD.replace("MARK", repr(PAUSE_MARK))
    proc = subprocess.Popen(
        [sys.executable, "-c", code, url, str(plan_dir), str(data_dir), str(pause_s)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    assert proc.stderr is not None
    seen = ""
    while PAUSE_MARK not in seen:
        poller = select.poll()  # select() refuses descriptors past 1024
        poller.register(proc.stderr, select.POLLIN | select.POLLHUP)
        ready = poller.poll(max(deadline - time.monotonic(), 0) * 1000)
        line = proc.stderr.readline() if ready else ""
        if not line:
            proc.kill()
            raise AssertionError(f"the load never reached its pause: {seen}")
        seen += line
    return proc


def wait_for_status(store: PostgisStore, version: str, status: str, plan_id: str = "mini") -> dict:
    deadline = time.monotonic() + 30
    while True:
        row = next(v for v in store.versions(plan_id) if v["version"] == version)
        if row["status"] == status or time.monotonic() > deadline:
            return row
        time.sleep(0.1)


@pytest.mark.parametrize("how", ["sigkill", "terminate_backend"])
def test_an_interrupted_load_leaves_the_active_version_answering(
    how: str, pg_new_database: Callable[..., str], tmp_path: Path
) -> None:
    url = pg_new_database()
    store = PostgisStore(url, data_dir=tmp_path / "var")
    store.load(variant(tmp_path / "v1"), loaded_by="t")
    r2_site = site(110, 10, 190, 90)
    before = check(store, r2_site, "47111", Proposal(footprint_m2=100), crs=CRS).to_dict()

    # killed: it never wakes up; terminated: it wakes up to a closed connection
    pause = 120 if how == "sigkill" else 10
    proc = start_paused_load(url, variant(tmp_path / "v2", kdb_r2="10"), tmp_path / "var", pause)
    ((vid, pid),) = sql(
        url, "SELECT vid, load_pid FROM kkpr.plan_versions WHERE status = 'loading'"
    )
    assert sql(url, "SELECT to_regclass(%s) IS NOT NULL", (f"kkpr.zones_v{vid}",)) == [(False,)]
    assert sql(url, "SELECT state FROM pg_stat_activity WHERE pid = %s", (pid,)) != []
    # while it loads, checks go on against v1
    assert check(store, r2_site, "47111", Proposal(footprint_m2=100), crs=CRS).to_dict() == before

    if how == "sigkill":
        proc.kill()
        proc.wait(timeout=30)
    else:
        sql(url, "SELECT pg_terminate_backend(%s)", (pid,))
        proc.wait(timeout=60)
        assert proc.returncode == 3
        assert proc.stderr is not None and "cannot be used" in proc.stderr.read()

    failed = wait_for_status(store, "v2", "failed")
    assert failed["status"] == "failed" and not failed["active"]
    assert failed["error"]
    assert check(store, r2_site, "47111", Proposal(footprint_m2=100), crs=CRS).to_dict() == before
    assert store.plans()[0]["active_version"] == "v1"
    # nothing of v2 is left behind: no partition, no rows, no raster folder
    assert sql(url, "SELECT count(*) FROM kkpr.zones WHERE vid = %s", (vid,)) == [(0,)]
    assert sql(url, "SELECT to_regclass(%s) IS NULL", (f"kkpr.zones_v{vid}",)) == [(True,)]
    with pytest.raises(KkprError):
        store.activate("mini", "v2", by="t")  # a failed version cannot be activated
    # and the next load goes through
    assert store.load(variant(tmp_path / "v3", kdb_r2="10"), loaded_by="t") == "v3"
    assert kdb_limit(store, r2_site) == 10.0


def with_raster(root: Path) -> Path:
    """The mini plan with a flood raster: deep water (2 m) east of x = 200 m."""
    import numpy as np
    import rasterio
    from rasterio.transform import from_origin

    from tests.mini_plan import X0, Y0

    (root / "rasters").mkdir()
    data = np.zeros((30, 40), dtype="float32")
    data[:, 20:] = 2.0
    with rasterio.open(
        root / "rasters" / "banjir.tif", "w", driver="GTiff", width=40, height=30, count=1,
        dtype="float32", crs=CRS, transform=from_origin(X0, Y0 + 300, 10, 10),
    ) as ds:  # fmt: skip
        ds.write(data, 1)
    with (root / "plan.toml").open("a") as f:
        f.write(
            '\n[[raster]]\nid = "banjir"\npath = "rasters/banjir.tif"\nkind = "hazard"\n'
            'jenis = "KRB"\nthreshold = 0.5\nmax_share = 0.0\nefek = "X"\n'
        )
    return root


def test_rasters_are_copied_and_read_after_the_package_is_gone(
    pg_new_database: Callable[..., str], tmp_path: Path
) -> None:
    root = with_raster(variant(tmp_path / "pkg"))
    store = PostgisStore(pg_new_database(), data_dir=tmp_path / "var")
    store.load(root, loaded_by="t")
    copy = tmp_path / "var" / "rasters" / "mini" / "v1" / "rasters" / "banjir.tif"
    assert copy.exists()
    shutil.rmtree(root)
    wet = check(store, site(210, 10, 240, 90), "01121", crs=CRS)
    dry = check(store, site(110, 10, 190, 90), "01121", crs=CRS)
    assert wet.rasters[0].share_above == pytest.approx(1.0)
    assert wet.outcome == Outcome.TIDAK_SESUAI
    assert dry.rasters[0].share_above == pytest.approx(0.0)


def test_a_load_failing_after_its_copy_keeps_the_old_version(
    pg_new_database: Callable[..., str], tmp_path: Path
) -> None:
    url = pg_new_database()
    PostgisStore(url, data_dir=tmp_path / "var").load(variant(tmp_path / "v1"), loaded_by="t")
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the raster folder should go")
    store = PostgisStore(url, data_dir=blocked)
    # the zones are COPYed and indexed, then copying the raster fails
    with pytest.raises(StoreError) as err:
        store.load(with_raster(variant(tmp_path / "v2", kdb_r2="10")), loaded_by="t")
    assert "KKPR_DATA_DIR" in (err.value.hint_en or "")
    assert [(v["version"], v["status"], v["active"]) for v in store.versions("mini")] == [
        ("v2", "failed", False),
        ("v1", "ready", True),
    ]
    assert kdb_limit(store, site(110, 10, 190, 90)) == 60.0
    assert sql(url, "SELECT count(*) FROM pg_tables WHERE tablename LIKE '%%_v2'") == [(0,)]


def test_killing_a_reload_of_the_sample_plan_leaves_it_answering(
    pg_new_database: Callable[..., str], tmp_path: Path
) -> None:
    from kkpr.settings import SAMPLE_PLAN_DIR

    url = pg_new_database()
    store = PostgisStore(url, data_dir=tmp_path / "var")
    store.load(SAMPLE_PLAN_DIR, loaded_by="t")
    example = json.loads(next((SAMPLE_PLAN_DIR / "examples").glob("*.geojson")).read_text())
    before = check(store, example, next(iter(store.rules().kbli))).to_dict()

    proc = start_paused_load(url, SAMPLE_PLAN_DIR, tmp_path / "var", 120)
    proc.kill()
    proc.wait(timeout=30)
    assert wait_for_status(store, "v2", "failed", plan_id="kupang-rdtr")["status"] == "failed"
    after = check(store, example, next(iter(store.rules().kbli))).to_dict()
    assert after == before and after["plan"]["version"] == "v1"
