"""Staff: the history of a place (``/staf/riwayat``, ``POST /v1/history``) and the audit
view (``/staf/audit``, ``GET /v1/audit``, ``/v1/audit.csv``, ``/v1/audit/figures``).

The engine does the work (``kkpr.pipeline.history``, ``kkpr.pipeline.audit``,
``kkpr.pipeline.figures``); this module parses, authorises and renders. The figures'
charts are drawn here as inline SVG, each with its table beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from api import i18n
from api.auth import SESSION_COOKIE, Staff, csrf_token, current_caller
from api.deps import AppState, StateDep, state_of
from api.errors import responses
from api.pipeline_deps import PipelineDb, pipeline_db
from api.routers.pages import render
from kkpr.db.database import Database
from kkpr.errors import InvalidInput
from kkpr.pipeline import audit, history
from kkpr.pipeline.calendar import WorkingCalendar
from kkpr.pipeline.figures import Figures, figures
from kkpr.pipeline.statuses import STATES, State

router = APIRouter()


# ---------------------------------------------------------------- parcel history


class HistoryIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"geometry": {"type": "Point", "coordinates": [123.6, -10.17]},
                          "buffer_m": 10}]
        },
    )  # fmt: skip

    geometry: dict[str, Any] = Field(
        ..., description="GeoJSON Point, Polygon or MultiPolygon (longitude, latitude)"
    )
    buffer_m: float | None = Field(
        None, description="Metres around the geometry (default: KKPR_HISTORY_POINT_BUFFER_M "
        "for a point, 0 for a polygon)",
    )  # fmt: skip


@router.post(
    "/v1/history",
    tags=["pipeline"],
    summary="Riwayat bidang / everything recorded that touches a place",
    description="Checks, applications, decisions and documents whose site touches the "
    "geometry, newest first, each with its date, outcome and link.",
    responses=responses(401, 403, 422),
)
def post_history(
    request: Request,
    body: Annotated[HistoryIn, Body()],
    caller: Staff,
    state: StateDep,
    db: PipelineDb,
) -> dict[str, Any]:
    s = state.settings
    point = str(body.geometry.get("type", "")) == "Point"
    buffer_m = body.buffer_m if body.buffer_m is not None else (
        s.history_point_buffer_m if point else 0.0
    )  # fmt: skip
    area = history.query_area(body.geometry, buffer_m, s.history_max_buffer_m)
    found = history.history(state.check_log.db, db, area, limit=s.history_max_results)
    names = audit.key_names(state.check_log.db)
    out = found.to_dict()
    lang = i18n.language(request)
    for entry in out["entries"]:
        entry["who"] = names.get(entry["who"], entry["who"])
        entry["outcome_label"] = outcome_label(entry["kind"], entry["outcome"], lang)
    out["buffer_m"] = buffer_m
    return out


def outcome_label(kind: str, outcome: str | None, lang: str) -> str | None:
    """An outcome in words: a case's state as the OSS code and its words; a check's
    outcome and a decision as the pages word them elsewhere."""
    if outcome is None:
        return None
    if kind == "application":
        return state_label(outcome, lang)
    key = f"history.outcome.{outcome}"
    text = i18n.translate(key, lang)
    return outcome if text == key else text


# ---------------------------------------------------------------- audit trail


def _filter(
    who: str | None,
    kind: str | None,
    since: date | None,
    until: date | None,
    app: str | None,
    tz: str,
) -> audit.AuditFilter:
    if kind is not None and kind not in audit.KINDS:
        raise InvalidInput(
            f"Jenis catatan {kind!r} tidak dikenal",
            f"Unknown kind of record {kind!r}",
            where="kind",
            hint_id=f"Pilih salah satu: {', '.join(audit.KINDS)}",
            hint_en=f"Choose one of: {', '.join(audit.KINDS)}",
        )
    if since is not None and until is not None and until < since:
        raise InvalidInput(
            "Tanggal akhir sebelum tanggal awal",
            "The end date is before the start date",
            where="until",
            hint_id="Tukar kedua tanggal",
            hint_en="Swap the two dates",
        )
    return audit.AuditFilter(
        who=(who or "").strip() or None, kind=kind or None, since=since, until=until,
        application=(app or "").strip() or None, tz=ZoneInfo(tz),
    )  # fmt: skip


Who = Annotated[str | None, Query(max_length=200, description="Part of a name, NIP or key id")]
Kind = Annotated[str | None, Query(description="One of: " + ", ".join(audit.KINDS))]
Since = Annotated[date | None, Query(description="From this day (the office's calendar)")]
Until = Annotated[date | None, Query(description="To this day, included (office calendar)")]
App = Annotated[str | None, Query(max_length=64, description="An application id")]


@router.get(
    "/v1/audit",
    tags=["pipeline"],
    summary="Jejak audit / who did what and when",
    responses=responses(401, 403, 422),
)
def get_audit(
    caller: Staff,
    state: StateDep,
    db: PipelineDb,
    who: Who = None,
    kind: Kind = None,
    since: Since = None,
    until: Until = None,
    application: App = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int | None, Query(ge=1, le=1000)] = None,
) -> dict[str, Any]:
    flt = _filter(who, kind, since, until, application, state.settings.office_timezone)
    size = page_size or state.settings.audit_page_size
    events, total = audit.trail(state.check_log.db, db, flt, limit=size, offset=(page - 1) * size)
    return {
        "events": [e.to_dict() for e in events],
        "total": total,
        "page": page,
        "page_size": size,
        "pages": max(1, -(-total // size)),
        "kinds": list(audit.KINDS),
    }


@router.get(
    "/v1/audit.csv",
    tags=["pipeline"],
    summary="Jejak audit sebagai CSV / the audit trail as CSV",
    description="Every matching event (at most KKPR_AUDIT_EXPORT_MAX_ROWS), newest first; "
    "cells that a spreadsheet would read as a formula are prefixed with an apostrophe.",
    responses=responses(401, 403, 422),
    response_class=Response,
)
def get_audit_csv(
    caller: Staff,
    state: StateDep,
    db: PipelineDb,
    who: Who = None,
    kind: Kind = None,
    since: Since = None,
    until: Until = None,
    application: App = None,
) -> Response:
    flt = _filter(who, kind, since, until, application, state.settings.office_timezone)
    cap = state.settings.audit_export_max_rows
    events, total = audit.trail(state.check_log.db, db, flt, limit=cap)
    headers = {
        "Content-Disposition": 'attachment; filename="kkpr-audit.csv"',
        "X-Total-Count": str(total),
    }
    # a BOM: spreadsheets then read the UTF-8 names (ñ, é, →) as written
    return Response("\ufeff" + audit.to_csv(events), media_type="text/csv; charset=utf-8",
                    headers=headers)  # fmt: skip


def service_figures(state: AppState, db: Database) -> Figures:
    s = state.settings
    facts = audit.case_facts(db, ZoneInfo(s.office_timezone))
    return figures(facts, s.review_deadline_working_days, WorkingCalendar.from_settings(s))


@router.get(
    "/v1/audit/figures",
    tags=["pipeline"],
    summary="Angka layanan / the service's own figures",
    description="Cases by state and form, applications by month, the share decided within "
    "the deadline and the median working days per stage, by month.",
    responses=responses(401, 403),
)
def get_figures(caller: Staff, state: StateDep, db: PipelineDb) -> dict[str, Any]:
    return service_figures(state, db).to_dict()


# ---------------------------------------------------------------- pages


def _staff_page(request: Request, template: str, **extra: Any) -> HTMLResponse:
    caller = current_caller(request)
    if caller is None or not caller.is_staff:
        return render(request, "login.html")
    state = state_of(request)
    csrf = csrf_token(state, request.cookies.get(SESSION_COOKIE, ""))
    page_data = {"caller": caller.name, "csrf": csrf, **extra.pop("page_data", {})}
    return render(request, template, caller=caller, csrf=csrf, page_data=page_data, **extra)


@router.get("/staf/riwayat", response_class=HTMLResponse, include_in_schema=False)
def history_page(request: Request, state: StateDep) -> HTMLResponse:
    s = state.settings
    return _staff_page(
        request, "history.html",
        page_data={"history": {"buffer_m": s.history_point_buffer_m,
                               "max_buffer_m": s.history_max_buffer_m,
                               "tz": s.office_timezone}},
    )  # fmt: skip


def state_label(state: str, lang: str) -> str:
    try:
        info = STATES[State(state)]
    except ValueError:
        return i18n.translate(f"audit.status.{state}", lang)
    return f"{info.kd_status} · {info.en if lang == 'en' else info.id}"


def bars(
    items: Sequence[tuple[str, float | None, str]], top: float | None = None
) -> dict[str, Any]:
    """A horizontal bar chart's geometry: ``items`` are (label, value, shown text)."""
    values = [v for _l, v, _t in items if v is not None]
    scale = top if top is not None else max(values, default=0) or 1
    row_h, label_w, bar_w = 26, 290, 300
    rows = [
        {"label": label, "text": text, "y": i * row_h,
         "w": 0 if v is None else round(bar_w * v / scale, 1)}
        for i, (label, v, text) in enumerate(items)
    ]  # fmt: skip
    return {"rows": rows, "height": max(len(rows), 1) * row_h, "label_w": label_w,
            "bar_w": bar_w, "width": label_w + bar_w + 70}  # fmt: skip


