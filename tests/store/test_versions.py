"""Plan versions in memory: load, activate, roll back; a running check keeps its version."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kkpr.check import check
from kkpr.errors import Conflict, NotFound, PlanError
from kkpr.plan.package import read_plan
from kkpr.store.base import FeatureSource, PlanAdmin, Store
from kkpr.store.versions import VersionedMemoryStore
from tests.mini_plan import CRS, site


@pytest.fixture
def store(mini_plan_dir: Path) -> VersionedMemoryStore:
    return VersionedMemoryStore.from_plan(read_plan(mini_plan_dir), loaded_by="pytest")


def stricter_copy(mini_plan_dir: Path, tmp_path: Path) -> Path:
    """The mini plan with minimarkets forbidden in K-1."""
    folder = tmp_path / "mini-v2"
    shutil.copytree(mini_plan_dir, folder)
    itbx = (
        (folder / "itbx.csv")
        .read_text()
        .replace("PERDAG-MINI,Minimarket,I,", "PERDAG-MINI,Minimarket,X,")
    )
    (folder / "itbx.csv").write_text(itbx)
    return folder


def outcome(store: Store) -> str:
    return str(check(store, site(10, 10, 60, 60), "47111", crs=CRS).outcome)


def test_it_is_a_store_a_feature_source_and_a_plan_admin(store: VersionedMemoryStore) -> None:
    assert isinstance(store, Store) and isinstance(store, FeatureSource)
    assert isinstance(store, PlanAdmin)


def test_load_activate_and_roll_back(
    store: VersionedMemoryStore, mini_plan_dir: Path, tmp_path: Path
) -> None:
    assert outcome(store) == "sesuai"
    v2 = store.load(stricter_copy(mini_plan_dir, tmp_path), loaded_by="key:staff1")
    assert v2 == "v2" and outcome(store) == "tidak_sesuai"
    versions = store.versions("mini")
    assert [v["version"] for v in versions] == ["v2", "v1"]
    assert versions[0]["active"] and versions[0]["loaded_by"] == "key:staff1"
    assert store.plans() == [
        {
            "id": "mini",
            "name": "Rencana mini (uji)",
            "region_code": "00.00",
            "active_version": "v2",
            "versions": 2,
        }
    ]
    assert store.rollback("mini", by="key:staff1") == "v1"
    assert outcome(store) == "sesuai"
    store.activate("mini", "v2", by="key:staff2")
    assert outcome(store) == "tidak_sesuai"
    assert store.versions("mini")[0]["activated_by"] == "key:staff2"


def test_load_without_activation_keeps_the_active_version(
    store: VersionedMemoryStore, mini_plan_dir: Path, tmp_path: Path
) -> None:
    store.load(stricter_copy(mini_plan_dir, tmp_path), loaded_by="x", activate=False)
    assert outcome(store) == "sesuai"
    assert check(store, site(10, 10, 60, 60), "47111", crs=CRS).plan["version"] == "v1"


def test_an_invalid_package_is_refused_and_nothing_changes(
    store: VersionedMemoryStore, mini_plan_dir: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "broken"
    shutil.copytree(mini_plan_dir, folder)
    (folder / "kbli.csv").write_text("kbli,judul,kode_kegiatan\n47111,Minimarket,NO-SUCH-ROW\n")
    with pytest.raises(PlanError) as err:
        store.load(folder, loaded_by="x")
    assert err.value.problems
    assert [v["version"] for v in store.versions("mini")] == ["v1"]


def test_a_pinned_version_survives_activation(
    store: VersionedMemoryStore, mini_plan_dir: Path, tmp_path: Path
) -> None:
    pinned = store.pinned()
    store.load(stricter_copy(mini_plan_dir, tmp_path), loaded_by="x")
    assert outcome(pinned) == "sesuai" and outcome(store) == "tidak_sesuai"


def test_errors(store: VersionedMemoryStore) -> None:
    with pytest.raises(Conflict):
        store.rollback("mini", by="x")
    with pytest.raises(NotFound):
        store.activate("mini", "v9", by="x")
    with pytest.raises(NotFound):
        store.versions("other")
