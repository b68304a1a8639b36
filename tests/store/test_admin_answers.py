"""The plan admin answers of both stores are what kkpr.store.base declares: ``PlanEntry``
for ``plans()``, ``VersionEntry`` for ``versions()`` (the PostGIS store also says how a
load went)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kkpr.plan.package import read_plan
from kkpr.store.base import PlanAdmin, PlanEntry, VersionEntry
from kkpr.store.versions import VersionedMemoryStore
from tests.typed import keys, required, shape_errors


@pytest.fixture(params=["memory", "postgis"])
def admin(request: pytest.FixtureRequest, mini_plan_dir: Path) -> PlanAdmin:
    if request.param == "memory":
        return VersionedMemoryStore.from_plan(read_plan(mini_plan_dir), loaded_by="pytest")
    store: PlanAdmin = request.getfixturevalue("postgis_store_for")(mini_plan_dir)
    return store


def test_plans_and_versions_are_their_types(admin: PlanAdmin) -> None:
    plans = admin.plans()
    assert [p["id"] for p in plans] == ["mini"]
    assert shape_errors(plans, list[PlanEntry]) == []
    versions = admin.versions("mini")
    assert versions and shape_errors(versions, list[VersionEntry]) == []
    # each store gives every key it may: the memory store the required ones, PostGIS all
    expected = (
        required(VersionEntry) if isinstance(admin, VersionedMemoryStore) else keys(VersionEntry)
    )
    assert all(set(v) == expected for v in versions)
    assert versions[0]["active"] and versions[0]["zones"]
