"""Plain data of the domain: what a check reads and what it answers.

No I/O here. Geometries are shapely 2 objects; every area is in m² measured in the
plan's metric CRS.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from shapely.geometry.base import BaseGeometry


class Outcome(StrEnum):
    SESUAI = "sesuai"
    SESUAI_BERSYARAT = "sesuai_bersyarat"
    TIDAK_SESUAI = "tidak_sesuai"
    PERLU_KAJIAN = "perlu_kajian"


class Form(StrEnum):
    """The three forms of KKPR (RKKPR is out of scope but has its slot)."""

    KKKPR = "KKKPR"  # konfirmasi: automatic, inside a digital RDTR
    PKKPR = "PKKPR"  # persetujuan: staff assessment against the RTRW
    RKKPR = "RKKPR"  # rekomendasi: national strategic activities


class ItbxClass(StrEnum):
    I = "I"  # noqa: E741 - the regulation's own letter
    T = "T"
    B = "B"
    X = "X"


# ---------------------------------------------------------------- plan facts


@dataclass(frozen=True)
class Tolerance:
    sliver_m2: float = 5.0
    sliver_share: float = 0.01


@dataclass(frozen=True)
class RasterSpec:
    """A raster the plan ships (plan.toml ``[[raster]]``)."""

    id: str
    path: str
    kind: str  # "hazard" | "dem"
    label_id: str
    label_en: str
    jenis: str | None = None
    threshold: float | None = None
    slope_limit_pct: float | None = None
    max_share: float = 0.0
    efek: str | None = None  # "X" forbids, "B" adds a condition, None informs


@dataclass(frozen=True)
class PlanMeta:
    id: str
    name: str
    region_code: str
    legal_basis: str
    effective_from: date | None
    crs: str
    tolerance: Tolerance = Tolerance()
    rasters: tuple[RasterSpec, ...] = ()
    overlay_effects: dict[str, str | None] = field(default_factory=dict)
    version: str = "package"
    checksum: str | None = None


@dataclass(frozen=True)
class Condition:
    kode: str
    teks: str
    max_floor_area_m2: float | None = None
    max_site_area_m2: float | None = None
    max_floors: float | None = None

    @property
    def kind(self) -> str:
        return self.kode[:1].upper()


@dataclass(frozen=True)
class Intensity:
    kdb: float | None = None
    klb: float | None = None
    kdh: float | None = None
    ktb: float | None = None
    tb: float | None = None
    jlb: float | None = None
    gsb: float | None = None

    def over(self, base: Intensity) -> Intensity:
        """This intensity's values where set, ``base``'s elsewhere."""
        return Intensity(
            **{
                f.name: getattr(self, f.name)
                if getattr(self, f.name) is not None
                else getattr(base, f.name)
                for f in dataclasses.fields(self)
            }
        )


@dataclass(frozen=True)
class Activity:
    kode: str
    kegiatan: str


@dataclass(frozen=True)
class KbliEntry:
    kbli: str
    judul: str
    kode_kegiatan: str


@dataclass
class PlanRules:
    """Everything of a plan that is not geometry: small, cached by every store."""

    meta: PlanMeta
    activities: dict[str, Activity]
    itbx: dict[tuple[str, str], str]  # (kode_kegiatan, kodszn) -> raw cell text
    subzones: tuple[str, ...]  # the ITBX columns
    kbli: dict[str, KbliEntry]
    conditions: dict[str, Condition]
    intensity: dict[str, Intensity]  # kodszn -> defaults

    def cell(self, kode_kegiatan: str, kodszn: str) -> str | None:
        value = self.itbx.get((kode_kegiatan, kodszn))
        return value or None


# ---------------------------------------------------------------- the request


@dataclass(frozen=True)
class Proposal:
    """The applicant's building figures (all optional)."""

    land_area_m2: float | None = None
    footprint_m2: float | None = None
    floor_area_m2: float | None = None
    floors: int | None = None
    height_m: float | None = None
    green_area_m2: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


