"""Wiring of the pipeline into the app: its database, and a Pipeline per request.

The pipeline's tables live in ``settings.database_url`` (PostgreSQL) when it is set,
else in SQLite ``data_dir/pipeline.db``. The database is the app state's
(``AppState.pipeline_db``: one per app, closed in the lifespan); a Pipeline is cheap
and made per request, and logs its checks in the app's check log.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from api.deps import MapCache, StateDep, state_of
from kkpr.db.database import Database
from kkpr.pipeline.applications import Pipeline

__all__ = ["MapCache", "MapCacheDep", "PipelineDb", "PipelineDep", "pipeline", "pipeline_db"]


def pipeline_db(request: Request) -> Database:
    """The pipeline's database, for code that holds a request (``PipelineDb`` for routes)."""
    return state_of(request).pipeline_db()


PipelineDb = Annotated[Database, Depends(pipeline_db)]
"""A route's parameter ``db: PipelineDb`` is the pipeline's database."""


def pipeline(state: StateDep, db: PipelineDb) -> Pipeline:
    return Pipeline(db, state.store, state.settings, check_log=state.check_log)


PipelineDep = Annotated[Pipeline, Depends(pipeline)]
"""A route's parameter ``pipe: PipelineDep`` is a Pipeline of the app's state."""


def map_cache(state: StateDep) -> MapCache:
    return state.map_cache


MapCacheDep = Annotated[MapCache, Depends(map_cache)]
