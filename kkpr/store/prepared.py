"""Prepared geometries that threads do not share.

A GEOS prepared geometry builds its indexes lazily, on first use, and mutates them
without a lock: two threads testing against the same ``shapely.prepare``d geometry at
once can corrupt it and crash the process (SIGSEGV; shapely releases the GIL in its
predicates). The API serves checks from a threadpool, so a store that prepares large
shared geometries hands each thread a prepared copy of its own.
"""

from __future__ import annotations

import threading

import numpy as np
import shapely


class PerThreadPrepared:
    """``get()``: this thread's prepared copy of ``geoms`` (made on its first call).

    The copy costs one WKB round trip and the memory of the geometries per thread
    that uses them; after that, every predicate is as fast as with shared prepared
    geometries. The unprepared originals stay shared (reading them is safe).
    """

    def __init__(self, geoms: np.ndarray) -> None:
        self._geoms = geoms
        self._local = threading.local()

    def __getstate__(self) -> dict[str, np.ndarray]:
        # pickled (a store sent to Dask workers): the geometries only; each process
        # prepares its own copies again, per thread, as here
        return {"geoms": self._geoms}

    def __setstate__(self, state: dict[str, np.ndarray]) -> None:
        self.__init__(state["geoms"])  # type: ignore[misc]

    def get(self) -> np.ndarray:
        mine: np.ndarray | None = getattr(self._local, "geoms", None)
        if mine is None:
            mine = np.asarray(shapely.from_wkb(shapely.to_wkb(self._geoms)), dtype=object)
            shapely.prepare(mine)
            self._local.geoms = mine
        return mine
