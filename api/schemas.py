"""Request and response models of the API, with the examples the OpenAPI document shows.

Sites are typed GeoJSON (Point, Polygon, MultiPolygon, a Feature of one of them, or a
one-feature FeatureCollection) with finite coordinates, so a malformed site is a 422
naming the field, never an exception deep in the engine.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pyproj import CRS

from kkpr.model import CheckResult

Coordinate = Annotated[float, Field(allow_inf_nan=False)]
Position = Annotated[list[Coordinate], Field(min_length=2, max_length=3)]
LinearRing = Annotated[list[Position], Field(min_length=4)]
PolygonCoordinates = Annotated[list[LinearRing], Field(min_length=1)]

EXAMPLE_POLYGON: dict[str, Any] = {
    "type": "Polygon",
    "coordinates": [
        [
            [123.5912, -10.1712],
            [123.5918, -10.1712],
            [123.5918, -10.1717],
            [123.5912, -10.1717],
            [123.5912, -10.1712],
        ]
    ],
}

IDEMPOTENCY_KEY_CHAR = r"[\x21-\x7e]"  # the Idempotency-Key header: visible ASCII
IDEMPOTENCY_KEY_MAX = 255


def known_crs(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        crs = CRS.from_user_input(value)
    except Exception as exc:
        raise ValueError(f"unknown CRS {value!r}") from exc
    if not (crs.is_geographic or crs.is_projected) or len(crs.axis_info) != 2:
        raise ValueError(f"{value!r} is not a 2D geographic or projected CRS")
    return value


MAX_JSON_DEPTH = 32  # nesting of a request body; GeoJSON coordinates need 4


def plain_json(value: Any, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """``value`` unchanged when it nests at most ``max_depth`` levels and every text in
    it is valid Unicode (no lone surrogate such as ``"\\ud800"``: JSON allows it, UTF-8
    cannot store it); ValueError otherwise, so the request is a 422, not a 500 where the
    record is stored or a deep value serialised. Coordinates, numbers by the schema,
    are not walked."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > max_depth:
            raise ValueError(f"nested deeper than {max_depth} levels")
        if isinstance(item, str):
            _unicode(item)
        elif isinstance(item, dict):
            for key, inner in item.items():
                _unicode(str(key))
                if key != "coordinates":
                    stack.append((inner, depth + 1))
        elif isinstance(item, list):
            stack.extend((inner, depth + 1) for inner in item)
    return value


