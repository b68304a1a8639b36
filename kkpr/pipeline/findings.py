"""The engine's check as the pipeline passes it between its modules: ``CheckJson``.

A check's answer reaches the pipeline once as ``CheckResult.to_dict()`` (an application
submitted, a decision's approved polygon) and later as the JSON stored with the
application (``applications.check_result``). The submission, the decision, the
technical data (``kkpr.pipeline.technical``), the carried conditions
(``kkpr.pipeline.state``), the record (``kkpr.pipeline.documents``) and the check log
(``kkpr.pipeline.logged``) all read it: these TypedDicts are that shape, so that
``mypy --strict`` checks every key they read. At run time they are the plain dicts
the check gives (the JSON the API answers and the database keeps is unchanged).

Each item type names the fields of the result dataclass it is the JSON of
(``kkpr.model.PartResult`` ...); ``tests/pipeline/test_findings.py`` fails when the two
part. ``plan``, ``site``, ``activity``, ``proposal``, ``rtrw`` and ``conforming`` are
typed by the result itself (``kkpr.model``: ``PlanInfo``, ``SiteInfo``, ...).
"""

from __future__ import annotations

from typing import Any, cast

from typing_extensions import TypedDict

from kkpr.model import (
    ActivityInfo,
    CheckResult,
    Conforming,
    Effect,
    PlanInfo,
    ProposalFigures,
    RtrwPart,
    SiteInfo,
)
from kkpr.pipeline.db import loads


class PartJson(TypedDict):
    """A zone part the site overlaps (``PartResult``)."""

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


class ConditionJson(TypedDict):
    """A plan condition the check attaches (``ConditionResult``)."""

    kode: str
    teks: str
    kind: str
    kodszn: list[str]
    checks: list[dict[str, Any]]


class IntensityJson(TypedDict):
    """An intensity limit and the proposal's figure against it (``IntensityFinding``)."""

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


class OverlayJson(TypedDict):
    """A special provision the site touches (``OverlayFinding``)."""

    jenis: str
    efek: str | None
    keterangan: str | None
    tb: float | None
    area_m2: float
    share: float
    deciding: bool
    source: str
    fid: str


class RasterJson(TypedDict):
    """A raster layer's reading under the site (``RasterFinding``)."""

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


class SetbackJson(TypedDict):
    """A setback the site must keep (``SetbackFinding``)."""

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


class ReasonJson(TypedDict):
    """One reason of the outcome (``Reason.to_dict``): its effect is an ``Effect`` value."""

    code: str
    id: str
    en: str
    effect: str
    source: dict[str, Any]


class CheckJson(TypedDict):
    """A check's answer as JSON (``CheckResult.to_dict``)."""

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


def check_json(result: CheckResult) -> CheckJson:
    """``result`` as the pipeline passes, stores and logs it."""
    # CheckResult.to_dict builds exactly these keys (tests/pipeline/test_findings.py)
    return cast(CheckJson, result.to_dict())


def stored_check(text: str) -> CheckJson:
    """The check stored with an application (``applications.check_result``)."""
    return cast(CheckJson, loads(text))


# ---------------------------------------------------------------- what the pipeline carries


class CarriedCondition(TypedDict):
    """A condition carried to the next stages, the events and the record: ``source``
    ``plan`` (a plan condition's text), ``check`` (an overlay's or a raster's) or
    ``review`` (one staff add to a decision, ``K1`` ...)."""

    kode: str
    id: str
    en: str
    source: str


class ReasonText(TypedDict):
    """A reason as an event or a refusal states it."""

    code: str
    id: str
    en: str


def conditions_of(found: CheckJson) -> list[CarriedCondition]:
    """The conditions a check attaches, carried to the next stages: the plan's condition
    texts, and the conditions of overlays and rasters (ITBX reasons are the codes)."""
    out: list[CarriedCondition] = [
        {"kode": c["kode"], "id": c["teks"], "en": c["teks"], "source": "plan"}
        for c in found["conditions"]
    ]
    for r in found["reasons"]:
        if r["effect"] == Effect.CONDITION and not r["code"].startswith(("itbx.", "condition.")):
            out.append({"kode": r["code"], "id": r["id"], "en": r["en"], "source": "check"})
    return out


def reasons_of(found: CheckJson, effect: Effect) -> list[ReasonText]:
    """The reasons of ``found`` with ``effect`` (a refusal's, the forbidding ones)."""
    return [
        {"code": r["code"], "id": r["id"], "en": r["en"]}
        for r in found["reasons"]
        if r["effect"] == effect
    ]
