"""The plan store on the pool: connections closed by the server are replaced, the
prepared statements follow their connection, and a check is answered again at once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from kkpr.check import check
from kkpr.errors import StoreError
from kkpr.store.postgis import PostgisStore
from tests.db.test_database import terminate_others
from tests.mini_plan import CRS, site


@pytest.fixture
def store(pg_new_database: Callable[..., str], mini_plan_dir: Path, tmp_path: Path) -> PostgisStore:
    s = PostgisStore(pg_new_database(), max_vertices=None, data_dir=tmp_path, pool_size=2)
    s.load(mini_plan_dir, loaded_by="pytest")
    return s


def answer(store: PostgisStore) -> str:
    return str(check(store, site(10, 10, 90, 90), "47111", crs=CRS).outcome)


def test_a_store_survives_its_connections_being_closed(store: PostgisStore) -> None:
    first = answer(store)
    opened = store._pool.opened
    assert terminate_others(store.url) >= 1  # what a database restart does
    assert answer(store) == first  # no error: a new connection, the statement prepared again
    assert store._pool.opened == opened + 1
    assert answer(store) == first and store._pool.opened == opened + 1  # reused
    store.close()


def test_a_connection_that_breaks_in_use_is_retried_once_on_a_new_one(
    store: PostgisStore,
) -> None:
    first = answer(store)
    calls: list[int] = []

    def breaks_once(cur: object) -> int:
        calls.append(1)
        if len(calls) == 1:
            terminate_others(store.url)  # the server goes away under this statement
        cur.execute("SELECT 1")  # type: ignore[attr-defined]
        return 1

    assert store._run(breaks_once) == 1 and len(calls) == 2
    assert answer(store) == first
    store.close()


def test_a_store_whose_server_is_gone_answers_store_error(mini_plan_dir: Path) -> None:
    store = PostgisStore("postgresql://postgres@127.0.0.1:9/none", max_vertices=None)
    with pytest.raises(StoreError):
        store.rules()
    store.open()  # the app's startup does not fail on it: /readyz says so
