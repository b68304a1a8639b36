"""The rule tables a plan version keeps as JSON in PostGIS (``plan_versions.rule_tables``):
the overlay rules of plan.toml beyond ``efek`` (``[overlay.<JENIS>]``), the
intensity rows by class of lot (``intensitas.csv`` with ``luas_min``/``luas_max``/
``kelas_jalan``), the RTRW's general zoning matrix (``rtrw_itbx.csv``) and the
landmarks the place search finds (``tempat.csv``). All are
small (tens to a few thousand cells) and read whole with the plan's rules, so a table
of their own would only add joins; written and read here, so that the PostGIS store
gives back exactly the PlanRules the memory store holds."""

from __future__ import annotations

import dataclasses
from typing import Any

from kkpr.model import (
    Intensity,
    IntensityClass,
    Landmark,
    OverlayRule,
    PlanRules,
    RtrwMatrix,
    RtrwRow,
)


def to_json(rules: PlanRules) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if rules.intensity_classes:
        out["intensity_classes"] = [
            {**dataclasses.asdict(row), "intensity": dataclasses.asdict(row.intensity)}
            for rows in rules.intensity_classes.values()
            for row in rows
        ]
    if rules.meta.overlay_rules:
        out["overlay_rules"] = {
            jenis: dataclasses.asdict(rule) for jenis, rule in rules.meta.overlay_rules.items()
        }
    if rules.rtrw_matrix is not None:
        out["rtrw_matrix"] = dataclasses.asdict(rules.rtrw_matrix)
    if rules.landmarks:
        out["landmarks"] = [dataclasses.asdict(lm) for lm in rules.landmarks]
    return out


def intensity_classes(data: dict[str, Any]) -> dict[str, tuple[IntensityClass, ...]]:
    out: dict[str, list[IntensityClass]] = {}
    for row in data.get("intensity_classes", ()):
        values = {**row, "intensity": Intensity(**row["intensity"])}
        out.setdefault(row["kodszn"], []).append(IntensityClass(**values))
    return {k: tuple(v) for k, v in out.items()}


def landmarks(data: dict[str, Any]) -> tuple[Landmark, ...]:
    """The plan's ``tempat.csv`` (``PlanRules.landmarks``), in file order."""
    return tuple(Landmark(**row) for row in data.get("landmarks", ()))


def rtrw_matrix(data: dict[str, Any]) -> RtrwMatrix | None:
    raw = data.get("rtrw_matrix")
    if raw is None:
        return None
    rows = tuple(
        RtrwRow(r["key"], r["kegiatan"], r["line"], tuple(r["cells"])) for r in raw["rows"]
    )
    return RtrwMatrix(tuple(raw["columns"]), rows)


def overlay_rules(data: dict[str, Any]) -> dict[str, OverlayRule]:
    return {jenis: OverlayRule(**rule) for jenis, rule in data.get("overlay_rules", {}).items()}