def _unicode(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError(f"text with an unpaired surrogate at {exc.start}") from exc


class PointGeometry(BaseModel):
    type: Literal["Point"]
    coordinates: Position


class PolygonGeometry(BaseModel):
    type: Literal["Polygon"]
    coordinates: PolygonCoordinates


class MultiPolygonGeometry(BaseModel):
    type: Literal["MultiPolygon"]
    coordinates: Annotated[list[PolygonCoordinates], Field(min_length=1)]


SiteGeometry = Annotated[
    PointGeometry | PolygonGeometry | MultiPolygonGeometry, Field(discriminator="type")
]


class SiteFeature(BaseModel):
    type: Literal["Feature"]
    geometry: SiteGeometry
    properties: dict[str, Any] | None = None


class SiteFeatureCollection(BaseModel):
    type: Literal["FeatureCollection"]
    features: Annotated[list[SiteFeature], Field(min_length=1, max_length=1)]


SiteIn = Annotated[
    PointGeometry | PolygonGeometry | MultiPolygonGeometry | SiteFeature | SiteFeatureCollection,
    Field(discriminator="type"),
]


FootprintIn = Annotated[PolygonGeometry | MultiPolygonGeometry, Field(discriminator="type")]


class ProposalIn(BaseModel):
    """The applicant's building figures; each optional, none negative. ``footprint``:
    the building as drawn on the lot (GeoJSON in the site's CRS), optional."""

    model_config = ConfigDict(extra="forbid")

    land_area_m2: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = None
    footprint_m2: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = None
    floor_area_m2: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = None
    floors: Annotated[int, Field(ge=0, le=1000)] | None = None
    height_m: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = None
    green_area_m2: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = None
    tod_bonus: bool = Field(
        False, description="ask for the plan's TOD bonus KLB (granted only inside a TOD area)"
    )
    footprint: FootprintIn | None = Field(
        None,
        description="The building footprint drawn inside the site (Polygon or MultiPolygon, "
        "in the site's CRS): KDB from its area, height and T conditions from the parts it "
        "stands on, and the GSB per road frontage checked against it",
    )


class CheckIn(BaseModel):
    """One site, one activity (KBLI), and the proposal."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "site": EXAMPLE_POLYGON,
                    "kbli": "47111",
                    "proposal": {"footprint_m2": 120, "floor_area_m2": 180, "floors": 2},
                    "ref": "OSS-2024-000123",
                }
            ]
        },
    )

    site: SiteIn = Field(..., description="GeoJSON (RFC 7946: longitude, latitude) unless `crs`")
    kbli: str = Field(..., min_length=1, max_length=16, description="KBLI 2020, five digits")
    proposal: ProposalIn = Field(default_factory=ProposalIn)
    crs: str | None = Field(
        None,
        pattern=r"^EPSG:\d{4,6}$",
        description="CRS of the site coordinates when not EPSG:4326, e.g. EPSG:32751",
    )
    plan_id: str | None = Field(None, max_length=100, description="Plan; default: the only one")
    ref: str | None = Field(
        None, max_length=200, description="The caller's own reference, stored with the check"
    )

    @field_validator("crs")
    @classmethod
    def _crs(cls, value: str | None) -> str | None:
        return known_crs(value)

    @model_validator(mode="before")
    @classmethod
    def _plain(cls, data: Any) -> Any:
        return plain_json(data)

    def site_geojson(self) -> dict[str, Any]:
        return self.site.model_dump(mode="json")


class BatchIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "checks": [
                        {"site": EXAMPLE_POLYGON, "kbli": "47111", "ref": "A-1"},
                        {
                            "site": {"type": "Point", "coordinates": [123.5915, -10.1714]},
                            "kbli": "56101",
                            "proposal": {"land_area_m2": 300},
                            "ref": "A-2",
                        },
                    ]
                }
            ]
        },
    )

    checks: Annotated[list[CheckIn], Field(min_length=1)] = Field(
        ..., description="At most `max_batch_sites` checks (1,000 by default)"
    )


class CorrectionIn(BaseModel):
    """A correction: the reason, and what changes (the rest is taken from the original)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "reason": "Koordinat tapak salah ketik / site coordinates mistyped",
                    "site": EXAMPLE_POLYGON,
                }
            ]
        },
    )

    reason: str = Field(..., min_length=3, max_length=2000)
    site: SiteIn | None = None
    kbli: str | None = Field(None, min_length=1, max_length=16)
    proposal: ProposalIn | None = None
    crs: str | None = Field(None, pattern=r"^EPSG:\d{4,6}$")

    @field_validator("crs")
    @classmethod
    def _crs(cls, value: str | None) -> str | None:
        return known_crs(value)


class CheckRecordOut(BaseModel):
    """A stored check, exactly as stored. ``content_hash`` = SHA-256 (hex) of the UTF-8
    canonical JSON (sorted keys, separators ``,`` and ``:``, no ASCII escaping) of
    ``{"inputs": inputs, "result": result}``."""

    id: str
    kind: Literal["check", "precheck", "correction"]
    created_at: str = Field(..., description="UTC, ISO 8601")
    caller: str = Field(..., description="key:<key id>, or public:<client hash>")
    caller_role: str
    plan_id: str
    plan_version: str
    corrects: str | None = Field(None, description="The check this one corrects")
    correction_reason: str | None = None
    batch_id: str | None = None
    batch_index: int | None = None
    content_hash: str
    inputs: dict[str, Any] = Field(..., description="The request as validated")
    result: CheckResult


class BatchOut(BaseModel):
    batch_id: str
    count: int
    checks: list[CheckRecordOut]


