"""``tempat.csv`` of a plan package (optional): landmarks and streets the public
pre-check's place search finds, ``nama,jenis,lat,lon[,keterangan]`` in WGS 84.

A row without a name, or whose coordinates cannot be read or lie off the globe, is
left out. The landmarks are kept with the plan's rules (``PlanRules.landmarks``), so
every store serves them: the memory store from the package, PostGIS from its
``plan_versions.rule_tables`` (kkpr.store.rule_tables)."""

from __future__ import annotations

import csv
from pathlib import Path

from kkpr.model import Landmark

LANDMARKS_FILE = "tempat.csv"


def _rows(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [
            {k.strip().lower(): (v or "") for k, v in r.items() if k} for r in csv.DictReader(fh)
        ]


def _landmark(row: dict[str, str]) -> Landmark | None:
    try:
        lat, lon = float(row["lat"]), float(row["lon"])
    except (KeyError, TypeError, ValueError):
        return None
    name = row.get("nama", "").strip()
    if not name or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return Landmark(name, row.get("jenis", "").strip(), lat, lon, row.get("keterangan", "").strip())


def read_landmarks(root: Path) -> tuple[Landmark, ...]:
    """The landmarks of the package at ``root`` (none when it has no ``tempat.csv``)."""
    found = (_landmark(r) for r in _rows(root / LANDMARKS_FILE))
    return tuple(lm for lm in found if lm is not None)
