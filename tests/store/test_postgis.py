"""The PostGIS store as the service uses it: protocols, versions, failures, threads."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from shapely.geometry import Point, box

from kkpr.check import check
from kkpr.db.pool import redact
from kkpr.errors import NotFound, StoreError
from kkpr.model import Proposal, Site
from kkpr.plan.package import read_plan
from kkpr.store.base import FeatureSource, PlanAdmin, Store
from kkpr.store.memory import MemoryStore
from kkpr.store.postgis import PostgisStore
from tests.fixtures_postgis import connect
from tests.mini_plan import CRS, X0, Y0, site, write_mini_plan


def rect(x0: float, y0: float, x1: float, y1: float) -> Site:
    return Site(box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1), CRS)


def test_it_implements_every_store_protocol(
    mini_plan_dir: Path, postgis_store_for: Callable[[Path], PostgisStore]
) -> None:
    store = postgis_store_for(mini_plan_dir)
    assert isinstance(store, Store) and isinstance(store, FeatureSource)
    assert isinstance(store, PlanAdmin)


def test_rules_come_back_from_the_database_unchanged(
    mini_plan_dir: Path, postgis_store_for: Callable[[Path], PostgisStore]
) -> None:
    ours = postgis_store_for(mini_plan_dir).rules()
    theirs = read_plan(mini_plan_dir).rules
    assert ours.meta.version == "v1" and ours.meta.checksum == theirs.meta.checksum
    assert (
        dataclasses.replace(ours, meta=dataclasses.replace(ours.meta, version="package")) == theirs
    )


def test_features_are_the_memory_stores(
    mini_plan_dir: Path, postgis_store_for: Callable[[Path], PostgisStore]
) -> None:
    store, memory = postgis_store_for(mini_plan_dir), MemoryStore(read_plan(mini_plan_dir))
    assert [c["id"] for c in store.collections()] == ["zones", "overlays", "rtrw"]
    for name in ("zones", "overlays", "rtrw"):
        for kw in (
            {},
            {"limit": 2, "offset": 1, "crs": CRS},
            {"bbox": (X0, Y0, X0 + 50, Y0 + 50), "bbox_crs": CRS},
            {"offset": 99},
        ):
            assert store.features(name, **kw) == memory.features(name, **kw)
    zones, matched = store.features(
        "zones", bbox=(X0 + 150, Y0 + 10, X0 + 160, Y0 + 20), bbox_crs=CRS
    )
    assert matched == 1 and zones[0]["properties"]["kodszn"] == "R-2"
    assert store.feature("zones", "4", crs=CRS) == memory._features.feature("zones", "4", crs=CRS)
    assert store.feature("zones", "404") is None
    with pytest.raises(NotFound):
        store.features("roads")


def test_an_unknown_plan_id_is_not_found(
    mini_plan_dir: Path, postgis_store_for: Callable[[Path], PostgisStore]
) -> None:
    store = postgis_store_for(mini_plan_dir)
    with pytest.raises(NotFound) as err:
        store.locate(rect(10, 10, 20, 20), plan_id="jakarta")
    assert "mini" in (err.value.hint_en or "")
    assert store.locate(rect(10, 10, 20, 20), plan_id="mini").zones[0].kodszn == "K-1"


def test_an_empty_database_says_to_load_a_plan(pg_new_database: Callable[..., str]) -> None:
    store = PostgisStore(pg_new_database())
    with pytest.raises(NotFound) as err:
        store.rules()
    assert "kkpr plan load" in (err.value.hint_en or "")
    assert store.plans() == [] and store.locate_many([]) == []


def test_an_unreachable_database_is_a_store_error_without_the_password() -> None:
    store = PostgisStore("postgresql://kkpr:s3cret@127.0.0.1:1/kkpr")
    with pytest.raises(StoreError) as err:
        store.rules()
    assert "s3cret" not in err.value.text and "kkpr:***@127.0.0.1" in err.value.text
    assert redact("postgresql://u@h/db") == "postgresql://u@h/db"


def test_a_dropped_connection_is_replaced(
    mini_plan_dir: Path, postgis_store_for: Callable[[Path], PostgisStore]
) -> None:
    store = postgis_store_for(mini_plan_dir)
    before = store.locate(rect(10, 10, 90, 90))
    killer = connect(store.url, autocommit=True)
    with killer.cursor() as cur:
        cur.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE application_name = 'kkpr' AND pid <> pg_backend_pid() AND datname = current_database()"
        )
        assert any(killed for (killed,) in cur.fetchall())
    killer.close()
    after = store.locate(rect(10, 10, 90, 90))
    assert after.zones == before.zones


def test_checks_in_many_threads_agree(
    mini_plan_dir: Path, postgis_store_for: Callable[[Path], PostgisStore]
) -> None:
    store = postgis_store_for(mini_plan_dir)
    geoms = [site(10 + i, 10, 150 + i, 90) for i in range(40)]
    one_by_one = [
        check(store, g, "47111", Proposal(floor_area_m2=150), crs=CRS).to_dict() for g in geoms
    ]
    with ThreadPoolExecutor(8) as pool:
        threaded = list(
            pool.map(
                lambda g: check(store, g, "47111", Proposal(floor_area_m2=150), crs=CRS).to_dict(),
                geoms,
            )
        )
    assert threaded == one_by_one


def test_another_process_activating_a_version_is_seen_at_the_next_check(
    pg_new_database: Callable[..., str], tmp_path: Path
) -> None:
    url = pg_new_database()
    serving = PostgisStore(
        url, data_dir=tmp_path / "var", stamp_ttl_s=3600
    )  # never re-reads by time
    admin = PostgisStore(url, data_dir=tmp_path / "var")
    admin.load(write_mini_plan(tmp_path / "v1"), loaded_by="t")
    assert serving.locate(rect(10, 10, 90, 90)).plan_version == "v1"
    pinned = serving.pinned()  # what an API request holds for the length of a check
    admin.load(write_mini_plan(tmp_path / "v2"), loaded_by="t")  # activates v2
    assert pinned.rules().meta.version == "v1"
    assert pinned.locate(rect(10, 10, 90, 90)).plan_version == "v1"
    assert serving.locate(rect(10, 10, 90, 90)).plan_version == "v2"
    assert serving.rules().meta.version == "v2"
    admin.rollback("mini", by="t")
    # the locate that follows rules() is the same check's: still v2, then v1
    assert serving.locate(rect(10, 10, 90, 90)).plan_version == "v2"
    located = serving.locate_many([rect(10, 10, 90, 90), rect(110, 10, 190, 90)])
    assert [loc.plan_version for loc in located] == ["v1", "v1"]


def test_activation_and_rollback_open_no_connection_of_their_own(
    pg_new_database: Callable[..., str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import psycopg2

    url = pg_new_database()
    store = PostgisStore(url, data_dir=tmp_path / "var", pool_size=1)
    store.load(write_mini_plan(tmp_path / "v1"), loaded_by="t")
    store.load(write_mini_plan(tmp_path / "v2"), loaded_by="t")
    assert store.locate(rect(10, 10, 90, 90)).plan_version == "v2"  # the pool's connection
    opened: list[str] = []
    real_connect = psycopg2.connect
    monkeypatch.setattr(
        psycopg2, "connect", lambda *a, **k: opened.append("x") or real_connect(*a, **k)
    )
    store.activate("mini", "v1", by="staff")
    assert store.locate(rect(10, 10, 90, 90)).plan_version == "v1"
    with pytest.raises(NotFound):  # rolled back, and the connection still serves
        store.activate("mini", "v9", by="staff")
    assert store.rollback("mini", by="staff") == "v2"
    assert store.locate(rect(10, 10, 90, 90)).plan_version == "v2"
    assert [v["active"] for v in store.versions("mini")] == [True, False]
    assert opened == []  # every statement ran on the pool's one connection
    store.close()


def test_the_rules_and_the_zones_of_one_check_come_from_one_version(
    pg_new_database: Callable[..., str], tmp_path: Path
) -> None:
    url = pg_new_database()
    serving = PostgisStore(url, data_dir=tmp_path / "var")
    admin = PostgisStore(url, data_dir=tmp_path / "var")
    admin.load(write_mini_plan(tmp_path / "v1"), loaded_by="t")
    rules = serving.rules()  # what kkpr.check.check does first ...
    admin.load(write_mini_plan(tmp_path / "v2"), loaded_by="t")  # ... staff activate v2 ...
    located = serving.locate(rect(10, 10, 90, 90))  # ... then it locates
    assert (rules.meta.version, located.plan_version) == ("v1", "v1")
    # the next check sees v2 for both
    assert serving.rules().meta.version == "v2"
    assert serving.locate(rect(10, 10, 90, 90)).plan_version == "v2"


def test_a_check_is_one_statement_on_the_database(
    pg_new_database: Callable[..., str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Zones, overlays, RTRW and the fronted roads of a check come back in one round
    trip (a prepared statement), and a batch of sites in one as well: every round trip
    more is a wait on a busy server."""
    import psycopg2.extensions

    from kkpr.db import pool
    from tests.roads_plan import write_roads_plan

    statements: list[str] = []

    class Cursor(psycopg2.extensions.cursor):  # type: ignore[misc]
        def execute(self, query: Any, params: Any = None) -> Any:
            if isinstance(query, bytes):
                query = query.decode()
            statements.append(query if isinstance(query, str) else query.as_string(self))
            return super().execute(query, params)

    class Connection(pool._connection_class()):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.cursor_factory = Cursor

    monkeypatch.setattr(pool, "_connection_class", lambda: Connection)
    store = PostgisStore(pg_new_database(), data_dir=tmp_path / "var", max_vertices=None)
    plan_dir = write_roads_plan(tmp_path / "roads")
    store.load(plan_dir, loaded_by="t")
    memory = MemoryStore(read_plan(plan_dir))
    # fronting roads, at a corner, none, beyond the zones (RTRW), a point
    sites = [
        rect(130, 0, 170, 40),
        rect(0, 0, 40, 40),
        rect(60, 20, 140, 60),
        rect(250, 50, 350, 90),
        Site(Point(X0 - 1, Y0 + 50), CRS),
    ]
    proposal = Proposal(floor_area_m2=150)
    check(store, sites[0], "47111", proposal)  # the rules, the grids, the PREPARE
    statements.clear()
    results = [check(store, s, "47111", proposal).to_dict() for s in sites]
    assert len(statements) == len(sites)
    assert all(s.startswith('EXECUTE "kkpr_locate"') for s in statements)
    theirs = [check(memory, s, "47111", proposal).to_dict() for s in sites]
    for ours in results:  # the loaded version's name, where the memory store says "package"
        ours["plan"]["version"] = "package"
    assert results == theirs
    statements.clear()
    located = store.locate_many(sites)
    assert len(statements) == 1
    fronted = [[r.fid for r in loc.roads] for loc in located]
    assert fronted == [[r.fid for r in loc.roads] for loc in memory.locate_many(sites)]
    assert [bool(fids) for fids in fronted] == [True, True, False, True, True]
    # while checks keep coming, their statement also tells whether a version was
    # activated: no query of the activation log of its own, however long they come
    statements.clear()
    start = time.monotonic()
    while time.monotonic() - start < 2.5 * store.stamp_ttl_s:
        check(store, sites[0], "47111", proposal)
    assert {s.split(" (")[0] for s in statements} == {'EXECUTE "kkpr_locate"'}
    store.close()