class Problem(BaseModel):
    """RFC 9457 problem details, with the message in Indonesian and English."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "type": "https://kkpr.example/problems/unknown-activity",
                    "title": "Kegiatan (KBLI) tidak dikenal / Unknown activity (KBLI)",
                    "status": 422,
                    "detail": "Kode KBLI '4711' tidak dikenal oleh rencana ini / ...",
                    "instance": "/v1/checks",
                    "kind": "unknown-activity",
                    "message_id": "Kode KBLI '4711' tidak dikenal oleh rencana ini",
                    "message_en": "KBLI code '4711' is not known to this plan",
                    "where": "kbli",
                    "hint_id": "Periksa kode; yang mirip: 47111 ...",
                    "hint_en": "Check the code; near matches: 47111 ...",
                }
            ]
        },
    )

    type: str
    title: str
    status: int
    detail: str
    instance: str
    kind: str | None = None
    message_id: str | None = None
    message_en: str | None = None
    where: str | None = None
    hint_id: str | None = None
    hint_en: str | None = None


# ---------------------------------------------------------------- plans


class PlanSummary(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "id": "kupang-rdtr",
                    "name": "RDTR Kota Kupang",
                    "region_code": "53.71",
                    "active_version": "v1",
                    "versions": 1,
                }
            ]
        },
    )

    id: str
    name: str
    region_code: str | None = None
    active_version: str | None = None
    versions: int


class PlanVersionOut(BaseModel):
    model_config = ConfigDict(extra="allow")

    version: str
    active: bool
    loaded_at: str | None = None
    loaded_by: str | None = None
    checksum: str | None = None
    effective_from: str | None = None
    legal_basis: str | None = None
    zones: int | None = None


class PlanDetail(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str
    name: str
    region_code: str | None = None
    legal_basis: str | None = None
    effective_from: str | None = None
    crs: str
    tolerance: dict[str, float]
    version: str
    checksum: str | None = None
    active_version: str | None = None
    versions: int | None = None
    subzones: list[str]
    activities: int
    kbli: int
    collections: list[dict[str, Any]]


class ItbxActivity(BaseModel):
    kode_kegiatan: str
    kegiatan: str
    cells: dict[str, str | None] = Field(..., description="sub-zone -> raw cell (I, X, T1;B2)")


class ItbxOut(BaseModel):
    plan_id: str
    version: str
    subzones: list[str]
    activities: list[ItbxActivity]
    conditions: dict[str, dict[str, Any]]


class ValidationOut(BaseModel):
    plan_id: str
    version: str
    valid: bool
    errors: int
    warnings: int
    problems: list[dict[str, Any]]


class PlanLoaded(BaseModel):
    plan_id: str
    version: str
    active: bool
    loaded_by: str
    warnings: int
    problems: list[dict[str, Any]]


class ActivationOut(BaseModel):
    plan_id: str
    active_version: str
    by: str


# ---------------------------------------------------------------- catalogue


class KbliHit(BaseModel):
    kode: str
    judul: str
    kategori: str | None = None
    kode_kegiatan: str | None = Field(None, description="The plan's ITBX row; null: not mapped")


class KbliSearchOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "query": "rumah makan",
                    "plan_id": "kupang-rdtr",
                    "items": [
                        {
                            "kode": "56101",
                            "judul": "Restoran",
                            "kategori": "I",
                            "kode_kegiatan": "RESTO",
                        }
                    ],
                }
            ]
        }
    )

    query: str
    plan_id: str
    items: list[KbliHit]


class SubzoneRule(BaseModel):
    kodszn: str
    itbx: Literal["I", "T", "B", "TB", "X"] | None
    cell: str | None
    conditions: list[dict[str, Any]]


class KbliDetailOut(BaseModel):
    kode: str
    judul: str
    kategori: str | None = None
    plan_id: str
    plan_version: str
    mapped: bool
    kode_kegiatan: str | None = None
    kegiatan: str | None = None
    by_class: dict[str, list[str]] = Field(..., description="I/T/B/TB/X -> sub-zone codes")
    subzones: list[SubzoneRule]
