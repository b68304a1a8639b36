"""Which form, from the plan package: plan.toml [oss] rdtr_integrated, on the memory store
and on PostGIS (kept with the version), and staff setting it per version."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from kkpr.pipeline.applications import Pipeline
from kkpr.pipeline.db import open_database
from kkpr.settings import Settings
from kkpr.store.base import Store
from tests.mini_plan import write_mini_plan
from tests.pipeline.conftest import Clock
from tests.pipeline.test_assessment import R2


def test_an_integrated_plan_package_takes_the_kkkpr_path_until_staff_say_otherwise(
    tmp_path: Path, store_for: Callable[[Path], Store], settings: Settings
) -> None:
    root = write_mini_plan(tmp_path / "integrated")
    with (root / "plan.toml").open("a") as f:
        f.write("[oss]\nrdtr_integrated = true\n")
    store = store_for(root)  # memory, and PostGIS: the flag is kept with the version
    assert store.rules("mini").meta.rdtr_integrated is True
    db = open_database(f"sqlite:///{tmp_path / 'pipeline.db'}")
    pipe = Pipeline(db, store, settings, clock=Clock())
    app = pipe.submit(R2)
    assert (app["path"], app["rdtr_integrated"], app["document"]) == ("KKKPR", True, None)
    version = store.rules("mini").meta.version
    pipe.set_integration("mini", version, False, reason="Integrasi OSS dicabut", by="key:siti")
    again = pipe.submit(R2)
    assert (again["path"], again["rdtr_integrated"]) == ("PKKPR", False)
    assert again["assessment"]["kd_status"] == "09"
    db.close()
