"""The engine's check as the pipeline passes it between its modules: ``CheckJson``.

A check's answer reaches the pipeline once as ``CheckResult.to_dict()`` (an application
submitted, a decision's approved polygon) and later as the JSON stored with the
application (``applications.check_result``). The submission, the decision, the
technical data (``kkpr.pipeline.technical``), the carried conditions
(``kkpr.pipeline.state``), the record (``kkpr.pipeline.documents``) and the check log
(``kkpr.pipeline.logged``) all read it as ``CheckJson``, the engine's own
``kkpr.model.CheckResultDict``: its TypedDicts (``PartJson`` beside ``PartResult`` ...)
let ``mypy --strict`` check every key they read. At run time they are the plain dicts
the check gives (the JSON the API answers and the database keeps is unchanged).
"""

from __future__ import annotations

from typing import TypeAlias, cast

from typing_extensions import TypedDict

from kkpr.model import CheckResult, CheckResultDict, Effect
from kkpr.pipeline.db import loads

# the check's answer as JSON, as the engine gives it
CheckJson: TypeAlias = CheckResultDict


def check_json(result: CheckResult) -> CheckJson:
    """``result`` as the pipeline passes, stores and logs it."""
    return result.to_dict()


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
