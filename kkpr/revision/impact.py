"""What a new plan version would change for the checks already recorded.

Before a version is activated, staff want to know whose answers it changes: the sites
of the recorded checks (the check log: API checks, public pre-checks, corrections;
a corrected check counts by its correction) and of the applications (the pipeline's
``applications``) are checked again against the active and
the candidate version by ``kkpr.bulk.recheck.check_frame`` (the same rules as every
check), in chunks so that a caller can show progress. Only packages on disk are read,
so the answer is the same whichever store serves the plan.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from typing_extensions import TypedDict

from kkpr.bulk.recheck import PlanRef, check_frame
from kkpr.bulk.sites import PROPOSAL_COLUMNS
from kkpr.db.database import Database
from kkpr.db.sql import sql
from kkpr.errors import KkprError
from kkpr.site import WGS84, site_from_geojson, to_crs_many

CHUNK = 500  # sites per step: the progress a page shows moves at least this often
LISTED_CHANGES = 200  # changed sites returned one by one (the rest are counted)
# the check log's own checks; its "application" and "decision" records are the
# pipeline's, counted once each through the applications table instead
RECORDED_KINDS = ("check", "precheck", "correction")


@dataclass(frozen=True)
class RecordedSite:
    check_id: str  # the check's id, or the application's
    kind: str  # check | precheck | correction, or the application's status
    created_at: str
    kbli: str
    geometry: shapely.Geometry | None  # EPSG:4326; None when the stored site cannot be read
    proposal: dict[str, float | None]
    source: str = "check"  # check | application

    @property
    def key(self) -> str:
        return f"{self.source}:{self.check_id}"


def recorded_sites(db: Database, plan_id: str, limit: int) -> list[RecordedSite]:
    """The newest ``limit`` recorded checks of ``plan_id`` (a corrected check is left
    out: its correction stands for it), their sites in EPSG:4326."""
    kinds = ", ".join("{}" for _ in RECORDED_KINDS)
    with db.transaction() as tx:
        rows = tx.query(
            sql(
                "SELECT id, kind, created_at, inputs FROM check_log c WHERE plan_id = {} "
                f"AND kind IN ({kinds}) AND NOT EXISTS (SELECT 1 FROM check_log x "
                "WHERE x.corrects = c.id) ORDER BY created_at DESC, id DESC LIMIT {}"
            ),
            (plan_id, *RECORDED_KINDS, limit),
        )
    parsed = [(r, json.loads(r["inputs"])) for r in rows]
    geoms = _lonlat([(i.get("site"), i.get("crs")) for _r, i in parsed])
    return [
        RecordedSite(
            check_id=row["id"],
            kind=row["kind"],
            created_at=row["created_at"],
            kbli=str(inputs.get("kbli") or ""),
            geometry=geometry,
            proposal=_proposal(inputs.get("proposal")),
        )
        for (row, inputs), geometry in zip(parsed, geoms, strict=True)
    ]


def recorded_applications(db: Database, plan_id: str, limit: int) -> list[RecordedSite]:
    """The newest ``limit`` applications of ``plan_id`` (the pipeline's database)."""
    with db.transaction() as tx:
        rows = tx.query(
            sql(
                "SELECT id, status, submitted_at, kbli, site, site_crs, proposal FROM applications "
                "WHERE plan_id = {} ORDER BY submitted_at DESC, id DESC LIMIT {}"
            ),
            (plan_id, limit),
        )
    geoms = _lonlat([(_json(r["site"]), r["site_crs"]) for r in rows])
    return [
        RecordedSite(
            check_id=r["id"],
            kind=r["status"],
            created_at=r["submitted_at"],
            kbli=str(r["kbli"] or ""),
            geometry=geometry,
            proposal=_proposal(_json(r["proposal"])),
            source="application",
        )
        for r, geometry in zip(rows, geoms, strict=True)
    ]


def _json(text: Any) -> Any:
    try:
        return json.loads(text) if isinstance(text, str) else text
    except ValueError:
        return None


def _proposal(value: Any) -> dict[str, float | None]:
    given = value if isinstance(value, dict) else {}
    return {c: given.get(c) for c in PROPOSAL_COLUMNS}


def _lonlat(sites: list[tuple[Any, str | None]]) -> list[shapely.Geometry | None]:
    """Stored sites (GeoJSON, CRS) in EPSG:4326, one transform per CRS; None for a site
    that cannot be read (checked again, it answers "error" under both versions)."""
    by_crs: dict[str, list[tuple[int, shapely.Geometry]]] = {}
    for i, (site_json, crs) in enumerate(sites):
        try:
            site = site_from_geojson(site_json, crs)
        except (KkprError, ValueError, TypeError, AttributeError):
            continue
        by_crs.setdefault(site.crs, []).append((i, site.geometry))
    out: list[shapely.Geometry | None] = [None] * len(sites)
    for crs, found in by_crs.items():
        geoms = np.array([g for _i, g in found], dtype=object)
        for (i, _g), geom in zip(found, to_crs_many(geoms, crs, WGS84), strict=True):
            out[i] = geom
    return out


def site_frame(sites: list[RecordedSite]) -> gpd.GeoDataFrame:
    """The sites as ``kkpr.bulk.sites.read_sites`` gives a file's (EPSG:4326)."""
    frame = pd.DataFrame(
        {
            "site_id": [s.key for s in sites],
            "kbli": [s.kbli for s in sites],
            **{
                c: pd.to_numeric(pd.Series([s.proposal.get(c) for s in sites], dtype=object))
                for c in PROPOSAL_COLUMNS
            },
        }
    )
    return gpd.GeoDataFrame(frame, geometry=[s.geometry for s in sites], crs=WGS84)


class ChangedSite(TypedDict):
    """A recorded site whose answer the new version changes (GeoJSON in EPSG:4326)."""

    source: str  # check | application
    check_id: str
    kind: str
    created_at: str
    kbli: str
    old_outcome: str
    outcome: str
    old_form: str | None
    form: str | None
    reasons_removed: str | None
    reasons_added: str | None
    geometry: dict[str, Any] | None


class SourceCount(TypedDict):
    total: int
    changed: int


# "from" is a keyword: the functional form
TransitionCount = TypedDict("TransitionCount", {"from": str, "to": str, "count": int})


class ImpactJson(TypedDict):
    """The impact as the plan management page shows it (``Impact.to_dict``)."""

    total: int
    done: int
    changed: int
    unchanged: int
    errors: int
    transitions: list[TransitionCount]  # the most frequent first
    changes: list[ChangedSite]  # the first LISTED_CHANGES
    sources: dict[str, SourceCount]
    changes_listed: int


@dataclass
class Impact:
    """The re-check of recorded sites: counts, transitions and the changed sites."""

    total: int = 0
    done: int = 0
    changed: int = 0
    errors: int = 0
    transitions: dict[str, int] = field(default_factory=dict)  # "old → new": n
    changes: list[ChangedSite] = field(default_factory=list)
    sources: dict[str, SourceCount] = field(default_factory=dict)

    def to_dict(self) -> ImpactJson:
        return {
            "total": self.total,
            "done": self.done,
            "changed": self.changed,
            "unchanged": self.done - self.changed,
            "errors": self.errors,
            "transitions": [
                {"from": k.split(" → ")[0], "to": k.split(" → ")[1], "count": n}
                for k, n in sorted(self.transitions.items(), key=lambda kv: -kv[1])
            ],
            "changes": self.changes,
            "sources": self.sources,
            "changes_listed": len(self.changes),
        }


def chunks(sites: list[RecordedSite], size: int = CHUNK) -> Iterator[list[RecordedSite]]:
    for i in range(0, len(sites), size):
        yield sites[i : i + size]


def impact(
    sites: list[RecordedSite],
    active: Path,
    candidate: Path,
    progress: Callable[[Impact], None] | None = None,
    chunk_size: int = CHUNK,
) -> Impact:
    """Every site checked against the ``active`` and the ``candidate`` package."""
    new, old = PlanRef.of(candidate), PlanRef.of(active)
    out = Impact(total=len(sites))
    for s in sites:
        counts = out.sources.setdefault(s.source, {"total": 0, "changed": 0})
        counts["total"] += 1
    if progress is not None:
        progress(out)
    for part in chunks(sites, chunk_size):
        table = check_frame(site_frame(part), new, old)
        by_id = {s.key: s for s in part}
        for row in table.itertuples(index=False):
            out.done += 1
            if row.outcome == "error" and row.old_outcome == "error":
                out.errors += 1
            if not row.changed:
                continue
            out.changed += 1
            site = by_id[str(row.site_id)]
            out.sources[site.source]["changed"] += 1
            key = f"{row.old_outcome} → {row.outcome}"
            out.transitions[key] = out.transitions.get(key, 0) + 1
            if len(out.changes) < LISTED_CHANGES:
                out.changes.append(
                    {
                        "source": site.source,
                        "check_id": site.check_id,
                        "kind": site.kind,
                        "created_at": site.created_at,
                        "kbli": site.kbli,
                        "old_outcome": str(row.old_outcome),  # outcomes are text
                        "outcome": str(row.outcome),
                        "old_form": _text(row.old_form),
                        "form": _text(row.form),
                        "reasons_removed": _text(row.reasons_removed),
                        "reasons_added": _text(row.reasons_added),
                        "geometry": shapely.geometry.mapping(site.geometry)
                        if site.geometry is not None
                        else None,
                    }
                )
        if progress is not None:
            progress(out)
    return out


def _text(value: object) -> str | None:
    if value is None or (isinstance(value, float) and value != value) or value == "nan":
        return None
    return str(value)
