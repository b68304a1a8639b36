"""The pre-check's helpers under ``/pages/``: the landmarks of a plan package
(``tempat.csv``) are found by the place search from whichever store serves the plan,
not from the folder the server was started with."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from kkpr.plan.package import read_plan
from kkpr.store.base import Store
from kkpr.store.memory import MemoryStore
from tests.api.conftest import make_api

TEMPAT = (
    "nama,jenis,lat,lon,keterangan\n"
    "Pasar Inpres Naikoten,pasar,-10.1712,123.5931,pasar tradisional\n"
    "Jalan Soeharto,jalan,-10.1650,123.6011,\n"
    "Tanpa koordinat,pasar,,\n"
)


@pytest.fixture
def plan_with_landmarks(mini_plan_dir: Path, tmp_path: Path) -> Path:
    plan = tmp_path / "plan"
    shutil.copytree(mini_plan_dir, plan)
    (plan / "tempat.csv").write_text(TEMPAT, encoding="utf-8")
    return plan


def test_landmarks_come_with_the_plan_in_either_store(
    store_kind: str,
    plan_with_landmarks: Path,
    mini_plan_dir: Path,
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    store: Store
    if store_kind == "memory":
        store = MemoryStore(read_plan(plan_with_landmarks))
        api = make_api(mini_plan_dir, tmp_path / "var", store=store)
    else:
        postgis_store_for: Callable[[Path], Store] = request.getfixturevalue("postgis_store_for")
        store = postgis_store_for(plan_with_landmarks)
        api = make_api(mini_plan_dir, tmp_path / "var", store=store, database_url=store.url)  # type: ignore[attr-defined]
    # the server's plan folder (mini_plan_dir) has no tempat.csv: they come from the store
    assert not (mini_plan_dir / "tempat.csv").exists()
    marks = store.rules().landmarks
    assert [m.nama for m in marks] == ["Pasar Inpres Naikoten", "Jalan Soeharto"]
    items = api.client.get("/pages/places", params={"q": "pasar inpres"}).json()["items"]
    assert items[0]["name"] == "Pasar Inpres Naikoten" and items[0]["kind"] == "tempat"
    assert items[0]["detail"] == "pasar tradisional"
    assert items[0]["bbox"] == [123.5931, -10.1712, 123.5931, -10.1712]
    street = api.client.get("/pages/places", params={"q": "jl soeharto"}).json()["items"]
    assert street[0]["kind"] == "jalan"


def test_a_plan_without_landmarks_has_none(
    store_for: Callable[[Path], Store], mini_plan_dir: Path
) -> None:
    assert store_for(mini_plan_dir).rules().landmarks == ()
