"""Plan versions for the memory store: load, list, activate, roll back (PlanAdmin).

Every loaded version stays in memory, so activating an older one or rolling back is
instant. A version is validated before it is loaded; the active version only ever
changes to a valid one, so the service is never left without a plan. Each load and
activation records who did it and when.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
from shapely.geometry.base import BaseGeometry

from kkpr.errors import Conflict, NotFound, PlanError
from kkpr.model import Located, PlanRules, Site
from kkpr.plan.package import Plan, read_plan
from kkpr.plan.validate import errors_of, validate
from kkpr.store.base import PlanEntry, VersionEntry
from kkpr.store.filters import Filter
from kkpr.store.memory import DEFAULT_OUTSIDE_MARGIN_M, MemoryStore

Clock = Callable[[], datetime]


@dataclass
class _Version:
    version: str
    store: MemoryStore
    loaded_at: datetime
    loaded_by: str
    activated_at: datetime | None = None
    activated_by: str | None = None

    @property
    def plan(self) -> Plan:
        return self.store.plan


@dataclass
class _PlanVersions:
    versions: dict[str, _Version] = field(default_factory=dict)  # in load order
    active: str = ""
    previous: list[str] = field(default_factory=list)  # activation history, for rollback


class VersionedMemoryStore:
    """Store, FeatureSource and PlanAdmin over plans held in memory, all versions kept.

    ``plan_id=None`` means the first plan loaded (the one ``make run`` serves).
    """

    def __init__(
        self,
        *,
        outside_margin_m: float = DEFAULT_OUTSIDE_MARGIN_M,
        max_vertices: int | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.outside_margin_m = outside_margin_m
        self.max_vertices = max_vertices
        self._clock = clock or (lambda: datetime.now(UTC))
        self._plans: dict[str, _PlanVersions] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_plan(
        cls, plan: Plan, *, loaded_by: str = "startup", **kw: Any
    ) -> VersionedMemoryStore:
        store = cls(**kw)
        store.add(plan, loaded_by=loaded_by)
        return store

    # ------------------------------------------------------------ versions

    def add(self, plan: Plan, *, loaded_by: str, activate: bool = True) -> str:
        """Keep an already read (and validated) plan as a new version."""
        with self._lock:
            entry = self._plans.setdefault(plan.meta.id, _PlanVersions())
            version = f"v{len(entry.versions) + 1}"
            plan.rules.meta = dataclasses.replace(plan.rules.meta, version=version)
            store = MemoryStore(
                plan, outside_margin_m=self.outside_margin_m, max_vertices=self.max_vertices
            )
            entry.versions[version] = _Version(version, store, self._clock(), loaded_by)
            if activate or not entry.active:
                self._switch(entry, version, loaded_by)
        return version

    def _switch(self, entry: _PlanVersions, version: str, by: str) -> None:
        if entry.active and entry.active != version:
            entry.previous.append(entry.active)
        entry.active = version
        v = entry.versions[version]
        v.activated_at, v.activated_by = self._clock(), by

    def _entry(self, plan_id: str | None) -> _PlanVersions:
        if plan_id is None:
            if not self._plans:
                raise NotFound("Belum ada rencana yang dimuat", "No plan is loaded yet")
            return next(iter(self._plans.values()))
        entry = self._plans.get(plan_id)
        if entry is None:
            raise NotFound(
                f"Rencana {plan_id!r} tidak dimuat",
                f"Plan {plan_id!r} is not loaded",
                where="plan_id",
                hint_id=f"Rencana yang ada: {', '.join(self._plans)}",
                hint_en=f"Loaded plans: {', '.join(self._plans)}",
            )
        return entry

    def pinned(self, plan_id: str | None = None) -> MemoryStore:
        """The active version's own store: rules and zones that cannot change under a
        check that is running while staff activate another version."""
        entry = self._entry(plan_id)
        return entry.versions[entry.active].store

    def plan(self, plan_id: str | None = None) -> Plan:
        return self.pinned(plan_id).plan

    # ------------------------------------------------------------ Store protocol

    def rules(self, plan_id: str | None = None) -> PlanRules:
        return self.pinned(plan_id).rules()

    def locate(self, site: Site, plan_id: str | None = None) -> Located:
        return self.pinned(plan_id).locate(site)

    def locate_many(self, sites: Sequence[Site], plan_id: str | None = None) -> list[Located]:
        return self.pinned(plan_id).locate_many(sites)

    def road_rows(
        self, plan_id: str | None = None
    ) -> list[tuple[str | None, str | None, BaseGeometry | None]]:
        """The active version's roads (name, function, geometry), for the place search."""
        return self.pinned(plan_id).road_rows()

    # ------------------------------------------------------------ FeatureSource protocol

    def collections(self, plan_id: str | None = None) -> list[dict[str, Any]]:
        return self.pinned(plan_id).collections()

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
        return self.pinned(plan_id).features(
            collection,
            bbox=bbox,
            bbox_crs=bbox_crs,
            crs=crs,
            limit=limit,
            offset=offset,
            where=where,
        )

    def queryables(self, collection: str, plan_id: str | None = None) -> dict[str, str]:
        return self.pinned(plan_id).queryables(collection)

    def categories(self, collection: str, prop: str, plan_id: str | None = None) -> list[str]:
        return self.pinned(plan_id).categories(collection, prop)

    def tile(self, collection: str, z: int, x: int, y: int, plan_id: str | None = None) -> bytes:
        return self.pinned(plan_id).tile(collection, z, x, y)

    def feature(
        self, collection: str, fid: str, *, crs: str = "EPSG:4326", plan_id: str | None = None
    ) -> dict[str, Any] | None:
        """One feature by fid (OGC API ``items/{featureId}``) without paging through all."""
        return self.pinned(plan_id)._features.feature(collection, fid, crs=crs)

    # ------------------------------------------------------------ PlanAdmin protocol

    def plans(self) -> list[PlanEntry]:
        out: list[PlanEntry] = []
        for plan_id, entry in self._plans.items():
            meta = entry.versions[entry.active].plan.meta
            out.append(
                {
                    "id": plan_id,
                    "name": meta.name,
                    "region_code": meta.region_code,
                    "active_version": entry.active,
                    "versions": len(entry.versions),
                }
            )
        return out

    def versions(self, plan_id: str) -> list[VersionEntry]:
        entry = self._entry(plan_id)
        return [
            {
                "version": v.version,
                "active": v.version == entry.active,
                "loaded_at": v.loaded_at.isoformat(),
                "loaded_by": v.loaded_by,
                "activated_at": v.activated_at.isoformat() if v.activated_at else None,
                "activated_by": v.activated_by,
                "checksum": v.plan.meta.checksum,
                "effective_from": v.plan.meta.effective_from.isoformat()
                if v.plan.meta.effective_from
                else None,
                "legal_basis": v.plan.meta.legal_basis,
                "zones": len(v.plan.zones),
            }
            for v in reversed(entry.versions.values())
        ]

    def load(self, plan_dir: Path, *, loaded_by: str, activate: bool = True) -> str:
        plan = read_plan(plan_dir)
        problems = errors_of(validate(plan))
        if problems:
            raise PlanError(
                f"Paket rencana tidak sah: {len(problems)} galat",
                f"The plan package is not valid: {len(problems)} errors",
                where=str(plan_dir.name),
                hint_id="Perbaiki galat pada laporan validasi lalu unggah lagi",
                hint_en="Fix the errors in the validation report and upload again",
                problems=problems,
            )
        return self.add(plan, loaded_by=loaded_by, activate=activate)

    def layers_of(self, plan_id: str, version: str) -> dict[str, gpd.GeoDataFrame]:
        """Any loaded version's layers as its features show them (plan CRS)."""
        entry = self._entry(plan_id)
        _check_version(entry, plan_id, version)
        return entry.versions[version].store._features.frames()

    def activate(self, plan_id: str, version: str, *, by: str) -> None:
        with self._lock:
            entry = self._entry(plan_id)
            _check_version(entry, plan_id, version)
            self._switch(entry, version, by)

    def rollback(self, plan_id: str, *, by: str) -> str:
        with self._lock:
            entry = self._entry(plan_id)
            if not entry.previous:
                raise Conflict(
                    f"Rencana {plan_id!r} tidak memiliki versi aktif sebelumnya",
                    f"Plan {plan_id!r} has no previously active version",
                    where="plan_id",
                    hint_id="Aktifkan versi tertentu dengan .../versions/{versi}/activate",
                    hint_en="Activate a given version with .../versions/{version}/activate",
                )
            version = entry.previous.pop()
            entry.active = version
            v = entry.versions[version]
            v.activated_at, v.activated_by = self._clock(), by
        return version


def _check_version(entry: _PlanVersions, plan_id: str, version: str) -> None:
    if version not in entry.versions:
        raise NotFound(
            f"Versi {version!r} dari rencana {plan_id!r} tidak ada",
            f"Version {version!r} of plan {plan_id!r} does not exist",
            where="version",
            hint_id=f"Versi yang ada: {', '.join(entry.versions)}",
            hint_en=f"Available versions: {', '.join(entry.versions)}",
        )
