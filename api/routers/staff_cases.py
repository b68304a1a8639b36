"""Staff cases: the list of every case with search, filters and pages, its exports (CSV,
XLSX, GeoPackage), one case's page with its map and actions, and its print view.

The pages (``/staf/kasus``, ``/staf/kasus/{id}``, ``/staf/kasus/{id}/cetak``) need the
staff session; without it they show the login form. Their data come from
``GET /v1/staff/cases`` (the list) and ``GET /v1/staff/cases/{id}`` (one case file);
the case page's actions call the pipeline's own API (``POST
/v1/applications/{id}/steps/{action}``, ``POST /v1/reviews/{id}/decision``).
A filter this list does not know is a 400 naming the filters it does.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import HTMLResponse

from api import i18n
from api.auth import SESSION_COOKIE, Staff, csrf_token, current_caller
from api.deps import AppState, StateDep, state_of
from api.errors import InvalidParameter, responses
from api.pipeline_deps import PipelineDep, pipeline_db
from api.routers.pages import render
from kkpr.errors import KkprError
from kkpr.model import Form
from kkpr.pipeline.applications import Pipeline
from kkpr.pipeline.casefile import case_file
from kkpr.pipeline.search import (
    MAX_PER_PAGE,
    CasePage,
    Deadline,
    Filters,
    Paging,
    Status,
    every,
    search,
    to_csv,
    to_geopackage,
    to_xlsx,
)
from kkpr.pipeline.statuses import ACTIONS, STATES, Action

router = APIRouter(tags=["staff"])
EXPORT_MAX = 10_000  # rows of one export: a year of a busy office's cases
AppId = Annotated[str, Path(min_length=1, max_length=64)]
FILTERS = ("q", "number", "nib", "applicant", "kbli", "kelurahan", "state", "status", "form",
           "deadline")  # fmt: skip
LIST_PARAMS = frozenset({*FILTERS, "page", "per_page", "lang"})
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "gpkg": "application/geopackage+sqlite3",
}


def known_params(request: Request) -> None:
    """A filter the list does not know is refused, never silently ignored."""
    unknown = sorted(set(request.query_params) - LIST_PARAMS)
    if unknown:
        names = ", ".join(sorted(LIST_PARAMS - {"lang"}))
        raise InvalidParameter(
            f"Saringan tidak dikenal: {', '.join(unknown)}",
            f"Unknown filter: {', '.join(unknown)}",
            where=unknown[0],
            hint_id=f"Saringan yang dikenal: {names}",
            hint_en=f"Known filters: {names}",
        )


def filters(
    request: Request,
    q: Annotated[str | None, Query(max_length=200, description="Any of: application "
              "number, reference, OSS id_izin, NIB, applicant, business, KBLI")] = None,
    number: Annotated[str | None, Query(max_length=200)] = None,
    nib: Annotated[str | None, Query(max_length=200)] = None,
    applicant: Annotated[str | None, Query(max_length=200,
                         description="The applicant's or the business's name")] = None,
    kbli: Annotated[str | None, Query(max_length=16, description="A code or its first digits")]
    = None,
    kelurahan: Annotated[str | None, Query(max_length=200)] = None,
    state: Annotated[str | None, Query(max_length=64,
                     description="A PKKPR state or its OSS kd_status (e.g. 45)")] = None,
    status: Status | None = None,
    form: Form | None = None,
    deadline: Annotated[Deadline | None, Query(description="overdue, due_week (its last "
                        "working day falls in this calendar week), paused")] = None,
) -> Filters:  # fmt: skip
    known_params(request)
    return Filters(
        q=q, number=number, nib=nib, applicant=applicant, kbli=kbli, kelurahan=kelurahan,
        state=state, status=status, form=form, deadline=deadline,
    )  # fmt: skip


FoundFilters = Annotated[Filters, Depends(filters)]
"""A route's parameter ``found: FoundFilters`` is the search the query string asks."""


