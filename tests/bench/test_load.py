"""``bench/load.py``, short: concurrent clients against a real server, both
configurations. The invariants only (the server lives, no 5xx, every check it answered
is in the log), never the timings (those are the bench's, on a quiet machine)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bench.load import LoadResult, check_bodies, run_flood, run_load, serving
from kkpr.settings import SAMPLE_PLAN_DIR
from kkpr.store.postgis import PostgisStore


def assert_sound(result: LoadResult) -> None:
    out = result.outcome
    assert result.alive
    assert out.server_errors == 0 and out.failures == 0, out.statuses
    assert out.statuses.get(201, 0) > 20
    assert result.missing_from_log == 0


def test_make_run_configuration_under_concurrent_clients_and_a_flood(tmp_path: Path) -> None:
    bodies = check_bodies(SAMPLE_PLAN_DIR, n=60)
    with serving(SAMPLE_PLAN_DIR, tmp_path) as server:
        assert_sound(run_load("memory", server, bodies, clients=12, seconds=6))
        quiet, loaded, flood = run_flood(server, bodies, clients=8, seconds=4)
        assert server.proc.poll() is None
        assert {s for o in (quiet, loaded) for s in o.statuses} == {201}
        assert set(flood.statuses) <= {201, 413, 429} and 429 in flood.statuses


def test_postgis_configuration_with_several_workers(
    tmp_path: Path, pg_new_database: Callable[..., str]
) -> None:
    url = pg_new_database("load")
    PostgisStore(url).load(SAMPLE_PLAN_DIR, loaded_by="pytest")
    bodies = check_bodies(SAMPLE_PLAN_DIR, n=60)
    with serving(SAMPLE_PLAN_DIR, tmp_path, workers=2, database_url=url) as server:
        assert_sound(run_load("postgis", server, bodies, clients=12, seconds=6))