@dataclass(frozen=True)
class Site:
    """A proposed site: a Polygon, MultiPolygon or Point in ``crs``."""

    geometry: BaseGeometry
    crs: str = "EPSG:4326"


# ---------------------------------------------------------------- store answers


@dataclass(frozen=True)
class ZoneHit:
    """A zone polygon the site overlaps, as a store reports it."""

    fid: str
    kodszn: str
    area_m2: float
    namszn: str | None = None
    kodzon: str | None = None
    namzon: str | None = None
    kodblk: str | None = None
    kodsbl: str | None = None
    wadmkc: str | None = None
    wadmkd: str | None = None
    flags: tuple[str, ...] = ()  # overlay kinds flagged on the polygon (KKOP, KRB, ...)
    intensity: Intensity = Intensity()  # per-polygon overrides


@dataclass(frozen=True)
class OverlayHit:
    fid: str
    jenis: str
    area_m2: float
    keterangan: str | None = None
    tb: float | None = None
    efek: str | None = None
    source: str = "ketentuan_khusus"  # or "pola_ruang.<FLAG>" for flags on zones


@dataclass(frozen=True)
class RasterStat:
    id: str
    cells: float  # covered cells (fractional at edges)
    max: float | None
    mean: float | None
    share_above: float | None  # share of the site above the threshold/slope limit


@dataclass(frozen=True)
class RtrwHit:
    namobj: str
    jnsrpr: str | None
    area_m2: float


@dataclass
class Located:
    """Geometric facts about one site: what the store answers, rules read."""

    plan_id: str
    plan_version: str
    geometry: BaseGeometry  # the site in the plan CRS
    area_m2: float
    zones: list[ZoneHit]
    overlays: list[OverlayHit]
    rasters: list[RasterStat] = field(default_factory=list)
    rtrw: list[RtrwHit] = field(default_factory=list)
    lon: float | None = None
    lat: float | None = None


# ---------------------------------------------------------------- the answer


class Effect(StrEnum):
    """What a reason does to the outcome; the strictest reason decides."""

    FORBIDS = "tidak_sesuai"
    REVIEW = "perlu_kajian"
    CONDITION = "sesuai_bersyarat"
    INFO = "info"


@dataclass(frozen=True)
class Reason:
    code: str
    id: str
    en: str
    effect: Effect = Effect.INFO
    source: dict[str, Any] = field(default_factory=dict)


@dataclass
class PartResult:
    fid: str
    kodszn: str
    namszn: str | None
    kodzon: str | None
    namzon: str | None
    kodblk: str | None
    kodsbl: str | None
    wadmkc: str | None
    wadmkd: str | None
    area_m2: float
    share: float
    deciding: bool
    itbx: str | None
    cell: str | None
    conditions: list[str]


@dataclass
class ConditionResult:
    kode: str
    teks: str
    kind: str
    kodszn: list[str]
    checks: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class IntensityFinding:
    rule: str
    limit: float
    proposed: float | None
    ok: bool | None
    unit: str
    source: str


@dataclass
class OverlayFinding:
    jenis: str
    efek: str | None
    keterangan: str | None
    tb: float | None
    area_m2: float
    share: float
    deciding: bool
    source: str
    fid: str


@dataclass
class RasterFinding:
    id: str
    kind: str
    label_id: str
    label_en: str
    max: float | None
    mean: float | None
    share_above: float | None
    threshold: float | None
    max_share: float
    efek: str | None
    exceeded: bool


@dataclass
class CheckResult:
    outcome: Outcome
    form: Form
    plan: dict[str, Any]
    site: dict[str, Any]
    activity: dict[str, Any]
    proposal: dict[str, Any]
    parts: list[PartResult]
    conditions: list[ConditionResult]
    intensity: list[IntensityFinding]
    overlays: list[OverlayFinding]
    rasters: list[RasterFinding]
    rtrw: list[dict[str, Any]]
    reasons: list[Reason]

    def to_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out["outcome"] = str(self.outcome)
        out["form"] = str(self.form)
        return out
