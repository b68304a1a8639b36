"""The store interface every zone store implements.

A store answers two questions: the plan's rules (small, non-geometric, cached) and
the geometric facts about a site (which zones, overlays, raster cells it touches).
Everything after that is pure rules (``kkpr.rules``), identical for every store.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, NotRequired, Protocol, runtime_checkable

import geopandas as gpd
from typing_extensions import TypedDict

from kkpr.model import Located, PlanRules, Site
from kkpr.store.filters import Filter


@runtime_checkable
class Store(Protocol):
    def rules(self, plan_id: str | None = None) -> PlanRules:
        """The active version's rules of ``plan_id`` (the only plan when None)."""
        ...

    def locate(self, site: Site, plan_id: str | None = None) -> Located:
        """Zones, overlays and raster facts of one site, in the plan CRS."""
        ...

    def locate_many(self, sites: Sequence[Site], plan_id: str | None = None) -> list[Located]:
        """``locate`` for many sites at once (one query where the store can)."""
        ...


@runtime_checkable
class FeatureSource(Protocol):
    """Zones and overlays of the active version as GeoJSON features (OGC API, maps)."""

    def collections(self, plan_id: str | None = None) -> list[dict[str, Any]]:
        """``[{"id": "zones", "title": ..., "bbox": [minx, miny, maxx, maxy] (EPSG:4326),
        "count": n}, {"id": "overlays", ...}]``."""
        ...

    def features(
        self,
        collection: str,
        *,
        bbox: tuple[float, float, float, float] | None = None,
        bbox_crs: str = "EPSG:4326",
        crs: str = "EPSG:4326",
        limit: int = 100,
        offset: int = 0,
        where: Filter | None = None,
        plan_id: str | None = None,
    ) -> tuple[list[dict[str, Any]], int]:
        """GeoJSON Feature dicts (``id`` = the source fid) in ``crs``, and the number
        matched before paging; ``where`` a property filter (kkpr.store.filters).
        Raises NotFound for an unknown collection, InvalidInput for a filter on a
        property the collection does not have."""
        ...

    def queryables(self, collection: str, plan_id: str | None = None) -> dict[str, str]:
        """``{property: JSON Schema type}`` (string, integer, number, boolean)."""
        ...

    def categories(self, collection: str, prop: str, plan_id: str | None = None) -> list[str]:
        """The distinct values of a property as text, sorted (for styles)."""
        ...


@runtime_checkable
class TileSource(Protocol):
    """Mapbox Vector Tiles (WebMercatorQuad) of the active version's layers."""

    def tile(self, collection: str, z: int, x: int, y: int, plan_id: str | None = None) -> bytes:
        """The tile's MVT bytes, one layer named ``collection``; empty bytes where
        nothing lies in the tile."""
        ...


class PlanEntry(TypedDict):
    """A plan as ``PlanAdmin.plans`` lists it."""

    id: str
    name: str
    region_code: str
    active_version: str | None  # None while no version of it is active (PostGIS)
    versions: int  # how many versions are loaded


class VersionEntry(TypedDict):
    """A version as ``PlanAdmin.versions`` lists it; the PostGIS store also says how
    its load went (``status``, ``overlays``, ``error``), the memory store loads whole."""

    version: str
    active: bool
    status: NotRequired[str]  # loading, ready or failed
    loaded_at: str | None  # ISO 8601
    loaded_by: str
    activated_at: str | None
    activated_by: str | None
    checksum: str | None
    effective_from: str | None  # ISO date
    legal_basis: str
    zones: int | None  # None while loading
    overlays: NotRequired[int | None]
    error: NotRequired[str | None]  # a failed load's error


@runtime_checkable
class PlanAdmin(Protocol):
    """Plan versions: load, list, activate, roll back. The service is never left
    without a valid active version."""

    def plans(self) -> list[PlanEntry]:
        """Every plan, by id."""
        ...

    def versions(self, plan_id: str) -> list[VersionEntry]:
        """The versions of ``plan_id``, newest first."""
        ...

    def load(self, plan_dir: Path, *, loaded_by: str, activate: bool = True) -> str:
        """Validate and load a package as a new version; returns the version id.
        Raises PlanError (with ``problems``) when validation finds errors."""
        ...

    def activate(self, plan_id: str, version: str, *, by: str) -> None: ...

    def layers_of(self, plan_id: str, version: str) -> dict[str, gpd.GeoDataFrame]:
        """Any loaded version's layers as its features show them (zones with the
        intensity the check applies), in the plan CRS, in fid order."""
        ...

    def rollback(self, plan_id: str, *, by: str) -> str:
        """Re-activate the version active before the current one; returns it."""
        ...