# ---------------------------------------------------------------- the API


@router.get(
    "/v1/staff/cases",
    responses=responses(400, 401, 403, 422),
    summary="Cari kasus / find cases: search, filters, pages (staff)",
    description="Newest first. Every filter is optional and they combine. Each case carries "
    "its state and clock, its decision and document, and its `site` in longitude/latitude.",
    response_model=dict[str, Any],  # the page as it is (a TypedDict is not validated)
)
def get_cases(
    _caller: Staff,
    pipe: PipelineDep,
    found: FoundFilters,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=MAX_PER_PAGE)] = 25,
) -> CasePage:
    return search(
        pipe.db, found, Paging(page, per_page), pipe.today(), pipe.settings, pipe.calendar
    )


@router.get(
    "/v1/staff/cases.{fmt}",
    response_class=Response,
    responses={200: {"content": {m: {} for m in MEDIA.values()}}, **responses(400, 401, 403)},
    summary="Ekspor daftar kasus / export the found cases: csv, xlsx, or gpkg (the sites)",
    description=f"The same filters as the list; every case found, at most {EXPORT_MAX}. "
    "Text cells that would start a spreadsheet formula are written with a leading `'`.",
)
def export_cases(
    fmt: Literal["csv", "xlsx", "gpkg"],
    _caller: Staff,
    pipe: PipelineDep,
    found: FoundFilters,
) -> Response:
    items = every(pipe.db, found, pipe.today(), pipe.settings, pipe.calendar, EXPORT_MAX)
    body: bytes | str
    if fmt == "csv":
        body = "\ufeff" + to_csv(items)  # the BOM: spreadsheets then read UTF-8 names right
    elif fmt == "xlsx":
        body = to_xlsx(items)
    else:
        body = to_geopackage(items)
    name = f"kasus-kkpr-{pipe.today().isoformat()}.{fmt}"
    return Response(
        body,
        media_type=MEDIA[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get(
    "/v1/staff/cases/{app_id}",
    responses=responses(401, 403, 404),
    summary="Berkas kasus / one case file for its staff page",
    description="The application as recorded (check, conditions, steps with who and when, "
    "clock, PNBP, Pertek, FPR, decision, document), the applicant with what OSS sent, "
    "the OSS identifiers, and `map`: the requested site, the part outside the RDTR, the "
    "conforming part and the approved part, in longitude/latitude.",
)
def get_case(
    app_id: AppId,
    _caller: Staff,
    pipe: PipelineDep,
    state: StateDep,
) -> dict[str, Any]:
    out = case_file(pipe, app_id)
    doc = out.get("document")
    if doc:
        doc["staff_url"] = staff_document_url(doc["number"])
    out["officer_names"] = _key_names(state, out)
    return out


def staff_document_url(number: str) -> str:
    """The document's page as staff open it (staff see any document without its code)."""
    return "/v1/documents/" + "/".join(quote(p, safe="") for p in number.split("/")) + ".html"


def _key_names(state: AppState, case: dict[str, Any]) -> dict[str, str]:
    """The names of the keys that acted on the case (a revoked key keeps its name)."""
    acted = {t.get("acted_by") for t in case.get("transitions", [])}
    acted |= {s.get("actor") for s in case.get("history", [])}
    names = {f"key:{key.id}": key.name for key in state.keys.list()}
    return {k: names[k] for k in acted if k in names}


# ---------------------------------------------------------------- the pages


def _staff_page(request: Request, template: str, **extra: Any) -> HTMLResponse:
    caller = current_caller(request)
    if caller is None or not caller.is_staff:
        return render(request, "login.html")
    csrf = csrf_token(state_of(request), request.cookies.get(SESSION_COOKIE, ""))
    data = extra.pop("page_data", {})
    return render(
        request, template, caller=caller, csrf=csrf,
        page_data={"caller": caller.name, "csrf": csrf, **data}, **extra,
    )  # fmt: skip


def _words() -> dict[str, Any]:
    """What the pages name: the states (with their OSS code), the actions, the filters."""
    return {
        "states": [
            {"state": str(s), "kd_status": i.kd_status, "id": i.id, "en": i.en}
            for s, i in STATES.items()
        ],
        "actions": {
            str(a): {"actor": str(m.actor), "reason": m.reason_required} for a, m in ACTIONS.items()
        },
        "forms": [str(f) for f in Form],
        "deadlines": [str(d) for d in Deadline],
        "statuses": [str(s) for s in Status],
        "per_page": 25,
        "max_per_page": MAX_PER_PAGE,
        "decide_action": str(Action.PUTUSKAN),
    }


@router.get("/staf/kasus", response_class=HTMLResponse, include_in_schema=False)
def cases_page(request: Request, state: StateDep) -> HTMLResponse:
    """The list, rendered here: the search form (a GET, so a found list has its own
    address), one page of cases, the pager and the export links of the same filters."""
    given = {k: v.strip() for k, v in request.query_params.items() if k in FILTERS and v.strip()}
    shown: dict[str, Any] = {k: given.get(k) for k in FILTERS}
    lang = i18n.language(request)
    result, error, per_page = None, None, 25
    try:
        per_page = int(request.query_params.get("per_page") or 25)
        page = int(request.query_params.get("page") or 1)
        found = Filters(
            **{k: v for k, v in given.items() if k not in ("status", "form", "deadline")},
            status=Status(given["status"]) if "status" in given else None,
            form=Form(given["form"]) if "form" in given else None,
            deadline=Deadline(given["deadline"]) if "deadline" in given else None,
        )
        paging = Paging(page, per_page)
        caller = current_caller(request)
        if caller is not None and caller.is_staff:
            pipe = Pipeline(pipeline_db(request), state.store, state.settings)
            result = search(pipe.db, found, paging, pipe.today(), pipe.settings, pipe.calendar)
    except KkprError as exc:
        error = exc.message_en if lang == "en" else exc.message_id
    except ValueError:
        error = i18n.translate("cases.search.bad", lang)
    query = {**given, "per_page": str(per_page)} if per_page != 25 else dict(given)
    sites = [  # the page's sites for its map: each leads to its case
        {"id": c["id"], "number": c["number"], "name": c["business_name"], "site": c["site"],
         "overdue": c["overdue"], "decision": c["decision"]}
        for c in (result["items"] if result else [])
    ]  # fmt: skip
    return _staff_page(
        request, "cases.html", page_data={**_words(), "sites": sites}, states=_words()["states"],
        forms=list(Form),
        f=shown, result=result, error=error, per_page=per_page,
        query_q=("?" + urlencode(given)) if given else "",
        page_q=lambda n: "?" + urlencode({**query, "page": str(n)}),
        doc_url=staff_document_url,
    )  # fmt: skip


@router.get("/staf/kasus/{app_id}", response_class=HTMLResponse, include_in_schema=False)
def case_page(request: Request, app_id: AppId) -> HTMLResponse:
    return _staff_page(request, "case.html", page_data={**_words(), "case_id": app_id},
                       app_id=app_id)  # fmt: skip


@router.get("/staf/kasus/{app_id}/cetak", response_class=HTMLResponse, include_in_schema=False)
def case_print_page(request: Request, state: StateDep, app_id: AppId) -> HTMLResponse:
    """The case on A4, rendered on the server (its map drawn by the page's script)."""
    caller = current_caller(request)
    if caller is None or not caller.is_staff:
        return render(request, "login.html")
    pipe = Pipeline(pipeline_db(request), state.store, state.settings)
    case = case_file(pipe, app_id)
    case["officer_names"] = _key_names(state, case)
    return _staff_page(
        request, "case_print.html", case=case, today=pipe.today().isoformat(),
        page_data={**_words(), "case_id": app_id, "map": case["map"], "print": True},
    )  # fmt: skip