def _pct(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.0f}%"


def chart_data(f: Figures, lang: str) -> dict[str, Any]:
    by_state = [
        (f"{form} · {state_label(st, lang)}", float(n), str(n))
        for form, states in f.by_state.items()
        for st, n in states.items()
    ]
    submitted = [
        (f"{m} · {form}", float(n), str(n)) for m, forms in f.submitted.items()
        for form, n in forms.items()
    ]  # fmt: skip
    deadline = [
        (m, d.share, f"{_pct(d.share)} ({d.within}/{d.decided})") for m, d in f.deadline.items()
    ]
    stages = [
        (state_label(st, lang), days, i18n.translate("audit.fig.days", lang, n=f"{days:g}"))
        for st, days in f.stage_days_all.items()
    ]
    stage_states = sorted({st for by in f.stage_days.values() for st in by})
    return {
        "by_state": bars(by_state),
        "submitted": bars(submitted),
        "deadline": bars(deadline, top=1.0),
        "stages": bars(stages),
        "stage_table": {
            "states": [(st, state_label(st, lang)) for st in stage_states],
            "months": [(m, f.stage_days[m]) for m in f.months if m in f.stage_days],
        },
        "allowed": f.allowed,
        "empty": not f.by_state,
    }


@router.get("/staf/audit", response_class=HTMLResponse, include_in_schema=False)
def audit_page(request: Request, state: StateDep) -> HTMLResponse:
    caller = current_caller(request)
    if caller is None or not caller.is_staff:
        return render(request, "login.html")
    charts = chart_data(service_figures(state, pipeline_db(request)), i18n.language(request))
    return _staff_page(
        request, "audit.html", charts=charts, kinds=audit.KINDS,
        page_data={"audit": {"page_size": state.settings.audit_page_size,
                             "tz": state.settings.office_timezone}},
    )  # fmt: skip
