"""Wiring of the pipeline into the app: its database, and a Pipeline per request.

The pipeline's tables live in ``settings.database_url`` (PostgreSQL) when it is set,
else in SQLite ``data_dir/pipeline.db``. One Database per app (its pool); a
Pipeline is cheap and made per request, and logs its checks in the app's
check log.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Annotated

from fastapi import Depends, Request

from api.deps import StateDep, state_of
from kkpr.db.database import Database
from kkpr.pipeline.applications import Pipeline
from kkpr.pipeline.db import open_database, pipeline_url

MAP_CACHE_SIZE = 128  # rendered location maps kept in memory (documents never change)
_lock = threading.Lock()


def pipeline_db(request: Request) -> Database:
    db: Database | None = getattr(request.app.state, "kkpr_pipeline_db", None)
    if db is None:
        with _lock:
            db = getattr(request.app.state, "kkpr_pipeline_db", None)
            if db is None:
                db = open_database(pipeline_url(state_of(request).settings))
                request.app.state.kkpr_pipeline_db = db
    return db


PipelineDb = Annotated[Database, Depends(pipeline_db)]
"""A route's parameter ``db: PipelineDb`` is the pipeline's database."""


def pipeline(state: StateDep, db: PipelineDb) -> Pipeline:
    return Pipeline(db, state.store, state.settings, check_log=state.check_log)


PipelineDep = Annotated[Pipeline, Depends(pipeline)]
"""A route's parameter ``pipe: PipelineDep`` is a Pipeline of the app's state."""


class MapCache:
    """Location-map PNGs by document number, the most recently used kept."""

    def __init__(self, size: int = MAP_CACHE_SIZE) -> None:
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, number: str) -> bytes | None:
        with self._lock:
            png = self._items.get(number)
            if png is not None:
                self._items.move_to_end(number)
            return png

    def put(self, number: str, png: bytes) -> None:
        with self._lock:
            self._items[number] = png
            while len(self._items) > self._size:
                self._items.popitem(last=False)


def map_cache(request: Request) -> MapCache:
    cache: MapCache | None = getattr(request.app.state, "kkpr_map_cache", None)
    if cache is None:
        cache = request.app.state.kkpr_map_cache = MapCache()
    return cache


MapCacheDep = Annotated[MapCache, Depends(map_cache)]
