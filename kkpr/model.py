"""Plain data of the domain: what a check reads and what it answers.

No I/O here. Geometries are shapely 2 objects; every area is in m² measured in the
plan's metric CRS.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from operator import attrgetter
from typing import Any, NotRequired, Required, overload

from shapely.geometry.base import BaseGeometry
from typing_extensions import TypedDict

from kkpr.kugi import FLAG_NONE_DEFAULT


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
    """The classes of an ITBX cell, as the Peraturan Zonasi and OSS keep them."""

    I = "I"  # noqa: E741 - the regulation's own letter; diizinkan
    T = "T"  # diizinkan terbatas
    B = "B"  # diizinkan bersyarat tertentu
    TB = "TB"  # diizinkan terbatas dan bersyarat: a cell holding T and B codes
    X = "X"  # tidak diizinkan


# ---------------------------------------------------------------- plan facts


@dataclass(frozen=True)
class Tolerance:
    sliver_m2: float = 5.0
    sliver_share: float = 0.01
    gaps: str = "warning"  # gaps/overlaps between zone polygons: "warning" or "error"


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


MIXED_INTENSITY = ("weighted", "strictest")
SETBACK_FROM = ("boundary", "road")
EMPTY_CELL = ("I", "X")


@dataclass(frozen=True)
class RuleOptions:
    """How the plan asks its rules applied (plan.toml ``[rules]``, a kkpr extension).

    ``mixed_intensity``: on a site across several deciding parts, KDB, KLB and KDH are
    area-weighted (``weighted``: allowed footprint = Σ KDB_i × area_i) or the strictest
    part's limit binds the whole site (``strictest``).
    """

    mixed_intensity: str = "weighted"
    # setbacks (plan.toml [setbacks]): a road of jaringan_jalan within ``frontage_m`` of
    # the site is a road the site fronts; GSB is measured from the site's boundary
    # facing it ("boundary", the lot line at the road reserve) or from the road line as
    # the layer draws it ("road", GSB "dari as jalan")
    frontage_m: float = 15.0
    setback_from: str = "boundary"
    # what an empty ITBX cell means, as the plan's regulation says ("X": an activity
    # not listed is not permitted; "I"); None: an empty cell is a gap of the plan
    empty_cell: str | None = None


@dataclass(frozen=True)
class OverlayRule:
    """What plan.toml ``[overlay.<JENIS>]`` adds to a kind beyond its ``efek`` (issue 18
    item 8): the effect per activity group (``efek_kegiatan``, over the catalogue's),
    the KLB bonus a proposal may ask for (``klb_bonus``, TOD), and whether the layer's
    TB is a limit elevation above mean sea level (``tb_elevasi``, KKOP surfaces)."""

    efek_kegiatan: dict[str, str] = field(default_factory=dict)
    klb_bonus: float | None = None
    tb_elevasi: bool = False


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
    overlay_rules: dict[str, OverlayRule] = field(default_factory=dict)
    # overlay flag values that mean "not set" (plan.toml [flags] none)
    flag_none: tuple[str, ...] = FLAG_NONE_DEFAULT
    kodszn_field: str | None = None  # plan.toml [fields] kodszn: the sub-zone code field
    rule_options: RuleOptions = RuleOptions()
    version: str = "package"
    checksum: str | None = None
    # whether this RDTR is integrated in OSS (plan.toml [oss] rdtr_integrated): only then
    # is the automatic answer a KKKPR that OSS confirms; otherwise every case is a PKKPR
    rdtr_integrated: bool = False


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
        """This intensity's values where set, ``base``'s elsewhere (``base`` itself where
        none is set: most polygons override nothing)."""
        own = _intensity_values(self)
        if own == _NO_VALUES:
            return base
        theirs = _intensity_values(base)
        return Intensity(*[o if o is not None else b for o, b in zip(own, theirs, strict=True)])


_intensity_values = attrgetter(*(f.name for f in dataclasses.fields(Intensity)))
_NO_VALUES = (None,) * len(dataclasses.fields(Intensity))


@dataclass(frozen=True)
class IntensityClass:
    """A row of ``intensitas.csv`` that applies to a class of lot (issue 18 item 4):
    by lot size (``luas_min``..``luas_max`` m², as Yogyakarta's five classes) and/or by
    the class of road the site fronts (``kelas_jalan``, as Bintan's rows by road)."""

    kodszn: str
    intensity: Intensity
    kelas: str | None = None  # the class's own name in the table ("1", "Kelas 2")
    luas_min: float | None = None
    luas_max: float | None = None
    kelas_jalan: str | None = None
    line: int = 0  # of intensitas.csv


@dataclass(frozen=True)
class RtrwRow:
    """A row of the RTRW's general zoning matrix: an activity code of kbli.csv or a KBLI
    group (section letter or code prefix), its name, its line, and a cell per column."""

    key: str
    kegiatan: str
    line: int
    cells: tuple[str, ...]


@dataclass(frozen=True)
class RtrwMatrix:
    """The RTRW's general zoning matrix (``rtrw_itbx.csv``, issue 18 item 9): pola ruang
    classes of the RTRW layer (its NAMOBJ or JNSRPR) × activities -> I/T/B/X."""

    columns: tuple[str, ...]
    rows: tuple[RtrwRow, ...]


@dataclass(frozen=True)
class Activity:
    kode: str
    kegiatan: str


@dataclass(frozen=True)
class KbliEntry:
    kbli: str
    judul: str
    kode_kegiatan: str


@dataclass(frozen=True)
class Landmark:
    """A place of ``tempat.csv`` the public pre-check's place search finds: a landmark,
    or a street (``jenis`` ``jalan``), at a point in longitude/latitude."""

    nama: str
    jenis: str
    lat: float
    lon: float
    keterangan: str = ""


@dataclass(frozen=True)
class SetbackRow:
    """A row of ``gsb.csv``: the GSB (and JBB) of roads of a function, class or status.

    Keys are as written, matched through ``kkpr.rules.setbacks.road_key`` (case, spaces,
    a leading "Jalan"); None matches any value. The
    most specific row that matches a road applies (ties: the first in the table).
    """

    fungsi: str | None
    kelas: str | None
    status: str | None
    gsb: float | None
    jbb: float | None = None
    keterangan: str | None = None


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
    # kodszn -> its rows by lot-size or road class, in table order (kkpr.rules.classes)
    intensity_classes: dict[str, tuple[IntensityClass, ...]] = field(default_factory=dict)
    rtrw_matrix: RtrwMatrix | None = None  # rtrw_itbx.csv (kkpr.rules.rtrw)
    landmarks: tuple[Landmark, ...] = ()  # tempat.csv: places to find a plot by
    setbacks: tuple[SetbackRow, ...] = ()  # gsb.csv: GSB and JBB by road class

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
    # the TOD bonus KLB is granted only when asked for (plan.toml [overlay.TOD] klb_bonus)
    tod_bonus: bool = False
    # the building footprint as drawn: a GeoJSON Polygon/MultiPolygon in the site's CRS
    # (the figures alone still work); kkpr.check reads it into the plan CRS
    footprint: dict[str, Any] | None = field(default=None, hash=False)

    def to_dict(self) -> ProposalFigures:
        return {
            "land_area_m2": self.land_area_m2,
            "footprint_m2": self.footprint_m2,
            "floor_area_m2": self.floor_area_m2,
            "floors": self.floors,
            "height_m": self.height_m,
            "green_area_m2": self.green_area_m2,
            "tod_bonus": self.tod_bonus,
            "footprint": self.footprint,
        }


@dataclass(frozen=True)
class Site:
    """A proposed site: a Polygon, MultiPolygon or Point in ``crs``.

    ``derived`` keeps what is computed from the site (``kkpr.site``: the vertex count
    that passed every check, the geometry projected into a CRS): the site and its
    geometry never change, so neither does what they give. Not part of equality.
    """

    geometry: BaseGeometry
    crs: str = "EPSG:4326"
    derived: dict[str, Any] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )


# ---------------------------------------------------------------- store answers
# ZoneHit, OverlayHit and RoadHit are plain (not frozen) dataclasses: a store builds
# them field by field from its own rows (``kkpr.store.memory._built``), which a frozen
# class would forbid. Nothing changes a hit once a store has answered it.


@dataclass
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
    flag_texts: tuple[str, ...] = ()  # what the layer wrote in each flag, as ``flags``
    intensity: Intensity = Intensity()  # per-polygon overrides
    # the overlap of the site and the polygon (plan CRS; the point of a point site)
    part: BaseGeometry | None = field(default=None, compare=False, repr=False)


@dataclass
class OverlayHit:
    fid: str
    jenis: str
    area_m2: float
    keterangan: str | None = None
    tb: float | None = None
    efek: str | None = None
    source: str = "ketentuan_khusus"  # or "pola_ruang.<FLAG>" for flags on zones
    part: BaseGeometry | None = field(default=None, compare=False, repr=False)


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
class RoadHit:
    """A road of the plan's ``jaringan_jalan`` layer within the frontage distance."""

    fid: str
    nama: str | None
    fungsi: str | None
    kelas: str | None
    status: str | None
    distance_m: float  # from the site
    geometry: BaseGeometry | None = field(default=None, compare=False, repr=False)


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
    roads: list[RoadHit] = field(default_factory=list)  # the roads the site fronts
    # the highest ground under the site on the plan's DEM (m above MSL), measured only
    # where a limit elevation needs it (kkpr.check, KKOP surfaces): None otherwise
    ground_m: float | None = None


# ---------------------------------------------------------------- the answer


class Effect(StrEnum):
    """What a reason does to the outcome; the strictest reason decides."""

    FORBIDS = "tidak_sesuai"
    REVIEW = "perlu_kajian"
    CONDITION = "sesuai_bersyarat"
    INFO = "info"


class ReasonJson(TypedDict):
    """One reason of the outcome as JSON (``Reason.to_dict``): its effect is an ``Effect``
    value."""

    code: str
    id: str
    en: str
    effect: str
    source: dict[str, Any]


class Reason:
    """One reason of an outcome: its code, effect, cited source and its sentences.

    The sentences (Bahasa Indonesia ``id``, English ``en``) are rendered on first read:
    a bulk re-check decides a million outcomes from ``effect`` and reads few texts.
    """

    __slots__ = ("_render", "_texts", "code", "effect", "source")

    def __init__(
        self,
        code: str,
        id: str | None = None,  # the language code
        en: str | None = None,
        effect: Effect = Effect.INFO,
        source: dict[str, Any] | None = None,
        *,
        render: Callable[[], tuple[str, str]] | None = None,
    ) -> None:
        self.code = code
        self.effect = effect
        self.source: dict[str, Any] = source if source is not None else {}
        self._render = render
        self._texts: tuple[str, str] | None = None if render else (id or "", en or "")

    @property
    def texts(self) -> tuple[str, str]:
        if self._texts is None:
            assert self._render is not None
            self._texts = self._render()
            self._render = None
        return self._texts

    @property
    def id(self) -> str:
        return self.texts[0]

    @property
    def en(self) -> str:
        return self.texts[1]

    def to_dict(self) -> ReasonJson:
        texts = self._texts if self._texts is not None else self.texts
        return {"code": self.code, "id": texts[0], "en": texts[1],
                "effect": str(self.effect), "source": self.source}  # fmt: skip

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Reason) and self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash((self.code, self.id, self.en))

    def __repr__(self) -> str:
        return f"Reason({self.code!r}, {self.effect!s}, {self.en!r})"

    @classmethod
    def __get_pydantic_core_schema__(cls, _source: Any, _handler: Any) -> Any:
        """How pydantic (the API's response models) reads and writes a Reason."""
        from pydantic_core import core_schema as cs

        fields = {
            "code": cs.typed_dict_field(cs.str_schema()),
            "id": cs.typed_dict_field(cs.str_schema()),
            "en": cs.typed_dict_field(cs.str_schema()),
            "effect": cs.typed_dict_field(cs.literal_schema([e.value for e in Effect])),
            "source": cs.typed_dict_field(cs.dict_schema()),
        }
        from_dict = cs.no_info_after_validator_function(
            lambda d: cls(d["code"], d["id"], d["en"], Effect(d["effect"]), d["source"]),
            cs.typed_dict_schema(fields),
        )
        return cs.json_or_python_schema(
            json_schema=from_dict,
            python_schema=cs.union_schema([cs.is_instance_schema(cls), from_dict]),
            serialization=cs.plain_serializer_function_ser_schema(lambda r: r.to_dict()),
        )


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


class PartJson(TypedDict):
    """A zone part the site overlaps as JSON (``PartResult``)."""

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


class ConditionJson(TypedDict):
    """A plan condition the check attaches as JSON (``ConditionResult``)."""

    kode: str
    teks: str
    kind: str
    kodszn: list[str]
    checks: list[dict[str, Any]]


class _Basis:
    """A finding's sentence of how its limit was computed (``basis_id``, ``basis_en``),
    rendered on first read when the finding was given a ``render`` (``defer_basis``):
    as a Reason's sentences, most results are decided and stored without being read
    by a person, and only their JSON reads the sentence. A plain ``str`` otherwise."""

    def __init__(self, index: int) -> None:
        self.index = index
        self.name = ""
        self.public = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = "_" + name
        self.public = name

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> str: ...
    @overload
    def __get__(self, obj: object, owner: type | None = None) -> str: ...
    def __get__(self, obj: object | None, owner: type | None = None) -> str:
        if obj is None:
            return ""  # the field's default
        held = obj.__dict__
        render = held.get("_render")
        if render is not None:  # two threads reading at once both write the same texts
            held["_basis_id"], held["_basis_en"] = render()
            held.pop("_render", None)
        if self.name in held:
            text: str = held[self.name]
            return text
        # pydantic, validating a result, writes the public name into __dict__
        public: str = held.get(self.public, "")
        return public

    def __set__(self, obj: object, value: str) -> None:
        obj.__dict__.pop("_render", None)
        obj.__dict__[self.name] = value

    @classmethod
    def __get_pydantic_core_schema__(cls, _source: Any, _handler: Any) -> Any:
        """To pydantic (the API's response models) the field is the ``str`` it holds."""
        from pydantic_core import core_schema as cs

        return cs.str_schema()


@dataclass
class IntensityFinding:
    rule: str
    limit: float
    proposed: float | None
    ok: bool | None
    unit: str
    source: str
    how: str = "single"  # single | weighted (mixed lot) | strictest | cap (an overlay's)
    parts: list[dict[str, Any]] = field(default_factory=list)  # what it was computed from
    basis_id: _Basis = _Basis(0)  # how it was computed, in Indonesian (a str)
    basis_en: _Basis = _Basis(1)  # and in English (a str)

    def defer_basis(self, render: Callable[[], tuple[str, str]]) -> IntensityFinding:
        """This finding, its basis sentences (Indonesian, English) written by ``render``
        when first read."""
        held = self.__dict__
        held["_render"] = render
        return self


class IntensityJson(TypedDict):
    """An intensity limit and the proposal's figure against it as JSON
    (``IntensityFinding``; its basis sentences as the ``str`` they read as)."""

    rule: str
    limit: float
    proposed: float | None
    ok: bool | None
    unit: str
    source: str
    how: str
    parts: list[dict[str, Any]]
    basis_id: str
    basis_en: str


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


class OverlayJson(TypedDict):
    """A special provision the site touches as JSON (``OverlayFinding``)."""

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


class RasterJson(TypedDict):
    """A raster layer's reading under the site as JSON (``RasterFinding``)."""

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
class SetbackFinding:
    """A setback the site must keep (kkpr.rules.setbacks).

    ``kind``: ``frontage`` (the GSB from a road the site fronts), ``subzone`` (no road
    known: the sub-zone's GSB of intensitas.csv stated as a limit), ``jbb`` (side and
    rear clearance of a drawn footprint). ``distance_m`` is the drawn footprint's
    distance behind the line the GSB is measured from (None without a footprint);
    ``short_m`` by how much it falls short.
    """

    kind: str
    nama: str | None
    fungsi: str | None
    kelas: str | None
    status: str | None
    road_fids: list[str]
    road_distance_m: float | None  # from the site to the road
    gsb: float | None
    jbb: float | None
    source: str  # gsb.csv row, "intensitas.csv K-1", ...
    measured_from: str  # boundary | road
    distance_m: float | None = None
    ok: bool | None = None
    short_m: float | None = None


class SetbackJson(TypedDict):
    """A setback the site must keep as JSON (``SetbackFinding``)."""

    kind: str
    nama: str | None
    fungsi: str | None
    kelas: str | None
    status: str | None
    road_fids: list[str]
    road_distance_m: float | None
    gsb: float | None
    jbb: float | None
    source: str
    measured_from: str
    distance_m: float | None
    ok: bool | None
    short_m: float | None


# The plain parts of a CheckResult: TypedDicts (typing_extensions', which pydantic reads
# on Python 3.11), so that the engine, the API, the pipeline and the documents that read
# a result, or its stored JSON, name its keys as mypy checks them.


class PlanInfo(TypedDict):
    """The plan and version a check was answered by."""

    id: str
    name: str
    version: str
    legal_basis: str
    crs: str
    checksum: str | None


class SiteInfo(TypedDict):
    """The site as the check measured it (areas in m² of the plan CRS)."""

    area_m2: float
    covered_m2: float  # inside the RDTR's zones
    outside_m2: float
    outside_share: float
    geometry_type: str  # Polygon, MultiPolygon or Point
    lon: float | None
    lat: float | None


class ActivityInfo(TypedDict):
    """The activity asked for: its KBLI and the plan's activity row."""

    kbli: str
    judul: str
    kode_kegiatan: str
    kegiatan: str | None  # the row's name; None where the plan has no such row


class ProposalFigures(TypedDict):
    """A Proposal as plain values (``Proposal.to_dict``): the building figures, with
    ``footprint_m2`` from the drawn building where one was drawn."""

    land_area_m2: float | None
    footprint_m2: float | None
    floor_area_m2: float | None
    floors: int | None
    height_m: float | None
    green_area_m2: float | None
    tod_bonus: bool
    footprint: dict[str, Any] | None  # GeoJSON, in the site's CRS


class MatrixCell(TypedDict):
    """Where in the RTRW's matrix (``rtrw_itbx.csv``) an indication was read."""

    file: str
    line: int | None
    column: str | None


class RtrwPart(TypedDict):
    """A part of the site on the RTRW layer (outside the RDTR): an indication for staff,
    with the RTRW matrix's class where the plan has a matrix and it has a row."""

    namobj: str
    jnsrpr: str | None
    area_m2: float
    indicative: bool
    itbx: NotRequired[str | None]
    cell: NotRequired[str | None]
    matrix: NotRequired[MatrixCell]


class Excluded(TypedDict, total=False):
    """What the conforming part leaves out, by ``what``: ``itbx.X`` (a zone part: kodszn,
    fid, area_m2), ``outside_rdtr`` (area_m2), ``overlay`` (jenis, layer, fid, area_m2)
    or ``raster`` (id, share_above)."""

    what: Required[str]
    kodszn: str
    fid: str
    area_m2: float
    jenis: str
    layer: str
    id: str
    share_above: float | None


class Conforming(TypedDict):
    """Where inside the RDTR the activity is not forbidden (kkpr.rules.conforming):
    None area and geometry where a part's shape is unknown."""

    area_m2: float | None
    share: float | None
    geometry: dict[str, Any] | None  # GeoJSON in longitude/latitude
    excluded: list[Excluded]


class CheckResultDict(TypedDict):
    """``CheckResult.to_dict()``: the result as the API returns it and the log stores it."""

    outcome: str
    form: str
    plan: PlanInfo
    site: SiteInfo
    activity: ActivityInfo
    proposal: ProposalFigures
    parts: list[PartJson]
    conditions: list[ConditionJson]
    intensity: list[IntensityJson]
    overlays: list[OverlayJson]
    rasters: list[RasterJson]
    rtrw: list[RtrwPart]
    reasons: list[ReasonJson]
    conforming: Conforming
    setbacks: list[SetbackJson]


@dataclass
class CheckResult:
    outcome: Outcome
    form: Form
    plan: PlanInfo
    site: SiteInfo
    activity: ActivityInfo
    proposal: ProposalFigures
    parts: list[PartResult]
    conditions: list[ConditionResult]
    intensity: list[IntensityFinding]
    overlays: list[OverlayFinding]
    rasters: list[RasterFinding]
    rtrw: list[RtrwPart]
    reasons: list[Reason]
    # where inside the RDTR the activity is not forbidden (kkpr.rules.conforming)
    conforming: Conforming = field(
        default_factory=lambda: Conforming(area_m2=None, share=None, geometry=None, excluded=[])
    )
    # the GSB per frontage (and JBB) of kkpr.rules.setbacks
    setbacks: list[SetbackFinding] = field(default_factory=list)

    def to_dict(self) -> CheckResultDict:
        """The result as JSON-ready dicts (what the CLI prints and the API returns)."""

        # each item as its dataclass's fields: the item's JSON type (PartJson ...) names
        # the same fields (tests/pipeline/test_findings.py)
        def flat(items: list[Any]) -> list[Any]:
            return [{f: _copy(getattr(x, f)) for f in field_names(type(x))} for x in items]

        return {
            "outcome": str(self.outcome),
            "form": str(self.form),
            "plan": self.plan.copy(),
            "site": self.site.copy(),
            "activity": self.activity.copy(),
            "proposal": self.proposal.copy(),
            "parts": flat(self.parts),
            "conditions": flat(self.conditions),
            "intensity": flat(self.intensity),
            "overlays": flat(self.overlays),
            "rasters": flat(self.rasters),
            "rtrw": [h.copy() for h in self.rtrw],
            "reasons": [r.to_dict() for r in self.reasons],
            "conforming": self.conforming.copy(),
            "setbacks": flat(self.setbacks),
        }


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def field_names(cls: type) -> tuple[str, ...]:
    """The field names of the dataclass ``cls``, looked up once."""
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return names


_FIELD_VALUES: dict[type, Callable[[Any], dict[str, Any]]] = {}


def field_values(cls: type) -> Callable[[Any], dict[str, Any]]:
    """What reads an instance of the dataclass ``cls`` as ``{name: getattr(x, name)}``
    over its fields, in order (one ``attrgetter`` of them all, made once)."""
    read = _FIELD_VALUES.get(cls)
    if read is None:
        names = field_names(cls)
        if len(names) == 1:  # attrgetter of one name gives the value, not a tuple
            read = _FIELD_VALUES[cls] = lambda x: {names[0]: getattr(x, names[0])}
        else:
            values = attrgetter(*names)
            read = _FIELD_VALUES[cls] = lambda x: dict(zip(names, values(x), strict=True))
    return read


def _copy(value: Any) -> Any:
    # result fields hold plain values, lists of str, or lists of flat dicts
    if type(value) is list:
        return [dict(v) if type(v) is dict else v for v in value]
    return value
