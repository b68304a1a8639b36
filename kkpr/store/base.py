"""The store interface every zone store implements.

A store answers two questions: the plan's rules (small, non-geometric, cached) and
the geometric facts about a site (which zones, overlays, raster cells it touches).
Everything after that is pure rules (``kkpr.rules``), identical for every store.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

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
