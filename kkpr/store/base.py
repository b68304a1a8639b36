"""The store interface every zone store implements.

A store answers two questions: the plan's rules (small, non-geometric, cached) and
the geometric facts about a site (which zones, overlays, raster cells it touches).
Everything after that is pure rules (``kkpr.rules``), identical for every store.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from kkpr.model import Located, PlanRules, Site


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
        plan_id: str | None = None,
    ) -> tuple[list[dict[str, Any]], int]:
        """GeoJSON Feature dicts (``id`` = the source fid) in ``crs``, and the number
        matched before paging. Raises NotFound for an unknown collection."""
        ...


@runtime_checkable
class PlanAdmin(Protocol):
    """Plan versions: load, list, activate, roll back. The service is never left
    without a valid active version."""

    def plans(self) -> list[dict[str, Any]]:
        """``[{"id", "name", "region_code", "active_version", "versions": n}]``."""
        ...

    def versions(self, plan_id: str) -> list[dict[str, Any]]:
        """``[{"version", "active", "loaded_at", "loaded_by", "checksum",
        "effective_from", "legal_basis", "zones": n}]``, newest first."""
        ...

    def load(self, plan_dir: Path, *, loaded_by: str, activate: bool = True) -> str:
        """Validate and load a package as a new version; returns the version id.
        Raises PlanError (with ``problems``) when validation finds errors."""
        ...

    def activate(self, plan_id: str, version: str, *, by: str) -> None: ...

    def rollback(self, plan_id: str, *, by: str) -> str:
        """Re-activate the version active before the current one; returns it."""
        ...
