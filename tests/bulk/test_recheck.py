"""Bulk re-checks give exactly what ``kkpr.check.check`` gives per site, locally and on
a multi-process Dask cluster, and name exactly the sites a revision changes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from kkpr.bulk.recheck import PlanRef, check_frame, recheck, run_dask, run_local
from kkpr.bulk.sites import read_sites, write_table
from kkpr.check import check
from kkpr.errors import KkprError
from kkpr.model import Proposal
from kkpr.plan.package import read_plan
from tests.bulk.sites import CHANGED, SITES, local_dask_cluster, sites_frame
from tests.revision.revised import write_revised_plan


@pytest.fixture(scope="module")
def revised_dir(mini_plan_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_revised_plan(mini_plan_dir, tmp_path_factory.mktemp("rev") / "new")


@pytest.fixture(scope="module")
def sites_gpkg(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sites") / "sites.gpkg"
    sites_frame("EPSG:4326").to_file(path, driver="GPKG")
    return path


@pytest.fixture(scope="module")
def cluster() -> Iterator[object]:
    with local_dask_cluster() as c:
        yield c


def one_by_one(plan_dir: Path, frame: gpd.GeoDataFrame) -> list[str]:
    """The outcome of ``kkpr.check.check`` per site, or 'error'."""
    plan = read_plan(plan_dir)
    out = []
    for row in frame.itertuples():
        proposal = Proposal(
            floor_area_m2=None if pd.isna(row.floor_area_m2) else row.floor_area_m2,
            floors=int(row.floors),
        )
        try:
            r = check(plan, row.geometry.__geo_interface__, row.kbli, proposal, crs="EPSG:4326")
        except KkprError:
            out.append("error")
            continue
        out.append(json.dumps(r.to_dict(), ensure_ascii=False, default=str))
    return out


def test_each_site_gets_what_a_single_check_gives(mini_plan_dir: Path, sites_gpkg: Path) -> None:
    frame = read_sites(sites_gpkg)
    results = run_local(frame, PlanRef.of(mini_plan_dir), workers=1, explain="all")
    assert results["site_id"].tolist() == [s[0] for s in SITES]
    assert results["outcome"].tolist() == [s[4] for s in SITES]
    single = one_by_one(mini_plan_dir, frame)
    for row, expected in zip(results.itertuples(), single, strict=True):
        if expected == "error":
            assert row.outcome == "error"
        else:
            assert row.result_json == expected


def test_the_array_rules_give_the_columns_the_single_checks_give(
    mini_plan_dir: Path, revised_dir: Path, sites_gpkg: Path
) -> None:
    frame = read_sites(sites_gpkg)
    new, old = PlanRef.of(revised_dir), PlanRef.of(mini_plan_dir)
    full = check_frame(frame, new, old, explain="all")
    fast = check_frame(frame, new, old)  # explain="changed": the array rules decide
    same = ["site_id", "kbli", "outcome", "form", "parts", "reasons", "old_outcome", "changed"]
    pd.testing.assert_frame_equal(fast[same], full[same], check_dtype=False)
    # sentences and JSON for the sites that changed or could not be checked, and only them
    explained = fast["result_json"].notna()
    assert set(fast.loc[explained, "site_id"]) == CHANGED | {"e", "f"}
    rows = fast["changed"].to_numpy(dtype=bool)
    for col in ("reasons_id", "reasons_en", "result_json", "reasons_removed", "reasons_added"):
        assert fast.loc[rows, col].tolist() == full.loc[rows, col].tolist()
    with pytest.raises(ValueError, match="explain"):
        check_frame(frame, new, explain="some")


def test_local_pool_and_dask_cluster_give_identical_results(
    mini_plan_dir: Path, revised_dir: Path, sites_gpkg: Path, cluster: object
) -> None:
    frame = read_sites(sites_gpkg)
    new, old = PlanRef.of(revised_dir), PlanRef.of(mini_plan_dir)
    inline = run_local(frame, new, old, workers=1)
    pool = run_local(frame, new, old, workers=2, chunk_size=3)  # four chunks on two processes
    dask = run_dask(frame, new, old, scheduler=cluster, partitions=3)
    pd.testing.assert_frame_equal(inline, pool)
    pd.testing.assert_frame_equal(inline, dask.astype(inline.dtypes.to_dict()))
    assert inline["outcome"].tolist() == [s[5] for s in SITES]


def test_against_lists_exactly_the_sites_that_changed_and_why(
    mini_plan_dir: Path, revised_dir: Path, sites_gpkg: Path
) -> None:
    job = recheck(
        read_sites(sites_gpkg), PlanRef.of(revised_dir), PlanRef.of(mini_plan_dir), workers=1
    )
    changed = job.changed.set_index("site_id")
    assert set(changed.index) == CHANGED
    expected = {s[0]: (s[4], s[5]) for s in SITES}
    for site_id, row in changed.iterrows():
        assert (row["old_outcome"], row["outcome"]) == expected[site_id]
    # why: the reasons that differ name the cell, the condition, the overlay
    assert "itbx.T" in changed.loc["b", "reasons_removed"]
    assert "condition.t" in changed.loc["b", "reasons_removed"]
    assert "itbx.I" in changed.loc["b", "reasons_added"]
    assert "condition.max_floor_area_m2.exceeded" in changed.loc["g", "reasons_removed"]
    assert "overlay.cagbud" in changed.loc["h", "reasons_removed"]
    assert "overlay.krb" in changed.loc["i", "reasons_added"]
    assert "4.200,0 m²" in changed.loc["a", "reasons_added"]  # K-1 part after the move


@pytest.mark.parametrize("suffix", [".gpkg", ".parquet", ".csv"])
def test_every_input_format_gives_the_same_results(
    mini_plan_dir: Path, sites_gpkg: Path, tmp_path: Path, suffix: str
) -> None:
    path = tmp_path / f"sites{suffix}"
    write_table(sites_frame("EPSG:4326").rename(columns={"id": "id"}), path, layer="sites")
    frame = read_sites(path)
    assert frame.crs.to_epsg() == 4326
    assert frame["kbli"].tolist() == [s[2] for s in SITES]  # 01121 keeps its zero
    ref = PlanRef.of(mini_plan_dir)
    expected = check_frame(read_sites(sites_gpkg), ref)
    got = check_frame(frame, ref)
    pd.testing.assert_frame_equal(got, expected)


def test_results_and_changes_are_written_for_each_format(
    mini_plan_dir: Path, revised_dir: Path, sites_gpkg: Path, tmp_path: Path
) -> None:
    frame = read_sites(sites_gpkg)
    new, old = PlanRef.of(revised_dir), PlanRef.of(mini_plan_dir)
    job = recheck(frame, new, old, out=tmp_path / "r.gpkg", workers=1)
    written = gpd.read_file(tmp_path / "r.gpkg", layer="results")
    assert written["outcome"].tolist() == [s[5] for s in SITES]
    assert json.loads(written["result_json"][0])["outcome"] == "sesuai"
    assert set(gpd.read_file(tmp_path / "r.gpkg", layer="changed")["site_id"]) == CHANGED
    recheck(frame, new, old, out=tmp_path / "r.csv", workers=1)
    assert set(pd.read_csv(tmp_path / "r_changed.csv")["site_id"]) == CHANGED
    recheck(frame, new, old, out=tmp_path / "r.parquet", workers=1)
    assert set(gpd.read_parquet(tmp_path / "r_changed.parquet")["site_id"]) == CHANGED
    assert len(job.results) == len(SITES)
