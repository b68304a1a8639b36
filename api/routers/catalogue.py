"""The KBLI catalogue: search, and for one KBLI where the active plan permits it (ITBX)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query

from api.deps import AppState, get_state
from api.errors import responses
from api.schemas import KbliDetailOut, KbliSearchOut
from kkpr.catalogue import WORD, catalogue
from kkpr.errors import NotFound
from kkpr.model import ItbxClass, PlanRules
from kkpr.rules.itbx import parse_cell

router = APIRouter(prefix="/v1/kbli", tags=["catalogue"])
PlanIdQuery = Annotated[
    str | None, Query(max_length=100, description="Plan; default: the only one")
]


def _plan_matches(rules: PlanRules, q: str) -> list[dict[str, Any]]:
    """The plan's own KBLI table searched like the catalogue (codes the catalogue lacks)."""
    q = q.strip().lower()
    words = WORD.findall(q)
    out = []
    for entry in rules.kbli.values():
        title = set(WORD.findall(entry.judul.lower()))
        if (q.isdigit() and entry.kbli.startswith(q)) or (
            words and all(any(t.startswith(w) for t in title) for w in words)
        ):
            out.append({"kode": entry.kbli, "judul": entry.judul, "kategori": None})
    return out


@router.get(
    "",
    response_model=KbliSearchOut,
    responses=responses(404, 422),
    summary="Cari KBLI / search KBLI",
    description="Codes starting with the digits of `q`, or titles holding all its words "
    "(as prefixes, so it works while typing). Each hit says the plan's ITBX activity row "
    "(`kode_kegiatan`), or null when the plan does not map the code.",
)
def search(
    q: Annotated[str, Query(min_length=1, max_length=100, examples=["rumah makan"])],
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    plan_id: PlanIdQuery = None,
    state: AppState = Depends(get_state),
) -> dict[str, Any]:
    rules = state.pinned(plan_id).rules(plan_id)
    hits: list[dict[str, Any]] = [dict(i.to_dict()) for i in catalogue().search(q, limit)]
    seen = {h["kode"] for h in hits}
    hits += [h for h in _plan_matches(rules, q) if h["kode"] not in seen]
    for h in hits:
        entry = rules.kbli.get(h["kode"])
        h["kode_kegiatan"] = entry.kode_kegiatan if entry else None
    hits.sort(key=lambda h: h["kode_kegiatan"] is None)  # mapped codes first, stable
    return {"query": q, "plan_id": rules.meta.id, "items": hits[:limit]}


@router.get(
    "/{kode}",
    response_model=KbliDetailOut,
    responses=responses(404, 422),
    summary="KBLI dan ITBX-nya / a KBLI and where the plan permits it",
    description="The title, the plan's activity row, and every sub-zone of the active "
    "version with its ITBX class (I, T, B, X; null where the rule is silent), the raw "
    "cell, and the texts of its conditions.",
)
def detail(
    kode: Annotated[str, Path(pattern=r"^\d{1,6}$", examples=["47111"])],
    plan_id: PlanIdQuery = None,
    state: AppState = Depends(get_state),
) -> dict[str, Any]:
    rules = state.pinned(plan_id).rules(plan_id)
    item = catalogue().get(kode)
    entry = rules.kbli.get(kode)
    if item is None and entry is None:
        raise NotFound(
            f"KBLI {kode!r} tidak ada di katalog maupun di rencana",
            f"KBLI {kode!r} is in neither the catalogue nor the plan",
            where="kode",
            hint_id="Cari dengan GET /v1/kbli?q=...",
            hint_en="Search with GET /v1/kbli?q=...",
        )
    activity = rules.activities.get(entry.kode_kegiatan) if entry else None
    by_class: dict[str, list[str]] = {str(c): [] for c in ItbxClass}
    subzones = []
    for z in rules.subzones:
        cell = rules.cell(entry.kode_kegiatan, z) if entry else None
        cls, codes = parse_cell(cell)
        if cls is not None:
            by_class[str(cls)].append(z)
        conditions = []
        for code in codes:
            c = rules.conditions.get(code)
            conditions.append(
                {
                    "kode": code,
                    "kind": code[:1],
                    "teks": c.teks if c else None,
                    "max_floor_area_m2": c.max_floor_area_m2 if c else None,
                    "max_site_area_m2": c.max_site_area_m2 if c else None,
                    "max_floors": c.max_floors if c else None,
                }
            )
        subzones.append(
            {
                "kodszn": z,
                "itbx": str(cls) if cls else None,
                "cell": cell,
                "conditions": conditions,
            }
        )
    return {
        "kode": kode,
        "judul": item.judul if item else entry.judul if entry else "",
        "kategori": item.kategori if item else None,
        "plan_id": rules.meta.id,
        "plan_version": rules.meta.version,
        "mapped": entry is not None,
        "kode_kegiatan": entry.kode_kegiatan if entry else None,
        "kegiatan": activity.kegiatan if activity else None,
        "by_class": by_class,
        "subzones": subzones,
    }
